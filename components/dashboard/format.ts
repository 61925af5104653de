import type { RateStatus } from '@/utils/metrics/types';

/** "45 s", "4.5 min", "1 h 05 min", "2 d 3 h"; "—" when there is no value. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '—';
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes < 10) return `${(Math.round(minutes * 10) / 10).toLocaleString()} min`;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = Math.round(minutes - h * 60);
    return m === 60 ? `${h + 1} h 00 min` : `${h} h ${String(m).padStart(2, '0')} min`;
  }
  const d = Math.floor(minutes / 1440);
  const h = Math.round((minutes - d * 1440) / 60);
  return h === 24 ? `${d + 1} d 0 h` : `${d} d ${h} h`;
}

/** "83 %" (one decimal under 10 %); "—" when there is nothing to divide by. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  const percent = rate * 100;
  return `${percent < 10 && percent > 0 ? (Math.round(percent * 10) / 10).toLocaleString() : Math.round(percent)} %`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString();
}

export function formatMoney(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export const RATE_STATUS_LABELS: Record<RateStatus, string> = {
  good: 'good',
  ok: 'watch',
  'needs-work': 'needs work',
  'no-data': 'no data',
};

export const RATE_STATUS_CLASS: Record<RateStatus, string | undefined> = {
  good: 'figure-status-good',
  ok: 'figure-status-watch',
  'needs-work': 'figure-status-needs-work',
  'no-data': undefined,
};

/** Rates as the table and CSV keep them: a percentage rounded to 0.1, or null. */
export function percentValue(rate: number | null | undefined): number | null {
  return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
}

/** Minutes rounded to 0.1 for tables and CSV, or null. */
export function minutesValue(minutes: number | null | undefined): number | null {
  return minutes === null || minutes === undefined ? null : Math.round(minutes * 10) / 10;
}
