import { TZDate } from '@date-fns/tz';
import type { MetricsSettings } from './types';

/**
 * Firm-time arithmetic for the figures, DST-correct (@date-fns/tz) and fast enough for
 * 100,000 calls: an instant's zone offset is remembered per quarter hour of UTC (every zone's
 * offset is a whole number of quarter hours and changes on a quarter hour), and a local day is
 * an integer — days since 1970-01-01 on the firm's calendar — turned into text only once per day.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const QUARTER_HOUR = 15 * MINUTE;

/** Per zone, shared by every clock of this context (a worker computes again and again). */
const memos = new Map<
  string,
  { offsets: Map<number, number>; starts: Map<number, number>; labels: Map<number, string> }
>();

export class FirmClock {
  readonly timeZone: string;
  private offsets: Map<number, number>;
  private starts: Map<number, number>;
  private labels: Map<number, string>;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    let memo = memos.get(timeZone);
    if (!memo) {
      memo = { offsets: new Map(), starts: new Map(), labels: new Map() };
      memos.set(timeZone, memo);
    }
    this.offsets = memo.offsets;
    this.starts = memo.starts;
    this.labels = memo.labels;
  }

  /** The zone's offset from UTC at `ms`, in ms (local = UTC + offset). */
  offsetAt(ms: number): number {
    const bucket = Math.floor(ms / QUARTER_HOUR);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const d = new TZDate(bucket * QUARTER_HOUR, this.timeZone);
      offset =
        Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()) -
        bucket * QUARTER_HOUR;
      if (this.offsets.size > 200_000) this.offsets.clear();
      if (this.starts.size > 20_000) this.starts.clear();
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /** The firm-local day number of an instant (days since 1970-01-01, firm calendar). */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY);
  }

  /** Hour of the day 0–23, firm time (the wall clock's hour, also on DST days). */
  hourOf(ms: number): number {
    const local = ms + this.offsetAt(ms);
    return Math.floor((((local % DAY) + DAY) % DAY) / HOUR);
  }

  /** 0 = Monday … 6 = Sunday of a day number (1970-01-01 was a Thursday). */
  static weekdayOfDay(day: number): number {
    return (((day + 3) % 7) + 7) % 7;
  }

  /** 0 = Sunday … 6 = Saturday (FirmSettings.weeklyHours order) of a day number. */
  static sundayIndexOfDay(day: number): number {
    return (((day + 4) % 7) + 7) % 7;
  }

  /** The Monday of the week a day is in. */
  static mondayOf(day: number): number {
    return day - FirmClock.weekdayOfDay(day);
  }

  /** The instant the local day starts (its midnight, or the first instant after a skipped one). */
  startOfDay(day: number): number {
    let start = this.starts.get(day);
    if (start === undefined) {
      const civil = new Date(day * DAY);
      start = new TZDate(
        civil.getUTCFullYear(),
        civil.getUTCMonth(),
        civil.getUTCDate(),
        0,
        0,
        this.timeZone,
      ).getTime();
      this.starts.set(day, start);
    }
    return start;
  }

  /** An instant at a local day's wall-clock time ('HH:MM'). */
  atTime(day: number, hhmm: string): number {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    const civil = new Date(day * DAY);
    return new TZDate(
      civil.getUTCFullYear(),
      civil.getUTCMonth(),
      civil.getUTCDate(),
      h,
      m,
      this.timeZone,
    ).getTime();
  }

  /** 'YYYY-MM-DD' of a day number. */
  static label(day: number): string {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  label(day: number): string {
    let text = this.labels.get(day);
    if (text === undefined) this.labels.set(day, (text = FirmClock.label(day)));
    return text;
  }

  /** The day number of a 'YYYY-MM-DD' label. */
  static dayOfLabel(label: string): number {
    return Math.floor(Date.parse(`${label}T00:00:00Z`) / DAY);
  }
}

/**
 * Business time between two instants: the minutes of the firm's opening hours (weekly hours,
 * holidays excluded) inside [from, to). Day intervals are computed once per local day.
 */
export class BusinessTime {
  private intervals = new Map<number, [number, number][]>();
  private holidays: Set<string>;
  // Plain fields, not constructor parameter properties: Node runs this file (benchmarks,
  // the demo) by stripping types, which cannot rewrite those.
  private clock: FirmClock;
  private firm: Pick<MetricsSettings['firm'], 'weeklyHours' | 'holidays'>;

  constructor(clock: FirmClock, firm: Pick<MetricsSettings['firm'], 'weeklyHours' | 'holidays'>) {
    this.clock = clock;
    this.firm = firm;
    this.holidays = new Set(firm.holidays);
  }

  private ofDay(day: number): [number, number][] {
    let list = this.intervals.get(day);
    if (list === undefined) {
      if (this.holidays.has(this.clock.label(day))) list = [];
      else {
        const hours = this.firm.weeklyHours[FirmClock.sundayIndexOfDay(day)] ?? [];
        list = hours.map(
          ({ open, close }) =>
            [this.clock.atTime(day, open), this.clock.atTime(day, close)] as [number, number],
        );
      }
      this.intervals.set(day, list);
    }
    return list;
  }

  /** Business minutes in [from, to); 0 when to ≤ from. */
  minutesBetween(from: number, to: number): number {
    if (to <= from) return 0;
    let total = 0;
    const last = this.clock.dayOf(to);
    for (let day = this.clock.dayOf(from); day <= last; day++) {
      for (const [start, end] of this.ofDay(day)) {
        const a = Math.max(start, from);
        const b = Math.min(end, to);
        if (b > a) total += b - a;
      }
    }
    return total / MINUTE;
  }
}

export const MS = { MINUTE, HOUR, DAY } as const;
