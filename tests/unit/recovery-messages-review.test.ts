import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { db } from '@/utils/db';
import { setupMessageHandlers } from '@/utils/handlers';
import { removeAllListeners } from '@/utils/messaging';
import { contentScriptAt, deliver, type Sender } from './messageWorld';
import { addLead, resetSmsWorld } from './smsWorld';

/**
 * Issue 8 review (adversarial): the recovery messages that are not texts. A content script
 * (what a web page can steer) can neither fetch a voicemail with the provider's token, nor
 * record an email, nor change a lead's email address; a bad address from our own page is
 * refused in plain words, never zod's.
 */

const CRM_URL = 'https://app.hubspot.com/contacts/77/record/0-1/501';
const contentScript = contentScriptAt(CRM_URL, 7);
// The dock's iframe inside the same CRM tab: our own page.
const dock: Sender = {
  id: fakeBrowser.runtime.id,
  url: fakeBrowser.runtime.getURL('/sidebar.html'),
  tab: { id: 7, url: CRM_URL } as never,
  frameId: 3,
};

beforeEach(async () => {
  await resetSmsWorld();
  removeAllListeners();
  setupMessageHandlers();
});

describe('recovery messages from a content script', () => {
  it('are refused, and nothing is recorded or changed', async () => {
    const lead = await addLead();
    const email = {
      leadId: lead.id,
      kind: 'confirmation',
      to: 'x@evil.example',
      subject: 'Hi',
      body: 'Hello',
      requestId: 'req-12345678',
    };
    for (const [type, data] of [
      ['voicemailAudio', { callId: 'any' }],
      ['recordEmailSent', email],
      ['patchLead', { leadId: lead.id, email: 'x@evil.example' }],
    ] as const) {
      const reply = await deliver(type, data, contentScript);
      expect(reply.err?.message, type).toBe('Rejected: only Callback Desk pages may do this.');
    }
    expect((await db.leads.get(lead.id))!.email).toBeUndefined();
    expect((await db.attempts.toArray()).filter((a) => a.method === 'email')).toEqual([]);
  });

  it('from the dock (our page): a bad address is refused in plain words', async () => {
    const lead = await addLead();
    const reply = await deliver('patchLead', { leadId: lead.id, email: 'dana@@example' }, dock);
    const { errorMessage } = await import('@/utils/errorMessage');
    expect(errorMessage(new Error(reply.err!.message))).toBe(
      'Email: enter an email address such as name@example.com.',
    );
    const ok = await deliver('patchLead', { leadId: lead.id, email: 'dana@example.com' }, dock);
    expect(ok.err).toBeUndefined();
    expect((await db.leads.get(lead.id))!.email).toBe('dana@example.com');
  });
});
