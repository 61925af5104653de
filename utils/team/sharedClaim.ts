import type { Lead } from '../model';
import { PRECONDITION_FAILED } from '../crm/connector';
import type { SyncJob } from '../crm/model';
import { ClaimConflictError, claimLead } from './claim';
import {
  claimerName,
  claimStamp,
  enqueueUpdate,
  absorbCreated,
  type SharedQueueDeps,
} from './sharedQueue';
import {
  earlierClaim,
  parseSharedTask,
  renderSharedTask,
  sameClaim,
  type SharedClaim,
} from './sharedTasks';

/**
 * Claiming a lead of the shared queue: the local claim (utils/team/claim.ts), then the CRM
 * task, where a colleague's browser may have claimed it a moment before.
 *
 * - **Clio** has etags: the task is read, then changed with `If-Match: <etag>`. A colleague
 *   who changed it in between makes Clio answer 412 Precondition Failed and change nothing
 *   (https://docs.developers.clio.com/api-docs/etags): their claim stands.
 * - **HubSpot** has none: the claim is written, then read back after a short delay, twice.
 *   Whatever claim the task shows is the one every browser sees; when two were written,
 *   the earlier claim (then the lower staff id) wins — a browser whose earlier claim was
 *   overwritten writes it again, and the later claimer, reading back, gives way.
 *
 * The loser is told "Sam claimed this a moment ago" and the lead shows "claimed by Sam".
 */

/** HubSpot: how long after writing a claim it is read back. */
export const CLAIM_SETTLE_MS = 1_500;
/** HubSpot: most read-backs (a claim overwritten is written again in between). */
const MAX_ROUNDS = 4;

export interface ClaimDeps extends SharedQueueDeps {
  /**
   * Send what the outbox holds now and, given a job, wait (a while) until it has gone or
   * failed — another drain of the worker may be the one sending it.
   */
  drain(jobId?: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  claimSettleMs?: number;
}

export type SharedClaimResult =
  | { outcome: 'won'; lead: Lead }
  /** Claimed here; the CRM task does not exist yet (or could not be reached): it follows. */
  | { outcome: 'local'; lead: Lead; note: string }
  | { outcome: 'lost'; lead: Lead; by: string; message: string };

function lostMessage(by: string): string {
  return `${by} claimed this a moment ago.`;
}

/** The colleague's claim, applied here: the lead shows "claimed by Sam" and leaves mine. */
async function giveWay(deps: ClaimDeps, leadId: string, theirs: SharedClaim): Promise<Lead> {
  const { db, settings } = deps;
  const by =
    theirs.staffId && settings.staff.some((s) => s.id === theirs.staffId)
      ? theirs.staffId
      : (settings.staff.find((s) => s.name === theirs.label)?.id ?? theirs.label);
  const at = (deps.now ?? Date.now)();
  return db.transaction('rw', db.leads, db.sharedTasks, async () => {
    const lead = (await db.leads.get(leadId))!;
    const next: Lead = {
      ...lead,
      status: lead.status === 'open' ? 'claimed' : lead.status,
      claimedBy: by,
      claimedAt: theirs.at,
      updatedAt: at,
    };
    await db.leads.put(next);
    const row = await db.sharedTasks.where('leadId').equals(leadId).first();
    if (row) await db.sharedTasks.update(row.id, { publishedClaim: claimStamp(next) });
    return next;
  });
}

async function jobNow(deps: ClaimDeps, id: string): Promise<SyncJob | undefined> {
  return (await deps.db.outbox.get(id)) as unknown as SyncJob | undefined;
}

export async function claimShared(
  deps: ClaimDeps,
  leadId: string,
  staffId: string,
): Promise<SharedClaimResult> {
  const nameOf = (id: string) => claimerName(deps.settings, id);
  // 1. Here first: a claim this browser already knows of wins at once (ClaimConflictError).
  const lead = await claimLead(deps.db, leadId, staffId, {
    now: (deps.now ?? Date.now)(),
    nameOf,
  });
  return confirmClaim(deps, lead, staffId);
}

/**
 * Carry a claim made here (I'll call back, Claim, Next callback) to the lead's CRM task
 * and find out whether it stands: the loser gives way (the lead shows who has it).
 */
export async function confirmClaim(
  deps: ClaimDeps,
  lead: Lead,
  staffId: string,
): Promise<SharedClaimResult> {
  const { db, settings, system, connector } = deps;
  const leadId = lead.id;
  const nameOf = (id: string) => claimerName(settings, id);
  const mine: SharedClaim = {
    staffId,
    label: nameOf(staffId),
    at: lead.claimedAt ?? (deps.now ?? Date.now)(),
  };
  let row = await db.sharedTasks.where('leadId').equals(leadId).first();
  if (row && !row.taskId) {
    // The lead's task is on its way: send it, then learn its id.
    await deps.drain();
    await absorbCreated(deps);
    row = await db.sharedTasks.where('leadId').equals(leadId).first();
  }
  if (!row?.taskId || row.deletedAt || !connector.readSharedTask)
    return {
      outcome: 'local',
      lead,
      note: 'Claimed here; the shared task will show it once it is in the CRM.',
    };
  let taskId = row.taskId;

  // 2. What the task says now. Ours was completed as a duplicate (a create race this browser
  //    has not read yet): the claim goes to the task it names.
  let before = await connector.readSharedTask(taskId);
  const duplicateOf = before?.done ? parseSharedTask(before.body).duplicateOf : undefined;
  if (duplicateOf) {
    taskId = duplicateOf;
    await db.sharedTasks.update(row.id, { taskId, crmUpdatedAt: -1 });
    before = await connector.readSharedTask(taskId);
  }
  if (!before) return { outcome: 'local', lead, note: 'The shared task was deleted in the CRM.' };
  const theirs = parseSharedTask(before.body).claim;
  if (theirs && !sameClaim(theirs, mine) && (theirs.staffId ?? theirs.label) !== staffId) {
    const given = await giveWay(deps, leadId, theirs);
    return { outcome: 'lost', lead: given, by: theirs.label, message: lostMessage(theirs.label) };
  }

  // 3. Write the claim (through the outbox), Clio with the etag just read.
  const write = async (etag?: string) => {
    const attempts = (await db.attempts.where('leadId').equals(leadId).toArray()).filter(
      (a) => !a.automatic,
    );
    const current = (await db.leads.get(leadId))!;
    const rendered = renderSharedTask({
      lead: current,
      key: row.key,
      attempts,
      claim: mine,
      staffName: (id) => settings.staff.find((s) => s.id === id)?.name,
    });
    const job = await enqueueUpdate(deps, leadId, {
      kind: 'sharedUpdate',
      taskId,
      op: 'claim',
      body: rendered.body,
      staffId,
      ...(etag ? { etag } : {}),
    });
    await db.sharedTasks.update(row.id, { publishedClaim: claimStamp(current) });
    await deps.drain(job.id);
    return jobNow(deps, job.id);
  };
  const sent = await write(system === 'clio' ? before.etag : undefined);
  if (sent?.state !== 'synced')
    return {
      outcome: 'local',
      lead,
      note: `Claimed here; the CRM has not taken the claim yet (${sent?.lastError ?? 'waiting'}).`,
    };
  if (sent.lastError === PRECONDITION_FAILED || system === 'clio') {
    if (sent.lastError !== PRECONDITION_FAILED) return { outcome: 'won', lead };
    // Clio refused: the task changed since we read it. Who has it now?
    const after = await connector.readSharedTask(taskId);
    const claim = after ? parseSharedTask(after.body).claim : undefined;
    if (claim && (claim.staffId ?? claim.label) !== staffId) {
      const given = await giveWay(deps, leadId, claim);
      return { outcome: 'lost', lead: given, by: claim.label, message: lostMessage(claim.label) };
    }
    // Changed for another reason (a body update): claim again on the new version.
    const again = await write(after?.etag);
    return again?.lastError === PRECONDITION_FAILED
      ? { outcome: 'local', lead, note: 'The task keeps changing in Clio: try again.' }
      : { outcome: 'won', lead };
  }

  // 4. HubSpot: read back until the task shows the same claim twice.
  let confirmations = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await deps.sleep(deps.claimSettleMs ?? CLAIM_SETTLE_MS);
    const task = await connector.readSharedTask(taskId);
    if (!task) return { outcome: 'local', lead, note: 'The shared task was deleted in the CRM.' };
    const shown = parseSharedTask(task.body).claim;
    if (shown && sameClaim(shown, mine)) {
      if (++confirmations >= 2) return { outcome: 'won', lead };
      continue;
    }
    confirmations = 0;
    if (shown && earlierClaim(shown, mine) === shown) {
      const given = await giveWay(deps, leadId, shown);
      return { outcome: 'lost', lead: given, by: shown.label, message: lostMessage(shown.label) };
    }
    // Our earlier claim was overwritten by a later one (or lost): write it again.
    const again = await write();
    if (again?.state !== 'synced') break;
  }
  return {
    outcome: 'local',
    lead,
    note: 'Claimed here; HubSpot has not confirmed the claim yet.',
  };
}

export { ClaimConflictError };
