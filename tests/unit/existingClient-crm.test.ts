import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { db } from '@/utils/db';
import { DEFAULT_SETTINGS, firmSettingsItem, type FirmSettings } from '@/utils/settings';
import { connectHubSpotToken, connectOAuth, disconnect } from '@/utils/crm/service';
import { captureCalls } from '@/utils/queue/leads';
import { checkExistingClients, identifyFromCrm } from '@/utils/team/background';

/**
 * Existing clients found through the CRM emulators (requests validated against the vendors'
 * OpenAPI documents), and "who am I" from the connection.
 */
let clio: ClioEmulator;
let hubspot: HubSpotEmulator;

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  // Open around the clock: in hours, so round robin would give intake the lead.
  weeklyHours: Array.from({ length: 7 }, () => [{ open: '00:00', close: '23:59' }]),
  staff: [
    { id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example', role: 'intake' },
    { id: 'ben', name: 'Ben Okafor', role: 'attorney', crmUserIds: { hubspot: '102' } },
  ],
  currentStaffId: 'ana',
};

beforeAll(async () => {
  clio = await startClioEmulator();
  hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-na1-team'] });
  vi.stubGlobal(
    'fetch',
    routedFetch({ 'https://app.clio.com': clio.url, 'https://api.hubapi.com': hubspot.url }, fetch),
  );
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await clio.close();
  await hubspot.close();
});
beforeEach(async () => {
  await Promise.all([db.secrets.clear(), db.leads.clear(), db.calls.clear()]);
  await firmSettingsItem.setValue(settings);
  Object.assign(fakeBrowser, {
    identity: {
      getRedirectURL: (path: string) =>
        `https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/${path}`,
      launchWebAuthFlow: async ({ url }: { url: string }) => {
        const u = new URL(url);
        const redirect = u.searchParams.get('redirect_uri')!;
        const code = clio.issueAuthCode(u.searchParams.get('client_id')!, redirect);
        return `${redirect}?code=${code}&state=${u.searchParams.get('state')}`;
      },
    },
  });
});
afterEach(async () => {
  try {
    clio.assertNoViolations();
    hubspot.assertNoViolations();
  } finally {
    clio.reset();
    hubspot.reset();
    await disconnect('hubspot').catch(() => undefined);
    await disconnect('clio').catch(() => undefined);
  }
});

const call = (from: string) => ({
  from,
  startedAt: Date.now() - 60_000,
  provider: 'manual',
  capturePath: 'manual' as const,
});

describe('existing clients through HubSpot', () => {
  it('a customer in HubSpot is tagged and goes to the contact owner, not round robin', async () => {
    await connectHubSpotToken({ token: 'pat-na1-team', portalId: '4242' });
    hubspot.seedContact({
      firstname: 'Maria',
      lastname: 'Client',
      phone: '(415) 555-0177',
      lifecyclestage: 'customer',
      hubspot_owner_id: '102',
    });
    hubspot.seedContact({
      firstname: 'Lee',
      lastname: 'Prospect',
      phone: '(415) 555-0178',
      lifecyclestage: 'lead',
    });
    const { added } = await captureCalls(db, settings, [
      call('(415) 555-0177'),
      call('(415) 555-0178'),
    ]);
    expect((await db.leads.get(added[0]!.leadId))?.assignee).toBe('ana'); // round robin first
    await checkExistingClients(added.map((a) => a.leadId));
    expect(await db.leads.get(added[0]!.leadId)).toMatchObject({
      existingClient: {
        system: 'hubspot',
        reason: 'HubSpot lifecycle stage: customer',
        ownerStaffId: 'ben',
      },
      assignee: 'ben',
      assignReason: 'responsible attorney',
    });
    const prospect = await db.leads.get(added[1]!.leadId);
    expect(prospect?.existingClient).toBeUndefined();
  });

  it('who am I: the HubSpot owner with my email is the staff member with that email', async () => {
    await connectHubSpotToken({ token: 'pat-na1-team', portalId: '4242' });
    expect(await identifyFromCrm('hubspot', 'ANA@firm.example')).toMatchObject({
      staffId: 'ana',
      user: { id: '101' },
      message: 'HubSpot says you are Ana Lopez.',
    });
    expect((await identifyFromCrm('hubspot', 'nobody@firm.example')).staffId).toBeUndefined();
  });
});

describe('who am I through Clio', () => {
  it('Clio users/who_am_i names the connected user, matched to staff by email', async () => {
    await connectOAuth({
      system: 'clio',
      region: 'us',
      clientId: 'clio-emulator-client',
      clientSecret: 'clio-emulator-secret',
    });
    const answer = await identifyFromCrm('clio');
    expect(answer).toMatchObject({ staffId: 'ana', message: 'Clio says you are Ana Lopez.' });
    expect(answer.user?.id).toBe('345001');
  });
});
