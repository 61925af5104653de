/**
 * CRM sync throughput: 1,000 recorded outcomes (each a call record, a note and a follow-up
 * task: 3,000 HubSpot records) drained from the outbox to the HubSpot emulator at HubSpot's
 * private-app limit of 100 requests per rolling 10 s — batched (the product's default)
 * against one request per record (the same drainer with batching off) — with 10 % of all
 * requests failing (429, 500, dropped connections, lost answers after the write, timeouts).
 * Counts duplicates and losses (both must be 0) by the marker every record carries.
 *
 * Time is scaled so the run takes under a minute: the emulator's window is 10 s ÷ SCALE
 * and the drainer's clock runs SCALE× faster (limits, backoff, Retry-After, the search-
 * index settle time and request timeouts all scale together). Figures are printed both as
 * measured and converted back to real HubSpot time.
 *
 * It runs the real drainer and connector in Node (fake-indexeddb for Dexie).
 * Run alone: `node tests/bench/crm-sync.ts` (no build needed). Exports benchCrmSync().
 */
import 'fake-indexeddb/auto';
import { pathToFileURL } from 'node:url';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import type { FaultKind } from '../emulators/server.ts';
import { seededRandom } from '../../utils/prng.ts';
import { resolveProductImports } from './productImports.ts';

export interface CrmSyncRun {
  mode: 'batched' | 'one request per record';
  records: number;
  requests: number;
  creates: number;
  searches: number;
  faultsInjected: number;
  rateLimited429: number;
  wallSeconds: number;
  /** wallSeconds × scale: what it would take against HubSpot's real 10-second window. */
  hubspotSeconds: number;
  synced: number;
  failed: number;
  duplicates: number;
  lost: number;
}

export interface CrmSyncBench {
  outcomes: number;
  scale: number;
  faultRate: number;
  runs: CrmSyncRun[];
}

const FAULTS: FaultKind[] = ['429', '500', 'drop', '500-after', 'drop-after', 'timeout-after'];

async function runOnce(options: {
  outcomes: number;
  scale: number;
  faultRate: number;
  batching: boolean;
}): Promise<CrmSyncRun> {
  const { CallbackDeskDB } = await import('../../utils/db.ts');
  const { dbLimiterStore } = await import('../../utils/http.ts');
  const { HubSpotConnector } = await import('../../utils/crm/hubspot.ts');
  const { buildSyncDrafts } = await import('../../utils/crm/records.ts');
  const { markerFor } = await import('../../utils/crm/model.ts');
  const { drainOutbox, enqueueDrafts } = await import('../../utils/outbox/outbox.ts');
  type Lead = import('../../utils/model.ts').Lead;
  type FirmSettings = import('../../utils/settings.ts').FirmSettings;
  type SyncJob = import('../../utils/crm/model.ts').SyncJob;

  const { scale } = options;
  const TOKEN = 'pat-na1-bench';
  const emulator: HubSpotEmulator = await startHubSpotEmulator({
    privateAppTokens: [TOKEN],
    rateLimit: { max: 100, intervalMs: 10_000 / scale },
    searchPerSecond: 5,
    searchIntervalMs: 1_000 / scale,
    searchLagMs: 2_000 / scale,
  });
  const db = new CallbackDeskDB(`bench-crm-${options.batching}-${Date.now()}`);
  const started = Date.now();
  const now = () => started + (Date.now() - started) * scale;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms / scale));
  const random = seededRandom(7);
  try {
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
      staff: [],
      notifyNewCalls: false,
      dedupeWindowSeconds: 120,
    } as FirmSettings;
    // 1,000 leads, each with a matched contact and one unanswered callback.
    const t0 = Date.UTC(2026, 2, 4, 15, 0);
    for (let i = 0; i < options.outcomes; i++) {
      const phone = `+1415555${String(1000 + i).padStart(4, '0')}`;
      const contact = emulator.seedContact({ firstname: `Caller${i}`, phone });
      const lead: Lead = {
        id: `lead-${i}`,
        phoneKey: phone,
        phone,
        rawNumber: phone,
        noCallbackNumber: false,
        name: `Caller ${i}`,
        priority: false,
        status: 'open',
        firstMissedAt: t0,
        lastMissedAt: t0,
        missedCount: 1,
        dueAt: t0,
        overdueAt: t0,
        attemptCount: 1,
        crmLinks: [{ system: 'hubspot', contactId: contact.id }],
        createdAt: t0,
        updatedAt: t0,
      };
      await db.leads.put(lead);
      const attempt = {
        id: `attempt-${i}`,
        leadId: lead.id,
        method: 'call' as const,
        at: t0 + 60_000,
        outcome: 'no-answer' as const,
      };
      await enqueueDrafts(
        db,
        buildSyncDrafts({ system: 'hubspot', lead, attempts: [attempt], settings }),
        now(),
      );
    }
    const jobs = (await db.outbox.toArray()) as unknown as SyncJob[];
    emulator.log.length = 0;
    emulator.randomFaults = { rate: options.faultRate, kinds: FAULTS, random: seededRandom(42) };

    const fetch = routedFetch({ 'https://api.hubapi.com': emulator.url });
    const session = { current: async () => TOKEN, afterUnauthorized: async () => null };
    const connector = new HubSpotConnector(
      {
        session,
        limiterStore: dbLimiterStore(db),
        fetch,
        now,
        sleep,
        random,
        maxWaitMs: 15_000,
        timeoutMs: 20_000 / scale,
      },
      { auth: 'private-app', portalId: '1' },
    );
    const wallStart = performance.now();
    // One drain normally runs until the queue is empty; loop in case it hands over.
    for (let round = 0; round < 50; round++) {
      await drainOutbox({
        db,
        runId: 'bench',
        connectorFor: async () => connector,
        ownerFor: async () => undefined,
        now,
        sleep,
        random,
        batching: options.batching,
        budgetMs: 60 * 60_000,
        inProcessWaitMs: 15 * 60_000,
      });
      const open = await db.outbox.where('state').anyOf('queued', 'syncing').count();
      if (open === 0) break;
    }
    const wallSeconds = (performance.now() - wallStart) / 1000;

    const after = (await db.outbox.toArray()) as unknown as SyncJob[];
    const bodies = {
      call: emulator.records('calls').map((r) => r.properties.hs_call_body ?? ''),
      note: emulator.records('notes').map((r) => r.properties.hs_note_body ?? ''),
      task: emulator.records('tasks').map((r) => r.properties.hs_task_body ?? ''),
    };
    let duplicates = 0;
    let lost = 0;
    for (const job of jobs) {
      const marker = markerFor(job);
      const copies = bodies[job.kind as 'call' | 'note' | 'task'].filter((b) =>
        b.includes(marker),
      ).length;
      if (copies === 0) lost++;
      if (copies > 1) duplicates += copies - 1;
    }
    emulator.assertNoViolations();
    const log = emulator.log;
    return {
      mode: options.batching ? 'batched' : 'one request per record',
      records: jobs.length,
      requests: log.length,
      creates: log.filter((l) => !l.path.endsWith('/search')).length,
      searches: log.filter((l) => l.path.endsWith('/search')).length,
      faultsInjected: log.filter((l) => l.fault).length,
      rateLimited429: log.filter((l) => l.status === 429 && !l.fault).length,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      hubspotSeconds: Math.round(wallSeconds * scale),
      synced: after.filter((j) => j.state === 'synced').length,
      failed: after.filter((j) => j.state === 'failed').length,
      duplicates,
      lost,
    };
  } finally {
    db.close();
    await emulator.close();
  }
}

export async function benchCrmSync(
  options: { outcomes?: number; scale?: number; faultRate?: number } = {},
): Promise<CrmSyncBench> {
  resolveProductImports();
  const outcomes = options.outcomes ?? 1_000;
  const scale = options.scale ?? 10;
  const faultRate = options.faultRate ?? 0.1;
  const runs = [await runOnce({ outcomes, scale, faultRate, batching: true })];
  if (!process.env.BATCHED_ONLY)
    runs.push(await runOnce({ outcomes, scale, faultRate, batching: false }));
  return { outcomes, scale, faultRate, runs };
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const result = await benchCrmSync({
    outcomes: Number(process.env.OUTCOMES ?? 1_000),
    scale: Number(process.env.SCALE ?? 10),
  });
  console.log(
    `CRM sync: ${result.outcomes} outcomes → ${result.runs[0]!.records} HubSpot records, limit 100 req / 10 s, ` +
      `${result.faultRate * 100} % injected faults. Time scaled ${result.scale}× (emulator window ${10 / result.scale} s; ` +
      `"HubSpot s" = measured × ${result.scale}, an upper bound: it scales local work in fake-indexeddb too).`,
  );
  console.table(
    Object.fromEntries(
      result.runs.map((r) => [
        r.mode,
        {
          requests: r.requests,
          creates: r.creates,
          searches: r.searches,
          'faults injected': r.faultsInjected,
          '429 (limit)': r.rateLimited429,
          'wall s (scaled)': r.wallSeconds,
          'HubSpot s': r.hubspotSeconds,
          synced: r.synced,
          failed: r.failed,
          duplicates: r.duplicates,
          lost: r.lost,
        },
      ]),
    ),
  );
  const [batched, single] = result.runs;
  // BATCHED_ONLY runs no one-request-per-record baseline: no ratio to print.
  if (batched && single)
    console.log(
      `batched: ${Math.round((single.requests / batched.requests) * 10) / 10}× fewer requests, ` +
        `${Math.round((single.wallSeconds / batched.wallSeconds) * 10) / 10}× faster than one request per record`,
    );
  process.exit(0);
}
