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
 * tight. Portals show times in the browser's own zone (they format them in the page), so
 * the page's local Date does the zone work: across a daylight-saving change a time shown
 * twice is the earlier instant, and a time never shown lands past the gap, as Date defines.
 */
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';
const WEEKDAYS = 'sunmontuewedthufrisat';
const MINUTE = 60_000;
/** A clock-only time ("11:58 PM") this far in the future is yesterday's. */
const FUTURE_SLACK = 5 * MINUTE;
/** Milliseconds per unit of a relative time, by the unit's first letter. */
const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: 1440 * MINUTE };

const RELATIVE = /^(\d+)\s*(s|sec|second|m|min|minute|h|hr|hour|d|day)s?\.?(?:\s+ago)?$/;
const CLOCK_12 = /\b(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s?m\.?(?=\s|$|,)/;
const CLOCK_24 = /\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\b/;
const ZONE_ABBREVIATION = /\b(?:[ecmp][sd]t|utc|gmt)(?:[+-]\d{1,2}(?::?\d{2})?)?\b/g;

/** A local calendar day (its midnight), or undefined for one that does not exist ("Feb 30"). */
function day(year: number, month: number, date: number): Date | undefined {
  const d = new Date(year, month, date);
  return month >= 0 && month < 12 && d.getMonth() === month && d.getDate() === date ? d : undefined;
}

/** The day a "Dec 8" with this year (or none: the latest such date not after today) means. */
function dated(month: number, date: number, year: string | undefined, today: Date) {
  if (year) return day(year.length <= 2 ? 2000 + Number(year) : Number(year), month, date);
  const thisYear = day(today.getFullYear(), month, date);
  return thisYear && thisYear > today ? day(today.getFullYear() - 1, month, date) : thisYear;
}

/** The date part of a portal time, or undefined when it is not one we understand. */
function parseDay(text: string, today: Date): Date | undefined {
  const back = (days: number) =>
    new Date(today.getFullYear(), today.getMonth(), today.getDate() - days);
  if (text === '' || text === 'today') return today;
  if (text === 'yesterday') return back(1);

  const weekday = /^([a-z]{3})[a-z]*$/.exec(text)?.[1];
  const dow = weekday ? WEEKDAYS.indexOf(weekday) : -1;
  // Lists show "Today"/"Yesterday" for recent days, so a weekday equal to today's is last week.
  if (dow >= 0 && dow % 3 === 0) return back((today.getDay() - dow / 3 + 7) % 7 || 7);

  // "dec 8", "december 8 2026", "8 dec 2026" (a leading weekday is dropped by the caller).
  const monthFirst = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?$/.exec(text);
  const dayFirst = /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?$/.exec(text);
  const named = monthFirst
    ? [monthFirst[1]!, monthFirst[2]!, monthFirst[3]]
    : dayFirst && [dayFirst[2]!, dayFirst[1]!, dayFirst[3]];
  if (named) {
    const month = MONTHS.indexOf(named[0]!);
    return month % 3 === 0 ? dated(month / 3, Number(named[1]), named[2], today) : undefined;
  }

  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) return day(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));

  // Numeric dates: US order (the portals we read are US products) unless the first number
  // cannot be a month ("25/12/2026" is day-first); dots always mean day-first.
  const numeric = /^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$/.exec(text);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[3]);
    const dayFirstOrder = numeric[2] === '.' || a > 12;
    return dated((dayFirstOrder ? b : a) - 1, dayFirstOrder ? a : b, numeric[4], today);
  }
  return undefined;
}

/**
 * Read a time as a portal shows it, in the browser's zone: ISO strings and epoch numbers
 * (from `datetime`/data attributes, preferred by adapters), "just now", "3 min ago", "2h",
 * "2:14 PM", "Today 2:14 PM", "Yesterday, 3:05 PM", "Mon 9:12 AM", "Dec 8, 2:14 PM",
 * "Tuesday, December 8, 2026 at 2:14 PM", "12/08/2026 14:14", and day-only forms
 * ("Yesterday", "Dec 8") flagged `dayOnly`. Returns null for anything else. The page's clock
 * comes in as `now`.
 */
export function parsePortalTime(raw: string, now: number): PortalTime | null {
  const original = raw.replace(/[\u00a0\u202f]/g, ' ').trim();
  const exact = (at: number): PortalTime | null =>
    Number.isFinite(at) ? { at, dayOnly: false } : null;
  if (original === '') return null;

  // ISO: with an offset it is an instant; without one, Date reads it as local time.
  const iso = /^(\d{4})-(\d{2})-(\d{2})[t ]\d{2}:\d{2}/i.exec(original);
  if (iso) {
    return day(+iso[1]!, +iso[2]! - 1, +iso[3]!)
      ? exact(Date.parse(original.replace(' ', 'T')))
      : null;
  }
  if (/^\d{12,13}$/.test(original)) return exact(Number(original));
  if (/^\d{9,10}$/.test(original)) return exact(Number(original) * 1000);

  let text = original.toLowerCase().replace(ZONE_ABBREVIATION, ' ').replace(/\s+/g, ' ').trim();
  if (text === 'just now' || text === 'now') return exact(now);
  // "a minute ago", "an hour ago", "one day ago" (spaces are single by now).
  text = text.replace(/^(an?|one) (?=[smhd])/, '1 ');

  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = UNIT_MS[relative[2]![0]!]!;
    // "2 hours ago" is only right to the hour and drifts on every re-read, which would turn
    // one call into phantom repeats: like a bare date, it is too coarse to capture.
    return { at: now - Number(relative[1]) * unit, dayOnly: unit >= 60 * MINUTE };
  }

  let clock: [number, number, number] | undefined;
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
  const clockNow = new Date(now);
  const date = parseDay(
    dayText,
    new Date(clockNow.getFullYear(), clockNow.getMonth(), clockNow.getDate()),
  );
  if (!date) return null;
  if (!clock) return { at: date.getTime(), dayOnly: true };

  const at = (daysBack: number) =>
    new Date(date.getFullYear(), date.getMonth(), date.getDate() - daysBack, ...clock).getTime();
  // A bare clock time later than now is from yesterday (a list read just after midnight).
  return exact(dayText === '' && at(0) > now + FUTURE_SLACK ? at(1) : at(0));
}
