import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import type { Lead } from '@/utils/model';
import { noticeFor } from '@/utils/team/notify';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';

/**
 * Review of issue 9: an emergency-line call must never be quieter than an ordinary one.
 * With nobody on duty (no on-call person set for tonight, or the firm open while every
 * colleague's own hours have not started), it reached no one — an ordinary call reached all.
 */
const NY = 'America/New_York';
const at = (h: number, m = 0) => new TZDate(2026, 11, 9, h, m, NY).getTime(); // a Wednesday
const later = [{ open: '09:30', close: '17:00' }];

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  timeZone: NY,
  // Firm open from 08:00; both colleagues start at 09:30. Nobody on call.
  weeklyHours: [[], ...Array(5).fill([{ open: '08:00', close: '18:00' }]), []],
  staff: [
    { id: 'ana', name: 'Ana Lopez', workingHours: [[], ...Array(5).fill(later), []] },
    { id: 'ben', name: 'Ben Ruiz', workingHours: [[], ...Array(5).fill(later), []] },
  ],
  onCall: { handover: '08:00', weekly: Array(7).fill(null), swaps: [] },
};

const emergency = { id: 'l', status: 'open', emergency: true } as Lead;

describe('an emergency line with nobody on duty', () => {
  it('reaches everyone, in hours before anyone’s shift and after hours with no one on call', () => {
    for (const when of [at(8, 15), at(22)]) {
      expect(noticeFor(emergency, settings, 'ana', when)).toMatchObject({ emergency: true });
      expect(noticeFor(emergency, settings, 'ben', when)).toMatchObject({ emergency: true });
    }
  });

  it('still only the people on duty once someone is', () => {
    const anaEarly: FirmSettings = {
      ...settings,
      staff: [{ id: 'ana', name: 'Ana Lopez' }, settings.staff[1]!],
    };
    expect(noticeFor(emergency, anaEarly, 'ana', at(8, 15))).toMatchObject({ emergency: true });
    expect(noticeFor(emergency, anaEarly, 'ben', at(8, 15))).toBeNull();
  });
});
