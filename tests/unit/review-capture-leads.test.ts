import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';

/**
 * Review of issue 7 (capture side), defects 6-8 in utils/queue/leads.ts: a voicemail that
 * comes in after an after-hours call, the missed leg of a group call answered by someone
 * else, and a missed call back-filled after its caller was reached.
 */

const NY = 'America/New_York';
const at = (h: number, m = 0, s = 0) => new TZDate(2026, 2, 4, h, m, s, NY).getTime();
const now = at(12);
const settings = { ...DEFAULT_SETTINGS, timeZone: NY };

function call(overrides: Partial<IncomingCall> = {}): IncomingCall {
  return {
    from: '(212) 555-0143',
    startedAt: at(10),
    provider: 'aircall',
    capturePath: 'api',
    reason: 'no-answer',
    ...overrides,
  };
}

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('a call read again after its record changed', () => {
  it('an after-hours call whose voicemail came in later becomes a voicemail (Aircall: out_of_opening_hours, then voicemail set)', async () => {
    await captureCalls(db, settings, [call({ providerCallId: '42', reason: 'after-hours' })], now);
    await captureCalls(db, settings, [call({ providerCallId: '42', reason: 'voicemail' })], now);
    expect((await db.calls.toArray()).map((c) => c.reason)).toEqual(['voicemail']);
  });

  it.each(['abandoned', 'busy'] as const)(
    'a %s call whose voicemail came in later becomes a voicemail',
    async (reason) => {
      await captureCalls(db, settings, [call({ providerCallId: '43', reason })], now);
      await captureCalls(db, settings, [call({ providerCallId: '43', reason: 'voicemail' })], now);
      expect((await db.calls.toArray()).map((c) => c.reason)).toEqual(['voicemail']);
    },
  );
});

describe('group ring, the answered leg read before the missed leg', () => {
  it('a caller with an open lead rings again and gets through: the missed leg of that same call opens no new lead', async () => {
    // 09:00 missed: a lead is open.
    await captureCalls(db, settings, [call({ providerCallId: 'c1', startedAt: at(9) })], now);
    // 10:00 the caller rings again; agent A answers, agent B's leg is logged missed a second
    // later. Read oldest first (the poller sorts by start): the answered leg comes first.
    const result = await captureCalls(
      db,
      settings,
      [
        call({ providerCallId: 'c2-a', startedAt: at(10), reason: 'answered' }),
        call({ providerCallId: 'c2-b', startedAt: at(10, 0, 1), reason: 'no-answer' }),
      ],
      now,
    );
    expect(result.answeredClosed).toBe(1);
    const open = await db.leads.filter((l) => l.status !== 'done').toArray();
    expect(open).toEqual([]);
  });

  it('the same, with the legs arriving in two polls', async () => {
    await captureCalls(db, settings, [call({ providerCallId: 'c1', startedAt: at(9) })], now);
    await captureCalls(
      db,
      settings,
      [call({ providerCallId: 'c2-a', startedAt: at(10), reason: 'answered' })],
      now,
    );
    await captureCalls(
      db,
      settings,
      [call({ providerCallId: 'c2-b', startedAt: at(10, 0, 1), reason: 'no-answer' })],
      now,
    );
    const open = await db.leads.filter((l) => l.status !== 'done').toArray();
    expect(open).toEqual([]);
  });

  it('a missed call well after the answered one is a new call: it is queued', async () => {
    await captureCalls(db, settings, [call({ providerCallId: 'c1', startedAt: at(9) })], now);
    await captureCalls(
      db,
      settings,
      [call({ providerCallId: 'c2-a', startedAt: at(10), reason: 'answered' })],
      now,
    );
    const result = await captureCalls(
      db,
      settings,
      [call({ providerCallId: 'c3', startedAt: at(10, 30) })],
      now,
    );
    expect(result.added).toHaveLength(1);
    expect(await db.leads.filter((l) => l.status !== 'done').count()).toBe(1);
  });
});

describe('a call back-filled after its caller was reached', () => {
  it('a missed call from before the callback that reached the caller opens no overdue lead (a CSV import brings a 09:05 call the portal did not see)', async () => {
    // 09:00 missed (portal); 09:30 the desk calls back and reaches the caller: lead closed.
    await captureCalls(
      db,
      settings,
      [call({ provider: 'ringcentral', capturePath: 'portal', startedAt: at(9) })],
      at(9, 1),
    );
    const lead = (await db.leads.toArray())[0]!;
    await recordAttempt(
      db,
      settings,
      { leadId: lead.id, method: 'call', outcome: 'reached' },
      at(9, 30),
    );
    expect((await db.leads.get(lead.id))?.status).toBe('done');
    // 12:00 the day's CSV brings the caller's second try at 09:05, before the callback.
    await captureCalls(
      db,
      settings,
      [call({ provider: 'ringcentral', capturePath: 'csv', startedAt: at(9, 5) })],
      now,
    );
    const open = await db.leads.filter((l) => l.status !== 'done').toArray();
    expect(open).toEqual([]);
    // Kept with the closed lead's history.
    expect(await db.calls.where('leadId').equals(lead.id).count()).toBe(2);
  });

  it('a call after the callback that reached the caller is a new call: it is queued', async () => {
    await captureCalls(db, settings, [call({ startedAt: at(9) })], at(9, 1));
    const lead = (await db.leads.toArray())[0]!;
    await recordAttempt(
      db,
      settings,
      { leadId: lead.id, method: 'call', outcome: 'reached' },
      at(9, 30),
    );
    const result = await captureCalls(db, settings, [call({ startedAt: at(9, 45) })], now);
    expect(result.added).toHaveLength(1);
    expect(await db.leads.filter((l) => l.status !== 'done').count()).toBe(1);
    expect((await db.leads.get(lead.id))?.status).toBe('done');
  });
});
