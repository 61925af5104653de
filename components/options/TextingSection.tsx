import { useEffect, useId, useState } from 'react';
import { db } from '@/utils/db';
import { errorMessage } from '@/utils/errorMessage';
import {
  canSend,
  forgetSmsSenders,
  SmsSettingsSchema,
  smsSettingsItem,
} from '@/utils/workflow/sms/clients';
import { SMS_PROVIDER_LABELS, SMS_PROVIDERS, type SmsSettings } from '@/utils/workflow/sms/types';
import { useStorageItem } from '../useStorageItem';
import { SettingsSection } from './settingsForm';

type Status = { ok: true; text: string } | { ok: false; text: string } | null;

/**
 * Texting: which connected provider sends texts and from which number. Texts use the
 * provider connections above (no second sign-in); the status line says whether a text can
 * go now, or why not.
 */
export function TextingSection() {
  const stored = useStorageItem(smsSettingsItem);
  const [draft, setDraft] = useState<SmsSettings | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const ids = { provider: useId(), twilio: useId(), aircall: useId(), dialpad: useId() };

  const refresh = () =>
    canSend(db)
      .then((result) =>
        setStatus(
          result.ok
            ? {
                ok: true,
                text: `Texts go out through ${SMS_PROVIDER_LABELS[result.provider]} from ${result.from}.`,
              }
            : { ok: false, text: result.reason },
        ),
      )
      .catch((error: unknown) => setStatus({ ok: false, text: errorMessage(error) }));
  useEffect(() => {
    void refresh();
  }, []);

  // The firm's edits, over what is stored.
  const current = draft ?? stored;
  if (!current) return null;
  const field = (key: keyof SmsSettings, value: string) => {
    setSaved(null);
    setDraft({ ...current, [key]: value || undefined });
  };

  const save = async () => {
    const parsed = SmsSettingsSchema.safeParse(current);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) next[String(issue.path[0])] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    const clean = Object.fromEntries(
      Object.entries(parsed.data).filter(([, v]) => v !== undefined && v !== ''),
    ) as SmsSettings;
    await smsSettingsItem.setValue(clean);
    forgetSmsSenders();
    setSaved('Saved.');
    setStatus(null);
    void refresh();
  };

  return (
    <SettingsSection
      id="texting"
      title="Texting"
      description="Texts to callers (from the lead, and the automatic text) go out through a connected phone provider: Twilio, RingCentral (the RingCentral app needs the SMS permission), Dialpad, or Aircall on plans with its Messaging API. Each text is sent once, even if the browser closes mid-send; a failure shows on the lead with its reason and Retry."
    >
      <p
        className={status?.ok ? 'notice notice-ok' : 'notice notice-info'}
        role="status"
        data-testid="texting-status"
      >
        {status ? status.text : 'Checking…'}
      </p>
      <label htmlFor={ids.provider}>Send texts with</label>
      <select
        id={ids.provider}
        value={current.provider ?? ''}
        onChange={(e) => field('provider', e.target.value)}
      >
        <option value="">The first connected provider that can text</option>
        {SMS_PROVIDERS.map((p) => (
          <option key={p} value={p}>
            {SMS_PROVIDER_LABELS[p]}
          </option>
        ))}
      </select>

      <label htmlFor={ids.twilio}>Twilio: send from</label>
      <input
        id={ids.twilio}
        value={current.twilioFrom ?? ''}
        placeholder="Any SMS-capable number of the account"
        onChange={(e) => field('twilioFrom', e.target.value)}
        aria-invalid={Boolean(errors.twilioFrom)}
      />
      <span className={errors.twilioFrom ? 'field-error' : 'hint'}>
        {errors.twilioFrom ?? 'A number of the account (+1…) or a Messaging Service SID (MG…).'}
      </span>

      <label htmlFor={ids.dialpad}>Dialpad: send from</label>
      <input
        id={ids.dialpad}
        value={current.dialpadFrom ?? ''}
        placeholder="+1…"
        onChange={(e) => field('dialpadFrom', e.target.value)}
        aria-invalid={Boolean(errors.dialpadFrom)}
      />
      {errors.dialpadFrom && <span className="field-error">{errors.dialpadFrom}</span>}

      <label htmlFor={ids.aircall}>Aircall: number id</label>
      <input
        id={ids.aircall}
        value={current.aircallNumberId ?? ''}
        placeholder="e.g. 123456"
        onChange={(e) => field('aircallNumberId', e.target.value)}
        aria-invalid={Boolean(errors.aircallNumberId)}
      />
      <span className={errors.aircallNumberId ? 'field-error' : 'hint'}>
        {errors.aircallNumberId ??
          'The SMS-enabled Aircall number (Aircall Dashboard → Numbers; its id is in the address).'}
      </span>

      <div className="options-save-bar">
        <button type="button" className="primary" onClick={() => void save()}>
          Save texting settings
        </button>
        {saved && <span role="status">{saved}</span>}
      </div>
    </SettingsSection>
  );
}
