import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { db } from '@/utils/db';
import { DEFAULT_SETTINGS, firmSettingsItem } from '@/utils/settings';
import {
  connectHubSpotToken,
  connectOAuth,
  drainNow,
  enqueueSync,
  matchLead,
} from '@/utils/crm/service';
import { linkLead } from '@/utils/crm/links';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import type { SyncJob } from '@/utils/crm/model';

/**
 * Signing in to Clio again (the same firm account) while the outbox drains: the stored
 * connection never shows a placeholder account in between, so no drain re-targets the
 * queued records to it (they would wait for a contact the lead already has, for ever).
 */

let clio: ClioEmulator;
let hubspot: HubSpotEmulator;
let duringSignIn: (() => Promise<void>) | undefined;

beforeAll(async () => {
  clio = await startClioEmulator();
  hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-na1-reconnect'] });
  const base = routedFetch(
    { 'https://app.clio.com': clio.url, 'https://api.hubapi.com': hubspot.url },
    fetch,
  );
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    // Whatever runs while Clio tells the new connection who it is (a sweep drain).
    if (String(input).includes('/users/who_am_i.json') && duringSignIn) {
      const run = duringSignIn;
      duringSignIn = undefined;
      await run();
    }
    return base(input, init);
  });
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await clio.close();
  await hubspot.close();
});
beforeEach(async () => {
  await db.secrets.clear();
  await db.leads.clear();
  await db.outbox.clear();
  await firmSettingsItem.setValue({ ...DEFAULT_SETTINGS, staff: [] });
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
afterEach(() => {
  try {
    clio.assertNoViolations();
    hubspot.assertNoViolations();
  } finally {
    clio.reset();
    hubspot.reset();
  }
});

const signIn = () =>
  connectOAuth({
    system: 'clio',
    region: 'us',
    clientId: 'clio-emulator-client',
    clientSecret: 'clio-emulator-secret',
  });

describe('signing in to the same Clio account again while a sync pass runs', () => {
  it('the queued call still goes to the lead’s contact', async () => {
    await signIn();
    const contact = clio.seedContact({
      first_name: 'Dana',
      last_name: 'Whitfield',
      numbers: ['(415) 555-0134'],
    });
    const start = Date.now() - 3 * 3_600_000;
    await captureCalls(
      db,
      DEFAULT_SETTINGS,
      [{ from: '(415) 555-0134', startedAt: start, provider: 'manual', capturePath: 'manual' }],
      start,
    );
    const lead = (await db.leads.toArray())[0]!;
    expect(await matchLead(lead.id, 'clio')).toMatchObject({ kind: 'linked' });
    const settings = { ...DEFAULT_SETTINGS, staff: [] };
    await recordAttempt(
      db,
      settings,
      { leadId: lead.id, method: 'call', outcome: 'no-answer' },
      start + 5 * 60_000,
    );
    await enqueueSync({ leadId: lead.id, system: 'clio' });
    // The sweep alarm fires while the user signs in again.
    duringSignIn = async () => {
      await drainNow('sweep');
    };
    await signIn();
    await drainNow('after');
    const jobs = (await db.outbox.toArray()) as unknown as SyncJob[];
    expect(jobs.filter((j) => j.state !== 'synced')).toEqual([]);
    expect(
      clio.communications.filter((c) => c.receivers.some((r) => r.id === contact.id)),
    ).toHaveLength(1);
  });
});

describe('connecting back the HubSpot portal a lead is linked in', () => {
  it('records synced meanwhile under another portal go to the lead’s contact there', async () => {
    await connectHubSpotToken({ token: 'pat-na1-reconnect', portalId: '4242' });
    // The user had chosen this contact for the caller (it has another number).
    const chosen = hubspot.seedContact({
      firstname: 'Dana',
      lastname: 'W',
      phone: '(212) 555-0999',
    });
    const start = Date.now() - 3 * 3_600_000;
    await captureCalls(
      db,
      DEFAULT_SETTINGS,
      [{ from: '(415) 555-0177', startedAt: start, provider: 'manual', capturePath: 'manual' }],
      start,
    );
    const lead = (await db.leads.toArray())[0]!;
    await linkLead(db, lead.id, {
      system: 'hubspot',
      account: '4242',
      contactId: chosen.id,
      name: 'Dana W',
    });
    // By mistake the user connects another portal and syncs there: no contact for the caller.
    await connectHubSpotToken({ token: 'pat-na1-reconnect', portalId: '9191' });
    await recordAttempt(
      db,
      { ...DEFAULT_SETTINGS, staff: [] },
      { leadId: lead.id, method: 'call', outcome: 'no-answer' },
      start + 5 * 60_000,
    );
    await enqueueSync({ leadId: lead.id, system: 'hubspot' });
    await drainNow('run');
    const waiting = (await db.outbox.toArray()) as unknown as SyncJob[];
    expect(waiting.every((j) => j.waitingFor === 'contact')).toBe(true);
    // The right portal again: the lead is linked there, so its records go.
    await connectHubSpotToken({ token: 'pat-na1-reconnect', portalId: '4242' });
    await drainNow('run');
    const jobs = (await db.outbox.toArray()) as unknown as SyncJob[];
    expect(jobs.filter((j) => j.state !== 'synced')).toEqual([]);
    expect(hubspot.associatedWith(chosen.id, 'calls')).toHaveLength(1);
  });
});

describe('a contact Callback Desk created, deleted in HubSpot afterwards', () => {
  it('"Create contact and sync" creates it again and the records go to the new one', async () => {
    await connectHubSpotToken({ token: 'pat-na1-reconnect', portalId: '4242' });
    const start = Date.now() - 3 * 3_600_000;
    await captureCalls(
      db,
      DEFAULT_SETTINGS,
      [{ from: '(415) 555-0188', startedAt: start, provider: 'manual', capturePath: 'manual' }],
      start,
    );
    const lead = (await db.leads.toArray())[0]!;
    const settings = { ...DEFAULT_SETTINGS, staff: [] };
    const call = (at: number) =>
      recordAttempt(db, settings, { leadId: lead.id, method: 'call', outcome: 'no-answer' }, at);
    await call(start + 5 * 60_000);
    await enqueueSync({ leadId: lead.id, system: 'hubspot', createContact: true });
    await drainNow('run');
    const [first] = hubspot.records('contacts');
    expect(first).toBeDefined();
    // Someone deletes the contact in HubSpot; the next attempt is synced.
    hubspot.deleteRecord('contacts', first!.id);
    await call(start + 90 * 60_000);
    await enqueueSync({ leadId: lead.id, system: 'hubspot' });
    await drainNow('run');
    expect(
      ((await db.outbox.toArray()) as unknown as SyncJob[]).some((j) => j.waitingFor === 'contact'),
    ).toBe(true);
    // The panel offers to create the contact: it is made again, and everything goes there.
    await enqueueSync({ leadId: lead.id, system: 'hubspot', createContact: true });
    await drainNow('run');
    const contacts = hubspot.records('contacts');
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.id).not.toBe(first!.id);
    const jobs = (await db.outbox.toArray()) as unknown as SyncJob[];
    expect(jobs.filter((j) => j.state !== 'synced')).toEqual([]);
    expect(hubspot.associatedWith(contacts[0]!.id, 'calls')).toHaveLength(1);
  });
});

describe('matching a second lead of the same caller', () => {
  it('links the contact the caller’s earlier lead has, even before HubSpot’s search shows it', async () => {
    await connectHubSpotToken({ token: 'pat-na1-reconnect', portalId: '4242' });
    hubspot.options.searchLagMs = 10 * 60_000;
    const start = Date.now() - 3 * 3_600_000;
    const missed = (at: number) =>
      captureCalls(
        db,
        DEFAULT_SETTINGS,
        [{ from: '(415) 555-0166', startedAt: at, provider: 'manual', capturePath: 'manual' }],
        at,
      );
    await missed(start);
    const first = (await db.leads.toArray())[0]!;
    // Its contact was just created (not searchable yet), and the lead was closed.
    const made = hubspot.seedContact({ firstname: 'Dana', lastname: 'W', phone: '+14155550166' });
    made.searchableAt = Date.now() + 10 * 60_000;
    await linkLead(db, first.id, { system: 'hubspot', account: '4242', contactId: made.id });
    await db.leads.update(first.id, { status: 'done' });
    await missed(start + 2 * 3_600_000);
    const second = (await db.leads.toArray()).find((l) => l.id !== first.id)!;
    expect(await matchLead(second.id, 'hubspot')).toMatchObject({
      kind: 'linked',
      link: { contactId: made.id, account: '4242' },
    });
  });
});
