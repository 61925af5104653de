import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { db } from '@/utils/db';
import { DEFAULT_SETTINGS, saveSettings } from '@/utils/settings';
import {
  saveCredentials,
  secretKey,
  setSourceEnabled,
  sourceConnectionsItem,
  type SourceConnection,
} from '@/utils/capture/sources/connections';
import {
  POLL_ALARM,
  pollDueSources,
  pollSource,
  setupPollers,
} from '@/utils/capture/sources/poller';
import { clioLimiter } from '@/utils/crm/clio';
import { crmConnectionsItem } from '@/utils/crm/connections';
import { exchangeHubSpotCode } from '@/utils/crm/hubspot';
import { disconnect } from '@/utils/crm/service';
import {
  readCredentials as readCrmCredentials,
  writeCredentials,
  type ClioCredentials,
  type HubSpotCredentials,
} from '@/utils/crm/tokens';
import { dbLimiterStore } from '@/utils/http';
import type { SourceClient, SourceId } from '@/utils/capture/sources/types';
import { clioCallLog } from '@/utils/capture/sources/clioCalls';
import type { HttpResponse } from '@/utils/http';
import type { z } from 'zod';
import {
  EMULATED_TWILIO_SID,
  startAircall,
  startClioCommunications,
  startDialpad,
  startRingCentral,
  startTwilio,
} from '../emulators/providers';
import {
  CALL_DISPOSITIONS,
  startHubSpotEmulator,
  type HubSpotEmulator,
} from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { connectRingCentral } from './pollerWorld.ts';

const running: { close(): Promise<void> }[] = [];
async function track<T extends { close(): Promise<void> }>(emulator: Promise<T>): Promise<T> {
  const e = await emulator;
  running.push(e);
  return e;
}

async function connect(
  id: SourceId,
  url: string,
  credentials: unknown,
  config: Record<string, unknown> = {},
): Promise<void> {
  const connection: SourceConnection = {
    enabled: true,
    baseUrl: url,
    config,
    connectedAt: Date.now(),
  };
  await sourceConnectionsItem.setValue({
    ...(await sourceConnectionsItem.getValue()),
    [id]: connection,
  });
  await saveCredentials(db, id, credentials);
}

/** Poll until it succeeds, as the alarm would, jumping the clock past each wait the poller set. */
async function pollUntilOk(id: SourceId, clock: { offset: number }, maxPolls = 20) {
  for (let i = 0; i < maxPolls; i++) {
    const outcome = await pollSource(id, { now: () => Date.now() + clock.offset });
    if (outcome.status === 'ok') return outcome;
    if (outcome.nextPollAfter)
      clock.offset = Math.max(clock.offset, outcome.nextPollAfter - Date.now() + 1);
  }
  throw new Error(`${id} never polled successfully`);
}

const minutesAgo = (m: number) => Date.now() - m * 60_000;

beforeEach(async () => {
  await Promise.all([db.leads.clear(), db.calls.clear(), db.cursors.clear(), db.secrets.clear()]);
  // The fake browser has no permissions API: the user granted the host when connecting.
  fakeBrowser.permissions.contains = (async () => true) as typeof fakeBrowser.permissions.contains;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

describe('poller schedule', () => {
  it('polls every minute and does not push the alarm back when the worker restarts', async () => {
    setupPollers();
    await expect
      .poll(() => fakeBrowser.alarms.get(POLL_ALARM))
      .toMatchObject({ periodInMinutes: 1 });
    const first = await fakeBrowser.alarms.get(POLL_ALARM);
    setupPollers();
    await new Promise((r) => setTimeout(r, 20));
    expect((await fakeBrowser.alarms.get(POLL_ALARM))?.scheduledTime).toBe(first?.scheduledTime);
  });
});

describe('Aircall poller against the emulator', () => {
  it('captures missed calls once; answered calls close leads; re-polls add nothing', async () => {
    const aircall = await track(startAircall());
    aircall.state.addCall({ from: '+12125551001', name: 'Ann Lee', at: minutesAgo(30) });
    aircall.state.addCall({ from: '+12125551002', at: minutesAgo(20), outcome: 'voicemail' });
    aircall.state.addCall({ from: '+12125551003', at: minutesAgo(10), outcome: 'after-hours' });
    aircall.state.addCall({ from: '+12125551001', at: minutesAgo(5), outcome: 'answered' }); // Ann got through later
    aircall.state.addCall({ from: '+12125559999', at: minutesAgo(4), outcome: 'answered' }); // nobody to close
    aircall.state.addCall({ from: '+12125551004', at: minutesAgo(3), direction: 'outbound' });
    aircall.state.addCall({ from: '+12125551005', at: minutesAgo(1), outcome: 'in-progress' });
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    // The firm's main line (Aircall's number.digits) is tagged by a source rule.
    await saveSettings({
      ...DEFAULT_SETTINGS,
      sourceRules: [{ id: 'main', line: '(212) 555-0100', source: 'Website', priority: false }],
    });

    const first = await pollSource('aircall');
    expect(first).toMatchObject({ status: 'ok', added: 3, answeredClosed: 1 });
    const leads = await db.leads.toArray();
    expect(leads.map((l) => [l.phone, l.status]).sort()).toEqual([
      ['+12125551001', 'done'],
      ['+12125551002', 'open'],
      ['+12125551003', 'open'],
    ]);
    expect(leads.find((l) => l.phone === '+12125551001')).toMatchObject({
      name: 'Ann Lee',
      answeredLaterAt: expect.any(Number),
    });
    expect(leads.every((l) => l.source === 'Website')).toBe(true);
    expect((await db.calls.where('providerKey').equals('aircall:1000002').first())?.reason).toBe(
      'voicemail',
    );

    // The in-progress call ends unanswered: the look-back window reads it again.
    aircall.state.calls[6]!.status = 'done';
    aircall.state.calls[6]!.missed_call_reason = 'agents_did_not_answer';
    aircall.state.calls[6]!.answered_at = null;
    const second = await pollSource('aircall');
    expect(second).toMatchObject({ status: 'ok', added: 1 });
    expect(await db.calls.count()).toBe(5);
    const third = await pollSource('aircall');
    expect(third).toMatchObject({ status: 'ok', added: 0 });
    expect(await db.calls.count()).toBe(5);

    const cursor = await db.cursors.get('aircall');
    expect(cursor).toMatchObject({
      lastError: undefined,
      consecutiveFailures: 0,
      lastResult: { added: 0 },
    });
    // Aircall filters on the call's start only: each poll reads the last 4 hours again.
    expect((cursor?.cursor as { since: number }).since).toBeGreaterThan(minutesAgo(4 * 60 + 1));
    expect((cursor?.cursor as { since: number }).since).toBeLessThan(minutesAgo(4 * 60 - 1));
  });

  it('loses and duplicates nothing under 429, 500, malformed JSON, slow answers and dropped connections', async () => {
    const aircall = await track(startAircall());
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    const clock = { offset: 0 };
    const callers = Array.from(
      { length: 60 },
      (_, i) => `+1212555${String(2000 + i).padStart(4, '0')}`,
    );
    // 60 missed calls arrive in 4 waves, with faults queued before each poll (more than one
    // page each time, so faults also hit page 2).
    for (let wave = 0; wave < 4; wave++) {
      // Calls happen "now" on the poller's clock, which the waits have moved forward.
      const at = Date.now() + clock.offset - 60_000;
      for (const from of callers.slice(wave * 15, wave * 15 + 15))
        aircall.state.addCall({ from, at });
      aircall.state.faults.push(
        { kind: '429', retryAfterSeconds: 30 },
        { kind: '500', times: 3 },
        { kind: 'malformed' },
        { kind: 'slow', delayMs: 300 },
        { kind: 'drop' },
      );
      await pollUntilOk('aircall', clock);
    }
    // Same calls again, nothing new: a clean poll adds nothing.
    await pollUntilOk('aircall', clock);
    expect(await db.calls.count()).toBe(60);
    expect(await db.leads.count()).toBe(60);
    const keys = (await db.calls.toArray()).map((c) => c.providerKey);
    expect(new Set(keys).size).toBe(60);
    const faulted = aircall.state.requests.filter((r) => r.fault && r.fault !== 'slow');
    expect(faulted.length).toBeGreaterThanOrEqual(4 * 6);
    // Real backoff waits between in-process retries (about 2 s per wave).
  }, 30_000);

  it('respects Retry-After: no request goes out before the wait is over, and Options sees why', async () => {
    const aircall = await track(startAircall());
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    aircall.state.addCall({ from: '+12125553001', at: minutesAgo(2) });
    aircall.state.faults.push({ kind: '429', retryAfterSeconds: 120 });
    const failed = await pollSource('aircall');
    expect(failed.status).toBe('error');
    expect(failed.nextPollAfter! - Date.now()).toBeGreaterThan(100_000);
    expect((await db.cursors.get('aircall'))?.lastError).toMatch(
      /rate limit; trying again in 120 s/,
    );
    const sent = aircall.state.requests.length;
    // The alarm fires again a minute later: still inside the wait, nothing is sent.
    expect(await pollSource('aircall', { now: () => Date.now() + 60_000 })).toMatchObject({
      status: 'waiting',
    });
    expect(aircall.state.requests.length).toBe(sent);
    expect(await pollSource('aircall', { now: () => Date.now() + 121_000 })).toMatchObject({
      status: 'ok',
      added: 1,
    });
  });

  it('a worker killed after storing calls but before saving the cursor repeats nothing', async () => {
    const aircall = await track(startAircall());
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    for (let i = 0; i < 5; i++)
      aircall.state.addCall({ from: `+1212555400${i}`, at: minutesAgo(40 - i) });
    const before = await db.cursors.get('aircall');
    await pollSource('aircall');
    // Simulate the kill: the calls are stored, the cursor write never happened.
    await db.cursors.put(before ?? { sourceId: 'aircall', cursor: undefined });
    const again = await pollSource('aircall');
    expect(again).toMatchObject({ status: 'ok', added: 0, duplicates: 5 });
    expect(await db.calls.count()).toBe(5);
  });

  it('reports rejected credentials clearly and waits instead of hammering', async () => {
    const aircall = await track(startAircall());
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'wrong' });
    const outcome = await pollSource('aircall');
    expect(outcome.status).toBe('error');
    expect(outcome.error).toMatch(/rejected the credentials \(401.*Reconnect/);
    expect(outcome.nextPollAfter! - Date.now()).toBeGreaterThanOrEqual(14 * 60_000);
  });
});

describe('RingCentral poller', () => {
  it('refreshes an expired access token once, stores the rotated tokens, and keeps polling', async () => {
    const rc = await track(startRingCentral());
    const tokens = await connectRingCentral(rc);
    rc.state.addCall({ from: '+13125550101', name: 'Bo Chen', at: minutesAgo(12) });
    rc.state.addCall({ from: '+13125550102', at: minutesAgo(8), outcome: 'voicemail' });
    rc.state.addCall({ from: '+13125550103', at: minutesAgo(6), outcome: 'in-progress' });
    expect(await pollSource('ringcentral')).toMatchObject({ status: 'ok', added: 2 });

    rc.oauth.expireAccessTokens();
    rc.state.addCall({ from: '+13125550104', at: minutesAgo(1), outcome: 'abandoned' });
    expect(await pollSource('ringcentral')).toMatchObject({ status: 'ok', added: 1 });
    const stored = (await db.secrets.get(secretKey('ringcentral')))?.value as {
      accessToken: string;
      refreshToken: string;
    };
    expect(stored.accessToken).not.toBe(tokens.access_token);
    expect(stored.refreshToken).not.toBe(tokens.refresh_token);
    expect(rc.oauth.accessTokens.has(stored.accessToken)).toBe(true);
    expect(await db.leads.count()).toBe(3);

    // The refresh token is revoked too: the user must sign in again, and Options says so.
    rc.oauth.expireAccessTokens();
    rc.oauth.refreshTokens.clear();
    const failed = await pollSource('ringcentral');
    expect(failed.status).toBe('error');
    expect(failed.error).toMatch(/Token is expired/);
  });
});

describe('RingCentral token refresh', () => {
  it('two overlapping polls refresh a rotated token once, and both succeed', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    rc.state.addCall({ from: '+13125550101', at: minutesAgo(3) });
    rc.oauth.expireAccessTokens();
    const outcomes = await Promise.all([pollSource('ringcentral'), pollSource('ringcentral')]);
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok']);
    const stored = (await db.secrets.get(secretKey('ringcentral')))?.value as {
      refreshToken: string;
    };
    expect(rc.oauth.refreshTokens.has(stored.refreshToken)).toBe(true);
    expect(await db.leads.count()).toBe(1);
  });
});

describe('other sources against their emulators', () => {
  it('Twilio: inbound no-answer, busy and canceled calls; RFC 2822 times; next_page_uri paging', async () => {
    const twilio = await track(startTwilio());
    await connect(
      'twilio',
      twilio.url,
      { authToken: 'twilio-token' },
      { accountSid: EMULATED_TWILIO_SID },
    );
    // More than one page of 1,000 (Twilio's largest).
    for (let i = 0; i < 1_100; i++)
      twilio.state.addCall({
        from: `+1415${String(5_550_000 + i)}`,
        at: minutesAgo(200 - i / 10),
      });
    twilio.state.addCall({ from: '+14155559001', at: minutesAgo(5), outcome: 'busy' });
    twilio.state.addCall({ from: '+14155559002', at: minutesAgo(4), outcome: 'abandoned' });
    twilio.state.addCall({ from: '+14155559003', at: minutesAgo(3), outcome: 'answered' });
    twilio.state.addCall({ from: '+14155559004', at: minutesAgo(2), direction: 'outbound' });
    expect(await pollSource('twilio')).toMatchObject({ status: 'ok', added: 1_102 });
    const busy = await db.calls
      .where('providerKey')
      .equals(`twilio:${twilio.state.calls[1_100]!.sid}`)
      .first();
    expect(busy).toMatchObject({ reason: 'busy', dialedLine: '+12125550100' });
    expect(twilio.state.requests.filter((r) => r.path.endsWith('/Calls.json')).length).toBe(2);
  });

  it('Dialpad: missed and voicemail states, cursor paging', async () => {
    const dialpad = await track(startDialpad());
    await connect('dialpad', dialpad.url, { apiKey: 'dialpad-key' });
    for (let i = 0; i < 55; i++)
      dialpad.state.addCall({ from: `+1646555${String(1000 + i)}`, at: minutesAgo(60 - i) });
    dialpad.state.addCall({
      from: '+16465559001',
      at: minutesAgo(2),
      outcome: 'voicemail',
      name: 'Cy Dorn',
    });
    dialpad.state.addCall({ from: '+16465559002', at: minutesAgo(1), outcome: 'answered' });
    expect(await pollSource('dialpad')).toMatchObject({ status: 'ok', added: 56 });
    expect(await db.leads.where('phoneKey').equals('+16465559001').first()).toMatchObject({
      name: 'Cy Dorn',
    });
  });

  it('the alarm polls every enabled source and skips disabled ones', async () => {
    const aircall = await track(startAircall());
    const dialpad = await track(startDialpad());
    aircall.state.addCall({ from: '+12125557001', at: minutesAgo(3) });
    dialpad.state.addCall({ from: '+16465557001', at: minutesAgo(3) });
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    await connect('dialpad', dialpad.url, { apiKey: 'dialpad-key' });
    const all = await sourceConnectionsItem.getValue();
    await sourceConnectionsItem.setValue({ ...all, dialpad: { ...all.dialpad!, enabled: false } });
    const outcomes = await pollDueSources();
    expect(outcomes).toEqual([
      expect.objectContaining({ sourceId: 'aircall', status: 'ok', added: 1 }),
    ]);
    expect(dialpad.state.requests).toHaveLength(0);
  });
});

describe('CRM call logs read through the CRM connections', () => {
  const routes = (origin: string, url: string) => routedFetch({ [origin]: url }, fetch);

  /** The state Options → CRM connections leaves behind after a successful connect. */
  async function connectCrm(credentials: HubSpotCredentials | ClioCredentials) {
    const system = 'region' in credentials ? 'clio' : 'hubspot';
    if (system === 'clio') await writeCredentials(db, 'clio', credentials as ClioCredentials);
    else await writeCredentials(db, 'hubspot', credentials as HubSpotCredentials);
    await crmConnectionsItem.setValue({
      ...(await crmConnectionsItem.getValue()),
      [system]: {
        system,
        auth: credentials.auth,
        account: credentials.account,
        connectedAt: credentials.connectedAt,
      },
    });
  }

  async function hubSpotOAuth(hubspot: HubSpotEmulator, fetch: typeof globalThis.fetch) {
    const [app] = hubspot.options.oauthClients;
    const redirectUri = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/hubspot';
    const tokens = await exchangeHubSpotCode(
      { ...app!, code: hubspot.issueAuthCode(app!.clientId, redirectUri), redirectUri },
      { fetch },
    );
    await connectCrm({
      ...tokens,
      account: { id: '4242424', name: 'HubSpot account 4242424' },
      connectedAt: Date.now(),
    });
    return tokens;
  }

  const storedHubSpotToken = async () => {
    const credentials = await readCrmCredentials(db, 'hubspot');
    return credentials?.auth === 'oauth' ? credentials.accessToken : undefined;
  };

  const inbound = (status: string, minutes: number, from: string, extra = {}) => ({
    hs_timestamp: String(minutesAgo(minutes)),
    hs_call_direction: 'INBOUND',
    hs_call_status: status,
    hs_call_from_number: from,
    hs_call_to_number: '+12125550100',
    ...extra,
  });

  let hubspot: HubSpotEmulator | undefined;
  afterEach(async () => {
    try {
      hubspot?.assertNoViolations();
    } finally {
      await hubspot?.close();
      hubspot = undefined;
    }
  });

  it('HubSpot: polls with the HubSpot connection’s token, refreshes it before expiry and once after a 401', async () => {
    hubspot = await startHubSpotEmulator();
    const fetch = routes('https://api.hubapi.com', hubspot.url);
    const first = await hubSpotOAuth(hubspot, fetch);
    await setSourceEnabled('hubspot-calls', true);
    hubspot.seedCall(inbound('NO_ANSWER', 9, '+17185550001'));
    hubspot.seedCall(
      inbound('NO_ANSWER', 8, '+17185550002', {
        hs_call_disposition: CALL_DISPOSITIONS.leftVoicemail,
      }),
    );
    hubspot.seedCall(inbound('BUSY', 7, '+17185550003'));
    hubspot.seedCall(inbound('COMPLETED', 6, '+17185550004'));
    hubspot.seedCall({ ...inbound('NO_ANSWER', 5, '+17185550005'), hs_call_direction: 'OUTBOUND' });

    expect(await pollSource('hubspot-calls', { fetch })).toMatchObject({ status: 'ok', added: 3 });
    const calls = await db.calls.toArray();
    expect(calls.every((c) => c.capturePath === 'crm' && c.provider === 'hubspot')).toBe(true);
    expect(calls.map((c) => c.reason).sort()).toEqual(['busy', 'no-answer', 'voicemail']);
    expect(await storedHubSpotToken()).toBe(first.accessToken);

    // HubSpot expired the token early: one 401, one refresh, the same search again.
    hubspot.expireAccessTokens();
    hubspot.seedCall(inbound('CANCELED', 2, '+17185550006'));
    hubspot.log.length = 0;
    expect(await pollSource('hubspot-calls', { fetch })).toMatchObject({ status: 'ok', added: 1 });
    expect(hubspot.log.map((l) => `${l.status} ${l.method} ${l.path}`)).toEqual([
      '401 POST /crm/v3/objects/calls/search',
      '200 POST /oauth/v3/token',
      '200 POST /crm/v3/objects/calls/search',
    ]);
    const refreshed = await storedHubSpotToken();
    expect(refreshed).not.toBe(first.accessToken);

    // Five minutes before it expires, the token is refreshed before the search goes out.
    const stored = await readCrmCredentials(db, 'hubspot');
    if (stored?.auth !== 'oauth') throw new Error('HubSpot OAuth credentials are missing');
    await writeCredentials(db, 'hubspot', { ...stored, expiresAt: Date.now() + 60_000 });
    hubspot.log.length = 0;
    expect(await pollSource('hubspot-calls', { fetch })).toMatchObject({ status: 'ok', added: 0 });
    expect(hubspot.log.map((l) => `${l.status} ${l.method} ${l.path}`)).toEqual([
      '200 POST /oauth/v3/token',
      '200 POST /crm/v3/objects/calls/search',
    ]);
    expect(await storedHubSpotToken()).not.toBe(refreshed);
    expect(await db.leads.count()).toBe(4);
  });

  it('HubSpot: the call-log search waits for the search budget CRM matching shares', async () => {
    hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-na1-calls'] });
    const fetch = routes('https://api.hubapi.com', hubspot.url);
    await connectCrm({
      auth: 'private-app',
      token: 'pat-na1-calls',
      account: { id: '', name: 'HubSpot account' },
      connectedAt: Date.now(),
    });
    await setSourceEnabled('hubspot-calls', true);
    hubspot.seedCall(inbound('NO_ANSWER', 3, '+17185550011'));
    // Contact matching just got a 429 on search: HubSpot wants 30 s of quiet.
    await dbLimiterStore(db).update('hubspot-search', () => ({
      state: { sent: [], tokens: 0, updatedAt: Date.now(), blockedUntil: Date.now() + 30_000 },
      result: undefined,
    }));

    const held = await pollSource('hubspot-calls', { fetch });
    expect(held.status).toBe('error');
    expect(held.error).toMatch(/Holding back to stay within its rate limit/);
    expect(held.nextPollAfter! - Date.now()).toBeGreaterThan(25_000);
    expect(hubspot.log).toHaveLength(0);
    expect(
      await pollSource('hubspot-calls', { fetch, now: () => Date.now() + 31_000 }),
    ).toMatchObject({ status: 'ok', added: 1 });
  });

  it('HubSpot: a refused token asks to reconnect HubSpot, in the poll status and under CRM connections', async () => {
    hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-na1-calls'] });
    const fetch = routes('https://api.hubapi.com', hubspot.url);
    await connectCrm({
      auth: 'private-app',
      token: 'pat-na1-calls',
      account: { id: '', name: 'HubSpot account' },
      connectedAt: Date.now(),
    });
    await setSourceEnabled('hubspot-calls', true);
    hubspot.revokePrivateAppToken('pat-na1-calls');

    const outcome = await pollSource('hubspot-calls', { fetch });
    expect(outcome).toMatchObject({
      status: 'error',
      error: 'Reconnect HubSpot: it no longer accepts the saved token.',
    });
    expect(outcome.nextPollAfter! - Date.now()).toBeGreaterThanOrEqual(14 * 60_000);
    expect((await crmConnectionsItem.getValue()).hubspot?.problem).toBe(
      'Reconnect HubSpot: it no longer accepts the saved token.',
    );
  });

  it('polls only while the CRM is connected; disconnecting the CRM stops it and forgets the cursor', async () => {
    hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-na1-calls'] });
    const fetch = routes('https://api.hubapi.com', hubspot.url);
    await setSourceEnabled('hubspot-calls', true);
    hubspot.seedCall(inbound('NO_ANSWER', 3, '+17185550021'));
    expect(await pollSource('hubspot-calls', { fetch })).toMatchObject({ status: 'disabled' });
    expect(await db.cursors.get('hubspot-calls')).toBeUndefined();

    await connectCrm({
      auth: 'private-app',
      token: 'pat-na1-calls',
      account: { id: '', name: 'HubSpot account' },
      connectedAt: Date.now(),
    });
    expect(await pollDueSources({ fetch })).toEqual([
      expect.objectContaining({ sourceId: 'hubspot-calls', status: 'ok', added: 1 }),
    ]);

    await disconnect('hubspot');
    expect((await sourceConnectionsItem.getValue())['hubspot-calls']).toBeUndefined();
    expect(await db.cursors.get('hubspot-calls')).toBeUndefined();
    const requests = hubspot.log.length;
    expect(await pollDueSources({ fetch })).toEqual([]);
    expect(hubspot.log).toHaveLength(requests);
    // What it captured stays in the queue.
    expect(await db.calls.count()).toBe(1);
  });

  it('Clio: missed by subject/body, number from the text or the contact, in the connection’s region and budget', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-eu-token' }));
    const fetch = routes('https://eu.app.clio.com', clio.url);
    await connectCrm({
      auth: 'oauth',
      region: 'eu',
      clientId: 'firm-clio-app',
      clientSecret: 'firm-clio-secret',
      accessToken: 'clio-eu-token',
      refreshToken: 'clio-eu-refresh',
      expiresAt: Date.now() + 30 * 24 * 3_600_000,
      account: { id: '345001', name: 'Ana Lopez' },
      connectedAt: Date.now(),
    });
    await setSourceEnabled('clio-calls', true);
    clio.state.addCall({ from: '+13055550001', name: 'Di Egan', at: minutesAgo(9) }); // number on the contact
    clio.state.addCall({ from: '+13055550002', at: minutesAgo(8), outcome: 'voicemail' }); // number in subject
    clio.state.addCall({ from: '+13055550003', at: minutesAgo(7), outcome: 'after-hours' });
    clio.state.addCall({ from: '+13055550004', at: minutesAgo(6), direction: 'outbound' });
    expect(await pollSource('clio-calls', { fetch })).toMatchObject({ status: 'ok', added: 3 });
    expect((await db.leads.toArray()).map((l) => l.phone).sort()).toEqual([
      '+13055550001',
      '+13055550002',
      '+13055550003',
    ]);
    expect(await db.leads.where('phoneKey').equals('+13055550001').first()).toMatchObject({
      name: 'Di Egan',
    });
    // The same per-user budget as Clio sync (50 requests a minute per token).
    const budget = clioLimiter(dbLimiterStore(db), 'eu', '345001');
    expect(await budget.store.get(budget.key)).toMatchObject({ tokens: expect.any(Number) });
    expect((await budget.store.get(budget.key))!.tokens).toBeLessThan(50);
  });

  it('Clio: pages with only outbound entries still move the resume point forward', async () => {
    const since = Date.parse('2026-03-04T15:00:00Z');
    let requests = 0;
    // More pages than one poll reads, none of them a call from a contact.
    const client: SourceClient = {
      baseUrl: 'https://app.clio.com',
      now: since,
      call: async <S extends z.ZodType>() => {
        const page = requests++;
        const data = {
          data: [0, 1].map((i) => ({
            id: page * 2 + i,
            type: 'PhoneCommunication',
            subject: 'Called back',
            received_at: new Date(since + (page * 2 + i + 1) * 60_000).toISOString(),
            senders: [{ id: 7, type: 'User', identifier: 'Ana Lopez' }],
          })),
          meta: {
            paging: { next: `https://app.clio.com/api/v4/communications.json?page=${page + 1}` },
          },
        };
        return { data, status: 200, headers: new Headers(), rateLimit: {} } as HttpResponse<
          z.output<S>
        >;
      },
    };
    const result = await clioCallLog.fetchCalls(client, since);
    expect(result).toMatchObject({ calls: [], complete: false });
    // The next poll carries on from the page after the last one read.
    expect(result.resume).toEqual({
      page: `https://app.clio.com/api/v4/communications.json?page=${requests}`,
      skip: 0,
    });
  });
});
