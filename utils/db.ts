import Dexie, { type EntityTable } from 'dexie';
import { withAttempt } from './metrics/attemptSummary';
import type {
  AnsweredCall,
  Attempt,
  AttemptSummary,
  CallStat,
  Lead,
  LeadCrmLink,
  LiveCaller,
  MissedCall,
  SurveyAnswer,
} from './model';

/** Health of one site adapter on one site (rows seen/read, misses), shown in the sidebar. */
export interface AdapterHealthRecord {
  /** `${adapterId}@${host}`: one record per adapter per site (a custom adapter may serve several). */
  id: string;
  adapterId: string;
  host: string;
  rowsSeen: number;
  rowsRead: number;
  selectorMisses: number;
  lastSuccessAt?: number;
  lastSeenAt: number;
  lastError?: string;
}

/**
 * An answered call already counted in `callStats`: a fingerprint of its key (the provider's
 * call id, or the caller and start time), not the number itself.
 */
export interface AnsweredSeenRecord {
  fp: string;
  /** When the call started (rows older than the CSV import's 2 years are dropped). */
  at: number;
}

/** Credentials. Only the background and extension pages open this database. */
export interface SecretRecord {
  key: string;
  value: unknown;
  updatedAt: number;
}

/** Where an API poller got to, so a restart neither misses nor repeats calls. */
export interface CursorRecord {
  sourceId: string;
  cursor: unknown;
  lastPollAt?: number;
  lastSuccessAt?: number;
  lastError?: string;
  nextPollAfter?: number;
  /** Failed polls in a row (backoff grows with it; reset by a success). */
  consecutiveFailures?: number;
  /** What the last successful poll found, for the status line in Options. */
  lastResult?: {
    fetched: number;
    added: number;
    duplicates: number;
    answeredClosed: number;
    rejected?: number;
  };
}

/**
 * One lead's task in the firm's shared queue (utils/team/sharedQueue.ts): lead ↔ CRM task,
 * what this browser last read of it and what it last wrote into it.
 */
export interface SharedTaskRecord {
  /** `${system}:${leadId}`: one shared task per lead and CRM. */
  id: string;
  leadId: string;
  system: 'hubspot' | 'clio';
  account?: string;
  /** Our lead key (utils/team/sharedTasks.ts sharedKeyOf). */
  key: string;
  /** The CRM task's id, once created or found (the create job's id until then). */
  taskId?: string;
  jobId?: string;
  etag?: string;
  /** The task's last modification in the CRM, as last read. */
  crmUpdatedAt?: number;
  done?: boolean;
  ownerId?: string;
  /** What this browser last wrote: attempts in the body, closed. */
  publishedAttempts?: number;
  publishedDone?: boolean;
  /** The claim this browser last wrote (`${claimedBy}@${claimedAt}`). */
  publishedClaim?: string;
  /** The attempt lines the task had when last read (a colleague's attempts are kept). */
  attemptLines?: string[];
  /** Someone deleted the task in the CRM: the lead is left out of the shared queue. */
  deletedAt?: number;
  updatedAt: number;
}

/** One durable CRM write (the outbox). Shape owned by utils/outbox/outbox.ts. */
export interface SyncJobRecord {
  id: string;
  idempotencyKey: string;
  leadId: string;
  state: string;
  nextTryAt: number;
  [key: string]: unknown;
}

/**
 * One text in the message outbox (a durable SMS send). Shape owned by
 * utils/workflow/messageOutbox.ts (MessageJob); loose here so the database does not depend
 * on the workflow code.
 */
export interface MessageJobRecord {
  id: string;
  /** Idempotency key: enqueueing the same key again returns the existing job. */
  key: string;
  leadId: string;
  phoneKey: string;
  state: string;
  /** When the text went or is to go out (sentAt, else sendAfter, else when queued). */
  at: number;
  /** Same as `at`, present on automatic texts only (their index). */
  automaticAt?: number;
  [key: string]: unknown;
}

/** A number that must not be texted: a STOP reply, the provider's opt-out error, or the firm. */
export interface OptOutRecord {
  /** The lead's phoneKey (E.164). */
  phoneKey: string;
  /** Said on the lead ("Replied STOP on 3 Dec", "Twilio: unsubscribed recipient (21610)"). */
  reason: string;
  source: 'provider-error' | 'inbound-stop' | 'firm';
  /** Which provider reported it, when one did. */
  provider?: string;
  at: number;
}

/**
 * The one database, in the extension's origin. Opened only by extension pages and the
 * background (never by content scripts, whose IndexedDB would belong to the host page).
 *
 * Versions (each kept so an old browser profile upgrades step by step):
 * 1. leads, calls, attempts.
 * 2. open-lead indexes (openDueAt/openOverdueAt only exist while a lead is open, so the
 *    badge counts overdue leads from an index instead of scanning), caller+status lookup,
 *    provider call ids for exact re-read dedupe.
 * 3. adapter health, secrets (credentials), poller cursors, the CRM outbox.
 * 4. answered calls that closed no lead, kept a day (group ring).
 * 5. a lead's CRM link becomes one link per CRM and account (`crm` → `crmLinks`), and
 *    links and outbox jobs record the account they belong to (taken from the connection
 *    saved at upgrade time; a link whose CRM is not connected then keeps no account and
 *    is matched again on the next sync).
 * 6. indexes no query uses are dropped (leads: dueAt, lastMissedAt, source, assignee;
 *    calls: startedAt, capturePath).
 * 7. the message outbox (texts: by state, lead, number and time, automatic ones by time) and
 *    opted-out numbers (keyed by phoneKey). Leads keep their `status` index (the cadence's
 *    'no-contact' status is read from it).
 * 8. metrics (utils/metrics/): answered calls counted per firm day, hour, line, source and
 *    path (`callStats`), fingerprints of the answered calls counted (`answeredSeen`, so a
 *    re-read never counts twice), new callers answered live (`liveCallers`, for conversion),
 *    post-intake survey answers (`surveys`, one per lead), calls by start time again and
 *    leads by first missed call (the dashboard reads a date range); each lead gets its
 *    attempt summary.
 * 9. the shared queue: each lead's CRM task (sharedTasks, by lead and by task id).
 */
export class CallbackDeskDB extends Dexie {
  leads!: EntityTable<Lead, 'id'>;
  calls!: EntityTable<MissedCall, 'id'>;
  attempts!: EntityTable<Attempt, 'id'>;
  adapterHealth!: EntityTable<AdapterHealthRecord, 'id'>;
  secrets!: EntityTable<SecretRecord, 'key'>;
  cursors!: EntityTable<CursorRecord, 'sourceId'>;
  outbox!: EntityTable<SyncJobRecord, 'id'>;
  answeredCalls!: EntityTable<AnsweredCall, 'id'>;
  messages!: EntityTable<MessageJobRecord, 'id'>;
  optOuts!: EntityTable<OptOutRecord, 'phoneKey'>;
  callStats!: EntityTable<CallStat, 'id'>;
  answeredSeen!: EntityTable<AnsweredSeenRecord, 'fp'>;
  liveCallers!: EntityTable<LiveCaller, 'phoneKey'>;
  surveys!: EntityTable<SurveyAnswer, 'leadId'>;
  sharedTasks!: EntityTable<SharedTaskRecord, 'id'>;

  constructor(name = 'callback-desk') {
    super(name);
    this.version(1).stores({
      leads: 'id, phoneKey, status, dueAt, lastMissedAt',
      calls: 'id, leadId, [phoneKey+startedAt], startedAt',
      attempts: 'id, leadId, at',
    });
    this.version(2)
      .stores({
        leads:
          'id, phoneKey, status, dueAt, lastMissedAt, openDueAt, openOverdueAt, [phoneKey+status], source, assignee',
        calls: 'id, leadId, [phoneKey+startedAt], startedAt, providerKey, capturePath',
        attempts: 'id, leadId, at',
      })
      .upgrade(async (tx) => {
        await tx
          .table('leads')
          .toCollection()
          .modify((lead: Lead & { overdueAt?: number }) => {
            lead.overdueAt ??= lead.dueAt + 10 * 60_000;
            lead.priority ??= false;
            lead.attemptCount ??= 0;
            if (lead.status !== 'done') {
              lead.openDueAt = lead.dueAt;
              lead.openOverdueAt = lead.overdueAt;
            }
          });
        await tx
          .table('calls')
          .toCollection()
          .modify((call: MissedCall) => {
            if (call.providerCallId) call.providerKey = `${call.provider}:${call.providerCallId}`;
          });
      });
    this.version(3).stores({
      adapterHealth: 'id, adapterId, host, lastSeenAt',
      secrets: 'key',
      cursors: 'sourceId',
      outbox: 'id, &idempotencyKey, state, nextTryAt, leadId',
    });
    // Answered calls that closed no lead, kept a day (utils/queue/leads.ts: group ring).
    this.version(4).stores({
      answeredCalls: 'id, phoneKey, startedAt',
    });
    this.version(5)
      .stores({})
      .upgrade(async (tx) => {
        // The account each connected CRM acts in (accountKeyOf in utils/crm/model.ts).
        const accounts: Record<string, string | undefined> = {};
        for (const system of ['hubspot', 'clio']) {
          const row = (await tx.table('secrets').get(`crm:${system}`)) as SecretRecord | undefined;
          const account = (row?.value as { account?: { id?: unknown; key?: unknown } } | undefined)
            ?.account;
          const key = account?.key ?? account?.id;
          if (typeof key === 'string') accounts[system] = key;
        }
        await tx
          .table('leads')
          .toCollection()
          .modify((lead: Lead & { crm?: Omit<LeadCrmLink, 'account'> }) => {
            if (!lead.crm) return;
            const account = accounts[lead.crm.system];
            lead.crmLinks = [{ ...lead.crm, ...(account !== undefined ? { account } : {}) }];
            delete lead.crm;
          });
        await tx
          .table('outbox')
          .toCollection()
          .modify((job: SyncJobRecord) => {
            const account = accounts[String(job.system)];
            if (job.account === undefined && account !== undefined) job.account = account;
          });
      });
    // Indexes no query uses are dropped: every lead and call write re-indexes each one
    // (a 100,000-row CSV import spent about a tenth of its time on them).
    this.version(6).stores({
      leads: 'id, phoneKey, status, openDueAt, openOverdueAt, [phoneKey+status]',
      calls: 'id, leadId, [phoneKey+startedAt], providerKey',
    });
    // Texts (utils/workflow/messageOutbox.ts): "texts to this number since", "last automatic
    // text" and the drain's pending jobs are index reads.
    this.version(7).stores({
      messages: 'id, &key, state, leadId, [phoneKey+at], automaticAt',
      optOuts: 'phoneKey, at',
    });
    // Metrics (utils/metrics/load.ts reads calls and attempts by time; capture counts
    // answered calls, utils/queue/leads.ts).
    this.version(8)
      .stores({
        leads: 'id, phoneKey, status, openDueAt, openOverdueAt, [phoneKey+status], firstMissedAt',
        calls: 'id, leadId, [phoneKey+startedAt], providerKey, startedAt',
        callStats: 'id, day',
        answeredSeen: 'fp, at',
        liveCallers: 'phoneKey, answeredAt',
        surveys: 'leadId, at',
      })
      .upgrade(async (tx) => {
        // Each lead's attempt summary, from the attempts stored so far (recordAttempt keeps
        // it from now on), so the dashboard reads leads instead of every attempt.
        const summaries = new Map<string, AttemptSummary>();
        await tx
          .table('attempts')
          .each((a: Attempt) => summaries.set(a.leadId, withAttempt(summaries.get(a.leadId), a)));
        if (summaries.size === 0) return;
        await tx
          .table('leads')
          .toCollection()
          .modify((lead: Lead) => {
            const summary = summaries.get(lead.id);
            if (summary) lead.attemptSummary = summary;
          });
      });
    // The shared queue through CRM tasks (utils/team/sharedQueue.ts): a lead's task by lead
    // and by the CRM's task id (a task read back finds its lead).
    this.version(9).stores({
      sharedTasks: 'id, leadId, [system+taskId]',
    });
  }
}

export const DB_VERSION = 9;

/** The shared database handle of this context. Dexie opens it on first use. */
export const db = new CallbackDeskDB();
