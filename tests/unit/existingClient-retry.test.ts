import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { db } from '@/utils/db';
import { DEFAULT_SETTINGS, firmSettingsItem, type FirmSettings } from '@/utils/settings';
import { connectHubSpotToken, connectOAuth, disconnect } from '@/utils/crm/service';
import { captureCalls } from '@/utils/queue/leads';
import {
  checkExistingClients,
  clientCheckDelay,
  pendingClientChecksItem,
  retryClientChecks,
} from '@/utils/team/background';

/**
 * Review of issue 9: the existing-client check through Clio matters (GET /matters.json, on
 * the Clio emulator's matters route — not spec-validated, no matters spec is published), a
 * failing CRM read never breaks capture, and a failed lookup is tried again later (a
 * client calling during a CRM outage still reaches their attorney).
 */
let clio: ClioEmulator;
let hubspot: HubSpotEmulator;

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  weeklyHours: Array.from({ length: 7 }, () => [{ open: '00:00', close: '23:59' }]),
  staff: [
    { id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example', role: 'intake' },
    {
      id: 'ben',
      name: 'Ben Okafor',
      role: 'attorney',
      crmUserIds: { hubspot: '102', clio: '345002' },
    },
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
  await pendingClientChecksItem.setValue([]);
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

const connectClio = () =>
  connectOAuth({
    system: 'clio',
    region: 'us',
    clientId: 'clio-emulator-client',
    clientSecret: 'clio-emulator-secret',
  });

describe('existing clients through Clio matters', () => {
  it("a caller with an open Clio matter goes to the matter's responsible attorney", async () => {
    await connectClio();
    const contact = clio.seedContact({
      first_name: 'Maria',
      last_name: 'Client',
      numbers: ['(415) 555-0177'],
    });
    const matter = clio.seedMatter({ clientId: contact.id, responsibleAttorneyId: 345002 });
    const { added } = await captureCalls(db, settings, [call('(415) 555-0177')]);
    await checkExistingClients(added.map((a) => a.leadId));
    expect(await db.leads.get(added[0]!.leadId)).toMatchObject({
      existingClient: { system: 'clio', reason: `Clio matter ${matter.display_number}` },
      assignee: 'ben',
    });
    expect(clio.log.some((r) => r.path === '/api/v4/matters.json' && r.status === 200)).toBe(true);
  });

  it('a failing matters read never breaks capture, and the caller is looked up again later', async () => {
    await connectClio();
    const contact = clio.seedContact({
      first_name: 'Maria',
      last_name: 'Client',
      numbers: ['(415) 555-0177'],
    });
    clio.seedMatter({ clientId: contact.id, responsibleAttorneyId: 345002 });
    clio.faults.push({ kind: '500', match: /matters\.json/, times: 20 });
    const { added } = await captureCalls(db, settings, [call('(415) 555-0177')]);
    const leadId = added[0]!.leadId;
    await checkExistingClients([leadId]);
    // Captured and in the queue as a lead for now (round robin), the lookup waits.
    expect(await db.leads.get(leadId)).toMatchObject({ assignee: 'ana' });
    expect((await db.leads.get(leadId))?.existingClient).toBeUndefined();
    const [pending] = await pendingClientChecksItem.getValue();
    expect(pending).toMatchObject({ leadId, tries: 1 });
    // The outage ends; the alarm fires once the backoff has passed.
    clio.faults.length = 0;
    await retryClientChecks(() => pending!.nextAt - 1); // not yet due: nothing asked
    expect((await db.leads.get(leadId))?.existingClient).toBeUndefined();
    await retryClientChecks(() => pending!.nextAt);
    expect(await db.leads.get(leadId)).toMatchObject({
      existingClient: { system: 'clio' },
      assignee: 'ben',
    });
    expect(await pendingClientChecksItem.getValue()).toEqual([]);
  });
});

describe('a failed lookup is tried again, backing off', () => {
  it('HubSpot down at capture: the customer is tagged on a later try', async () => {
    await connectHubSpotToken({ token: 'pat-na1-team', portalId: '4242' });
    hubspot.seedContact({
      firstname: 'Maria',
      lastname: 'Client',
      phone: '(415) 555-0177',
      lifecyclestage: 'customer',
      hubspot_owner_id: '102',
    });
    hubspot.faults.push({ kind: '500', match: /search/, times: 1000 });
    const { added } = await captureCalls(db, settings, [call('(415) 555-0177')]);
    const leadId = added[0]!.leadId;
    let t = Date.now();
    await checkExistingClients([leadId], () => t);
    // Still down at the next two tries: each waits longer.
    for (const tries of [2, 3]) {
      t = (await pendingClientChecksItem.getValue())[0]!.nextAt;
      await retryClientChecks(() => t);
      const [p] = await pendingClientChecksItem.getValue();
      expect(p).toMatchObject({ tries, nextAt: t + clientCheckDelay(tries) });
    }
    hubspot.faults.length = 0;
    t = (await pendingClientChecksItem.getValue())[0]!.nextAt;
    await retryClientChecks(() => t);
    expect(await db.leads.get(leadId)).toMatchObject({
      existingClient: { system: 'hubspot' },
      assignee: 'ben',
    });
    expect(await pendingClientChecksItem.getValue()).toEqual([]);
  });

  it('backs off 1, 2, 4 … minutes, at most an hour', () => {
    expect([1, 2, 3, 4, 7, 20].map((n) => clientCheckDelay(n) / 60_000)).toEqual([
      1, 2, 4, 8, 60, 60,
    ]);
  });
});
