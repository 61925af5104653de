import type { CallbackDeskDB, SharedTaskRecord as SharedRow, SyncJobRecord } from '../db';
import { isOpen, type Lead, type MissedCall } from '../model';
import type { FirmSettings } from '../settings';
import { RateLimitError, describeError } from '../http';
import type { Connector, SharedTaskRecord } from '../crm/connector';
import { CRM_LABELS, type CrmSystem, type SyncJob } from '../crm/model';
import { compareIds } from '../crm/hubspot';
import { enqueueDrafts } from '../outbox/outbox';
import { captureCalls, patchLead } from '../queue/leads';
import { SAMPLE_PROVIDER } from '../queue/sampleData';
import { releaseClaim } from './claim';
import {
  parseSharedTask,
  renderSharedTask,
  sharedKeyOf,
  SHARED_QUEUE_TOKEN,
  type SharedClaim,
  type SharedTaskFacts,
} from './sharedTasks';

/**
 * The firm's shared queue through CRM tasks. No server of our own: every browser
 *
 * 1. **publishes** its leads — each open lead becomes one task on the caller's contact (an
 *    outbox job of kind `shared`, which searches for an open task of the same caller before
 *    it creates one), and later changes (attempts so far, closed) are `sharedUpdate` jobs;
 * 2. **reads** the tasks changed since its cursor — one search for the `cbdqueue` token
 *    about once a minute (and on demand), more pages only when more than a page changed —
 *    and **merges** them: a colleague's lead appears here, a claim made elsewhere shows
 *    "claimed by Sam", a lead closed elsewhere closes here, and after a create race the
 *    lowest task id is kept and the others are completed as duplicates.
 *
 * The cursor is the CRM's own modification time (never this computer's clock), minus an
 * overlap that covers the search index's lag (HubSpot: seconds, sometimes minutes), so a
 * task modified while the index lagged is read on a later pass; tasks read twice are merged
 * once (a task not changed since the last merge is skipped).
 */

/** How far the cursor stays behind the newest change read (HubSpot's search index lag). */
export const CURSOR_OVERLAP_MS = 5 * 60_000;
/** Reads about once a minute (chrome.alarms' period). */
export const READ_PERIOD_MS = 60_000;
/** Every so often all open tasks are listed: a task deleted in the CRM is noticed. */
export const FULL_READ_PERIOD_MS = 15 * 60_000;
/** Leads older than this when sharing was turned on are not published (history). */
export const PUBLISH_HISTORY_MS = 24 * 60 * 60_000;
/** Longest wait after a read that failed for another reason than the CRM's rate limit. */
export const MAX_FAILURE_BACKOFF_MS = 5 * 60_000;
/** Most pages one read follows (100 tasks each). */
const MAX_PAGES = 10;
/** The provider name of leads captured from a colleague's task. */
export const SHARED_PROVIDER = 'shared-queue';

export interface SharedCursor {
  /** CRM time: read tasks modified after this. */
  changedSince?: number;
  lastReadAt?: number;
  lastFullReadAt?: number;
  /** A 429 (or another failure) asked us to wait: no read before then. */
  nextReadAfter?: number;
  lastError?: string;
  failures?: number;
  /** The account (HubSpot portal, Clio firm) the cursor reads: another one starts afresh. */
  account?: string;
}

export interface SharedQueueDeps {
  db: CallbackDeskDB;
  settings: FirmSettings;
  system: CrmSystem;
  connector: Connector;
  now?: () => number;
  random?: () => number;
  /** When the firm turned sharing on: older leads are not published. */
  enabledAt: number;
  /** HubSpot owner / Clio user id → our staff id (staff mapping, crmUserIds). */
  staffOfOwner?: (ownerId: string) => string | undefined;
}

/** What one pass did (for the status line, the notifications and the benchmark). */
export interface SharedPassReport {
  published: number;
  updated: number;
  read: number;
  pages: number;
  /** Leads that appeared here from a colleague's task. */
  added: string[];
  /** Leads claimed elsewhere that this browser's user had claimed: who has them now. */
  lost: { leadId: string; by: string }[];
  claimed: number;
  closed: number;
  duplicates: number;
  deleted: number;
  skipped?: 'backoff' | 'unsupported';
  error?: string;
  rateLimited?: boolean;
}

const cursorId = (system: CrmSystem) => `shared:${system}`;
const rowId = (system: CrmSystem, leadId: string) => `${system}:${leadId}`;

export async function readCursor(db: CallbackDeskDB, system: CrmSystem): Promise<SharedCursor> {
  return ((await db.cursors.get(cursorId(system)))?.cursor as SharedCursor | undefined) ?? {};
}

async function writeCursor(db: CallbackDeskDB, system: CrmSystem, cursor: SharedCursor) {
  await db.cursors.put({ sourceId: cursorId(system), cursor });
}

function staffName(settings: FirmSettings, staffId: string): string | undefined {
  return settings.staff.find((s) => s.id === staffId)?.name;
}

/** "Sam Lee" for a staff id; a claim's label when the claimer is not in our list. */
export function claimerName(settings: FirmSettings, claimedBy: string): string {
  return staffName(settings, claimedBy) ?? claimedBy;
}

/** The claim a lead has, as a task records it. */
function claimOfLead(settings: FirmSettings, lead: Lead): SharedClaim | undefined {
  if (!lead.claimedBy) return undefined;
  const known = settings.staff.some((s) => s.id === lead.claimedBy);
  return {
    label: claimerName(settings, lead.claimedBy),
    at: lead.claimedAt ?? lead.updatedAt,
    ...(known ? { staffId: lead.claimedBy } : {}),
  };
}

/** The claim read from a task, in our terms: a staff id when we know them, else their label. */
function claimedByOf(settings: FirmSettings, claim: SharedClaim): string {
  if (claim.staffId && settings.staff.some((s) => s.id === claim.staffId)) return claim.staffId;
  return settings.staff.find((s) => s.name === claim.label)?.id ?? claim.label;
}

async function firstCallOf(db: CallbackDeskDB, leadId: string): Promise<MissedCall | undefined> {
  const calls = await db.calls.where('leadId').equals(leadId).toArray();
  return calls.sort((a, b) => a.startedAt - b.startedAt)[0];
}

/** The lead key, from its first missed call (utils/team/sharedTasks.ts). */
export async function leadKeyOf(db: CallbackDeskDB, lead: Lead): Promise<string> {
  const call = await firstCallOf(db, lead.id);
  if (call?.provider === SHARED_PROVIDER && call.providerCallId) return call.providerCallId;
  return sharedKeyOf(
    lead,
    call
      ? {
          provider: call.provider,
          startedAt: call.startedAt,
          ...(call.providerCallId ? { providerCallId: call.providerCallId } : {}),
        }
      : undefined,
  );
}

/** Attempt lines of a task body (kept when another browser rewrites the body). */
function attemptLinesOf(body: string): string[] {
  return body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('- '));
}

/** The task text for a lead now: its attempts plus those only the task knows (a colleague's). */
async function renderFor(
  deps: SharedQueueDeps,
  lead: Lead,
  key: string,
  extra: { remoteLines?: string[]; duplicateOf?: string; claim?: SharedClaim } = {},
) {
  const attempts = (await deps.db.attempts.where('leadId').equals(lead.id).toArray()).filter(
    (a) => !a.automatic,
  );
  const rendered = renderSharedTask({
    lead,
    key,
    attempts,
    claim: claimOfLead(deps.settings, lead) ?? extra.claim,
    staffName: (id) => staffName(deps.settings, id),
    ...(extra.duplicateOf ? { duplicateOf: extra.duplicateOf } : {}),
  });
  const remote = extra.remoteLines ?? [];
  if (remote.length === 0) return rendered;
  // Merge the colleague's attempt lines in: the body keeps every attempt so far.
  const lines = rendered.body.split('\n');
  const mine = new Set(lines.filter((l) => l.startsWith('- ')));
  const missing = remote.filter((l) => !mine.has(l));
  if (missing.length === 0) return rendered;
  const at = lines.findIndex((l) => l.startsWith('Attempts so far:'));
  const attemptLines = [...mine, ...missing].sort();
  const rest = lines.filter((l) => !l.startsWith('- '));
  const head = rest.slice(0, at + 1);
  head[at] = `Attempts so far: ${attemptLines.length}`;
  return {
    ...rendered,
    body: [...head, ...attemptLines, ...rest.slice(at + 1)].join('\n'),
  };
}

// ---------------------------------------------------------------------------------------
// Publishing: local leads → CRM tasks (through the outbox)

/** Rows whose create job has synced learn their task id. */
export async function absorbCreated(deps: SharedQueueDeps): Promise<void> {
  const { db } = deps;
  const rows = (await db.sharedTasks.toArray()).filter(
    (r) => r.system === deps.system && r.jobId && !r.taskId,
  );
  for (const row of rows) {
    const job = (await db.outbox.get(row.jobId!)) as unknown as SyncJob | undefined;
    if (job?.state !== 'synced' || !job.remoteId) continue;
    await db.sharedTasks.update(row.id, { taskId: job.remoteId, updatedAt: now(deps) });
  }
}

const now = (deps: SharedQueueDeps) => (deps.now ?? Date.now)();

function isSample(lead: Lead): boolean {
  return lead.id.startsWith('sample');
}

/**
 * Queue the writes this browser owes the shared queue: a task for each open lead not yet
 * shared, the attempts so far and the close for leads already shared.
 */
export async function publishShared(
  deps: SharedQueueDeps,
): Promise<{ created: number; updated: number }> {
  const { db, system } = deps;
  const at = now(deps);
  const account = deps.connector.accountKey;
  await absorbCreated(deps);
  // Tasks of another account (the user connected a different portal or firm) mean nothing
  // here: those leads are shared again in the account connected now.
  const stale = (await db.sharedTasks.toArray()).filter(
    (r) =>
      r.system === system &&
      r.account !== undefined &&
      account !== undefined &&
      r.account !== account,
  );
  if (stale.length) await db.sharedTasks.bulkDelete(stale.map((r) => r.id));
  const rows = await db.sharedTasks.toArray();
  const rowByLead = new Map(rows.filter((r) => r.system === system).map((r) => [r.leadId, r]));
  const open = await db.leads.where('openDueAt').aboveOrEqual(-Infinity).toArray();
  let created = 0;
  let updated = 0;
  for (const lead of open) {
    if (rowByLead.has(lead.id) || isSample(lead)) continue;
    if (lead.lastMissedAt < deps.enabledAt - PUBLISH_HISTORY_MS) continue;
    const call = await firstCallOf(db, lead.id);
    if (call?.provider === SAMPLE_PROVIDER) continue;
    const key = await leadKeyOf(db, lead);
    const rendered = await renderFor(deps, lead, key);
    const [job] = await enqueueDrafts(
      db,
      [
        {
          idempotencyKey: `${lead.id}:${system}:shared@${account ?? ''}`,
          system,
          kind: 'shared',
          leadId: lead.id,
          ...(account !== undefined ? { account } : {}),
          payload: {
            kind: 'shared',
            key,
            dedupeToken: rendered.dedupeToken,
            subject: rendered.subject,
            body: rendered.body,
            dueAt: lead.dueAt,
            priority: lead.priority || lead.emergency ? 'high' : 'normal',
            ...((lead.claimedBy ?? lead.assignee)
              ? { staffId: lead.claimedBy ?? lead.assignee }
              : {}),
          },
        },
      ],
      at,
    );
    await db.sharedTasks.put({
      id: rowId(system, lead.id),
      leadId: lead.id,
      system,
      ...(account !== undefined ? { account } : {}),
      key,
      jobId: job!.id,
      ...(job!.state === 'synced' && job!.remoteId ? { taskId: job!.remoteId } : {}),
      publishedAttempts: lead.attemptCount,
      publishedDone: false,
      updatedAt: at,
    });
    created++;
  }
  // Leads already shared: a claim made here (Next callback), the attempts so far, the close.
  const me = deps.settings.currentStaffId;
  for (const row of rowByLead.values()) {
    if (!row.taskId || row.deletedAt || row.publishedDone || row.done) continue;
    const lead = await db.leads.get(row.leadId);
    if (!lead) continue;
    const closed = !isOpen(lead) && lead.status !== 'no-contact';
    const claim = claimStamp(lead);
    const claimed =
      !closed && me !== undefined && lead.claimedBy === me && claim !== row.publishedClaim;
    // Given back here ("Give it back"): the task must stop naming me, or nobody else can claim.
    const released =
      !closed &&
      !lead.claimedBy &&
      me !== undefined &&
      row.publishedClaim?.startsWith(`${me}@`) === true;
    if (!closed && !claimed && !released && lead.attemptCount <= (row.publishedAttempts ?? 0))
      continue;
    // The body is written whole: with no claim known here, the task's own claim (a colleague's
    // made since this browser last read) is kept, not erased — else a third browser would
    // read no claim and take a caller already being called. Unreadable now: next pass.
    let theirs: SharedClaim | undefined;
    if (!lead.claimedBy && !released && deps.connector.readSharedTask) {
      const task = await deps.connector.readSharedTask(row.taskId).catch(() => undefined);
      if (task === undefined) continue;
      theirs = task ? parseSharedTask(task.body).claim : undefined;
    }
    const rendered = await renderFor(deps, lead, row.key, {
      remoteLines: row.attemptLines,
      ...(theirs ? { claim: theirs } : {}),
    });
    await enqueueUpdate(deps, lead.id, {
      kind: 'sharedUpdate',
      taskId: row.taskId,
      op: closed ? 'close' : claimed ? 'claim' : 'body',
      body: rendered.body,
      ...(closed ? { done: true } : {}),
      // Clio: against the version last read (If-Match): a colleague's claim since then wins.
      ...(claimed ? { staffId: me, ...(row.etag ? { etag: row.etag } : {}) } : {}),
    });
    await db.sharedTasks.update(row.id, {
      publishedAttempts: lead.attemptCount,
      ...(closed ? { publishedDone: true } : {}),
      ...(claim ? { publishedClaim: claim } : {}),
      ...(released ? { publishedClaim: undefined } : {}),
      updatedAt: at,
    });
    updated++;
  }
  return { created, updated };
}

/** A lead's claim as a row remembers what was written. */
export function claimStamp(lead: Pick<Lead, 'claimedBy' | 'claimedAt'>): string | undefined {
  return lead.claimedBy ? `${lead.claimedBy}@${lead.claimedAt ?? 0}` : undefined;
}

/** A claim of this lead still on its way to the CRM (the task does not show it yet). */
export async function claimInFlight(db: CallbackDeskDB, leadId: string): Promise<boolean> {
  const jobs = (await db.outbox.where('leadId').equals(leadId).toArray()) as unknown as SyncJob[];
  return jobs.some(
    (j) =>
      j.kind === 'sharedUpdate' &&
      j.payload.kind === 'sharedUpdate' &&
      j.payload.op === 'claim' &&
      (j.state === 'queued' || j.state === 'syncing'),
  );
}

/** One change to a shared task, as an outbox job (each change its own job). */
export async function enqueueUpdate(
  deps: Pick<SharedQueueDeps, 'db' | 'system' | 'connector' | 'now'>,
  leadId: string,
  payload: Extract<SyncJob['payload'], { kind: 'sharedUpdate' }>,
): Promise<SyncJob> {
  const account = deps.connector.accountKey;
  const [job] = await enqueueDrafts(
    deps.db,
    [
      {
        idempotencyKey: `${leadId}:${deps.system}:sharedUpdate:${payload.op}:${payload.taskId}:${crypto.randomUUID()}`,
        system: deps.system,
        kind: 'sharedUpdate',
        leadId,
        ...(account !== undefined ? { account } : {}),
        payload,
      },
    ],
    (deps.now ?? Date.now)(),
  );
  return job!;
}

// ---------------------------------------------------------------------------------------
// Reading and merging: CRM tasks → local leads

interface MergeContext {
  deps: SharedQueueDeps;
  report: SharedPassReport;
  /** Task ids completed as duplicates in this pass (each once). */
  completed: Set<string>;
}

async function rowOfTask(
  db: CallbackDeskDB,
  system: CrmSystem,
  taskId: string,
): Promise<SharedRow | undefined> {
  return db.sharedTasks.where('[system+taskId]').equals([system, taskId]).first();
}

async function openLeadOfCaller(db: CallbackDeskDB, phone: string): Promise<Lead | undefined> {
  const leads = await db.leads.where('phoneKey').equals(phone).toArray();
  return leads.filter(isOpen).sort((a, b) => b.lastMissedAt - a.lastMissedAt)[0];
}

/** Complete a duplicate task, saying which task stays ("Duplicate of task N"). */
async function completeDuplicate(
  ctx: MergeContext,
  lead: Lead,
  key: string,
  duplicateId: string,
  keptId: string,
): Promise<void> {
  if (ctx.completed.has(duplicateId)) return;
  ctx.completed.add(duplicateId);
  const rendered = await renderFor(ctx.deps, lead, key, { duplicateOf: keptId });
  await enqueueUpdate(ctx.deps, lead.id, {
    kind: 'sharedUpdate',
    taskId: duplicateId,
    op: 'duplicate',
    body: rendered.body,
    done: true,
  });
  ctx.report.duplicates++;
}

/** A colleague's lead: captured here from its task (no notification, no automatic text). */
async function leadFromTask(
  ctx: MergeContext,
  task: SharedTaskRecord,
  facts: SharedTaskFacts,
): Promise<Lead | undefined> {
  const { db, settings } = ctx.deps;
  if (!facts.phone) return undefined;
  const at = now(ctx.deps);
  const result = await captureCalls(
    db,
    settings,
    [
      {
        from: facts.phone,
        startedAt: Math.min(facts.firstMissedAt ?? task.updatedAt, at),
        provider: SHARED_PROVIDER,
        providerCallId: facts.key ?? `task:${task.id}`,
        capturePath: 'crm',
        ...(facts.name ? { callerName: facts.name } : {}),
        ...(facts.source ? { source: facts.source } : {}),
        ...(facts.practiceArea ? { practiceArea: facts.practiceArea } : {}),
      },
    ],
    at,
  );
  const leadId = result.added[0]?.leadId;
  if (leadId) {
    // As the capturing browser assigned it (the task's owner) and tagged it: not again by
    // this browser's own round robin, and a client stays out of the lead view here too.
    const owner = task.ownerId ? ctx.deps.staffOfOwner?.(task.ownerId) : undefined;
    await db.leads.update(leadId, {
      ...(owner ? { assignee: owner } : {}),
      ...(owner && facts.assignReason ? { assignReason: facts.assignReason } : {}),
      ...(facts.existingClient
        ? { existingClient: { ...facts.existingClient, ...(owner ? { ownerStaffId: owner } : {}) } }
        : {}),
    });
  }
  const lead = leadId ? await db.leads.get(leadId) : await openLeadOfCaller(db, facts.phone);
  if (lead && result.added.length > 0) ctx.report.added.push(lead.id);
  return lead;
}

async function mergeTask(ctx: MergeContext, task: SharedTaskRecord): Promise<void> {
  const { db, system, settings } = ctx.deps;
  const facts = parseSharedTask(task.body);
  if (!facts.ours) return;
  const at = now(ctx.deps);
  let row = await rowOfTask(db, system, task.id);
  if (row && task.updatedAt <= (row.crmUpdatedAt ?? -1) && !row.deletedAt) return;
  if (!row) {
    // Completed as a duplicate, or closed before this browser ever saw it: nothing to do.
    if (facts.duplicateOf || task.done) return;
    let lead = facts.phone ? await openLeadOfCaller(db, facts.phone) : undefined;
    const key = facts.key ?? `task:${task.id}`;
    if (lead) {
      const mine = await db.sharedTasks.get(rowId(system, lead.id));
      if (mine?.taskId && mine.taskId !== task.id && !mine.deletedAt) {
        // Two open tasks for one caller (a create race): the lowest id stays, everywhere.
        const keep = [mine.taskId, task.id].sort(compareIds)[0]!;
        const drop = keep === task.id ? mine.taskId : task.id;
        await completeDuplicate(ctx, lead, mine.key, drop, keep);
        if (keep === mine.taskId) return;
        await db.sharedTasks.update(mine.id, { taskId: keep, crmUpdatedAt: -1, updatedAt: at });
        row = (await db.sharedTasks.get(mine.id))!;
      } else if (mine && !mine.taskId) {
        // Our own create is still on its way: it will find this task and adopt it.
        return;
      } else {
        row = {
          id: rowId(system, lead.id),
          leadId: lead.id,
          system,
          ...(ctx.deps.connector.accountKey !== undefined
            ? { account: ctx.deps.connector.accountKey }
            : {}),
          ...(task.ownerId ? { ownerId: task.ownerId } : {}),
          key: mine?.key ?? key,
          taskId: task.id,
          publishedAttempts: lead.attemptCount,
          publishedDone: false,
          updatedAt: at,
        };
        await db.sharedTasks.put(row);
      }
    } else {
      lead = await leadFromTask(ctx, task, facts);
      if (!lead) return;
      row = {
        id: rowId(system, lead.id),
        leadId: lead.id,
        system,
        ...(ctx.deps.connector.accountKey !== undefined
          ? { account: ctx.deps.connector.accountKey }
          : {}),
        key,
        taskId: task.id,
        publishedAttempts: lead.attemptCount,
        publishedDone: false,
        updatedAt: at,
      };
      await db.sharedTasks.put(row);
    }
  }
  const lead = await db.leads.get(row.leadId);
  if (!lead) return;
  // A completed duplicate: not a close. The lead lives on in the task it names, which this
  // browser follows from now on (its claim and changes go there).
  if (facts.duplicateOf) {
    const kept = facts.duplicateOf;
    await db.sharedTasks.update(
      row.id,
      kept !== row.taskId && !(await rowOfTask(db, system, kept))
        ? { taskId: kept, crmUpdatedAt: -1, updatedAt: at }
        : { crmUpdatedAt: task.updatedAt, updatedAt: at },
    );
    return;
  }
  // Claimed: by the claim line the task carries (written with its owner / assignee). The
  // owner alone is not a claim: a new task's owner is the person it was assigned to.
  const claim: SharedClaim | undefined = facts.claim;
  if (claim && isOpen(lead) && !(await claimInFlight(db, lead.id))) {
    const by = claimedByOf(settings, claim);
    if (lead.claimedBy !== by) {
      const me = settings.currentStaffId;
      if (me && lead.claimedBy === me) ctx.report.lost.push({ leadId: lead.id, by: claim.label });
      const next: Lead = {
        ...lead,
        status: 'claimed',
        claimedBy: by,
        claimedAt: claim.at,
        updatedAt: at,
      };
      if (!next.assignee) next.assignee = by;
      await db.leads.put(next);
      ctx.report.claimed++;
    }
  }
  // Given back elsewhere: the task that named the claimer (as merged here) names nobody now.
  if (
    !claim &&
    isOpen(lead) &&
    lead.claimedBy &&
    lead.claimedBy !== settings.currentStaffId &&
    row.publishedClaim === claimStamp(lead) &&
    !(await claimInFlight(db, lead.id))
  ) {
    await releaseClaim(db, lead.id, lead.claimedBy, at);
    await db.sharedTasks.update(row.id, { publishedClaim: undefined });
    ctx.report.claimed++;
  }
  // Closed elsewhere: closed here.
  if (task.done && isOpen(lead)) {
    await patchLead(db, settings, { leadId: lead.id, status: 'done' }, at);
    ctx.report.closed++;
  }
  const merged = await db.leads.get(lead.id);
  const stamp = merged ? claimStamp(merged) : undefined;
  await db.sharedTasks.update(row.id, {
    crmUpdatedAt: task.updatedAt,
    done: task.done,
    // The claim the task shows is written already: publishing leaves it alone.
    ...(stamp && claim && merged?.claimedAt === claim.at ? { publishedClaim: stamp } : {}),
    ...(task.done ? { publishedDone: true } : {}),
    ...(task.etag ? { etag: task.etag } : {}),
    ...(task.ownerId ? { ownerId: task.ownerId } : {}),
    attemptLines: attemptLinesOf(task.body),
    updatedAt: at,
  });
}

/**
 * Every so often: all open tasks. A task this browser holds as open that is neither listed
 * nor readable was deleted in the CRM; the lead stays in this browser's queue (a callback
 * is never dropped silently) but leaves the shared queue.
 */
async function fullRead(ctx: MergeContext): Promise<void> {
  const { db, system, connector } = ctx.deps;
  const seen = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await connector.searchSharedTasks!({
      token: SHARED_QUEUE_TOKEN,
      openOnly: true,
      ...(after ? { after } : {}),
    });
    ctx.report.pages++;
    for (const task of answer.tasks) {
      seen.add(task.id);
      await mergeTask(ctx, task);
    }
    after = answer.next;
    if (!after) break;
  }
  const rows = (await db.sharedTasks.toArray()).filter(
    (r) =>
      r.system === system &&
      r.taskId &&
      !r.done &&
      !r.deletedAt &&
      !seen.has(r.taskId) &&
      // Changed too recently for the index to be trusted either way (a read by id decides).
      (r.crmUpdatedAt ?? 0) < now(ctx.deps) - CURSOR_OVERLAP_MS,
  );
  for (const row of rows) {
    const task = await connector.readSharedTask!(row.taskId!);
    if (task === null) {
      await db.sharedTasks.update(row.id, { deletedAt: now(ctx.deps), updatedAt: now(ctx.deps) });
      ctx.report.deleted++;
    } else await mergeTask(ctx, task);
  }
}

/**
 * Read the tasks changed since the cursor and merge them. `force` (the Refresh button)
 * reads now unless the CRM asked us to wait.
 */
export async function readShared(deps: SharedQueueDeps, report: SharedPassReport): Promise<void> {
  const { db, system, connector } = deps;
  if (!connector.searchSharedTasks || !connector.readSharedTask) {
    report.skipped = 'unsupported';
    return;
  }
  const at = now(deps);
  const account = connector.accountKey;
  const stored = await readCursor(db, system);
  const cursor = stored.account === account ? stored : {};
  if (cursor.nextReadAfter !== undefined && at < cursor.nextReadAfter) {
    report.skipped = 'backoff';
    return;
  }
  const ctx: MergeContext = { deps, report, completed: new Set() };
  const since = cursor.changedSince ?? deps.enabledAt - PUBLISH_HISTORY_MS;
  let newest = cursor.changedSince !== undefined ? cursor.changedSince + CURSOR_OVERLAP_MS : 0;
  try {
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await connector.searchSharedTasks({
        token: SHARED_QUEUE_TOKEN,
        changedSince: since,
        ...(after ? { after } : {}),
      });
      report.pages++;
      for (const task of answer.tasks) {
        report.read++;
        newest = Math.max(newest, task.updatedAt);
        await mergeTask(ctx, task);
      }
      after = answer.next;
      if (!after) break;
    }
    const full =
      cursor.lastFullReadAt === undefined || at - cursor.lastFullReadAt >= FULL_READ_PERIOD_MS;
    if (full && cursor.lastFullReadAt !== undefined) await fullRead(ctx);
    await writeCursor(db, system, {
      // The CRM's clock, held back by the index lag; never moved backwards.
      changedSince: Math.max(since, newest - CURSOR_OVERLAP_MS),
      lastReadAt: at,
      lastFullReadAt: full ? at : cursor.lastFullReadAt,
      ...(account !== undefined ? { account } : {}),
    });
  } catch (error) {
    const at = now(deps);
    const random = deps.random ?? Math.random;
    const failures = (cursor.failures ?? 0) + 1;
    // Back off when the CRM says so (Retry-After / its window), with jitter so a firm's
    // browsers do not all come back in the same second; other failures back off too.
    const base =
      error instanceof RateLimitError
        ? Math.max(error.retryAfterMs ?? 10_000, 1_000)
        : // Not the CRM's limit (offline, an outage): at most 5 minutes, so a browser back
          // after an hour offline catches up on its colleagues' leads and claims soon.
          Math.min(READ_PERIOD_MS * 2 ** (failures - 1), MAX_FAILURE_BACKOFF_MS);
    const wait = Math.round(base + random() * Math.min(base, 30_000));
    report.error = describeError(error, at);
    report.rateLimited = error instanceof RateLimitError;
    await writeCursor(db, system, {
      ...cursor,
      changedSince: since,
      nextReadAfter: at + wait,
      lastError: `${CRM_LABELS[system]}: ${report.error}`,
      failures,
      ...(account !== undefined ? { account } : {}),
    });
  }
}

export function emptyReport(): SharedPassReport {
  return {
    published: 0,
    updated: 0,
    read: 0,
    pages: 0,
    added: [],
    lost: [],
    claimed: 0,
    closed: 0,
    duplicates: 0,
    deleted: 0,
  };
}

/** One pass: publish what this browser owes, then read and merge what changed. */
export async function syncSharedQueue(deps: SharedQueueDeps): Promise<SharedPassReport> {
  const report = emptyReport();
  const published = await publishShared(deps);
  report.published = published.created;
  report.updated = published.updated;
  await readShared(deps, report);
  // Duplicates found on this read, and changes it caused, go out with the next drain.
  await absorbCreated(deps);
  return report;
}

/** Jobs of the shared queue still to send (for the status line). */
export async function pendingSharedJobs(db: CallbackDeskDB): Promise<number> {
  const rows = (await db.outbox
    .where('state')
    .anyOf('queued', 'syncing')
    .toArray()) as SyncJobRecord[];
  return rows.filter((r) => r.kind === 'shared' || r.kind === 'sharedUpdate').length;
}
