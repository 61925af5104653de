import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Browser } from 'wxt/browser';
import { db } from '@/utils/db';
import { setupMessageHandlers } from '@/utils/handlers';
import { removeAllListeners } from '@/utils/messaging';
import { closeAll } from './pollerWorld';
import { addLead, CALLER, resetSmsWorld, twilioWorld } from './smsWorld';

/**
 * The text messages (utils/workflow/textService.ts): only Callback Desk's own pages may send
 * a text, retry one or change an opt-out; a web page's content script is refused before
 * anything is queued. A double click (the same compose key) queues one text.
 */

type Sender = Browser.runtime.MessageSender;

const PORTAL_URL = 'https://service.ringcentral.com/app/#/calls';
const contentScript: Sender = {
  id: fakeBrowser.runtime.id,
  url: PORTAL_URL,
  tab: { id: 4, url: PORTAL_URL } as never,
  frameId: 0,
};
const ownPage: Sender = {
  id: fakeBrowser.runtime.id,
  url: fakeBrowser.runtime.getURL('/sidebar.html'),
};

function deliver(
  type: string,
  data: unknown,
  sender: Sender,
): Promise<{ res?: unknown; err?: { message: string } }> {
  return new Promise((resolve) => {
    void fakeBrowser.runtime.onMessage.trigger(
      { id: 1, type, data, timestamp: Date.now() },
      sender,
      resolve,
    );
  });
}

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
    const info = await deliver('textPanelInfo', { leadId: lead.id }, ownPage);
    expect(info.res).toMatchObject({
      canSend: { ok: true, provider: 'twilio', providerLabel: 'Twilio', from: '+12125550100' },
      to: CALLER,
    });
    expect(JSON.stringify(info.res)).not.toContain('twilio-token');

    const send = { leadId: lead.id, body: 'Returning your call', key: 'compose-1234' };
    const [a, b] = await Promise.all([
      deliver('sendText', send, ownPage),
      deliver('sendText', send, ownPage),
    ]);
    expect((a.res as { id: string }).id).toBe((b.res as { id: string }).id);
    expect(await db.messages.count()).toBe(1);

    await deliver('setTextOptOut', { leadId: lead.id, optedOut: true }, ownPage);
    expect(await db.optOuts.get(CALLER)).toMatchObject({
      source: 'firm',
      reason: 'Marked by the firm',
    });
    await deliver('setTextOptOut', { leadId: lead.id, optedOut: false }, ownPage);
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
      ownPage,
    );
    expect(reply.err?.message).toBe('This caller left no number that can receive a text.');
  });
});
