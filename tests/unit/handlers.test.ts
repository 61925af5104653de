import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { setupMessageHandlers } from '@/utils/handlers';
import { removeAllListeners } from '@/utils/messaging';
import { saveSettings, DEFAULT_SETTINGS } from '@/utils/settings';
import { contentScriptAt, deliver, ownPage } from './messageWorld';

/** A portal content script: the browser reports the page's URL and its tab. */
const portalScript = contentScriptAt('https://app.ringcentral.com/history/recent', 7);
/** An extension page (the manual form, the CSV import). */
const extensionPage = ownPage();

const startedAt = () => Date.now() - 60_000;

beforeEach(async () => {
  removeAllListeners();
  await db.delete();
  await db.open();
  await saveSettings({
    ...DEFAULT_SETTINGS,
    timeZone: 'America/New_York',
    sourceRules: [
      {
        id: 'r1',
        line: '+12125550100',
        source: 'Google Ads',
        practiceArea: 'Personal injury',
        priority: false,
      },
    ],
  });
  setupMessageHandlers();
});

describe('captureCalls from a content script', () => {
  const claimed = {
    from: '(212) 555-0142',
    startedAt: startedAt(),
    dialedLine: '(212) 555-0100',
    provider: 'twilio',
    providerCallId: 'CA123',
    capturePath: 'api',
    source: 'Referral',
    practiceArea: 'Tax',
    agent: 'Front desk',
  };

  it('is attributed by its page and the firm’s rules, not by what it claims', async () => {
    const reply = await deliver('captureCalls', [claimed], portalScript);
    expect(reply.err).toBeUndefined();
    const [call] = await db.calls.toArray();
    expect(call).toMatchObject({
      provider: 'ringcentral',
      providerKey: 'ringcentral:CA123',
      capturePath: 'portal',
      source: 'Google Ads',
      // The agent is what the portal row names: shown as read, never trusted for anything.
      agent: 'Front desk',
    });
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ source: 'Google Ads', practiceArea: 'Personal injury' });
  });

  it('is refused from a page that is not a phone portal', async () => {
    const crmPage = 'https://app.hubspot.com/contacts/1/objects/0-1/views/all/list';
    const reply = await deliver('captureCalls', [claimed], {
      ...portalScript,
      url: crmPage,
      tab: { id: 8, url: crmPage } as never,
    });
    expect(reply.err?.message).toBe('Rejected: calls are captured only from phone portal pages.');
    expect(await db.calls.count()).toBe(0);
  });

  it('extension pages (manual form, CSV import) still choose source and practice area', async () => {
    const reply = await deliver(
      'captureCalls',
      [{ ...claimed, provider: 'manual', capturePath: 'manual' }],
      extensionPage,
    );
    expect(reply.err).toBeUndefined();
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ source: 'Referral', practiceArea: 'Tax' });
  });
});

describe('error replies', () => {
  it('carry a message only: no stack, no fields of the background’s error', async () => {
    // A ZodError: its own fields (issues) and stack would otherwise travel with it.
    const reply = await deliver('captureCalls', 'not a list', portalScript);
    expect(reply.err?.message).toBeTruthy();
    expect(reply.err?.stack ?? '').toBe('');
    expect(Object.keys(reply.err ?? {}).sort()).toEqual(['message', 'name', 'stack']);
    expect(JSON.stringify(reply)).not.toMatch(/\.ts:\d+|at async|handlers/);
  });

  it('a rejected request from a content script says why, without a stack', async () => {
    const reply = await deliver('patchLead', { leadId: 'L1', status: 'done' }, portalScript);
    expect(reply.err).toEqual({
      name: 'Error',
      message: 'Rejected: only Callback Desk pages may do this.',
      stack: '',
    });
  });
});
