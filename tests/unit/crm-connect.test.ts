import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { db } from '@/utils/db';
import { DEFAULT_SETTINGS, firmSettingsItem } from '@/utils/settings';
import { autoMapStaff, crmConnectionsItem, crmStaffMapItem } from '@/utils/crm/connections';
import {
  codeFromRedirect,
  connectHubSpotToken,
  connectOAuth,
  disconnect,
  drainNow,
  enqueueSync,
  matchLead,
} from '@/utils/crm/service';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { readCredentials } from '@/utils/crm/tokens';

let clio: ClioEmulator;
let hubspot: HubSpotEmulator;
let launches: string[];

beforeAll(async () => {
  clio = await startClioEmulator();
  hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-na1-connect'] });
  vi.stubGlobal(
    'fetch',
    routedFetch(
      {
        'https://app.clio.com': clio.url,
        'https://eu.app.clio.com': clio.url,
        'https://api.hubapi.com': hubspot.url,
      },
      fetch,
    ),
  );
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await clio.close();
  await hubspot.close();
});

beforeEach(async () => {
  launches = [];
  await db.secrets.clear();
  await firmSettingsItem.setValue({
    ...DEFAULT_SETTINGS,
    staff: [
      { id: 'ana', name: 'Ana Lopez', email: 'ANA@firm.example' },
      { id: 'cy', name: 'Cy Young' },
    ],
  });
  // The browser's sign-in window, played by the CRM emulators: the user signs in and the
  // CRM redirects back with a code (fakeBrowser has no identity API).
  Object.assign(fakeBrowser, {
    identity: {
      getRedirectURL: (path: string) =>
        `https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/${path}`,
      launchWebAuthFlow: async ({ url }: { url: string }) => {
        launches.push(url);
        const u = new URL(url);
        const clientId = u.searchParams.get('client_id')!;
        const redirect = u.searchParams.get('redirect_uri')!;
        const code = u.host.endsWith('hubspot.com')
          ? hubspot.issueAuthCode(clientId, redirect)
          : clio.issueAuthCode(clientId, redirect);
        return `${redirect}?code=${code}&state=${u.searchParams.get('state')}`;
      },
    },
  });
});
afterEach(() => {
  try {
    clio.assertNoViolations();
    hubspot.assertNoViolations();
  } finally {
    clio.reset();
    hubspot.reset();
  }
});

describe('connecting CRMs', () => {
  it('Clio: signs in with the firm’s app in its region, learns who it is, maps staff by email', async () => {
    const info = await connectOAuth({
      system: 'clio',
      region: 'eu',
      clientId: 'clio-emulator-client',
      clientSecret: 'clio-emulator-secret',
    });
    expect(new URL(launches[0]!).host).toBe('eu.app.clio.com');
    expect(info).toMatchObject({
      system: 'clio',
      region: 'eu',
      account: { id: '345001', name: 'Ana Lopez' },
    });
    const stored = await readCredentials(db, 'clio');
    expect(stored).toMatchObject({
      region: 'eu',
      account: { id: '345001' },
      clientId: 'clio-emulator-client',
    });
    expect(stored!.refreshToken).toMatch(/^clio-refresh-/);
    expect((await crmConnectionsItem.getValue()).clio?.account.name).toBe('Ana Lopez');
    expect((await crmStaffMapItem.getValue()).clio).toEqual({ ana: '345001' });
    // No token ever reaches what pages read.
    expect(JSON.stringify(await crmConnectionsItem.getValue())).not.toContain(stored!.accessToken);

    await disconnect('clio');
    expect(await readCredentials(db, 'clio')).toBeNull();
    expect(await db.secrets.count()).toBe(0);
    expect((await crmConnectionsItem.getValue()).clio).toBeUndefined();
  });

  it('HubSpot: OAuth sign-in stores tokens with their expiry and the account id', async () => {
    const info = await connectOAuth({
      system: 'hubspot',
      clientId: 'emulator-client',
      clientSecret: 'emulator-secret',
    });
    const url = new URL(launches[0]!);
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(info).toMatchObject({ auth: 'oauth', portalId: String(hubspot.options.portalId) });
    const stored = await readCredentials(db, 'hubspot');
    expect(stored?.auth).toBe('oauth');
    expect(stored?.auth === 'oauth' && stored.expiresAt - Date.now()).toBeGreaterThan(29 * 60_000);
    expect((await crmStaffMapItem.getValue()).hubspot).toEqual({ ana: '101' });
  });

  it('HubSpot: a private-app token is proven with a real call before it is saved', async () => {
    await expect(connectHubSpotToken({ token: 'pat-na1-nope', portalId: '' })).rejects.toThrow(
      'HubSpot refused this token',
    );
    expect(await readCredentials(db, 'hubspot')).toBeNull();
    const info = await connectHubSpotToken({ token: 'pat-na1-connect', portalId: '4242' });
    expect(info.account.name).toBe('HubSpot account 4242');
    expect(await readCredentials(db, 'hubspot')).toMatchObject({
      auth: 'private-app',
      token: 'pat-na1-connect',
      portalId: '4242',
    });
  });

  it('HubSpot: connecting a private-app token reads the owners once, and records the portal', async () => {
    hubspot.log.length = 0;
    const info = await connectHubSpotToken({ token: 'pat-na1-connect', portalId: '4242' });
    expect(hubspot.log.filter((r) => r.path === '/crm/v3/owners')).toHaveLength(1);
    expect(info.account).toMatchObject({ id: '4242', key: '4242' });
    // No portal id entered: the owners (unique across portals) tell the account apart.
    hubspot.log.length = 0;
    const unnamed = await connectHubSpotToken({ token: 'pat-na1-connect', portalId: '' });
    expect(hubspot.log.filter((r) => r.path === '/crm/v3/owners')).toHaveLength(1);
    expect(unnamed.account.key).toBe('owners:101');
  });

  it('Clio: the connection records the firm account its contacts live in', async () => {
    const info = await connectOAuth({
      system: 'clio',
      region: 'us',
      clientId: 'clio-emulator-client',
      clientSecret: 'clio-emulator-secret',
    });
    expect(info.account.key).toBe(`us:${clio.options.account.id}`);
    expect((await readCredentials(db, 'clio'))!.account.key).toBe(`us:${clio.options.account.id}`);
  });

  it('HubSpot: connecting another portal matches the leads with records to send there again', async () => {
    await db.leads.clear();
    await db.outbox.clear();
    await connectHubSpotToken({ token: 'pat-na1-connect', portalId: '4242' });
    const inNew = hubspot.seedContact({
      firstname: 'Dana',
      lastname: 'W',
      phone: '(415) 555-0134',
    });
    await db.leads.add({
      id: 'L-portal',
      phoneKey: '+14155550134',
      phone: '+14155550134',
      rawNumber: '(415) 555-0134',
      noCallbackNumber: false,
      priority: false,
      status: 'open',
      firstMissedAt: 1,
      lastMissedAt: 1,
      missedCount: 1,
      dueAt: 1,
      overdueAt: 1,
      attemptCount: 1,
      crmLinks: [{ system: 'hubspot', account: '4242', contactId: '999999' }],
      createdAt: 1,
      updatedAt: 1,
    });
    await db.outbox.add({
      id: 'J-portal',
      idempotencyKey: 'A1:hubspot:call',
      system: 'hubspot',
      kind: 'call',
      account: '4242',
      contactId: '999999',
      leadId: 'L-portal',
      state: 'failed',
      nextTryAt: Number.MAX_SAFE_INTEGER,
    });
    await connectHubSpotToken({ token: 'pat-na1-connect', portalId: '9191' });
    await vi.waitFor(async () => {
      const links = (await db.leads.get('L-portal'))!.crmLinks!;
      expect(links).toContainEqual(
        expect.objectContaining({ system: 'hubspot', account: '9191', contactId: inNew.id }),
      );
    });
    // The old portal's link stays (reconnecting it later needs no new match).
    expect((await db.leads.get('L-portal'))!.crmLinks).toContainEqual(
      expect.objectContaining({ account: '4242', contactId: '999999' }),
    );
  });

  it('HubSpot: syncing the next attempt completes the follow-up task of the one before', async () => {
    await db.leads.clear();
    await db.outbox.clear();
    await connectHubSpotToken({ token: 'pat-na1-connect', portalId: '4242' });
    const contact = hubspot.seedContact({
      firstname: 'Dana',
      lastname: 'W',
      phone: '(415) 555-0134',
    });
    const start = Date.now() - 3 * 3_600_000;
    await captureCalls(
      db,
      DEFAULT_SETTINGS,
      [{ from: '(415) 555-0134', startedAt: start, provider: 'manual', capturePath: 'manual' }],
      start,
    );
    const lead = (await db.leads.toArray()).find((l) => l.phone === '+14155550134')!;
    expect(await matchLead(lead.id, 'hubspot')).toMatchObject({ kind: 'linked' });
    const settings = { ...DEFAULT_SETTINGS, staff: [] };
    const input = { leadId: lead.id, method: 'call', outcome: 'no-answer' };
    await recordAttempt(db, settings, input, start + 5 * 60_000);
    await enqueueSync({ leadId: lead.id, system: 'hubspot' });
    await drainNow('run-1');
    expect(
      hubspot.associatedWith(contact.id, 'tasks').map((t) => t.properties.hs_task_status),
    ).toEqual(['NOT_STARTED']);
    await recordAttempt(db, settings, input, start + 90 * 60_000);
    await enqueueSync({ leadId: lead.id, system: 'hubspot' });
    await drainNow('run-1');
    const tasks = hubspot
      .associatedWith(contact.id, 'tasks')
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((t) => t.properties.hs_task_status);
    expect(tasks).toEqual(['COMPLETED', 'NOT_STARTED']);
  });

  it('rejects a sign-in answer that is not the one we asked for', () => {
    expect(() =>
      codeFromRedirect('https://x.chromiumapp.org/clio?code=c&state=other', 'mine'),
    ).toThrow('did not match');
    expect(() =>
      codeFromRedirect('https://x.chromiumapp.org/clio?error=access_denied', 'mine'),
    ).toThrow('access_denied');
    expect(codeFromRedirect('https://x.chromiumapp.org/clio?code=c1&state=mine', 'mine')).toBe(
      'c1',
    );
  });
});

describe('autoMapStaff', () => {
  const users = [
    { id: '1', name: 'Ana', email: 'ana@firm.example' },
    { id: '2', name: 'Ben', email: 'ben@firm.example' },
  ];
  it('maps by email, keeps choices the user made, drops users that are gone', () => {
    const staff = [
      { id: 'ana', name: 'Ana', email: ' Ana@Firm.example ' },
      { id: 'ben', name: 'Ben', email: 'ben@firm.example' },
      { id: 'cy', name: 'Cy' },
    ];
    expect(autoMapStaff(staff, users, { ben: '1', cy: '9' })).toEqual({ ana: '1', ben: '1' });
  });
});
