/**
 * The metrics Web Worker (the dashboard starts it with
 * `new Worker(new URL('…/utils/metrics/worker.ts', import.meta.url), { type: 'module' })`).
 * It opens the extension's database itself (a worker of an extension page has the
 * extension's origin), reads the range and computes the figures, so neither the rows nor the
 * work touch the page's thread: the page only receives the result.
 */
import { CallbackDeskDB } from '../db';
import { computeMetrics } from './figures';
import { loadMetricsData, loadRangeFor } from './load';
import type { MetricsData, MetricsWorkerRequest, MetricsWorkerResponse } from './types';

let db: CallbackDeskDB | null = null;
/** The last data read, reused while only the filters change (same range, same `now`). */
let cached: { key: string; data: MetricsData } | null = null;

export async function handleMetricsRequest(
  request: MetricsWorkerRequest,
  database: CallbackDeskDB,
): Promise<MetricsWorkerResponse> {
  try {
    const started = performance.now();
    const range = loadRangeFor(request.filters, request.settings.firm.timeZone);
    const key = JSON.stringify([range, request.now]);
    let data = cached?.key === key ? cached.data : null;
    if (!data) {
      data = await loadMetricsData(database, range);
      cached = { key, data };
    }
    const loaded = performance.now();
    const result = computeMetrics(data, request.filters, request.settings, request.now);
    const computed = performance.now();
    return {
      id: request.id,
      ok: true,
      result,
      loadMs: loaded - started,
      computeMs: computed - loaded,
    };
  } catch (error) {
    return {
      id: request.id,
      ok: false,
      error:
        error instanceof Error && error.name === 'DatabaseClosedError'
          ? 'The figures could not be read: the database is closed. Reload the page.'
          : `The figures could not be computed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

// Only when running as a worker (a test imports handleMetricsRequest alone).
const scope = globalThis as unknown as {
  onmessage?: unknown;
  postMessage?: (message: unknown) => void;
  WorkerGlobalScope?: unknown;
};
if (typeof scope.WorkerGlobalScope !== 'undefined' && typeof scope.postMessage === 'function') {
  const post = scope.postMessage.bind(globalThis);
  scope.onmessage = async (event: MessageEvent<MetricsWorkerRequest>) => {
    db ??= new CallbackDeskDB();
    post(await handleMetricsRequest(event.data, db));
  };
}
