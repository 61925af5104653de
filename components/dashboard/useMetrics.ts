import { useEffect, useRef, useState } from 'react';
import type {
  MetricsFilters,
  MetricsResult,
  MetricsSettings,
  MetricsWorkerRequest,
  MetricsWorkerResponse,
  WeeklyReview,
} from '@/utils/metrics/types';
import type { WeeklyWorkerRequest, WeeklyWorkerResponse } from './weeklyWorker';

export interface MetricsState {
  /** The latest figures (kept while newer ones are computed, so the page does not blank). */
  result: MetricsResult | null;
  /** Figures for other filters than the ones shown are being computed. */
  busy: boolean;
  error: string | null;
  /** Worker timings of the figures shown, for the page's footnote. */
  timing: { loadMs: number; computeMs: number } | null;
}

interface Answer {
  /** The request (inputs) this answers. */
  key: string;
  result: MetricsResult | null;
  error: string | null;
  timing: { loadMs: number; computeMs: number } | null;
}

/**
 * The figures for a range and filters, read and computed off the UI thread: the worker opens
 * the extension's database itself (same origin), so neither the rows nor the work touch the
 * page's thread, which only receives the result. A newer request supersedes an older one.
 */
export function useMetrics(
  filters: MetricsFilters | null,
  settings: MetricsSettings | null,
  now: number,
): MetricsState {
  const worker = useRef<Worker | null>(null);
  const pending = useRef<{ id: number; key: string }>({ id: 0, key: '' });
  const [answer, setAnswer] = useState<Answer>({
    key: '',
    result: null,
    error: null,
    timing: null,
  });
  const key = filters && settings ? JSON.stringify([filters, settings, now]) : '';

  useEffect(() => {
    const w = new Worker(new URL('../../utils/metrics/worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.current = w;
    w.onmessage = (event: MessageEvent<MetricsWorkerResponse>) => {
      const reply = event.data;
      const asked = pending.current;
      if (reply.id !== asked.id) return;
      setAnswer((previous) =>
        reply.ok
          ? {
              key: asked.key,
              result: reply.result,
              error: null,
              timing: { loadMs: reply.loadMs, computeMs: reply.computeMs },
            }
          : { ...previous, key: asked.key, error: reply.error },
      );
    };
    w.onerror = (event) => {
      const asked = pending.current;
      setAnswer((previous) => ({
        ...previous,
        key: asked.key,
        error: event.message || 'The figures could not be computed.',
      }));
    };
    return () => {
      w.terminate();
      worker.current = null;
    };
  }, []);

  useEffect(() => {
    if (!key || !worker.current) return;
    const [f, s, n] = JSON.parse(key) as [MetricsFilters, MetricsSettings, number];
    const id = pending.current.id + 1;
    pending.current = { id, key };
    const request: MetricsWorkerRequest = { id, kind: 'compute', filters: f, settings: s, now: n };
    worker.current.postMessage(request);
  }, [key]);

  return {
    result: answer.result,
    busy: answer.key !== key,
    error: answer.key === key ? answer.error : null,
    timing: answer.timing,
  };
}

export interface WeeklyState {
  review: WeeklyReview | null;
  busy: boolean;
  error: string | null;
}

/** The weekly review (last week against the 4 before), computed in its own worker. */
export function useWeeklyReview(settings: MetricsSettings, now: number): WeeklyState {
  const key = JSON.stringify([settings, now]);
  const [answer, setAnswer] = useState<{
    key: string;
    review: WeeklyReview | null;
    error: string | null;
  }>({ key: '', review: null, error: null });
  useEffect(() => {
    const [s, n] = JSON.parse(key) as [MetricsSettings, number];
    const worker = new Worker(new URL('./weeklyWorker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<WeeklyWorkerResponse>) => {
      const reply = event.data;
      setAnswer((previous) =>
        reply.ok
          ? { key, review: reply.review, error: null }
          : { key, review: previous.review, error: reply.error },
      );
      worker.terminate();
    };
    worker.onerror = (event) => {
      setAnswer((previous) => ({
        key,
        review: previous.review,
        error: event.message || 'The weekly review could not be computed.',
      }));
    };
    const request: WeeklyWorkerRequest = { id: 1, settings: s, now: n };
    worker.postMessage(request);
    return () => worker.terminate();
  }, [key]);
  return {
    review: answer.review,
    busy: answer.key !== key,
    error: answer.key === key ? answer.error : null,
  };
}
