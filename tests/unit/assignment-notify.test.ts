import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import type { Lead } from '@/utils/model';
import { noticeFor } from '@/utils/team/notify';
import { badgeState, BADGE_ASSIGNED_COLOR, BADGE_COLORS } from '@/utils/queue/badge';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';

const NY = 'America/New_York';
const at = (h: number) => new TZDate(2026, 11, 9, h, 0, NY).getTime(); // a Wednesday

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  timeZone: NY,
  staff: [
    { id: 'ana', name: 'Ana Lopez' },
    {
      id: 'ben',
      name: 'Ben Ruiz',
      workingHours: [[], ...Array(5).fill([{ open: '13:00', close: '17:00' }]), []],
    },
    { id: 'sam', name: 'Sam Carter', role: 'attorney' },
  ],
  onCall: { handover: '08:00', weekly: Array(7).fill('sam'), swaps: [] },
};

const lead = (extra: Partial<Lead>) => ({ id: 'l', status: 'open', ...extra }) as Lead;

describe('who is told about a new lead', () => {
  it('the assignee’s browser says "Assigned to you" with the reason; colleagues are not notified', () => {
    const assigned = lead({ assignee: 'ana', assignReason: 'round robin', practiceArea: 'DUI' });
    expect(noticeFor(assigned, settings, 'ana', at(10))).toEqual({
      title: 'Assigned to you',
      context: 'round robin · DUI',
    });
    expect(noticeFor(assigned, settings, 'ben', at(10))).toBeNull();
    // Nobody's lead: everyone hears of it.
    expect(noticeFor(lead({}), settings, 'ben', at(10))).toEqual({ title: 'Missed call' });
  });

  it('a browser with nobody chosen (shared desk) hears of every call, with whom it went to', () => {
    expect(
      noticeFor(lead({ assignee: 'sam', assignReason: 'on call' }), settings, undefined, at(21)),
    ).toEqual({
      title: 'Missed call',
      context: 'Assigned to Sam Carter: on call',
    });
  });

  it('an emergency line reaches everyone on duty, and only them', () => {
    const emergency = lead({ emergency: true, assignee: 'ana', assignReason: 'round robin' });
    expect(noticeFor(emergency, settings, 'sam', at(10))).toMatchObject({
      emergency: true,
      title: 'Emergency line',
    });
    expect(noticeFor(emergency, settings, 'ben', at(10))).toBeNull(); // Ben works afternoons
    expect(noticeFor(emergency, settings, 'ben', at(14))).toMatchObject({ emergency: true });
    // After hours: the on-call person (and the assignee).
    expect(noticeFor(emergency, settings, 'sam', at(22))).toMatchObject({ emergency: true });
    expect(noticeFor(emergency, settings, 'ben', at(22))).toBeNull();
  });

  it('an existing client assigned to me says so', () => {
    expect(
      noticeFor(
        lead({
          assignee: 'sam',
          assignReason: 'responsible attorney',
          existingClient: { system: 'clio', reason: 'Clio client' },
        }),
        settings,
        'sam',
        at(10),
      )?.title,
    ).toBe('Existing client assigned to you');
  });
});

describe('badge', () => {
  it('new leads assigned to me show in blue while nothing is overdue; overdue wins', () => {
    expect(badgeState(0, 0, 0, 2)).toMatchObject({ text: '2', color: BADGE_ASSIGNED_COLOR });
    expect(badgeState(0, 0, 0, 2).title).toContain('2 new assigned to you');
    expect(badgeState(3, 0, 0, 2)).toMatchObject({ text: '3', color: BADGE_COLORS.overdue });
    expect(badgeState(0, 0, 0)).toMatchObject({ text: '' });
  });
});
