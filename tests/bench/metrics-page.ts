/**
 * The browser side of tests/bench/metrics.ts, bundled (rolldown) and run in a Chromium page:
 * seeds a database with the benchmark's records in the shapes capture stores, then times
 * loadMetricsData + computeMetrics (the dashboard worker's work) in the page and in a Web
 * Worker, watching the page's long tasks.
 */
import { CallbackDeskDB } from '../../utils/db';
import type { Attempt, CallStat, Lead, LiveCaller, MissedCall } from '../../utils/model';
import { seededRandom } from '../../utils/prng';
import { computeMetrics } from '../../utils/metrics/figures';
import {
  loadMetricsData,
  loadRangeFor,
  phasedMetricsData,
  withPendingNorms,
} from '../../utils/metrics/load';
import { FirmClock } from '../../utils/metrics/time';
import { withAttempt } from '../../utils/metrics/attemptSummary';
import type { MetricsFilters, MetricsSettings } from '../../utils/metrics/types';

const DAY = 86_400_000;
const weekday = [{ open: '09:00', close: '17:00' }];
export const SETTINGS: MetricsSettings = {
  goodAtLeast: 0.8,
  needsWorkBelow: 0.6,
  costPerLead: { 'Google Ads – PI': 45, 'Attorney Leads': 60 },
  currency: 'USD',
  firm: {
    firmName: 'Benchmark LLP',
    timeZone: 'America/New_York',
    weeklyHours: [[], weekday, weekday, weekday, weekday, weekday, []],
    holidays: [],
    staff: Array.from({ length: 8 }, (_, i) => ({ id: `s${i}`, name: `Staff ${i}` })),
    limitMinutes: 15,
  },
};
const SOURCES = ['Google Ads – PI', 'Website', 'Referral', 'Attorney Leads', 'Yelp', 'Direct'];
const AREAS = ['Personal injury', 'Family law', 'Criminal defense', 'Estate planning'];
const PATHS = ['api', 'portal', 'csv', 'crm', 'manual'] as const;

export interface Sizes {
  calls: number;
  attempts: number;
  answered: number;
  days: number;
}

/** Deterministic records: `calls` missed calls over `days` days, attempts, answered counts. */
export function generate(now: number, sizes: Sizes) {
  const random = seededRandom(10);
  const clock = new FirmClock(SETTINGS.firm.timeZone);
  const leads: Lead[] = [];
  const calls: MissedCall[] = [];
  const attempts: Attempt[] = [];
  // About 1.4 calls per lead: a caller rings again before the callback.
  const leadCount = Math.round(sizes.calls / 1.4);
  const span = sizes.days * DAY;
  for (let i = 0; i < leadCount; i++) {
    const first = now - Math.floor(random() * span);
    const status =
      first > now - DAY && random() < 0.3 ? 'open' : random() < 0.1 ? 'no-contact' : 'done';
    const lead: Lead = {
      id: `L${i}`,
      phoneKey: `+1212${String(1_000_000 + i).slice(1)}`,
      phone: `+1212${String(1_000_000 + i).slice(1)}`,
      rawNumber: '',
      noCallbackNumber: random() < 0.01,
      source: SOURCES[Math.floor(random() * SOURCES.length)],
      practiceArea: AREAS[Math.floor(random() * AREAS.length)],
      assignee: random() < 0.9 ? `s${Math.floor(random() * 8)}` : undefined,
      priority: false,
      status,
      firstMissedAt: first,
      lastMissedAt: first,
      missedCount: 1,
      dueAt: first + 5 * 60_000,
      overdueAt: first + 15 * 60_000,
      attemptCount: 0,
      createdAt: first,
      updatedAt: now,
    };
    if (status === 'open') {
      lead.openDueAt = lead.dueAt;
      lead.openOverdueAt = lead.overdueAt;
    }
    if (random() < 0.05) lead.disposition = random() < 0.5 ? 'retained' : 'not-retained';
    leads.push(lead);
  }
  for (let c = 0; c < sizes.calls; c++) {
    const lead = leads[c < leadCount ? c : Math.floor(random() * leadCount)]!;
    const startedAt =
      c < leadCount ? lead.firstMissedAt : lead.firstMissedAt + Math.floor(random() * 3_600_000);
    const path = PATHS[Math.floor(random() * PATHS.length)]!;
    calls.push({
      id: `C${c}`,
      leadId: lead.id,
      phoneKey: lead.phoneKey,
      provider: 'bench',
      startedAt,
      reason: 'no-answer',
      capturePath: path,
      ...(random() < 0.2 ? { alsoSeenBy: ['portal' as const] } : {}),
      capturedAt: startedAt,
    });
  }
  const methods = ['call', 'call', 'voicemail', 'text', 'email'] as const;
  const outcomes = [
    'no-answer',
    'left-voicemail',
    'reached',
    'consultation-booked',
    'not-a-fit',
    'retained',
  ] as const;
  for (let a = 0; a < sizes.attempts; a++) {
    const lead = leads[a % leadCount]!;
    const at = lead.firstMissedAt + Math.floor(random() * random() * 2 * DAY);
    attempts.push({
      id: `A${a}`,
      leadId: lead.id,
      method: methods[Math.floor(random() * methods.length)]!,
      at,
      by: lead.assignee,
      outcome: outcomes[Math.floor(random() * outcomes.length)]!,
      ...(random() < 0.1 ? { automatic: true } : {}),
    });
  }
  // What recordAttempt keeps on each lead.
  const byId = new Map(leads.map((l) => [l.id, l]));
  for (const a of attempts) {
    const lead = byId.get(a.leadId)!;
    if (!a.automatic) lead.attemptCount++;
    lead.attemptSummary = withAttempt(lead.attemptSummary, a);
  }
  const stats = new Map<string, CallStat>();
  const live: LiveCaller[] = [];
  for (let n = 0; n < sizes.answered; n++) {
    const startedAt = now - Math.floor(random() * span);
    const day = clock.label(clock.dayOf(startedAt));
    const hour = clock.hourOf(startedAt);
    const source = SOURCES[n % SOURCES.length]!;
    const path = n % 3 === 0 ? 'portal' : 'api';
    const id = `${day}|${hour}|+18005550100|${source}|${path}`;
    const row = stats.get(id) ?? {
      id,
      day,
      hour,
      line: '+18005550100',
      source,
      path,
      answered: 0,
      answeredNew: 0,
    };
    row.answered++;
    if (n % 4 === 0) {
      row.answeredNew++;
      live.push({
        phoneKey: `+1646${String(1_000_000 + n).slice(1)}`,
        answeredAt: startedAt,
        source,
        path,
      });
    }
    stats.set(id, row);
  }
  return { leads, calls, attempts, callStats: [...stats.values()], liveCallers: live };
}

export async function seed(name: string, now: number, sizes: Sizes) {
  const records = generate(now, sizes);
  const db = new CallbackDeskDB(name);
  await db.open();
  await db.transaction(
    'rw',
    [db.leads, db.calls, db.attempts, db.callStats, db.liveCallers],
    async () => {
      await Promise.all([
        db.leads.bulkPut(records.leads),
        db.calls.bulkPut(records.calls),
        db.attempts.bulkPut(records.attempts),
        db.callStats.bulkPut(records.callStats),
        db.liveCallers.bulkPut(records.liveCallers),
      ]);
    },
  );
  db.close();
  return {
    leads: records.leads.length,
    calls: records.calls.length,
    attempts: records.attempts.length,
    callStatRows: records.callStats.length,
    liveCallers: records.liveCallers.length,
  };
}

export function filtersFor(now: number, days: number): MetricsFilters {
  const clock = new FirmClock(SETTINGS.firm.timeZone);
  const today = clock.dayOf(now);
  return { from: clock.startOfDay(today - days + 1), to: clock.startOfDay(today + 1) };
}

/** One load + compute, in this thread. */
export async function loadAndCompute(name: string, filters: MetricsFilters, now: number) {
  const db = new CallbackDeskDB(name);
  const t0 = performance.now();
  const data = await loadMetricsData(db, loadRangeFor(filters, SETTINGS.firm.timeZone));
  const t1 = performance.now();
  const result = computeMetrics(data, filters, SETTINGS, now);
  const t2 = performance.now();
  db.close();
  return {
    loadMs: t1 - t0,
    computeMs: t2 - t1,
    leads: result.leads.length,
    missed: result.missedCalls.missed,
    result,
  };
}

/**
 * As the dashboard's worker does it: the range's own figures first (read + compute), then
 * the 4 weeks before and the complete figures. Times from the start.
 */
export async function phasedLoadAndCompute(name: string, filters: MetricsFilters, now: number) {
  const db = new CallbackDeskDB(name);
  const tz = SETTINGS.firm.timeZone;
  const t0 = performance.now();
  const { first, complete } = phasedMetricsData(db, filters, tz);
  withPendingNorms(computeMetrics(await first, filters, SETTINGS, now), filters.from, tz);
  const t1 = performance.now();
  computeMetrics(await complete, filters, SETTINGS, now);
  const t2 = performance.now();
  db.close();
  return { firstFiguresMs: t1 - t0, completeMs: t2 - t0 };
}

/** Compute only, on data already in memory (what a filter change costs with the data cached). */
export async function computeOnly(
  name: string,
  filters: MetricsFilters,
  now: number,
  runs: number,
) {
  const db = new CallbackDeskDB(name);
  const data = await loadMetricsData(db, loadRangeFor(filters, SETTINGS.firm.timeZone));
  db.close();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    computeMetrics(data, filters, SETTINGS, now);
    times.push(performance.now() - t0);
  }
  return times;
}

// In a worker: answer { name, filters, now } with the timings and the result (as the
// dashboard's worker posts it).
const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage: (m: unknown) => void;
};
if (typeof scope.WorkerGlobalScope !== 'undefined') {
  (globalThis as unknown as { onmessage: unknown }).onmessage = async (
    event: MessageEvent<{ name: string; filters: MetricsFilters; now: number }>,
  ) => {
    const { name, filters, now } = event.data;
    const r = await loadAndCompute(name, filters, now);
    // As the dashboard's worker posts it: the figures without the per-lead rows.
    const { leads: _rows, ...figures } = r.result;
    scope.postMessage({ loadMs: r.loadMs, computeMs: r.computeMs, result: figures });
  };
}
