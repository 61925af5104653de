import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import {
  captureCalls,
  countNoContact,
  countOverdue,
  patchLead,
  recordAttempt,
  recordAutomaticText,
} from '@/utils/queue/leads';
import { nextStepOf, stepsDoneOf } from '@/utils/queue/cadence';
import { runQuery } from '@/utils/live/queries';
import { filterQueue, isOverdue, NO_FILTER, queueCounts } from '@/utils/queue/queueView';
import { urgencyAt } from '@/utils/queue/sla';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall, Lead } from '@/utils/model';

/**
 * The end of the cadence and what comes after: No contact (a filter and a count, not lost,
 * not overdue forever), a new call reopening it, and automatic texts that are recorded but
 * never count as a callback attempt.
 */
const NY = 'America/New_York';
const at = (day: number, h: number, m = 0) => new TZDate(2026, 2, day, h, m, NY).getTime(); // 4th: Wed
const DAY = 86_400_000;
const settings: FirmSettings = { ...DEFAULT_SETTINGS };

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`no-contact-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

function call(startedAt: number, extra: Partial<IncomingCall> = {}): IncomingCall {
  return {
    from: '(212) 555-0143',
    startedAt,
    provider: 'ringcentral',
    providerCallId: `c-${startedAt}`,
    capturePath: 'portal',
    ...extra,
  };
}

async function capture(c: IncomingCall, now = c.startedAt + 60_000) {
  return captureCalls(db, settings, [c], now);
}

/** A lead taken through all three steps without contact. */
async function noContactLead(): Promise<Lead> {
  const { added } = await capture(call(at(4, 10)));
  const leadId = added[0]!.leadId;
  await recordAttempt(db, settings, { leadId, method: 'call', outcome: 'no-answer' }, at(4, 10, 3));
  await recordAttempt(
    db,
    settings,
    { leadId, method: 'voicemail', outcome: 'left-voicemail' },
    at(4, 11, 3),
  );
  const { lead } = await recordAttempt(
    db,
    settings,
    { leadId, method: 'email', outcome: 'sent' },
    at(5, 10),
  );
  return lead;
}

describe('No contact', () => {
  it('a lead that ran through the cadence moves to No contact: counted, listed, never overdue', async () => {
    const lead = await noContactLead();
    expect(lead.status).toBe('no-contact');
    expect(lead.noContactAt).toBe(at(5, 10));
    expect(nextStepOf(settings, lead)).toBeNull();
    // Not overdue, days later, in the badge's count or the queue's.
    const later = at(5, 10) + 5 * DAY;
    expect(await countOverdue(db, later)).toBe(0);
    expect(isOverdue(lead, later)).toBe(false);
    expect(urgencyAt(lead, later)).toBe('closed');
    expect(queueCounts([lead], later)).toEqual({ open: 0, overdue: 0, late: 0 });
    // Not in the open queue; under No contact, with its count.
    expect((await runQuery(db, 'openLeads', {})).leads).toEqual([]);
    expect((await runQuery(db, 'noContactLeads', {})).map((l) => l.id)).toEqual([lead.id]);
    expect(await runQuery(db, 'noContactCount', {})).toBe(1);
    expect(await countNoContact(db)).toBe(1);
    // Still there, with its history: not lost.
    expect(await db.attempts.where('leadId').equals(lead.id).count()).toBe(3);
  });

  it('a closing outcome on the last step closes the lead instead', async () => {
    const { added } = await capture(call(at(4, 10)));
    const leadId = added[0]!.leadId;
    await recordAttempt(
      db,
      settings,
      { leadId, method: 'call', outcome: 'no-answer' },
      at(4, 10, 3),
    );
    await recordAttempt(db, settings, { leadId, method: 'text', outcome: 'sent' }, at(4, 11, 3));
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'call', outcome: 'consultation-booked' },
      at(5, 10),
    );
    expect(lead.status).toBe('done');
    expect(await countNoContact(db)).toBe(0);
  });

  it('the No contact filter shows those leads, by source, and ignores "overdue only"', () => {
    const base = { dueAt: 0, overdueAt: 0, priority: false, firstMissedAt: 0 } as const;
    const leads = [
      { ...base, id: 'a', status: 'no-contact', source: 'Yelp' },
      { ...base, id: 'b', status: 'no-contact', source: 'Website' },
    ] as unknown as Lead[];
    const filter = { ...NO_FILTER, noContact: true, overdueOnly: true, source: 'Yelp' };
    expect(filterQueue(leads, filter, { now: DAY }).map((l) => l.id)).toEqual(['a']);
  });
});

describe('a new call reopens a No contact lead', () => {
  it('the same lead is back in the queue, due like a new call, the cadence from step 1', async () => {
    const lead = await noContactLead();
    const result = await capture(call(at(6, 14)));
    expect(result.added).toEqual([expect.objectContaining({ leadId: lead.id, newLead: false })]);
    const reopened = (await db.leads.get(lead.id))!;
    expect(reopened).toMatchObject({ status: 'open', missedCount: 2, attemptCount: 3 });
    expect(reopened.noContactAt).toBeUndefined();
    expect(reopened.dueAt).toBe(at(6, 14, 5));
    expect(reopened.overdueAt).toBe(at(6, 14, 15));
    expect(stepsDoneOf(reopened)).toBe(0);
    expect(nextStepOf(settings, reopened)?.step).toBe(1);
    expect(await countNoContact(db)).toBe(0);
    expect((await runQuery(db, 'openLeads', {})).leads.map((l) => l.id)).toEqual([lead.id]);
    expect(await db.leads.count()).toBe(1);

    // The new run: step 2 an hour after its first attempt, step 3 a day after the new call.
    const second = await recordAttempt(
      db,
      settings,
      { leadId: lead.id, method: 'call', outcome: 'no-answer' },
      at(6, 14, 10),
    );
    expect(second.lead.dueAt).toBe(at(6, 15, 10));
    await recordAttempt(
      db,
      settings,
      { leadId: lead.id, method: 'call', outcome: 'no-answer' },
      at(6, 15, 10),
    );
    const third = (await db.leads.get(lead.id))!;
    // 24 h after Friday 14:00 is Saturday: Monday's opening plus the after-hours window.
    expect(third.dueAt).toBe(at(9, 10));
  });

  it('a re-read of an old call or a back-filled call from before the last attempt does not reopen it', async () => {
    const lead = await noContactLead();
    // The provider reports the first call again.
    const reread = await capture(call(at(4, 10)), at(6, 9));
    expect(reread.duplicates).toBe(1);
    // An import brings a call from before the last attempt.
    await capture(call(at(4, 16), { providerCallId: 'csv-1' }), at(6, 9));
    const after = (await db.leads.get(lead.id))!;
    expect(after.status).toBe('no-contact');
    expect(after.missedCount).toBe(2);
    expect(await countNoContact(db)).toBe(1);
  });

  it('an answered call from that number closes it: the caller got through', async () => {
    const lead = await noContactLead();
    await capture(call(at(6, 11), { reason: 'answered' }));
    expect((await db.leads.get(lead.id))!).toMatchObject({
      status: 'done',
      closeOutcome: 'reached',
    });
  });

  it('staff can reopen it by hand: the cadence starts again', async () => {
    const lead = await noContactLead();
    const reopened = await patchLead(db, settings, { leadId: lead.id, status: 'open' }, at(6, 10));
    expect(reopened.status).toBe('open');
    expect(reopened.dueAt).toBe(at(6, 10, 5));
    expect(nextStepOf(settings, reopened)?.step).toBe(1);
    expect(await countOverdue(db, at(6, 10, 20))).toBe(1);
  });
});

describe('automatic texts', () => {
  it('are recorded but are not a callback attempt: step 1 still waits for a call', async () => {
    const { added } = await capture(call(at(4, 10)));
    const leadId = added[0]!.leadId;
    const before = (await db.leads.get(leadId))!;
    const { attempt } = await recordAutomaticText(db, { leadId, at: at(4, 10, 1) });
    expect(attempt).toMatchObject({ method: 'text', outcome: 'sent', automatic: true });
    // Also when it arrives through recordAttempt (the message the background handles).
    await recordAttempt(
      db,
      settings,
      { leadId, method: 'text', outcome: 'sent', automatic: true },
      at(4, 10, 2),
    );
    const after = (await db.leads.get(leadId))!;
    expect(after.attemptCount).toBe(0);
    expect(after.firstAttemptAt).toBeUndefined();
    expect(after.dueAt).toBe(before.dueAt);
    expect(after.overdueAt).toBe(before.overdueAt);
    expect(nextStepOf(settings, after)?.step).toBe(1);

    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'call', outcome: 'no-answer' },
      at(4, 10, 3),
    );
    expect(lead.firstAttemptAt).toBe(at(4, 10, 3));
    expect(nextStepOf(settings, lead)?.step).toBe(2);
    expect(lead.dueAt).toBe(at(4, 11, 3));
  });

  it('do not end the cadence: after three automatic texts the lead is still waiting for step 1', async () => {
    const { added } = await capture(call(at(4, 10)));
    const leadId = added[0]!.leadId;
    for (const m of [1, 2, 3]) await recordAutomaticText(db, { leadId, at: at(4, 10, m) });
    expect((await db.leads.get(leadId))!.status).toBe('open');
    expect(await countNoContact(db)).toBe(0);
  });
});
