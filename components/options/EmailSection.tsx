import { useId } from 'react';
import { EMAIL_COMPOSERS, type EmailCompose } from '@/utils/settings';
import { SettingsSection, useSettingsDraft } from './settingsForm';

const KEYS = ['emailCompose'] as const;

const CHOICES: Record<EmailCompose, { label: string; hint: string }> = {
  gmail: {
    label: 'Gmail (Google Workspace)',
    hint: 'Opens a new message in Gmail in the browser, in the Google account signed in there.',
  },
  outlook: {
    label: 'Outlook on the web (Microsoft 365)',
    hint: 'Opens a new message at outlook.office.com, in the Microsoft 365 account signed in there.',
  },
  mailto: {
    label: 'The computer’s mail app (mailto: link)',
    hint: 'Opens the mail app set as the default for email links (Outlook, Apple Mail, …).',
  },
};

/** Where "Send confirmation email" and the cadence's follow-up email open. */
export function EmailSection() {
  const form = useSettingsDraft(KEYS);
  const name = useId();
  const { draft, update } = form;
  if (!draft) return null;
  const current = draft.emailCompose ?? 'mailto';
  return (
    <SettingsSection
      id="email"
      title="Email"
      description="Confirmation and follow-up emails are written from the firm’s templates, then open, filled in, in the firm’s own mail — staff send them from their own mailbox. Each one opened is recorded on the lead and logged on the CRM contact as an email."
      form={form}
      onSave={() => void form.save()}
    >
      <fieldset className="options-group">
        <legend>Open emails in</legend>
        {EMAIL_COMPOSERS.map((choice) => (
          <label key={choice} className="checkbox">
            <input
              type="radio"
              name={name}
              value={choice}
              checked={current === choice}
              onChange={() => update({ emailCompose: choice })}
            />
            <span>
              {CHOICES[choice].label}
              <span className="options-muted"> — {CHOICES[choice].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </SettingsSection>
  );
}
