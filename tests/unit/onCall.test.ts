import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { isOnShift, onCallAt, onCallDayOf, staffOnDuty } from '@/utils/team/onCall';
import { DEFAULT_SETTINGS, parseSettings, type FirmSettings } from '@/utils/settings';

const NY = 'America/New_York';
// December 2026: Mon 7, Tue 8, … Fri 11, Sat 12, Sun 13, Mon 14.
const at = (day: number, h: number, m = 0) => new TZDate(2026, 11, day, h, m, NY).getTime();

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  timeZone: NY,
  staff: [
    { id: 'sam', name: 'Sam Carter', role: 'attorney' },
    { id: 'alex', name: 'Alex Kim', role: 'attorney' },
    { id: 'jo', name: 'Jo Park', role: 'intake' },
  ],
  // Sun Alex, Mon–Thu Sam, Fri Jo (Friday night through Saturday 08:00), Sat Alex.
  onCall: {
    handover: '08:00',
    weekly: ['alex', 'sam', 'sam', 'sam', 'sam', 'jo', 'alex'],
    swaps: [],
  },
};

describe('on-call rota', () => {
  it('a night belongs to the evening before it: Tuesday 01:30 is Monday’s on-call day', () => {
    expect(onCallDayOf(settings.onCall!, NY, at(8, 1, 30))).toEqual({
      date: '2026-12-07',
      weekday: 1,
    });
    expect(onCallDayOf(settings.onCall!, NY, at(8, 8, 0))).toEqual({
      date: '2026-12-08',
      weekday: 2,
    });
  });

  it('across midnight the same person stays on call until the handover', () => {
    expect(onCallAt(settings, at(11, 23, 30))?.staffId).toBe('jo'); // Friday night
    expect(onCallAt(settings, at(12, 3, 0))?.staffId).toBe('jo'); // Saturday 03:00: still Friday's
    expect(onCallAt(settings, at(12, 9, 0))?.staffId).toBe('alex'); // Saturday after handover
  });

  it('weekends: Saturday and Sunday have their own people, Monday early is Sunday’s', () => {
    expect(onCallAt(settings, at(12, 15, 0))?.staffId).toBe('alex');
    expect(onCallAt(settings, at(13, 15, 0))?.staffId).toBe('alex');
    expect(onCallAt(settings, at(14, 6, 59))?.staffId).toBe('alex');
    expect(onCallAt(settings, at(14, 20, 0))?.staffId).toBe('sam');
  });

  it('a one-off swap covers that on-call day only, night included; the last swap for a date wins', () => {
    const swapped: FirmSettings = {
      ...settings,
      onCall: {
        ...settings.onCall!,
        swaps: [
          { date: '2026-12-09', staffId: 'jo' },
          { date: '2026-12-09', staffId: 'alex', note: 'Jo is away' },
        ],
      },
    };
    expect(onCallAt(swapped, at(9, 19, 0))).toMatchObject({
      staffId: 'alex',
      swap: { note: 'Jo is away' },
    });
    expect(onCallAt(swapped, at(10, 2, 0))?.staffId).toBe('alex'); // Thursday 02:00 = Wednesday's
    expect(onCallAt(swapped, at(10, 19, 0))?.staffId).toBe('sam'); // back to the pattern
  });

  it('nobody: an empty slot, or a person no longer in the team', () => {
    const gaps: FirmSettings = {
      ...settings,
      onCall: {
        handover: '08:00',
        weekly: [null, 'gone', null, null, null, null, null],
        swaps: [],
      },
    };
    expect(onCallAt(gaps, at(7, 20))).toBeUndefined();
    expect(onCallAt(gaps, at(8, 20))).toBeUndefined();
  });

  it('a holiday is after hours all day: staff are off shift and the on-call person is on duty', () => {
    const holiday: FirmSettings = { ...settings, holidays: ['2026-12-08'] };
    const tuesdayNoon = at(8, 12);
    expect(isOnShift(holiday.staff[2]!, holiday, tuesdayNoon)).toBe(false);
    expect(staffOnDuty(holiday, tuesdayNoon)).toEqual(['sam']);
    expect(staffOnDuty(settings, tuesdayNoon).sort()).toEqual(['alex', 'jo', 'sam']);
  });

  it('working hours are each person’s own; absent: the firm’s', () => {
    const part: FirmSettings = {
      ...settings,
      staff: [
        {
          id: 'jo',
          name: 'Jo Park',
          workingHours: [[], [{ open: '13:00', close: '17:00' }], [], [], [], [], []],
        },
      ],
    };
    expect(isOnShift(part.staff[0]!, part, at(7, 10))).toBe(false);
    expect(isOnShift(part.staff[0]!, part, at(7, 14))).toBe(true);
  });
});

describe('stored settings', () => {
  it('settings saved before teams existed are valid: no rota, staff without roles', () => {
    const old = { ...DEFAULT_SETTINGS, staff: [{ id: 'ana', name: 'Ana' }] } as Record<
      string,
      unknown
    >;
    delete old.onCall;
    delete old.roundRobinByPracticeArea;
    const parsed = parseSettings(old);
    expect(parsed.staff).toEqual([{ id: 'ana', name: 'Ana' }]);
    expect(parsed.onCall?.weekly).toEqual([null, null, null, null, null, null, null]);
  });

  it('one broken staff member or swap is repaired alone; the rest of the team stays', () => {
    const parsed = parseSettings({
      ...DEFAULT_SETTINGS,
      staff: [
        { id: 'ana', name: 'Ana', role: 'intake' },
        { id: 'bo', name: 'Bo', workingHours: 'nine to five' },
      ],
      onCall: {
        handover: '08:00',
        weekly: ['ana', null, null, null, null, null, null],
        swaps: [
          { date: 'tomorrow', staffId: 'bo' },
          { date: '2026-12-24', staffId: 'bo' },
        ],
      },
    });
    expect(parsed.staff).toEqual([
      { id: 'ana', name: 'Ana', role: 'intake' },
      { id: 'bo', name: 'Bo' },
    ]);
    expect(parsed.onCall).toEqual({
      handover: '08:00',
      weekly: ['ana', null, null, null, null, null, null],
      swaps: [{ date: '2026-12-24', staffId: 'bo' }],
    });
  });
});
