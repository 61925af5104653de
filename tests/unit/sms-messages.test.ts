import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { setupMessageHandlers } from '@/utils/handlers';
import { removeAllListeners } from '@/utils/messaging';
import { closeAll } from './pollerWorld';
import { contentScriptAt, deliver, ownPage } from './messageWorld';
import { addLead, CALLER, resetSmsWorld, twilioWorld } from './smsWorld';

/**
 * The text messages (utils/workflow/textService.ts): only Callback Desk's own pages may send
 * a text, retry one or change an opt-out; a web page's content script is refused before
 * anything is queued. A double click (the same compose key) queues one text.
 */

const contentScript = contentScriptAt('https://service.ringcentral.com/app/#/calls', 4);
const sidebar = ownPage();

beforeEach(async () => {
  await resetSmsWorld();
  removeAllListeners();
  setupMessageHandlers();
});
afterEach(closeAll);

describe('text messages', () => {
  it('are refused from a content script, and nothing is queued or marked', async () => {
    await twilioWorld();
    const lead = await addLead();
    for (const [type, data] of [
      ['sendText', { leadId: lead.id, body: 'Hi', key: 'k-12345678' }],
      ['textPanelInfo', { leadId: lead.id }],
      ['retryText', { jobId: 'x' }],
      ['cancelText', { jobId: 'x' }],
      ['setTextOptOut', { leadId: lead.id, optedOut: false }],
      ['setTextOptOut', { leadId: lead.id, optedOut: true }],
    ] as const) {
      const reply = await deliver(type, data, contentScript);
      expect(reply.err?.message, type).toBe('Rejected: only Callback Desk pages may do this.');
    }
    expect(await db.messages.count()).toBe(0);
    expect(await db.optOuts.count()).toBe(0);
  });

  it('from our page: the panel learns it can text and gets no credentials; a double click queues one text', async () => {
    await twilioWorld();
    const lead = await addLead();
    const info = await deliver('textPanelInfo', { leadId: lead.id }, sidebar);
    expect(info.res).toMatchObject({
      canSend: { ok: true, provider: 'twilio', providerLabel: 'Twilio', from: '+12125550100' },
      to: CALLER,
    });
    expect(JSON.stringify(info.res)).not.toContain('twilio-token');

    const send = { leadId: lead.id, body: 'Returning your call', key: 'compose-1234' };
    const [a, b] = await Promise.all([
      deliver('sendText', send, sidebar),
      deliver('sendText', send, sidebar),
    ]);
    expect((a.res as { id: string }).id).toBe((b.res as { id: string }).id);
    expect(await db.messages.count()).toBe(1);

    await deliver('setTextOptOut', { leadId: lead.id, optedOut: true }, sidebar);
    expect(await db.optOuts.get(CALLER)).toMatchObject({
      source: 'firm',
      reason: 'Marked by the firm',
    });
    await deliver('setTextOptOut', { leadId: lead.id, optedOut: false }, sidebar);
    expect(await db.optOuts.get(CALLER)).toBeUndefined();
  });

  it('a lead with no callback number cannot be texted, in plain words', async () => {
    const lead = await addLead('nocallback:c1', {
      phone: null,
      noCallbackNumber: true,
      rawNumber: 'Anonymous',
    });
    const reply = await deliver(
      'sendText',
      { leadId: lead.id, body: 'Hi', key: 'compose-1234' },
      sidebar,
    );
    expect(reply.err?.message).toBe('This caller left no number that can receive a text.');
  });
});
