import { z } from 'zod';
import type { CallbackDeskDB } from './db';

/**
 * The one HTTP helper for every connector and puller: timeouts, zod-validated JSON, typed
 * errors, Retry-After and rate-limit headers, bounded retries, and a rolling-window limiter
 * whose state lives in storage (the MV3 service worker may be killed between two requests,
 * so "when may I call again" cannot live in module memory).
 *
 * Waiting in-process is capped (`maxWaitMs`): a longer wait throws RateLimitError with
 * `retryAfterMs`, so the caller reschedules durably (poller: nextPollAfter, outbox: nextTryAt)
 * instead of holding a worker that may die.
 */

// ---------------------------------------------------------------------------------------
// Errors

/** Base of every error this helper throws. `retryAfterMs` says when trying again makes sense. */
/** A 429 from a daily quota (HubSpot: `policyName: "DAILY"`): waiting seconds will not help. */
export const DAILY_LIMIT_RETRY_MS = 60 * 60_000;

function isDailyLimit(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { policyName?: unknown }).policyName === 'DAILY'
  );
}

export class ApiError extends Error {
  override name = 'ApiError';
  /** The request may succeed if repeated later (429, 5xx, network). */
  retryable: boolean;
  retryAfterMs?: number;
  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The server answered with a non-2xx status. `body` is the parsed JSON, or text. */
export class HttpError extends ApiError {
  override name = 'HttpError';
  status: number;
  body: unknown;
  method: string;
  url: string;
  rateLimit?: RateLimitInfo;
  constructor(
    message: string,
    init: {
      status: number;
      body?: unknown;
      method: string;
      url: string;
      retryable: boolean;
      retryAfterMs?: number;
      rateLimit?: RateLimitInfo;
    },
  ) {
    super(message, { retryable: init.retryable, retryAfterMs: init.retryAfterMs });
    this.status = init.status;
    this.body = init.body;
    this.method = init.method;
    this.url = init.url;
    this.rateLimit = init.rateLimit;
  }
}

/**
 * Too many requests: a 429 from the server, or our own limiter refusing to send because the
 * wait would exceed `maxWaitMs` (`local` true, status 429, nothing was sent).
 */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError';
  local: boolean;
  constructor(
    message: string,
    init: {
      body?: unknown;
      method: string;
      url: string;
      retryAfterMs: number;
      rateLimit?: RateLimitInfo;
      local?: boolean;
    },
  ) {
    super(message, { ...init, status: 429, retryable: true });
    this.local = init.local ?? false;
  }
}

/** 401: the token expired or was revoked. Callers refresh once, then ask the user to reconnect. */
export class AuthError extends HttpError {
  override name = 'AuthError';
}

/** No answer: DNS, refused connection, CORS/permission block, or our timeout. */
export class NetworkError extends ApiError {
  override name = 'NetworkError';
  timedOut: boolean;
  url: string;
  constructor(message: string, init: { url: string; timedOut: boolean; cause?: unknown }) {
    super(message, { retryable: true, cause: init.cause });
    this.url = init.url;
    this.timedOut = init.timedOut;
  }
}

/** A 2xx answer that is not JSON, or not the shape we expect (zod issues in `issues`). */
export class InvalidResponseError extends ApiError {
  override name = 'InvalidResponseError';
  status: number;
  url: string;
  issues: string[];
  constructor(
    message: string,
    init: { status: number; url: string; issues?: string[]; cause?: unknown },
  ) {
    super(message, { retryable: true, cause: init.cause });
    this.status = init.status;
    this.url = init.url;
    this.issues = init.issues ?? [];
  }
}

/** One line a user can act on, for status panels ("last error"). */
export function describeError(error: unknown, now: number = Date.now()): string {
  if (error instanceof RateLimitError) {
    const wait = Math.ceil((error.retryAfterMs ?? 0) / 1000);
    const by = error.local ? 'Holding back to stay within' : `${hostOf(error.url)} reported`;
    return `${by} its rate limit; trying again in ${wait} s (at ${new Date(now + (error.retryAfterMs ?? 0)).toLocaleTimeString()}).`;
  }
  if (error instanceof AuthError) {
    return `${hostOf(error.url)} rejected the credentials (401${error.message ? `: ${error.message}` : ''}). Reconnect to enter new ones.`;
  }
  if (error instanceof HttpError) {
    return `${hostOf(error.url)} answered ${error.status}${error.message ? `: ${error.message}` : ''}.`;
  }
  if (error instanceof NetworkError) {
    return error.timedOut
      ? `${hostOf(error.url)} did not answer in time.`
      : `Could not reach ${hostOf(error.url)} (offline, blocked, or permission missing).`;
  }
  if (error instanceof InvalidResponseError) {
    return `${hostOf(error.url)} sent an unexpected answer: ${error.message}${error.issues.length ? ` (${error.issues.slice(0, 3).join('; ')})` : ''}.`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'The server';
  }
}

/** The human message inside the error bodies of the APIs we use (every field optional). */
export function messageFromBody(body: unknown): string {
  if (typeof body === 'string') return body.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (!body || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  const nested = b.error;
  if (nested && typeof nested === 'object') {
    const m = (nested as Record<string, unknown>).message;
    if (typeof m === 'string') return m.slice(0, 200);
  }
  for (const key of ['message', 'error_description', 'errorMessage', 'detail', 'troubleshoot']) {
    if (typeof b[key] === 'string' && b[key]) return (b[key] as string).slice(0, 200);
  }
  if (typeof nested === 'string') return nested.slice(0, 200);
  if (Array.isArray(b.errors) && b.errors.length > 0) {
    const first = b.errors[0] as Record<string, unknown> | string;
    if (typeof first === 'string') return first.slice(0, 200);
    if (first && typeof first.message === 'string') return first.message.slice(0, 200);
  }
  return '';
}

// ---------------------------------------------------------------------------------------
// Header parsing (pure)

/** `Retry-After`: delta seconds or an HTTP date. Returns a non-negative wait in ms. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** When the window resets (epoch ms), if the server said. */
  resetAt?: number;
  /** Window length, if the server said (HubSpot interval, RingCentral window). */
  intervalMs?: number;
}

/**
 * A reset header is a delta in seconds, epoch seconds or epoch ms depending on the vendor
 * (Aircall and Clio send epoch seconds; the IETF draft sends a delta). Tell them apart by size.
 */
export function parseResetValue(value: string | null | undefined, now: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const n = Number(value.trim());
  if (!Number.isFinite(n) || n < 0) {
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : at;
  }
  if (n > 1e12) return Math.round(n);
  if (n > 1e9) return Math.round(n * 1000);
  return now + Math.round(n * 1000);
}

function num(headers: Headers, ...names: string[]): number | undefined {
  for (const name of names) {
    const raw = headers.get(name);
    if (raw == null || raw.trim() === '') continue;
    const n = Number(raw.trim());
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

/**
 * Rate-limit headers of the vendors we call: HubSpot (`X-HubSpot-RateLimit-*`, rolling
 * interval), Aircall (`X-AircallApi-*`), Clio and most others (`X-RateLimit-*`),
 * RingCentral (`X-Rate-Limit-*` with a window in seconds) and the IETF `RateLimit-*`.
 */
export function readRateLimit(headers: Headers, now: number): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = num(
    headers,
    'x-hubspot-ratelimit-max',
    'x-aircallapi-limit',
    'x-ratelimit-limit',
    'x-rate-limit-limit',
    'ratelimit-limit',
  );
  const remaining = num(
    headers,
    'x-hubspot-ratelimit-remaining',
    'x-aircallapi-remaining',
    'x-ratelimit-remaining',
    'x-rate-limit-remaining',
    'ratelimit-remaining',
  );
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  const intervalMs = num(headers, 'x-hubspot-ratelimit-interval-milliseconds');
  const windowSeconds = num(headers, 'x-rate-limit-window');
  if (intervalMs !== undefined) info.intervalMs = intervalMs;
  else if (windowSeconds !== undefined) info.intervalMs = windowSeconds * 1000;
  const reset =
    headers.get('x-aircallapi-reset') ??
    headers.get('x-ratelimit-reset') ??
    headers.get('x-rate-limit-reset') ??
    headers.get('ratelimit-reset');
  const resetAt = parseResetValue(reset, now);
  if (resetAt !== undefined) info.resetAt = resetAt;
  return info;
}

// ---------------------------------------------------------------------------------------
// Backoff and the rolling-window limiter (pure)

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so
 * clients that failed together do not retry together, and the wait never collapses to 0.
 * `attempt` counts from 0 (the first retry).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? 1_000;
  const max = options.maxMs ?? 15 * 60_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * At most `max` requests in any `intervalMs` (a rolling window, as HubSpot and Clio count:
 * HubSpot 100 per 10 s and 5 searches per second, Clio 50 a minute).
 */
export interface RateLimitPolicy {
  max: number;
  intervalMs: number;
}

export interface LimiterState {
  /**
   * When each request of the window went out, ascending (epoch ms). A reservation is
   * stamped with the time it may leave (possibly in the future), and restamped with the
   * time its answer came back: the server saw it no later than that.
   */
  sent: number[];
  /**
   * Stamps (of `sent`) of requests whose answer has not come back. The server may see such a
   * request at any moment until its answer, so it holds its slot as if sent now — until
   * answered, or for IN_FLIGHT_MAX_MS (a worker that died mid-request never answers).
   */
  inFlight?: number[];
  /** Requests the window allows right now (for displays; `sent` is the truth). */
  tokens: number;
  updatedAt: number;
  /** The server told us to stop until then (429, or remaining 0 until reset). */
  blockedUntil?: number;
}

/** Longer than any request's timeout: an unanswered reservation older than this is gone. */
export const IN_FLIGHT_MAX_MS = 120_000;

/** Remove one occurrence of `value` from `list` (a multiset of stamps); false if absent. */
function takeOne(list: number[], value: number): boolean {
  const i = list.indexOf(value);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/**
 * The state with requests older than the window dropped (those still in flight stay). A stored state of the earlier
 * token bucket (no `sent`) counts its used tokens as sent when it was last written.
 */
export function refill(
  state: LimiterState | undefined,
  policy: RateLimitPolicy,
  now: number,
): LimiterState {
  let sent: number[];
  if (!state) sent = [];
  else if (Array.isArray(state.sent)) sent = state.sent;
  else {
    const used = Math.max(0, Math.min(policy.max, Math.ceil(policy.max - (state.tokens ?? 0))));
    sent = Array.from({ length: used }, () => state.updatedAt ?? now);
  }
  const pending = (state?.inFlight ?? [])
    .filter((t) => t > now - IN_FLIGHT_MAX_MS && sent.includes(t))
    .sort((a, b) => a - b);
  const unanswered = [...pending];
  sent = [...sent]
    .sort((a, b) => a - b)
    .filter((t) => takeOne(unanswered, t) || t > now - policy.intervalMs);
  const next: LimiterState = {
    sent,
    tokens: Math.max(0, policy.max - sent.length),
    updatedAt: Math.max(now, state?.updatedAt ?? now),
  };
  if (pending.length > 0) next.inFlight = pending;
  if (state?.blockedUntil !== undefined && state.blockedUntil > now)
    next.blockedUntil = state.blockedUntil;
  return next;
}

/**
 * The earliest time one more request may go out: once `max` requests are in the window, the
 * oldest that keeps it full must have left it. Never before a request already reserved
 * (first come, first served), nor before a server block ends.
 */
function nextSlot(s: LimiterState, policy: RateLimitPolicy, now: number): number {
  let at = Math.max(now, s.blockedUntil ?? 0);
  // A request still in flight counts as reaching the server no earlier than now.
  const unanswered = [...(s.inFlight ?? [])];
  const sent = s.sent
    .map((t) => (takeOne(unanswered, t) ? Math.max(t, now) : t))
    .sort((a, b) => a - b);
  if (sent.length > 0) at = Math.max(at, sent[sent.length - 1]!);
  if (sent.length >= policy.max)
    at = Math.max(at, sent[sent.length - policy.max]! + policy.intervalMs);
  return at;
}

/** How long until one request may go out (0 = now). Does not reserve anything. */
export function waitFor(
  state: LimiterState | undefined,
  policy: RateLimitPolicy,
  now: number,
): number {
  return nextSlot(refill(state, policy, now), policy, now) - now;
}

/**
 * Reserve one request slot, no earlier than `notBefore`. If it can go out within
 * `maxWaitMs`, it is stamped into the window (concurrent callers queue up behind each
 * other) and `waitMs` says how long to wait before sending; otherwise nothing is reserved
 * and `granted` is false.
 */
export function reserve(
  state: LimiterState | undefined,
  policy: RateLimitPolicy,
  now: number,
  maxWaitMs: number,
  notBefore = now,
): { state: LimiterState; waitMs: number; at: number; granted: boolean } {
  const s = refill(state, policy, now);
  const at = Math.max(nextSlot(s, policy, now), notBefore);
  const waitMs = at - now;
  if (waitMs > maxWaitMs) return { state: s, waitMs, at, granted: false };
  const sent = [...s.sent, at];
  const inFlight = [...(s.inFlight ?? []), at];
  return {
    state: { ...s, sent, inFlight, tokens: Math.max(0, s.tokens - 1) },
    waitMs,
    at,
    granted: true,
  };
}

/**
 * Move a reservation stamped `from` to `to`: when its answer came back (it is no longer in
 * flight), or, with `stillInFlight`, when it really leaves (a later budget made it wait).
 */
export function restamp(
  state: LimiterState | undefined,
  policy: RateLimitPolicy,
  from: number,
  to: number,
  now: number,
  stillInFlight = false,
): LimiterState {
  const s = refill(state, policy, now);
  const i = s.sent.indexOf(from);
  if (i < 0) return s;
  const sent = [...s.sent];
  const inFlight = [...(s.inFlight ?? [])];
  const wasInFlight = takeOne(inFlight, from);
  if (to > from) sent[i] = to;
  if (wasInFlight && stillInFlight) inFlight.push(sent[i]!);
  const next: LimiterState = { ...s, sent: sent.sort((a, b) => a - b) };
  if (inFlight.length > 0) next.inFlight = inFlight.sort((a, b) => a - b);
  else delete next.inFlight;
  return refill(next, policy, now);
}

/**
 * Fold what the server said into our state: it knows about other clients sharing the quota,
 * so its `remaining` caps what we allow ourselves, and `remaining: 0` blocks until the reset.
 */
export function observe(
  state: LimiterState | undefined,
  policy: RateLimitPolicy,
  info: RateLimitInfo,
  now: number,
  retryAfterMs?: number,
): LimiterState {
  const s = refill(state, policy, now);
  if (info.remaining !== undefined) {
    // Requests of other clients we did not see: count them as sent now.
    const missing = Math.min(policy.max, policy.max - Math.max(0, info.remaining)) - s.sent.length;
    if (missing > 0) {
      s.sent = [...Array.from({ length: missing }, () => now), ...s.sent].sort((a, b) => a - b);
    }
    s.tokens = Math.min(s.tokens, Math.max(0, info.remaining));
  }
  let blockedUntil = s.blockedUntil;
  if (info.remaining !== undefined && info.remaining <= 0) {
    const until = info.resetAt ?? now + (info.intervalMs ?? policy.intervalMs);
    blockedUntil = Math.max(blockedUntil ?? 0, until);
  }
  if (retryAfterMs !== undefined) blockedUntil = Math.max(blockedUntil ?? 0, now + retryAfterMs);
  if (blockedUntil !== undefined && blockedUntil > now) s.blockedUntil = blockedUntil;
  return s;
}

// ---------------------------------------------------------------------------------------
// Persistent limiter

/** Atomic read-modify-write of limiter states, shared by every context that calls an API. */
export interface LimiterStore {
  update<T>(
    key: string,
    fn: (state: LimiterState | undefined) => { state: LimiterState; result: T },
  ): Promise<T>;
  get(key: string): Promise<LimiterState | undefined>;
}

const LIMITER_PREFIX = 'ratelimit:';

/**
 * Limiter state in `db.cursors` (row `ratelimit:<key>`), updated in a Dexie transaction so
 * the background and an options page calling the same API share one budget atomically.
 */
export function dbLimiterStore(db: CallbackDeskDB): LimiterStore {
  return {
    update: (key, fn) =>
      db.transaction('rw', db.cursors, async () => {
        const id = LIMITER_PREFIX + key;
        const row = await db.cursors.get(id);
        const { state, result } = fn(row?.cursor as LimiterState | undefined);
        await db.cursors.put({ ...row, sourceId: id, cursor: state });
        return result;
      }),
    get: async (key) =>
      (await db.cursors.get(LIMITER_PREFIX + key))?.cursor as LimiterState | undefined,
  };
}

/** For scripts and unit tests: state in a closure (lost with the process, on purpose). */
export function memoryLimiterStore(): LimiterStore {
  const states = new Map<string, LimiterState>();
  return {
    update: async (key, fn) => {
      const { state, result } = fn(states.get(key));
      states.set(key, state);
      return result;
    },
    get: async (key) => states.get(key),
  };
}

/**
 * One API budget. Use one key per account and limit (e.g. `hubspot`, `hubspot-search`,
 * `clio`, `aircall`) so every caller of that API shares it.
 */
export interface RateLimiter {
  key: string;
  policy: RateLimitPolicy;
  store: LimiterStore;
}

export function rateLimiter(
  key: string,
  policy: RateLimitPolicy,
  store: LimiterStore,
): RateLimiter {
  return { key, policy, store };
}

/** When the limiter would let the next request out (for "next poll" displays and scheduling). */
export async function nextAllowedAt(
  limiter: RateLimiter,
  now: number = Date.now(),
): Promise<number> {
  return now + waitFor(await limiter.store.get(limiter.key), limiter.policy, now);
}

// ---------------------------------------------------------------------------------------
// request()

type Query = Record<
  string,
  string | number | boolean | undefined | null | readonly (string | number)[]
>;

export interface RequestOptions<S extends z.ZodType> {
  url: string | URL;
  method?: string;
  query?: Query;
  headers?: Record<string, string>;
  /** JSON body (sets Content-Type). */
  json?: unknown;
  /** Form body (application/x-www-form-urlencoded), for OAuth token endpoints. */
  form?: Record<string, string | undefined>;
  /** Validates a 2xx JSON body. Omit for answers whose body does not matter. */
  schema?: S;
  /** Abort one attempt after this long (default 20 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  limiters?: RateLimiter[];
  /** Longest in-process wait (limiter, Retry-After, backoff) before throwing instead (default 10 s). */
  maxWaitMs?: number;
  /** Retries after 429 / 5xx / network errors (default 2). Only idempotent requests retry 5xx and network errors. */
  retries?: number;
  /** Safe to repeat (default: GET, HEAD, PUT, DELETE, OPTIONS). A POST search is; a POST create is not. */
  idempotent?: boolean;
  /** Injection points for tests and scripts. */
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface HttpResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  rateLimit: RateLimitInfo;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function buildUrl(url: string | URL, query?: Query): URL {
  const u = new URL(url);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) u.searchParams.append(key, String(v));
    else u.searchParams.set(key, String(value));
  }
  return u;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readBody(
  response: Response,
): Promise<{ text: string; json: unknown; isJson: boolean }> {
  const text = await response.text();
  if (text.trim() === '') return { text, json: undefined, isJson: true };
  try {
    return { text, json: JSON.parse(text), isJson: true };
  } catch {
    return { text, json: undefined, isJson: false };
  }
}

/**
 * Send one API request with everything connectors need. Resolves with the validated body;
 * rejects with HttpError / RateLimitError / AuthError / NetworkError / InvalidResponseError.
 */
export async function request<S extends z.ZodType = z.ZodUnknown>(
  options: RequestOptions<S>,
): Promise<HttpResponse<z.output<S>>> {
  const method = (options.method ?? 'GET').toUpperCase();
  const url = buildUrl(options.url, options.query);
  const urlText = url.toString();
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const retries = options.retries ?? 2;
  const idempotent = options.idempotent ?? IDEMPOTENT.has(method);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const limiters = options.limiters ?? [];

  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) if (v !== undefined) form.set(k, v);
    body = form.toString();
  }

  for (let attempt = 0; ; attempt++) {
    const sentAt = await acquire(limiters, now(), maxWaitMs, method, urlText, sleep, now);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onOuterAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort);

    let response: Response;
    let parsed: { text: string; json: unknown; isJson: boolean };
    try {
      response = await doFetch(urlText, { method, headers, body, signal: controller.signal });
      // The body is read under the same timeout: a server that stalls mid-body is no answer.
      parsed = await readBody(response);
    } catch (cause) {
      // It may have reached the server until now: its slot counts from now.
      await record(limiters, sentAt, now(), {}, undefined);
      if (options.signal?.aborted) throw cause;
      const error = new NetworkError(
        timedOut ? `No answer within ${Math.round(timeoutMs / 1000)} s` : 'Network request failed',
        {
          url: urlText,
          timedOut,
          cause,
        },
      );
      const wait = backoffDelay(attempt, { baseMs: 500, maxMs: maxWaitMs }, random);
      if (idempotent && attempt < retries && wait <= maxWaitMs) {
        await sleep(wait);
        continue;
      }
      error.retryAfterMs = backoffDelay(attempt + 1, {}, random);
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }

    const at = now();
    const rateLimit = readRateLimit(response.headers, at);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), at);

    if (response.status === 429) {
      // HubSpot's daily cap says so in the body and sends no Retry-After; its 10-second window
      // headers would have us retry all day. It resets at midnight in the account's time zone,
      // which we do not know: try again hourly.
      const daily = isDailyLimit(parsed.json);
      // No Retry-After (HubSpot): wait out the advertised window, else back off.
      const wait =
        retryAfterMs ??
        (daily ? DAILY_LIMIT_RETRY_MS : undefined) ??
        (rateLimit.resetAt !== undefined ? Math.max(0, rateLimit.resetAt - at) : undefined) ??
        rateLimit.intervalMs ??
        backoffDelay(attempt, { baseMs: 2_000 }, random);
      // Block exactly as long as we wait: the server's word (Retry-After) beats its window headers.
      await record(limiters, sentAt, at, {}, wait);
      if (attempt < retries && wait <= maxWaitMs) {
        await sleep(wait);
        continue;
      }
      const serverMessage = messageFromBody(parsed.json ?? parsed.text);
      const message = daily
        ? `The daily API limit is used up${serverMessage ? ` (${serverMessage})` : ''}; trying again every hour until it resets.`
        : serverMessage || 'Too many requests';
      throw new RateLimitError(message, {
        body: parsed.json ?? parsed.text,
        method,
        url: urlText,
        retryAfterMs: wait,
        rateLimit,
      });
    }
    await record(limiters, sentAt, at, rateLimit, undefined);

    if (!response.ok) {
      const errorBody = parsed.isJson ? parsed.json : parsed.text.slice(0, 2_000);
      const message = messageFromBody(errorBody) || response.statusText;
      if (response.status === 401) {
        throw new AuthError(message, {
          status: 401,
          body: errorBody,
          method,
          url: urlText,
          retryable: false,
          rateLimit,
        });
      }
      // Every 5xx: 500-504, 501, 507, Cloudflare's 520-524 (524: the origin got the request and
      // never answered). The server may have done the work: only idempotent requests repeat.
      const retryable = response.status >= 500;
      const wait = retryAfterMs ?? backoffDelay(attempt, { baseMs: 500, maxMs: maxWaitMs }, random);
      if (retryable && idempotent && attempt < retries && wait <= maxWaitMs) {
        await sleep(wait);
        continue;
      }
      throw new HttpError(message, {
        status: response.status,
        body: errorBody,
        method,
        url: urlText,
        retryable,
        retryAfterMs: retryable
          ? (retryAfterMs ?? backoffDelay(attempt + 1, {}, random))
          : undefined,
        rateLimit,
      });
    }

    if (!parsed.isJson) {
      // Usually a body cut short or a proxy's error page: as transient as a dropped connection.
      const wait = backoffDelay(attempt, { baseMs: 500, maxMs: maxWaitMs }, random);
      if (idempotent && attempt < retries) {
        await sleep(wait);
        continue;
      }
      const error = new InvalidResponseError('the answer is not valid JSON', {
        status: response.status,
        url: urlText,
      });
      error.retryAfterMs = backoffDelay(attempt + 1, {}, random);
      throw error;
    }
    if (!options.schema) {
      return {
        data: parsed.json as z.output<S>,
        status: response.status,
        headers: response.headers,
        rateLimit,
      };
    }
    const result = options.schema.safeParse(parsed.json);
    if (!result.success) {
      throw new InvalidResponseError('the answer does not have the expected shape', {
        status: response.status,
        url: urlText,
        issues: result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
      });
    }
    return { data: result.data, status: response.status, headers: response.headers, rateLimit };
  }
}

/**
 * Wait for a slot in every budget. All budgets are checked before any is reserved, so a
 * refusal never burns a slot elsewhere; every budget is stamped with the same send time.
 * Returns that time (the stamp to move once the answer is in).
 */
async function acquire(
  limiters: RateLimiter[],
  at: number,
  maxWaitMs: number,
  method: string,
  url: string,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
): Promise<number | undefined> {
  if (limiters.length === 0) return undefined;
  const waits = await Promise.all(
    limiters.map(async (l) => waitFor(await l.store.get(l.key), l.policy, at)),
  );
  const longest = Math.max(...waits);
  if (longest > maxWaitMs) {
    throw new RateLimitError('Rate limit budget used up', {
      method,
      url,
      retryAfterMs: longest,
      local: true,
    });
  }
  let sendAt = 0;
  const stamped: { limiter: RateLimiter; at: number }[] = [];
  for (const limiter of limiters) {
    const granted = await limiter.store.update(limiter.key, (state) => {
      const r = reserve(state, limiter.policy, now(), maxWaitMs, sendAt);
      return { state: r.state, result: r };
    });
    if (!granted.granted) {
      await settle(stamped, now());
      throw new RateLimitError('Rate limit budget used up', {
        method,
        url,
        retryAfterMs: granted.waitMs,
        local: true,
      });
    }
    stamped.push({ limiter, at: granted.at });
    sendAt = Math.max(sendAt, granted.at);
  }
  // A later budget made the request wait: it leaves then, in every window.
  await Promise.all(
    stamped
      .filter((s) => s.at < sendAt)
      .map((s) =>
        s.limiter.store.update(s.limiter.key, (state) => ({
          state: restamp(state, s.limiter.policy, s.at, sendAt, now(), true),
          result: undefined,
        })),
      ),
  );
  const wait = sendAt - now();
  if (wait > 0) await sleep(wait);
  return sendAt;
}

/** Requests reserved for `at` that went out (or were dropped) by `to`: restamp them. */
async function settle(stamped: { limiter: RateLimiter; at: number }[], to: number): Promise<void> {
  await Promise.all(
    stamped.map((s) =>
      s.limiter.store.update(s.limiter.key, (state) => ({
        state: restamp(state, s.limiter.policy, s.at, to, to),
        result: undefined,
      })),
    ),
  );
}

/**
 * The answer came back at `at`: the server saw the request no later than that, so its stamp
 * moves there (a request that waited on the network must not free its slot early), and
 * what the server said about the budget is folded in.
 */
async function record(
  limiters: RateLimiter[],
  sentAt: number | undefined,
  at: number,
  info: RateLimitInfo,
  retryAfterMs: number | undefined,
): Promise<void> {
  const told = info.remaining !== undefined || retryAfterMs !== undefined;
  // Even an answer stamped with its own send time clears the request from `inFlight`.
  if (!told && sentAt === undefined) return;
  await Promise.all(
    limiters.map((l) =>
      l.store.update(l.key, (state) => {
        const moved = sentAt === undefined ? state : restamp(state, l.policy, sentAt, at, at);
        return {
          state: told ? observe(moved, l.policy, info, at, retryAfterMs) : moved!,
          result: undefined,
        };
      }),
    ),
  );
}

/** `Authorization: Basic …` for API id/secret pairs (Aircall, Twilio). */
export function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/**
 * Follow a paging link only to the API's own origin: a `next` URL pointing elsewhere must
 * never receive our credentials.
 */
export function sameOriginUrl(link: string, base: string): URL {
  const resolved = new URL(link, base);
  if (resolved.origin !== new URL(base).origin) {
    throw new InvalidResponseError(`a paging link points to another host (${resolved.host})`, {
      status: 200,
      url: base,
    });
  }
  return resolved;
}
