import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import {
  addBusinessMinutes,
  computeDue,
  describeDue,
  isOpenAt,
  localDay,
  nextOpening,
  urgencyAt,
  type BusinessCalendar,
} from '@/utils/queue/sla';
import { DEFAULT_SETTINGS } from '@/utils/settings';

const NY = 'America/New_York';
const cal: BusinessCalendar = {
  timeZone: NY,
  weeklyHours: DEFAULT_SETTINGS.weeklyHours, // Mon–Fri 09:00–17:00
  holidays: ['2026-01-19'], // MLK day, a Monday
};
const sla = { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 };

/** Wall time in New York → epoch ms. */
const ny = (y: number, mo: number, d: number, h: number, mi = 0) =>
  new TZDate(y, mo - 1, d, h, mi, NY).getTime();
const iso = (ms: number) => new TZDate(ms, NY).toISOString();

describe('computeDue', () => {
  it.each([
    // [case, called at, expected due (target), expected overdue (limit), after hours]
    [
      'business hours: 5 min target, 15 min limit',
      ny(2026, 3, 4, 10, 0),
      ny(2026, 3, 4, 10, 5),
      ny(2026, 3, 4, 10, 15),
      false,
    ],
    ['opening minute', ny(2026, 3, 4, 9, 0), ny(2026, 3, 4, 9, 5), ny(2026, 3, 4, 9, 15), false],
    [
      'one minute before closing carries over to next opening',
      ny(2026, 3, 4, 16, 59),
      ny(2026, 3, 5, 9, 4),
      ny(2026, 3, 5, 9, 14),
      false,
    ],
    [
      'at closing time is after hours',
      ny(2026, 3, 4, 17, 0),
      ny(2026, 3, 5, 10, 0),
      ny(2026, 3, 5, 10, 0),
      true,
    ],
    [
      'early morning: within an hour of opening',
      ny(2026, 3, 4, 7, 30),
      ny(2026, 3, 4, 10, 0),
      ny(2026, 3, 4, 10, 0),
      true,
    ],
    [
      'Friday night → Monday 10:00',
      ny(2026, 3, 6, 22, 0),
      ny(2026, 3, 9, 10, 0),
      ny(2026, 3, 9, 10, 0),
      true,
    ],
    [
      'Saturday → Monday',
      ny(2026, 3, 7, 12, 0),
      ny(2026, 3, 9, 10, 0),
      ny(2026, 3, 9, 10, 0),
      true,
    ],
    [
      'Friday night before a Monday holiday → Tuesday',
      ny(2026, 1, 16, 20, 0),
      ny(2026, 1, 20, 10, 0),
      ny(2026, 1, 20, 10, 0),
      true,
    ],
    [
      'during the holiday itself → next day',
      ny(2026, 1, 19, 11, 0),
      ny(2026, 1, 20, 10, 0),
      ny(2026, 1, 20, 10, 0),
      true,
    ],
    [
      'Friday 16:55 carries over the weekend',
      ny(2026, 3, 6, 16, 55),
      ny(2026, 3, 6, 17, 0),
      ny(2026, 3, 9, 9, 10),
      false,
    ],
  ])('%s', (_case, calledAt, dueAt, overdueAt, afterHours) => {
    const due = computeDue(cal, sla, calledAt);
    expect({
      due: iso(due.dueAt),
      overdue: iso(due.overdueAt),
      afterHours: due.afterHours,
    }).toEqual({
      due: iso(dueAt),
      overdue: iso(overdueAt),
      afterHours,
    });
  });

  it('spring-forward weekend: Saturday call is due Monday 10:00 EDT (23 h day in between)', () => {
    // DST starts Sunday 2026-03-08 02:00 in New York.
    const due = computeDue(cal, sla, ny(2026, 3, 7, 9, 0));
    expect(due.dueAt).toBe(Date.UTC(2026, 2, 9, 14, 0)); // 10:00 EDT = 14:00 UTC
  });

  it('fall-back weekend: Saturday call is due Monday 10:00 EST', () => {
    // DST ends Sunday 2026-11-01 02:00 in New York.
    const due = computeDue(cal, sla, ny(2026, 10, 31, 9, 0));
    expect(due.dueAt).toBe(Date.UTC(2026, 10, 2, 15, 0)); // 10:00 EST = 15:00 UTC
  });

  it('a firm open on Sundays across the spring-forward gap keeps wall-clock hours', () => {
    const sundays: BusinessCalendar = {
      ...cal,
      weeklyHours: cal.weeklyHours.map(() => [{ open: '01:00', close: '05:00' }]),
    };
    // 01:58 EST + 5 business minutes: 02:00–03:00 does not exist, so 03:03 EDT = 07:03 UTC.
    const due = computeDue(sundays, sla, ny(2026, 3, 8, 1, 58));
    expect(due.dueAt).toBe(Date.UTC(2026, 2, 8, 7, 3));
  });

  it('priority sources can have tighter windows', () => {
    const due = computeDue(
      cal,
      { targetMinutes: 2, limitMinutes: 5, afterHoursMinutes: 30 },
      ny(2026, 3, 4, 23, 0),
    );
    expect(iso(due.dueAt)).toBe(iso(ny(2026, 3, 5, 9, 30)));
  });

  it('a firm with no opening hours still gets a deadline', () => {
    const closed: BusinessCalendar = { ...cal, weeklyHours: [[], [], [], [], [], [], []] };
    const at = ny(2026, 3, 4, 10, 0);
    expect(computeDue(closed, sla, at).dueAt).toBe(at + 60 * 60_000);
  });

  it('respects another firm time zone', () => {
    const la: BusinessCalendar = { ...cal, timeZone: 'America/Los_Angeles', holidays: [] };
    // 10:00 in New York is 07:00 in Los Angeles: after hours there, due 10:00 LA.
    const due = computeDue(la, sla, ny(2026, 3, 4, 10, 0));
    expect(due.afterHours).toBe(true);
    expect(due.dueAt).toBe(new TZDate(2026, 2, 4, 10, 0, 'America/Los_Angeles').getTime());
  });
});

describe('calendar helpers', () => {
  it('lunch breaks split the day', () => {
    const lunch: BusinessCalendar = {
      ...cal,
      weeklyHours: cal.weeklyHours.map((day) =>
        day.length
          ? [
              { open: '09:00', close: '12:00' },
              { open: '13:00', close: '17:00' },
            ]
          : [],
      ),
    };
    expect(isOpenAt(lunch, ny(2026, 3, 4, 12, 30))).toBe(false);
    expect(nextOpening(lunch, ny(2026, 3, 4, 12, 30))).toBe(ny(2026, 3, 4, 13, 0));
    expect(addBusinessMinutes(lunch, ny(2026, 3, 4, 11, 58), 5)).toBe(ny(2026, 3, 4, 13, 3));
  });
});

describe('urgency', () => {
  const lead = { dueAt: 1_000_000, overdueAt: 1_600_000, status: 'open' };
  it.each([
    [900_000, 'due', 'due in 1m'],
    [1_100_000, 'late', 'late 1m'],
    [1_600_000, 'overdue', 'overdue 0m'],
    [1_600_000 + 3_900_000, 'overdue', 'overdue 1h 05m'],
  ])('at %i it is %s', (now, urgency, text) => {
    expect(urgencyAt(lead, now)).toBe(urgency);
    expect(describeDue(lead, now)).toBe(text);
  });
  it('closed leads are never overdue', () => {
    expect(urgencyAt({ ...lead, status: 'done' }, 9e9)).toBe('closed');
  });
});

describe('local days from the memoised zone offsets', () => {
  it('match a full time-zone conversion at every instant, across DST changes and odd offsets', () => {
    const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    const start = Date.UTC(2026, 0, 1);
    for (const zone of zones) {
      // Every 28 minutes and 53 seconds through a year: lands on all sides of each change.
      for (let ms = start; ms < start + 366 * 86_400_000; ms += 1_733_017) {
        const d = new TZDate(ms, zone);
        expect(localDay(ms, zone)).toEqual({
          year: d.getFullYear(),
          month: d.getMonth(),
          day: d.getDate(),
        });
      }
    }
  });
});
