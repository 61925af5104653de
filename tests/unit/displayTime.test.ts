import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { firmClock, fromZonedInputValue, toZonedInputValue } from '@/utils/displayTime';

const NY = 'America/New_York';
const ny = (d: number, h: number, m = 0) => new TZDate(2026, 2, d, h, m, NY).getTime();

describe('firmClock', () => {
  const clock = firmClock(NY, 'en-US');
  const now = ny(4, 15); // Wednesday 4 March 2026, 3 PM in New York

  it('shows times in the firm zone, whatever the machine zone', () => {
    expect(clock.short(ny(4, 9, 5), now)).toBe('9:05 AM');
    expect(firmClock('Europe/London', 'en-US').short(ny(4, 9, 5), now)).toBe('2:05 PM');
  });

  it('uses the firm’s calendar day for "today"', () => {
    // 6 PM and 8:30 PM in New York fall on different UTC days, but the same firm day.
    expect(clock.short(ny(4, 18), ny(4, 20, 30))).toBe('6:00 PM');
    // 11:30 PM and 12:15 AM share a UTC day, but not a firm day.
    expect(clock.short(ny(4, 23, 30), ny(5, 0, 15))).toBe('Wed 11:30 PM');
  });

  it('names the weekday within a week, either way, and the date beyond', () => {
    expect(clock.short(ny(2, 10), now)).toBe('Mon 10:00 AM');
    expect(clock.short(ny(5, 9), now)).toBe('Thu 9:00 AM');
    expect(clock.short(ny(1, 10), now)).toMatch(/^Sun/);
    expect(clock.short(new TZDate(2026, 1, 20, 10, 0, NY).getTime(), now)).toBe('Feb 20, 10:00 AM');
    expect(clock.short(new TZDate(2025, 11, 30, 10, 0, NY).getTime(), now)).toBe(
      'Dec 30, 2025, 10:00 AM',
    );
  });

  it('gives the full form with the zone name', () => {
    expect(clock.full(ny(4, 9, 5))).toBe('Wed, Mar 4, 2026, 9:05 AM EST');
  });
});

describe('datetime-local values in the firm zone', () => {
  it('round-trips wall time', () => {
    expect(toZonedInputValue(ny(4, 9, 5), NY)).toBe('2026-03-04T09:05');
    expect(fromZonedInputValue('2026-03-04T09:05', NY)).toBe(ny(4, 9, 5));
  });

  it('reads the wall time of the firm, across a DST change', () => {
    // 8 March 2026: clocks go forward at 2 AM in New York.
    expect(fromZonedInputValue('2026-03-08T01:30', NY)).toBe(Date.UTC(2026, 2, 8, 6, 30));
    expect(fromZonedInputValue('2026-03-08T03:30', NY)).toBe(Date.UTC(2026, 2, 8, 7, 30));
  });

  it('accepts seconds and rejects anything that is not a real date and time', () => {
    expect(fromZonedInputValue('2026-03-04T09:05:30', NY)).toBe(ny(4, 9, 5) + 30_000);
    expect(fromZonedInputValue('', NY)).toBeNull();
    expect(fromZonedInputValue('yesterday', NY)).toBeNull();
    expect(fromZonedInputValue('2026-02-30T10:00', NY)).toBeNull();
    expect(fromZonedInputValue('2026-13-01T10:00', NY)).toBeNull();
    expect(fromZonedInputValue('2026-03-04T24:00', NY)).toBeNull();
  });
});
