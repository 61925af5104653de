import type {
  MetricsFilters,
  MetricsResult,
  MetricsSettings,
  WeeklyReview,
} from '@/utils/metrics/types';

/**
 * The figures as the page gets them from its worker (components/dashboard/figuresWorker.ts):
 * everything but the per-lead rows, which stay in the worker (their CSV is asked for).
 */
export type DashboardFigures = Omit<MetricsResult, 'leads'> & {
  /** How many lead rows are behind the figures. */
  leadCount: number;
  /** Practice areas of those leads (for the filter bar). */
  practiceAreas: string[];
  /**
   * Days of the range whose spike norm is still being read (the 4 weeks before the range
   * come after its own figures): no norm and no spike shown for them yet. 0 when complete.
   */
  normsPendingDays: number;
};

export type FiguresRequest =
  | { id: number; kind: 'compute'; filters: MetricsFilters; settings: MetricsSettings; now: number }
  | { id: number; kind: 'leadsCsv' }
  | { id: number; kind: 'weekly'; settings: MetricsSettings; now: number };

export type FiguresResponse =
  | {
      id: number;
      kind: 'figures';
      figures: DashboardFigures;
      /** False: the range's own figures, spike norms pending; the complete ones follow. */
      complete: boolean;
      loadMs: number;
      computeMs: number;
    }
  | { id: number; kind: 'csv'; csv: string }
  | { id: number; kind: 'weekly'; review: WeeklyReview }
  | { id: number; kind: 'error'; error: string };
