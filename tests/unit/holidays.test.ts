import { describe, expect, it } from 'vitest';
import { usFederalHolidays } from '@/utils/queue/holidays';

describe('usFederalHolidays', () => {
  it('lists the observed 2026 dates (OPM calendar)', () => {
    expect(usFederalHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03', // 4 July is a Saturday: observed Friday
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('moves Sunday holidays to Monday and a Saturday New Year to 31 December', () => {
    const y2022 = usFederalHolidays(2022);
    expect(y2022.find((h) => h.name === "New Year's Day")?.date).toBe('2021-12-31');
    expect(y2022.find((h) => h.name === 'Juneteenth')?.date).toBe('2022-06-20');
    expect(y2022.find((h) => h.name === 'Christmas Day')?.date).toBe('2022-12-26');
    expect(y2022.find((h) => h.name === 'Memorial Day')?.date).toBe('2022-05-30');
  });
});
