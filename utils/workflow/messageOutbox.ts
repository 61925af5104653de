import Dexie from 'dexie';
import type { CallbackDeskDB, MessageJobRecord, OptOutRecord } from '../db';
import type { MessageJob, NoAutoTextFlag } from '../model';
import type { Attempt } from '../model';
import type { FirmSettings } from '../settings';
import { OAuthError } from '../capture/sources/pkce';
import { recordAttempt } from '../queue/leads';
import {
  AuthError,
  backoffDelay,
  describeError,
  HttpError,
  messageFromBody,
  RateLimitError,
} from '../http';
import {
  keywordOf,
  NotMobileError,
  OptOutError,
  RefusedError,
  SMS_PROVIDER_LABELS,
  START_WORDS,
  STOP_WORDS,
  type SmsAvailability,
  type SmsClient,
  type SmsProviderId,
} from './sms/types';

/**
 * The message outbox: every text is a job in db.messages, sent by one drainer at a time,
 * exactly once. The rules are those of the CRM outbox (utils/outbox/outbox.ts), for texts:
 *
 * - `enqueueText` saves the job `queued` under its idempotency key (the same key twice is
 *   the same text). `sendAfter` holds it until a time (auto-text quiet hours).
 * - Before the request leaves, the job is saved `sending` with `sentAt` and the claiming
 *   drain, in one transaction with the drain's lease (compare-and-set on the row).
 * - A job found `sending` by a later drain (the worker was killed between "decided to send"
 *   and "sent"), or marked `maybeSent` (timeout, dropped connection, any 5xx, an answer we
 *   could not read), is looked up at the provider (`findSent`: same number, same text, since
 *   sentAt, not a text another job already holds) before anything is sent again — and only
 *   once the first request cannot still be on its way (LOOKUP_PATIENCE_MS after sentAt).
 *   Found: it is recorded as sent. Not found: looked up again until LOOKUP_SETTLE_MS after
 *   sentAt (provider lists lag), then sent. A provider whose API cannot list sent texts
 *   (Aircall, Dialpad) never re-sends on its own: the job fails with "check before Retry",
 *   so a text is neither sent twice nor silently dropped.
 * - An automatic text that has not left is cancelled once staff called back or reached the
 *   caller; one that certainly did not go marks the lead "No auto-text sent" (text first).
 * - 429: nothing was sent; the job waits for Retry-After (or a backoff). A 401 asks the firm
 *   to reconnect. Any other 4xx is final, its reason shown on the lead with Retry. The
 *   provider's opt-out refusal (Twilio 21610) marks the number opted out, never retried.
 * - A lease in db.cursors lets one drain run at a time; a second drain of the same worker
 *   asks the running one to look again before it stops.
 * - A sent text becomes an Attempt (method 'text', outcome 'sent', `automatic` for the
 *   auto-text, which does not count as a callback), written in the transaction after the one
 *   that marks the job sent; `onSent` then hands it to the CRM layer. Both are repeated by
 *   the next drain when a worker stopped before them (`attemptId`, `crmPending`).
 */

export type { MessageJob, MessageState } from '../model';

export interface EnqueueTextInput {
  leadId: string;
  phoneKey: string;
  to: string;
  body: string;
  automatic: boolean;
  /** Idempotency key: the same key returns the job already queued (or sent). */
  key: string;
  sendAfter?: number;
  callId?: string;
  by?: string;
}

export const MESSAGE_MAX_TRIES = 6;
/** The longest a send request can still be on its way (20 s timeout, plus margin). */
export const LOOKUP_PATIENCE_MS = 30_000;
/**
 * How long after the request a lookup that finds nothing is trusted: a provider's message
 * list can miss a just-created text for minutes (Twilio: twilio-node#647, twilio-java#442).
 * Until then a miss means "look again", never "send again".
 */
export const LOOKUP_SETTLE_MS = 5 * 60_000;
/** Between lookups while the list may still lag. */
const LOOKUP_AGAIN_MS = 90_000;
const LEASE_ROW = 'messages:lease';
const LEASE_MS = 2 * 60_000;
const INBOUND_CURSOR = (provider: string) => `sms-inbound:${provider}`;
/** STOP replies are read at most this often (each read is one or two list requests). */
const INBOUND_EVERY_MS = 2 * 60_000;
/** The first read of STOP replies looks back this far. */
const INBOUND_FIRST_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** The most a text may hold (SMS bodies longer than this are split into many parts). */
export const MAX_TEXT_LENGTH = 1_000;

const asJob = (row: MessageJobRecord | undefined) => row as unknown as MessageJob | undefined;
const asRow = (job: MessageJob) => job as unknown as MessageJobRecord;

function withTimes(job: MessageJob): MessageJob {
  const at = job.sentAt ?? job.sendAfter ?? job.createdAt;
  const next = { ...job, at };
  if (job.automatic) next.automaticAt = at;
  else delete next.automaticAt;
  return next;
}

// ---------------------------------------------------------------------------------------
// Public API (the auto-text helper and the text panel code against these)

/** Queue a text. Idempotent by `key`: the same key returns the existing job unchanged. */
export async function enqueueText(
  db: CallbackDeskDB,
  input: EnqueueTextInput,
  now: number = Date.now(),
): Promise<MessageJob> {
  const body = input.body.trim();
  if (!body) throw new Error('The text is empty. Write a message first.');
  if (body.length > MAX_TEXT_LENGTH)
    throw new Error(
      `The text is too long (${body.length} characters; at most ${MAX_TEXT_LENGTH}).`,
    );
  if (!/^\+[1-9]\d{6,14}$/.test(input.to))
    throw new Error('This lead has no number that can receive a text.');
  if (!input.key) throw new Error('A text needs an idempotency key.');
  return db.transaction('rw', db.messages, async () => {
    const existing = asJob(await db.messages.where('key').equals(input.key).first());
    if (existing) return existing;
    const job = withTimes({
      id: crypto.randomUUID(),
      key: input.key,
      leadId: input.leadId,
      phoneKey: input.phoneKey,
      to: input.to,
      body,
      automatic: input.automatic,
      ...(input.callId ? { callId: input.callId } : {}),
      ...(input.by ? { by: input.by } : {}),
      ...(input.sendAfter && input.sendAfter > now ? { sendAfter: input.sendAfter } : {}),
      state: 'queued',
      at: now,
      nextTryAt: Math.max(now, input.sendAfter ?? now),
      tries: 0,
      maybeSent: false,
      createdAt: now,
      updatedAt: now,
    });
    await db.messages.add(asRow(job));
    return job;
  });
}

/**
 * Texts to this number at or after `sinceMs` that went out or may still go (sent, queued,
 * sending, or failed after a request that may have reached the provider). Failed texts
 * that certainly did not go are left out.
 */
export async function textsSentTo(
  db: CallbackDeskDB,
  phoneKey: string,
  sinceMs: number,
): Promise<MessageJob[]> {
  const rows = await db.messages
    .where('[phoneKey+at]')
    .between([phoneKey, sinceMs], [phoneKey, Dexie.maxKey], true, true)
    .toArray();
  return rows
    .map((r) => asJob(r)!)
    .filter(
      (j) =>
        j.state === 'sent' ||
        j.state === 'queued' ||
        j.state === 'sending' ||
        (j.state === 'failed' && j.maybeSent),
    );
}

/** The latest automatic text that went out (for "last automatic text at …"), if any. */
export async function lastAutomaticText(db: CallbackDeskDB): Promise<MessageJob | undefined> {
  const row = await db.messages
    .orderBy('automaticAt')
    .reverse()
    .filter((r) => r.state === 'sent')
    .first();
  return asJob(row);
}

export async function isOptedOut(db: CallbackDeskDB, phoneKey: string): Promise<boolean> {
  return (await db.optOuts.get(phoneKey)) !== undefined;
}

export async function optOutOf(
  db: CallbackDeskDB,
  phoneKey: string,
): Promise<OptOutRecord | undefined> {
  return db.optOuts.get(phoneKey);
}

/** Mark a number opted out (a STOP reply, the provider's refusal, or the firm's choice). */
export async function markOptedOut(
  db: CallbackDeskDB,
  record: Omit<OptOutRecord, 'at'> & { at?: number },
  now: number = Date.now(),
): Promise<OptOutRecord> {
  const row: OptOutRecord = { ...record, at: record.at ?? now };
  await db.optOuts.put(row);
  return row;
}

/** The firm texts this number again (the person asked to be texted). */
export async function unmarkOptedOut(db: CallbackDeskDB, phoneKey: string): Promise<void> {
  await db.optOuts.delete(phoneKey);
}

export interface RetryOptions {
  /**
   * For a text whose provider cannot be asked whether it went (Aircall, Dialpad): the firm
   * checked that it did not, so send it again.
   */
  confirmNotSent?: boolean;
}

/** Retry button: a failed text goes back in the queue (looked up first if it may have gone). */
export async function retryText(
  db: CallbackDeskDB,
  jobId: string,
  options: RetryOptions = {},
  now: number = Date.now(),
): Promise<MessageJob> {
  return db.transaction('rw', db.messages, db.optOuts, async () => {
    const job = asJob(await db.messages.get(jobId));
    if (!job) throw new Error('This text no longer exists.');
    if (job.state === 'sent') return job;
    if (job.state !== 'failed' && job.state !== 'cancelled' && !(job.state === 'queued'))
      return job;
    if (await db.optOuts.get(job.phoneKey))
      throw new Error(
        'This number opted out of texts. Unmark it first if the caller asked to be texted.',
      );
    if (job.needsCheck && !options.confirmNotSent)
      throw new Error(
        `This text may have gone out. Check in ${SMS_PROVIDER_LABELS[job.provider ?? 'twilio']} that it did not before sending it again.`,
      );
    const next: MessageJob = {
      ...job,
      state: 'queued',
      tries: 0,
      nextTryAt: now,
      error: undefined,
      optedOut: undefined,
      notMobile: undefined,
      needsCheck: undefined,
      ...(job.needsCheck ? { maybeSent: false } : {}),
      updatedAt: now,
    };
    await db.messages.put(asRow(next));
    return next;
  });
}

/** Cancel a text that has not left yet (a held auto-text, say). */
export async function cancelText(
  db: CallbackDeskDB,
  jobId: string,
  now: number = Date.now(),
): Promise<MessageJob> {
  return db.transaction('rw', db.messages, async () => {
    const job = asJob(await db.messages.get(jobId));
    if (!job) throw new Error('This text no longer exists.');
    if (job.state !== 'queued' && job.state !== 'failed') {
      throw new Error(
        job.state === 'sent' ? 'This text was already sent.' : 'This text is being sent now.',
      );
    }
    if (job.maybeSent && job.state === 'queued')
      throw new Error('This text may already have gone out; it is being checked.');
    const next: MessageJob = { ...job, state: 'cancelled', updatedAt: now };
    await db.messages.put(asRow(next));
    return next;
  });
}

/** A lead's texts, newest first. */
export async function textsOfLead(db: CallbackDeskDB, leadId: string): Promise<MessageJob[]> {
  const rows = await db.messages.where('leadId').equals(leadId).toArray();
  return rows.map((r) => asJob(r)!).sort((a, b) => b.createdAt - a.createdAt);
}

// ---------------------------------------------------------------------------------------
// The drain

export interface MessageDrainDeps {
  db: CallbackDeskDB;
  /** This worker's identity (a lease of another id belongs to a worker that is gone). */
  runId: string;
  /** The client to send with: `only` is the provider a text that may have gone used. */
  smsFor(only?: SmsProviderId): Promise<SmsAvailability>;
  /** Firm settings, for recording a manual text as an attempt (cadence scheduling). */
  settings(): Promise<FirmSettings>;
  /** A text was sent and recorded: hand it to the CRM layer. Failures are logged, not fatal. */
  onSent?(job: MessageJob, attempt: Attempt): Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Read STOP replies during this drain when due (default true). */
  readReplies?: boolean;
}

export interface MessageDrainReport {
  ran: boolean;
  sent: number;
  failed: number;
  /** Earliest time a job waits for (alarm), or null. */
  nextTryAt: number | null;
}

interface Lease {
  owner: string;
  drain: string;
  until: number;
  again?: boolean;
}

function sameVersion(a: MessageJob, b: MessageJob): boolean {
  return (
    a.state === b.state &&
    a.updatedAt === b.updatedAt &&
    a.tries === b.tries &&
    a.sentAt === b.sentAt &&
    a.sentBy === b.sentBy &&
    a.maybeSent === b.maybeSent &&
    a.nextTryAt === b.nextTryAt
  );
}

/** Uncertain: the request may have reached the provider (timeout, dropped, 5xx, unreadable answer). */
function uncertain(error: unknown): boolean {
  if (error instanceof RateLimitError || error instanceof AuthError) return false;
  if (error instanceof HttpError) return error.status >= 500;
  if (error instanceof OptOutError || error instanceof NotMobileError) return false;
  if (error instanceof RefusedError) return false;
  return true;
}

export async function drainMessages(deps: MessageDrainDeps): Promise<MessageDrainReport> {
  const { db, runId } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const drainId = crypto.randomUUID();
  const report: MessageDrainReport = { ran: false, sent: 0, failed: 0, nextTryAt: null };

  const leaseOp = <T>(fn: (lease: Lease | undefined) => { next?: Lease | null; result: T }) =>
    db.transaction('rw', db.cursors, async () => {
      const row = await db.cursors.get(LEASE_ROW);
      const { next, result } = fn(row?.cursor as Lease | undefined);
      if (next) await db.cursors.put({ sourceId: LEASE_ROW, cursor: next });
      else if (next === null && row) await db.cursors.delete(LEASE_ROW);
      return result;
    });
  const ours = (lease: Lease | undefined) => lease?.drain === drainId;

  const acquired = await leaseOp((lease) => {
    if (lease && lease.owner === runId && lease.until > now())
      return { next: { ...lease, again: true }, result: false };
    return { next: { owner: runId, drain: drainId, until: now() + LEASE_MS }, result: true };
  });
  if (!acquired) return report;
  report.ran = true;

  /** Write a job if the row is as we last saw it and the lease is still ours. */
  async function commit(
    expected: MessageJob,
    next: MessageJob,
    extra?: () => Promise<void>,
  ): Promise<boolean> {
    return db.transaction(
      'rw',
      [db.messages, db.cursors, db.attempts, db.leads, db.calls, db.optOuts],
      async () => {
        const lease = (await db.cursors.get(LEASE_ROW))?.cursor as Lease | undefined;
        if (!ours(lease)) return false;
        const current = asJob(await db.messages.get(expected.id));
        if (!current || !sameVersion(current, expected)) return false;
        await db.cursors.put({
          sourceId: LEASE_ROW,
          cursor: { ...lease!, until: now() + LEASE_MS },
        });
        await db.messages.put(asRow(withTimes({ ...next, updatedAt: now() })));
        await extra?.();
        return true;
      },
    );
  }

  const fail = async (
    job: MessageJob,
    error: string,
    extra: Partial<MessageJob> = {},
    flagReason: NoAutoTextFlag['reason'] = 'failed',
  ) => {
    const next: MessageJob = {
      ...job,
      state: 'failed',
      error,
      nextTryAt: Number.MAX_SAFE_INTEGER,
      ...extra,
    };
    // An automatic text that certainly did not go (and could have: no opt-out, no landline)
    // leaves a caller who expected a text without one: the lead is marked "No auto-text
    // sent" so staff text them first (utils/model.ts needsTextFirst).
    const unsent =
      next.automatic && next.callId && !next.maybeSent && !next.optedOut && !next.notMobile;
    const flag = unsent ? () => flagNoAutoText(next, flagReason) : undefined;
    if (await commit(job, next, flag)) report.failed++;
  };

  async function flagNoAutoText(job: MessageJob, reason: NoAutoTextFlag['reason']) {
    const lead = await db.leads.get(job.leadId);
    if (!lead || !job.callId || (lead.noAutoText && lead.noAutoText.at >= now())) return;
    // Staff already made an attempt since the text was queued: nothing to text first.
    if ((lead.lastAttemptAt ?? -Infinity) > job.createdAt) return;
    await db.leads.update(lead.id, {
      noAutoText: { at: now(), callId: job.callId, reason },
    });
  }
  const wait = (job: MessageJob, at: number, extra: Partial<MessageJob> = {}) =>
    commit(job, { ...job, state: 'queued', nextTryAt: at, ...extra });

  async function markSent(
    job: MessageJob,
    found: { id: string; from?: string; at?: number; status?: string },
  ) {
    const ok = await commit(job, {
      ...job,
      state: 'sent',
      maybeSent: false,
      needsCheck: undefined,
      error: undefined,
      providerMessageId: found.id,
      providerStatus: found.status,
      from: found.from ?? job.from,
      sentAt: job.sentAt ?? now(),
      confirmedAt: now(),
      nextTryAt: Number.MAX_SAFE_INTEGER,
    });
    if (!ok) return;
    report.sent++;
    await recordSent(job.id);
  }

  /**
   * The sent text's attempt (once, marked `crmPending` in the same transaction), then the
   * CRM hand-off, which clears the mark. A worker stopped (or a hand-off that failed) in
   * between: the next drain repeats the hand-off (idempotent: the CRM outbox keys its jobs).
   */
  async function recordSent(jobId: string) {
    const settings = await deps.settings();
    const recorded = await db.transaction(
      'rw',
      [db.messages, db.leads, db.attempts, db.calls],
      async () => {
        const job = asJob(await db.messages.get(jobId));
        if (!job || job.state !== 'sent' || job.attemptId) return null;
        const attempt = await recordTextAttempt(db, job, job.sentAt ?? now(), settings);
        await db.messages.update(job.id, { attemptId: attempt.id, crmPending: true });
        // Sent after all (Retry): the lead no longer waits for a text from staff.
        const lead = await db.leads.get(job.leadId);
        if (job.automatic && job.callId && lead?.noAutoText?.callId === job.callId)
          await db.leads.update(lead.id, { noAutoText: undefined });
        return { job: { ...job, attemptId: attempt.id, crmPending: true }, attempt };
      },
    );
    if (recorded) await handOff(recorded.job, recorded.attempt);
  }

  async function handOff(job: MessageJob, attempt: Attempt) {
    if (!deps.onSent) return;
    try {
      await deps.onSent(job, attempt);
      await db.messages.update(job.id, { crmPending: false });
    } catch (error) {
      console.error('Could not hand the text to the CRM (tried again next drain)', error);
    }
  }

  /** A sent text whose attempt or CRM hand-off a stopped drain left undone. */
  async function finishSent(row: MessageJobRecord) {
    const job = asJob(row)!;
    if (!job.attemptId) return recordSent(job.id);
    const attempt = await db.attempts.get(job.attemptId);
    if (attempt) await handOff(job, attempt);
    else await db.messages.update(job.id, { crmPending: false });
  }

  try {
    // Texts marked sent by a drain that stopped before recording their attempt or handing
    // it to the CRM layer.
    const unfinished = await db.messages
      .where('state')
      .equals('sent')
      .filter((r) => !r.attemptId || r.crmPending === true)
      .toArray();
    for (const row of unfinished) await finishSent(row);
    await readRepliesIfDue();
    for (let guard = 0; guard < 200; guard++) {
      const lease = (await db.cursors.get(LEASE_ROW))?.cursor as Lease | undefined;
      if (!ours(lease)) break;
      const pending = (await db.messages.where('state').anyOf('queued', 'sending').toArray())
        .map((r) => asJob(r)!)
        // A job this drain is sending is not looked at again by it.
        .filter((j) => !(j.state === 'sending' && j.sentBy === drainId));
      const due = pending
        .filter((j) => j.nextTryAt <= now() || j.state === 'sending')
        .sort((a, b) => a.nextTryAt - b.nextTryAt)[0];
      if (!due) {
        // Stop, unless another drain asked to look again: both decided in one transaction
        // with the lease's release, so a request that comes as this drain stops is never
        // lost (it either sees no lease and runs itself, or this drain sees its request).
        const stop = await leaseOp((l) => {
          if (!ours(l)) return { result: true };
          if (l!.again) return { next: { ...l!, again: false }, result: false };
          return { next: null, result: true };
        });
        if (!stop) continue;
        const later = pending.map((j) => j.nextTryAt).filter((t) => t > now());
        report.nextTryAt = later.length ? Math.min(...later) : null;
        break;
      }
      await step(due);
    }
  } finally {
    await leaseOp((lease) =>
      ours(lease) ? { next: null, result: undefined } : { result: undefined },
    );
  }
  return report;

  async function step(job: MessageJob): Promise<void> {
    const optOut = await db.optOuts.get(job.phoneKey);
    if (optOut) {
      // A text that may already have gone stays as it is for the lookup; others stop here.
      if (!(job.state === 'sending' || job.maybeSent)) {
        await fail(job, `Not sent: this number opted out of texts (${optOut.reason}).`, {
          optedOut: true,
        });
        return;
      }
    }
    const mayHaveGone = job.state === 'sending' || job.maybeSent;
    if (job.automatic && !mayHaveGone && (await reachedSince(job))) {
      // "We missed your call. We are returning it now" after staff reached the caller (the
      // text waited for a Retry-After, a reconnection…): it no longer goes.
      if (
        await commit(job, {
          ...job,
          state: 'cancelled',
          error: 'Not sent: the caller was called back or reached before the text could go.',
          nextTryAt: Number.MAX_SAFE_INTEGER,
        })
      )
        report.failed++;
      return;
    }
    const availability = await deps.smsFor(mayHaveGone ? job.provider : undefined);
    if (!availability.ok) {
      await fail(
        job,
        mayHaveGone
          ? `This text may have gone out; it could not be checked: ${availability.reason} Retry looks it up before sending it again.`
          : `Not sent: ${availability.reason}`,
        { maybeSent: mayHaveGone },
        'no-sms-connection',
      );
      return;
    }
    const client = availability.client;

    if (mayHaveGone) {
      const since = job.sentAt ?? job.createdAt;
      if (now() < since + LOOKUP_PATIENCE_MS) {
        // The first request may still be on its way: look later, not now.
        await wait(job, since + LOOKUP_PATIENCE_MS, { maybeSent: true });
        return;
      }
      if (!client.findSent) {
        await fail(
          job,
          `This text may have gone out (${job.error ?? 'no answer from the provider'}). ${SMS_PROVIDER_LABELS[client.provider]} cannot be asked: check in ${SMS_PROVIDER_LABELS[client.provider]} before Retry.`,
          { needsCheck: true, maybeSent: true },
        );
        return;
      }
      let found;
      try {
        found = await client.findSent(job.to, since, job.body, await claimedIds(job));
      } catch (error) {
        await afterError(job, error, 'lookup');
        return;
      }
      if (found) {
        await markSent(job, found);
        return;
      }
      if (now() < since + LOOKUP_SETTLE_MS) {
        await wait(job, Math.min(since + LOOKUP_SETTLE_MS, now() + LOOKUP_AGAIN_MS), {
          maybeSent: true,
          error: `Checking with ${SMS_PROVIDER_LABELS[client.provider]} whether it went (its list of sent texts can lag behind).`,
        });
        return;
      }
      if (optOut) {
        await fail(job, `Not sent: this number opted out of texts (${optOut.reason}).`, {
          optedOut: true,
          maybeSent: false,
        });
        return;
      }
      // Not at the provider: it never left. Send it (below).
    }

    if (job.tries >= MESSAGE_MAX_TRIES) {
      await fail(
        job,
        `Not sent after ${job.tries} tries (${job.error ?? 'no answer'}). Retry to try again.`,
      );
      return;
    }
    const claimed: MessageJob = {
      ...job,
      state: 'sending',
      sentAt: now(),
      sentBy: drainId,
      tries: job.tries + 1,
      provider: client.provider,
      from: client.from,
      maybeSent: false,
    };
    if (!(await commit(job, claimed))) return;
    const saved = asJob(await db.messages.get(job.id))!;
    let result;
    try {
      result = await client.send(job.to, job.body);
    } catch (error) {
      await afterError(saved, error, 'send');
      return;
    }
    await markSent(saved, result);
  }

  /** The lead was closed, called back or got through after the automatic text was queued. */
  async function reachedSince(job: MessageJob): Promise<boolean> {
    const lead = await db.leads.get(job.leadId);
    if (!lead) return false;
    if (lead.status === 'done') return true;
    const reached = Math.max(lead.lastAttemptAt ?? -Infinity, lead.answeredLaterAt ?? -Infinity);
    return reached > job.createdAt;
  }

  /**
   * Provider ids other texts to this number already hold: the same words sent a moment
   * before (two manual texts, a manual then an automatic one) are that text's, and must not
   * pass for this one — which would then never be sent.
   */
  async function claimedIds(job: MessageJob): Promise<ReadonlySet<string>> {
    const others = await db.messages
      .where('[phoneKey+at]')
      .between([job.phoneKey, Dexie.minKey], [job.phoneKey, Dexie.maxKey])
      .toArray();
    return new Set(
      others
        .map((r) => asJob(r)!)
        .flatMap((j) => (j.id !== job.id && j.providerMessageId ? [j.providerMessageId] : [])),
    );
  }

  async function afterError(job: MessageJob, error: unknown, during: 'send' | 'lookup') {
    const label = SMS_PROVIDER_LABELS[job.provider ?? 'twilio'];
    if (error instanceof OptOutError) {
      await commit(
        job,
        {
          ...job,
          state: 'failed',
          maybeSent: false,
          optedOut: true,
          error: `Not sent: ${error.message}`,
          nextTryAt: Number.MAX_SAFE_INTEGER,
        },
        async () => {
          await db.optOuts.put({
            phoneKey: job.phoneKey,
            reason: error.message,
            source: 'provider-error',
            provider: error.provider,
            at: now(),
          });
        },
      );
      report.failed++;
      return;
    }
    if (error instanceof NotMobileError) {
      await fail(job, `Not sent: ${error.message}`, { notMobile: true, maybeSent: false });
      return;
    }
    if (error instanceof RefusedError) {
      await fail(job, `Not sent: ${error.message}`, { maybeSent: false });
      return;
    }
    if (error instanceof RateLimitError) {
      const delay = error.retryAfterMs ?? backoffDelay(job.tries, { baseMs: 5_000 }, random);
      await wait(job, now() + Math.max(1_000, delay), {
        // Nothing was sent by a refused request; a lookup that was refused changes nothing.
        maybeSent: during === 'lookup' ? true : false,
        error: `${label} asked to slow down; trying again at ${new Date(now() + delay).toLocaleTimeString()}.`,
      });
      return;
    }
    if (error instanceof OAuthError) {
      // The sign-in could not be renewed: the request never left (a refresh comes first, or
      // follows a 401, which created nothing).
      await fail(job, `Not sent: ${error.message} Then Retry.`, {
        maybeSent: during === 'lookup' || job.maybeSent,
      });
      return;
    }
    if (error instanceof AuthError) {
      await fail(
        job,
        `Not sent: ${label} refused the credentials. Reconnect ${label} in Options, then Retry.`,
        {
          maybeSent: during === 'lookup',
        },
      );
      return;
    }
    if (error instanceof HttpError && error.status < 500) {
      const reason = messageFromBody(error.body) || error.message || `error ${error.status}`;
      await fail(job, `Not sent: ${label} refused the text (${error.status}: ${reason}).`, {
        maybeSent: during === 'lookup',
      });
      return;
    }
    // Timeout, dropped connection, 5xx, an unreadable answer, anything unknown: it may
    // have gone. Look it up before any new request.
    const maybeSent = during === 'send' ? uncertain(error) || job.maybeSent : true;
    const tries = job.tries;
    if (tries >= MESSAGE_MAX_TRIES) {
      await fail(
        job,
        `Not confirmed after ${tries} tries (${describeError(error, now())}). Retry looks it up before sending again.`,
        { maybeSent },
      );
      return;
    }
    const delay = backoffDelay(tries, { baseMs: 5_000, maxMs: 10 * 60_000 }, random);
    const at = Math.max(now() + delay, (job.sentAt ?? 0) + LOOKUP_PATIENCE_MS);
    await wait(job, at, { maybeSent, error: describeError(error, now()) });
  }

  async function readRepliesIfDue(): Promise<void> {
    if (deps.readReplies === false) return;
    const availability = await deps.smsFor().catch(() => null);
    if (!availability?.ok || !availability.client.listInbound) return;
    try {
      await readOptOutReplies(db, availability.client, now());
    } catch (error) {
      console.warn('Could not read text replies', error);
    }
  }
}

/** Record a sent text as an attempt (inside the transaction that notes it on the job). */
async function recordTextAttempt(
  db: CallbackDeskDB,
  job: MessageJob,
  at: number,
  settings: FirmSettings,
): Promise<Attempt> {
  const lead = await db.leads.get(job.leadId);
  let attempt: Attempt;
  if (lead && lead.status !== 'done') {
    ({ attempt } = await recordAttempt(
      db,
      settings,
      {
        leadId: job.leadId,
        method: 'text',
        outcome: 'sent',
        notes: job.body,
        ...(job.by ? { by: job.by } : {}),
        ...(job.automatic ? { automatic: true } : {}),
      },
      at,
    ));
  } else {
    // A closed (or deleted) lead keeps its state: the text is still on its record.
    attempt = {
      id: `text-${job.id}`,
      leadId: job.leadId,
      method: 'text',
      outcome: 'sent',
      at,
      notes: job.body,
      ...(job.by ? { by: job.by } : {}),
      ...(job.automatic ? { automatic: true } : {}),
    };
    await db.attempts.put(attempt);
  }
  const withMessage: Attempt = { ...attempt, message: job.body, to: job.to };
  await db.attempts.put(withMessage);
  return withMessage;
}

/**
 * Read texts received on our number since the last read; a STOP (or UNSUBSCRIBE, CANCEL…)
 * marks the sender opted out, a START takes back an opt-out that came from a reply.
 */
export async function readOptOutReplies(
  db: CallbackDeskDB,
  client: SmsClient,
  now: number = Date.now(),
  force = false,
): Promise<{ read: number; optedOut: string[]; optedIn: string[] }> {
  const out = { read: 0, optedOut: [] as string[], optedIn: [] as string[] };
  if (!client.listInbound) return out;
  const key = INBOUND_CURSOR(client.provider);
  const row = await db.cursors.get(key);
  const cursor = (row?.cursor as { since?: number } | undefined)?.since;
  if (!force && row?.lastPollAt !== undefined && now - row.lastPollAt < INBOUND_EVERY_MS)
    return out;
  const since = cursor ?? now - INBOUND_FIRST_LOOKBACK_MS;
  const texts = await client.listInbound(since);
  let newest = since;
  for (const text of texts) {
    out.read++;
    newest = Math.max(newest, text.at + 1);
    const word = keywordOf(text.body);
    if (STOP_WORDS.has(word)) {
      const existing = await db.optOuts.get(text.from);
      // The firm's own mark is kept as it is: a START from the caller never lifts it.
      if (!existing || (existing.source !== 'firm' && existing.at < text.at)) {
        await db.optOuts.put({
          phoneKey: text.from,
          reason: `Replied "${word}" on ${new Date(text.at).toLocaleDateString()}`,
          source: 'inbound-stop',
          provider: client.provider,
          at: text.at,
        });
        out.optedOut.push(text.from);
      }
    } else if (START_WORDS.has(word)) {
      const existing = await db.optOuts.get(text.from);
      if (existing && existing.source !== 'firm' && existing.at < text.at) {
        await db.optOuts.delete(text.from);
        out.optedIn.push(text.from);
      }
    }
  }
  await db.cursors.put({
    sourceId: key,
    cursor: { since: newest },
    lastPollAt: now,
    lastSuccessAt: now,
  });
  return out;
}
