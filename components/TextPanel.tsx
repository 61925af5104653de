import { useEffect, useId, useState } from 'react';
import { sendMessage } from '@/utils/messaging';
import type { Lead, MessageJob, TextPanelInfo } from '@/utils/model';
import type { FirmClock } from '@/utils/displayTime';
import { errorMessage } from '@/utils/errorMessage';
import { useLiveData } from './useLiveData';
import { copyText } from './clipboard';
import './text.css';

const MAX_TEXT = 1_000;

/** `sms:` link with the text filled in (RFC 5724; iOS and Android read `body`). */
function smsHref(to: string, body: string): string {
  return `sms:${to}?body=${encodeURIComponent(body)}`;
}

function stateLabel(job: MessageJob, now: number): string {
  switch (job.state) {
    case 'sent':
      return 'Sent';
    case 'failed':
      return job.optedOut ? 'Not sent — opted out' : 'Failed';
    case 'cancelled':
      return 'Cancelled';
    case 'sending':
      return 'Sending…';
    case 'queued':
      if (job.maybeSent) return 'Checking whether it went…';
      if (job.sendAfter && job.nextTryAt > now) return 'Held';
      return job.error ? 'Waiting to retry' : 'Pending';
  }
}

/**
 * Text the caller from the lead: the firm's text-back template rendered for this lead,
 * editable, sent through the connected provider by the background's message outbox (never
 * twice). Each text's state (pending, sent, failed with its reason and Retry) comes from the
 * live database. With no provider that can text, the panel says why and offers the text to
 * copy and an `sms:` link instead. The firm can mark the number as not to be texted.
 */
export function TextPanel({
  lead,
  clock,
  now,
  staffName,
}: {
  lead: Lead;
  clock: FirmClock;
  now: number;
  staffName?: string;
}) {
  const ids = { body: useId(), title: useId(), count: useId() };
  const live = useLiveData('leadTexts', { leadId: lead.id });
  const [info, setInfo] = useState<TextPanelInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
  const [body, setBody] = useState<string | null>(null);
  // One key per text being written: a double click sends it once.
  const [composeKey, setComposeKey] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    sendMessage('textPanelInfo', { leadId: lead.id })
      .then((result) => {
        if (stale) return;
        setInfo(result);
        setBody((current) => current ?? result.body);
      })
      .catch((err: unknown) => {
        if (!stale) setInfoError(errorMessage(err));
      });
    return () => {
      stale = true;
    };
  }, [lead.id]);

  if (lead.noCallbackNumber || !lead.phone) {
    return (
      <section className="panel text-panel" aria-label="Text">
        <h3>Text</h3>
        <p className="muted">No callback number: this caller cannot be texted.</p>
      </section>
    );
  }

  const to = lead.phone;
  const texts = live?.texts ?? [];
  const optOut = live?.optOut ?? null;
  const text = body ?? '';
  const tooLong = text.trim().length > MAX_TEXT;
  const empty = text.trim().length === 0;

  const run = async (action: () => Promise<string | void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const done = await action();
      if (done) setNotice(done);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const send = () =>
    run(async () => {
      await sendMessage('sendText', {
        leadId: lead.id,
        body: text,
        key: composeKey,
        ...(staffName ? { by: staffName } : {}),
      });
      setComposeKey(crypto.randomUUID());
      return 'Text queued — it is on its way.';
    });

  const retry = (job: MessageJob) =>
    run(async () => {
      let confirmNotSent = false;
      if (job.needsCheck) {
        confirmNotSent = window.confirm(
          'This text may already have gone out, and the provider cannot be asked. Send it again only if you checked that it did not. Send again?',
        );
        if (!confirmNotSent) return;
      }
      await sendMessage('retryText', { jobId: job.id, confirmNotSent });
      return 'Trying again.';
    });

  const copy = () =>
    run(async () => {
      await copyText(text);
      return 'Text copied. Paste it in your phone or texting app.';
    });

  const setOptOut = (optedOut: boolean) =>
    run(async () => {
      await sendMessage('setTextOptOut', { leadId: lead.id, optedOut });
      return optedOut ? 'This number will not be texted.' : 'This number can be texted again.';
    });

  const canSend = info?.canSend;

  return (
    <section className="panel text-panel" aria-labelledby={ids.title}>
      <h3 id={ids.title}>Text</h3>

      {optOut ? (
        <p className="notice notice-warning" data-testid="text-opted-out">
          Opted out of texts: {optOut.reason} ({clock.short(optOut.at, now)}).{' '}
          <button
            type="button"
            className="link-button"
            disabled={busy}
            onClick={() => void setOptOut(false)}
          >
            Allow texts again
          </button>
        </p>
      ) : null}

      <label htmlFor={ids.body}>Message to {to}</label>
      <textarea
        id={ids.body}
        className="text-body"
        rows={4}
        value={text}
        placeholder={
          body === null && !infoError ? 'Loading the text-back template…' : 'Write a text…'
        }
        onChange={(e) => setBody(e.target.value)}
        aria-invalid={tooLong}
        aria-describedby={ids.count}
        dir="auto"
      />
      <div className="text-meta">
        <span id={ids.count} className={tooLong ? 'field-error' : 'hint'}>
          {text.trim().length} / {MAX_TEXT} characters
          {tooLong ? ' — too long for one text: shorten it to send.' : ''}
        </span>
      </div>

      {canSend?.ok === false && (
        <p className="notice notice-info" role="status" data-testid="text-no-provider">
          {canSend.reason}
        </p>
      )}
      {infoError && (
        <p className="notice notice-error" role="alert">
          Could not check the texting connection: {infoError}
        </p>
      )}

      <div className="text-actions">
        {canSend?.ok ? (
          <button
            type="button"
            className="primary"
            disabled={busy || empty || tooLong || Boolean(optOut)}
            onClick={() => void send()}
            title={`Sends from ${canSend.from} through ${canSend.providerLabel}`}
          >
            Send text
          </button>
        ) : null}
        {canSend && !canSend.ok ? (
          <>
            <button type="button" disabled={busy || empty} onClick={() => void copy()}>
              Copy text
            </button>
            <a className="button" href={smsHref(to, text)} data-testid="text-sms-link">
              Open in texting app
            </a>
          </>
        ) : null}
        {canSend?.ok ? (
          <span className="hint">
            From {canSend.from} via {canSend.providerLabel}
          </span>
        ) : null}
      </div>

      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice notice-ok" role="status">
          {notice}
        </p>
      )}

      {texts.length > 0 && (
        <ol className="timeline text-list" aria-label="Texts to this caller">
          {texts.map((job) => (
            <li key={job.id} data-text-state={job.state} data-testid="text-item">
              <div className="timeline-head">
                <span className={`text-state text-state-${job.state}`}>{stateLabel(job, now)}</span>
                <span className="muted">
                  {job.automatic ? 'Automatic · ' : ''}
                  {clock.short(job.sentAt ?? job.sendAfter ?? job.createdAt, now)}
                  {job.state === 'queued' && job.sendAfter && job.sendAfter > now
                    ? ` (held until ${clock.short(job.sendAfter, now)})`
                    : ''}
                </span>
              </div>
              <p className="text-sent-body" dir="auto">
                {job.body}
              </p>
              {job.error && job.state !== 'sent' && (
                <p className={job.state === 'failed' ? 'field-error' : 'hint'}>{job.error}</p>
              )}
              {job.state === 'failed' && !job.optedOut && (
                <button type="button" disabled={busy} onClick={() => void retry(job)}>
                  Retry
                </button>
              )}
            </li>
          ))}
        </ol>
      )}

      {!optOut && (
        <p className="hint">
          <button
            type="button"
            className="link-button"
            disabled={busy}
            onClick={() => void setOptOut(true)}
          >
            Do not text this number
          </button>
        </p>
      )}
    </section>
  );
}
