/**
 * The dashboard's Web Worker: reads the range from the extension's database (a worker of an
 * extension page has the extension's origin), computes the figures or the weekly review with
 * the metrics engine, and posts the page only what it shows. The rows behind the figures (one
 * per lead, tens of thousands) stay here: copying them to the page would cost its thread more
 * than everything it draws, so their CSV is written here when asked for.
 */
import { CallbackDeskDB } from '@/utils/db';
import { computeMetrics } from '@/utils/metrics/figures';
import { loadMetricsData, loadRangeFor } from '@/utils/metrics/load';
import { computeWeeklyReview, weeklyReviewRange } from '@/utils/metrics/weekly';
import type { MetricsData, MetricsResult } from '@/utils/metrics/types';
import { tableCsv } from './exportCsv';
import { LEAD_COLUMNS } from './leadColumns';
import type { DashboardFigures, FiguresRequest, FiguresResponse } from './figuresProtocol';

let db: CallbackDeskDB | null = null;
/** The last data read, reused while only the filters change (same range, same `now`). */
let cached: { key: string; data: MetricsData } | null = null;
/** The last figures computed: their lead rows are exported from here. */
let lastResult: MetricsResult | null = null;

async function dataFor(range: { from: number; to: number }, now: number): Promise<MetricsData> {
  const key = JSON.stringify([range, now]);
  if (cached?.key === key) return cached.data;
  db ??= new CallbackDeskDB();
  const data = await loadMetricsData(db, range);
  cached = { key, data };
  return data;
}

function compact(result: MetricsResult): DashboardFigures {
  const { leads, ...figures } = result;
  const areas = new Set<string>();
  for (const row of leads) if (row.practiceArea) areas.add(row.practiceArea);
  return { ...figures, leadCount: leads.length, practiceAreas: [...areas].sort() };
}

async function answer(request: FiguresRequest): Promise<FiguresResponse> {
  const { id } = request;
  switch (request.kind) {
    case 'compute': {
      const started = performance.now();
      const range = loadRangeFor(request.filters, request.settings.firm.timeZone);
      const data = await dataFor(range, request.now);
      const loaded = performance.now();
      lastResult = computeMetrics(data, request.filters, request.settings, request.now);
      const figures = compact(lastResult);
      return {
        id,
        kind: 'figures',
        figures,
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
    reply = await answer(event.data);
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
