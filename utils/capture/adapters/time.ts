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

/*
 * This file ships in every portal content script (budget: 20 kB each), so it is written
 * tight: month and weekday names as one string each, searched by three-letter prefix.
 */
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';
const WEEKDAYS = 'sunmontuewedthufrisat';
const MINUTE = 60_000;
const DAY_MS = 1440 * MINUTE;
/** A clock-only time ("11:58 PM") this far in the future is yesterday's. */
const FUTURE_SLACK = 5 * MINUTE;
/** Milliseconds per unit of a relative time, by the unit's first letter. */
const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: DAY_MS };

const RELATIVE =
  /^(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\.?(?:\s+ago)?$/;
const CLOCK_12 = /\b(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s?m\.?(?=\s|$|,)/;
const CLOCK_24 = /\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\b/;
const ZONE_ABBREVIATION = /\b(?:[ecmp][sd]t|utc|gmt)(?:[+-]\d{1,2}(?::?\d{2})?)?\b/g;

/** A calendar day: [year, month (0-based, like Date), day]. */
type Day = [number, number, number];

/*
 * Zone arithmetic with Intl alone: a date library's zoned Date class would cost more than
 * the rest of the time parsing.
 */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall clock at an instant, as the UTC epoch with the same fields (seconds). */
function wallClock(at: number, timeZone: string): number {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    const n = 'numeric';
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: n,
      month: n,
      day: n,
      hour: n,
      minute: n,
      second: n,
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
function zonedTime([y, m, d]: Day, clock: number[], zone: string): number {
  const wall = Date.UTC(y, m, d, clock[0]!, clock[1]!, clock[2]!);
  const [before, after] = [-DAY_MS, DAY_MS].map((shift) => {
    const probe = wall + shift;
    return wall - (wallClock(probe, zone) - probe);
  }) as [number, number];
  if (before === after) return before;
  const shown = [before, after].filter((at) => wallClock(at, zone) === wall);
  return shown.length > 0 ? Math.min(...shown) : before;
}

/** Calendar arithmetic (days have no zone); also normalises a day read from a page. */
function dayAt(y: number, m: number, d: number): Day {
  const date = new Date(Date.UTC(y, m, d));
  return [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
}

/** A real date ("Feb 30" is not), or undefined. */
function valid(day: Day): Day | undefined {
  const [y, m, d] = day;
  return m >= 0 && m < 12 && d > 0 && dayAt(y, m, d)[2] === d ? day : undefined;
}

/** The day a "Dec 8" with this year (or none: the latest such date not after today) means. */
function dated(month: number, day: number, year: string | undefined, now: Day): Day | undefined {
  if (year) return valid([year.length <= 2 ? 2000 + Number(year) : Number(year), month, day]);
  const later = month > now[1] || (month === now[1] && day > now[2]);
  return valid([now[0] - (later ? 1 : 0), month, day]);
}

/** The date part of a portal time, or undefined when it is not one we understand. */
function parseDay(text: string, now: Day): Day | undefined {
  if (text === '' || text === 'today') return now;
  if (text === 'yesterday') return dayAt(now[0], now[1], now[2] - 1);

  const weekday = /^([a-z]{3})[a-z]*$/.exec(text)?.[1];
  const dow = weekday ? WEEKDAYS.indexOf(weekday) : -1;
  if (dow >= 0 && dow % 3 === 0) {
    // Lists show "Today"/"Yesterday" for recent days, so a weekday equal to today's is last week.
    const todayDow = new Date(Date.UTC(...now)).getUTCDay();
    return dayAt(now[0], now[1], now[2] - ((todayDow - dow / 3 + 7) % 7 || 7));
  }

  // "dec 8", "december 8 2026", "8 dec 2026" (a leading weekday is dropped by the caller).
  const monthFirst = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?$/.exec(text);
  const dayFirst = /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?$/.exec(text);
  const named = monthFirst
    ? [monthFirst[1]!, monthFirst[2]!, monthFirst[3]]
    : dayFirst && [dayFirst[2]!, dayFirst[1]!, dayFirst[3]];
  if (named) {
    const month = MONTHS.indexOf(named[0]!);
    return month >= 0 && month % 3 === 0
      ? dated(month / 3, Number(named[1]), named[2], now)
      : undefined;
  }

  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) return valid([Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])]);

  // Numeric dates: US order (the portals we read are US products) unless the first number
  // cannot be a month ("25/12/2026" is day-first); dots always mean day-first.
  const numeric = /^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$/.exec(text);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[3]);
    const dayFirstOrder = numeric[2] === '.' || a > 12;
    return dated((dayFirstOrder ? b : a) - 1, dayFirstOrder ? a : b, numeric[4], now);
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
  const exact = (at: number): PortalTime | null =>
    Number.isFinite(at) ? { at, dayOnly: false } : null;
  if (original === '') return null;

  const iso = /^(\d{4})-(\d{2})-(\d{2})[t ](\d{2}):(\d{2})(?::(\d{2}))?/i.exec(original);
  if (iso) {
    if (/(z|[+-]\d{2}:?\d{2})$/i.test(original)) return exact(Date.parse(original));
    const day = valid([Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])]);
    return day ? exact(zonedTime(day, [+iso[4]!, +iso[5]!, +(iso[6] ?? 0)], timeZone)) : null;
  }
  if (/^\d{12,13}$/.test(original)) return exact(Number(original));
  if (/^\d{9,10}$/.test(original)) return exact(Number(original) * 1000);

  let text = original.toLowerCase().replace(ZONE_ABBREVIATION, ' ').replace(/\s+/g, ' ').trim();
  if (text === 'just now' || text === 'now') return exact(now);
  text = text.replace(/^(?:a|an|one)\s+(?=(?:sec|min|hour|hr|day))/, '1 ');

  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = UNIT_MS[relative[2]![0]!]!;
    // "2 hours ago" is only right to the hour and drifts on every re-read, which would turn
    // one call into phantom repeats: like a bare date, it is too coarse to capture.
    return { at: now - Number(relative[1]) * unit, dayOnly: unit >= 60 * MINUTE };
  }

  let clock: number[] | undefined;
  const twelve = CLOCK_12.exec(text);
  const match = twelve ?? CLOCK_24.exec(text);
  if (match) {
    const [hours, minutes, seconds] = [1, 2, 3].map((i) => Number(match[i] ?? 0)) as [
      number,
      number,
      number,
    ];
    if (twelve && (hours < 1 || hours > 12 || minutes > 59)) return null;
    clock = [twelve ? (hours % 12) + (twelve[4] === 'p' ? 12 : 0) : hours, minutes, seconds];
    text = text.replace(match[0], ' ');
  }

  const dayText = text
    .replace(/,|\b(at|on)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // "tue dec 8", "tuesday, december 8, 2026": the weekday adds nothing to a full date.
    .replace(/^(sun|mon|tue|wed|thu|fri|sat)[a-z]*\.?\s+(?=[a-z]{3}|\d)/, '');
  const wall = new Date(wallClock(now, timeZone));
  const day = parseDay(dayText, [wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()]);
  if (!day) return null;
  if (!clock) return { at: zonedTime(day, [0, 0, 0], timeZone), dayOnly: true };

  const at = zonedTime(day, clock, timeZone);
  // A bare clock time later than now is from yesterday (a list read just after midnight).
  return exact(
    dayText === '' && at > now + FUTURE_SLACK
      ? zonedTime(dayAt(day[0], day[1], day[2] - 1), clock, timeZone)
      : at,
  );
}
