import { useEffect, useRef, useState } from 'react';
import type { MetricsFilters, MetricsSettings, WeeklyReview } from '@/utils/metrics/types';
import type { DashboardFigures, FiguresRequest, FiguresResponse } from './figuresProtocol';
import { cachedFigures, saveFigures } from './figuresCache';

type Ask = FiguresRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

interface Waiting {
  done: (reply: FiguresResponse) => void;
  /** Figures before the complete ones (spike norms pending). */
  partial?: (reply: FiguresResponse) => void;
}

/**
 * The page's one figures worker: requests by id, answered in any order; a compute request
 * may get its range's own figures first (`complete: false`), then the complete ones.
 */
export class FiguresWorker {
  private readonly worker: Worker;
  private next = 0;
  private readonly waiting = new Map<number, Waiting>();

  constructor() {
    this.worker = new Worker(new URL('./figuresWorker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<FiguresResponse>) => {
      const reply = event.data;
      const entry = this.waiting.get(reply.id);
      if (reply.kind === 'figures' && !reply.complete) {
        entry?.partial?.(reply);
        return;
      }
      this.waiting.delete(reply.id);
      entry?.done(reply);
    };
    // A worker that fails to start or crashes answers every open request with the reason.
    this.worker.onerror = (event) => {
      const error = event.message || 'The figures could not be computed.';
      for (const [id, entry] of this.waiting) entry.done({ id, kind: 'error', error });
      this.waiting.clear();
    };
  }

  ask(request: Ask, partial?: (reply: FiguresResponse) => void): Promise<FiguresResponse> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, { done: resolve, partial });
      this.worker.postMessage({ ...request, id } as FiguresRequest);
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.waiting.clear();
  }
}

/**
 * One worker for the page's lifetime, started as the page mounts (it loads and opens the
 * database while the settings are read), stopped on unmount.
 */
export function useFiguresWorker(): () => FiguresWorker {
  const worker = useRef<FiguresWorker | null>(null);
  useEffect(() => {
    worker.current ??= new FiguresWorker();
    return () => {
      worker.current?.terminate();
      worker.current = null;
    };
  }, []);
  return () => (worker.current ??= new FiguresWorker());
}

export interface MetricsState {
  /** The latest figures (kept while newer ones are computed, so the page does not blank). */
  result: DashboardFigures | null;
  /** Figures for other inputs than the ones shown are being computed. */
  busy: boolean;
  error: string | null;
  /** Worker timings of the figures shown. */
  timing: { loadMs: number; computeMs: number } | null;
  /** The figures shown are complete (false: the spike norms of some days are being read). */
  complete: boolean;
  /** The figures shown are the ones saved the last time this view was computed. */
  saved: boolean;
}

interface Answer {
  /** The inputs this answers. */
  key: string;
  result: DashboardFigures | null;
  error: string | null;
  timing: { loadMs: number; computeMs: number } | null;
  complete: boolean;
}

/**
 * The figures for a range and filters, read and computed off the UI thread: the worker opens
 * the extension's database itself, so neither the rows nor the work touch the page's thread,
 * which only receives the figures. An answer to superseded inputs is dropped.
 */
export function useMetrics(
  worker: () => FiguresWorker,
  filters: MetricsFilters | null,
  settings: MetricsSettings | null,
  now: number,
  /** The view (its URL query): the last figures of the same view are shown meanwhile. */
  view: string,
): MetricsState {
  const [answer, setAnswer] = useState<Answer>({
    key: '',
    result: null,
    error: null,
    timing: null,
    complete: false,
  });
  // Only before the first answer: afterwards the page keeps what it has until the next one.
  const [saved] = useState(() => cachedFigures(view, Date.now()));
  const key = filters && settings ? JSON.stringify([filters, settings, now]) : '';
  useEffect(() => {
    if (!key) return;
    let current = true;
    const [f, s, n] = JSON.parse(key) as [MetricsFilters, MetricsSettings, number];
    const show = (reply: FiguresResponse) => {
      if (!current) return;
      if (reply.kind === 'figures' && reply.complete) saveFigures(view, reply.figures);
      setAnswer((previous) =>
        reply.kind === 'figures'
          ? {
              key,
              result: reply.figures,
              error: null,
              timing: { loadMs: reply.loadMs, computeMs: reply.computeMs },
              complete: reply.complete,
            }
          : {
              ...previous,
              key,
              error: reply.kind === 'error' ? reply.error : 'Unexpected answer',
            },
      );
    };
    void worker().ask({ kind: 'compute', filters: f, settings: s, now: n }, show).then(show);
    return () => {
      current = false;
    };
    // `worker` is a stable getter; `key` stands for the inputs (`view` goes with them).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return {
    result: answer.result ?? saved,
    busy: answer.key !== key,
    error: answer.key === key ? answer.error : null,
    timing: answer.timing,
    complete: answer.key === key && answer.complete,
    saved: answer.result === null && saved !== null,
  };
}

export interface WeeklyState {
  review: WeeklyReview | null;
  busy: boolean;
  error: string | null;
}

/** The weekly review (last week against the 4 before), computed in the worker. */
export function useWeeklyReview(
  worker: () => FiguresWorker,
  settings: MetricsSettings,
  now: number,
): WeeklyState {
  const key = JSON.stringify([settings, now]);
  const [answer, setAnswer] = useState<{
    key: string;
    review: WeeklyReview | null;
    error: string | null;
  }>({ key: '', review: null, error: null });
  useEffect(() => {
    let current = true;
    const [s, n] = JSON.parse(key) as [MetricsSettings, number];
    void worker()
      .ask({ kind: 'weekly', settings: s, now: n })
      .then((reply) => {
        if (!current) return;
        setAnswer((previous) =>
          reply.kind === 'weekly'
            ? { key, review: reply.review, error: null }
            : {
                key,
                review: previous.review,
                error: reply.kind === 'error' ? reply.error : 'Unexpected answer',
              },
        );
      });
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return {
    review: answer.review,
    busy: answer.key !== key,
    error: answer.key === key ? answer.error : null,
  };
}
