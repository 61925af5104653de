import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { browser } from '#imports';
import { crmConnectionsItem, type CrmConnectionInfo } from '@/utils/crm/connections';
import { CRM_LABELS } from '@/utils/crm/model';
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
} from '@/utils/capture/sources/connections';
import { POLL_ALARM, type PollOutcome } from '@/utils/capture/sources/poller';
import { catchingUp, skippedRecords } from '@/utils/capture/health';
import { CRM_CALL_LOGS, SOURCES, type AnyCallSource } from '@/utils/capture/sources/registry';
import type { CrmCallLog, SourceId } from '@/utils/capture/sources/types';
import { useNow } from '../hooks';
import { useStorageItem } from '../useStorageItem';
import { StatusLine, useAction, type Status } from './StatusLine';
import '../sources.css';

/** API failures say which host and what to do; anything else as the shared helper words it. */
function failureText(error: unknown): string {
  return error instanceof ApiError ? describeError(error) : errorMessage(error);
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
  // errorMessage: a schema failure's issue list becomes sentences, never zod's wording.
  return { kind: 'error', text: o.error ? errorMessage(o.error) : 'Polling failed.' };
}

/**
 * Phone providers' APIs and CRM call logs, polled every minute by the background. Credentials
 * are written to the extension's own database and never shown again; the status comes from
 * the poller's cursor rows (live).
 */
export function ProviderConnectionsSection() {
  const connections = useStorageItem(sourceConnectionsItem);
  const crm = useStorageItem(crmConnectionsItem);
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
          got through later. Credentials stay in this browser; a CRM’s call log uses its CRM
          connection.
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
        {CRM_CALL_LOGS.map((log) => (
          <CrmCallLogCard
            key={log.id}
            log={log}
            connection={connections?.[log.id]}
            crm={crm?.[log.crm]}
            cursor={byId.get(log.id)}
            loading={connections === null || crm === null}
          />
        ))}
      </div>
    </section>
  );
}

/** One polled log's card: its name, the state a glance should catch, its rule, then its body. */
function PolledCard({
  id,
  label,
  rule,
  state,
  children,
}: {
  id: SourceId;
  label: string;
  rule: string;
  /** Empty while loading (nothing else shows then either). */
  state: string;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <fieldset className="options-group source-card" aria-labelledby={headingId} data-source={id}>
      <div className="source-card-head">
        <h3 id={headingId}>{label}</h3>
        <span className={`source-state source-state-${state.toLowerCase().replace(/\s+/g, '-')}`}>
          {state}
        </span>
      </div>
      <p className="options-hint">{rule}</p>
      {state ? children : null}
    </fieldset>
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
  const state = !connection
    ? 'Not connected'
    : !connection.enabled
      ? 'Paused'
      : cursor?.lastError
        ? 'Needs attention'
        : 'Connected';
  return (
    <PolledCard id={source.id} label={source.label} rule={source.rule} state={loading ? '' : state}>
      {connection ? (
        <ConnectedSource source={source} connection={connection} cursor={cursor} />
      ) : (
        <ConnectForm source={source} />
      )}
    </PolledCard>
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

/** When the poll alarm fires next (re-read now and then: the background may re-create it). */
function usePollAlarm(): number | undefined {
  const [alarmAt, setAlarmAt] = useState<number | undefined>();
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
  return alarmAt;
}

/** Where polling stands, from the poller's cursor row (live), and when it runs next. */
function PollStatus({
  cursor,
  enabled,
  offText,
  children,
}: {
  cursor: CursorRecord | undefined;
  enabled: boolean;
  /** "Next poll" while polling is off. */
  offText: string;
  /** Rows above the poll times (the account). */
  children?: ReactNode;
}) {
  const now = useNow(1000);
  const alarmAt = usePollAlarm();
  const nextPoll = enabled
    ? Math.max(alarmAt ?? 0, cursor?.nextPollAfter ?? 0) || undefined
    : undefined;
  const result = cursor?.lastResult;
  // Records the last day's polls could not read (the rest were read).
  const skipped = skippedRecords(cursor);
  // A read one poll could not finish, carried on by the next ones.
  const catchUp = catchingUp(cursor);
  return (
    <dl className="source-status">
      {children}
      <dt>Last poll</dt>
      <dd data-testid="last-poll">{when(cursor?.lastPollAt, now)}</dd>
      <dt>Last success</dt>
      <dd data-testid="last-success">
        {when(cursor?.lastSuccessAt, now)}
        {result ? ` — ${result.fetched} read, ${result.added} new` : ''}
      </dd>
      {catchUp ? (
        <>
          <dt>Catching up</dt>
          <dd data-testid="catching-up">{catchUp}</dd>
        </>
      ) : null}
      <dt>Last error</dt>
      <dd
        data-testid="last-error"
        className={cursor?.lastError ? 'options-status-error' : undefined}
      >
        {cursor?.lastError ? errorMessage(cursor.lastError) : 'None'}
      </dd>
      {skipped.length > 0 ? (
        <>
          <dt>Skipped records</dt>
          <dd data-testid="skipped-records">
            <ul>
              {skipped.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </dd>
        </>
      ) : null}
      <dt>Next poll</dt>
      <dd data-testid="next-poll">{enabled ? when(nextPoll, now) : offText}</dd>
    </dl>
  );
}

/** Polls one source now and says what it found. */
async function pollNowStatus(id: SourceId): Promise<Status> {
  return outcomeText((await sendMessage('pollNow', { sourceId: id }))[0]);
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
  const { status, busy, run } = useAction(failureText);
  const [confirming, setConfirming] = useState(false);
  const id = source.id;
  const info = (text: string): Status => ({ kind: 'info', text });

  return (
    <div className="source-connected">
      <PollStatus cursor={cursor} enabled={connection.enabled} offText="Paused">
        <dt>Account</dt>
        <dd data-testid="account">{connection.account ?? 'Connected'}</dd>
        {connection.baseUrl ? (
          <>
            <dt>API base URL</dt>
            <dd>{connection.baseUrl}</dd>
          </>
        ) : null}
      </PollStatus>
      <div className="input-row options-actions">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(info('Testing…'), async () => ({
              kind: 'ok',
              text: await testSource(db, id),
            }))
          }
        >
          Test connection
        </button>
        <button
          type="button"
          disabled={busy || !connection.enabled}
          onClick={() => void run(info('Polling…'), () => pollNowStatus(id))}
        >
          Poll now
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(info(connection.enabled ? 'Pausing…' : 'Resuming…'), async () => {
              await setSourceEnabled(id, !connection.enabled);
              return info(
                connection.enabled ? 'Paused: no more polling until you resume.' : 'Resumed.',
              );
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
                void run(info('Disconnecting…'), async () => {
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

/**
 * A CRM's call log: nothing to connect — the CRM connection authenticates it — so a switch,
 * available once that CRM is connected, and the poll status.
 */
function CrmCallLogCard({
  log,
  connection,
  crm,
  cursor,
  loading,
}: {
  log: CrmCallLog;
  connection: SourceConnection | undefined;
  crm: CrmConnectionInfo | undefined;
  cursor: CursorRecord | undefined;
  loading: boolean;
}) {
  const hintId = useId();
  const { status, busy, run } = useAction(failureText);
  const crmLabel = CRM_LABELS[log.crm];
  const on = Boolean(crm && connection?.enabled);
  const state = !crm ? 'Not connected' : !on ? 'Off' : cursor?.lastError ? 'Needs attention' : 'On';
  // The switch follows the click at once; once the change is saved, the stored value rules.
  const [requested, setRequested] = useState<boolean | null>(null);
  const checked = busy && requested !== null ? requested : on;

  const toggle = (enabled: boolean) =>
    run({ kind: 'info', text: enabled ? 'Switching on…' : 'Switching off…' }, async () => {
      await setSourceEnabled(log.id, enabled);
      // Read at once instead of waiting for the next minute.
      return enabled ? pollNowStatus(log.id) : { kind: 'info', text: 'Off: no more polling.' };
    });

  return (
    <PolledCard id={log.id} label={log.label} rule={log.rule} state={loading ? '' : state}>
      <div className="source-connected">
        <label className="checkbox">
          <input
            type="checkbox"
            role="switch"
            checked={checked}
            disabled={!crm || busy}
            aria-describedby={crm ? undefined : hintId}
            onChange={(e) => {
              setRequested(e.target.checked);
              void toggle(e.target.checked);
            }}
          />
          Add missed calls from the {crmLabel} call log
        </label>
        {crm ? null : (
          <p className="options-hint" id={hintId}>
            Connect {crmLabel} under <a href="#crm">CRM connections</a> first.
          </p>
        )}
        {crm && connection ? <PollStatus cursor={cursor} enabled={on} offText="Off" /> : null}
        <div className="input-row options-actions">
          {on ? (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run({ kind: 'info', text: 'Polling…' }, () => pollNowStatus(log.id))
              }
            >
              Poll now
            </button>
          ) : null}
          <StatusLine status={status} />
        </div>
      </div>
    </PolledCard>
  );
}
