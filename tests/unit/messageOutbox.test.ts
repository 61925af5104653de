import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import {
  enqueueText,
  isOptedOut,
  lastAutomaticText,
  LOOKUP_PATIENCE_MS,
  LOOKUP_SETTLE_MS,
  markOptedOut,
  retryText,
  textsSentTo,
} from '@/utils/workflow/messageOutbox';
import { closeAll, connectSource } from './pollerWorld';
import {
  addLead,
  CALLER,
  drain,
  job,
  later,
  now,
  queueText,
  resetSmsWorld,
  ringCentralWorld,
  twilioWorld,
} from './smsWorld';

const POST_MESSAGES = /^POST \/2010-04-01\/Accounts\/\w+\/Messages\.json$/;

beforeEach(resetSmsWorld);
afterEach(closeAll);

describe('message outbox', () => {
  it('sends a queued text once, records it as a text attempt, and the request fits the Twilio spec', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    const again = await queueText(lead);
    expect(again.id).toBe(queued.id);

    const report = await drain();
    expect(report.sent).toBe(1);
    expect(twilio.sms.sent).toHaveLength(1);
    expect(twilio.sms.sent[0]).toMatchObject({ to: CALLER, from: '+12125550100' });
    expect(twilio.sms.violations).toEqual([]);

    const sent = await job(queued.id);
    expect(sent.state).toBe('sent');
    expect(sent.providerMessageId).toMatch(/^SM/);
    const attempts = await db.attempts.where('leadId').equals(lead.id).toArray();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ method: 'text', outcome: 'sent', to: CALLER });
    expect(attempts[0]!.automatic).toBeUndefined();

    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
  });

  it('a worker killed after the request left: the next drain finds the text at Twilio and does not send it again', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    // The send reaches Twilio, then the worker dies before the answer is read.
    const dying: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method !== 'POST') return response;
      return new Promise<Response>(() => undefined);
    };
    void drain({ runId: 'worker-dead' }, dying);
    await expect.poll(() => twilio.sms.sent.length).toBe(1);
    expect((await job(queued.id)).state).toBe('sending');

    // A new worker starts (the alarm wakes it) a minute later.
    later(60_000);
    const report = await drain({ runId: 'worker-2' });
    expect(report.sent).toBe(1);
    expect(twilio.sms.sent).toHaveLength(1);
    expect(
      twilio.state.requests.filter((r) => POST_MESSAGES.test(`${r.method} ${r.path}`)),
    ).toHaveLength(1);
    expect((await job(queued.id)).state).toBe('sent');
    expect(await db.attempts.count()).toBe(1);
  });

  it('a worker killed after deciding to send but before the request left: the next drain sends it (never lost)', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    const dying: typeof fetch = (input, init) =>
      String(input).includes('Messages.json') && init?.method === 'POST'
        ? new Promise<Response>(() => undefined)
        : fetch(input, init);
    void drain({ runId: 'worker-dead' }, dying);
    await expect.poll(async () => (await job(queued.id)).state).toBe('sending');
    expect(twilio.sms.sent).toHaveLength(0);

    // Too soon: the first request could still arrive, so nothing is sent.
    later(5_000);
    await drain({ runId: 'worker-2' });
    expect(twilio.sms.sent).toHaveLength(0);

    // Looked up, not found: Twilio's list can lag, so it looks again before sending.
    later(LOOKUP_PATIENCE_MS);
    await drain({ runId: 'worker-2' });
    expect(twilio.sms.sent).toHaveLength(0);
    later(LOOKUP_SETTLE_MS);
    const report = await drain({ runId: 'worker-2' });
    expect(report.sent).toBe(1);
    expect(twilio.sms.sent).toHaveLength(1);
  });

  it('a 500 after Twilio created the message: looked up, recorded as sent, not sent twice', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    twilio.state.faults.push({ kind: '500-after', match: POST_MESSAGES });

    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    const waiting = await job(queued.id);
    expect(waiting).toMatchObject({ state: 'queued', maybeSent: true });

    later(LOOKUP_PATIENCE_MS + 1_000);
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    expect((await job(queued.id)).state).toBe('sent');
    expect(
      twilio.state.requests.filter((r) => POST_MESSAGES.test(`${r.method} ${r.path}`)),
    ).toHaveLength(1);
  });

  it('a 500 after Twilio created the text while its message list lags minutes behind: looked up again until found, not sent twice', async () => {
    const twilio = await twilioWorld();
    twilio.sms.clock = now;
    twilio.sms.listLagMs = 3 * 60_000;
    const lead = await addLead();
    const queued = await queueText(lead);
    twilio.state.faults.push({ kind: '500-after', match: POST_MESSAGES });
    await drain();
    for (let minute = 0; minute < 10; minute++) {
      later(60_000);
      await drain();
    }
    expect(twilio.sms.sent).toHaveLength(1);
    expect(await job(queued.id)).toMatchObject({
      state: 'sent',
      providerMessageId: twilio.sms.sent[0]!.id,
    });
  });

  it('a connection dropped after the message was created: looked up, not sent twice', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    twilio.state.faults.push({ kind: 'drop-after', match: POST_MESSAGES });
    await drain();
    later(LOOKUP_PATIENCE_MS + 1_000);
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    expect((await job(queued.id)).state).toBe('sent');
  });

  it('a connection dropped before Twilio saw the request: the lookup finds nothing, so it is sent once', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    twilio.state.faults.push({ kind: 'drop', match: POST_MESSAGES });
    await drain();
    expect(twilio.sms.sent).toHaveLength(0);
    later(LOOKUP_PATIENCE_MS + 1_000);
    await drain();
    expect(twilio.sms.sent).toHaveLength(0);
    later(LOOKUP_SETTLE_MS);
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    expect((await job(queued.id)).state).toBe('sent');
  });

  it('the same words sent to the same number a moment before do not pass for a text that never left', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const first = await queueText(lead);
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    // Staff send the same words again; the connection drops before Twilio sees the request.
    const second = await queueText(lead, { key: 'manual:again' });
    twilio.state.faults.push({ kind: 'drop', match: POST_MESSAGES });
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    later(LOOKUP_SETTLE_MS + 1_000);
    await drain();
    // The lookup finds only the first text, which is the first job's: the second is sent.
    expect(twilio.sms.sent).toHaveLength(2);
    const [a, b] = [await job(first.id), await job(second.id)];
    expect(b.state).toBe('sent');
    expect(b.providerMessageId).not.toBe(a.providerMessageId);
    expect(b.providerMessageId).toBe(twilio.sms.sent[1]!.id);
  });

  it('a 429 waits for Retry-After, then sends once', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    twilio.state.faults.push({ kind: '429', match: POST_MESSAGES, retryAfterSeconds: 120 });
    const first = await drain();
    const waiting = await job(queued.id);
    expect(waiting).toMatchObject({ state: 'queued', maybeSent: false });
    expect(waiting.nextTryAt).toBeGreaterThanOrEqual(now() + 119_000);
    expect(first.nextTryAt).toBe(waiting.nextTryAt);

    later(60_000);
    await drain();
    expect(twilio.sms.sent).toHaveLength(0);
    later(61_000);
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
  });

  it('Twilio 21610 (the caller replied STOP): the number is marked opted out and the text is never retried', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    twilio.sms.optedOut.add(CALLER);
    const queued = await queueText(lead);
    await drain();
    const failed = await job(queued.id);
    expect(failed).toMatchObject({ state: 'failed', optedOut: true });
    expect(failed.error).toContain('21610');
    expect(await isOptedOut(db, CALLER)).toBe(true);

    later(3_600_000);
    await drain();
    const posts = twilio.state.requests.filter((r) => POST_MESSAGES.test(`${r.method} ${r.path}`));
    expect(posts).toHaveLength(1);
    await expect(retryText(db, queued.id, {}, now())).rejects.toThrow(/opted out/);

    // A later text to the number is not even tried.
    const next = await queueText(lead, { key: 'manual:2' });
    await drain();
    expect((await job(next.id)).state).toBe('failed');
    expect(
      twilio.state.requests.filter((r) => POST_MESSAGES.test(`${r.method} ${r.path}`)),
    ).toHaveLength(1);
  });

  it('a STOP reply read back from Twilio marks the number; its queued text is not sent', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    twilio.sms.receive(CALLER, ' Stop ', now() - 60_000);
    const queued = await queueText(lead);
    await drain();
    expect(await isOptedOut(db, CALLER)).toBe(true);
    expect((await db.optOuts.get(CALLER))?.source).toBe('inbound-stop');
    expect((await job(queued.id)).state).toBe('failed');
    expect(twilio.sms.sent).toHaveLength(0);
  });

  it('rejected credentials: the text fails with "reconnect", nothing is sent; Retry after reconnecting sends it', async () => {
    const twilio = await twilioWorld({ authToken: 'revoked-token' });
    const lead = await addLead();
    const queued = await queueText(lead);
    await drain();
    const failed = await job(queued.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/Reconnect Twilio/);
    expect(twilio.sms.sent).toHaveLength(0);

    await twilioWorld(); // connected again with the right token (a new emulator)
    await retryText(db, queued.id, {}, now());
    await drain();
    expect((await job(queued.id)).state).toBe('sent');
  });

  it('RingCentral: an expired access token is refreshed and the text goes once', async () => {
    const rc = await ringCentralWorld();
    const lead = await addLead();
    rc.oauth.expireAccessTokens();
    const queued = await queueText(lead);
    await drain();
    expect((await job(queued.id)).state).toBe('sent');
    expect(rc.sms.sent).toHaveLength(1);
    expect(rc.sms.violations).toEqual([]);
  });

  it('RingCentral sign-in that can no longer be renewed: the text fails with "connect again", nothing is sent', async () => {
    const rc = await ringCentralWorld();
    await connectSource(
      'ringcentral',
      rc.url,
      {
        accessToken: 'stale',
        refreshToken: 'old',
        expiresAt: now() - 1_000,
        refreshExpiresAt: now() - 1_000,
      },
      { clientId: rc.oauth.clientId, scope: 'extension' },
    );
    const lead = await addLead();
    const queued = await queueText(lead);
    await drain();
    const failed = await job(queued.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe(
      'Not sent: RingCentral sign-in expired (no poll for a week). Connect again to sign in.',
    );
    expect(rc.sms.sent).toHaveLength(0);
  });

  it('a sent text is handed to the CRM layer once, with its attempt', async () => {
    await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    const handed: string[] = [];
    const onSent = async (j: { id: string }, attempt: { id: string; method: string }) => {
      handed.push(`${j.id}:${attempt.method}`);
    };
    await drain({ onSent });
    await drain({ onSent });
    expect(handed).toEqual([`${queued.id}:text`]);
    expect((await job(queued.id)).attemptId).toBe((await db.attempts.toArray())[0]!.id);
  });

  it('a worker killed after the text’s attempt was recorded but before its CRM record was queued: the next drain queues it, once', async () => {
    await twilioWorld();
    const lead = await addLead();
    const queued = await queueText(lead);
    // The worker dies inside the CRM hand-off (after the attempt's transaction committed).
    let reachedHandOff = false;
    void drain({
      runId: 'worker-dead',
      onSent: () => {
        reachedHandOff = true;
        return new Promise<void>(() => undefined);
      },
    });
    await expect.poll(() => reachedHandOff).toBe(true);
    expect(await db.attempts.count()).toBe(1);

    const handed: string[] = [];
    const onSent = async (j: { id: string }, attempt: { id: string }) => {
      handed.push(`${j.id}:${attempt.id}`);
    };
    later(LOOKUP_PATIENCE_MS);
    await drain({ runId: 'worker-2', onSent });
    await drain({ runId: 'worker-2', onSent });
    const attemptId = (await db.attempts.toArray())[0]!.id;
    expect(handed).toEqual([`${queued.id}:${attemptId}`]);
    expect(await db.attempts.count()).toBe(1);
  });

  it('a CRM hand-off that fails (the database was busy) is tried again on the next drain', async () => {
    await twilioWorld();
    const lead = await addLead();
    await queueText(lead);
    await drain({
      onSent: async () => {
        throw new Error('DatabaseClosedError');
      },
    });
    const handed: string[] = [];
    await drain({
      onSent: async (j) => {
        handed.push(j.id);
      },
    });
    expect(handed).toHaveLength(1);
  });

  it('two drains at once (same worker, or a new worker) send the text once', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    await queueText(lead);
    await queueText(lead, { key: 'manual:2', body: 'Second note' });
    await Promise.all([drain(), drain(), drain({ runId: 'worker-2' })]);
    later(LOOKUP_PATIENCE_MS + 1_000);
    await drain({ runId: 'worker-3' });
    expect(twilio.sms.sent.map((s) => s.body).sort()).toEqual([
      'Hi Dana, this is Reyes Law returning your call. When is a good time to talk?',
      'Second note',
    ]);
  });

  it('a drain asked to look again just as the running one finishes: the text that became due is sent, not left for the next alarm', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const start = now();
    await queueText(lead, { key: 'manual:held', sendAfter: start + 60_000 });
    // The running drain's clock: its third reading is when it has found nothing due and is
    // about to stop. Right then a minute passes (the text is due) and a second drain of the
    // same worker starts (the alarm): it finds the lease held and asks to look again.
    let readings = 0;
    let second: Promise<unknown> | undefined;
    const clockOfFirst = () => {
      readings++;
      if (readings === 3) {
        later(61_000);
        second = drain({ readReplies: false });
      }
      return now();
    };
    await drain({ now: clockOfFirst, readReplies: false });
    await second;
    expect(twilio.sms.sent.map((t) => t.body)).toHaveLength(1);
  });

  it('sendAfter holds a text until its time (quiet hours), then it goes', async () => {
    const twilio = await twilioWorld();
    const lead = await addLead();
    const at = now() + 3_600_000;
    await queueText(lead, { automatic: true, key: 'auto:call-1', sendAfter: at, callId: 'call-1' });
    const report = await drain();
    expect(twilio.sms.sent).toHaveLength(0);
    expect(report.nextTryAt).toBe(at);
    later(3_600_000);
    await drain();
    expect(twilio.sms.sent).toHaveLength(1);
    const attempt = (await db.attempts.toArray())[0]!;
    expect(attempt).toMatchObject({ method: 'text', automatic: true });
    expect((await db.leads.get(lead.id))!.attemptCount).toBe(0);
    expect((await lastAutomaticText(db))?.key).toBe('auto:call-1');
  });

  it('counts texts to a number since a time, and a firm-marked opt-out stops a text', async () => {
    await twilioWorld();
    const lead = await addLead();
    await queueText(lead, { automatic: true, key: 'auto:1' });
    expect(await textsSentTo(db, CALLER, now() - 86_400_000)).toHaveLength(1);
    expect(await textsSentTo(db, CALLER, now() + 1_000)).toHaveLength(0);
    expect(await textsSentTo(db, '+15550000000', 0)).toHaveLength(0);

    await markOptedOut(db, { phoneKey: CALLER, reason: 'Asked not to be texted', source: 'firm' });
    await drain();
    expect(await textsSentTo(db, CALLER, now() - 86_400_000)).toHaveLength(0);
  });

  it('refuses an empty or too long text and a number that cannot take one, with plain words', async () => {
    const lead = await addLead();
    await expect(queueText(lead, { body: '   ' })).rejects.toThrow('The text is empty');
    await expect(queueText(lead, { body: 'x'.repeat(1_001) })).rejects.toThrow('too long');
    await expect(
      enqueueText(db, {
        leadId: lead.id,
        phoneKey: 'nocallback:1',
        to: 'Anonymous',
        body: 'Hi',
        automatic: false,
        key: 'k',
      }),
    ).rejects.toThrow('no number that can receive a text');
  });
});
