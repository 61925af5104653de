/**
 * The dashboard's Web Worker: reads the range from the extension's database (a worker of an
 * extension page has the extension's origin), computes the figures or the weekly review with
 * the metrics engine, and posts the page only what it shows. Figures come in two steps: the
 * range's own (read first, spike norms pending), then the complete ones once the 4 weeks
 * before the range are read (a 7-day view reads 1 week, then 4 more). The rows behind the figures (one
 * per lead, tens of thousands) stay here: copying them to the page would cost its thread more
 * than everything it draws, so their CSV is written here when asked for.
 */
import { CallbackDeskDB } from '@/utils/db';
import { computeMetrics } from '@/utils/metrics/figures';
import { loadMetricsData, phasedMetricsData, withPendingNorms } from '@/utils/metrics/load';
import { computeWeeklyReview, weeklyReviewRange } from '@/utils/metrics/weekly';
import type { MetricsData, MetricsFilters, MetricsResult } from '@/utils/metrics/types';
import { tableCsv } from './exportCsv';
import { LEAD_COLUMNS } from './leadColumns';
import type { DashboardFigures, FiguresRequest, FiguresResponse } from './figuresProtocol';

/** Opened as the worker starts, while the page still reads its settings. */
let db: CallbackDeskDB | null = new CallbackDeskDB();
db.open().catch(() => {
  // Told on the first request that reads (Dexie opens it again then).
});
/** The weekly review's last data read. */
let cached: { key: string; data: MetricsData } | null = null;
/**
 * The figures' last read, in its two steps, reused while only the filters change (same
 * range, zone and `now`).
 */
let phased: {
  key: string;
  first: Promise<MetricsData>;
  complete: Promise<MetricsData>;
  done: boolean;
} | null = null;
/** The last figures computed: their lead rows are exported from here. */
let lastResult: MetricsResult | null = null;

/** The weekly review's range, read in one step. */
async function dataFor(range: { from: number; to: number }, now: number): Promise<MetricsData> {
  const key = JSON.stringify([range, now]);
  if (cached?.key === key) return cached.data;
  db ??= new CallbackDeskDB();
  const data = await loadMetricsData(db, range);
  cached = { key, data };
  return data;
}

function readsFor(filters: MetricsFilters, timeZone: string, now: number) {
  const key = JSON.stringify([filters.from, filters.to, timeZone, now]);
  if (phased?.key === key) return phased;
  db ??= new CallbackDeskDB();
  const read = phasedMetricsData(db, { from: filters.from, to: filters.to }, timeZone);
  const entry = { key, ...read, done: false };
  phased = entry;
  read.complete.then(
    () => {
      entry.done = true;
    },
    () => {
      // A failed read is read again on the next request.
      if (phased === entry) phased = null;
    },
  );
  return entry;
}

function compact(result: MetricsResult, normsPendingDays = 0): DashboardFigures {
  const { leads, ...figures } = result;
  const areas = new Set<string>();
  for (const row of leads) if (row.practiceArea) areas.add(row.practiceArea);
  return {
    ...figures,
    leadCount: leads.length,
    practiceAreas: [...areas].sort(),
    normsPendingDays,
  };
}

async function answer(
  request: FiguresRequest,
  post: (reply: FiguresResponse) => void,
): Promise<FiguresResponse> {
  const { id } = request;
  switch (request.kind) {
    case 'compute': {
      const { filters, settings, now } = request;
      const timeZone = settings.firm.timeZone;
      const reads = readsFor(filters, timeZone, now);
      let started = performance.now();
      if (!reads.done) {
        // The range's own figures first; the norms' days say they are pending.
        const data = await reads.first;
        const loaded = performance.now();
        lastResult = computeMetrics(data, filters, settings, now);
        const shown = withPendingNorms(lastResult, filters.from, timeZone);
        post({
          id,
          kind: 'figures',
          complete: false,
          figures: compact(shown, shown.normsPendingDays),
          loadMs: Math.round(loaded - started),
          computeMs: Math.round(performance.now() - loaded),
        });
        started = performance.now();
      }
      const data = await reads.complete;
      const loaded = performance.now();
      lastResult = computeMetrics(data, filters, settings, now);
      return {
        id,
        kind: 'figures',
        complete: true,
        figures: compact(lastResult),
        loadMs: Math.round(loaded - started),
        computeMs: Math.round(performance.now() - loaded),
      };
    }
    case 'leadsCsv': {
      const rows = lastResult?.leads ?? [];
      return {
        id,
        kind: 'csv',
        csv: tableCsv(
          LEAD_COLUMNS.map((c) => c.header),
          rows.map((row) => LEAD_COLUMNS.map((c) => c.value(row))),
        ),
      };
    }
    case 'weekly': {
      const range = weeklyReviewRange(request.now, request.settings.firm.timeZone);
      const data = await dataFor(range, request.now);
      return {
        id,
        kind: 'weekly',
        review: computeWeeklyReview(data, request.settings, request.now),
      };
    }
  }
}

self.onmessage = async (event: MessageEvent<FiguresRequest>) => {
  let reply: FiguresResponse;
  try {
    reply = await answer(event.data, (partial) => self.postMessage(partial));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply = {
      id: event.data.id,
      kind: 'error',
      error:
        error instanceof Error && error.name === 'DatabaseClosedError'
          ? 'The figures could not be read: the database is closed. Reload the page.'
          : `The figures could not be computed: ${message}`,
    };
  }
  self.postMessage(reply);
};
