import { useEffect, useId, useState, type FormEvent } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { browser } from '#imports';
import { db, type CursorRecord } from '@/utils/db';
import { errorMessage } from '@/utils/errorMessage';
import { ApiError, describeError } from '@/utils/http';
import { sendMessage } from '@/utils/messaging';
import {
  ConnectError,
  connectSource,
  disconnectSource,
  setSourceEnabled,
  sourceConnectionsItem,
  testSource,
  type SourceConnection,
} from '@/utils/sources/connections';
import { POLL_ALARM, type PollOutcome } from '@/utils/sources/poller';
import { SOURCES, type AnyCallSource } from '@/utils/sources/registry';
import type { SourceId } from '@/utils/sources/types';
import { useNow } from '../hooks';
import { useStorageItem } from '../useStorageItem';
import '../sources.css';

type Status = { kind: 'ok' | 'error' | 'info'; text: string } | null;

/** API failures say which host and what to do; anything else as the shared helper words it. */
function failureText(error: unknown): string {
  return error instanceof ApiError ? describeError(error) : errorMessage(error);
}

function StatusLine({ status }: { status: Status }) {
  return (
    <span
      role="status"
      className={status ? `options-status options-status-${status.kind}` : 'options-status'}
    >
      {status?.text ?? ''}
    </span>
  );
}

function when(ms: number | undefined, now: number): string {
  if (!ms) return '—';
  const time = new Date(ms).toLocaleTimeString(undefined, {
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
  });
  const day =
    new Date(ms).toDateString() === new Date(now).toDateString()
      ? ''
      : `${new Date(ms).toLocaleDateString()} `;
  const delta = Math.round((ms - now) / 1000);
  const rel =
    Math.abs(delta) < 60
      ? delta >= 0
        ? `in ${delta} s`
        : `${-delta} s ago`
      : delta >= 0
        ? `in ${Math.round(delta / 60)} min`
        : `${Math.round(-delta / 60)} min ago`;
  return `${day}${time} (${rel})`;
}

function outcomeText(o: PollOutcome | undefined): Status {
  if (!o) return { kind: 'error', text: 'No answer from the background.' };
  if (o.status === 'ok') {
    const parts = [`${o.fetched ?? 0} call(s) read`, `${o.added ?? 0} new`];
    if (o.duplicates) parts.push(`${o.duplicates} already known`);
    if (o.answeredClosed) parts.push(`${o.answeredClosed} lead(s) closed: the caller got through`);
    return { kind: 'ok', text: `Polled: ${parts.join(', ')}.` };
  }
  if (o.status === 'waiting')
    return {
      kind: 'info',
      text: `Waiting for the rate limit until ${new Date(o.nextPollAfter ?? 0).toLocaleTimeString()}.`,
    };
  if (o.status === 'disabled') return { kind: 'info', text: 'Polling is paused for this source.' };
  return { kind: 'error', text: o.error ?? 'Polling failed.' };
}

/**
 * Phone providers' APIs and CRM call logs, polled every minute by the background. Credentials
 * are written to the extension's own database and never shown again; the status comes from
 * the poller's cursor rows (live).
 */
export function ProviderConnectionsSection() {
  const connections = useStorageItem(sourceConnectionsItem);
  const cursors = useLiveQuery(() => db.cursors.toArray(), []);
  const headingId = useId();
  const byId = new Map((cursors ?? []).map((c) => [c.sourceId, c]));
  return (
    <section className="options-section" id="providers" aria-labelledby={headingId}>
      <header className="options-section-header">
        <h2 id={headingId}>Phone providers and call logs</h2>
        <p className="options-section-description">
          Connect the phone system or CRM that records your calls. Callback Desk reads new calls
          every minute, adds each missed call to the queue once, and closes a lead when the caller
          got through later. Credentials stay in this browser.
        </p>
      </header>
      <div className="options-section-body sources-list">
        {SOURCES.map((source) => (
          <SourceCard
            key={source.id}
            source={source}
            connection={connections?.[source.id]}
            cursor={byId.get(source.id)}
            loading={connections === null}
          />
        ))}
      </div>
    </section>
  );
}

function SourceCard({
  source,
  connection,
  cursor,
  loading,
}: {
  source: AnyCallSource;
  connection: SourceConnection | undefined;
  cursor: CursorRecord | undefined;
  loading: boolean;
}) {
  const headingId = useId();
  const state = !connection
    ? 'Not connected'
    : !connection.enabled
      ? 'Paused'
      : cursor?.lastError
        ? 'Needs attention'
        : 'Connected';
  return (
    <fieldset
      className="options-group source-card"
      aria-labelledby={headingId}
      data-source={source.id}
    >
      <div className="source-card-head">
        <h3 id={headingId}>{source.label}</h3>
        <span className={`source-state source-state-${state.toLowerCase().replace(/\s+/g, '-')}`}>
          {loading ? '' : state}
        </span>
      </div>
      <p className="options-hint">{source.rule}</p>
      {loading ? null : connection ? (
        <ConnectedSource source={source} connection={connection} cursor={cursor} />
      ) : (
        <ConnectForm source={source} />
      )}
    </fieldset>
  );
}

function ConnectForm({ source }: { source: AnyCallSource }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      source.fields.filter((f) => f.options).map((f) => [f.key, f.options![0]!.value]),
    ),
  );
  const [baseUrl, setBaseUrl] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const idPrefix = useId();
  const defaultBase = safeDefaultBase(source, values);
  const redirectUrl = source.auth === 'oauth-pkce' ? safeRedirectUrl() : undefined;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setStatus({
      kind: 'info',
      text: source.auth === 'oauth-pkce' ? 'Signing in…' : 'Checking the credentials…',
    });
    try {
      // Straight from the submit event: the host permission prompt needs the user's gesture.
      const account = await connectSource(db, source.id, values, baseUrl);
      setStatus({ kind: 'ok', text: account });
      // Read at once instead of waiting for the next minute.
      void sendMessage('pollNow', { sourceId: source.id }).catch(() => undefined);
    } catch (error) {
      if (error instanceof ConnectError) setFieldErrors(error.fieldErrors);
      setStatus({ kind: 'error', text: failureText(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="source-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="options-grid">
        {source.fields.map((field) => {
          const id = `${idPrefix}-${field.key}`;
          const error = fieldErrors[field.key];
          return (
            <div className="field" key={field.key}>
              <label htmlFor={id}>
                {field.label}
                {field.optional ? <span className="label-note"> (optional)</span> : null}
              </label>
              {field.options ? (
                <select
                  id={id}
                  value={values[field.key] ?? ''}
                  onChange={(e) => setValues({ ...values, [field.key]: e.target.value })}
                >
                  {field.options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  type={field.kind === 'secret' ? 'password' : 'text'}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={field.placeholder}
                  value={values[field.key] ?? ''}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                  onChange={(e) => setValues({ ...values, [field.key]: e.target.value })}
                />
              )}
              {field.help ? <span className="options-hint">{field.help}</span> : null}
              {error ? (
                <span className="field-error" id={`${id}-error`}>
                  {error}
                </span>
              ) : null}
            </div>
          );
        })}
      </div>
      {redirectUrl ? (
        <p className="options-hint">
          Redirect URL to add to your app: <code className="source-code">{redirectUrl}</code>
        </p>
      ) : null}
      <details className="source-advanced">
        <summary>Advanced: API base URL</summary>
        <div className="field">
          <label htmlFor={`${idPrefix}-base`}>API base URL</label>
          <input
            id={`${idPrefix}-base`}
            type="url"
            placeholder={defaultBase}
            value={baseUrl}
            aria-invalid={fieldErrors.baseUrl ? true : undefined}
            onChange={(e) => setBaseUrl(e.target.value)}
          />
          <span className="options-hint">
            Leave empty for {defaultBase}. Use it for a regional or self-hosted endpoint.
          </span>
        </div>
      </details>
      <div className="input-row options-actions">
        <button type="submit" className="primary" disabled={busy}>
          {source.auth === 'oauth-pkce' ? `Sign in to ${source.label}` : `Connect ${source.label}`}
        </button>
        <StatusLine status={status} />
      </div>
    </form>
  );
}

function safeDefaultBase(source: AnyCallSource, values: Record<string, string>): string {
  const config = source.configSchema.safeParse(values);
  try {
    // Half-typed config (no client id yet) still has a default host.
    return source.defaultBaseUrl(config.success ? config.data : {});
  } catch {
    return '';
  }
}

function safeRedirectUrl(): string | undefined {
  try {
    return browser.identity?.getRedirectURL();
  } catch {
    return undefined;
  }
}

function ConnectedSource({
  source,
  connection,
  cursor,
}: {
  source: AnyCallSource;
  connection: SourceConnection;
  cursor: CursorRecord | undefined;
}) {
  const now = useNow(1000);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [alarmAt, setAlarmAt] = useState<number | undefined>();
  const id = source.id as SourceId;

  useEffect(() => {
    let active = true;
    const read = () =>
      void browser.alarms.get(POLL_ALARM).then((alarm) => {
        if (active) setAlarmAt(alarm?.scheduledTime);
      });
    read();
    const timer = setInterval(read, 10_000);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, []);

  const run = async (label: string, action: () => Promise<Status>) => {
    setBusy(true);
    setStatus({ kind: 'info', text: label });
    try {
      setStatus(await action());
    } catch (error) {
      setStatus({ kind: 'error', text: failureText(error) });
    } finally {
      setBusy(false);
    }
  };

  const nextPoll = connection.enabled
    ? Math.max(alarmAt ?? 0, cursor?.nextPollAfter ?? 0) || undefined
    : undefined;
  const result = cursor?.lastResult;

  return (
    <div className="source-connected">
      <dl className="source-status">
        <dt>Account</dt>
        <dd data-testid="account">{connection.account ?? 'Connected'}</dd>
        {connection.baseUrl ? (
          <>
            <dt>API base URL</dt>
            <dd>{connection.baseUrl}</dd>
          </>
        ) : null}
        <dt>Last poll</dt>
        <dd data-testid="last-poll">{when(cursor?.lastPollAt, now)}</dd>
        <dt>Last success</dt>
        <dd data-testid="last-success">
          {when(cursor?.lastSuccessAt, now)}
          {result ? ` — ${result.fetched} read, ${result.added} new` : ''}
        </dd>
        <dt>Last error</dt>
        <dd
          data-testid="last-error"
          className={cursor?.lastError ? 'options-status-error' : undefined}
        >
          {cursor?.lastError ?? 'None'}
        </dd>
        <dt>Next poll</dt>
        <dd data-testid="next-poll">{connection.enabled ? when(nextPoll, now) : 'Paused'}</dd>
      </dl>
      <div className="input-row options-actions">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run('Testing…', async () => ({ kind: 'ok', text: await testSource(db, id) }))
          }
        >
          Test connection
        </button>
        <button
          type="button"
          disabled={busy || !connection.enabled}
          onClick={() =>
            void run('Polling…', async () =>
              outcomeText((await sendMessage('pollNow', { sourceId: id }))[0]),
            )
          }
        >
          Poll now
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(connection.enabled ? 'Pausing…' : 'Resuming…', async () => {
              await setSourceEnabled(id, !connection.enabled);
              return {
                kind: 'info',
                text: connection.enabled ? 'Paused: no more polling until you resume.' : 'Resumed.',
              };
            })
          }
        >
          {connection.enabled ? 'Pause' : 'Resume'}
        </button>
        {confirming ? (
          <>
            <span>Forget the credentials and where polling got to?</span>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() =>
                void run('Disconnecting…', async () => {
                  await disconnectSource(db, id);
                  return null;
                })
              }
            >
              Yes, disconnect
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
            Disconnect
          </button>
        )}
        <StatusLine status={status} />
      </div>
    </div>
  );
}
