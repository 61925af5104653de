import type { CallbackDeskDB, SyncJobRecord } from '../db';
import type { Lead } from '../model';
import { backoffDelay, describeError, HttpError, NetworkError, RateLimitError } from '../http';
import {
  AccountChangedError,
  createRecord,
  ReconnectError,
  type Connector,
} from '../crm/connector';
import {
  CRM_LABELS,
  crmLinkOf,
  isSharedKind,
  isUpdateKind,
  markerFor,
  withCrmLink,
  type CrmSystem,
  type RemoteRef,
  type SendItem,
  type SyncJob,
  type SyncKind,
} from '../crm/model';
import type { SyncDraft } from '../crm/records';

/**
 * The durable outbox: every CRM write is a job in db.outbox, and one drainer at a time
 * sends them. Nothing about the queue lives in memory — the MV3 worker may die between
 * any two lines — so the rules are written into the jobs themselves:
 *
 * - A job is marked `syncing` with `sentAt` and the claiming drain *before* its create
 *   request leaves.
 * - A job found `syncing` by a later drain (the worker died, or the drain that claimed it
 *   ended without saving the answer), or flagged `maybeCreated` (timeout, dropped
 *   connection, any 5xx), is looked up in the CRM first — by its marker or external
 *   property — and only created if it is not there. `maybeCreated` survives every path
 *   (failure, Retry, disconnect and reconnect) until a lookup settles it.
 * - A 429 or a 4xx answer means nothing was created: no lookup needed. A record refused
 *   because its contact was deleted in the CRM (asked of the CRM) drops the lead's stale
 *   link and waits for the contact the user chooses or creates.
 * - Lookups that find nothing are trusted only once the CRM's search index has had time
 *   (lookupPatienceMs): until then they are repeated, backing off, before any re-create.
 * - Records go to the contact the lead is linked to now, in the account connected now; a
 *   pass whose connection was replaced by another account sends nothing more
 *   (AccountChangedError): its jobs are matched again in the new account.
 * - Every job write is a compare-and-set against the row as the drain last saw it, by the
 *   lease holder only (a drain that lost its lease records only its own answer in flight).
 * - Retries back off exponentially with jitter; rate limits come from the response
 *   headers (utils/http.ts limiters, persisted); a refused token is refreshed once, then
 *   the system's jobs fail with "Reconnect …" until the user reconnects.
 */

/** Jobs that are not waiting for a time (synced, failed, waiting for a contact, in flight). */
export const NEVER = Number.MAX_SAFE_INTEGER;
/** After this many uncertain or server failures a job stops and asks the user. */
export const MAX_TRIES = 8;
const LEASE_ROW = 'outbox:lease';
/**
 * A drain renews its lease before every lookup and every create; the lease outlasts the
 * longest single step (a rate-limit wait of up to 30 s plus a 20 s timeout), so a drain
 * that is working is never taken over, and one that hangs is within two minutes.
 */
const LEASE_MS = 2 * 60_000;
/** A lookup that found nothing stays good for this long (a drain taken over leaves it). */
const LOOKUP_FRESH_MS = 10 * 60_000;
const KIND_ORDER: SyncKind[] = [
  'contact',
  'call',
  'note',
  'task',
  'text',
  'email',
  'complete',
  'shared',
  'sharedUpdate',
];

export interface OutboxDeps {
  db: CallbackDeskDB;
  /**
   * Identity of this drainer's worker. Only one service worker runs at a time, so a lease
   * or a `syncing` job stamped with another id belongs to a worker that is gone.
   */
  runId: string;
  /** A connector for a connected CRM, or null when it is not connected. */
  connectorFor(system: CrmSystem): Promise<Connector | null>;
  /** CRM owner/user id of a staff member (staff mapping), if mapped. */
  ownerFor(system: CrmSystem, staffId: string | undefined): Promise<string | undefined>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Use batch create endpoints where the CRM has them (default true). */
  batching?: boolean;
  /** Longest a single drain runs before handing over to the next alarm. */
  budgetMs?: number;
  /** Retries due within this long are waited for in-process instead of by alarm. */
  inProcessWaitMs?: number;
}

export interface DrainReport {
  ran: boolean;
  synced: number;
  failed: number;
  /** Earliest nextTryAt still queued (for the alarm), or null. */
  nextTryAt: number | null;
}

interface Lease {
  /** The worker (runId) whose drain holds the lease. */
  owner: string;
  /** The drain itself: two drains of one worker must never share a lease. */
  drain?: string;
  until: number;
  again?: boolean;
}

/**
 * The fields that change whenever any drain writes a job: a drain may claim a job only if
 * the row still matches what it last read or wrote (compare-and-set).
 */
function sameVersion(a: SyncJob, b: SyncJob): boolean {
  return (
    a.state === b.state &&
    a.updatedAt === b.updatedAt &&
    a.tries === b.tries &&
    a.maybeCreated === b.maybeCreated &&
    a.nextTryAt === b.nextTryAt &&
    a.sentAt === b.sentAt &&
    a.sentBy === b.sentBy &&
    a.claim === b.claim &&
    a.checkedAt === b.checkedAt &&
    a.waitingFor === b.waitingFor &&
    a.remoteId === b.remoteId
  );
}

const asJob = (row: SyncJobRecord | undefined) => row as unknown as SyncJob | undefined;
const asRow = (job: SyncJob) => job as unknown as SyncJobRecord;

// ---------------------------------------------------------------------------------------
// Queue operations (used by the background's message handlers)

/** Add jobs for drafts whose idempotency key is new; returns every draft's job. */
export async function enqueueDrafts(
  db: CallbackDeskDB,
  drafts: SyncDraft[],
  now: number = Date.now(),
): Promise<SyncJob[]> {
  return db.transaction('rw', db.outbox, async () => {
    const jobs: SyncJob[] = [];
    for (const draft of drafts) {
      const existing = asJob(
        await db.outbox.where('idempotencyKey').equals(draft.idempotencyKey).first(),
      );
      if (existing) {
        jobs.push(existing);
        continue;
      }
      const job: SyncJob = {
        id: crypto.randomUUID(),
        ...draft,
        state: 'queued',
        tries: 0,
        nextTryAt: now,
        maybeCreated: false,
        createdAt: now,
        updatedAt: now,
      };
      await db.outbox.add(asRow(job));
      jobs.push(job);
    }
    return jobs;
  });
}

/** Put failed (or waiting) jobs back in the queue at once; the Retry button. */
export async function retryJobs(
  db: CallbackDeskDB,
  filter: { leadId?: string; system?: CrmSystem; jobId?: string },
  now: number = Date.now(),
): Promise<number> {
  return db.transaction('rw', db.outbox, async () => {
    const rows = filter.jobId
      ? [await db.outbox.get(filter.jobId)].filter(Boolean)
      : filter.leadId
        ? await db.outbox.where('leadId').equals(filter.leadId).toArray()
        : await db.outbox.where('state').equals('failed').toArray();
    let count = 0;
    for (const row of rows) {
      const job = asJob(row)!;
      if (filter.system && job.system !== filter.system) continue;
      if (job.state !== 'failed' && !(job.state === 'queued' && job.nextTryAt > now)) continue;
      await db.outbox.put(
        asRow({
          ...job,
          state: 'queued',
          tries: 0,
          nextTryAt: now,
          waitingFor: undefined,
          updatedAt: now,
        }),
      );
      count++;
    }
    return count;
  });
}

/** A lead got its contact (chosen, created or matched): jobs waiting for it can go. */
export async function releaseWaitingJobs(
  db: CallbackDeskDB,
  leadId: string,
  system: CrmSystem,
  now: number = Date.now(),
): Promise<void> {
  await db.transaction('rw', db.outbox, async () => {
    const rows = await db.outbox.where('leadId').equals(leadId).toArray();
    for (const row of rows) {
      const job = asJob(row)!;
      if (job.system !== system || job.waitingFor !== 'contact' || job.state !== 'queued') continue;
      await db.outbox.put(
        asRow({
          ...job,
          waitingFor: undefined,
          lastError: undefined,
          nextTryAt: now,
          updatedAt: now,
        }),
      );
    }
  });
}

/** After reconnecting: jobs that failed for the old token are sent again. */
export async function requeueAfterReconnect(
  db: CallbackDeskDB,
  system: CrmSystem,
  now: number = Date.now(),
): Promise<number> {
  return db.transaction('rw', db.outbox, async () => {
    const rows = await db.outbox.where('state').equals('failed').toArray();
    let count = 0;
    for (const row of rows) {
      const job = asJob(row)!;
      if (job.system !== system) continue;
      await db.outbox.put(
        asRow({ ...job, state: 'queued', tries: 0, nextTryAt: now, updatedAt: now }),
      );
      count++;
    }
    return count;
  });
}

/** Earliest time a queued job wants to run, or null when nothing is queued. */
export async function nextDueAt(db: CallbackDeskDB): Promise<number | null> {
  const next = asJob(await db.outbox.where('nextTryAt').below(NEVER).first());
  return next ? next.nextTryAt : null;
}

// ---------------------------------------------------------------------------------------
// The drainer

/**
 * Drains running in this worker. A `syncing` job claimed by a drain that is no longer here
 * (it threw, or its worker died) has no one to record its answer: the next drain recovers
 * it (looks it up) at once. One claimed by a drain still running has its answer coming.
 */
const activeDrains = new Set<string>();

/** Failures after which a create may have happened: any 5xx, timeout, dropped connection. */
function nothingWritten(error: unknown): boolean {
  if (error instanceof ReconnectError) return true; // 401: never processed
  if (error instanceof AccountChangedError) return true; // never sent
  if (error instanceof RateLimitError) return true; // 429, or held back before sending
  return error instanceof HttpError && error.status < 500; // 4xx: refused
}

/** What went wrong, for a job whose request may or may not have been processed. */
function problemOf(error: unknown, sent: boolean, now: number): string {
  if (error instanceof NetworkError && !error.timedOut) {
    let host = 'the CRM';
    try {
      host = new URL(error.url).host;
    } catch {
      // keep the generic name
    }
    return sent
      ? `The connection to ${host} dropped before it answered.`
      : `The connection to ${host} failed or dropped (offline, blocked, or permission missing).`;
  }
  return describeError(error, now);
}

/** Said of every job whose record may exist, until a lookup settles it. */
export function mayExistNote(system: CrmSystem, failed: boolean): string {
  return failed
    ? `It may already be in ${CRM_LABELS[system]}: Retry looks it up before sending it again.`
    : `It may already be in ${CRM_LABELS[system]}: it will be looked up before it is sent again.`;
}

export async function drainOutbox(deps: OutboxDeps): Promise<DrainReport> {
  const { db, runId } = deps;
  // Each drain has its own id: a worker may start a second drain (alarm, message) while
  // the first is still sending, and only the lease holder may send.
  const drainId = crypto.randomUUID();
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const budgetMs = deps.budgetMs ?? 5 * 60_000;
  const inProcessWaitMs = deps.inProcessWaitMs ?? 15_000;
  const report: DrainReport = { ran: false, synced: 0, failed: 0, nextTryAt: null };

  /** `next`: the new lease, null to remove it, undefined to leave it as it is. */
  const leaseOp = <T>(
    fn: (lease: Lease | undefined) => { next?: Lease | null; result: T },
  ): Promise<T> =>
    db.transaction('rw', db.cursors, async () => {
      const row = await db.cursors.get(LEASE_ROW);
      const { next, result } = fn(row?.cursor as Lease | undefined);
      if (next) await db.cursors.put({ sourceId: LEASE_ROW, cursor: next });
      else if (next === null && row) await db.cursors.delete(LEASE_ROW);
      return result;
    });
  const ours = (lease: Lease | undefined) => lease?.drain === drainId;
  const renewed = (lease: Lease): Lease => ({ ...lease, until: now() + LEASE_MS });

  const acquired = await leaseOp((lease) => {
    // Another drain of this same worker is running: ask it to look again before it stops.
    // (A lease of another worker belongs to a worker that is gone: only one runs at a time.)
    if (lease && lease.owner === runId && lease.until > now())
      return { next: { ...lease, again: true }, result: false };
    return { next: { owner: runId, drain: drainId, until: now() + LEASE_MS }, result: true };
  });
  if (!acquired) return report;
  report.ran = true;
  activeDrains.add(drainId);

  /**
   * Set when another drain took the lease over (ours expired during a long pass): this
   * drain then sends nothing more and leaves the queue to the new holder.
   */
  let lost = false;
  /** Renew the lease; false (and `lost`) when it is no longer ours. */
  const holdLease = async () => {
    if (lost) return false;
    const held = await leaseOp((lease) =>
      lease && ours(lease) ? { next: renewed(lease), result: true } : { result: false },
    );
    if (!held) lost = true;
    return held;
  };

  /** Each job as this drain last read or wrote it: what every write compares against. */
  const known = new Map<string, SyncJob>();
  /**
   * Write jobs by compare-and-set: a job is written only if its row is still as this drain
   * last read or wrote it, and only while the lease is ours — except the outcome of a
   * request this drain has in flight (its own `syncing` claim), which only it can know and
   * which no other drain touches. `then` runs in the same transaction with what was written.
   * Returns the jobs written.
   */
  const commit = async (
    jobs: SyncJob[],
    then?: (written: SyncJob[]) => Promise<void>,
    /** Lookups that found nothing: true whoever holds the lease, so kept by compare-and-set alone. */
    facts = false,
  ): Promise<SyncJob[]> => {
    if (jobs.length === 0) return [];
    const written = await db.transaction('rw', [db.outbox, db.cursors, db.leads], async () => {
      const lease = (await db.cursors.get(LEASE_ROW))?.cursor as Lease | undefined;
      const leaseHeld = ours(lease);
      if (!leaseHeld) lost = true;
      const ok: SyncJob[] = [];
      for (const job of jobs) {
        const stored = asJob(await db.outbox.get(job.id));
        const expected = known.get(job.id);
        if (!stored || !expected || !sameVersion(stored, expected)) continue;
        if (!leaseHeld && !facts && !(expected.state === 'syncing' && expected.claim === drainId))
          continue;
        ok.push(job);
      }
      if (ok.length) await db.outbox.bulkPut(ok.map(asRow));
      if (then) await then(ok);
      return ok;
    });
    for (const job of written) known.set(job.id, job);
    return written;
  };
  const update = (job: SyncJob, patch: Partial<SyncJob>): SyncJob => ({
    ...job,
    ...patch,
    updatedAt: now(),
  });
  /** A job leaving `syncing` other than synced: its request may have landed. */
  const doubtIfSent = (job: SyncJob): Partial<SyncJob> =>
    job.state === 'syncing'
      ? { maybeCreated: true, uncertainAt: job.uncertainAt ?? job.sentAt ?? now() }
      : {};

  const markSynced = async (results: { item: SendItem; ref: RemoteRef }[]) => {
    if (results.length === 0) return;
    const jobs = results.map(({ item, ref }) =>
      update(item.job, {
        state: 'synced',
        remoteId: ref.id,
        remoteUrl: ref.url,
        contactId: item.job.kind === 'contact' ? ref.id : item.contactId,
        maybeCreated: false,
        nextTryAt: NEVER,
        syncedAt: now(),
        lastError: ref.warning,
        lastErrorAt: ref.warning ? now() : undefined,
        waitingFor: undefined,
        claim: undefined,
      }),
    );
    const written = await commit(jobs, async (done) => {
      for (const job of done) {
        if (job.kind !== 'contact') continue;
        // The new contact becomes the lead's CRM link; records waiting for it can go.
        const ref = results.find((r) => r.item.job.id === job.id)!.ref as RemoteRef & {
          name?: string;
        };
        const lead = await db.leads.get(job.leadId);
        if (lead) {
          await db.leads.put({
            ...lead,
            crmLinks: withCrmLink(lead, {
              system: job.system,
              ...(job.account !== undefined ? { account: job.account } : {}),
              contactId: ref.id,
              ...(ref.url ? { url: ref.url } : {}),
              ...(ref.name ? { name: ref.name } : {}),
            }),
            updatedAt: now(),
          });
        }
        await releaseWaitingJobs(db, job.leadId, job.system, now());
      }
    });
    report.synced += written.length;
  };

  /**
   * Fail jobs for the user. `refused`: the CRM refused this drain's request (4xx, 401), so
   * it created nothing; otherwise a job leaving `syncing` keeps "may already exist".
   */
  const fail = async (jobs: SyncJob[], message: string, refused = false) => {
    const written = await commit(
      jobs.map((job) => {
        const doubt = refused ? {} : doubtIfSent(job);
        const maybe = doubt.maybeCreated ?? job.maybeCreated;
        return update(job, {
          ...doubt,
          state: 'failed',
          lastError: maybe ? `${message} ${mayExistNote(job.system, true)}` : message,
          lastErrorAt: now(),
          nextTryAt: NEVER,
          claim: undefined,
        });
      }),
    );
    report.failed += written.length;
  };

  /**
   * What an error means for jobs whose request may or may not have been processed.
   * Returns 'stop' when the system should not be called again in this pass.
   */
  const handleError = async (
    jobs: SyncJob[],
    error: unknown,
    sent: boolean,
    settleMs: number,
  ): Promise<'stop' | 'continue'> => {
    const system = jobs[0]?.system;
    const label = system ? CRM_LABELS[system] : 'The CRM';
    if (error instanceof ReconnectError) {
      await fail(jobs, error.message, true);
      // Every other job of this system would hit the same wall: stop them too, visibly.
      const rest = (await db.outbox.where('state').equals('queued').toArray())
        .map((row) => asJob(row)!)
        .filter((job) => job.system === error.system && !jobs.some((j) => j.id === job.id));
      for (const job of rest) known.set(job.id, job);
      await fail(rest, error.message);
      return 'stop';
    }
    if (error instanceof AccountChangedError) {
      // Another account was connected while this pass ran: nothing was sent. The jobs go
      // back at once; the next pass (with the new connection) matches them there.
      await commit(
        jobs.map((job) => update(job, { state: 'queued', nextTryAt: now(), claim: undefined })),
      );
      return 'stop';
    }
    if (error instanceof RateLimitError) {
      // Nothing was created. Not the job's fault: no try is counted.
      const wait = Math.max(1_000, error.retryAfterMs ?? 10_000);
      await commit(
        jobs.map((job) =>
          update(job, {
            state: 'queued',
            nextTryAt: now() + wait,
            lastError: describeError(error, now()),
            lastErrorAt: now(),
            claim: undefined,
          }),
        ),
      );
      return 'stop';
    }
    if (nothingWritten(error)) {
      const status = (error as HttpError).status;
      const message = (error as HttpError).message;
      await fail(jobs, `${label} refused it (${status}${message ? `: ${message}` : ''}).`, true);
      return 'continue';
    }
    // Any 5xx, a timeout, a dropped connection, an answer we could not read, or a bug: the
    // record may exist now. Back off, then look it up before creating again.
    await markUncertain(jobs, problemOf(error, sent, now()), sent, settleMs);
    return 'stop';
  };

  /**
   * Jobs whose fate is unknown: a try is counted (so a record that never shows up ends as
   * "Gave up after …" instead of looping), and a sent one is looked up before it is resent.
   * When the last try was a create, the lookup still comes before giving up: a record that
   * is there is synced, not shown as a failure.
   */
  const markUncertain = async (
    jobs: SyncJob[],
    message: string,
    sent: boolean,
    settleMs: number,
  ) => {
    const saved = jobs.map((job) => {
      const tries = job.tries + 1;
      const maybeCreated = job.maybeCreated || sent || job.state === 'syncing';
      const uncertainAt = sent
        ? now()
        : (job.uncertainAt ?? (maybeCreated ? job.sentAt : undefined));
      if (tries > MAX_TRIES || (tries === MAX_TRIES && !(sent && maybeCreated))) {
        return update(job, {
          state: 'failed',
          tries,
          maybeCreated,
          uncertainAt,
          lastError: `Gave up after ${tries} tries: ${message}${maybeCreated ? ` ${mayExistNote(job.system, true)}` : ''}`,
          lastErrorAt: now(),
          nextTryAt: NEVER,
          claim: undefined,
        });
      }
      const delay = Math.max(
        backoffDelay(tries - 1, { baseMs: 2_000, maxMs: 10 * 60_000 }, random),
        sent ? settleMs : 0,
      );
      return update(job, {
        state: 'queued',
        tries,
        maybeCreated,
        uncertainAt,
        lastError: maybeCreated ? `${message} ${mayExistNote(job.system, false)}` : message,
        lastErrorAt: now(),
        nextTryAt: now() + delay,
        claim: undefined,
      });
    });
    const written = await commit(saved);
    report.failed += written.filter((j) => j.state === 'failed').length;
  };

  /**
   * Claim jobs and mark them as on their way, durably, before the request leaves. In one
   * transaction with the lease: the lease is renewed (or found lost: nothing is claimed),
   * and a job is claimed only if its row is still as this drain read it — another drain
   * that took it meanwhile (sent, synced, failed or re-queued it) wins, and it is skipped.
   */
  const markSending = async (items: SendItem[]): Promise<SendItem[]> => {
    if (lost) return [];
    const claimed = await db.transaction('rw', db.outbox, db.cursors, async () => {
      const row = await db.cursors.get(LEASE_ROW);
      const lease = row?.cursor as Lease | undefined;
      if (!lease || !ours(lease)) {
        lost = true;
        return [];
      }
      await db.cursors.put({ sourceId: LEASE_ROW, cursor: renewed(lease) });
      const at = now();
      const mine: SendItem[] = [];
      for (const item of items) {
        const stored = asJob(await db.outbox.get(item.job.id));
        const expected = known.get(item.job.id);
        if (!stored || !expected || !sameVersion(stored, expected)) continue;
        item.job = update(item.job, {
          state: 'syncing',
          sentAt: at,
          sentBy: runId,
          claim: drainId,
          contactId: item.job.kind === 'contact' ? undefined : item.contactId,
          nextTryAt: NEVER,
        });
        mine.push(item);
      }
      if (mine.length) await db.outbox.bulkPut(mine.map((i) => asRow(i.job)));
      return mine;
    });
    for (const item of claimed) known.set(item.job.id, item.job);
    return claimed;
  };

  /**
   * Look jobs up, a few at a time, renewing the lease before each request and saving each
   * answer as it comes: a drain taken over (or stopped by a rate limit) leaves its finished
   * lookups to the next one. Returns the items that certainly are not in the CRM yet.
   */
  const lookUp = async (
    connector: Connector,
    items: SendItem[],
  ): Promise<{ verdict: 'stop' | 'continue'; absent: SendItem[] }> => {
    const absent: SendItem[] = [];
    const doubtful = (job: SyncJob) => job.state === 'syncing' || job.maybeCreated;
    const chunkSize = connector.maxBatch > 1 ? 5 : 1;
    for (let i = 0; i < items.length; i += chunkSize) {
      const chunk = items.slice(i, i + chunkSize);
      if (!(await holdLease())) return { verdict: 'stop', absent };
      let found: Map<string, RemoteRef>;
      /** Contact jobs whose number several CRM contacts have: job id → how many. */
      const several = new Map<string, number>();
      try {
        found = await connector.findExisting(chunk.filter((c) => c.job.kind !== 'contact'));
        for (const item of chunk.filter((c) => c.job.kind === 'contact')) {
          const match = await connector.matchContact(item);
          if (match.kind === 'single') found.set(item.job.id, match.ref);
          else if (match.kind === 'several') several.set(item.job.id, match.count);
        }
      } catch (error) {
        const verdict = await handleError(
          items.slice(i).map((c) =>
            update(c.job, {
              ...doubtIfSent(c.job),
              state: 'queued',
              claim: undefined,
            }),
          ),
          error,
          false,
          connector.lookupSettleMs,
        );
        return { verdict, absent };
      }
      const already: { item: SendItem; ref: RemoteRef }[] = [];
      const choose: SyncJob[] = [];
      const notThere: SyncJob[] = [];
      const gaveUp: SyncJob[] = [];
      for (const item of chunk) {
        const ref = found.get(item.job.id);
        const count = several.get(item.job.id);
        if (ref) already.push({ item, ref });
        else if (count !== undefined) {
          // Which one is the caller (or the one our lost request made) is for the user to
          // say; choosing links the lead, and this job then closes (see processSystem).
          choose.push(
            update(item.job, {
              ...doubtIfSent(item.job),
              state: 'queued',
              waitingFor: 'contact',
              nextTryAt: NEVER,
              claim: undefined,
              lastError: `${count} ${CRM_LABELS[connector.system]} contacts have this number: choose one.`,
              lastErrorAt: now(),
            }),
          );
        } else if (
          !isUpdateKind(item.job.kind) &&
          doubtful(item.job) &&
          now() < (item.job.uncertainAt ?? item.job.sentAt ?? 0) + (connector.lookupPatienceMs ?? 0)
        ) {
          // Lookups go through the CRM's search (a contact by phone, a call, note or task
          // by its marker), and the search index may still be behind the write (HubSpot's
          // can lag minutes): look again later, backing off, before creating it again.
          // (Completing a task is an update, safe to repeat: it is not looked up.)
          const since = item.job.uncertainAt ?? item.job.sentAt ?? now();
          choose.push(
            update(item.job, {
              state: 'queued',
              maybeCreated: true,
              uncertainAt: since,
              nextTryAt: now() + Math.min(Math.max(now() - since, 5_000), 2 * 60_000),
              claim: undefined,
              lastError: `Checking whether ${CRM_LABELS[connector.system]} already has it (its search can lag behind).`,
              lastErrorAt: now(),
            }),
          );
        } else if (doubtful(item.job) && item.job.tries >= MAX_TRIES) {
          // The last of its tries may have landed; it did not. Now it is for the user.
          gaveUp.push(item.job);
        } else {
          notThere.push(
            update(item.job, {
              state: 'queued',
              maybeCreated: false,
              uncertainAt: undefined,
              checkedAt: now(),
              claim: undefined,
            }),
          );
        }
      }
      await markSynced(already);
      await commit(choose);
      for (const job of gaveUp) {
        await fail(
          [update(job, { state: 'queued', maybeCreated: false, claim: undefined })],
          `Gave up after ${job.tries} tries (${job.lastError ?? 'no answer'}) It is not in ${CRM_LABELS[connector.system]} (looked up): Retry sends it again.`,
        );
      }
      // Saved even if the lease was taken over meanwhile: the next drain need not ask again.
      const saved = await commit(notThere, undefined, true);
      if (lost) return { verdict: 'stop', absent };
      for (const job of saved) {
        const item = chunk.find((c) => c.job.id === job.id)!;
        item.job = job;
        absent.push(item);
      }
    }
    return { verdict: 'continue', absent };
  };

  /**
   * A call, note, task, text or email the CRM refused (4xx) because the contact it attaches to was
   * deleted there: asked of the CRM, and if the contact is gone, the lead's link to it is
   * dropped and the job waits for the user to choose or create the contact (Retry alone
   * would be refused again for ever). True when the job was handled so.
   */
  const contactGone = async (
    connector: Connector,
    jobs: SyncJob[],
    error: unknown,
  ): Promise<boolean> => {
    const [job] = jobs;
    if (jobs.length !== 1 || !job || !connector.contactExists) return false;
    if (!(error instanceof HttpError) || !nothingWritten(error)) return false;
    if (error instanceof RateLimitError || error instanceof ReconnectError) return false;
    if (job.kind === 'contact' || isUpdateKind(job.kind)) return false;
    const contactId = job.contactId;
    if (!contactId) return false;
    try {
      if (await connector.contactExists(contactId)) return false;
    } catch {
      return false; // cannot tell: the refusal stands as it is
    }
    const label = CRM_LABELS[job.system];
    await commit(
      [
        update(job, {
          state: 'queued',
          waitingFor: 'contact',
          nextTryAt: NEVER,
          contactId: undefined,
          claim: undefined,
          lastError: `The ${label} contact this lead was linked to no longer exists: choose one or create it.`,
          lastErrorAt: now(),
        }),
      ],
      async (written) => {
        if (written.length === 0) return;
        const lead = await db.leads.get(job.leadId);
        const links = lead?.crmLinks ?? [];
        const kept = links.filter(
          (l) =>
            !(l.system === job.system && l.account === job.account && l.contactId === contactId),
        );
        if (lead && kept.length !== links.length)
          await db.leads.put({ ...lead, crmLinks: kept, updatedAt: now() });
        // The user linked another contact while the request was on its way: it goes there.
        if (kept.some((l) => l.system === job.system && l.account === job.account))
          await releaseWaitingJobs(db, job.leadId, job.system, now());
      },
    );
    return true;
  };

  const processItems = async (
    connector: Connector,
    items: SendItem[],
  ): Promise<'stop' | 'continue'> => {
    if (items.length === 0) return 'continue';
    // 1. Jobs whose earlier request may have landed: look them up first. A contact is
    //    looked up too (someone may have added it since the lead was matched), unless a
    //    recent drain already did.
    const doubtful = (job: SyncJob) => job.state === 'syncing' || job.maybeCreated;
    const checked = (job: SyncJob) =>
      job.checkedAt !== undefined && now() - job.checkedAt < LOOKUP_FRESH_MS;
    const uncertain = items.filter(
      (i) => doubtful(i.job) || (i.job.kind === 'contact' && !checked(i.job)),
    );
    const certain = items.filter((i) => !uncertain.includes(i));
    const lookNow: SendItem[] = [];
    const postponed: SyncJob[] = [];
    for (const item of uncertain) {
      const since = item.job.uncertainAt ?? item.job.sentAt ?? 0;
      const settleAt = since + connector.lookupSettleMs;
      if (doubtful(item.job) && settleAt > now()) {
        // The CRM's search may not show it yet; looking now could miss it and duplicate it.
        postponed.push(
          update(item.job, {
            state: 'queued',
            maybeCreated: true,
            uncertainAt: since,
            nextTryAt: settleAt,
            claim: undefined,
          }),
        );
      } else lookNow.push(item);
    }
    await commit(postponed);
    if (lookNow.length) {
      const { verdict, absent } = await lookUp(connector, lookNow);
      certain.push(...absent);
      if (verdict === 'stop') return 'stop';
    }

    // 2. Create what is certainly not there yet.
    const batchable = connector.createMany && (deps.batching ?? true) && connector.maxBatch > 1;
    const order = (kind: SyncKind) => KIND_ORDER.indexOf(kind) >>> 0;
    const kinds = [...new Set(certain.map((i) => i.job.kind))].sort((a, b) => order(a) - order(b));
    for (const kind of kinds) {
      const ofKind = certain.filter((i) => i.job.kind === kind);
      // Shared-queue tasks search before they create: never batched.
      const chunkSize =
        batchable && kind !== 'contact' && !isSharedKind(kind) ? connector.maxBatch : 1;
      for (let i = 0; i < ofKind.length; i += chunkSize) {
        const chunk = await markSending(ofKind.slice(i, i + chunkSize));
        if (lost) return 'stop';
        if (chunk.length === 0) continue;
        try {
          if (chunk.length > 1 && kind !== 'contact') {
            const outcome = await connector.createMany!(
              kind as Exclude<SyncKind, 'contact'>,
              chunk,
            );
            const done: { item: SendItem; ref: RemoteRef }[] = [];
            const missing: SendItem[] = [];
            for (const item of chunk) {
              const ref = outcome.created.get(item.job.id);
              const why = outcome.rejected.get(item.job.id);
              if (ref) done.push({ item, ref });
              else if (why !== undefined) {
                await fail(
                  [item.job],
                  `${CRM_LABELS[connector.system]} refused it (${why}).`,
                  true,
                );
              } else missing.push(item);
            }
            await markSynced(done);
            if (missing.length && outcome.unattributed.length >= missing.length) {
              // As many refusals as records unaccounted for: none of them was created, but
              // the answer does not say which refusal is whose. One by one tells.
              const back = await commit(
                missing.map((m) =>
                  update(m.job, { state: 'queued', nextTryAt: now(), claim: undefined }),
                ),
              );
              const again = missing.filter((m) => back.some((b) => b.id === m.job.id));
              for (const m of again) m.job = known.get(m.job.id)!;
              if ((await processOneByOne(connector, again)) === 'stop') return 'stop';
            } else if (missing.length) {
              await markUncertain(
                missing.map((m) => m.job),
                outcome.unattributed.length
                  ? `${CRM_LABELS[connector.system]} did not confirm it (${outcome.unattributed.join('; ')}).`
                  : `${CRM_LABELS[connector.system]} did not confirm it.`,
                true,
                connector.lookupSettleMs,
              );
            }
          } else {
            const item = chunk[0]!;
            await markSynced([{ item, ref: await createRecord(connector, item) }]);
          }
        } catch (error) {
          const jobs = chunk.map((c) => c.job);
          if (
            chunk.length > 1 &&
            nothingWritten(error) &&
            !(error instanceof RateLimitError) &&
            !(error instanceof ReconnectError) &&
            !(error instanceof AccountChangedError)
          ) {
            // The CRM refused the whole batch (4xx) for one bad record: nothing was created,
            // so send them one by one to find it and let the others through.
            const back = await commit(
              jobs.map((job) =>
                update(job, { state: 'queued', nextTryAt: now(), claim: undefined }),
              ),
            );
            const again = chunk.filter((c) => back.some((b) => b.id === c.job.id));
            for (const c of again) c.job = known.get(c.job.id)!;
            if ((await processOneByOne(connector, again)) === 'stop') return 'stop';
            continue;
          }
          if (await contactGone(connector, jobs, error)) continue;
          const verdict = await handleError(jobs, error, true, connector.lookupSettleMs);
          if (verdict === 'stop') return 'stop';
        }
      }
    }
    return 'continue';
  };

  const processOneByOne = async (
    connector: Connector,
    items: SendItem[],
  ): Promise<'stop' | 'continue'> => {
    for (const item of items) {
      if ((await markSending([item])).length === 0) {
        if (lost) return 'stop';
        continue;
      }
      try {
        await markSynced([{ item, ref: await createRecord(connector, item) }]);
      } catch (error) {
        if (await contactGone(connector, [item.job], error)) continue;
        if ((await handleError([item.job], error, true, connector.lookupSettleMs)) === 'stop')
          return 'stop';
      }
    }
    return 'continue';
  };

  const processSystem = async (system: CrmSystem, jobs: SyncJob[]) => {
    const connector = await deps.connectorFor(system);
    if (!connector) {
      // A job left `syncing` keeps "may already exist" (fail adds it): after reconnecting,
      // it is looked up before anything is sent.
      await fail(
        jobs,
        `${CRM_LABELS[system]} is not connected. Connect it in Settings, then retry.`,
      );
      return;
    }
    // Contact ids (and task ids) belong to the account a job was queued for: a job of
    // another account (the user connected a different portal) is matched again.
    const account = connector.accountKey;
    const items: SendItem[] = [];
    const waiting: SyncJob[] = [];
    const elsewhere: SyncJob[] = [];
    const linked: { item: SendItem; ref: RemoteRef & { name?: string } }[] = [];
    const leads = new Map<string, Lead | undefined>();
    const leadOf = async (id: string) => {
      if (!leads.has(id)) leads.set(id, await db.leads.get(id));
      return leads.get(id);
    };
    for (const queued of jobs) {
      const sameAccount = queued.account === account;
      if (!sameAccount && isUpdateKind(queued.kind)) {
        // The task to complete is in the other account: nothing to do in this one.
        elsewhere.push(
          update(queued, {
            state: 'synced',
            nextTryAt: NEVER,
            syncedAt: now(),
            claim: undefined,
            lastError: `The earlier follow-up task is in another ${CRM_LABELS[system]} account; it was left as it is.`,
          }),
        );
        continue;
      }
      const job = sameAccount ? queued : update(queued, { account, contactId: undefined });
      if (job.kind === 'contact') {
        // The lead got its contact meanwhile (chosen or matched): nothing to create.
        const crm = crmLinkOf(await leadOf(job.leadId), system, account);
        if (crm) {
          linked.push({
            item: { job, contactId: crm.contactId, marker: markerFor(job) },
            ref: {
              id: crm.contactId,
              ...(crm.url ? { url: crm.url } : {}),
              ...(crm.name ? { name: crm.name } : {}),
            },
          });
          continue;
        }
      }
      // The lead's link in this account is the truth: a record tried before (and stored with
      // the contact it was sent for) goes to the contact the lead is linked to now, if the
      // user chose another one meanwhile or the old one was deleted.
      let contactId: string | undefined;
      if (job.kind !== 'contact')
        contactId =
          crmLinkOf(await leadOf(job.leadId), system, account)?.contactId ?? job.contactId;
      // Completing a task needs only the task's id: it never waits for a contact. A shared-queue
      // task goes on the contact when the lead has one, and without one otherwise.
      if (
        job.kind !== 'contact' &&
        job.kind !== 'complete' &&
        !isSharedKind(job.kind) &&
        !contactId
      ) {
        waiting.push(
          update(job, {
            ...doubtIfSent(job),
            state: 'queued',
            waitingFor: 'contact',
            nextTryAt: NEVER,
            claim: undefined,
            lastError: `Waiting for the ${CRM_LABELS[system]} contact: choose one or create it.`,
          }),
        );
        continue;
      }
      items.push({
        job,
        contactId: contactId ?? '',
        ownerId: await deps.ownerFor(system, job.payload.staffId),
        marker: markerFor(job),
      });
    }
    await commit(waiting);
    await commit(elsewhere);
    await markSynced(linked);
    // Contacts first, each looked up and created before the next: the other records attach
    // to them, and a pass cut short (rate limit, lease taken over) has finished contacts.
    for (const contact of items.filter((i) => i.job.kind === 'contact')) {
      // Read the lead again: an earlier contact job of this pass (another job for the same
      // lead, CRM and account) may have just linked it, and the CRM's search may not show
      // that contact yet: creating it again would make a second one.
      const lead = await db.leads.get(contact.job.leadId);
      let crm = crmLinkOf(lead, system, account);
      if (!crm && lead?.phone) {
        // Another lead of the same caller got its contact in this account (perhaps moments
        // ago, before the CRM's search shows it): the same person, the same contact.
        const siblings = await db.leads.where('phoneKey').equals(lead.phoneKey).toArray();
        crm = siblings
          .filter((s) => s.id !== lead.id && s.phone === lead.phone)
          .sort((x, y) => y.updatedAt - x.updatedAt)
          .map((s) => crmLinkOf(s, system, account))
          .find((l) => l !== undefined);
      }
      if (crm) {
        await markSynced([
          {
            item: { ...contact, contactId: crm.contactId },
            ref: {
              id: crm.contactId,
              ...(crm.url ? { url: crm.url } : {}),
              ...(crm.name ? { name: crm.name } : {}),
            },
          },
        ]);
        if (lost) return;
        continue;
      }
      if ((await processItems(connector, [contact])) === 'stop') return;
    }
    await processItems(
      connector,
      items.filter((i) => i.job.kind !== 'contact'),
    );
  };

  let released = false;
  try {
    const started = now();
    for (;;) {
      if (!(await holdLease())) break;
      // Orphans first: a job left 'syncing' by a drain that is gone (its worker died, or it
      // threw) — nobody will record its answer. One claimed by a drain still running here
      // (it lost the lease mid-request) has its answer coming, and that drain records it.
      const orphans = (await db.outbox.where('state').equals('syncing').toArray())
        .map((r) => asJob(r)!)
        .filter((j) => j.sentBy !== runId || !j.claim || !activeDrains.has(j.claim));
      const due = (await db.outbox.where('nextTryAt').belowOrEqual(now()).limit(500).toArray())
        .map((r) => asJob(r)!)
        .filter((j) => j.state === 'queued');
      for (const job of [...orphans, ...due]) known.set(job.id, job);
      const order = (kind: SyncKind) => KIND_ORDER.indexOf(kind) >>> 0;
      const ready = [...orphans, ...due].sort(
        (a, b) => order(a.kind) - order(b.kind) || a.createdAt - b.createdAt,
      );
      if (ready.length === 0) {
        const next = await nextDueAt(db);
        const wait = next === null ? Infinity : next - now();
        if (wait <= inProcessWaitMs && now() + wait - started <= budgetMs) {
          await sleep(Math.max(wait, 20));
          continue;
        }
        const again = await leaseOp((lease) =>
          !ours(lease)
            ? { result: 'lost' as const }
            : lease?.again
              ? { next: { ...lease, again: false }, result: 'again' as const }
              : { next: null, result: 'done' as const },
        );
        if (again === 'again') continue;
        released = true;
        break;
      }
      for (const system of [...new Set(ready.map((j) => j.system))]) {
        if (lost) break;
        await processSystem(
          system,
          ready.filter((j) => j.system === system),
        );
      }
      if (lost || now() - started > budgetMs) break;
    }
  } finally {
    activeDrains.delete(drainId);
    // Release only our own lease: one taken over belongs to the drain that runs now.
    if (!released)
      await leaseOp((lease) =>
        ours(lease) ? { next: null, result: undefined } : { result: undefined },
      );
    report.nextTryAt = await nextDueAt(db);
  }
  return report;
}
