import { browser } from '#imports';
import { notifyNewCalls, refreshBadge } from '../../queue/alerts';
import { db as defaultDb, type CallbackDeskDB, type CursorRecord } from '../../db';
import {
  ApiError,
  AuthError,
  backoffDelay,
  dbLimiterStore,
  describeError,
  nextAllowedAt,
  rateLimiter,
  type RateLimiter,
} from '../../http';
import { crmCallLogAccess } from './crmCallLog';
import { ReconnectError } from '../../crm/connector';
import { noteCrmProblem } from '../../crm/connections';
import { CRM_LABELS } from '../../crm/model';
import { readCredentials as readCrmCredentials } from '../../crm/tokens';
import { captureCalls, type CaptureResult } from '../../queue/leads';
import type { IncomingCall } from '../../model';
import { getSettings } from '../../settings';
import {
  connectedClient,
  effectiveBaseUrl,
  getConnections,
  originPattern,
  readCredentials,
  type SourceConnection,
} from './connections';
import { OAuthError } from './pkce';
import { crmCallLogById, sourceById, type AnyCallSource } from './registry';
import type { CrmCallLog, FetchResult, SourceId } from './types';

/**
 * Polls every connected API source once a minute with `browser.alarms` (the service worker
 * keeps no timers). For each source, one row in `db.cursors` holds where it got to and
 * its health. The cursor moves only after the calls it covers were stored: a worker killed
 * mid-poll reads the same window again and dedupe (provider call ids) drops the repeats,
 * so nothing is missed and nothing is stored twice.
 */

export const POLL_ALARM = 'poll-sources';
/** Chrome's minimum alarm period is 30 s; a minute keeps within every provider's limits. */
export const POLL_PERIOD_MINUTES = 1;
/**
 * Every poll re-reads this much before the previous poll: call logs show calls late (when
 * they end, sometimes minutes after), and a missed status can flip late.
 */
export const LOOKBACK_MS = 15 * 60_000;
/** The first poll after connecting reads the last day (yesterday's missed calls still need a callback). */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60_000;
/** Only calls this recent notify; older ones found by a back-fill just join the queue. */
export const NOTIFY_WITHIN_MS = 15 * 60_000;
const CAPTURE_CHUNK = 1_000;

export interface PollCursor {
  /** Read calls that started at or after this (epoch ms). */
  since: number;
}

import type { PollOutcome } from '../../model';

export type { PollOutcome };

export interface PollDeps {
  db?: CallbackDeskDB;
  now?: () => number;
  fetch?: typeof fetch;
}

export function setupPollers(): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === POLL_ALARM) void pollDueSources();
  });
  void ensurePollAlarm();
}

/**
 * Create the alarm only if it is missing: re-creating it at every worker start would push
 * the next firing back each time, and a worker woken often might never poll.
 */
async function ensurePollAlarm(): Promise<void> {
  if (await browser.alarms.get(POLL_ALARM)) return;
  await browser.alarms.create(POLL_ALARM, {
    periodInMinutes: POLL_PERIOD_MINUTES,
    delayInMinutes: POLL_PERIOD_MINUTES,
  });
}

/** Where the next poll starts reading. */
export function cursorSince(record: Pick<CursorRecord, 'cursor'> | undefined, now: number): number {
  const since = (record?.cursor as PollCursor | undefined)?.since;
  return typeof since === 'number' && Number.isFinite(since) ? since : now - FIRST_POLL_LOOKBACK_MS;
}

/**
 * The cursor after a successful poll that started at `pollStartedAt`. Never moves back (two
 * overlapping polls both succeed: the later cursor wins).
 */
export function nextCursorSince(
  previous: number,
  pollStartedAt: number,
  fetched: { complete: boolean; resumeFrom?: number },
): number {
  if (!fetched.complete) return Math.max(previous, fetched.resumeFrom ?? previous);
  return Math.max(previous, pollStartedAt - LOOKBACK_MS);
}

/**
 * A newest-first API whose poll hit its page limit before reaching the cursor cannot say
 * where to resume, so the calls between the cursor and the oldest page read were not read.
 * That must be visible, not silent: the firm can import a call-log CSV for the gap.
 */
export function skippedCallsWarning(
  fetched: { complete: boolean; resumeFrom?: number; calls: { startedAt: number }[] },
  since: number,
): string | undefined {
  if (fetched.complete || fetched.resumeFrom !== undefined) return undefined;
  const oldestRead = Math.min(...fetched.calls.map((c) => c.startedAt));
  const until = Number.isFinite(oldestRead) ? new Date(oldestRead).toISOString() : 'now';
  return (
    `More calls than one poll reads: calls between ${new Date(since).toISOString()} and ` +
    `${until} were not read. Import a call-log CSV for that period to fill the gap.`
  );
}

/** How long to wait after the n-th failure in a row (n ≥ 1): 1, 2, 4 … up to 30 minutes. */
export function failureDelay(
  error: unknown,
  failures: number,
  random: () => number = Math.random,
): number {
  if (
    error instanceof ApiError &&
    error.retryAfterMs !== undefined &&
    !(error instanceof AuthError)
  ) {
    return Math.max(error.retryAfterMs, 1_000);
  }
  // Credentials the user must fix: try again now and then (they may be fixed elsewhere).
  if (error instanceof AuthError || error instanceof OAuthError || error instanceof ReconnectError)
    return 15 * 60_000;
  return backoffDelay(failures - 1, { baseMs: 60_000, maxMs: 30 * 60_000 }, random);
}

/** The alarm's work: every enabled source whose wait (backoff, rate limit) is over. */
export async function pollDueSources(deps: PollDeps = {}): Promise<PollOutcome[]> {
  const connections = await getConnections();
  const outcomes: PollOutcome[] = [];
  for (const id of Object.keys(connections) as SourceId[]) {
    if (!connections[id]?.enabled) continue;
    outcomes.push(await pollSource(id, deps));
  }
  return outcomes;
}

async function patchCursor(
  db: CallbackDeskDB,
  sourceId: string,
  patch: (row: CursorRecord) => CursorRecord,
): Promise<void> {
  await db.transaction('rw', db.cursors, async () => {
    const row = (await db.cursors.get(sourceId)) ?? { sourceId, cursor: undefined };
    await db.cursors.put(patch(row));
  });
}

async function captureInChunks(
  db: CallbackDeskDB,
  calls: IncomingCall[],
  now: number,
): Promise<CaptureResult> {
  const settings = await getSettings();
  const total: CaptureResult = {
    added: [],
    duplicates: 0,
    answeredClosed: 0,
    ignored: 0,
    rejected: [],
  };
  for (let i = 0; i < calls.length; i += CAPTURE_CHUNK) {
    const r = await captureCalls(db, settings, calls.slice(i, i + CAPTURE_CHUNK), now);
    total.added.push(...r.added);
    total.duplicates += r.duplicates;
    total.answeredClosed += r.answeredClosed;
    total.ignored += r.ignored;
    total.rejected.push(...r.rejected.map((x) => ({ ...x, index: x.index + i })));
  }
  return total;
}

/** What one poll reads with: the source's own credentials, or its CRM's connection. */
interface Reader {
  fetchCalls(since: number): Promise<FetchResult>;
  /** The budgets those reads count against (the next poll waits for them). */
  limiters: RateLimiter[];
}

async function requireHostAccess(baseUrl: string, howToFix: string): Promise<void> {
  if (!(await browser.permissions.contains({ origins: [originPattern(baseUrl)] }))) {
    throw new Error(`Permission to reach ${new URL(baseUrl).host} was removed. ${howToFix}`);
  }
}

async function sourceReader(
  source: AnyCallSource,
  connection: SourceConnection,
  db: CallbackDeskDB,
  deps: PollDeps,
): Promise<Reader> {
  const config = source.configSchema.parse(connection.config);
  const credentials = await readCredentials(db, source);
  if (credentials === undefined)
    throw new Error('The saved credentials are missing. Connect again.');
  const baseUrl = effectiveBaseUrl(source, connection, config);
  await requireHostAccess(baseUrl, 'Click Connect to grant it again.');
  const client = connectedClient(source, baseUrl, config, credentials, {
    db,
    fetch: deps.fetch,
    now: deps.now,
  });
  return {
    fetchCalls: (since) => source.fetchCalls(client, config, since),
    limiters: [rateLimiter(source.rateLimitKey(config), source.rateLimit, dbLimiterStore(db))],
  };
}

async function crmReader(log: CrmCallLog, db: CallbackDeskDB, deps: PollDeps): Promise<Reader> {
  const label = CRM_LABELS[log.crm];
  const access = await crmCallLogAccess(db, log.crm, { fetch: deps.fetch, now: deps.now });
  if (!access) throw new Error(`Connect ${label} under CRM connections first.`);
  await requireHostAccess(
    access.client.baseUrl,
    `Reconnect ${label} under CRM connections to grant it again.`,
  );
  return {
    fetchCalls: (since) => log.fetchCalls(access.client, since),
    limiters: access.limiters,
  };
}

/** Poll one source now (unless it must still wait for a rate limit or a backoff). */
export async function pollSource(id: SourceId, deps: PollDeps = {}): Promise<PollOutcome> {
  const db = deps.db ?? defaultDb;
  const now = deps.now ?? Date.now;
  const source = sourceById(id);
  const crmLog = crmCallLogById(id);
  const connection = (await getConnections())[id];
  if (!(source || crmLog) || !connection?.enabled) return { sourceId: id, status: 'disabled' };
  // A CRM call log is on only while its CRM is connected (disconnecting stops it).
  if (crmLog && !(await readCrmCredentials(db, crmLog.crm)))
    return { sourceId: id, status: 'disabled' };

  const record = await db.cursors.get(id);
  const startedAt = now();
  if (record?.nextPollAfter && record.nextPollAfter > startedAt) {
    return { sourceId: id, status: 'waiting', nextPollAfter: record.nextPollAfter };
  }
  await patchCursor(db, id, (row) => ({ ...row, lastPollAt: startedAt }));

  try {
    const reader = crmLog
      ? await crmReader(crmLog, db, deps)
      : await sourceReader(source!, connection, db, deps);
    const since = cursorSince(record, startedAt);
    const fetched = await reader.fetchCalls(since);
    // Oldest first, so a later answered call can close the lead an earlier missed call opened.
    const calls = [...fetched.calls].sort((a, b) => a.startedAt - b.startedAt);
    const result = calls.length > 0 ? await captureInChunks(db, calls, now()) : undefined;

    const allowedAt = Math.max(
      ...(await Promise.all(reader.limiters.map((limiter) => nextAllowedAt(limiter, now())))),
    );
    const lastResult = {
      fetched: calls.length,
      added: result?.added.length ?? 0,
      duplicates: result?.duplicates ?? 0,
      answeredClosed: result?.answeredClosed ?? 0,
      rejected: result?.rejected.length ?? 0,
    };
    await patchCursor(db, id, (row) => {
      const previous = cursorSince(row, startedAt);
      return {
        ...row,
        cursor: {
          since: nextCursorSince(Math.max(previous, since), startedAt, fetched),
        } satisfies PollCursor,
        lastSuccessAt: now(),
        // Records the API sent that are not valid calls are not retried (they would fail
        // again), and calls a capped poll could not reach are not read: say so.
        lastError: lastResult.rejected
          ? `${lastResult.rejected} record(s) could not be read: ${result?.rejected[0]?.error ?? ''}`
          : skippedCallsWarning(fetched, since),
        consecutiveFailures: 0,
        nextPollAfter: allowedAt > now() ? allowedAt : undefined,
        lastResult,
      };
    });

    if (result && (result.added.length > 0 || result.answeredClosed > 0)) await refreshBadge();
    const fresh = result?.added.filter((c) => c.startedAt >= now() - NOTIFY_WITHIN_MS) ?? [];
    if (fresh.length > 0) await notifyNewCalls(fresh);
    return { sourceId: id, status: 'ok', ...lastResult };
  } catch (error) {
    // The CRM refused its token: CRM connections asks to reconnect, as after a failed sync.
    if (crmLog && error instanceof ReconnectError) await noteCrmProblem(crmLog.crm, error.message);
    const failures = (record?.consecutiveFailures ?? 0) + 1;
    const nextPollAfter = now() + failureDelay(error, failures);
    const message = describeError(error, now());
    await patchCursor(db, id, (row) => ({
      ...row,
      lastError: message,
      consecutiveFailures: failures,
      nextPollAfter,
    }));
    return { sourceId: id, status: 'error', error: message, nextPollAfter };
  }
}
