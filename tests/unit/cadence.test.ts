import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { describeStep, nextStepOf } from '@/utils/queue/cadence';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall, Lead } from '@/utils/model';

/**
 * Scheduling of the follow-up cadence: each attempt's next step across business hours,
 * after hours, weekends (here also the spring-forward weekend), holidays, and priority
 * sources with tighter windows and a cadence of their own.
 */
const NY = 'America/New_York';
/** March 2026: the 4th is a Wednesday, the 6th a Friday; clocks go forward on Sunday the 8th. */
const at = (day: number, h: number, m = 0) => new TZDate(2026, 2, day, h, m, NY).getTime();

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
  sourceRules: [
    {
      id: 'ads',
      line: '(800) 555-0100',
      source: 'Google Ads – PI',
      priority: true,
      sla: { targetMinutes: 2, limitMinutes: 5, afterHoursMinutes: 20 },
      cadence: {
        steps: [
          { methods: ['call'], from: 'first-call', delayMinutes: 0 },
          { methods: ['text', 'call'], from: 'previous-attempt', delayMinutes: 15 },
          { methods: ['email'], from: 'first-call', delayMinutes: 4 * 60 },
        ],
      },
    },
  ],
};

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`cadence-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

async function lead(startedAt: number, extra: Partial<IncomingCall> = {}, s = settings) {
  const { added } = await captureCalls(
    db,
    s,
    [
      {
        from: '(212) 555-0143',
        startedAt,
        provider: 'ringcentral',
        capturePath: 'portal',
        ...extra,
      },
    ],
    startedAt + 60_000,
  );
  return added[0]!.leadId;
}

async function noAnswer(leadId: string, when: number, s = settings): Promise<Lead> {
  return (await recordAttempt(db, s, { leadId, method: 'call', outcome: 'no-answer' }, when)).lead;
}

describe('the next step of the cadence', () => {
  it('in business hours: step 2 an hour (of business time) after step 1, with its methods', async () => {
    const id = await lead(at(4, 10));
    const next = await noAnswer(id, at(4, 10, 3));
    expect(next.dueAt).toBe(at(4, 11, 3));
    expect(next.overdueAt).toBe(at(4, 11, 18));
    expect(describeStep(nextStepOf(settings, next)!)).toBe('Step 2 of 3 · Call + voicemail + text');
  });

  it('near closing: the hour carries over to the next morning', async () => {
    const id = await lead(at(4, 16));
    const next = await noAnswer(id, at(4, 16, 30));
    expect(next.dueAt).toBe(at(5, 9, 30));
    expect(next.overdueAt).toBe(at(5, 9, 45));
  });

  it('after hours: a step counted from an evening attempt starts at the next opening', async () => {
    const id = await lead(at(4, 19));
    const next = await noAnswer(id, at(4, 20));
    expect(next.dueAt).toBe(at(5, 10));
    expect(next.overdueAt).toBe(at(5, 10, 15));
  });

  it('over a weekend (with the clocks going forward): Friday’s last minutes, then Monday', async () => {
    const id = await lead(at(6, 16));
    const next = await noAnswer(id, at(6, 16, 50));
    expect(next.dueAt).toBe(at(9, 9, 50));
    expect(next.overdueAt).toBe(at(9, 10, 5));
  });

  it('over a holiday: Monday closed, so Tuesday', async () => {
    const closedMonday = { ...settings, holidays: ['2026-03-09'] };
    const id = await lead(at(6, 16), {}, closedMonday);
    const next = await noAnswer(id, at(6, 16, 50), closedMonday);
    expect(next.dueAt).toBe(at(10, 9, 50));
  });

  it('step 3 (email) is due 24 hours after the first missed call', async () => {
    const id = await lead(at(4, 10));
    await noAnswer(id, at(4, 10, 3));
    const third = await noAnswer(id, at(4, 11, 3));
    expect(third.dueAt).toBe(at(5, 10));
    expect(third.overdueAt).toBe(at(5, 11));
    expect(describeStep(nextStepOf(settings, third)!)).toBe('Step 3 of 3 · Email');
  });

  it('step 3 falling on a Saturday is due within the after-hours window of Monday’s opening', async () => {
    const id = await lead(at(6, 10));
    await noAnswer(id, at(6, 10, 3));
    const third = await noAnswer(id, at(6, 11, 3));
    expect(third.dueAt).toBe(at(9, 10));
    expect(third.overdueAt).toBe(at(9, 10));
  });

  it('a priority source’s own cadence and tighter windows apply to its later attempts', async () => {
    const id = await lead(at(4, 10), { dialedLine: '1-800-555-0100' });
    const second = await noAnswer(id, at(4, 10, 1));
    expect(describeStep(nextStepOf(settings, second)!)).toBe('Step 2 of 3 · Text + call');
    expect(second.dueAt).toBe(at(4, 10, 16));
    // The source's 5-minute limit, not the firm's 15.
    expect(second.overdueAt).toBe(at(4, 10, 21));
    const third = await noAnswer(id, at(4, 10, 16));
    expect(third.dueAt).toBe(at(4, 14));
    // The source's 20-minute window, not the firm's 60.
    expect(third.overdueAt).toBe(at(4, 14, 20));
  });

  it('a firm cadence of two steps ends after the second attempt', async () => {
    const short: FirmSettings = {
      ...settings,
      cadence: {
        steps: [
          { methods: ['call'], from: 'first-call', delayMinutes: 0 },
          { methods: ['call', 'text'], from: 'previous-attempt', delayMinutes: 30 },
        ],
      },
    };
    const id = await lead(at(4, 10), {}, short);
    const second = await noAnswer(id, at(4, 10, 3), short);
    expect(second.dueAt).toBe(at(4, 10, 33));
    expect(describeStep(nextStepOf(short, second)!)).toBe('Step 2 of 2 · Call + text');
    const done = await noAnswer(id, at(4, 10, 33), short);
    expect(done.status).toBe('no-contact');
  });
});
