/**
 * Lead dispositions: set by staff, or read from the CRM (HubSpot lifecycle stage Customer or
 * a won deal; Clio a matter opened for the contact), and the survey answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackDeskDB } from '@/utils/db';
import { memoryLimiterStore } from '@/utils/http';
import { HubSpotConnector } from '@/utils/crm/hubspot';
import { ClioConnector } from '@/utils/crm/clio';
import type { Connector } from '@/utils/crm/connector';
import type { CrmSystem } from '@/utils/crm/model';
import { patchLead } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import type { Lead } from '@/utils/model';
import { refreshDispositions } from '@/utils/metrics/disposition';
import { saveSurveyAnswer } from '@/utils/metrics/survey';

const DAY = 86_400_000;
const SINCE = Date.parse('2026-11-09T10:00:00-05:00');
const NOW = SINCE + 10 * DAY;

/** A fetch that answers by method and path, and records what was asked. */
function stubFetch(routes: Record<string, (body: unknown, url: URL) => unknown>) {
  const asked: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = init?.method ?? 'GET';
    const key = `${method} ${url.pathname}`;
    asked.push(`${key}${url.search}`);
    const route = routes[key];
    if (!route) return new Response('{"message":"not found"}', { status: 404 });
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    return new Response(JSON.stringify(route(body, url)), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

const session = { current: async () => 'token', afterUnauthorized: async () => null };
const deps = (fetch: typeof globalThis.fetch) => ({
  session,
  limiterStore: memoryLimiterStore(),
  fetch,
  maxWaitMs: 0,
});

describe('reading a disposition from the CRM', () => {
  it('HubSpot: a deal won after the call retains the lead', async () => {
    const { fetch, asked } = stubFetch({
      'GET /crm/v3/objects/contacts/501': () => ({
        id: '501',
        properties: { lifecyclestage: 'opportunity' },
        associations: { deals: { results: [{ id: 'd1', type: 'contact_to_deal' }, { id: 'd2' }] } },
      }),
      'POST /crm/v3/objects/deals/batch/read': (body) => {
        expect(body).toMatchObject({ inputs: [{ id: 'd1' }, { id: 'd2' }] });
        return {
          results: [
            { id: 'd1', properties: { hs_is_closed_won: 'false', closedate: null } },
            {
              id: 'd2',
              properties: {
                hs_is_closed_won: 'true',
                closedate: '2026-11-15T17:00:00.000Z',
                dealname: 'Lopez – PI',
              },
            },
          ],
        };
      },
    });
    const hs = new HubSpotConnector(deps(fetch), { auth: 'private-app', portalId: '4242' });
    expect(await hs.clientOutcome('501', SINCE)).toEqual({
      retained: true,
      at: Date.parse('2026-11-15T17:00:00.000Z'),
      reason: 'HubSpot: deal "Lopez – PI" won',
    });
    expect(asked[0]).toBe(
      'GET /crm/v3/objects/contacts/501?properties=lifecyclestage%2Chs_lifecyclestage_customer_date&associations=deals',
    );
  });

  it('HubSpot: a customer since before the call (an existing client) is no retained lead', async () => {
    const { fetch } = stubFetch({
      'GET /crm/v3/objects/contacts/502': () => ({
        id: '502',
        properties: {
          lifecyclestage: 'customer',
          hs_lifecyclestage_customer_date: '2025-01-10T12:00:00.000Z',
        },
      }),
    });
    const hs = new HubSpotConnector(deps(fetch), { auth: 'private-app', portalId: '4242' });
    expect((await hs.clientOutcome('502', SINCE)).retained).toBe(false);
    const { fetch: fetch2 } = stubFetch({
      'GET /crm/v3/objects/contacts/503': () => ({
        id: '503',
        properties: { lifecyclestage: 'customer' },
      }),
    });
    const hs2 = new HubSpotConnector(deps(fetch2), { auth: 'private-app', portalId: '4242' });
    expect(await hs2.clientOutcome('503', SINCE)).toEqual({
      retained: true,
      reason: 'HubSpot: lifecycle stage Customer',
    });
  });

  it('Clio: a matter opened for the contact since the call', async () => {
    const { fetch, asked } = stubFetch({
      'GET /api/v4/matters.json': () => ({
        data: [
          { id: 12, display_number: '00012-Lopez', open_date: '2026-11-16' },
          { id: 3, display_number: '00003-Lopez', open_date: '2024-02-01' },
        ],
      }),
    });
    const clio = new ClioConnector(deps(fetch), { region: 'us', userId: '1' });
    expect(await clio.clientOutcome('77', SINCE)).toEqual({
      retained: true,
      at: Date.parse('2026-11-16T12:00:00Z'),
      reason: 'Clio: matter 00012-Lopez opened',
    });
    expect(asked[0]).toContain('client_id=77');
    const { fetch: old } = stubFetch({
      'GET /api/v4/matters.json': () => ({ data: [{ id: 3, open_date: '2024-02-01' }] }),
    });
    const clio2 = new ClioConnector(deps(old), { region: 'us', userId: '1' });
    expect((await clio2.clientOutcome('77', SINCE)).retained).toBe(false);
  });
});

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

function lead(id: string, extra: Partial<Lead> = {}): Lead {
  return {
    id,
    phoneKey: `+1212555${id.padStart(4, '0')}`,
    phone: `+1212555${id.padStart(4, '0')}`,
    rawNumber: '',
    noCallbackNumber: false,
    priority: false,
    status: 'done',
    firstMissedAt: SINCE,
    lastMissedAt: SINCE,
    missedCount: 1,
    dueAt: SINCE,
    overdueAt: SINCE,
    attemptCount: 1,
    attemptSummary: { firstPhoneAt: SINCE + 60_000, reached: true, consultation: true },
    crmLinks: [{ system: 'hubspot', contactId: `c${id}` }],
    createdAt: SINCE,
    updatedAt: SINCE,
    ...extra,
  };
}

function fakeHubSpot(retainedContacts: string[], failing: string[] = []): Connector {
  return {
    clientOutcome: async (contactId: string) => {
      if (failing.includes(contactId)) throw new Error('HubSpot answered 503');
      return retainedContacts.includes(contactId)
        ? { retained: true, at: NOW - DAY, reason: 'HubSpot: deal won' }
        : { retained: false, reason: 'HubSpot: not a customer, no won deal' };
    },
    findContactsByPhone: async (phone: string) =>
      phone === '+16465550001' ? [{ id: 'c-live', name: 'New caller', phones: [phone] }] : [],
  } as unknown as Connector;
}

describe('refreshing dispositions', () => {
  it('marks leads with a consultation Retained when the CRM says so, never overriding staff', async () => {
    await db.leads.bulkPut([
      lead('1'), // CRM: won
      lead('2'), // CRM: nothing yet
      lead('3', { disposition: 'not-retained', dispositionSource: 'staff' }), // staff said no
      lead('4', { attemptSummary: { firstPhoneAt: SINCE, reached: true } }), // no consultation
      lead('5'), // CRM failing
    ]);
    const connectorFor = async (system: CrmSystem) =>
      system === 'hubspot' ? fakeHubSpot(['c1', 'c3', 'c4'], ['c5']) : null;
    const report = await refreshDispositions(db, ['hubspot'], connectorFor, NOW);
    expect(report).toEqual({ checked: 3, retained: 1, failed: 1 });
    const stored = Object.fromEntries((await db.leads.toArray()).map((l) => [l.id, l]));
    expect(stored['1']).toMatchObject({
      disposition: 'retained',
      dispositionAt: NOW - DAY,
      dispositionSource: 'hubspot',
    });
    expect(stored['2']!.disposition).toBeUndefined();
    expect(stored['2']!.dispositionCheckedAt).toBe(NOW);
    expect(stored['3']!.disposition).toBe('not-retained');
    expect(stored['4']!.disposition).toBeUndefined();
    // Asked again only after 12 hours.
    const again = await refreshDispositions(db, ['hubspot'], connectorFor, NOW + 3_600_000);
    expect(again.checked).toBe(1); // lead 5, whose lookup failed
  });

  it('asks about new callers answered live by their number', async () => {
    await db.liveCallers.bulkPut([
      { phoneKey: '+16465550001', answeredAt: NOW - 2 * DAY, source: 'Website', path: 'api' },
      { phoneKey: '+16465550002', answeredAt: NOW - 2 * DAY, source: 'Website', path: 'api' },
    ]);
    const connectorFor = async () => fakeHubSpot(['c-live']);
    await refreshDispositions(db, ['hubspot'], connectorFor, NOW);
    const rows = await db.liveCallers.orderBy('phoneKey').toArray();
    expect(rows.map((r) => [r.disposition, r.checkedAt])).toEqual([
      ['retained', NOW],
      [undefined, NOW],
    ]);
  });

  it('no CRM connected: nothing is asked', async () => {
    await db.leads.put(lead('1'));
    expect(await refreshDispositions(db, [], async () => null, NOW)).toEqual({
      checked: 0,
      retained: 0,
      failed: 0,
    });
  });
});

describe('staff disposition and survey answers', () => {
  it('staff set and clear a disposition on a closed lead', async () => {
    await db.leads.put(lead('1'));
    const set = await patchLead(
      db,
      DEFAULT_SETTINGS,
      { leadId: '1', disposition: 'retained' },
      NOW,
    );
    expect(set).toMatchObject({
      disposition: 'retained',
      dispositionAt: NOW,
      dispositionSource: 'staff',
    });
    const cleared = await patchLead(db, DEFAULT_SETTINGS, { leadId: '1', disposition: null }, NOW);
    expect(cleared.disposition).toBeUndefined();
    expect(cleared.dispositionSource).toBeUndefined();
  });

  it('records the survey answers per lead; a bad rating is told in words', async () => {
    await db.leads.put(lead('1'));
    expect(await saveSurveyAnswer(db, { leadId: '1', feltValued: true, rating: 4 }, NOW)).toEqual({
      leadId: '1',
      feltValued: true,
      rating: 4,
      at: NOW,
    });
    await expect(saveSurveyAnswer(db, { leadId: '1', rating: 9 }, NOW)).rejects.toThrow(
      'Rating: choose 1 to 5.',
    );
    expect(await saveSurveyAnswer(db, { leadId: '1' }, NOW)).toBeNull();
    expect(await db.surveys.count()).toBe(0);
  });
});
