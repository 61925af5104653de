import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { memoryLimiterStore, NetworkError, RateLimitError } from '@/utils/http';
import { ReconnectError } from '@/utils/crm/connector';
import {
  exchangeHubSpotCode,
  HUBSPOT_DISPOSITIONS,
  hubspotAuthorizeUrl,
  HubSpotConnector,
  refreshHubSpotToken,
} from '@/utils/crm/hubspot';
import { markerFor, type SendItem, type SyncJob, type SyncPayload } from '@/utils/crm/model';
import {
  forgetCredentials,
  readCredentials,
  storedSession,
  writeCredentials,
  type TokenSession,
} from '@/utils/crm/tokens';
import { CallbackDeskDB } from '@/utils/db';

let emulator: HubSpotEmulator;
let fetchToEmulator: typeof fetch;
const TOKEN = 'pat-na1-unit';

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ privateAppTokens: [TOKEN] });
  fetchToEmulator = routedFetch({ 'https://api.hubapi.com': emulator.url });
});
afterEach(() => {
  // Every request and answer of every test must match HubSpot's published specs.
  try {
    emulator.assertNoViolations();
  } finally {
    emulator.reset();
  }
});
afterAll(() => emulator.close());

const staticSession = (token: string): TokenSession => ({
  current: async () => token,
  afterUnauthorized: async () => null,
});

function connector(
  session: TokenSession = staticSession(TOKEN),
  extra: { timeoutMs?: number } = {},
) {
  return new HubSpotConnector(
    { session, limiterStore: memoryLimiterStore(), fetch: fetchToEmulator, maxWaitMs: 0, ...extra },
    { auth: 'private-app', portalId: '4242' },
  );
}

let seq = 0;
function item(payload: SyncPayload, contactId: string, ownerId?: string): SendItem {
  const id = `job-${++seq}-${Math.random().toString(36).slice(2)}`;
  const job: SyncJob = {
    id,
    idempotencyKey: `${id}:hubspot:${payload.kind}`,
    system: 'hubspot',
    kind: payload.kind,
    leadId: 'lead-1',
    payload,
    state: 'queued',
    tries: 0,
    nextTryAt: 0,
    maybeCreated: false,
    createdAt: 0,
    updatedAt: 0,
  };
  return { job, contactId, ownerId, marker: markerFor(job) };
}

const call = (at = 1_750_000_000_000): SyncPayload => ({
  kind: 'call',
  at,
  method: 'call',
  outcome: 'no-answer',
  title: 'Callback: No answer — Dana <Whitfield>',
  body: 'Call to Dana: No answer.\nNotes: <b>urgent</b>',
  toNumber: '+14155550134',
});

describe('HubSpotConnector against the emulator', () => {
  it('finds contacts by national digits in phone or mobile phone, whatever their format', async () => {
    emulator.seedContact({ firstname: 'Dana', lastname: 'Whitfield', phone: '(415) 555-0134' });
    emulator.seedContact({ firstname: 'Dan', lastname: 'W', mobilephone: '+1 415-555-0134' });
    emulator.seedContact({ firstname: 'Other', phone: '(415) 555-9999' });
    const found = await connector().findContactsByPhone('+14155550134');
    expect(found.map((c) => c.name).sort()).toEqual(['Dan W', 'Dana Whitfield']);
    expect(found[0]!.url).toMatch(
      /^https:\/\/app\.hubspot\.com\/contacts\/4242\/record\/0-1\/\d+$/,
    );
  });

  it('creates a contact, then a call, note and task associated with it (194/202/204)', async () => {
    const hs = connector();
    const contact = await hs.createContact(
      item(
        {
          kind: 'contact',
          phone: '+14155550134',
          firstName: 'Dana',
          lastName: 'Whitfield',
          source: 'Google Ads',
        },
        '',
      ),
    );
    expect(contact.name).toBe('Dana Whitfield');
    const callItem = item(call(), contact.id, '101');
    await hs.logCall(callItem);
    await hs.addNote(
      item(
        { kind: 'note', at: 1_750_000_000_000, subject: 'Attempt 1', body: 'No answer' },
        contact.id,
      ),
    );
    await hs.createTask(
      item(
        {
          kind: 'task',
          dueAt: 1_750_003_600_000,
          subject: 'Call back Dana',
          body: 'Number: +14155550134',
          priority: 'high',
        },
        contact.id,
      ),
    );
    const [storedCall] = emulator.associatedWith(contact.id, 'calls');
    expect(storedCall!.associations).toEqual([
      { toType: 'contacts', toId: contact.id, typeId: 194 },
    ]);
    expect(storedCall!.properties).toMatchObject({
      hs_call_direction: 'OUTBOUND',
      hs_call_status: 'NO_ANSWER',
      hs_call_disposition: HUBSPOT_DISPOSITIONS.noAnswer,
      hs_call_to_number: '+14155550134',
      hubspot_owner_id: '101',
    });
    // Text from callers is escaped: HubSpot renders bodies as HTML.
    expect(storedCall!.properties.hs_call_body).toContain('&lt;b&gt;urgent&lt;/b&gt;');
    expect(storedCall!.properties.hs_call_body).toContain(callItem.marker);
    expect(emulator.associatedWith(contact.id, 'notes')[0]!.associations[0]!.typeId).toBe(202);
    const [task] = emulator.associatedWith(contact.id, 'tasks');
    expect(task!.associations[0]!.typeId).toBe(204);
    expect(task!.properties).toMatchObject({
      hs_task_priority: 'HIGH',
      hs_task_status: 'NOT_STARTED',
      hs_task_type: 'CALL',
    });
  });

  it('batch-creates many records and maps answers back to jobs although HubSpot reorders them', async () => {
    const contact = emulator.seedContact({ firstname: 'Batch', phone: '4155550100' });
    const items = [1, 2, 3].map((n) => item(call(1_750_000_000_000 + n), contact.id));
    const { created, rejected, unattributed } = await connector().createMany('call', items);
    expect(created.size).toBe(3);
    expect([rejected.size, unattributed]).toEqual([0, []]);
    for (const i of items) {
      const record = emulator.records('calls').find((r) => r.id === created.get(i.job.id)!.id)!;
      expect(record.properties.hs_call_body).toContain(i.marker);
    }
    expect(emulator.log.filter((l) => l.path.endsWith('/batch/create'))).toHaveLength(1);
  });

  it('finds a record whose answer was lost, once the search index has caught up', async () => {
    emulator.options.searchLagMs = 300;
    const contact = emulator.seedContact({ firstname: 'Lost', phone: '4155550101' });
    const lost = item(call(), contact.id);
    emulator.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/calls$/ });
    await expect(connector().logCall(lost)).rejects.toBeInstanceOf(NetworkError);
    expect(emulator.records('calls')).toHaveLength(1);
    // Right after the write the index has not caught up: this is why the outbox waits.
    expect((await connector().findExisting([lost])).size).toBe(0);
    await new Promise((r) => setTimeout(r, 350));
    const found = await connector().findExisting([lost]);
    expect(found.get(lost.job.id)?.id).toBe(emulator.records('calls')[0]!.id);
    emulator.options.searchLagMs = 0;
  });

  it('reports HubSpot 429s with the advertised interval as the wait', async () => {
    emulator.faults.push({ kind: '429' });
    const error = await connector()
      .listUsers()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(10_000);
  });

  it('gives up on a refused private-app token with "Reconnect HubSpot"', async () => {
    emulator.revokePrivateAppToken(TOKEN);
    await expect(connector().listUsers()).rejects.toThrow(ReconnectError);
    await expect(connector().listUsers()).rejects.toThrow(/Reconnect HubSpot/);
  });

  it('times out on a server that never answers', async () => {
    emulator.faults.push({ kind: 'timeout' });
    const error = await connector(staticSession(TOKEN), { timeoutMs: 200 })
      .logCall(item(call(), '1'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).timedOut).toBe(true);
  });
});

describe('HubSpot OAuth with the firm’s own app', () => {
  const app = { clientId: 'emulator-client', clientSecret: 'emulator-secret' };
  const redirectUri = 'https://abcdefghijklmnop.chromiumapp.org/hubspot';

  it('builds the authorize URL with the scopes we need', () => {
    const url = new URL(hubspotAuthorizeUrl({ clientId: 'cid', redirectUri, state: 's1' }));
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(url.searchParams.get('scope')).toBe(
      'crm.objects.contacts.read crm.objects.contacts.write crm.objects.owners.read',
    );
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
  });

  it('exchanges the code, refreshes before expiry and once after a 401', async () => {
    const db = new CallbackDeskDB(`hs-oauth-${Math.random()}`);
    const code = emulator.issueAuthCode(app.clientId, redirectUri);
    let clock = 1_000_000;
    const tokens = await exchangeHubSpotCode(
      { ...app, code, redirectUri },
      { fetch: fetchToEmulator, now: () => clock },
    );
    expect(tokens.portalId).toBe(String(emulator.options.portalId));
    expect(tokens.expiresAt).toBe(clock + 1800 * 1000);
    await writeCredentials(db, 'hubspot', {
      ...tokens,
      account: { id: tokens.portalId!, name: 'x' },
      connectedAt: clock,
    });

    const session = storedSession(
      db,
      'hubspot',
      (c) => refreshHubSpotToken(c, { fetch: fetchToEmulator, now: () => clock }),
      () => clock,
    );
    const first = await session.current();
    expect(first).toBe(tokens.accessToken);
    // Four minutes before expiry: refreshed before use.
    clock += 26 * 60_000;
    const second = await session.current();
    expect(second).not.toBe(first);

    // The CRM expires it early: the 401 leads to exactly one refresh, then success.
    emulator.expireAccessTokens();
    const hs = new HubSpotConnector(
      { session, limiterStore: memoryLimiterStore(), fetch: fetchToEmulator, now: () => clock },
      { auth: 'oauth' },
    );
    await expect(hs.listUsers()).resolves.toHaveLength(2);
    const tokenCalls = emulator.log.filter((l) => l.path === '/oauth/v3/token');
    expect(tokenCalls).toHaveLength(3);
    expect((await readCredentials(db, 'hubspot'))?.auth).toBe('oauth');
    db.close();
  });

  it('asks to reconnect when the refresh token is no longer accepted', async () => {
    const db = new CallbackDeskDB(`hs-oauth-${Math.random()}`);
    await writeCredentials(db, 'hubspot', {
      auth: 'oauth',
      ...app,
      accessToken: 'expired',
      refreshToken: 'revoked',
      expiresAt: Date.now() + 3_600_000,
      account: { id: '1', name: 'x' },
      connectedAt: 0,
    });
    const session = storedSession(db, 'hubspot', (c) =>
      refreshHubSpotToken(c, { fetch: fetchToEmulator }),
    );
    const hs = new HubSpotConnector(
      { session, limiterStore: memoryLimiterStore(), fetch: fetchToEmulator },
      { auth: 'oauth' },
    );
    await expect(hs.listUsers()).rejects.toThrow(/Reconnect HubSpot/);
    db.close();
  });

  const expiringCredentials = (refreshToken: string) => ({
    auth: 'oauth' as const,
    ...app,
    accessToken: 'old-access',
    refreshToken,
    expiresAt: Date.now() + 60_000,
    account: { id: '1', name: 'x' },
    connectedAt: 0,
  });

  it('asks to reconnect when the refresh before expiry is refused', async () => {
    const db = new CallbackDeskDB(`hs-oauth-${Math.random()}`);
    await writeCredentials(db, 'hubspot', expiringCredentials('revoked'));
    const session = storedSession(db, 'hubspot', (c) =>
      refreshHubSpotToken(c, { fetch: fetchToEmulator }),
    );
    const hs = new HubSpotConnector(
      { session, limiterStore: memoryLimiterStore(), fetch: fetchToEmulator },
      { auth: 'oauth' },
    );
    const error = await hs.listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReconnectError);
    expect((error as Error).message).toBe(
      'Reconnect HubSpot: it no longer accepts the saved token.',
    );
    db.close();
  });

  it('refreshes once when several callers need a new token at the same time', async () => {
    const db = new CallbackDeskDB(`hs-oauth-${Math.random()}`);
    const code = emulator.issueAuthCode(app.clientId, redirectUri);
    const tokens = await exchangeHubSpotCode(
      { ...app, code, redirectUri },
      { fetch: fetchToEmulator },
    );
    await writeCredentials(db, 'hubspot', {
      ...expiringCredentials(tokens.refreshToken),
      accessToken: tokens.accessToken,
    });
    const before = emulator.log.filter((l) => l.path === '/oauth/v3/token').length;
    const sessions = [1, 2, 3].map(() =>
      storedSession(db, 'hubspot', (c) => refreshHubSpotToken(c, { fetch: fetchToEmulator })),
    );
    const fresh = await Promise.all(sessions.map((s) => s.current()));
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(tokens.accessToken);
    expect(emulator.log.filter((l) => l.path === '/oauth/v3/token').length - before).toBe(1);
    db.close();
  });

  it('does not bring back a connection removed while its token was being refreshed', async () => {
    const db = new CallbackDeskDB(`hs-oauth-${Math.random()}`);
    await writeCredentials(db, 'hubspot', expiringCredentials('refresh-1'));
    const session = storedSession(db, 'hubspot', async (c) => {
      // The user presses Disconnect while the token request is on its way.
      await forgetCredentials(db, 'hubspot');
      return { ...c, accessToken: 'new-access', refreshToken: 'refresh-2' };
    });
    await expect(session.current()).rejects.toThrow(/HubSpot is not connected/);
    expect(await readCredentials(db, 'hubspot')).toBeNull();
    db.close();
  });
});
