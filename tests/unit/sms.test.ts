import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { canSend, NO_PROVIDER_REASON, smsAvailability } from '@/utils/workflow/sms/clients';
import { readOptOutReplies } from '@/utils/workflow/messageOutbox';
import type { SmsClient } from '@/utils/workflow/sms/types';
import { closeAll, connectSource } from './pollerWorld';
import {
  CALLER,
  now,
  resetSmsWorld,
  ringCentralWorld,
  setSmsSettings,
  twilioWorld,
} from './smsWorld';

beforeEach(resetSmsWorld);
afterEach(closeAll);

async function client(): Promise<SmsClient> {
  const a = await smsAvailability(db, { now });
  if (!a.ok) throw new Error(a.reason);
  return a.client;
}

describe('SMS clients', () => {
  it('with no provider connected, says so in words the firm can act on', async () => {
    expect(await canSend(db)).toEqual({ ok: false, reason: NO_PROVIDER_REASON });
    expect(NO_PROVIDER_REASON).toBe(
      'No texting provider connected — connect Twilio or RingCentral in Options.',
    );
  });

  it('Twilio: picks an SMS-capable number of the account, sends a request valid against the spec, finds the text again', async () => {
    const twilio = await twilioWorld();
    const c = await client();
    expect(c.from).toBe('+12125550100');
    const sent = await c.send(CALLER, 'We missed your call.\nCalling you back now.');
    expect(sent.id).toMatch(/^SM/);
    expect(twilio.sms.sent).toEqual([
      expect.objectContaining({
        to: CALLER,
        from: '+12125550100',
        body: 'We missed your call.\nCalling you back now.',
      }),
    ]);
    expect(
      await c.findSent!(CALLER, now() - 60_000, 'We missed your call.\r\nCalling you back now. '),
    ).toMatchObject({ id: sent.id });
    expect(await c.findSent!(CALLER, now() - 60_000, 'Another text')).toBeNull();
    expect(
      await c.findSent!(
        '+13125550199',
        now() - 60_000,
        'We missed your call.\nCalling you back now.',
      ),
    ).toBeNull();
    expect(twilio.sms.violations).toEqual([]);
  });

  it('Twilio without an SMS-capable number: "Twilio connected but no sending number set"', async () => {
    const twilio = await twilioWorld();
    twilio.sms.numbers[0]!.sms = false;
    const result = await canSend(db);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^Twilio connected but no sending number set/);
  });

  it('Twilio with a Messaging Service chosen in Options sends with MessagingServiceSid (spec-valid)', async () => {
    const twilio = await twilioWorld();
    const service = `MG${'a'.repeat(32)}`;
    await setSmsSettings({ twilioFrom: service });
    const c = await client();
    expect(c.from).toBe(service);
    await c.send(CALLER, 'Hello');
    expect(twilio.sms.sent).toHaveLength(1);
    expect(twilio.sms.violations).toEqual([]);
    expect(await c.findSent!(CALLER, now() - 60_000, 'Hello')).not.toBeNull();
  });

  it('Twilio: STOP and START replies on our number mark and clear the opt-out', async () => {
    const twilio = await twilioWorld();
    const c = await client();
    twilio.sms.receive(CALLER, 'STOP', now() - 120_000);
    twilio.sms.receive('+13125550111', 'Thanks, call me at 3', now() - 100_000);
    const first = await readOptOutReplies(db, c, now(), true);
    expect(first.optedOut).toEqual([CALLER]);
    expect((await db.optOuts.get(CALLER))?.reason).toMatch(/^Replied "STOP"/);
    expect(await db.optOuts.get('+13125550111')).toBeUndefined();

    twilio.sms.receive(CALLER, 'start', now() + 1_000);
    const second = await readOptOutReplies(db, c, now() + 5_000, true);
    expect(second.optedIn).toEqual([CALLER]);
    expect(await db.optOuts.get(CALLER)).toBeUndefined();
    expect(twilio.sms.violations).toEqual([]);
  });

  it('a number the firm marked "do not text" stays marked through the caller’s STOP then START', async () => {
    const twilio = await twilioWorld();
    const c = await client();
    await db.optOuts.put({
      phoneKey: CALLER,
      reason: 'Opposing party — never text',
      source: 'firm',
      at: now() - 600_000,
    });
    twilio.sms.receive(CALLER, 'STOP', now() - 120_000);
    await readOptOutReplies(db, c, now(), true);
    twilio.sms.receive(CALLER, 'START', now() + 1_000);
    await readOptOutReplies(db, c, now() + 5_000, true);
    expect(await db.optOuts.get(CALLER)).toMatchObject({
      source: 'firm',
      reason: 'Opposing party — never text',
    });
  });

  it('RingCentral: sends from the extension number with the SmsSender feature, finds the text in the message store, reads STOP replies', async () => {
    const rc = await ringCentralWorld();
    rc.sms.numbers.unshift({ phoneNumber: '+16505550000', sms: false });
    const c = await client();
    expect(c.provider).toBe('ringcentral');
    expect(c.from).toBe('+12125550100');
    const sent = await c.send(CALLER, 'Returning your call');
    expect(rc.sms.sent).toHaveLength(1);
    expect(rc.sms.violations).toEqual([]);
    expect(await c.findSent!(CALLER, now() - 60_000, 'Returning your call')).toMatchObject({
      id: sent.id,
    });
    rc.sms.receive(CALLER, 'Unsubscribe', now() - 10_000);
    const replies = await readOptOutReplies(db, c, now(), true);
    expect(replies.optedOut).toEqual([CALLER]);
  });

  it('RingCentral with no SMS-capable number says so', async () => {
    const rc = await ringCentralWorld();
    rc.sms.numbers[0]!.sms = false;
    const result = await canSend(db);
    expect(!result.ok && result.reason).toMatch(
      /RingCentral connected but no number of this extension may send SMS/,
    );
  });

  it('the firm’s chosen provider is used when several are connected', async () => {
    await twilioWorld();
    await ringCentralWorld();
    expect((await client()).provider).toBe('twilio');
    await setSmsSettings({ provider: 'ringcentral' });
    expect((await client()).provider).toBe('ringcentral');
  });

  it('Dialpad and Aircall send with their documented requests, and have no lookup', async () => {
    const requests: { url: string; method: string; body: unknown; auth: string | null }[] = [];
    const fake: typeof fetch = async (input, init) => {
      requests.push({
        url: String(input),
        method: init?.method ?? 'GET',
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        auth: new Headers(init?.headers).get('authorization'),
      });
      return new Response(JSON.stringify({ id: 42, message_status: 'pending' }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    };
    await connectSource('dialpad', 'http://127.0.0.1:9', { apiKey: 'dp-key' });
    expect(await canSend(db)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^Dialpad connected but no sending number set/),
    });
    await setSmsSettings({ dialpadFrom: '+14155550123' });
    const dialpad = await smsAvailability(db, { fetch: fake });
    if (!dialpad.ok) throw new Error(dialpad.reason);
    await dialpad.client.send(CALLER, 'Hello from Dialpad');
    expect(requests.at(-1)).toEqual({
      url: 'http://127.0.0.1:9/api/v2/sms',
      method: 'POST',
      body: { to_numbers: [CALLER], text: 'Hello from Dialpad', from_number: '+14155550123' },
      auth: 'Bearer dp-key',
    });
    expect(dialpad.client.findSent).toBeNull();

    await connectSource('aircall', 'http://127.0.0.1:9', { apiId: 'id', apiToken: 'tok' });
    await setSmsSettings({ provider: 'aircall' });
    expect(await canSend(db)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^Aircall connected but no sending number set/),
    });
    await setSmsSettings({ provider: 'aircall', aircallNumberId: '12345' });
    const aircall = await smsAvailability(db, { fetch: fake });
    if (!aircall.ok) throw new Error(aircall.reason);
    await aircall.client.send(CALLER, 'Hello from Aircall');
    expect(requests.at(-1)).toMatchObject({
      url: 'http://127.0.0.1:9/v1/numbers/12345/messages/native/send',
      method: 'POST',
      body: { to: CALLER, body: 'Hello from Aircall' },
    });
    expect(aircall.client.findSent).toBeNull();
  });
});
