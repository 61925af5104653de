import { browser } from '#imports';
import { db } from '../db';
import type { Lead } from '../model';
import { getSettings, type FirmSettings } from '../settings';
import { refreshBadge } from '../queue/alerts';
import { connectorFor } from '../crm/service';
import { drainOutboxNow, kickOutbox } from '../crm/background';
import { crmStaffMapItem } from '../crm/connections';
import { CRM_LABELS, type CrmSystem, type SyncJob } from '../crm/model';
import { NEVER } from '../outbox/outbox';
import { describeError } from '../http';
import { claimLead, ClaimConflictError } from './claim';
import { currentStaffOf, staffForCrmUser } from './identity';
import { onMessage } from '../messaging';
import { claimShared, confirmClaim, type ClaimDeps } from './sharedClaim';
import {
  claimInFlight,
  claimStamp,
  pendingSharedJobs,
  readCursor,
  syncSharedQueue,
  type SharedPassReport,
  type SharedQueueDeps,
} from './sharedQueue';
import {
  readSharedQueueConfig,
  sharedQueueItem,
  sharedQueueStatusItem,
  type SharedQueueStatus,
} from './sharedSettings';

/**
 * Background wiring of the shared queue: a pass about once a minute (alarm), one shortly
 * after a lead is created here, one on demand (Refresh shared queue), and claims that go
 * through the CRM task when sharing is on.
 */

export const SHARED_QUEUE_ALARM = 'shared-queue';
/** A new lead here is published this soon (the alarm covers a worker that stops first). */
const PUBLISH_SOON_MS = 1_500;

interface Setup {
  config: Awaited<ReturnType<typeof readSharedQueueConfig>>;
  deps: SharedQueueDeps;
}

async function prepare(): Promise<Setup | { problem: string; system?: CrmSystem } | null> {
  const config = await readSharedQueueConfig();
  if (!config.enabled) return null;
  const connector = await connectorFor(config.system);
  if (!connector)
    return {
      problem: `Connect ${CRM_LABELS[config.system]} under CRM connections: the shared queue reads and writes its tasks.`,
      system: config.system,
    };
  const settings = await getSettings();
  const mapping = (await crmStaffMapItem.getValue())[config.system] ?? {};
  return {
    config,
    deps: {
      db,
      settings,
      system: config.system,
      connector,
      enabledAt: config.enabledAt,
      staffOfOwner: (ownerId) => staffForCrmUser(settings.staff, config.system, ownerId, mapping),
    },
  };
}

function summary(report: SharedPassReport): string {
  const parts = [
    report.skipped === 'backoff'
      ? 'Waiting before reading again (the CRM asked us to slow down).'
      : `Read ${report.read} changed task${report.read === 1 ? '' : 's'}.`,
  ];
  if (report.added.length)
    parts.push(
      `${report.added.length} lead${report.added.length === 1 ? '' : 's'} from colleagues.`,
    );
  if (report.claimed) parts.push(`${report.claimed} claimed elsewhere.`);
  if (report.closed) parts.push(`${report.closed} closed elsewhere.`);
  if (report.duplicates)
    parts.push(
      `${report.duplicates} duplicate task${report.duplicates === 1 ? '' : 's'} completed.`,
    );
  if (report.deleted)
    parts.push(
      `${report.deleted} task${report.deleted === 1 ? ' was' : 's were'} deleted in the CRM (the lead stays here).`,
    );
  if (report.published)
    parts.push(`Shared ${report.published} new lead${report.published === 1 ? '' : 's'}.`);
  return parts.join(' ');
}

let running: Promise<unknown> = Promise.resolve();

/** Passes and claims take turns within the worker (one lead's claim is confirmed once). */
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const next = running.catch(() => undefined).then(fn);
  running = next;
  return next;
}

/** One pass (serialised within the worker): publish, send, read and merge. */
export function runSharedPass(): Promise<SharedQueueStatus | null> {
  return serial(passOnce);
}

function claimDeps(deps: SharedQueueDeps): ClaimDeps {
  return {
    ...deps,
    drain: drainUntilSent,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

/**
 * Claims made here by other means (Claim on the lead, Next callback, the keyboard command)
 * that the task does not show yet: carried to it and confirmed; one that lost to a
 * colleague's earlier claim gives way, and the user is told.
 */
async function confirmLocalClaims(deps: SharedQueueDeps): Promise<void> {
  const me = currentStaffOf(deps.settings);
  if (!me) return;
  const claimed = await db.leads.where('status').equals('claimed').toArray();
  for (const lead of claimed) {
    if (lead.claimedBy !== me) continue;
    const row = await db.sharedTasks.get(`${deps.system}:${lead.id}`);
    if (!row?.taskId || row.deletedAt || row.done) continue;
    if (row.publishedClaim === claimStamp(lead) || (await claimInFlight(db, lead.id))) continue;
    const result = await confirmClaim(claimDeps(deps), lead, me);
    if (result.outcome === 'lost') await tellLost(lead.id, result.by);
  }
}

async function passOnce(): Promise<SharedQueueStatus | null> {
  const setup = await prepare();
  if (setup === null) return null;
  if ('problem' in setup) {
    const status: SharedQueueStatus = {
      at: Date.now(),
      system: setup.system ?? 'hubspot',
      message: 'Not shared right now.',
      error: setup.problem,
      pending: await pendingSharedJobs(db),
    };
    await sharedQueueStatusItem.setValue(status);
    return status;
  }
  const { deps, config } = setup;
  let report: SharedPassReport;
  try {
    await confirmLocalClaims(deps);
    report = await syncSharedQueue(deps);
  } catch (error) {
    const status: SharedQueueStatus = {
      at: Date.now(),
      system: config.system,
      message: 'The last pass stopped.',
      error: describeError(error),
      pending: await pendingSharedJobs(db),
    };
    await sharedQueueStatusItem.setValue(status);
    return status;
  }
  // What the pass queued (new tasks, duplicates to complete, attempts) goes out now.
  await drainOutboxNow().catch(() => kickOutbox());
  if (report.added.length || report.claimed || report.closed) await refreshBadge();
  for (const lost of report.lost) await tellLost(lost.leadId, lost.by);
  const cursor = await readCursor(db, config.system);
  const status: SharedQueueStatus = {
    at: Date.now(),
    system: config.system,
    message: summary(report),
    ...(report.error ? { error: report.error } : {}),
    ...(cursor.nextReadAfter && cursor.nextReadAfter > Date.now()
      ? { waitingUntil: cursor.nextReadAfter }
      : {}),
    pending: await pendingSharedJobs(db),
  };
  await sharedQueueStatusItem.setValue(status);
  return status;
}

/** The user had claimed it; a colleague's earlier claim stands. */
async function tellLost(leadId: string, by: string): Promise<void> {
  const lead = await db.leads.get(leadId);
  const who = lead?.name ?? lead?.phone ?? 'a caller';
  await browser.notifications
    .create(`shared-lost:${leadId}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title: `${by} claimed this a moment ago`,
      message: `${who} is with ${by} now; it left your callbacks.`,
      priority: 1,
    })
    .catch(() => undefined);
}

// ---------------------------------------------------------------------------------------
// Claims

/** Wait (a while) for one outbox job to leave the queue; drains until it does. */
async function drainUntilSent(jobId?: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await drainOutboxNow().catch(() => undefined);
    if (!jobId) return;
    const job = (await db.outbox.get(jobId)) as unknown as SyncJob | undefined;
    if (!job || job.state === 'synced' || job.state === 'failed') return;
    // Held back for longer (rate limit, backoff): the claim stays local until it goes.
    if (job.state === 'queued' && job.nextTryAt !== NEVER && job.nextTryAt > deadline) return;
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Claim a lead for `staffId`: through its shared task when the queue is shared (the loser of
 * a race is told "Sam claimed this a moment ago"), locally otherwise.
 */
export async function claimForTeam(
  leadId: string,
  staffId: string,
  settings: FirmSettings,
): Promise<Lead> {
  const nameOf = (id: string) => settings.staff.find((m) => m.id === id)?.name ?? id;
  const setup = await prepare();
  if (!setup || 'problem' in setup) return claimLead(db, leadId, staffId, { nameOf });
  const result = await serial(() => claimShared(claimDeps(setup.deps), leadId, staffId));
  if (result.outcome === 'lost') throw new ClaimConflictError(result.lead, result.by);
  return result.lead;
}

// ---------------------------------------------------------------------------------------
// Schedule

let soon: ReturnType<typeof setTimeout> | undefined;

/** A lead was created here: share it shortly (several captures in a row: one pass). */
export function publishSoon(): void {
  if (soon) return;
  soon = setTimeout(() => {
    soon = undefined;
    void runSharedPass().catch((error: unknown) =>
      console.error('Shared queue pass failed', error),
    );
  }, PUBLISH_SOON_MS);
}

async function ensureAlarm(): Promise<void> {
  const config = await readSharedQueueConfig();
  const existing = await browser.alarms.get(SHARED_QUEUE_ALARM);
  if (!config.enabled) {
    if (existing) await browser.alarms.clear(SHARED_QUEUE_ALARM);
    return;
  }
  // Re-created only when missing: a worker woken often would otherwise push it back.
  if (!existing) await browser.alarms.create(SHARED_QUEUE_ALARM, { periodInMinutes: 1 });
}

/** Registered synchronously at start-up. */
export function setupSharedQueue(): void {
  // Refresh shared queue (Settings, the lead's panel): our own pages only, never a content
  // script (it must not make this browser write to the firm's CRM).
  onMessage('sharedQueueRefresh', async ({ sender }) => {
    if (!sender.url?.startsWith(browser.runtime.getURL('/')))
      throw new Error('Rejected: only the extension’s own pages may refresh the shared queue.');
    const status = await runSharedPass();
    return status
      ? { message: status.message, ...(status.error ? { error: status.error } : {}) }
      : null;
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SHARED_QUEUE_ALARM)
      void runSharedPass().catch((error: unknown) =>
        console.error('Shared queue pass failed', error),
      );
  });
  sharedQueueItem.watch(() => {
    void ensureAlarm().then(() => runSharedPass());
  });
  // A lead created in this worker (capture, a colleague's task) is published soon.
  db.leads.hook('creating', () => {
    publishSoon();
  });
  // A claim made here (Claim, Next callback): carried to the task and confirmed soon.
  db.leads.hook('updating', (changes) => {
    if ('claimedBy' in (changes as object)) publishSoon();
  });
  void ensureAlarm().catch((error: unknown) =>
    console.error('Could not schedule the shared queue', error),
  );
}
