import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import {
  captureCalls,
  countDueSoon,
  countOverdue,
  patchLead,
  recordAttempt,
} from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';

const NY = 'America/New_York';
const at = (h: number, m = 0) => new TZDate(2026, 2, 4, h, m, NY).getTime(); // a Wednesday
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sourceRules: [
    {
      id: 'r1',
      line: '(800) 555-0100',
      source: 'Google Ads – PI',
      practiceArea: 'Personal injury',
      priority: true,
      sla: { targetMinutes: 2, limitMinutes: 5 },
    },
  ],
};

function call(overrides: Partial<IncomingCall> = {}): IncomingCall {
  return {
    from: '(212) 555-0143',
    startedAt: at(10),
    provider: 'ringcentral',
    capturePath: 'portal',
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
  await db.delete();
});

describe('captureCalls', () => {
  it('opens a lead with due times and normalised number', async () => {
    const result = await captureCalls(
      db,
      settings,
      [call({ callerName: 'Maria Lopez' })],
      at(10, 1),
    );
    expect(result.added).toHaveLength(1);
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({
      phone: '+12125550143',
      name: 'Maria Lopez',
      status: 'open',
      missedCount: 1,
      dueAt: at(10, 5),
      overdueAt: at(10, 15),
      openDueAt: at(10, 5),
      openOverdueAt: at(10, 15),
      noCallbackNumber: false,
    });
  });

  it('one lead per caller: a repeat call joins the open lead', async () => {
    await captureCalls(db, settings, [call()], at(10, 1));
    const result = await captureCalls(
      db,
      settings,
      [call({ from: '+1 212-555-0143', startedAt: at(10, 30) })],
      at(10, 31),
    );
    expect(result.added[0]?.newLead).toBe(false);
    expect(await db.leads.count()).toBe(1);
    expect(await db.calls.count()).toBe(2);
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ missedCount: 2, lastMissedAt: at(10, 30), dueAt: at(10, 5) });
  });

  it('the same call seen by two paths or rung to several agents is stored once', async () => {
    await captureCalls(db, settings, [call({ agent: 'Ann' })], at(10, 1));
    const again = await captureCalls(
      db,
      settings,
      [
        call({ agent: 'Bob', startedAt: at(10) + 20_000 }),
        call({
          provider: 'aircall',
          capturePath: 'api',
          providerCallId: 'A-1',
          startedAt: at(10) + 45_000,
          reason: 'voicemail',
        }),
      ],
      at(10, 2),
    );
    expect(again.added).toHaveLength(0);
    expect(again.duplicates).toBe(2);
    const calls = await db.calls.toArray();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ reason: 'voicemail', alsoSeenBy: ['api'] });
  });

  it('re-reading a call by its provider id adds nothing, even outside the window', async () => {
    await captureCalls(db, settings, [call({ providerCallId: 'rc-1' })], at(10, 1));
    const again = await captureCalls(
      db,
      settings,
      [call({ providerCallId: 'rc-1', startedAt: at(10, 30) })],
      at(11),
    );
    expect(again.duplicates).toBe(1);
    expect(await db.calls.count()).toBe(1);
  });

  it('duplicates inside one batch are dropped', async () => {
    const result = await captureCalls(
      db,
      settings,
      [call(), call(), call({ startedAt: at(10) + 1000 })],
      at(10, 1),
    );
    expect(result).toMatchObject({ duplicates: 2 });
    expect(await db.calls.count()).toBe(1);
  });

  it('anonymous and malformed callers are kept as separate leads flagged "no callback number"', async () => {
    const result = await captureCalls(
      db,
      settings,
      [
        call({ from: 'Anonymous' }),
        call({ from: 'Anonymous', startedAt: at(10, 1) }),
        call({ from: '12' }),
      ],
      at(10, 2),
    );
    expect(result.added).toHaveLength(3);
    const leads = await db.leads.toArray();
    expect(leads.every((l) => l.noCallbackNumber && l.phone === null)).toBe(true);
    expect(new Set(leads.map((l) => l.phoneKey)).size).toBe(3);
  });

  it('maps the dialled line to a source with tighter priority windows', async () => {
    await captureCalls(db, settings, [call({ dialedLine: '1-800-555-0100' })], at(10, 1));
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({
      source: 'Google Ads – PI',
      practiceArea: 'Personal injury',
      priority: true,
      dueAt: at(10, 2),
      overdueAt: at(10, 5),
    });
  });

  it('rejects bad input with a reason and writes nothing for it', async () => {
    const result = await captureCalls(
      db,
      settings,
      [{ from: 42 }, call({ startedAt: at(12) }), { ...call(), startedAt: -5 }, null],
      at(10),
    );
    expect(result.added).toHaveLength(0);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(result.rejected[1]?.error).toMatch(/future/);
    expect(await db.leads.count()).toBe(0);
  });

  it('a caller who got through later needs no callback', async () => {
    await captureCalls(db, settings, [call()], at(10, 1));
    const result = await captureCalls(
      db,
      settings,
      [call({ reason: 'answered', startedAt: at(10, 20), providerCallId: 'x' })],
      at(10, 21),
    );
    expect(result.answeredClosed).toBe(1);
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ status: 'done', answeredLaterAt: at(10, 20) });
    expect(lead?.openOverdueAt).toBeUndefined();
  });

  it('a redial that gets through within the dedupe window closes the lead', async () => {
    await captureCalls(db, settings, [call()], at(10, 1));
    const result = await captureCalls(
      db,
      settings,
      [call({ reason: 'answered', startedAt: at(10) + 60_000 })],
      at(10, 2),
    );
    expect(result).toMatchObject({ duplicates: 0, answeredClosed: 1 });
    expect((await db.leads.toArray())[0]).toMatchObject({ status: 'done' });
  });

  it('re-reading a caller with no number (no provider id) adds nothing', async () => {
    const anonymous = call({ from: 'Anonymous', provider: 'googlevoice' });
    await captureCalls(db, settings, [anonymous], at(10, 1));
    const again = await captureCalls(db, settings, [anonymous], at(10, 5));
    expect(again.duplicates).toBe(1);
    expect(await db.leads.count()).toBe(1);
    // Another anonymous call a minute later is another lead.
    await captureCalls(db, settings, [{ ...anonymous, startedAt: at(10, 1) }], at(10, 6));
    expect(await db.leads.count()).toBe(2);
  });

  it('calling again after an unanswered attempt makes the lead due again now', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    await recordAttempt(
      db,
      settings,
      { leadId: added[0]!.leadId, method: 'call', outcome: 'no-answer' },
      at(10, 3),
    );
    await captureCalls(db, settings, [call({ startedAt: at(10, 30) })], at(10, 31));
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ dueAt: at(10, 35), overdueAt: at(10, 45), missedCount: 2 });
  });

  it('answered calls with no open lead open no lead and store no call', async () => {
    const result = await captureCalls(db, settings, [call({ reason: 'answered' })], at(10, 1));
    expect(result.ignored).toBe(1);
    expect(await db.calls.count()).toBe(0);
  });

  it('a new call after the lead was closed opens a new lead', async () => {
    const first = await captureCalls(db, settings, [call()], at(10, 1));
    await patchLead(db, settings, { leadId: first.added[0]!.leadId, status: 'done' }, at(10, 3));
    const second = await captureCalls(db, settings, [call({ startedAt: at(14) })], at(14, 1));
    expect(second.added[0]?.newLead).toBe(true);
    expect(await db.leads.count()).toBe(2);
  });
  it('stored leads and calls leave out the fields a call did not have', async () => {
    // A large import clones and writes every stored key: absent ones stay absent.
    await captureCalls(db, settings, [call(), call({ startedAt: at(11) })], at(11, 1));
    await captureCalls(db, settings, [call({ reason: 'answered', startedAt: at(12) })], at(12, 1));
    const records = [...(await db.leads.toArray()), ...(await db.calls.toArray())];
    expect(records).toHaveLength(4);
    for (const record of records)
      expect(Object.entries(record).filter(([, value]) => value === undefined)).toEqual([]);
  });
});

describe('attempts and overdue counts', () => {
  it('counts overdue and due-soon open leads from the index', async () => {
    await captureCalls(
      db,
      settings,
      [call(), call({ from: '(212) 555-0199', startedAt: at(10, 10) })],
      at(10, 11),
    );
    expect(await countOverdue(db, at(10, 20))).toBe(1);
    expect(await countDueSoon(db, at(10, 20), 15 * 60_000)).toBe(1);
  });

  it('a closing outcome closes the lead and clears it from the overdue count', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    const leadId = added[0]!.leadId;
    expect(await countOverdue(db, at(10, 20))).toBe(1);
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'call', outcome: 'consultation-booked', notes: 'Thu 2pm' },
      at(10, 20),
    );
    expect(lead).toMatchObject({
      status: 'done',
      attemptCount: 1,
      closeOutcome: 'consultation-booked',
      firstAttemptAt: at(10, 20),
    });
    expect(await countOverdue(db, at(10, 20))).toBe(0);
    expect(await db.attempts.where('leadId').equals(leadId).count()).toBe(1);
  });

  it('an unanswered attempt moves the due time to the next step of the cadence', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId: added[0]!.leadId, method: 'call', outcome: 'no-answer' },
      at(10, 3),
    );
    expect(lead.status).toBe('open');
    expect(lead.dueAt).toBe(at(11, 3));
    expect(await countOverdue(db, at(10, 30))).toBe(0);
  });

  it('the third unanswered attempt completes the cadence: the lead moves to No contact', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    const leadId = added[0]!.leadId;
    await recordAttempt(db, settings, { leadId, method: 'call', outcome: 'no-answer' }, at(10, 3));
    await recordAttempt(
      db,
      settings,
      { leadId, method: 'voicemail', outcome: 'left-voicemail' },
      at(11, 3),
    );
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'email', outcome: 'sent' },
      at(10) + 86_400_000,
    );
    expect(lead.status).toBe('no-contact');
    expect(await countOverdue(db, at(10) + 3 * 86_400_000)).toBe(0);
  });

  it('keeping a lead open after the last attempt makes it due again, not overdue forever', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    const leadId = added[0]!.leadId;
    await recordAttempt(db, settings, { leadId, method: 'call', outcome: 'no-answer' }, at(10, 3));
    await recordAttempt(db, settings, { leadId, method: 'text', outcome: 'sent' }, at(11, 3));
    const later = at(10) + 86_400_000;
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'email', outcome: 'sent', close: false },
      later,
    );
    expect(lead.status).toBe('open');
    expect(lead.overdueAt).toBeGreaterThan(later);
  });

  it('rejects an attempt on a closed lead and writes nothing', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    const leadId = added[0]!.leadId;
    await patchLead(db, settings, { leadId, status: 'done' }, at(10, 2));
    await expect(
      recordAttempt(db, settings, { leadId, method: 'call', outcome: 'reached' }, at(10, 3)),
    ).rejects.toThrow(/already closed/);
    await expect(
      recordAttempt(db, settings, { leadId, method: 'fax', outcome: 'reached' }, at(10, 3)),
    ).rejects.toThrow();
    expect(await db.attempts.count()).toBe(0);
  });

  it('reopening a lead makes it due again from now', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    const leadId = added[0]!.leadId;
    await patchLead(db, settings, { leadId, status: 'done' }, at(10, 2));
    const lead = await patchLead(db, settings, { leadId, status: 'open', assignee: 'ann' }, at(13));
    expect(lead).toMatchObject({
      status: 'open',
      dueAt: at(13, 5),
      assignee: 'ann',
      openDueAt: at(13, 5),
    });
  });
});

describe('figures that stay right (issue 7)', () => {
  const DAY = 86_400_000;

  it('a back-filled call that started before the last attempt does not make the lead overdue', async () => {
    const { added } = await captureCalls(db, settings, [call()], at(10, 1));
    await recordAttempt(
      db,
      settings,
      { leadId: added[0]!.leadId, method: 'call', outcome: 'no-answer' },
      at(10, 3),
    );
    // An older call of the same caller arrives late (a CSV import, a poller catching up).
    const late = await captureCalls(
      db,
      settings,
      [call({ startedAt: at(9, 40), provider: 'aircall', providerCallId: 'old-1' })],
      at(10, 10),
    );
    expect(late.added).toHaveLength(1);
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ dueAt: at(11, 3), missedCount: 2, firstMissedAt: at(9, 40) });
    expect(await countOverdue(db, at(10, 30))).toBe(0);
  });

  it('a call dated 1 January 1970 or far in the future is refused with a reason, on every path', async () => {
    const now = at(10);
    for (const capturePath of ['portal', 'api', 'manual', 'crm', 'csv'] as const) {
      const result = await captureCalls(
        db,
        settings,
        [call({ startedAt: 0, capturePath }), call({ startedAt: now + 365 * DAY, capturePath })],
        now,
      );
      expect(result.added).toHaveLength(0);
      expect(result.rejected[0]?.error).toMatch(
        /^startedAt: the call is dated 31 Dec 1969, more than (90 days|2 years) ago$/,
      );
      expect(result.rejected[0]?.error).not.toMatch(/expected|received|Too (big|small)/i);
      expect(result.rejected[1]?.error).toMatch(/^startedAt: the call is in the future/);
    }
    expect(await db.leads.count()).toBe(0);
    expect(await countOverdue(db, now)).toBe(0);
  });

  it('a live path refuses calls older than 90 days; CSV keeps them as history, never overdue', async () => {
    const now = at(10);
    const old = now - 120 * DAY;
    const live = await captureCalls(db, settings, [call({ startedAt: old })], now);
    expect(live.rejected[0]?.error).toMatch(/more than 90 days ago/);
    const history = await captureCalls(
      db,
      settings,
      [call({ startedAt: old, capturePath: 'csv', provider: 'csv', providerCallId: 'h1' })],
      now,
    );
    expect(history.rejected).toEqual([]);
    expect(history.added).toHaveLength(0);
    expect(history.history).toBe(1);
    expect(await db.calls.count()).toBe(1);
    expect(await db.leads.toArray()).toMatchObject([{ status: 'done', firstMissedAt: old }]);
    expect(await countOverdue(db, now)).toBe(0);
    // A recent call of the same caller still opens a lead, due from its own time.
    const recent = await captureCalls(db, settings, [call({ startedAt: at(9, 58) })], now);
    expect(recent.added[0]?.newLead).toBe(true);
  });

  it('group ring: the answered leg arriving first keeps the missed leg out of the queue', async () => {
    const answered = await captureCalls(
      db,
      settings,
      [call({ reason: 'answered', providerCallId: 'leg-b', agent: 'Ana' })],
      at(10, 1),
    );
    expect(answered.ignored).toBe(1);
    const missed = await captureCalls(
      db,
      settings,
      [call({ startedAt: at(10) + 3_000, providerCallId: 'leg-a', agent: 'Ben' })],
      at(10, 2),
    );
    expect(missed.added).toHaveLength(0);
    expect(missed.alreadyAnswered).toBe(1);
    expect(await countOverdue(db, at(12))).toBe(0);
    expect(await db.leads.where('status').anyOf('open', 'claimed').count()).toBe(0);
    // The same end state as when the missed leg came first: a closed lead, the caller reached.
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({
      status: 'done',
      closeOutcome: 'reached',
      answeredLaterAt: at(10),
    });
    // A later, separate missed call of the same caller is queued as usual.
    const later = await captureCalls(db, settings, [call({ startedAt: at(14) })], at(14, 1));
    expect(later.added[0]?.newLead).toBe(true);
  });

  it('group ring: an answered leg a second before the missed leg still closes the lead', async () => {
    await captureCalls(db, settings, [call({ startedAt: at(10) + 1_000 })], at(10, 1));
    const answered = await captureCalls(
      db,
      settings,
      [call({ reason: 'answered', providerCallId: 'leg-b' })],
      at(10, 2),
    );
    expect(answered.answeredClosed).toBe(1);
    expect(await db.leads.where('status').anyOf('open', 'claimed').count()).toBe(0);
  });

  it('a caller name over 120 characters is shortened on every path, never refused', async () => {
    const long = 'Maria '.repeat(30);
    const paths = ['portal', 'api', 'manual', 'csv'] as const;
    for (const [i, capturePath] of paths.entries()) {
      const result = await captureCalls(
        db,
        settings,
        [call({ callerName: long, capturePath, from: `+1212555010${i}` })],
        at(10, 1),
      );
      expect(result.rejected).toEqual([]);
    }
    const names = (await db.leads.toArray()).map((l) => l.name!);
    expect(names.length).toBe(4);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(120);
      expect(name.endsWith('…')).toBe(true);
    }
  });
});

describe('large batches (imports)', () => {
  it('store exactly what capturing the same calls one at a time stores', async () => {
    const calls: IncomingCall[] = [];
    for (let i = 0; i < 120; i++) {
      const caller = `+1212555${String(1000 + (i % 37)).padStart(4, '0')}`;
      const startedAt = at(9) + i * 50_000 + (i % 5 === 0 ? 30_000 : 0);
      calls.push(
        call({
          from: caller,
          startedAt,
          reason: i % 4 === 3 ? 'answered' : 'no-answer',
          providerCallId: i % 6 === 0 ? `p-${i % 12}` : undefined,
          provider: 'aircall',
          capturePath: 'csv',
        }),
      );
    }
    const one = new CallbackDeskDB(`one-${crypto.randomUUID()}`);
    // Some calls are already stored (another path saw them), the rest arrive in one batch.
    for (const c of calls.slice(0, 10)) await captureCalls(one, settings, [c], at(12));
    for (const c of calls.slice(10)) await captureCalls(one, settings, [c], at(12));
    await captureCalls(db, settings, calls.slice(0, 10), at(12));
    const batch = await captureCalls(db, settings, calls.slice(10), at(12));
    expect(batch.rejected).toEqual([]);
    const summary = async (d: CallbackDeskDB) => ({
      leads: (await d.leads.toArray())
        .map((l) => `${l.phoneKey}:${l.status}:${l.missedCount}:${l.dueAt}:${l.overdueAt}`)
        .sort(),
      calls: (await d.calls.toArray())
        .map((c) => `${c.phoneKey}:${c.startedAt}:${c.reason}:${c.providerKey ?? ''}`)
        .sort(),
    });
    expect(await summary(db)).toEqual(await summary(one));
    await one.delete();
  });
});
