import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { db } from '@/utils/db';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import { needsTextFirst, type IncomingCall, type Lead, type MissedCall } from '@/utils/model';
import { DEFAULT_AUTO_TEXT_SETTINGS, type AutoTextSettings } from '@/utils/workflow/autoText';
import {
  noteCapturedCalls,
  pendingAutoTextsItem,
  saveAutoTextSettings,
  setAutoTextProcessor,
} from '@/utils/workflow/autoTextStore';
import { processAutoTexts, type AutoTextDeps } from '@/utils/workflow/autoTextService';
import { markOptedOut, retryText, type MessageJob } from '@/utils/workflow/messageOutbox';
import { drain, later, resetSmsWorld, twilioWorld } from './smsWorld';

const NY = 'America/New_York';
/** Wednesday 10 June 2026, 13:00 in New York. */
const T0 = new TZDate(2026, 5, 10, 13, 0, NY).getTime();
const FIRM: FirmSettings = { ...DEFAULT_SETTINGS, timeZone: NY, dedupeWindowSeconds: 120 };
const ON: AutoTextSettings = { ...DEFAULT_AUTO_TEXT_SETTINGS, enabled: true, debounceSeconds: 15 };
const SF_CALLER = '(415) 555-0134';

let clock = T0;
const now = () => clock;
let drains = 0;
let scheduled: number[] = [];
let sendable = true;

function deps(overrides: Partial<AutoTextDeps> = {}): AutoTextDeps {
  return {
    db,
    now,
    firmSettings: async () => FIRM,
    canSend: async () => sendable,
    drain: () => {
      drains++;
    },
    schedule: async (at) => {
      scheduled.push(at);
    },
    ...overrides,
  };
}

function missed(patch: Partial<IncomingCall> = {}): IncomingCall {
  return {
    from: SF_CALLER,
    startedAt: clock - 30_000,
    provider: 'ringcentral',
    providerCallId: `call-${clock}`,
    capturePath: 'portal',
    reason: 'no-answer',
    ...patch,
  };
}

/** What the background does with a page's report: capture, then hand over. */
async function capture(...calls: IncomingCall[]) {
  const result = await captureCalls(db, FIRM, calls, clock);
  await noteCapturedCalls(result.added, clock);
  await processAutoTexts(deps());
  return result;
}

async function texts(): Promise<MessageJob[]> {
  return (await db.messages.toArray()) as unknown as MessageJob[];
}

async function onlyLead(): Promise<Lead> {
  const leads = await db.leads.toArray();
  expect(leads).toHaveLength(1);
  return leads[0]!;
}

async function callOf(id: string): Promise<MissedCall> {
  return (await db.calls.get(id))!;
}

/** Move the clock to `at` and run the engine, as the timer or the alarm would. */
async function runAt(at: number, overrides: Partial<AutoTextDeps> = {}) {
  clock = at;
  await processAutoTexts(deps(overrides));
}

beforeEach(async () => {
  await resetSmsWorld();
  await pendingAutoTextsItem.setValue([]);
  setAutoTextProcessor(undefined);
  clock = T0 - 3_600_000;
  await saveAutoTextSettings(ON, clock);
  clock = T0;
  drains = 0;
  scheduled = [];
  sendable = true;
});

afterEach(() => setAutoTextProcessor(undefined));

describe('automatic text after a missed call', () => {
  it('queues one text after the debounce, within the minute, in the firm’s words', async () => {
    const { added } = await capture(missed());
    expect(await texts()).toEqual([]);
    expect((await callOf(added[0]!.callId)).autoText).toMatchObject({
      state: 'waiting',
      until: T0 + 15_000,
    });
    expect(scheduled).toEqual([T0 + 15_000]);

    await runAt(T0 + 15_000);
    const [text, ...more] = await texts();
    expect(more).toEqual([]);
    expect(text).toMatchObject({
      automatic: true,
      to: '+14155550134',
      callId: added[0]!.callId,
      key: `auto:+14155550134:${added[0]!.callId}`,
      state: 'queued',
    });
    expect(text!.body).toContain('We missed your call. We are returning it now.');
    expect(drains).toBe(1);
    expect((await callOf(added[0]!.callId)).autoText).toMatchObject({ state: 'queued' });
    expect(await pendingAutoTextsItem.getValue()).toEqual([]);
  });

  it('reaches the provider once and is recorded as an automatic attempt, not a callback', async () => {
    const twilio = await twilioWorld();
    await capture(missed());
    await runAt(T0 + 15_000);
    await drain({ now });
    expect(twilio.sms.sent.map((s) => s.to)).toEqual(['+14155550134']);
    expect(twilio.sms.violations).toEqual([]);
    const attempts = await db.attempts.toArray();
    expect(attempts).toMatchObject([{ method: 'text', outcome: 'sent', automatic: true }]);
    const lead = await onlyLead();
    expect(lead.attemptCount).toBe(0);
    expect(lead.firstAttemptAt).toBeUndefined();
  });

  it('the same call seen twice, and a second leg a moment later, make one decision and one text', async () => {
    const first = missed({ providerCallId: 'leg-1' });
    await capture(first);
    clock += 3_000;
    // The page re-reads the same row, and the API poller reports it too.
    await capture(first, { ...first, capturePath: 'api', provider: 'ringcentral' });
    // A second leg of the call (another line rang) with its own id, 40 s later.
    clock += 2_000;
    await capture(missed({ providerCallId: 'leg-2', startedAt: first.startedAt + 40_000 }));
    await runAt(T0 + 60_000);
    expect((await texts()).length).toBe(1);
    expect(await pendingAutoTextsItem.getValue()).toEqual([]);
  });

  it('no text when the answered leg of the same call arrives during the debounce', async () => {
    const { added } = await capture(missed({ providerCallId: 'leg-1' }));
    clock += 5_000;
    await capture(missed({ providerCallId: 'leg-2', reason: 'answered', startedAt: T0 - 25_000 }));
    await runAt(T0 + 15_000);
    expect(await texts()).toEqual([]);
    expect((await callOf(added[0]!.callId)).autoText).toMatchObject({
      state: 'skipped',
      reason: 'called-back',
    });
  });

  it('a worker stopped during the debounce, or after queuing, still sends exactly one', async () => {
    const twilio = await twilioWorld();
    await capture(missed());
    // The worker is stopped before its timer fires: the alarm wakes a new one 30 s later.
    await runAt(T0 + 30_000);
    expect((await texts()).length).toBe(1);
    // Stopped after queuing but before the pending list was saved: the next start decides
    // the same call again and finds its text already queued.
    const call = (await db.calls.toArray())[0]!;
    await pendingAutoTextsItem.setValue([{ callId: call.id, leadId: call.leadId, dueAt: clock }]);
    await runAt(T0 + 31_000);
    await runAt(T0 + 32_000);
    expect((await texts()).length).toBe(1);
    expect((await callOf(call.id)).autoText).toMatchObject({ state: 'queued' });
    await drain({ now });
    await drain({ now });
    expect(twilio.sms.sent).toHaveLength(1);
  });

  it('holds a text in the caller’s quiet hours and sends it at the first allowed minute', async () => {
    // 10:00 in New York is 07:00 for a San Francisco caller.
    clock = new TZDate(2026, 5, 10, 10, 0, NY).getTime();
    const { added } = await capture(missed());
    await runAt(clock + 15_000);
    expect(await texts()).toEqual([]);
    const firstAllowed = new TZDate(2026, 5, 10, 8, 0, 'America/Los_Angeles').getTime();
    expect((await callOf(added[0]!.callId)).autoText).toMatchObject({
      state: 'held',
      until: firstAllowed,
      zones: ['America/Los_Angeles'],
    });
    expect(scheduled.at(-1)).toBe(firstAllowed);
    await runAt(firstAllowed - 60_000);
    expect(await texts()).toEqual([]);
    await runAt(firstAllowed);
    expect(await texts()).toHaveLength(1);
  });

  it('a held text is dropped when staff call the caller back first', async () => {
    clock = new TZDate(2026, 5, 10, 10, 0, NY).getTime();
    await capture(missed());
    await runAt(clock + 15_000);
    const lead = await onlyLead();
    clock += 10 * 60_000;
    await recordAttempt(db, FIRM, { leadId: lead.id, method: 'call', outcome: 'no-answer' }, clock);
    await runAt(new TZDate(2026, 5, 10, 8, 0, 'America/Los_Angeles').getTime());
    expect(await texts()).toEqual([]);
  });

  it('never texts an opted-out number, a remembered landline or a caller with no number', async () => {
    await markOptedOut(db, { phoneKey: '+14155550134', reason: 'Replied STOP', source: 'firm' });
    await capture(missed());
    // A landline: an earlier text to it failed with the provider's "not a mobile number".
    await db.messages.add({
      id: 'old',
      key: 'manual:old',
      leadId: 'x',
      phoneKey: '+12125550100',
      to: '+12125550100',
      state: 'failed',
      notMobile: true,
      at: T0 - 7 * 24 * 3_600_000,
    });
    await capture(missed({ from: '(212) 555-0100', providerCallId: 'landline' }));
    await capture(missed({ from: 'Anonymous', providerCallId: 'anon' }));
    await runAt(T0 + 20_000);
    expect((await texts()).filter((t) => t.id !== 'old')).toEqual([]);
    const reasons = (await db.calls.toArray()).map((c) => c.autoText?.reason).sort();
    expect(reasons).toEqual(['no-callback-number', 'not-mobile', 'opted-out']);
  });

  it('sends at most one automatic text per number in 24 hours', async () => {
    await capture(missed());
    await runAt(T0 + 15_000);
    const lead = await onlyLead();
    // The caller rings again five hours later (the lead still open): no second text.
    clock = T0 + 5 * 3_600_000;
    await capture(missed({ providerCallId: 'again' }));
    await runAt(clock + 15_000);
    expect(await texts()).toHaveLength(1);
    // The next day, 25 hours after the first text, after the lead was closed and reopened.
    await recordAttempt(db, FIRM, { leadId: lead.id, method: 'call', outcome: 'reached' }, clock);
    clock = T0 + 25 * 3_600_000;
    await capture(missed({ providerCallId: 'next-day' }));
    await runAt(clock + 15_000);
    expect(await texts()).toHaveLength(2);
  });

  it('a call later the same day is texted when the morning’s automatic text failed without going', async () => {
    // Twilio refuses the saved credentials: the morning's text fails, nothing reaches the caller.
    await twilioWorld({ authToken: 'revoked-token' });
    await capture(missed());
    await runAt(T0 + 15_000);
    await drain({ now });
    expect(await texts()).toMatchObject([{ state: 'failed', maybeSent: false }]);
    // The firm reconnects; the caller rings again in the afternoon, same day.
    const twilio = await twilioWorld();
    clock = T0 + 3 * 3_600_000;
    const { added } = await capture(missed({ providerCallId: 'afternoon' }));
    await runAt(clock + 15_000);
    await drain({ now });
    expect(twilio.sms.sent.map((s) => s.to)).toEqual(['+14155550134']);
    expect((await texts()).find((t) => t.callId === added[0]!.callId)).toMatchObject({
      state: 'sent',
    });
  });

  it('on the 25-hour day the clocks go back, a call 24 h 45 min after the first text gets its own text', async () => {
    // 00:10 and 23:55 in New York on Sunday 1 November 2026 (EDT, then EST): 24 h 45 min
    // apart. The caller is in Honolulu (no DST), where both are early evening.
    const HI_CALLER = '(808) 555-0134';
    clock = new TZDate(2026, 10, 1, 0, 10, NY).getTime();
    await capture(missed({ from: HI_CALLER, providerCallId: 'first' }));
    await runAt(clock + 15_000);
    expect(await texts()).toHaveLength(1);
    clock = new TZDate(2026, 10, 1, 23, 55, NY).getTime();
    const { added } = await capture(missed({ from: HI_CALLER, providerCallId: 'second' }));
    await runAt(clock + 15_000);
    const all = await texts();
    expect(all).toHaveLength(2);
    expect(all.find((t) => t.callId === added[0]!.callId)).toMatchObject({ state: 'queued' });
  });

  it('an automatic text the provider refuses marks the lead "No auto-text sent"; sent on Retry, the mark goes', async () => {
    await twilioWorld({ authToken: 'revoked-token' });
    const { added } = await capture(missed());
    await runAt(T0 + 15_000);
    await drain({ now });
    const [failed] = await texts();
    expect(failed).toMatchObject({ state: 'failed', maybeSent: false });
    // Twilio refused the saved credentials: no texting connection could send.
    expect(needsTextFirst(await onlyLead())).toMatchObject({
      reason: 'no-sms-connection',
      callId: added[0]!.callId,
    });
    // The firm reconnects Twilio and presses Retry: the text goes, the lead is no longer marked.
    const twilio = await twilioWorld();
    clock += 60_000;
    await retryText(db, failed!.id, {}, clock);
    await drain({ now });
    expect(twilio.sms.sent).toHaveLength(1);
    expect(needsTextFirst(await onlyLead())).toBeUndefined();
  });

  it('two missed calls at 23:59 and 00:01 get one automatic text, sent or held across midnight', async () => {
    // A Honolulu caller (early evening there): both calls are in sending hours.
    const HI_CALLER = '(808) 555-0134';
    clock = new TZDate(2026, 5, 10, 23, 59, NY).getTime();
    await capture(missed({ from: HI_CALLER, providerCallId: 'before-midnight' }));
    clock += 2 * 60_000;
    await capture(missed({ from: HI_CALLER, providerCallId: 'after-midnight' }));
    await runAt(clock + 15_000);
    expect(await texts()).toHaveLength(1);
    // A New York caller: both held for the quiet hours, decided together at 08:00.
    clock = new TZDate(2026, 5, 12, 23, 59, NY).getTime();
    await capture(missed({ from: '(212) 555-0177', providerCallId: 'ny-1' }));
    clock += 2 * 60_000;
    await capture(missed({ from: '(212) 555-0177', providerCallId: 'ny-2' }));
    await runAt(clock + 15_000);
    await runAt(new TZDate(2026, 5, 13, 8, 0, NY).getTime());
    expect((await texts()).filter((t) => t.to === '+12125550177')).toHaveLength(1);
  });

  it('an automatic text still waiting in the outbox (Twilio said slow down) is not sent once staff reached the caller', async () => {
    const twilio = await twilioWorld();
    twilio.state.faults.push({
      kind: '429',
      match: /^POST \/2010-04-01\/Accounts\/\w+\/Messages\.json$/,
      retryAfterSeconds: 120,
    });
    await capture(missed());
    await runAt(T0 + 15_000);
    await drain({ now });
    expect(await texts()).toMatchObject([{ state: 'queued' }]);
    // Staff call the caller back and reach them before Twilio lets the text go.
    clock = T0 + 60_000;
    const lead = await onlyLead();
    await recordAttempt(db, FIRM, { leadId: lead.id, method: 'call', outcome: 'reached' }, clock);
    clock = T0 + 3 * 60_000;
    later(3 * 60_000); // the clients' clock (Twilio's Retry-After is kept by the rate limiter)
    await drain({ now });
    expect(twilio.sms.sent).toEqual([]);
    expect((await texts())[0]).toMatchObject({ state: 'cancelled' });
    expect((await texts())[0]!.error).toMatch(/reached|called back/);
  });

  it('asks whether a text can go when it is due, not at capture', async () => {
    sendable = false;
    await capture(missed());
    sendable = true; // the provider's sending number was read meanwhile
    await runAt(T0 + 15_000);
    expect(await texts()).toHaveLength(1);
    expect((await onlyLead()).noAutoText).toBeUndefined();
  });

  it('flags "no auto-text sent" when the call was seen too late or nothing could send', async () => {
    // The browser was closed: the portal shows a call from 20 minutes ago.
    await capture(missed({ startedAt: T0 - 20 * 60_000, providerCallId: 'late' }));
    sendable = false;
    await capture(missed({ from: '(212) 555-0100', providerCallId: 'no-connection' }));
    await runAt(T0 + 20_000);
    expect(await texts()).toEqual([]);
    const flags = (await db.leads.toArray()).map((l) => l.noAutoText?.reason).sort();
    expect(flags).toEqual(['captured-late', 'no-sms-connection']);
  });

  it('a text that cannot be prepared is tried a few times, then the lead is marked instead', async () => {
    const broken = { render: async () => Promise.reject(new Error('template unreadable')) };
    const { added } = await capture(missed());
    for (let i = 0; i < 5; i++) await runAt(clock + 15_000, broken);
    expect(await texts()).toEqual([]);
    expect(await pendingAutoTextsItem.getValue()).toEqual([]);
    expect((await callOf(added[0]!.callId)).autoText).toMatchObject({
      state: 'skipped',
      reason: 'failed: template unreadable',
    });
    expect((await onlyLead()).noAutoText).toMatchObject({ reason: 'failed' });
  });

  it('flags no call from before auto-text was switched on, and does nothing while it is off', async () => {
    // Switched on an hour ago; the portal shows a call from two hours ago.
    await capture(missed({ startedAt: T0 - 2 * 3_600_000, providerCallId: 'before' }));
    expect((await onlyLead()).noAutoText).toBeUndefined();
    await saveAutoTextSettings({ ...ON, enabled: false }, clock);
    await capture(missed({ from: '(212) 555-0100', providerCallId: 'off' }));
    expect(await pendingAutoTextsItem.getValue()).toEqual([]);
    await runAt(T0 + 60_000);
    expect(await texts()).toEqual([]);
  });
});
