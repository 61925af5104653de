import { useEffect, useId, useMemo, useState } from 'react';
import { sendMessage } from '@/utils/messaging';
import type { Attempt, Lead } from '@/utils/model';
import type { FirmSettings } from '@/utils/settings';
import { errorMessage } from '@/utils/errorMessage';
import { crmConnectionsItem, type CrmConnectionInfo } from '@/utils/crm/connections';
import {
  accountKeyOf,
  CRM_LABELS,
  CRM_SYSTEMS,
  crmLinkOf,
  type CrmContact,
  type CrmLink,
  type CrmSystem,
  type SyncJob,
} from '@/utils/crm/model';
import { buildSyncDrafts } from '@/utils/crm/records';
import { lookupRetryDelay, summarizeSync, type LeadSyncStatus } from '@/utils/crm/syncStatus';
import type { MatchResult } from '@/utils/crm/service';
import { useFirmSettings } from './hooks';
import { useLiveData } from './useLiveData';
import { useStorageItem } from './useStorageItem';
import './crm.css';

/** Only links to the CRM's own https pages are rendered as links. */
const safeUrl = (url: string | undefined) => (url?.startsWith('https://') ? url : undefined);

const time = (ms: number) =>
  new Date(ms).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

/**
 * The lead's CRM side, inside the lead detail: which contact it belongs to (matched by
 * phone, chosen once when several match, or created), one click to sync its attempts,
 * and the sync state — queued, syncing, synced with a link, or failed with the reason and
 * a Retry button.
 */
export function LeadSyncPanel({ lead }: { lead: Lead }) {
  const connections = useStorageItem(crmConnectionsItem);
  const settings = useFirmSettings();
  // Through useLiveData: in the in-page dock the browser may deny this frame the database.
  const jobs = useLiveData('leadSyncJobs', { leadId: lead.id });
  const attempts = useLiveData('leadAttempts', { leadId: lead.id });
  if (!connections || !settings || !jobs || !attempts) return null;
  const systems = CRM_SYSTEMS.filter((s) => connections[s]);
  return (
    <section className="panel crm-sync" aria-label="CRM sync">
      <h3>CRM</h3>
      {systems.length === 0 ? (
        <p className="muted">
          Connect HubSpot or Clio in{' '}
          <a href="/options.html#crm" target="_blank" rel="noreferrer">
            Settings
          </a>{' '}
          to log outcomes there with one click.
        </p>
      ) : (
        systems.map((system) => (
          <SystemSync
            key={system}
            system={system}
            info={connections[system]!}
            lead={lead}
            jobs={jobs.filter((j) => j.system === system)}
            attempts={attempts}
            settings={settings}
          />
        ))
      )}
    </section>
  );
}

/**
 * What the lookup found; `linked` shows until the lead itself carries the link. A failed
 * lookup is tried again on its own at `retryAt` (backing off), or at once with "Try again".
 */
type MatchState = { kind: 'error'; message: string; retryAt: number } | MatchResult;

function SystemSync({
  system,
  info,
  lead,
  jobs,
  attempts,
  settings,
}: {
  system: CrmSystem;
  info: CrmConnectionInfo;
  lead: Lead;
  jobs: SyncJob[];
  attempts: Attempt[];
  settings: FirmSettings;
}) {
  const label = CRM_LABELS[system];
  // Only a link made in the connected account counts (another portal has other contacts).
  const linked = crmLinkOf(lead, system, accountKeyOf(info.account));
  const lookupKey = `${lead.id}:${system}`;
  const [lookup, setLookup] = useState<{ key: string; result: MatchState } | null>(null);
  const match = lookup?.key === lookupKey ? lookup.result : null;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A contact being created (a synced one is the link; one of another account is history).
  const contactJob = jobs.find(
    (j) => j.kind === 'contact' && j.state !== 'failed' && j.state !== 'synced',
  );
  const needsMatch = !linked && !contactJob && Boolean(lead.phone);
  const [lookupFailures, setLookupFailures] = useState(0);

  // Look the caller up once per lead; a single match is linked by the background.
  useEffect(() => {
    if (!needsMatch || match) return;
    let current = true;
    sendMessage('crmMatchLead', { leadId: lead.id, system })
      .then((result) => {
        if (!current) return;
        setLookupFailures(0);
        setLookup({ key: lookupKey, result });
      })
      .catch((err: unknown) => {
        if (!current) return;
        const failures = lookupFailures + 1;
        setLookupFailures(failures);
        setLookup({
          key: lookupKey,
          result: {
            kind: 'error',
            message: errorMessage(err),
            retryAt: Date.now() + lookupRetryDelay(failures),
          },
        });
      });
    return () => {
      current = false;
    };
  }, [needsMatch, match, lead.id, system, lookupKey, lookupFailures]);

  // A failed lookup is tried again on its own, backing off, like every outbox job.
  useEffect(() => {
    if (match?.kind !== 'error') return;
    const timer = setTimeout(() => setLookup(null), Math.max(0, match.retryAt - Date.now()));
    return () => clearTimeout(timer);
  }, [match]);

  const expectedKeys = useMemo(
    () => buildSyncDrafts({ system, lead, attempts, settings }).map((d) => d.idempotencyKey),
    [system, lead, attempts, settings],
  );
  const status = summarizeSync(jobs, expectedKeys, label);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const sync = (createContact = false) =>
    run(() =>
      sendMessage('enqueueSync', {
        leadId: lead.id,
        system,
        ...(createContact ? { createContact } : {}),
      }),
    );

  return (
    <div className="crm-sync-system" aria-label={`${label} sync`} role="group">
      {info.problem && (
        <p className="notice notice-error" role="alert">
          {info.problem}{' '}
          <a href="/options.html#crm" target="_blank" rel="noreferrer">
            Open settings
          </a>
        </p>
      )}
      <ContactLine
        label={label}
        linked={linked}
        contactJob={contactJob}
        match={needsMatch ? match : null}
        hasNumber={Boolean(lead.phone)}
        busy={busy}
        onRetryLookup={() => setLookup(null)}
        onChoose={(contact) =>
          run(async () => {
            await sendMessage('crmChooseContact', {
              leadId: lead.id,
              system,
              contact: {
                id: contact.id,
                name: contact.name,
                ...(safeUrl(contact.url) ? { url: contact.url } : {}),
              },
            });
          })
        }
        onCreate={() => sync(true)}
        canSync={expectedKeys.length > 0}
      />
      {(linked || contactJob) && (
        <div className="crm-sync-actions">
          <SyncState status={status} label={label} />
          {status.state === 'failed' ? (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => run(() => sendMessage('retrySync', { leadId: lead.id, system }))}
            >
              Retry
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              disabled={
                busy ||
                status.state === 'none' ||
                status.state === 'synced' ||
                status.state === 'syncing'
              }
              onClick={() => sync()}
            >
              Sync to {label}
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function ContactLine(props: {
  label: string;
  linked: CrmLink | undefined;
  contactJob: SyncJob | undefined;
  /** Null while looking the caller up. */
  match: MatchState | null;
  hasNumber: boolean;
  busy: boolean;
  canSync: boolean;
  onRetryLookup: () => void;
  onChoose: (contact: CrmContact) => void;
  onCreate: () => void;
}) {
  const { label, linked, contactJob, match, busy } = props;
  const [chosen, setChosen] = useState<string>('');
  const name = useId();
  if (linked) {
    const url = safeUrl(linked.url);
    return (
      <p className="crm-contact">
        {label} contact:{' '}
        {url ? (
          <a href={url} target="_blank" rel="noreferrer noopener">
            {linked.name ?? `#${linked.contactId}`}
          </a>
        ) : (
          (linked.name ?? `#${linked.contactId}`)
        )}
      </p>
    );
  }
  if (contactJob) return <p className="crm-contact">Creating the {label} contact…</p>;
  if (!props.hasNumber) return <p className="crm-contact muted">No number to match in {label}.</p>;
  if (!match) return <p className="crm-contact muted">Looking the caller up in {label}…</p>;
  switch (match.kind) {
    case 'linked':
      return <p className="crm-contact muted">Linking the {label} contact…</p>;
    case 'error':
      return (
        <div className="crm-contact">
          <p className="field-error" role="alert">
            Could not look the caller up in {label}: {match.message} Trying again on its own at{' '}
            {time(match.retryAt)}.
          </p>
          <button type="button" onClick={props.onRetryLookup}>
            Try again now
          </button>
        </div>
      );
    case 'choose':
      return (
        <fieldset className="crm-choose">
          <legend>
            {match.candidates.length} {label} contacts have this number. Which one is the caller?
          </legend>
          {match.candidates.map((c) => (
            <label key={c.id} className="checkbox">
              <input
                type="radio"
                name={name}
                value={c.id}
                checked={chosen === c.id}
                onChange={() => setChosen(c.id)}
              />
              <span>
                {c.name}
                <span className="muted"> · {c.phones.join(', ')}</span>
              </span>
            </label>
          ))}
          <button
            type="button"
            className="primary"
            disabled={busy || !chosen}
            onClick={() => props.onChoose(match.candidates.find((c) => c.id === chosen)!)}
          >
            Use this contact
          </button>
        </fieldset>
      );
    case 'none':
      return (
        <div className="crm-contact">
          <p>No {label} contact has this number.</p>
          {match.canCreate && (
            <button type="button" className="primary" disabled={busy} onClick={props.onCreate}>
              {props.canSync ? `Create contact and sync to ${label}` : `Create ${label} contact`}
            </button>
          )}
        </div>
      );
  }
}

function SyncState({ status, label }: { status: LeadSyncStatus; label: string }) {
  let text: string;
  let tone = 'muted';
  let link: string | undefined;
  switch (status.state) {
    case 'none':
      text = 'Nothing to sync yet: record an attempt first.';
      break;
    case 'unsent':
      text = `${status.unsent} ${status.unsent === 1 ? 'record is' : 'records are'} not in ${label} yet.`;
      break;
    case 'waiting':
      text = status.message;
      tone = 'crm-state-warn';
      break;
    case 'queued':
      text = `Queued: ${status.done} of ${status.total} in ${label}. ${status.note ? `${status.note} ` : ''}Next try at ${time(status.nextTryAt)}.`;
      tone = status.note ? 'crm-state-warn' : 'muted';
      break;
    case 'syncing':
      text = `Syncing… ${status.done} of ${status.total} in ${label}.`;
      break;
    case 'failed':
      text = `Sync failed: ${status.reason}`;
      tone = 'crm-state-error';
      break;
    case 'synced':
      text = `Synced to ${label} at ${time(status.syncedAt)}${status.warning ? ` — ${status.warning}` : '.'}`;
      tone = 'crm-state-ok';
      link = safeUrl(status.url);
      break;
  }
  return (
    <p className={`crm-state ${tone}`} role="status" data-state={status.state}>
      {text}
      {link && (
        <>
          {' '}
          <a href={link} target="_blank" rel="noreferrer noopener">
            Open in {label}
          </a>
        </>
      )}
    </p>
  );
}
