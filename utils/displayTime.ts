import { TZDate } from '@date-fns/tz';

const DAY = 86_400_000;

/** Times as the firm reads them: every instant shown in the firm's time zone. */
export interface FirmClock {
  timeZone: string;
  /** "9:41 AM" today, "Tue 9:41 AM" within a week, "Mar 3, 9:41 AM" further away. */
  short(ms: number, now: number): string;
  /** "Tue, Mar 3, 2026, 9:41 AM EST", for titles and the lead detail. */
  full(ms: number): string;
}

/** Calendar-day number of an instant in a zone, so "today" means the firm's today. */
function dayNumber(ms: number, timeZone: string): number {
  const d = new TZDate(ms, timeZone);
  return Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / DAY);
}

/**
 * Build the formatters once per zone and locale (Intl formatters are costly to create and
 * the queue re-renders every second). `locale` undefined follows the browser.
 */
export function firmClock(timeZone: string, locale?: string): FirmClock {
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' });
  const weekdayTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    hour: 'numeric',
    minute: '2-digit',
  });
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
  const dateTimeYear = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
  const full = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return {
    timeZone,
    short(ms, now) {
      const days = dayNumber(now, timeZone) - dayNumber(ms, timeZone);
      if (days === 0) return time.format(ms);
      // Within a week either way (a due time can be tomorrow): the weekday says enough.
      if (Math.abs(days) < 7) return weekdayTime.format(ms);
      const sameYear =
        new TZDate(ms, timeZone).getFullYear() === new TZDate(now, timeZone).getFullYear();
      return (sameYear ? dateTime : dateTimeYear).format(ms);
    },
    full: (ms) => full.format(ms),
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The value of an `<input type="datetime-local">` showing `ms` as wall time in `timeZone`. */
export function toZonedInputValue(ms: number, timeZone: string): string {
  const d = new TZDate(ms, timeZone);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Read a `datetime-local` value as wall time in `timeZone`. Null for anything that is not a
 * real date and time (the input can be typed into, and "2026-02-30" must not roll over).
 */
export function fromZonedInputValue(value: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((p) => Number(p ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const d = new TZDate(year, month - 1, day, hour, minute, second, timeZone);
  if (d.getMonth() !== month - 1 || d.getDate() !== day) return null;
  return d.getTime();
}
