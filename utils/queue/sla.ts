import { TZDate } from '@date-fns/tz';
import type { FirmSettings, SlaWindows, SourceRule } from '../settings';

export type BusinessCalendar = Pick<FirmSettings, 'timeZone' | 'weeklyHours' | 'holidays'>;

const MINUTE = 60_000;
/** Holidays and closures can chain; a year is the furthest we look for the next opening. */
const MAX_DAYS_AHEAD = 400;

interface LocalDay {
  year: number;
  month: number;
  day: number;
}

/**
 * Zone offsets per quarter hour of UTC, per zone. Every zone's offset is a whole number of
 * quarter hours and changes at a local time on a quarter hour, so no change falls inside a
 * quarter hour of UTC: one time-zone conversion serves every instant in it. A large import
 * asks for the same few thousand quarter hours again and again; the memo is bounded.
 */
const QUARTER_HOUR = 15 * 60_000;
const MAX_MEMO_ENTRIES = 20_000;
const offsetMemo = new Map<string, Map<number, number>>();

function offsetAt(ms: number, timeZone: string): number {
  let memo = offsetMemo.get(timeZone);
  if (!memo) offsetMemo.set(timeZone, (memo = new Map()));
  const bucket = Math.floor(ms / QUARTER_HOUR);
  let offset = memo.get(bucket);
  if (offset === undefined) {
    const d = new TZDate(bucket * QUARTER_HOUR, timeZone);
    offset =
      Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()) -
      bucket * QUARTER_HOUR;
    if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
    memo.set(bucket, offset);
  }
  return offset;
}

export function localDay(ms: number, timeZone: string): LocalDay {
  const local = new Date(ms + offsetAt(ms, timeZone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth(), day: local.getUTCDate() };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Per-calendar memo of day intervals: computing them means several time-zone conversions,
 * and a large import asks for the same few days again and again. Keyed by the settings
 * object, so a settings change starts a fresh memo.
 */
const dayMemo = new WeakMap<BusinessCalendar, Map<string, [number, number][]>>();

/** Business intervals [start, end) of one local day, as instants. Empty on holidays. */
function intervalsOfDay(cal: BusinessCalendar, base: LocalDay, offset: number): [number, number][] {
  let memo = dayMemo.get(cal);
  if (!memo) dayMemo.set(cal, (memo = new Map()));
  const key = `${base.year}-${base.month}-${base.day + offset}`;
  const cached = memo.get(key);
  if (cached) return cached;
  const intervals = computeIntervalsOfDay(cal, base, offset);
  memo.set(key, intervals);
  return intervals;
}

function computeIntervalsOfDay(
  cal: BusinessCalendar,
  base: LocalDay,
  offset: number,
): [number, number][] {
  const midnight = new TZDate(base.year, base.month, base.day + offset, 0, 0, cal.timeZone);
  const iso = `${midnight.getFullYear()}-${pad(midnight.getMonth() + 1)}-${pad(midnight.getDate())}`;
  if (cal.holidays.includes(iso)) return [];
  const hours = cal.weeklyHours[midnight.getDay()] ?? [];
  return hours.map(({ open, close }) => {
    const [oh, om] = open.split(':').map(Number) as [number, number];
    const [ch, cm] = close.split(':').map(Number) as [number, number];
    const y = midnight.getFullYear();
    const m = midnight.getMonth();
    const d = midnight.getDate();
    return [
      new TZDate(y, m, d, oh, om, cal.timeZone).getTime(),
      new TZDate(y, m, d, ch, cm, cal.timeZone).getTime(),
    ] as [number, number];
  });
}

/** Business intervals that end after `from`, in order, lazily. */
function* intervalsFrom(cal: BusinessCalendar, from: number): Generator<[number, number]> {
  // Start a day early: an interval of "yesterday" in local terms cannot contain `from`,
  // but starting at today's local midnight is enough; -0 keeps it simple and exact.
  const base = localDay(from, cal.timeZone);
  for (let offset = 0; offset <= MAX_DAYS_AHEAD; offset++) {
    for (const interval of intervalsOfDay(cal, base, offset)) {
      if (interval[1] > from) yield interval;
    }
  }
}

export function isOpenAt(cal: BusinessCalendar, at: number): boolean {
  for (const [start, end] of intervalsFrom(cal, at)) {
    return start <= at && at < end;
  }
  return false;
}

/** `at` itself when the firm is open then; otherwise the start of the next opening (or null). */
export function nextOpening(cal: BusinessCalendar, at: number): number | null {
  for (const [start] of intervalsFrom(cal, at)) return Math.max(start, at);
  return null;
}

/** Add minutes of business time: the clock stops at closing and resumes at the next opening. */
export function addBusinessMinutes(cal: BusinessCalendar, at: number, minutes: number): number {
  let remaining = minutes * MINUTE;
  for (const [start, end] of intervalsFrom(cal, at)) {
    const from = Math.max(start, at);
    if (from + remaining <= end) return from + remaining;
    remaining -= end - from;
  }
  return at + minutes * MINUTE;
}

export interface DueTimes {
  /** Target: when the callback should happen. */
  dueAt: number;
  /** Limit: past this the callback is overdue. */
  overdueAt: number;
  afterHours: boolean;
}

/** Windows for a call: the firm's, tightened by a priority source rule when one matches. */
export function windowsFor(sla: SlaWindows, rule?: Pick<SourceRule, 'sla'>): SlaWindows {
  return { ...sla, ...(rule?.sla ?? {}) };
}

/**
 * When a missed call must be returned. In business hours: target and limit counted in
 * business minutes (a call one minute before closing carries the rest over to the next
 * opening). After hours, weekends and holidays: within `afterHoursMinutes` of the next opening.
 */
export function computeDue(cal: BusinessCalendar, sla: SlaWindows, calledAt: number): DueTimes {
  if (isOpenAt(cal, calledAt)) {
    const dueAt = addBusinessMinutes(cal, calledAt, sla.targetMinutes);
    const overdueAt = addBusinessMinutes(
      cal,
      calledAt,
      Math.max(sla.limitMinutes, sla.targetMinutes),
    );
    return { dueAt, overdueAt, afterHours: false };
  }
  const opening = nextOpening(cal, calledAt) ?? calledAt;
  const deadline = opening + sla.afterHoursMinutes * MINUTE;
  return { dueAt: deadline, overdueAt: deadline, afterHours: true };
}

export type Urgency = 'due' | 'late' | 'overdue' | 'closed';

/** Where a lead stands against its windows at `now`. */
export function urgencyAt(
  lead: { dueAt: number; overdueAt: number; status: string },
  now: number,
): Urgency {
  // Closed, or No contact (ran through the cadence): neither is due nor overdue.
  if (lead.status === 'done' || lead.status === 'no-contact') return 'closed';
  if (now >= lead.overdueAt) return 'overdue';
  if (now >= lead.dueAt) return 'late';
  return 'due';
}

/** "4m", "1h 05m", "2d 3h". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** "due in 4m", "late 2m", "overdue 1h 05m". */
export function describeDue(
  lead: { dueAt: number; overdueAt: number; status: string },
  now: number,
): string {
  const urgency = urgencyAt(lead, now);
  if (urgency === 'closed') return 'closed';
  if (urgency === 'overdue') return `overdue ${formatDuration(now - lead.overdueAt)}`;
  if (urgency === 'late') return `late ${formatDuration(now - lead.dueAt)}`;
  return `due in ${formatDuration(lead.dueAt - now)}`;
}
