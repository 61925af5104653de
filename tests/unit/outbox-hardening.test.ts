import { describe, expect, it } from 'vitest';
import { routedFetch } from '../emulators/route.ts';
import { dbLimiterStore } from '@/utils/http';
import { ClioConnector } from '@/utils/crm/clio';
import { contactDraft } from '@/utils/crm/matching';
import { idempotencyKey, type CrmSystem, type SyncJob } from '@/utils/crm/model';
import {
  drainOutbox,
  enqueueDrafts,
  MAX_TRIES,
  nextDueAt,
  requeueAfterReconnect,
  retryJobs,
  type DrainReport,
  type OutboxDeps,
} from '@/utils/outbox/outbox';

import {
  clio,
  clioConnector,
  clioToken,
  db,
  deps,
  enqueueRecords,
  hubspot,
  hubspotConnector,
  lead,
  now,
  session,
  sleep,
  useOutboxWorld,
  advance,
  advanceTo,
} from './outboxWorld.ts';
/**
 * Exactly-once under the faults real CRMs produce (issue 7: items 1, 2, 3, 6, 7, 10 and
 * "what the user sees when sync struggles"): any 5xx after the write, worker death with
 * the CRM disconnected, a drain that lost its lease, a drain that threw, a long lookup
 * phase under Clio's rate limit, and the rolling windows themselves.
 */

useOutboxWorld('outbox-hardening');

async function enqueueContact(system: CrmSystem, leadId: string) {
  const l = (await db.leads.get(leadId))!;
  return enqueueDrafts(
    db,
    [
      {
        idempotencyKey: idempotencyKey({ leadId }, system, 'contact'),
        system,
        kind: 'contact',
        leadId,
        payload: contactDraft(l)!,
      },
    ],
    now(),
  );
}

const jobs = async () => (await db.outbox.toArray()) as unknown as SyncJob[];
const hubspotCounts = () => ({
  calls: hubspot.records('calls').length,
  notes: hubspot.records('notes').length,
  tasks: hubspot.records('tasks').length,
});

/** A fetch that passes creates matching `pattern` to HubSpot, then answers `status` instead. */
function answersAfterWrite(pattern: RegExp, status: number, times = 1): typeof fetch {
  const base = routedFetch({ 'https://api.hubapi.com': hubspot.url });
  let left = times;
  return async (input, init) => {
    const response = await base(input, init);
    if (left > 0 && init?.method === 'POST' && pattern.test(new URL(String(input)).pathname)) {
      left--;
      // Cloudflare's own error page: the origin took the request and never answered.
      return new Response('<html><body>error code: 524</body></html>', {
        status,
        headers: { 'content-type': 'text/html' },
      });
    }
    return response;
  };
}

/** Drain until nothing is due, moving the clock to each retry (the retry alarm). */
async function drainUntilIdle(d: () => OutboxDeps, rounds = 12): Promise<DrainReport> {
  let report = await drainOutbox(d());
  for (let i = 0; i < rounds && report.nextTryAt !== null; i++) {
    advanceTo(report.nextTryAt + 1);
    report = await drainOutbox(d());
  }
  return report;
}

describe('any 5xx, timeout or dropped connection on a create means "may exist" (item 1)', () => {
  for (const status of [524, 520, 501, 507]) {
    it(`a batch answered ${status} after the write is looked up, never resent record by record`, async () => {
      const a = await lead('(415) 555-0101');
      const b = await lead('(415) 555-0102');
      await enqueueRecords('hubspot', a.id);
      await enqueueRecords('hubspot', b.id);
      const fetch = answersAfterWrite(/\/calls\/batch\/create$/, status);
      await drainUntilIdle(() => deps({ connector: () => hubspotConnector(fetch) }));
      expect(hubspotCounts()).toEqual({ calls: 2, notes: 2, tasks: 2 });
      expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
      // The two calls were found by their markers, not posted again one by one.
      expect(
        hubspot.log.filter((l) => l.method === 'POST' && l.path === '/crm/v3/objects/calls'),
      ).toEqual([]);
    });
  }

  it('a single create answered 524 says it may exist, and neither the next pass, Retry nor Sync creates it twice', async () => {
    const a = await lead('(415) 555-0103');
    await enqueueRecords('hubspot', a.id, ['note']);
    const fetch = answersAfterWrite(/\/objects\/notes$/, 524);
    await drainOutbox(deps({ connector: () => hubspotConnector(fetch), batching: false }));
    const [note] = await jobs();
    expect(note).toMatchObject({ state: 'queued', maybeCreated: true, tries: 1 });
    expect(note!.lastError).toMatch(/answered 524/);
    expect(note!.lastError).toMatch(/may already be in HubSpot: it will be looked up/);
    // The user clicks Retry, then Sync again, at once: both look it up first.
    await retryJobs(db, { leadId: a.id }, now());
    await enqueueRecords('hubspot', a.id, ['note']);
    await drainUntilIdle(() => deps({ batching: false }));
    expect(hubspotCounts().notes).toBe(1);
    expect(await jobs()).toMatchObject([
      { state: 'synced', remoteId: hubspot.records('notes')[0]!.id },
    ]);
  });

  it('after 8 tries under dropped connections it says so (may exist, will be checked), and Retry finds the record', async () => {
    const a = await lead('(415) 555-0104');
    await enqueueRecords('hubspot', a.id, ['note']);
    // Every request is processed and its answer lost (a flaky proxy or Wi-Fi).
    hubspot.faults.push({ kind: 'drop-after', times: 1_000 });
    for (let i = 0; i < MAX_TRIES + 4; i++) {
      advance(15 * 60_000);
      await drainOutbox(deps({ batching: false }));
    }
    const [note] = await jobs();
    expect(note!.state).toBe('failed');
    expect(note!.lastError).toMatch(/^Gave up after \d+ tries: The connection to api\.hubapi\.com/);
    expect(note!.lastError).toMatch(/may already be in HubSpot: Retry looks it up/);
    expect(note!.lastError).not.toMatch(/Could not reach/);
    expect(hubspotCounts().notes).toBe(1);
    hubspot.faults.length = 0;
    await retryJobs(db, { leadId: a.id }, now());
    await drainUntilIdle(() => deps({ batching: false }));
    expect(hubspotCounts().notes).toBe(1);
    expect((await jobs())[0]!.state).toBe('synced');
  });

  it('a last try that may have landed is looked up before it is shown as failed', async () => {
    const a = await lead('(415) 555-0105');
    await enqueueRecords('hubspot', a.id, ['note']);
    await db.outbox.toCollection().modify({ tries: MAX_TRIES - 1 });
    const fetch = answersAfterWrite(/\/objects\/notes$/, 502);
    await drainOutbox(deps({ connector: () => hubspotConnector(fetch), batching: false }));
    expect((await jobs())[0]).toMatchObject({ state: 'queued', tries: MAX_TRIES });
    await drainUntilIdle(() => deps({ batching: false }));
    expect((await jobs())[0]!.state).toBe('synced');
    expect(hubspotCounts().notes).toBe(1);
  });
});

/** Worker A sends a create; HubSpot processes it; A dies before the answer. */
async function dieAfterFirstCreate() {
  const base = routedFetch({ 'https://api.hubapi.com': hubspot.url });
  let died = false;
  const dying: typeof fetch = async (input, init) => {
    const response = await base(input, init);
    if (!died && init?.method === 'POST' && !String(input).includes('/search')) {
      died = true;
      return new Promise<Response>(() => undefined);
    }
    return response;
  };
  void drainOutbox(
    deps({ runId: 'worker-a', batching: false, connector: () => hubspotConnector(dying) }),
  );
  await expect.poll(() => hubspotCounts().calls).toBe(1);
  await expect.poll(async () => (await jobs()).some((j) => j.state === 'syncing')).toBe(true);
}

describe('an orphaned job keeps "may already exist" (item 2)', () => {
  it('when the CRM is disconnected at recovery, it is looked up after reconnecting, not created again', async () => {
    const a = await lead('(415) 555-0111');
    await enqueueRecords('hubspot', a.id);
    await dieAfterFirstCreate();
    // Worker B starts while HubSpot is disconnected.
    advance(60_000);
    await drainOutbox(deps({ runId: 'worker-b', connector: () => null }));
    const call = (await jobs()).find((j) => j.kind === 'call')!;
    expect(call).toMatchObject({ state: 'failed', maybeCreated: true });
    expect(call.lastError).toMatch(/HubSpot is not connected.*may already be in HubSpot/);
    // Reconnected: everything is sent again, the call after a lookup that finds it.
    await requeueAfterReconnect(db, 'hubspot', now());
    await drainUntilIdle(() => deps({ runId: 'worker-b', batching: false }));
    expect(hubspotCounts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
  });
});

describe('every job write checks the claim (item 3)', () => {
  it('a drain that lost its lease does not overwrite what the new drain recorded', async () => {
    const a = await lead('(415) 555-0121');
    await enqueueRecords('hubspot', a.id, ['note']);
    // A note whose earlier create may have landed: every drain looks it up first.
    await db.outbox.toCollection().modify({ maybeCreated: true, uncertainAt: now() - 60_000 });
    const base = routedFetch({ 'https://api.hubapi.com': hubspot.url });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    // Drain A's lookup hangs, then its connection drops (and stays down).
    const slow: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/search')) {
        held = true;
        await gate;
        throw new TypeError('fetch failed');
      }
      return base(input, init);
    };
    const first = drainOutbox(
      deps({ batching: false, connector: () => hubspotConnector(slow, 0) }),
    );
    await expect.poll(() => held).toBe(true);
    // Past A's lease, the sweep's drain B looks it up, finds nothing and creates it.
    advance(10 * 60_000);
    const second = await drainOutbox(deps({ batching: false }));
    expect(second.synced).toBe(1);
    release();
    await first;
    expect(hubspotCounts().notes).toBe(1);
    expect((await jobs())[0]).toMatchObject({
      state: 'synced',
      remoteId: hubspot.records('notes')[0]!.id,
      tries: 0,
    });
  });
});

describe('a drain that throws after marking jobs (item 7)', () => {
  it('leaves no job stuck in syncing: the next drain of the same worker recovers them', async () => {
    const a = await lead('(415) 555-0131');
    await enqueueRecords('hubspot', a.id);
    // The first record reaches HubSpot, then saving its answer fails (a storage error),
    // and so does saving that the answer is unknown: the drain throws.
    const original = db.outbox.bulkPut.bind(db.outbox);
    let failing = 0;
    let armed = true;
    db.outbox.bulkPut = ((rows: Parameters<typeof original>[0]) => {
      if (armed && (rows as { state: string }[]).some((r) => r.state === 'synced')) {
        armed = false;
        failing = 2;
      }
      if (failing > 0) {
        failing--;
        throw new Error('QuotaExceededError');
      }
      return original(rows);
    }) as typeof db.outbox.bulkPut;
    await expect(drainOutbox(deps({ batching: false }))).rejects.toThrow('QuotaExceededError');
    expect((await jobs()).some((j) => j.state === 'syncing')).toBe(true);
    // The same worker's sweep a minute later: looked up (found), not created again.
    advance(60_000);
    await drainUntilIdle(() => deps({ batching: false }));
    expect((await jobs()).map((j) => j.state)).toEqual(['synced', 'synced', 'synced']);
    expect(hubspotCounts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
  });
});

describe('a long lookup phase under Clio’s rate limit (items 6 and 10)', () => {
  for (const maxWaitMs of [undefined, 30_000]) {
    it(`30 queued Clio contacts with a sweep every minute are all created exactly once (in-process waits up to ${maxWaitMs ?? 10_000} ms)`, async () => {
      const leads = [];
      for (let i = 0; i < 30; i++)
        leads.push(await lead(`(212) 555-${String(1000 + i)}`, { link: false }));
      for (const l of leads) await enqueueContact('clio', l.id);
      const connector = () => clioConnector({ maxWaitMs });
      // The sweep alarm: every virtual minute, another drain starts in the same worker.
      const sweeps: Promise<DrainReport>[] = [];
      let nextSweep = now() + 60_000;
      const t10 = now() + 10 * 60_000;
      const sweepingSleep = async (ms: number) => {
        advance(ms);
        while (now() >= nextSweep) {
          nextSweep += 60_000;
          sweeps.push(drainOutbox(deps({ connector, sleep: sweepingSleep })));
        }
      };
      // The retry alarm: the next time a job is due, until nothing is, within ten minutes.
      await drainOutbox(deps({ connector, sleep: sweepingSleep }));
      for (let next = await nextDueAt(db); next !== null && now() < t10;) {
        await sweepingSleep(Math.max(0, next - now()));
        await drainOutbox(deps({ connector, sleep: sweepingSleep }));
        await Promise.all(sweeps);
        next = await nextDueAt(db);
      }
      await Promise.all(sweeps);
      const phones = clio.contacts.map((c) => c.phone_numbers[0]!.number).sort();
      expect(new Set(phones).size).toBe(30);
      expect(phones).toHaveLength(30);
      expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
      // Clio counted no more than 50 requests in any rolling minute.
      const [window] = clio.rateWindows();
      expect(window).toMatchObject({ max: 50, intervalMs: 60_000, violations: [] });
      expect(window!.peak).toBeLessThanOrEqual(50);
      expect(clio.log.filter((l) => l.status === 429)).toEqual([]);
    });
  }

  it('a drain taken over leaves its finished lookups to the next one', async () => {
    const leads = [];
    for (let i = 0; i < 3; i++)
      leads.push(await lead(`(212) 555-${String(3000 + i)}`, { link: false }));
    for (const l of leads) await enqueueContact('clio', l.id);
    const base = routedFetch({ 'https://app.clio.com': clio.url });
    const lookups = new Map<string, number>();
    let stolen = false;
    // While drain A looks up the second caller, another worker takes the lease over.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname.endsWith('/contacts.json') && (init?.method ?? 'GET') === 'GET') {
        const number = /\d{4}$/.exec(url.searchParams.get('query')!.replace(/\D/g, ''))![0];
        lookups.set(number, (lookups.get(number) ?? 0) + 1);
        if (number === '3001' && !stolen) {
          stolen = true;
          await db.cursors.put({
            sourceId: 'outbox:lease',
            cursor: { owner: 'worker-c', drain: 'c', until: now() + 10 * 60_000 },
          });
        }
      }
      return base(input, init);
    };
    const connector = () =>
      new ClioConnector(
        {
          session: session(() => clioToken),
          limiterStore: dbLimiterStore(db),
          fetch,
          now,
          sleep,
          timeoutMs: 2_000,
        },
        { region: 'us', userId: String(clio.options.users[0]!.id) },
      );
    await drainOutbox(deps({ runId: 'worker-a', connector }));
    expect(clio.contacts.length).toBeLessThan(3);
    const looked = lookups.get('3001');
    expect(looked).toBeGreaterThan(0);
    await drainUntilIdle(() => deps({ runId: 'worker-b', connector }));
    expect(clio.contacts.map((c) => c.phone_numbers[0]!.number).sort()).toEqual([
      '+12125553000',
      '+12125553001',
      '+12125553002',
    ]);
    // The second caller was not looked up again.
    expect(lookups.get('3001')).toBe(looked);
  });

  it('HubSpot: contact lookups stay within 5 searches a second and 100 requests per 10 s', async () => {
    const leads = [];
    for (let i = 0; i < 24; i++)
      leads.push(await lead(`(415) 555-${String(2000 + i)}`, { link: false }));
    for (const l of leads) await enqueueContact('hubspot', l.id);
    await drainUntilIdle(() => deps());
    expect(hubspot.records('contacts')).toHaveLength(24);
    const [general, search] = hubspot.rateWindows();
    expect(search).toMatchObject({ max: 5, intervalMs: 1_000, violations: [] });
    expect(general).toMatchObject({ max: 100, violations: [] });
    expect(hubspot.log.filter((l) => l.status === 429)).toEqual([]);
  });
});
