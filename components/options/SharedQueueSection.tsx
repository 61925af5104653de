import { useEffect, useState } from 'react';
import { errorMessage } from '@/utils/errorMessage';
import { sendMessage } from '@/utils/messaging';
import { crmConnectionsItem, type CrmConnections } from '@/utils/crm/connections';
import { CRM_LABELS, CRM_SYSTEMS, type CrmSystem } from '@/utils/crm/model';
import {
  DEFAULT_SHARED_QUEUE,
  readSharedQueueConfig,
  sharedQueueItem,
  sharedQueueStatusItem,
  type SharedQueueConfig,
  type SharedQueueStatus,
} from '@/utils/team/sharedSettings';
import { SettingsSection, type Status } from './settingsForm';

/**
 * Options → Share the queue through HubSpot / Clio: on or off, which CRM, what the last
 * pass did, and Refresh shared queue (read now instead of at the next minute).
 */
export function SharedQueueSection() {
  const [config, setConfig] = useState<SharedQueueConfig | null>(null);
  const [connections, setConnections] = useState<CrmConnections>({});
  const [last, setLast] = useState<SharedQueueStatus | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void readSharedQueueConfig().then(setConfig);
    void crmConnectionsItem.getValue().then(setConnections);
    void sharedQueueStatusItem.getValue().then(setLast);
    const unwatch = [
      sharedQueueItem.watch(() => void readSharedQueueConfig().then(setConfig)),
      crmConnectionsItem.watch((value) => setConnections(value ?? {})),
      sharedQueueStatusItem.watch((value) => setLast(value ?? null)),
    ];
    return () => unwatch.forEach((u) => u());
  }, []);

  const connected = CRM_SYSTEMS.filter((s) => connections[s]);
  const current = config ?? DEFAULT_SHARED_QUEUE;

  const save = async (next: SharedQueueConfig) => {
    setStatus(null);
    if (next.enabled && !connections[next.system]) {
      setStatus({
        kind: 'error',
        text: `Connect ${CRM_LABELS[next.system]} under CRM connections first: the shared queue lives in its tasks.`,
      });
      return;
    }
    setConfig(next);
    await sharedQueueItem.setValue(next);
    setStatus(
      next.enabled
        ? {
            kind: 'ok',
            text: `Sharing through ${CRM_LABELS[next.system]}: new leads become tasks there, and colleagues' leads appear here within about a minute.`,
          }
        : { kind: 'info', text: 'Not shared: this browser keeps its own queue.' },
    );
  };

  const refresh = async () => {
    setBusy(true);
    setStatus(null);
    try {
      const answer = await sendMessage('sharedQueueRefresh');
      setStatus(
        answer === null
          ? { kind: 'info', text: 'Sharing is off.' }
          : answer.error
            ? { kind: 'error', text: answer.error }
            : { kind: 'ok', text: answer.message },
      );
    } catch (error) {
      setStatus({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  const choose = (system: CrmSystem) => void save({ ...current, system });
  const systemChoices: CrmSystem[] = connected.length ? connected : [current.system];

  return (
    <SettingsSection
      id="shared-queue"
      title="Share the queue through HubSpot / Clio"
      description="Everyone at intake sees one queue: each lead becomes one task on the caller's contact in the firm's CRM (HubSpot task with owner, Clio task with assignee), with the attempts so far in its description. Every browser reads the tasks that changed about once a minute: a colleague's lead appears here, a lead claimed elsewhere shows who has it, a lead closed elsewhere closes here. Each person connects the same HubSpot account (or signs in to the firm's Clio) and chooses who they are under Team."
    >
      <div className="input-row">
        <label>
          <input
            type="checkbox"
            checked={current.enabled}
            disabled={config === null}
            onChange={(e) =>
              void save({
                ...current,
                enabled: e.target.checked,
                enabledAt: e.target.checked ? Date.now() : current.enabledAt,
                system: connected.includes(current.system)
                  ? current.system
                  : (connected[0] ?? current.system),
              })
            }
          />{' '}
          Share the queue through {systemChoices.map((s) => CRM_LABELS[s]).join(' / ')}
        </label>
        {connected.length > 1 && (
          <label>
            CRM{' '}
            <select
              value={current.system}
              onChange={(e) => choose(e.target.value as CrmSystem)}
              aria-label="CRM that holds the shared queue"
            >
              {connected.map((s) => (
                <option key={s} value={s}>
                  {CRM_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="input-row options-actions">
        <button type="button" disabled={busy || !current.enabled} onClick={() => void refresh()}>
          {busy ? 'Refreshing…' : 'Refresh shared queue'}
        </button>
        <span className="options-muted" aria-live="polite">
          {last && current.enabled
            ? `Last pass ${new Date(last.at).toLocaleTimeString()}: ${last.message}${
                last.pending
                  ? ` ${last.pending} change${last.pending === 1 ? '' : 's'} still to send.`
                  : ''
              }${last.waitingUntil ? ` Next read after ${new Date(last.waitingUntil).toLocaleTimeString()}.` : ''}`
            : ''}
        </span>
      </div>
      {last?.error && current.enabled && <p className="notice notice-error">{last.error}</p>}
      <p className="options-hint">
        Limits: every browser of the firm shares the CRM&apos;s budget. HubSpot allows a private app
        100 requests per 10 seconds per account; each browser reads once a minute (one search, more
        pages only when more than 100 tasks changed), so 30 staff use about 5 of those 100 every 10
        seconds, plus about 8 requests per lead for its task (create, claim, attempts, close). Clio
        allows 50 requests a minute per signed-in user. When the CRM says to slow down, reads wait
        as long as it asks, plus a random few seconds so the browsers do not all come back at once.
      </p>
      {status && (
        <p role="status" className={`notice notice-${status.kind}`}>
          {status.text}
        </p>
      )}
    </SettingsSection>
  );
}
