import { useId, useMemo, useState, type MouseEvent } from 'react';
import { sendMessage } from '@/utils/messaging';
import type { Attempt, Lead } from '@/utils/model';
import type { FirmSettings } from '@/utils/settings';
import { errorMessage } from '@/utils/errorMessage';
import { copyText } from './clipboard';
import {
  checkEmailAddress,
  composerOf,
  composeUrl,
  COMPOSER_LABELS,
  EMAIL_BUTTON_LABELS,
  EMAIL_TEMPLATE,
  emailProblem,
  emailsDue,
  oneLine,
  parseLocalDateTime,
  SAFE_URL_LENGTH,
  type EmailKind,
} from '@/utils/workflow/email';
import {
  parseStoredTemplates,
  renderWith,
  templatesItem,
  type RenderContext,
} from '@/utils/workflow/templates';
import { useLiveData } from './useLiveData';
import { useStorageItem } from './useStorageItem';
import './email.css';

const MINUTE = 60_000;

/**
 * Emails to the caller from the lead: their address (asked for on the call, checked,
 * stored on the lead), and — after a callback, or when the cadence's next step is an email
 * — the email itself, rendered from the firm's template (confirmation: the call's summary
 * and next steps, the consultation time if one was booked), editable, then opened in the
 * firm's mail (Gmail, Outlook on the web or the mail app, a setting). Opening it records
 * an email attempt, which goes to the CRM contact through the outbox.
 */
export function EmailPanel({
  lead,
  attempts,
  settings,
  now,
}: {
  lead: Lead;
  attempts: readonly Attempt[] | undefined;
  settings: FirmSettings;
  now: number;
}) {
  const ids = { address: useId(), addressError: useId(), subject: useId(), body: useId() };
  const consultationId = useId();
  const [address, setAddress] = useState(lead.email ?? '');
  const [addressError, setAddressError] = useState<string | null>(null);
  const [addressNotice, setAddressNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<EmailKind | null>(null);

  // The stored address changed elsewhere (another view, a sent email): follow it while
  // the field has no edit of its own (state adjusted while rendering, not in an effect).
  const [savedAddress, setSavedAddress] = useState(lead.email ?? '');
  const stored = lead.email ?? '';
  if (stored !== savedAddress) {
    setSavedAddress(stored);
    if (address === savedAddress) setAddress(stored);
  }

  const due = emailsDue(settings, lead, attempts ?? []);

  const saveAddress = async () => {
    setAddressNotice(null);
    const check = checkEmailAddress(address);
    if (!check.ok) {
      setAddressError(check.error);
      return;
    }
    setAddressError(null);
    try {
      await sendMessage('patchLead', { leadId: lead.id, email: check.address });
      setAddress(check.address);
      setAddressNotice('Email address saved on the lead.');
    } catch (error) {
      setAddressError(errorMessage(error));
    }
  };

  return (
    <section className="panel email-panel" aria-label="Email the caller">
      <h3>Email</h3>
      <div className="email-address-row">
        <label htmlFor={ids.address}>Caller’s email</label>
        <input
          id={ids.address}
          type="email"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          value={address}
          placeholder="name@example.com"
          aria-invalid={addressError ? true : undefined}
          aria-describedby={addressError ? ids.addressError : undefined}
          onChange={(e) => {
            setAddress(e.target.value);
            setAddressError(null);
            setAddressNotice(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void saveAddress();
            }
          }}
        />
        <button
          type="button"
          onClick={() => void saveAddress()}
          disabled={address.trim() === (lead.email ?? '')}
        >
          Save email
        </button>
      </div>
      {addressError && (
        <p id={ids.addressError} className="field-error" role="alert">
          {addressError}
        </p>
      )}
      {addressNotice && (
        <p className="hint" role="status">
          {addressNotice}
        </p>
      )}

      {due.length > 0 && (
        <div className="email-actions">
          {due.map((kind) => (
            <button
              key={kind}
              type="button"
              aria-expanded={open === kind}
              onClick={() => setOpen(open === kind ? null : kind)}
            >
              {EMAIL_BUTTON_LABELS[kind]}
            </button>
          ))}
        </div>
      )}
      {due.length === 0 && !lead.email && (
        <p className="hint">
          Ask for an email address on the call: after the callback you can send a confirmation from
          here.
        </p>
      )}

      {open && (
        <EmailComposer
          key={open}
          kind={open}
          lead={lead}
          settings={settings}
          now={now}
          address={address}
          onAddressError={setAddressError}
          consultationId={consultationId}
          ids={ids}
        />
      )}
    </section>
  );
}

function EmailComposer({
  kind,
  lead,
  settings,
  now,
  address,
  onAddressError,
  consultationId,
  ids,
}: {
  kind: EmailKind;
  lead: Lead;
  settings: FirmSettings;
  now: number;
  address: string;
  onAddressError: (error: string | null) => void;
  consultationId: string;
  ids: { subject: string; body: string };
}) {
  const storedRaw = useStorageItem(templatesItem);
  const calls = useLiveData('leadCalls', { leadId: lead.id });
  const [consultation, setConsultation] = useState('');
  const [subject, setSubject] = useState<string | null>(null);
  const [body, setBody] = useState<string | null>(null);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [recording, setRecording] = useState(false);
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [recorded, setRecorded] = useState(false);
  const problemId = useId();
  const composer = composerOf(settings);

  const minute = Math.floor(now / MINUTE);
  const consultationAt =
    consultation === ''
      ? undefined
      : (parseLocalDateTime(consultation, settings.timeZone) ?? undefined);
  const rendered = useMemo(() => {
    if (storedRaw === null) return null;
    const dialedLine = (calls ?? []).reduce<{ at: number; line?: string }>(
      (latest, call) =>
        call.dialedLine && call.startedAt > latest.at
          ? { at: call.startedAt, line: call.dialedLine }
          : latest,
      { at: -1 },
    ).line;
    const ctx: RenderContext = { stored: parseStoredTemplates(storedRaw), settings, dialedLine };
    const staffName = settings.staff.find((s) => s.id === settings.currentStaffId)?.name;
    return renderWith(EMAIL_TEMPLATE[kind], lead, ctx, {
      now: minute * MINUTE,
      ...(staffName ? { staffName } : {}),
      ...(consultationAt !== undefined ? { consultationAt } : {}),
    });
  }, [storedRaw, calls, settings, kind, lead, minute, consultationAt]);

  // Until the user edits them, subject and text follow the template (and the time typed).
  const shownSubject = subject ?? rendered?.subject ?? '';
  const shownBody = body ?? rendered?.body ?? '';
  const check = checkEmailAddress(address);
  const url = check.ok
    ? composeUrl(composer, { to: check.address, subject: shownSubject, body: shownBody })
    : null;
  // Asked before the email opens: one the desk could not record must not reach the caller.
  const problem = !check.ok ? check.error : emailProblem(shownSubject, shownBody);

  const record = async () => {
    if (!check.ok) return;
    setRecording(true);
    try {
      const { queued } = await sendMessage('recordEmailSent', {
        leadId: lead.id,
        kind,
        to: check.address,
        subject: oneLine(shownSubject),
        body: shownBody,
        requestId,
      });
      setRecorded(true);
      setStatus({
        kind: 'ok',
        text:
          queued > 0
            ? 'Recorded as an email attempt; it is being logged on the CRM contact.'
            : 'Recorded as an email attempt. It goes to the CRM with the lead’s next Sync.',
      });
    } catch (error) {
      setStatus({
        kind: 'error',
        text: `The email opened, but it was not recorded: ${errorMessage(error)} Nothing is lost — the text is still here; click “Record it as sent”.`,
      });
    } finally {
      setRecording(false);
    }
  };

  const onOpen = (event: MouseEvent<HTMLAnchorElement>) => {
    if (problem || !url) {
      event.preventDefault();
      if (!check.ok) onAddressError(check.error);
      setStatus({ kind: 'error', text: problem ?? 'The email cannot be opened yet.' });
      return;
    }
    if (!recorded) void record();
  };

  const copy = async () => {
    try {
      await copyText(`${oneLine(shownSubject)}\n\n${shownBody}`);
      setStatus({ kind: 'ok', text: 'Subject and text copied.' });
    } catch (error) {
      setStatus({ kind: 'error', text: `Could not copy: ${errorMessage(error)}` });
    }
  };

  return (
    <div className="email-composer" role="group" aria-label={EMAIL_BUTTON_LABELS[kind]}>
      {kind === 'confirmation' && (
        <div className="email-field">
          <label htmlFor={consultationId}>Consultation booked for (optional)</label>
          <input
            id={consultationId}
            type="datetime-local"
            value={consultation}
            onChange={(e) => setConsultation(e.target.value)}
          />
        </div>
      )}
      <div className="email-field">
        <label htmlFor={ids.subject}>Subject</label>
        <input
          id={ids.subject}
          value={shownSubject}
          maxLength={300}
          onChange={(e) => setSubject(e.target.value)}
        />
      </div>
      <div className="email-field">
        <label htmlFor={ids.body}>Text</label>
        <textarea
          id={ids.body}
          rows={10}
          value={shownBody}
          onChange={(e) => setBody(e.target.value)}
        />
      </div>
      <div className="email-buttons">
        <a
          className="button button-primary"
          href={url && !problem ? url : undefined}
          role={url && !problem ? undefined : 'button'}
          tabIndex={0}
          aria-disabled={problem ? true : undefined}
          aria-describedby={problem ? problemId : undefined}
          {...(composer === 'mailto' ? {} : { target: '_blank', rel: 'noopener noreferrer' })}
          onClick={onOpen}
        >
          Open in {COMPOSER_LABELS[composer]}
        </a>
        {(subject !== null || body !== null) && (
          <button
            type="button"
            onClick={() => {
              setSubject(null);
              setBody(null);
            }}
          >
            Back to the template
          </button>
        )}
        <button type="button" onClick={() => void copy()}>
          Copy text
        </button>
        {status?.kind === 'error' && !recorded && check.ok && !problem && (
          <button type="button" disabled={recording} onClick={() => void record()}>
            Record it as sent
          </button>
        )}
        {recorded && (
          <button
            type="button"
            onClick={() => {
              // A new email (sent again, or changed): recorded as another attempt.
              setRecorded(false);
              setRequestId(crypto.randomUUID());
              setStatus(null);
            }}
          >
            Another email
          </button>
        )}
      </div>
      {problem && status?.text !== problem && (
        <p id={problemId} className="field-error">
          {problem}
        </p>
      )}
      {url && url.length > SAFE_URL_LENGTH && (
        <p className="hint">
          This email is long: some mail apps cut long links. If the text arrives incomplete, use
          “Copy text” and paste it.
        </p>
      )}
      <p className="hint">
        The email opens in {COMPOSER_LABELS[composer]} (Settings → Email); send it from there.
        Opening it records an email attempt on the lead.
      </p>
      {status && (
        <p
          id={problem && status.text === problem ? problemId : undefined}
          className={status.kind === 'error' ? 'notice notice-error' : 'notice notice-ok'}
          role={status.kind === 'error' ? 'alert' : 'status'}
        >
          {status.text}
        </p>
      )}
    </div>
  );
}
