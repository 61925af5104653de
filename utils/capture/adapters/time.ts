/** A time read from a portal page. */
export interface PortalTime {
  /** Epoch ms. */
  at: number;
  /**
   * Only the day is known ("Yesterday", "Dec 8"): too coarse to dedupe against other paths
   * or to compute a due time, so adapters report it as a miss instead of guessing an hour.
   */
  dayOnly: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;
const DAY_MS = 24 * 60 * MINUTE;
/** A clock-only time ("11:58 PM") this far in the future is yesterday's. */
const FUTURE_SLACK = 5 * MINUTE;

const RELATIVE =
  /^(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\.?(?:\s+ago)?$/;
const CLOCK_12 = /\b(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s?m\.?(?=\s|$|,)/;
const CLOCK_24 = /\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\b/;
const ZONE_ABBREVIATION = /\b(?:[ecmp][sd]t|utc|gmt)(?:[+-]\d{1,2}(?::?\d{2})?)?\b/g;

function unitMs(unit: string): number {
  if (unit.startsWith('s')) return 1000;
  if (unit.startsWith('m')) return MINUTE;
  if (unit.startsWith('h')) return 60 * MINUTE;
  return 24 * 60 * MINUTE;
}

interface Day {
  year: number;
  /** 0-based, like Date. */
  month: number;
  day: number;
}

/*
 * Zone arithmetic with Intl alone: this file ships in every portal content script, where a
 * date library's zoned Date class would cost more than the rest of the time parsing.
 */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall clock at an instant, as the UTC epoch with the same fields (seconds). */
function wallClock(at: number, timeZone: string): number {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallClockFormats.set(timeZone, format);
  }
  const f: Record<string, number> = {};
  for (const part of format.formatToParts(at)) f[part.type] = Number(part.value);
  return Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
}

/**
 * The instant the zone's clocks show this day and time. Near a daylight-saving change the
 * offsets a day either side differ: a time shown twice (fall back) is the earlier instant,
 * and a time never shown (spring forward) takes the offset from before the change, so it
 * lands past the gap, as Date does for local times.
 */
function zonedTime(
  day: Day,
  hours: number,
  minutes: number,
  seconds: number,
  zone: string,
): number {
  const wall = Date.UTC(day.year, day.month, day.day, hours, minutes, seconds);
  const offsetAt = (at: number) => wallClock(at, zone) - at;
  const before = wall - offsetAt(wall - DAY_MS);
  const after = wall - offsetAt(wall + DAY_MS);
  if (before === after) return before;
  const shown = [before, after].filter((at) => wallClock(at, zone) === wall);
  return shown.length > 0 ? Math.min(...shown) : before;
}

function dayOf(utc: Date): Day {
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth(), day: utc.getUTCDate() };
}

function today(now: number, timeZone: string): Day {
  return dayOf(new Date(wallClock(now, timeZone)));
}

/** Calendar arithmetic: days have no zone. */
function shift(day: Day, days: number): Day {
  return dayOf(new Date(Date.UTC(day.year, day.month, day.day + days)));
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 0 || month > 11 || day < 1 || day > 31) return false;
  const probe = new Date(Date.UTC(year, month, day));
  return probe.getUTCMonth() === month && probe.getUTCDate() === day;
}

/** The date a year-less "Dec 8" means: the latest such date not after today. */
function latestPast(month: number, day: number, now: Day): Day {
  const thisYear = { year: now.year, month, day };
  const after = month > now.month || (month === now.month && day > now.day);
  return after ? { ...thisYear, year: now.year - 1 } : thisYear;
}

function fullYear(text: string): number {
  const n = Number(text);
  return text.length <= 2 ? 2000 + n : n;
}

/** The date part of a portal time, or undefined when it is not one we understand. */
function parseDay(text: string, now: Day): Day | undefined {
  if (text === '' || text === 'today') return now;
  if (text === 'yesterday') return shift(now, -1);

  const weekday = /^([a-z]{3})[a-z]*$/.exec(text);
  if (weekday && WEEKDAYS.includes(weekday[1]!)) {
    const todayDow = new Date(Date.UTC(now.year, now.month, now.day)).getUTCDay();
    // Lists show "Today"/"Yesterday" for recent days, so a weekday equal to today's is last week.
    const back = (todayDow - WEEKDAYS.indexOf(weekday[1]!) + 7) % 7 || 7;
    return shift(now, -back);
  }

  // "dec 8", "december 8 2026", "8 dec 2026" (a leading weekday is dropped by the caller).
  const monthFirst = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?$/.exec(text);
  const dayFirst = /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?$/.exec(text);
  const named = monthFirst
    ? { month: monthFirst[1]!, day: monthFirst[2]!, year: monthFirst[3] }
    : dayFirst
      ? { month: dayFirst[2]!, day: dayFirst[1]!, year: dayFirst[3] }
      : undefined;
  if (named) {
    const month = MONTHS.indexOf(named.month);
    const day = Number(named.day);
    if (month < 0) return undefined;
    const date = named.year
      ? { year: Number(named.year), month, day }
      : latestPast(month, day, now);
    return validDay(date.year, date.month, date.day) ? date : undefined;
  }

  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) {
    const date = { year: Number(iso[1]), month: Number(iso[2]) - 1, day: Number(iso[3]) };
    return validDay(date.year, date.month, date.day) ? date : undefined;
  }

  // Numeric dates: US order (the portals we read are US products) unless the first number
  // cannot be a month ("25/12/2026" is day-first); dots always mean day-first.
  const numeric = /^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$/.exec(text);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[3]);
    const dayFirstOrder = numeric[2] === '.' || a > 12;
    const month = (dayFirstOrder ? b : a) - 1;
    const day = dayFirstOrder ? a : b;
    const date = numeric[4]
      ? { year: fullYear(numeric[4]), month, day }
      : latestPast(month, day, now);
    return validDay(date.year, date.month, date.day) ? date : undefined;
  }
  return undefined;
}

/**
 * Read a time as a portal shows it, in the zone the portal shows times in:
 * ISO strings and epoch numbers (from `datetime`/data attributes, preferred by adapters),
 * "just now", "3 min ago", "2h", "2:14 PM", "Today 2:14 PM", "Yesterday, 3:05 PM",
 * "Mon 9:12 AM", "Dec 8, 2:14 PM", "Tuesday, December 8, 2026 at 2:14 PM",
 * "12/08/2026 14:14", and day-only forms ("Yesterday", "Dec 8") flagged `dayOnly`.
 * Returns null for anything else. Pure: the page's clock comes in as `now`.
 */
export function parsePortalTime(raw: string, now: number, timeZone: string): PortalTime | null {
  const original = raw.replace(/[\u00a0\u202f]/g, ' ').trim();
  if (original === '') return null;

  if (/^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}/i.test(original)) {
    const hasZone = /(z|[+-]\d{2}:?\d{2})$/i.test(original);
    if (hasZone) {
      const ms = Date.parse(original);
      return Number.isFinite(ms) ? { at: ms, dayOnly: false } : null;
    }
    const m = /^(\d{4})-(\d{2})-(\d{2})[t ](\d{2}):(\d{2})(?::(\d{2}))?/i.exec(original)!;
    const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
    if (!validDay(year, month, day)) return null;
    const at = zonedTime(
      { year, month, day },
      Number(m[4]),
      Number(m[5]),
      Number(m[6] ?? 0),
      timeZone,
    );
    return { at, dayOnly: false };
  }
  if (/^\d{12,13}$/.test(original)) return { at: Number(original), dayOnly: false };
  if (/^\d{9,10}$/.test(original)) return { at: Number(original) * 1000, dayOnly: false };

  let text = original.toLowerCase().replace(ZONE_ABBREVIATION, ' ').replace(/\s+/g, ' ').trim();
  if (text === 'just now' || text === 'now') return { at: now, dayOnly: false };
  text = text.replace(/^(?:a|an|one)\s+(?=(?:sec|min|hour|hr|day))/, '1 ');

  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = unitMs(relative[2]!);
    const at = now - Number(relative[1]) * unit;
    // "2 hours ago" is only right to the hour and drifts on every re-read, which would turn
    // one call into phantom repeats: like a bare date, it is too coarse to capture.
    return unit >= 60 * MINUTE ? { at, dayOnly: true } : { at, dayOnly: false };
  }

  let clock: { hours: number; minutes: number; seconds: number } | undefined;
  const twelve = CLOCK_12.exec(text);
  const twentyFour = twelve ? null : CLOCK_24.exec(text);
  if (twelve) {
    const hours = Number(twelve[1]);
    const minutes = Number(twelve[2] ?? 0);
    if (hours < 1 || hours > 12 || minutes > 59) return null;
    const pm = twelve[4] === 'p';
    clock = { hours: (hours % 12) + (pm ? 12 : 0), minutes, seconds: Number(twelve[3] ?? 0) };
    text = text.replace(twelve[0], ' ');
  } else if (twentyFour) {
    clock = {
      hours: Number(twentyFour[1]),
      minutes: Number(twentyFour[2]),
      seconds: Number(twentyFour[3] ?? 0),
    };
    text = text.replace(twentyFour[0], ' ');
  }

  const dayText = text
    .replace(/[,]/g, ' ')
    .replace(/\b(at|on)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // "tue dec 8", "tuesday, december 8, 2026": the weekday adds nothing to a full date.
    .replace(/^(sun|mon|tue|wed|thu|fri|sat)[a-z]*\.?\s+(?=[a-z]{3}|\d)/, '');
  const now_ = today(now, timeZone);
  const day = parseDay(dayText, now_);
  if (!day) return null;

  if (!clock) {
    return { at: zonedTime(day, 0, 0, 0, timeZone), dayOnly: true };
  }
  const at = zonedTime(day, clock.hours, clock.minutes, clock.seconds, timeZone);
  // A bare clock time later than now is from yesterday (a list read just after midnight).
  if (dayText === '' && at > now + FUTURE_SLACK) {
    const earlier = zonedTime(shift(day, -1), clock.hours, clock.minutes, clock.seconds, timeZone);
    return { at: earlier, dayOnly: false };
  }
  return { at, dayOnly: false };
}
