import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import {
  captureCalls,
  countOverdue,
  recomputeOpenDueTimes,
  recordAttempt,
} from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';

const NY = 'America/New_York';
const wed = (h: number, m = 0) => new TZDate(2026, 2, 4, h, m, NY).getTime(); // Wednesday
const thu = (h: number, m = 0) => new TZDate(2026, 2, 5, h, m, NY).getTime();

const before: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sourceRules: [
    {
      id: 'ads',
      line: '(800) 555-0100',
      source: 'Google Ads – PI',
      priority: true,
      sla: { targetMinutes: 2, limitMinutes: 5, afterHoursMinutes: 30 },
    },
  ],
};

function call(from: string, overrides: Partial<IncomingCall> = {}): IncomingCall {
  return { from, startedAt: wed(10), provider: 'ringcentral', capturePath: 'portal', ...overrides };
}

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
  await db.open();
  await captureCalls(
    db,
    before,
    [
      call('(212) 555-0101'),
      call('(212) 555-0102', { dialedLine: '800-555-0100' }),
      call('(212) 555-0103'),
      call('(212) 555-0104'),
    ],
    wed(10, 1),
  );
});
afterEach(async () => {
  await db.delete();
});

const leadOf = async (phone: string) => (await db.leads.where('phoneKey').equals(phone).first())!;

describe('recomputeOpenDueTimes', () => {
  it('moves untried open leads to the new hours, keeping source-rule windows', async () => {
    const tried = await leadOf('+12125550103');
    await recordAttempt(
      db,
      before,
      { leadId: tried.id, method: 'call', outcome: 'no-answer' },
      wed(10, 3),
    );
    const closed = await leadOf('+12125550104');
    await recordAttempt(
      db,
      before,
      { leadId: closed.id, method: 'call', outcome: 'reached' },
      wed(10, 4),
    );
    const triedBefore = await leadOf('+12125550103');
    const closedBefore = await leadOf('+12125550104');

    // The firm now opens at 11 on Wednesdays: a 10:00 call is after hours, due by 12:00.
    const hours = before.weeklyHours.map((day, i) =>
      i === 3 ? [{ open: '11:00', close: '17:00' }] : day,
    );
    const after: FirmSettings = { ...before, weeklyHours: hours };
    const result = await recomputeOpenDueTimes(db, after, wed(10, 30));

    expect(result).toEqual({ updated: 2 });
    expect(await leadOf('+12125550101')).toMatchObject({
      dueAt: wed(12),
      overdueAt: wed(12),
      openDueAt: wed(12),
      openOverdueAt: wed(12),
      updatedAt: wed(10, 30),
    });
    // The priority line's tighter after-hours window still applies.
    expect(await leadOf('+12125550102')).toMatchObject({
      dueAt: wed(11, 30),
      overdueAt: wed(11, 30),
    });
    expect(await leadOf('+12125550103')).toEqual(triedBefore);
    expect(await leadOf('+12125550104')).toEqual(closedBefore);
  });

  it('makes leads overdue when the limit shrinks, as the badge counts them', async () => {
    expect(await countOverdue(db, wed(10, 12))).toBe(1); // only the priority lead (limit 5 min)
    const tighter: FirmSettings = { ...before, sla: { ...before.sla, limitMinutes: 10 } };
    await recomputeOpenDueTimes(db, tighter, wed(10, 12));
    expect(await countOverdue(db, wed(10, 12))).toBe(4);
  });

  it('changes nothing when the settings give the same times', async () => {
    expect(await recomputeOpenDueTimes(db, before, thu(9))).toEqual({ updated: 0 });
  });
});
