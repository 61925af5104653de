import { TZDate } from '@date-fns/tz';
import { CAPTURE_PATHS, type CapturePath } from '@/utils/model';

/**
 * The dashboard's view as its URL keeps it (query string), so a view can be bookmarked and
 * Back/Forward steps through the filters chosen. Parsing is lenient: a value the page does not
 * know (an old bookmark, a hand-edited link) is dropped, never an error.
 */
export const RANGE_PRESETS = ['today', '7d', '4w', 'month', 'custom'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const RANGE_PRESET_LABELS: Record<RangePreset, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '4w': 'Last 4 weeks',
  month: 'This month',
  custom: 'Custom',
};

export const DASHBOARD_VIEWS = ['dashboard', 'weekly'] as const;
export type DashboardView = (typeof DASHBOARD_VIEWS)[number];

export interface DashboardQuery {
  view: DashboardView;
  preset: RangePreset;
  /** Custom range, firm-local calendar days (YYYY-MM-DD), both included. */
  from?: string;
  to?: string;
  /** One value each, or undefined for all. */
  source?: string;
  practiceArea?: string;
  staff?: string;
  capturePath?: CapturePath;
}

export const DEFAULT_QUERY: DashboardQuery = { view: 'dashboard', preset: '7d' };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_VALUE = 120;

function isIsoDay(value: string | null): value is string {
  if (!value || !ISO_DAY.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * The longest custom range, in days (both ends included): 2 years, as far back as a CSV
 * import reaches. A longer one (a hand-edited link, a year typed as 1000) keeps its last 731
 * days, so the page never computes millions of days.
 */
export const MAX_CUSTOM_DAYS = 731;

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function text(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed && trimmed.length <= MAX_VALUE && !CONTROL.test(trimmed) ? trimmed : undefined;
}

/** The ISO day `days` days after `day` (negative: before). */
function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d + days);
  return date.toISOString().slice(0, 10);
}

export function parseQuery(search: string): DashboardQuery {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const preset = params.get('range');
  const query: DashboardQuery = {
    view: (DASHBOARD_VIEWS as readonly string[]).includes(view ?? '')
      ? (view as DashboardView)
      : DEFAULT_QUERY.view,
    preset: (RANGE_PRESETS as readonly string[]).includes(preset ?? '')
      ? (preset as RangePreset)
      : DEFAULT_QUERY.preset,
  };
  if (query.preset === 'custom') {
    const from = params.get('from');
    const to = params.get('to');
    if (isIsoDay(from) && isIsoDay(to)) {
      // A range typed backwards is still the days between the two dates.
      [query.from, query.to] = from <= to ? [from, to] : [to, from];
      const earliest = addDays(query.to!, 1 - MAX_CUSTOM_DAYS);
      if (query.from! < earliest) query.from = earliest;
    } else {
      query.preset = DEFAULT_QUERY.preset;
    }
  }
  const source = text(params.get('source'));
  const practiceArea = text(params.get('area'));
  const staff = text(params.get('staff'));
  const capturePath = params.get('path');
  if (source) query.source = source;
  if (practiceArea) query.practiceArea = practiceArea;
  if (staff) query.staff = staff;
  if ((CAPTURE_PATHS as readonly string[]).includes(capturePath ?? ''))
    query.capturePath = capturePath as CapturePath;
  return query;
}

/** The query string for a view (`?range=7d&source=…`), in a fixed key order. */
export function formatQuery(query: DashboardQuery): string {
  const params = new URLSearchParams();
  if (query.view !== 'dashboard') params.set('view', query.view);
  params.set('range', query.preset);
  if (query.preset === 'custom' && query.from && query.to) {
    params.set('from', query.from);
    params.set('to', query.to);
  }
  if (query.source) params.set('source', query.source);
  if (query.practiceArea) params.set('area', query.practiceArea);
  if (query.staff) params.set('staff', query.staff);
  if (query.capturePath) params.set('path', query.capturePath);
  return `?${params.toString()}`;
}

export interface ResolvedRange {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive: midnight after the last day (or now, for ranges ending today). */
  end: number;
  /** "Last 7 days (Nov 27 – Dec 3)". */
  label: string;
}

const DAY_FORMAT_CACHE = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = DAY_FORMAT_CACHE.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric' });
    DAY_FORMAT_CACHE.set(timeZone, format);
  }
  return format;
}

/** Midnight starting the firm-local day `offset` days after the day of `ms`. */
function firmMidnight(ms: number, timeZone: string, offset = 0): number {
  const d = new TZDate(ms, timeZone);
  return new TZDate(d.getFullYear(), d.getMonth(), d.getDate() + offset, 0, 0, timeZone).getTime();
}

function midnightOfIsoDay(day: string, timeZone: string, offset = 0): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d + offset, 0, 0, timeZone).getTime();
}

/** The firm-local calendar day of an instant, as YYYY-MM-DD. */
export function isoDayOf(ms: number, timeZone: string): string {
  const d = new TZDate(ms, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The instants a preset covers, in the firm's time zone: whole firm-local days, the last one
 * being today (for every preset but custom), which ends at the following midnight.
 */
export function resolveRange(query: DashboardQuery, now: number, timeZone: string): ResolvedRange {
  const tomorrow = firmMidnight(now, timeZone, 1);
  let start: number;
  let end = tomorrow;
  switch (query.preset) {
    case 'today':
      start = firmMidnight(now, timeZone);
      break;
    case '7d':
      start = firmMidnight(now, timeZone, -6);
      break;
    case '4w':
      start = firmMidnight(now, timeZone, -27);
      break;
    case 'month': {
      const d = new TZDate(now, timeZone);
      start = new TZDate(d.getFullYear(), d.getMonth(), 1, 0, 0, timeZone).getTime();
      break;
    }
    case 'custom':
      start = midnightOfIsoDay(query.from ?? isoDayOf(now, timeZone), timeZone);
      end = midnightOfIsoDay(query.to ?? isoDayOf(now, timeZone), timeZone, 1);
      break;
  }
  const format = dayFormat(timeZone);
  const first = format.format(start);
  const last = format.format(end - 1);
  const days = first === last ? first : `${first} – ${last}`;
  return { start, end, label: `${RANGE_PRESET_LABELS[query.preset]} (${days})` };
}
