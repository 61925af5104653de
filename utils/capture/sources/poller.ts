import { browser } from '#imports';
import { notifyNewCalls, refreshBadge } from '../../queue/alerts';
import { checkExistingClients } from '../../team/background';
import { noteCapturedCalls } from '../../workflow/autoTextStore';
import { db as defaultDb, type CallbackDeskDB, type CursorRecord } from '../../db';
import {
  ApiError,
  AuthError,
  HttpError,
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
import { isNewsForStoredCall, providerKeyOf } from '../../queue/dedupe';
import { isVoicemailNews } from './voicemail';
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
import type { CrmCallLog, FetchResult, PageResume, SourceId, StoredCalls } from './types';

/**
 * Polls every connected API source once a minute with `browser.alarms` (the service worker
 * keeps no timers). For each source, one row in `db.cursors` holds where it got to and
 * its health. The cursor moves only after the calls it covers were stored: a worker killed
 * mid-poll reads the same window again and dedupe (provider call ids) drops the repeats,
 * so nothing is missed and nothing is stored twice.
 *
 * Each poll reads the source's window again: `lookbackMs` before the previous poll on the
 * source's own time axis (when a record changed, where the API can filter on that; else
 * when the call started, with a window as long as the source's real delays). A read that
 * one poll cannot finish (a page cap, the rate limit) is a sweep: the cursor keeps its
 * resume point and the following polls carry on from it until the window is covered.
 */

export const POLL_ALARM = 'poll-sources';
/** Chrome's minimum alarm period is 30 s; a minute keeps within every provider's limits. */
export const POLL_PERIOD_MINUTES = 1;
/** The first poll after connecting reads the last day (yesterday's missed calls still need a callback). */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60_000;
/** After connecting or a catch-up, only calls this recent notify; older ones just join the queue. */
export const NOTIFY_WITHIN_MS = 15 * 60_000;
/**
 * In a regular poll every call found is new to the desk (dedupe dropped the rest), even when
 * it started a while ago (a long queue wait, an entry logged late): those of the last day notify.
 */
export const NOTIFY_LATE_WITHIN_MS = 24 * 60 * 60_000;
/** Records that could not be read stay on the source's health this long after last seen. */
export const UNREADABLE_KEPT_MS = 24 * 60 * 60_000;
const CAPTURE_CHUNK = 1_000;

export interface PollCursor {
  /**
   * Records at or after this (epoch ms, on the source's time axis) may not have been read:
   * the next poll reads from here.
   */
  since: number;
  /** A read of the window from `since` that earlier polls did not finish: carried on from `resume`. */
  sweep?: { startedAt: number; resume: PageResume; polls: number };
  /** Records the API sent that could not be read, kept for the health panel (newest last). */
  unreadable?: { text: string; at: number }[];
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

/** The stored cursor, or the first poll's: the last day. */
export function readCursor(
  record: Pick<CursorRecord, 'cursor'> | undefined,
  now: number,
): PollCursor {
  const stored = record?.cursor as Partial<PollCursor> | undefined;
  const since =
    typeof stored?.since === 'number' && Number.isFinite(stored.since)
      ? stored.since
      : now - FIRST_POLL_LOOKBACK_MS;
  const cursor: PollCursor = { since };
  const sweep = stored?.sweep;
  if (
    sweep &&
    typeof sweep.startedAt === 'number' &&
    sweep.resume &&
    typeof sweep.resume === 'object'
  )
    cursor.sweep = { startedAt: sweep.startedAt, resume: sweep.resume, polls: sweep.polls ?? 1 };
  if (Array.isArray(stored?.unreadable)) cursor.unreadable = stored.unreadable;
  return cursor;
}

/**
 * The cursor after a successful poll that started at `pollStartedAt`. A finished read moves
 * `since` to `lookbackMs` before the start of the sweep it finished (the window each poll
 * reads again); an unfinished one keeps `since` and where to carry on.
 */
export function nextCursor(
  previous: PollCursor,
  pollStartedAt: number,
  lookbackMs: number,
  fetched: Pick<FetchResult, 'complete' | 'resume' | 'unreadable'>,
): PollCursor {
  const sweepStartedAt = previous.sweep?.startedAt ?? pollStartedAt;
  const next: PollCursor = fetched.complete
    ? { since: sweepStartedAt - lookbackMs }
    : { since: previous.since };
  if (!fetched.complete && fetched.resume)
    next.sweep = {
      startedAt: sweepStartedAt,
      resume: fetched.resume,
      polls: (previous.sweep?.polls ?? 0) + 1,
    };
  // The same bad record read again (the window overlaps) is one record, seen again.
  const kept = (previous.unreadable ?? []).filter(
    (u) => u.at > pollStartedAt - UNREADABLE_KEPT_MS && !fetched.unreadable?.includes(u.text),
  );
  const unreadable = [
    ...kept,
    ...(fetched.unreadable ?? []).map((text) => ({ text, at: pollStartedAt })),
  ].slice(-20);
  if (unreadable.length > 0) next.unreadable = unreadable;
  return next;
}

/** "1 record could not be read: …" for the source's health, or undefined. */
export function unreadableWarning(cursor: Pick<PollCursor, 'unreadable'>): string | undefined {
  const list = cursor.unreadable ?? [];
  if (list.length === 0) return undefined;
  const last = list[list.length - 1]!;
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  return `${list.length} ${list.length === 1 ? 'record' : 'records'} could not be read: ${last.text}${more}. The rest were read.`;
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

/**
 * The calls of a re-read window that are stored already, unchanged (same provider id, same
 * outcome): each poll reads hours of calls again, and writing them all back every minute
 * would only churn the queue. Capture would drop them as duplicates anyway; a call whose
 * outcome changed (missed → voicemail) still goes through to be merged.
 */
async function withoutStoredCalls(
  db: CallbackDeskDB,
  calls: IncomingCall[],
): Promise<{ fresh: IncomingCall[]; known: number }> {
  const keys = [...new Set(calls.map(providerKeyOf).filter((k) => k !== undefined))];
  if (keys.length === 0) return { fresh: calls, known: 0 };
  const stored = new Map(
    (await db.calls.where('providerKey').anyOf(keys).toArray()).map((c) => [c.providerKey, c]),
  );
  const fresh = calls.filter((call) => {
    const known = stored.get(providerKeyOf(call));
    return (
      !known ||
      isNewsForStoredCall(known.reason, call.reason) ||
      // A transcript (or recording) that came after the call was stored.
      isVoicemailNews(known.voicemail, call.voicemail)
    );
  });
  return { fresh, known: calls.length - fresh.length };
}

/**
 * An API's text fields are free text (Clio's phone numbers hold notes, Twilio's addresses
 * can be long SIP URIs): cut to what the queue keeps, never a reason to refuse the call
 * (a refused call is not read again). The number keeps its start, where its digits are.
 */
export function fittedForQueue(call: IncomingCall): IncomingCall {
  const cut = (value: string | undefined, max: number) =>
    value !== undefined && value.length > max ? value.trim().slice(0, max) : value;
  const fitted = { ...call, from: cut(call.from, 64)! };
  if (call.dialedLine !== undefined) fitted.dialedLine = cut(call.dialedLine, 64);
  if (call.agent !== undefined) fitted.agent = cut(call.agent, 120);
  return fitted;
}

/** What one poll reads with: the source's own credentials, or its CRM's connection. */
interface Reader {
  fetchCalls(since: number, resume?: PageResume, stored?: StoredCalls): Promise<FetchResult>;
  /** How far back each poll reads again (the source's real delays). */
  lookbackMs: number;
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
    fetchCalls: (since, resume, stored) => source.fetchCalls(client, config, since, resume, stored),
    lookbackMs: source.lookbackMs,
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
    fetchCalls: (since, resume, stored) => log.fetchCalls(access.client, since, resume, stored),
    lookbackMs: log.lookbackMs,
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
    const cursor = readCursor(record, startedAt);
    const provider = (crmLog ?? source)!.provider;
    const stored: StoredCalls = async (ids) => {
      const keys = ids.map((providerCallId) => providerKeyOf({ provider, providerCallId })!);
      const found = await db.calls.where('providerKey').anyOf(keys).toArray();
      return new Map(
        found
          .filter((c) => c.providerCallId !== undefined)
          .map((c) => [
            c.providerCallId!,
            {
              reason: c.reason,
              phone: c.phoneKey.startsWith('+') ? c.phoneKey : undefined,
              voicemail: c.voicemail,
            },
          ]),
      );
    };
    const fetched = await reader.fetchCalls(cursor.since, cursor.sweep?.resume, stored);
    // Oldest first, so a later answered call can close the lead an earlier missed call opened.
    const read = fetched.calls.map(fittedForQueue).sort((a, b) => a.startedAt - b.startedAt);
    const { fresh: calls, known } = await withoutStoredCalls(db, read);
    const result = calls.length > 0 ? await captureInChunks(db, calls, now()) : undefined;
    // Calls the queue refused are not retried (they would fail again): reported with the
    // records that could not be read.
    const unreadable = [
      ...(fetched.unreadable ?? []),
      ...(result?.rejected ?? []).map(
        (r) => `call ${calls[r.index]?.providerCallId ?? `#${r.index + 1}`}: ${r.error}`,
      ),
    ];

    const allowedAt = Math.max(
      ...(await Promise.all(reader.limiters.map((limiter) => nextAllowedAt(limiter, now())))),
    );
    const lastResult = {
      fetched: read.length + (fetched.known ?? 0),
      added: result?.added.length ?? 0,
      duplicates: known + (fetched.known ?? 0) + (result?.duplicates ?? 0),
      answeredClosed: result?.answeredClosed ?? 0,
      rejected: result?.rejected.length ?? 0,
    };
    const next = nextCursor(cursor, startedAt, reader.lookbackMs, {
      ...fetched,
      unreadable,
    });
    await patchCursor(db, id, (row) => ({
      ...row,
      cursor: next,
      lastSuccessAt: now(),
      // What the user should know although the poll worked: records it skipped. (A catch-up
      // over several polls is no error: Options shows it from the cursor, health.ts.)
      lastError: unreadableWarning(next),
      consecutiveFailures: 0,
      nextPollAfter: allowedAt > now() ? allowedAt : undefined,
      lastResult,
    }));

    if (result && (result.added.length > 0 || result.answeredClosed > 0)) await refreshBadge();
    // A regular poll's finds are new to the desk even if the call began a while ago (a long
    // queue wait, an entry logged late); the first poll and a catch-up notify recent ones only.
    const regular = record?.cursor !== undefined && !cursor.sweep && fetched.complete;
    const notifyFrom = now() - (regular ? NOTIFY_LATE_WITHIN_MS : NOTIFY_WITHIN_MS);
    const fresh = result?.added.filter((c) => c.startedAt >= notifyFrom) ?? [];
    if (fresh.length > 0) await notifyNewCalls(fresh);
    // Every call found goes to the automatic text: one seen too late is flagged, not texted.
    if (result) await noteCapturedCalls(result.added);
    // Existing clients: looked up in the CRM in the background (utils/team/background.ts).
    if (result)
      void checkExistingClients(result.added.filter((a) => a.newLead).map((a) => a.leadId));
    return { sourceId: id, status: 'ok', ...lastResult };
  } catch (error) {
    // The CRM refused its token: CRM connections asks to reconnect, as after a failed sync.
    if (crmLog && error instanceof ReconnectError) await noteCrmProblem(crmLog.crm, error.message);
    const failures = (record?.consecutiveFailures ?? 0) + 1;
    const nextPollAfter = now() + failureDelay(error, failures);
    const message = describeError(error, now());
    // A resume point the API no longer accepts (an expired page link) must not stop the
    // source: start the sweep again from `since` (dedupe drops what was read already).
    const staleResume =
      error instanceof HttpError &&
      !(error instanceof AuthError) &&
      [400, 404, 410, 422].includes(error.status) &&
      readCursor(record, startedAt).sweep !== undefined;
    await patchCursor(db, id, (row) => {
      const patched = {
        ...row,
        lastError: message,
        consecutiveFailures: failures,
        nextPollAfter,
      };
      if (staleResume) {
        const { sweep: _dropped, ...rest } = readCursor(row, startedAt);
        patched.cursor = rest;
      }
      return patched;
    });
    return { sourceId: id, status: 'error', error: message, nextPollAfter };
  }
}
