/**
 * Web Worker entry for the weekly review: reads last week and the 4 before from the
 * extension's database (same origin as the dashboard page) and computes the review off the
 * page's thread. The engine's worker (utils/metrics/worker.ts) answers the dashboard's
 * figures; this one answers only the review.
 */
import { db } from '@/utils/db';
import { loadMetricsData } from '@/utils/metrics/load';
import { computeWeeklyReview, weeklyReviewRange } from '@/utils/metrics/weekly';
import type { MetricsSettings, WeeklyReview } from '@/utils/metrics/types';

export interface WeeklyWorkerRequest {
  id: number;
  settings: MetricsSettings;
  now: number;
}
export type WeeklyWorkerResponse =
  { id: number; ok: true; review: WeeklyReview } | { id: number; ok: false; error: string };

self.onmessage = async (event: MessageEvent<WeeklyWorkerRequest>) => {
  const { id, settings, now } = event.data;
  let reply: WeeklyWorkerResponse;
  try {
    const data = await loadMetricsData(db, weeklyReviewRange(now, settings.firm.timeZone));
    reply = { id, ok: true, review: computeWeeklyReview(data, settings, now) };
  } catch (error) {
    reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(reply);
};
