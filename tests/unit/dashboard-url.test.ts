import { describe, expect, it } from 'vitest';
import { formatQuery, parseQuery, resolveRange } from '@/components/dashboard/urlState';
import { nextReminderAt } from '@/utils/metrics/reminder';
import { tableCsv } from '@/components/dashboard/exportCsv';
import Papa from 'papaparse';

const NY = 'America/New_York';

describe('dashboard URL', () => {
  it('keeps range and filters in the query string and reads them back', () => {
    const query = {
      view: 'dashboard' as const,
      preset: 'custom' as const,
      from: '2026-11-02',
      to: '2026-11-08',
      source: 'Google Ads – PI',
      practiceArea: 'DUI',
      staff: 'staff-1',
      capturePath: 'portal' as const,
    };
    const search = formatQuery(query);
    expect(search).toBe(
      '?range=custom&from=2026-11-02&to=2026-11-08&source=Google+Ads+%E2%80%93+PI&area=DUI&staff=staff-1&path=portal',
    );
    expect(parseQuery(search)).toEqual(query);
  });

  it('drops what it does not know instead of failing (old or edited bookmarks)', () => {
    expect(parseQuery('?range=year&path=fax&view=nope&source=%20')).toEqual({
      view: 'dashboard',
      preset: '7d',
    });
    // A custom range without valid dates falls back to the default range.
    expect(parseQuery('?range=custom&from=2026-02-30&to=2026-03-01').preset).toBe('7d');
    // Dates typed backwards are the same days.
    expect(parseQuery('?range=custom&from=2026-03-09&to=2026-03-01')).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-09',
    });
  });

  it('reads presets as whole firm-local days ending today', () => {
    // Thu 3 Dec 2026, 08:00 UTC = 03:00 in New York.
    const now = Date.UTC(2026, 11, 3, 8, 0);
    const today = resolveRange({ view: 'dashboard', preset: 'today' }, now, NY);
    expect(today.start).toBe(Date.UTC(2026, 11, 3, 5, 0));
    expect(today.end).toBe(Date.UTC(2026, 11, 4, 5, 0));
    const week = resolveRange({ view: 'dashboard', preset: '7d' }, now, NY);
    expect(week.start).toBe(Date.UTC(2026, 10, 27, 5, 0));
    expect(week.label).toBe('Last 7 days (Nov 27 – Dec 3)');
    const month = resolveRange({ view: 'dashboard', preset: 'month' }, now, NY);
    expect(month.start).toBe(Date.UTC(2026, 11, 1, 5, 0));
    // Four weeks across the end of DST (1 Nov 2026): midnight was 04:00 UTC then.
    const fourWeeks = resolveRange({ view: 'dashboard', preset: '4w' }, now, NY);
    expect(fourWeeks.start).toBe(Date.UTC(2026, 10, 6, 5, 0));
    const custom = resolveRange(
      { view: 'dashboard', preset: 'custom', from: '2026-10-30', to: '2026-11-01' },
      now,
      NY,
    );
    expect(custom.start).toBe(Date.UTC(2026, 9, 30, 4, 0));
    expect(custom.end).toBe(Date.UTC(2026, 10, 2, 5, 0));
  });
});

describe('weekly review reminder', () => {
  it('is the next firm-local weekday and time, across a DST change', () => {
    // Thu 29 Oct 2026 12:00 in New York (EDT); Monday 09:00 after the clocks go back (EST).
    const now = Date.UTC(2026, 9, 29, 16, 0);
    expect(nextReminderAt(now, { weekday: 1, time: '09:00' }, NY)).toBe(
      Date.UTC(2026, 10, 2, 14, 0),
    );
    // The same weekday, later today, is today; earlier today is next week.
    expect(nextReminderAt(now, { weekday: 4, time: '13:30' }, NY)).toBe(
      Date.UTC(2026, 9, 29, 17, 30),
    );
    expect(nextReminderAt(now, { weekday: 4, time: '11:00' }, NY)).toBe(
      Date.UTC(2026, 10, 5, 16, 0),
    );
  });
});

describe('CSV export', () => {
  it('opens as rows in a spreadsheet parser, with formulas neutralised and numbers kept', () => {
    const csv = tableCsv(
      ['Source', 'Missed calls', 'Note'],
      [
        ['=HYPERLINK("http://evil.example","x")', 3, null],
        ['Google Ads – PI', -2, '@SUM(A1)'],
        ['=1+1\nsecond line', 0, '\uFF1DSUM(A1)'],
      ],
    );
    const parsed = Papa.parse<string[]>(csv, { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toEqual([
      ['Source', 'Missed calls', 'Note'],
      ['\'=HYPERLINK("http://evil.example","x")', '3', ''],
      ['Google Ads – PI', '-2', "'@SUM(A1)"],
      ["'=1+1\nsecond line", '0', "'\uFF1DSUM(A1)"],
    ]);
  });
});
