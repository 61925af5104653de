import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { setupMessageHandlers } from '@/utils/handlers';
import { removeAllListeners } from '@/utils/messaging';
import { readCredentials, writeCredentials } from '@/utils/crm/tokens';
import { contentScriptAt, deliver } from './messageWorld';

/**
 * The CRM message surface (utils/crm/background.ts): only Callback Desk's own pages may
 * connect, disconnect, match, sync or retry; a content script (a portal page, or the dock's
 * script on a CRM page) is refused before anything is read or written, and no reply ever
 * carries a token.
 */

const crmScript = contentScriptAt(
  'https://app.hubspot.com/contacts/77/objects/0-1/views/all/list',
  9,
);

beforeEach(async () => {
  removeAllListeners();
  await db.delete();
  await db.open();
  setupMessageHandlers();
  await writeCredentials(db, 'hubspot', {
    auth: 'private-app',
    token: 'pat-secret-token',
    portalId: '77',
    account: { id: '77', name: 'HubSpot account 77', key: '77' },
    connectedAt: Date.now(),
  });
});

describe('CRM messages from a content script', () => {
  const messages: [string, unknown][] = [
    ['crmConnectHubSpotToken', { token: 'pat-attacker-token', portalId: '99' }],
    ['crmConnectOAuth', { system: 'hubspot', clientId: 'x', clientSecret: 'y' }],
    ['crmDisconnect', { system: 'hubspot' }],
    ['crmRefreshUsers', { system: 'hubspot' }],
    ['crmMatchLead', { leadId: 'L1', system: 'hubspot' }],
    ['crmChooseContact', { leadId: 'L1', system: 'hubspot', contact: { id: '1', name: 'X' } }],
    ['enqueueSync', { leadId: 'L1', system: 'hubspot', createContact: true }],
    ['retrySync', { leadId: 'L1' }],
    ['syncNow', undefined],
  ];
  for (const [type, data] of messages) {
    it(`${type} is refused, changes nothing and carries no token`, async () => {
      const reply = await deliver(type, data, crmScript);
      expect(reply.err?.message).toBe('Rejected: only Callback Desk pages may do this.');
      expect(JSON.stringify(reply)).not.toMatch(/pat-/);
      expect(await readCredentials(db, 'hubspot')).toMatchObject({ token: 'pat-secret-token' });
      expect(await db.outbox.count()).toBe(0);
    });
  }
});
