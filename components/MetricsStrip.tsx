import { useState } from 'react';
import type { MetricsStrip as StripFigures } from '@/utils/metrics/types';
import { FIGURE_HELP } from '@/utils/metrics/types';
import { useLiveData } from './useLiveData';
import { useNow } from './hooks';
import './metricsStrip.css';

const MINUTE = 60_000;

/**
 * The sidebar's compact strip for today (firm time): missed calls, today's leads called back
 * within 15 minutes, and leads overdue now. Read through the live query `metricsStrip`, so
 * it works in the dock too; the minute is an argument, so "overdue now" follows the clock.
 */
export function MetricsStrip() {
  const minute = Math.floor(useNow(15_000) / MINUTE) * MINUTE;
  const latest = useLiveData('metricsStrip', { minute });
  // A new minute is a new subscription: keep showing the last figures meanwhile.
  const [kept, setKept] = useState<StripFigures | undefined>(latest);
  if (latest !== undefined && latest !== kept) setKept(latest);
  const strip = latest ?? kept;
  if (!strip) return null;
  return (
    <div
      className="metrics-strip"
      role="group"
      aria-label="Today’s figures"
      title={FIGURE_HELP.strip.text}
    >
      <span>
        Today: <strong data-strip="missed">{strip.missedToday}</strong> missed
      </span>
      <span aria-hidden="true"> · </span>
      <span>
        <strong data-strip="within15">
          {strip.calledBackWithin15} of {strip.leadsToday}
        </strong>{' '}
        called back within 15 min
      </span>
      <span aria-hidden="true"> · </span>
      <span className={strip.overdueNow ? 'count-overdue' : undefined}>
        <strong data-strip="overdue">{strip.overdueNow}</strong> overdue now
      </span>
    </div>
  );
}
