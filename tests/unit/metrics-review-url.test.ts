/**
 * Adversarial review (issue 10): a hand-edited or hostile dashboard link gives a clear,
 * bounded view — never a page that computes for minutes or filters on invisible characters.
 */
import { describe, expect, it } from 'vitest';
import { formatQuery, parseQuery, resolveRange } from '@/components/dashboard/urlState';

const DAY = 86_400_000;

describe('dashboard URL with garbage in it', () => {
  it('a custom range of 9,000 years is cut to the last 2 years of it (731 days), shown in the URL', () => {
    // Before: every one of the 3,287,183 days was computed (165 s on an empty database).
    const query = parseQuery('?range=custom&from=1000-01-01&to=9999-12-31');
    // 731 days ending 9999-12-31 start 730 days before it: 9998 and 9999 are no leap years,
    // so 365 + 365 days back is 9997-12-31.
    expect(query).toMatchObject({ preset: 'custom', from: '9997-12-31', to: '9999-12-31' });
    expect(formatQuery(query)).toBe('?range=custom&from=9997-12-31&to=9999-12-31');
    const range = resolveRange(query, Date.UTC(2026, 11, 3), 'UTC');
    expect(Math.round((range.end - range.start) / DAY)).toBe(731);
  });

  it('a custom range of up to 731 days is kept as typed', () => {
    // 2024-12-03 to 2026-12-03: 365 + 365 days apart (no 29 February in between), so 731
    // days with both ends included.
    expect(parseQuery('?range=custom&from=2024-12-03&to=2026-12-03')).toMatchObject({
      from: '2024-12-03',
      to: '2026-12-03',
    });
  });

  it('path-like and control-character values fall back to the defaults (all)', () => {
    const query = parseQuery('?range=../..&staff=%00&source=%1B%5B31m&area=a%0Ab&path=../../etc');
    expect(query).toEqual({ view: 'dashboard', preset: '7d' });
    expect(formatQuery(query)).toBe('?range=7d');
  });
});
