import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CallbackDeskDB } from '@/utils/db';
import {
  AuthError,
  HttpError,
  InvalidResponseError,
  NetworkError,
  RateLimitError,
  backoffDelay,
  basicAuth,
  dbLimiterStore,
  describeError,
  memoryLimiterStore,
  messageFromBody,
  observe,
  parseResetValue,
  parseRetryAfter,
  rateLimiter,
  readRateLimit,
  refill,
  request,
  reserve,
  restamp,
  sameOriginUrl,
  waitFor,
} from '@/utils/http';

const NOW = Date.UTC(2026, 2, 10, 15, 0, 0);

describe('Retry-After', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1_500);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
  });
  it('never returns a negative wait, and ignores garbage', () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
  });
});

describe('rate-limit headers', () => {
  it('tells delta seconds, epoch seconds and epoch ms apart', () => {
    expect(parseResetValue('30', NOW)).toBe(NOW + 30_000);
    expect(parseResetValue(String(NOW / 1000 + 60), NOW)).toBe(NOW + 60_000);
    expect(parseResetValue(String(NOW + 5_000), NOW)).toBe(NOW + 5_000);
  });

  it('reads HubSpot, Aircall, Clio and RingCentral headers', () => {
    expect(
      readRateLimit(
        new Headers({
          'X-HubSpot-RateLimit-Max': '100',
          'X-HubSpot-RateLimit-Remaining': '7',
          'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
        }),
        NOW,
      ),
    ).toEqual({ limit: 100, remaining: 7, intervalMs: 10_000 });
    expect(
      readRateLimit(
        new Headers({
          'X-AircallApi-Limit': '60',
          'X-AircallApi-Remaining': '0',
          'X-AircallApi-Reset': String(NOW / 1000 + 42),
        }),
        NOW,
      ),
    ).toEqual({ limit: 60, remaining: 0, resetAt: NOW + 42_000 });
    expect(
      readRateLimit(
        new Headers({
          'X-RateLimit-Limit': '50',
          'X-RateLimit-Remaining': '49',
          'X-RateLimit-Reset': String(NOW / 1000 + 60),
        }),
        NOW,
      ),
    ).toEqual({ limit: 50, remaining: 49, resetAt: NOW + 60_000 });
    expect(
      readRateLimit(
        new Headers({
          'X-Rate-Limit-Limit': '10',
          'X-Rate-Limit-Remaining': '3',
          'X-Rate-Limit-Window': '60',
        }),
        NOW,
      ),
    ).toEqual({
      limit: 10,
      remaining: 3,
      intervalMs: 60_000,
    });
    expect(readRateLimit(new Headers(), NOW)).toEqual({});
  });
});

describe('backoff', () => {
  it('doubles per attempt, with jitter between half and all of it, capped', () => {
    expect(backoffDelay(0, { baseMs: 1000 }, () => 0)).toBe(500);
    expect(backoffDelay(0, { baseMs: 1000 }, () => 1)).toBe(1000);
    expect(backoffDelay(3, { baseMs: 1000 }, () => 1)).toBe(8000);
    expect(backoffDelay(40, { baseMs: 1000, maxMs: 60_000 }, () => 1)).toBe(60_000);
  });
});

describe('rolling-window limiter', () => {
  const policy = { max: 10, intervalMs: 10_000 };

  /** Most requests stamped inside any window of `policy.intervalMs`. */
  const peak = (stamps: number[]) =>
    Math.max(
      0,
      ...stamps.map((t) => stamps.filter((u) => u > t - policy.intervalMs && u <= t).length),
    );

  it('never lets more than the limit out in any rolling window (no refill on top of a full start)', () => {
    // A sender that goes as soon as the limiter lets it, for a minute.
    let state = refill(undefined, policy, NOW);
    const stamps: number[] = [];
    let clock = NOW;
    while (clock < NOW + 60_000) {
      const r = reserve(state, policy, clock, 60_000);
      expect(r.granted).toBe(true);
      clock += r.waitMs;
      // Answered the moment it left.
      state = restamp(r.state, policy, r.at, clock, clock);
      stamps.push(clock);
    }
    expect(peak(stamps)).toBe(10);
    // 10 at once, then 10 more every 10 s: 60 in the minute, not the bucket's 10 + 60.
    expect(stamps.filter((t) => t < NOW + 60_000)).toHaveLength(60);
  });

  it('queues reservations behind each other and refuses what would wait too long', () => {
    let state = refill(undefined, policy, NOW);
    for (let i = 0; i < 10; i++) {
      const r = reserve(state, policy, NOW + i * 100, 5_000);
      expect(r).toMatchObject({ granted: true, waitMs: 0 });
      state = restamp(r.state, policy, r.at, r.at, r.at);
    }
    // The window frees up when the first request leaves it, 10 s after it went.
    const eleventh = reserve(state, policy, NOW + 3_000, 10_000);
    expect(eleventh).toMatchObject({ granted: true, waitMs: 7_000 });
    const twelfth = reserve(eleventh.state, policy, NOW + 3_000, 10_000);
    expect(twelfth.waitMs).toBe(7_100);
    const refused = reserve(twelfth.state, policy, NOW + 3_000, 5_000);
    expect(refused).toMatchObject({ granted: false, waitMs: 7_200 });
    expect(refused.state.sent).toEqual(twelfth.state.sent);
  });

  it('counts a request from when its answer came back', () => {
    const first = reserve(undefined, { max: 1, intervalMs: 1_000 }, NOW, 5_000);
    const moved = restamp(first.state, { max: 1, intervalMs: 1_000 }, NOW, NOW + 400, NOW + 400);
    expect(waitFor(moved, { max: 1, intervalMs: 1_000 }, NOW + 400)).toBe(1_000);
  });

  it('keeps a request whose answer has not come back in the window: the server may see it late', () => {
    // HubSpot search: 5 a second. Five go out at once and hang on the network for 1.5 s.
    const search = { max: 5, intervalMs: 1_000 };
    let state = refill(undefined, search, NOW);
    for (let i = 0; i < 5; i++) state = reserve(state, search, NOW, 5_000).state;
    // A second later none has been answered: any of them may still reach HubSpot now, so a
    // sixth must wait a whole window from now, not go at once.
    expect(waitFor(state, search, NOW + 1_100)).toBe(1_000);
    // Four answers come back at +1.5 s; one is still on its way.
    for (let i = 0; i < 4; i++) state = restamp(state, search, NOW, NOW + 1_500, NOW + 1_500);
    expect(waitFor(state, search, NOW + 1_500)).toBe(1_000);
    // Its answer never comes (the worker died): after two minutes it no longer holds a slot.
    expect(waitFor(state, search, NOW + 130_000)).toBe(0);
  });

  it('obeys the server: remaining counts others’ requests, remaining 0 or Retry-After blocks until reset', () => {
    const s = observe(undefined, policy, { remaining: 2 }, NOW);
    expect(s.tokens).toBe(2);
    expect(s.sent).toHaveLength(8);
    const blocked = observe(s, policy, { remaining: 0, resetAt: NOW + 42_000 }, NOW);
    expect(waitFor(blocked, policy, NOW)).toBe(42_000);
    const hubspot = observe(undefined, policy, { remaining: 0, intervalMs: 10_000 }, NOW);
    expect(waitFor(hubspot, policy, NOW)).toBe(10_000);
    const retryAfter = observe(undefined, policy, {}, NOW, 7_000);
    expect(waitFor(retryAfter, policy, NOW + 2_000)).toBe(5_000);
    expect(waitFor(retryAfter, policy, NOW + 8_000)).toBe(0);
  });

  it('reads a stored token bucket of the earlier version as requests already sent', () => {
    const old = { tokens: 4, updatedAt: NOW } as unknown as Parameters<typeof refill>[0];
    expect(refill(old, policy, NOW + 1_000).sent).toHaveLength(6);
    expect(waitFor(old, policy, NOW + 1_000)).toBe(0);
  });
});

describe('errors for people', () => {
  it('finds the message in each vendor’s error body', () => {
    expect(
      messageFromBody({
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        category: 'RATE_LIMITS',
      }),
    ).toMatch(/ten_secondly/);
    expect(
      messageFromBody({ error: { type: 'RateLimited', message: 'Rate limit exceeded' } }),
    ).toBe('Rate limit exceeded');
    expect(messageFromBody({ error: 'invalid_grant', error_description: 'Token expired' })).toBe(
      'Token expired',
    );
    expect(
      messageFromBody({ errorCode: 'CMN-102', errors: [{ message: 'Resource not found' }] }),
    ).toBe('Resource not found');
    expect(messageFromBody('<html>Bad gateway</html>')).toBe('<html>Bad gateway</html>');
    expect(messageFromBody(undefined)).toBe('');
  });

  it('describes each failure in one actionable line', () => {
    const url = 'https://api.aircall.io/v1/calls';
    expect(
      describeError(
        new AuthError('Invalid token', { status: 401, method: 'GET', url, retryable: false }),
      ),
    ).toMatch(/api\.aircall\.io rejected the credentials.*Reconnect/);
    expect(
      describeError(
        new RateLimitError('slow down', { method: 'GET', url, retryAfterMs: 30_000 }),
        NOW,
      ),
    ).toMatch(/api\.aircall\.io reported its rate limit; trying again in 30 s/);
    expect(describeError(new NetworkError('x', { url, timedOut: true }))).toBe(
      'api.aircall.io did not answer in time.',
    );
  });

  it('builds Basic auth for UTF-8 ids and refuses paging links to other hosts', () => {
    expect(basicAuth('id', 'tøken')).toBe(`Basic ${Buffer.from('id:tøken').toString('base64')}`);
    expect(sameOriginUrl('/v1/calls?page=2', 'https://api.aircall.io').toString()).toBe(
      'https://api.aircall.io/v1/calls?page=2',
    );
    expect(() => sameOriginUrl('https://evil.example/steal', 'https://api.aircall.io')).toThrow(
      InvalidResponseError,
    );
  });
});

describe('request()', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const API = 'https://api.example.test';
  const noSleep = async () => undefined;

  it('validates JSON with the schema it is given', async () => {
    server.use(
      http.get(`${API}/things`, ({ request: req }) =>
        HttpResponse.json({ items: [new URL(req.url).searchParams.get('q')] }),
      ),
    );
    const { data } = await request({
      url: `${API}/things`,
      query: { q: 'a b', skip: undefined },
      schema: z.object({ items: z.array(z.string()) }),
    });
    expect(data.items).toEqual(['a b']);
  });

  it('turns malformed JSON and unexpected shapes into InvalidResponseError', async () => {
    server.use(
      http.get(
        `${API}/broken`,
        () => new HttpResponse('{"items": [', { headers: { 'Content-Type': 'application/json' } }),
      ),
      http.get(`${API}/shape`, () => HttpResponse.json({ items: 'nope' })),
    );
    await expect(
      request({ url: `${API}/broken`, schema: z.unknown(), sleep: noSleep }),
    ).rejects.toBeInstanceOf(InvalidResponseError);
    const error = await request({
      url: `${API}/shape`,
      schema: z.object({ items: z.array(z.string()) }),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.issues[0]).toMatch(/^items:/);
  });

  it('retries a 429 after Retry-After, and gives up with RateLimitError when the wait is too long', async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/limited`, () => {
        calls++;
        return calls === 1
          ? HttpResponse.json({ message: 'slow' }, { status: 429, headers: { 'Retry-After': '1' } })
          : HttpResponse.json({ ok: true });
      }),
      http.get(`${API}/long`, () =>
        HttpResponse.json(
          { message: 'daily cap' },
          { status: 429, headers: { 'Retry-After': '3600' } },
        ),
      ),
    );
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    await expect(
      request({ url: `${API}/limited`, schema: z.object({ ok: z.boolean() }), sleep }),
    ).resolves.toMatchObject({ data: { ok: true } });
    expect(waits).toEqual([1_000]);
    const error = await request({ url: `${API}/long`, sleep }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.message).toBe('daily cap');
  });

  it('a HubSpot daily-limit 429 waits an hour, not its 10-second window', async () => {
    server.use(
      http.get(`${API}/daily`, () =>
        HttpResponse.json(
          {
            status: 'error',
            message: 'You have reached your daily limit.',
            errorType: 'RATE_LIMIT',
            policyName: 'DAILY',
          },
          {
            status: 429,
            headers: {
              'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
              'X-HubSpot-RateLimit-Max': '100',
              'X-HubSpot-RateLimit-Remaining': '0',
            },
          },
        ),
      ),
    );
    const waits: number[] = [];
    const error = await request({
      url: `${API}/daily`,
      sleep: async (ms: number) => void waits.push(ms),
    }).catch((e) => e);
    expect(waits).toEqual([]);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.message).toBe(
      'The daily API limit is used up (You have reached your daily limit.); trying again every hour until it resets.',
    );
  });

  it('retries a body cut short (not JSON) like a dropped connection', async () => {
    let n = 0;
    server.use(
      http.get(`${API}/cut`, () =>
        ++n === 1
          ? new HttpResponse('{"calls": [{"id"', { status: 200 })
          : HttpResponse.json({ calls: [] }),
      ),
    );
    await expect(
      request({
        url: `${API}/cut`,
        schema: z.object({ calls: z.array(z.unknown()) }),
        sleep: noSleep,
      }),
    ).resolves.toMatchObject({
      data: { calls: [] },
    });
    expect(n).toBe(2);
  });

  it('retries 5xx only when the request is idempotent', async () => {
    let gets = 0;
    let posts = 0;
    server.use(
      http.get(`${API}/flaky`, () =>
        ++gets < 3 ? new HttpResponse('oops', { status: 500 }) : HttpResponse.json({ n: gets }),
      ),
      http.post(`${API}/create`, () => {
        posts++;
        return new HttpResponse('oops', { status: 503 });
      }),
    );
    await expect(request({ url: `${API}/flaky`, sleep: noSleep })).resolves.toMatchObject({
      data: { n: 3 },
    });
    const error = await request({
      url: `${API}/create`,
      method: 'POST',
      json: { a: 1 },
      sleep: noSleep,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(posts).toBe(1);
  });

  it('treats every 5xx (501, 507, Cloudflare 520-524) as a failure that may have done the work', async () => {
    for (const status of [501, 507, 520, 521, 522, 523, 524]) {
      let gets = 0;
      server.use(
        http.get(`${API}/cf`, () =>
          ++gets < 2
            ? new HttpResponse('<html>error code: 524</html>', { status })
            : HttpResponse.json({ ok: true }),
        ),
        http.post(`${API}/cf`, () => new HttpResponse('<html>error code</html>', { status })),
      );
      await expect(request({ url: `${API}/cf`, sleep: noSleep })).resolves.toMatchObject({
        data: { ok: true },
      });
      const error = await request({ url: `${API}/cf`, method: 'POST', sleep: noSleep }).catch(
        (e) => e,
      );
      expect(error).toMatchObject({ status, retryable: true });
    }
  });

  it('raises AuthError on 401 without retrying', async () => {
    let n = 0;
    server.use(
      http.get(
        `${API}/me`,
        () => (n++, HttpResponse.json({ message: 'Token expired' }, { status: 401 })),
      ),
    );
    const error = await request({ url: `${API}/me`, sleep: noSleep }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe('Token expired');
    expect(n).toBe(1);
  });

  it('times out a slow server with NetworkError(timedOut)', async () => {
    server.use(http.get(`${API}/slow`, async () => (await delay(500), HttpResponse.json({}))));
    const error = await request({ url: `${API}/slow`, timeoutMs: 50, retries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.timedOut).toBe(true);
  });

  it('holds back locally once the shared budget is spent, without sending', async () => {
    let sent = 0;
    server.use(http.get(`${API}/budget`, () => (sent++, HttpResponse.json({}))));
    const limiter = rateLimiter('example', { max: 2, intervalMs: 60_000 }, memoryLimiterStore());
    await request({ url: `${API}/budget`, limiters: [limiter], maxWaitMs: 1_000 });
    await request({ url: `${API}/budget`, limiters: [limiter], maxWaitMs: 1_000 });
    const error = await request({
      url: `${API}/budget`,
      limiters: [limiter],
      maxWaitMs: 1_000,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.local).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(sent).toBe(2);
  });

  it('keeps the limiter in the database, so a new worker (or another page) sees the same block', async () => {
    server.use(
      http.get(`${API}/blocked`, () =>
        HttpResponse.json(
          {},
          { headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '120' } },
        ),
      ),
    );
    const db = new CallbackDeskDB(`http-test-${Math.random()}`);
    const policy = { max: 50, intervalMs: 60_000 };
    await request({
      url: `${API}/blocked`,
      limiters: [rateLimiter('clio', policy, dbLimiterStore(db))],
    });
    // A fresh limiter object (as after a service-worker restart) reads the stored block.
    const error = await request({
      url: `${API}/blocked`,
      limiters: [rateLimiter('clio', policy, dbLimiterStore(db))],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect((await db.cursors.get('ratelimit:clio'))?.cursor).toMatchObject({
      blockedUntil: expect.any(Number),
    });
    db.close();
  });
});
