import type { CallbackDeskDB, SyncJobRecord } from '../db';
import type { Lead } from '../model';
import { backoffDelay, describeError, HttpError, RateLimitError } from '../http';
import { createRecord, ReconnectError, type Connector } from '../crm/connector';
import {
  CRM_LABELS,
  markerFor,
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
 * - A job is marked `syncing` with `sentAt` *before* its create request leaves.
 * - A job found `syncing` by a later run (the worker died before saving the answer), or
 *   flagged `maybeCreated` (timeout, dropped connection, 5xx), is looked up in the CRM
 *   first — by its marker or external property — and only created if it is not there.
 * - A 429 or a 4xx answer means nothing was created: no lookup needed.
 * - Retries back off exponentially with jitter; rate limits come from the response
 *   headers (utils/http.ts limiters, persisted); a refused token is refreshed once, then
 *   the system's jobs fail with "Reconnect …" until the user reconnects.
 */

/** Jobs that are not waiting for a time (synced, failed, waiting for a contact, in flight). */
export const NEVER = Number.MAX_SAFE_INTEGER;
/** After this many uncertain or server failures a job stops and asks the user. */
export const MAX_TRIES = 8;
const LEASE_ROW = 'outbox:lease';
const LEASE_MS = 60_000;
const KIND_ORDER: SyncKind[] = ['contact', 'call', 'note', 'task'];

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

  /**
   * Set when another drain took the lease over (ours expired during a long pass): this
   * drain then sends nothing more and leaves the queue to the new holder.
   */
  let lost = false;
  /** Renew the lease; false (and `lost`) when it is no longer ours. */
  const holdLease = async () => {
    const held = await leaseOp((lease) =>
      lease && ours(lease) ? { next: renewed(lease), result: true } : { result: false },
    );
    if (!held) lost = true;
    return held;
  };

  /** Each job as this drain last read or wrote it: what a claim compares against. */
  const known = new Map<string, SyncJob>();
  const save = async (jobs: SyncJob[]) => {
    if (jobs.length === 0) return;
    await db.outbox.bulkPut(jobs.map(asRow));
    for (const job of jobs) known.set(job.id, job);
  };
  const update = (job: SyncJob, patch: Partial<SyncJob>): SyncJob => ({
    ...job,
    ...patch,
    updatedAt: now(),
  });

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
      }),
    );
    await db.transaction('rw', db.outbox, db.leads, async () => {
      await save(jobs);
      for (const [i, job] of jobs.entries()) {
        if (job.kind !== 'contact') continue;
        // The new contact becomes the lead's CRM link; records waiting for it can go.
        const ref = results[i]!.ref as RemoteRef & { name?: string };
        const lead = await db.leads.get(job.leadId);
        if (lead) {
          await db.leads.put({
            ...lead,
            crm: {
              system: job.system,
              contactId: ref.id,
              ...(ref.url ? { url: ref.url } : {}),
              ...(ref.name ? { name: ref.name } : {}),
            },
            updatedAt: now(),
          });
        }
        await releaseWaitingJobs(db, job.leadId, job.system, now());
      }
    });
    report.synced += jobs.length;
  };

  const fail = async (jobs: SyncJob[], message: string) => {
    await save(
      jobs.map((job) =>
        update(job, { state: 'failed', lastError: message, lastErrorAt: now(), nextTryAt: NEVER }),
      ),
    );
    report.failed += jobs.length;
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
      await fail(jobs, error.message);
      // Every other job of this system would hit the same wall: stop them too, visibly.
      const rest = (await db.outbox.where('state').equals('queued').toArray())
        .map((row) => asJob(row)!)
        .filter((job) => job.system === error.system && !jobs.some((j) => j.id === job.id));
      await fail(rest, error.message);
      return 'stop';
    }
    if (error instanceof RateLimitError) {
      // Nothing was created. Not the job's fault: no try is counted.
      const wait = Math.max(1_000, error.retryAfterMs ?? 10_000);
      await save(
        jobs.map((job) =>
          update(job, {
            state: 'queued',
            nextTryAt: now() + wait,
            lastError: describeError(error, now()),
            lastErrorAt: now(),
            maybeCreated: job.maybeCreated,
          }),
        ),
      );
      return 'stop';
    }
    if (error instanceof HttpError && !error.retryable) {
      await fail(
        jobs,
        `${label} refused it (${error.status}${error.message ? `: ${error.message}` : ''}).`,
      );
      return 'continue';
    }
    // Timeout, dropped connection, 5xx, an answer we could not read, or a bug: the record
    // may exist now. Back off, then look it up before creating again.
    await markUncertain(jobs, describeError(error, now()), sent, settleMs);
    return 'stop';
  };

  /**
   * Jobs whose fate is unknown: a try is counted (so a record that never shows up ends as
   * "Gave up after …" instead of looping), and a sent one is looked up before it is resent.
   */
  const markUncertain = async (
    jobs: SyncJob[],
    message: string,
    sent: boolean,
    settleMs: number,
  ) => {
    const saved = jobs.map((job) => {
      const tries = job.tries + 1;
      const maybeCreated = job.maybeCreated || sent;
      if (tries >= MAX_TRIES) {
        return update(job, {
          state: 'failed',
          tries,
          maybeCreated,
          uncertainAt: sent ? now() : job.uncertainAt,
          lastError: `Gave up after ${tries} tries: ${message}`,
          lastErrorAt: now(),
          nextTryAt: NEVER,
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
        uncertainAt: sent ? now() : job.uncertainAt,
        lastError: message,
        lastErrorAt: now(),
        nextTryAt: now() + delay,
      });
    });
    await save(saved);
    report.failed += saved.filter((j) => j.state === 'failed').length;
  };

  /**
   * Claim jobs and mark them as on their way, durably, before the request leaves. In one
   * transaction with the lease: the lease is renewed (or found lost: nothing is claimed),
   * and a job is claimed only if its row is still as this drain read it — another drain
   * that took it meanwhile (sent, synced, failed or re-queued it) wins, and it is skipped.
   */
  const markSending = async (items: SendItem[]): Promise<SendItem[]> => {
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

  const processItems = async (
    connector: Connector,
    items: SendItem[],
  ): Promise<'stop' | 'continue'> => {
    if (items.length === 0) return 'continue';
    // 1. Jobs whose earlier request may have landed: look them up first. A contact is
    //    always looked up: someone may have added it since the lead was matched.
    const doubtful = (job: SyncJob) => job.state === 'syncing' || job.maybeCreated;
    const uncertain = items.filter((i) => i.job.kind === 'contact' || doubtful(i.job));
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
          }),
        );
      } else lookNow.push(item);
    }
    await save(postponed);
    if (lookNow.length) {
      let found: Map<string, RemoteRef>;
      /** Contact jobs whose number several CRM contacts have: job id → how many. */
      const several = new Map<string, number>();
      try {
        found = await connector.findExisting(lookNow.filter((i) => i.job.kind !== 'contact'));
        for (const item of lookNow.filter((i) => i.job.kind === 'contact')) {
          const match = await connector.matchContact(item);
          if (match.kind === 'single') found.set(item.job.id, match.ref);
          else if (match.kind === 'several') several.set(item.job.id, match.count);
        }
      } catch (error) {
        return handleError(
          lookNow.map((i) =>
            update(i.job, {
              state: 'queued',
              maybeCreated: doubtful(i.job),
              uncertainAt: i.job.uncertainAt ?? i.job.sentAt,
            }),
          ),
          error,
          false,
          connector.lookupSettleMs,
        );
      }
      const already: { item: SendItem; ref: RemoteRef }[] = [];
      const choose: SyncJob[] = [];
      for (const item of lookNow) {
        const ref = found.get(item.job.id);
        const count = several.get(item.job.id);
        if (ref) already.push({ item, ref });
        else if (count !== undefined) {
          // Which one is the caller (or the one our lost request made) is for the user to
          // say; choosing links the lead, and this job then closes (see processSystem).
          choose.push(
            update(item.job, {
              state: 'queued',
              waitingFor: 'contact',
              nextTryAt: NEVER,
              lastError: `${count} ${CRM_LABELS[connector.system]} contacts have this number: choose one.`,
              lastErrorAt: now(),
            }),
          );
        } else {
          item.job = update(item.job, { maybeCreated: false, uncertainAt: undefined });
          certain.push(item);
        }
      }
      await markSynced(already);
      await save(choose);
    }

    // 2. Create what is certainly not there yet.
    const batchable = connector.createMany && (deps.batching ?? true) && connector.maxBatch > 1;
    for (const kind of KIND_ORDER) {
      const ofKind = certain.filter((i) => i.job.kind === kind);
      const chunkSize = batchable && kind !== 'contact' ? connector.maxBatch : 1;
      for (let i = 0; i < ofKind.length; i += chunkSize) {
        const chunk = await markSending(ofKind.slice(i, i + chunkSize));
        if (lost) return 'stop';
        if (chunk.length === 0) continue;
        try {
          if (chunk.length > 1 && kind !== 'contact') {
            const outcome = await connector.createMany!(kind, chunk);
            const done: { item: SendItem; ref: RemoteRef }[] = [];
            const missing: SendItem[] = [];
            for (const item of chunk) {
              const ref = outcome.created.get(item.job.id);
              const why = outcome.rejected.get(item.job.id);
              if (ref) done.push({ item, ref });
              else if (why !== undefined) {
                await fail([item.job], `${CRM_LABELS[connector.system]} refused it (${why}).`);
              } else missing.push(item);
            }
            await markSynced(done);
            if (missing.length && outcome.unattributed.length >= missing.length) {
              // As many refusals as records unaccounted for: none of them was created, but
              // the answer does not say which refusal is whose. One by one tells.
              await save(missing.map((m) => update(m.job, { state: 'queued', nextTryAt: now() })));
              for (const m of missing) m.job = update(m.job, { state: 'queued' });
              if ((await processOneByOne(connector, missing)) === 'stop') return 'stop';
            } else if (missing.length) {
              await markUncertain(
                missing.map((m) => m.job),
                outcome.unattributed.length
                  ? `${CRM_LABELS[connector.system]} did not confirm it (${outcome.unattributed.join('; ')}).`
                  : `${CRM_LABELS[connector.system]} did not confirm it; looking it up before trying again.`,
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
            error instanceof HttpError &&
            !error.retryable &&
            !(error instanceof RateLimitError)
          ) {
            // The CRM rejects a whole batch for one bad record: nothing was created, so
            // send them one by one to find it and let the others through.
            await save(jobs.map((job) => update(job, { state: 'queued', nextTryAt: now() })));
            for (const item of chunk) item.job = update(item.job, { state: 'queued' });
            const one = await processOneByOne(connector, chunk);
            if (one === 'stop') return 'stop';
            continue;
          }
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
        if ((await handleError([item.job], error, true, connector.lookupSettleMs)) === 'stop')
          return 'stop';
      }
    }
    return 'continue';
  };

  const processSystem = async (system: CrmSystem, jobs: SyncJob[]) => {
    const connector = await deps.connectorFor(system);
    if (!connector) {
      await fail(
        jobs,
        `${CRM_LABELS[system]} is not connected. Connect it in Settings, then retry.`,
      );
      return;
    }
    const items: SendItem[] = [];
    const waiting: SyncJob[] = [];
    const linked: { item: SendItem; ref: RemoteRef & { name?: string } }[] = [];
    const leads = new Map<string, Lead | undefined>();
    const leadOf = async (id: string) => {
      if (!leads.has(id)) leads.set(id, await db.leads.get(id));
      return leads.get(id);
    };
    for (const job of jobs) {
      if (job.kind === 'contact') {
        // The lead got its contact meanwhile (chosen or matched): nothing to create.
        const crm = (await leadOf(job.leadId))?.crm;
        if (crm?.system === system) {
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
      let contactId = job.contactId;
      if (job.kind !== 'contact' && !contactId) {
        const crm = (await leadOf(job.leadId))?.crm;
        contactId = crm?.system === system ? crm.contactId : undefined;
      }
      if (job.kind !== 'contact' && !contactId) {
        waiting.push(
          update(job, {
            state: 'queued',
            waitingFor: 'contact',
            nextTryAt: NEVER,
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
    await save(waiting);
    await markSynced(linked);
    // Contacts first: the other records attach to them.
    const contacts = items.filter((i) => i.job.kind === 'contact');
    if ((await processItems(connector, contacts)) === 'stop') return;
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
      // Orphans first: a job left 'syncing' by a worker that died. (One stamped with this
      // worker's id is in flight in an earlier drain that lost the lease: its answer is
      // still coming, and that drain records it.)
      const orphans = (await db.outbox.where('state').equals('syncing').toArray())
        .map((r) => asJob(r)!)
        .filter((j) => j.sentBy !== runId);
      const due = (await db.outbox.where('nextTryAt').belowOrEqual(now()).limit(500).toArray())
        .map((r) => asJob(r)!)
        .filter((j) => j.state === 'queued');
      for (const job of [...orphans, ...due]) known.set(job.id, job);
      const ready = [...orphans, ...due].sort(
        (a, b) =>
          KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.createdAt - b.createdAt,
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
    // Release only our own lease: one taken over belongs to the drain that runs now.
    if (!released)
      await leaseOp((lease) =>
        ours(lease) ? { next: null, result: undefined } : { result: undefined },
      );
    report.nextTryAt = await nextDueAt(db);
  }
  return report;
}
