/**
 * The dashboard reads a range in two steps (utils/metrics/load.ts phasedMetricsData): the
 * range's own figures first, then the 4 weeks before for the spike norms. The figures of the
 * completed read are exactly those of the one-step read; the first step's differ only in
 * the norms (none yet).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CallbackDeskDB } from '@/utils/db';
import { computeMetrics } from '@/utils/metrics/figures';
import {
  loadMetricsData,
  loadRangeFor,
  phasedMetricsData,
  withPendingNorms,
} from '@/utils/metrics/load';
import type { MetricsFilters } from '@/utils/metrics/types';
import { SETTINGS, filtersFor, generate } from '../bench/metrics-page';

const NOW = Date.UTC(2026, 2, 20, 17, 0);
let db: CallbackDeskDB;

beforeEach(async () => {
  db = new CallbackDeskDB(`metrics-load-${crypto.randomUUID()}`);
  await db.open();
  const records = generate(NOW, { calls: 3_000, attempts: 6_000, answered: 1_500, days: 70 });
  // A lead written before attempt summaries (its attempts are read instead), and answered
  // calls (not missed ones) among the calls.
  const legacy = records.leads.find(
    (l) => l.attemptCount > 0 && l.firstMissedAt > NOW - 5 * 86_400_000,
  )!;
  delete legacy.attemptSummary;
  for (const c of records.calls.slice(0, 40)) c.reason = 'answered';
  await db.leads.bulkPut(records.leads);
  await db.calls.bulkPut(records.calls);
  await db.attempts.bulkPut(records.attempts);
  await db.callStats.bulkPut(records.callStats);
  await db.liveCallers.bulkPut(records.liveCallers);
  await db.surveys.bulkPut(
    records.leads
      .slice(0, 300)
      .map((l, i) => ({ leadId: l.id, at: l.firstMissedAt + 86_400_000, rating: 1 + (i % 5) })),
  );
});
afterEach(async () => {
  await db.delete();
});

const views: [string, MetricsFilters][] = [
  ['last 7 days', filtersFor(NOW, 7)],
  ['last 4 weeks, one source', { ...filtersFor(NOW, 28), source: ['Website'] }],
  ['last 30 days, one staff member', { ...filtersFor(NOW, 30), staffId: ['s2'] }],
];

it.each(views)('%s: the two-step read gives the one-step figures', async (_, filters) => {
  const tz = SETTINGS.firm.timeZone;
  const oneStep = computeMetrics(
    await loadMetricsData(db, loadRangeFor(filters, tz)),
    filters,
    SETTINGS,
    NOW,
  );
  const { first, complete } = phasedMetricsData(db, filters, tz);
  const early = computeMetrics(await first, filters, SETTINGS, NOW);
  const done = computeMetrics(await complete, filters, SETTINGS, NOW);
  expect(done).toEqual(oneStep);
  expect(oneStep.missedCalls.byDay.some((d) => d.norm !== null)).toBe(true);
  // The first step: every figure, and the norms of the days whose 4 weeks before were read;
  // the other days' norms are pending (none shown, no spike), not counted over fewer weeks.
  const shown = withPendingNorms(early, filters.from, tz);
  const firstDays = Math.min(28, oneStep.missedCalls.byDay.length);
  expect(shown.normsPendingDays).toBe(firstDays);
  const { normsPendingDays: _pending, ...figures } = shown;
  const pendingDays = new Set(oneStep.missedCalls.byDay.slice(0, firstDays).map((d) => d.day));
  const byDay = oneStep.missedCalls.byDay.map((d) =>
    pendingDays.has(d.day) ? { ...d, norm: null, spike: false } : d,
  );
  expect(figures).toEqual({
    ...oneStep,
    missedCalls: { ...oneStep.missedCalls, byDay, spikes: byDay.filter((d) => d.spike) },
  });
  expect(early.leads.length).toBeGreaterThan(100);
});
