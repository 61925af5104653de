/**
 * Shared queue through HubSpot tasks: N browsers of one firm (1, 10, 30) sharing ONE
 * emulated HubSpot with its real limits (100 requests per rolling 10 s for the private-app
 * token every browser uses, 5 searches a second, a search index 3 s behind writes), and 500
 * missed calls over a simulated 8-hour working day.
 *
 * Everything runs in-process on a virtual clock (a discrete-event simulation, no real
 * waiting): the real shared-queue code (utils/team/sharedQueue.ts, sharedClaim.ts), the
 * real outbox and HubSpot connector, fake-indexeddb for each browser's database, and the
 * emulator's rolling windows counting on the same virtual clock. Each browser:
 * - reads the shared tasks once a minute (its own phase), and ~1.5 s after it captured a
 *   call (publishing it);
 * - sees a missed call on its open portal when it has one (about 1 browser in 10, at least
 *   one and up to three per call: the same call captured in several browsers, the portal's
 *   time rounded to the minute), so create races happen;
 * - claims calls (the assignee, and for one call in ten a second colleague at the same
 *   moment: a claim race), then records an attempt and closes the lead 3–15 min later.
 *
 * Printed: requests per browser per hour, 429s received, time for a capture to appear in
 * every other browser (median, p95), create races and claim races, duplicate tasks left
 * open (must be 0) and browsers disagreeing on who claimed a lead (must be 0).
 *
 * Run alone: `npx node tests/bench/shared-queue.ts` (no build needed; BROWSERS=1,10,30,
 * CALLS=500, HOURS=8 to change it). Exports benchSharedQueue().
 */
import 'fake-indexeddb/auto';
import { pathToFileURL } from 'node:url';
import { startHubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { seededRandom } from '../../utils/prng.ts';
import { resolveProductImports } from './productImports.ts';

export interface SharedQueueRun {
  browsers: number;
  calls: number;
  requests: number;
  requestsPerBrowserPerHour: number;
  /** The busiest rolling 10 s of the day, all browsers together (limit 100). */
  peakPer10s: number;
  received429: number;
  /** Of those, refused by the 5-searches-a-second limit. */
  received429Search: number;
  appearMedianS: number | null;
  appearP95S: number | null;
  /** Captures not seen by every other browser by the end of the day. */
  neverAppeared: number;
  createRaces: number;
  claimRaces: number;
  claimLosersTold: number;
  duplicatesOpen: number;
  claimDisagreements: number;
  wallSeconds: number;
}

interface Event {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function runOnce(n: number, callCount: number, hours: number): Promise<SharedQueueRun> {
  const { CallbackDeskDB } = await import('../../utils/db.ts');
  const { dbLimiterStore } = await import('../../utils/http.ts');
  const { HubSpotConnector, htmlToText } = await import('../../utils/crm/hubspot.ts');
  const { drainOutbox } = await import('../../utils/outbox/outbox.ts');
  const { captureCalls, recordAttempt, patchLead } = await import('../../utils/queue/leads.ts');
  const { syncSharedQueue } = await import('../../utils/team/sharedQueue.ts');
  const { claimShared } = await import('../../utils/team/sharedClaim.ts');
  const { parseSharedTask } = await import('../../utils/team/sharedTasks.ts');
  type FirmSettings = import('../../utils/settings.ts').FirmSettings;

  const TOKEN = 'pat-na1-shared-bench';
  const dayStart = Date.UTC(2026, 2, 4, 14, 0); // 09:00 in New York
  const dayEnd = dayStart + hours * 3_600_000;
  let clock = dayStart;
  const now = () => clock;
  // Product code that sleeps (a claim's read-back, a short rate-limit wait) moves the clock.
  const sleep = async (ms: number) => {
    clock += ms;
  };
  const emulator = await startHubSpotEmulator({
    privateAppTokens: [TOKEN],
    rateLimit: { max: 100, intervalMs: 10_000 },
    searchPerSecond: 5,
    searchIntervalMs: 1_000,
    searchLagMs: 3_000,
    owners: Array.from({ length: n }, (_, i) => ({
      id: String(101 + i),
      email: `staff${i}@firm.example`,
      firstName: 'Staff',
      lastName: String(i),
      userId: 9001 + i,
    })),
  });
  emulator.clock = now;
  const staff = Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    name: `Staff ${i}`,
    email: `staff${i}@firm.example`,
  }));
  const random = seededRandom(2026 + n);
  const events: Event[] = [];
  let seq = 0;
  const schedule = (at: number, run: () => Promise<void>) => {
    events.push({ at, seq: seq++, run });
  };

  interface Sim {
    index: number;
    staffId: string;
    db: InstanceType<typeof CallbackDeskDB>;
    settings: FirmSettings;
    requests: number;
    got429: number;
    got429Search: number;
    pass: () => Promise<void>;
    busy: boolean;
  }
  const firstSeen = new Map<string, Map<number, number>>(); // phone → browser → at
  const capturedAt = new Map<string, number>(); // phone → first capture
  let claimRaces = 0;
  let claimLosersTold = 0;
  const sims: Sim[] = [];
  const requestTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const db = new CallbackDeskDB(`bench-shared-${n}-${i}-${Date.now()}`);
    await db.open();
    const settings = {
      firmName: 'Bench',
      timeZone: 'America/New_York',
      defaultCountry: 'US',
      weeklyHours: [
        [],
        ...Array.from({ length: 5 }, () => [{ open: '09:00', close: '17:00' }]),
        [],
      ],
      holidays: [],
      sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
      sourceRules: [],
      practiceAreas: [],
      sources: [],
      staff,
      currentStaffId: `s${i}`,
      notifyNewCalls: false,
      dedupeWindowSeconds: 120,
    } as unknown as FirmSettings;
    const sim: Sim = {
      index: i,
      staffId: `s${i}`,
      db,
      settings,
      requests: 0,
      got429: 0,
      got429Search: 0,
      busy: false,
      pass: async () => undefined,
    };
    const routed = routedFetch({ 'https://api.hubapi.com': emulator.url });
    const counted: typeof fetch = async (input, init) => {
      sim.requests++;
      requestTimes.push(clock);
      const response = await routed(input, init);
      if (response.status === 429) {
        sim.got429++;
        if (String(input instanceof Request ? input.url : input).endsWith('/search'))
          sim.got429Search++;
      }
      return response;
    };
    const connector = new HubSpotConnector(
      {
        session: { current: async () => TOKEN, afterUnauthorized: async () => null },
        limiterStore: dbLimiterStore(db),
        fetch: counted,
        now,
        sleep,
        random,
        // Longer waits are not slept through: the read backs off durably instead.
        maxWaitMs: 2_000,
        timeoutMs: 20_000,
      },
      { auth: 'private-app', portalId: '1', accountKey: '1' },
    );
    const owners = Object.fromEntries(staff.map((s, k) => [s.id, String(101 + k)]));
    const drain = async () => {
      await drainOutbox({
        db,
        runId: `browser-${i}`,
        connectorFor: async () => connector,
        ownerFor: async (_system, id) => (id ? owners[id] : undefined),
        now,
        sleep,
        random,
        budgetMs: 60_000,
        inProcessWaitMs: 0,
      });
    };
    const deps = {
      db,
      settings,
      system: 'hubspot' as const,
      connector,
      now,
      random,
      enabledAt: dayStart - 60_000,
    };
    let known = 0;
    sim.pass = async () => {
      await syncSharedQueue(deps);
      await drain();
      // New leads since the last look (a count is cheap; reading all leads each pass is not).
      const count = await db.leads.count();
      if (count === known) return;
      known = count;
      for (const lead of await db.leads.toArray()) {
        if (!lead.phone) continue;
        const seen = firstSeen.get(lead.phone) ?? new Map<number, number>();
        if (!seen.has(i)) seen.set(i, clock);
        firstSeen.set(lead.phone, seen);
      }
    };
    (sim as Sim & { claim: (leadId: string) => ReturnType<typeof claimShared> }).claim = (
      leadId: string,
    ) => claimShared({ ...deps, drain, sleep, claimSettleMs: 1_500 }, leadId, `s${i}`);
    sims.push(sim);
  }

  /** Runs a browser's step unless it is in the middle of another (one worker each). */
  const step = (sim: Sim, fn: () => Promise<void>) => async () => {
    if (sim.busy) return;
    sim.busy = true;
    try {
      await fn();
    } finally {
      sim.busy = false;
    }
  };

  // Every browser reads once a minute, each at its own phase.
  for (const sim of sims) {
    const phase = Math.floor(random() * 60_000);
    for (let at = dayStart + phase; at < dayEnd + 30 * 60_000; at += 60_000)
      schedule(at, step(sim, sim.pass));
  }
  // 500 missed calls from distinct callers over the day.
  for (let c = 0; c < callCount; c++) {
    const at = dayStart + Math.floor(random() * (dayEnd - dayStart - 20 * 60_000));
    const phone = `+1415${String(2_000_000 + c * 37).padStart(7, '0')}`;
    const viewers = Math.min(n, 1 + Math.floor(random() * 3));
    const chosen = new Set<number>();
    while (chosen.size < viewers) chosen.add(Math.floor(random() * n));
    for (const k of chosen) {
      const sim = sims[k]!;
      const seenAt = at + Math.floor(random() * 20_000);
      schedule(seenAt, async () => {
        // A portal shows minutes only: the time is rounded down to the minute.
        await captureCalls(
          sim.db,
          sim.settings,
          [
            {
              from: phone,
              startedAt: Math.floor(at / 60_000) * 60_000,
              provider: 'ringcentral',
              capturePath: 'portal',
              callerName: `Caller ${c}`,
            },
          ],
          clock,
        );
        if (!capturedAt.has(phone)) capturedAt.set(phone, clock);
        schedule(clock + 1_500, step(sim, sim.pass));
      });
    }
    // Claimed 2–6 min later by one colleague (one call in ten: two at the same moment).
    const claimAt = at + 120_000 + Math.floor(random() * 240_000);
    const claimers = [Math.floor(random() * n)];
    if (n > 1 && random() < 0.1) claimers.push((claimers[0]! + 1) % n);
    if (claimers.length > 1) claimRaces++;
    for (const k of claimers) {
      const sim = sims[k]! as Sim & { claim: (leadId: string) => ReturnType<typeof claimShared> };
      schedule(claimAt, async () => {
        const lead = (await sim.db.leads.where('phoneKey').equals(phone).toArray())[0];
        if (!lead || lead.status === 'done') return;
        try {
          const result = await sim.claim(lead.id);
          if (result.outcome === 'lost') {
            claimLosersTold++;
            return;
          }
        } catch {
          claimLosersTold++; // refused at once: already claimed by a colleague here
          return;
        }
        const closeAt = clock + 180_000 + Math.floor(random() * 720_000);
        schedule(
          closeAt,
          step(sim, async () => {
            const mine = await sim.db.leads.get(lead.id);
            if (!mine || mine.status === 'done' || mine.claimedBy !== sim.staffId) return;
            await recordAttempt(
              sim.db,
              sim.settings,
              { leadId: lead.id, method: 'call', outcome: 'reached', by: sim.staffId },
              clock,
            );
            await patchLead(sim.db, sim.settings, { leadId: lead.id, status: 'done' }, clock);
            await sim.pass();
          }),
        );
      });
    }
  }

  const wallStart = performance.now();
  while (events.length > 0) {
    events.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = events.shift()!;
    clock = Math.max(clock, next.at);
    await next.run();
  }
  // A last read everywhere, then compare.
  clock += 10 * 60_000;
  for (const sim of sims) await sim.pass();
  const wallSeconds = (performance.now() - wallStart) / 1000;

  const tasks = emulator.records('tasks');
  const byCaller = new Map<string, number>();
  let createRaces = 0;
  for (const task of tasks) {
    const facts = parseSharedTask(htmlToText(task.properties.hs_task_body ?? ''));
    if (facts.duplicateOf) {
      createRaces++;
      continue;
    }
    const key = facts.dedupeToken ?? task.id;
    byCaller.set(key, (byCaller.get(key) ?? 0) + 1);
  }
  const duplicatesOpen = [...byCaller.values()].reduce((s, c) => s + Math.max(0, c - 1), 0);
  let claimDisagreements = 0;
  for (const phone of capturedAt.keys()) {
    const claims = new Set<string>();
    for (const sim of sims) {
      const lead = (await sim.db.leads.where('phoneKey').equals(phone).toArray())[0];
      claims.add(lead?.claimedBy ?? '-');
    }
    if (claims.size > 1) claimDisagreements++;
  }
  const appear: number[] = [];
  let neverAppeared = 0;
  if (n > 1) {
    for (const [phone, at] of capturedAt) {
      const seen = firstSeen.get(phone);
      if (!seen || seen.size < n) {
        neverAppeared++;
        continue;
      }
      appear.push((Math.max(...seen.values()) - at) / 1000);
    }
  }
  // The busiest rolling 10 s (all browsers together).
  requestTimes.sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < requestTimes.length; i++) {
    while (requestTimes[i]! - requestTimes[j]! >= 10_000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  emulator.assertNoViolations();
  const requests = sims.reduce((s, x) => s + x.requests, 0);
  const result: SharedQueueRun = {
    browsers: n,
    calls: callCount,
    requests,
    requestsPerBrowserPerHour: Math.round((requests / n / hours) * 10) / 10,
    peakPer10s: peak,
    received429: sims.reduce((s, x) => s + x.got429, 0),
    received429Search: sims.reduce((s, x) => s + x.got429Search, 0),
    appearMedianS: percentile(appear, 50),
    appearP95S: percentile(appear, 95),
    neverAppeared,
    createRaces,
    claimRaces,
    claimLosersTold,
    duplicatesOpen,
    claimDisagreements,
    wallSeconds: Math.round(wallSeconds * 10) / 10,
  };
  for (const sim of sims) sim.db.close();
  await emulator.close();
  return result;
}

export async function benchSharedQueue(
  options: {
    browsers?: number[];
    calls?: number;
    hours?: number;
    /** Each run's figures as soon as it ends (a run of 30 browsers takes minutes). */
    onRun?: (run: SharedQueueRun) => void;
  } = {},
): Promise<{ runs: SharedQueueRun[] }> {
  resolveProductImports();
  const runs: SharedQueueRun[] = [];
  for (const n of options.browsers ?? [1, 10, 30]) {
    runs.push(await runOnce(n, options.calls ?? 500, options.hours ?? 8));
    options.onRun?.(runs.at(-1)!);
  }
  return { runs };
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const result = await benchSharedQueue({
    browsers: (process.env.BROWSERS ?? '1,10,30').split(',').map(Number),
    calls: Number(process.env.CALLS ?? 500),
    hours: Number(process.env.HOURS ?? 8),
    onRun: (run) => console.log(JSON.stringify(run)),
  });
  console.log(
    'Shared queue through HubSpot tasks: one emulated HubSpot (100 req / 10 s, 5 searches / s, ' +
      'index 3 s behind), a simulated working day on a virtual clock.',
  );
  console.table(
    Object.fromEntries(
      result.runs.map((r) => [
        `${r.browsers} browser${r.browsers === 1 ? '' : 's'}`,
        {
          calls: r.calls,
          'req/browser/h': r.requestsPerBrowserPerHour,
          'peak req/10 s': r.peakPer10s,
          '429s': r.received429,
          '429s (search/s)': r.received429Search,
          'appear median s': r.appearMedianS,
          'appear p95 s': r.appearP95S,
          'never appeared': r.neverAppeared,
          'create races': r.createRaces,
          'claim races': r.claimRaces,
          'losers told': r.claimLosersTold,
          'duplicates open': r.duplicatesOpen,
          'claim disagreements': r.claimDisagreements,
          'wall s': r.wallSeconds,
        },
      ]),
    ),
  );
  process.exit(0);
}
