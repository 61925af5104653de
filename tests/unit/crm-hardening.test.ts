import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { routedFetch } from '../emulators/route.ts';
import { CallbackDeskDB } from '@/utils/db';
import { dbLimiterStore } from '@/utils/http';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import { HubSpotConnector } from '@/utils/crm/hubspot';
import { ClioConnector } from '@/utils/crm/clio';
import { buildSyncDrafts, contactFactsDraft } from '@/utils/crm/records';
import { contactDraft } from '@/utils/crm/matching';
import { enqueueTaskCompletions, linkLead } from '@/utils/crm/links';
import { crmLinkOf, idempotencyKey, type CrmSystem, type SyncJob } from '@/utils/crm/model';
import type { Connector } from '@/utils/crm/connector';
import {
  drainOutbox,
  enqueueDrafts,
  nextDueAt,
  requeueAfterReconnect,
} from '@/utils/outbox/outbox';

/**
 * Issue 7 (hardening), the CRM side: HubSpot phone search on the calculated properties (9),
 * a search index that lags minutes (4), links and jobs per account (5) and per CRM (8),
 * earlier follow-up tasks completed (19), created contacts carrying source and practice
 * area (20). Every request and answer is checked against the vendors' specs.
 */

const NY = 'America/New_York';
const t0 = new TZDate(2026, 2, 4, 10, 0, NY).getTime(); // a Wednesday morning
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  staff: [{ id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' }],
};
const PORTAL_A = '4242';
const PORTAL_B = '9191';

let offset = 0;
/** Virtual time: the outbox, the connectors and HubSpot's search index share it. */
const now = () => t0 + 3_600_000 + offset;
const sleep = async (ms: number) => {
  offset += ms;
};

let hubspot: HubSpotEmulator;
let other: HubSpotEmulator;
let clio: ClioEmulator;
let db: CallbackDeskDB;

beforeAll(async () => {
  hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-a'] });
  other = await startHubSpotEmulator({ privateAppTokens: ['pat-a'], portalId: 9191 });
  // Rate windows, writes and the search index run on the test's virtual clock.
  hubspot.clock = now;
  other.clock = now;
  clio = await startClioEmulator();
});
afterAll(async () => {
  await hubspot.close();
  await other.close();
  await clio.close();
});
beforeEach(async () => {
  db = new CallbackDeskDB(`hardening-${crypto.randomUUID()}`);
  await db.open();
  offset = 0;
});
afterEach(async () => {
  await db.delete();
  try {
    hubspot.assertNoViolations();
    other.assertNoViolations();
    clio.assertNoViolations();
  } finally {
    hubspot.reset();
    other.reset();
    clio.reset();
  }
});

function hubspotConnector(emulator: HubSpotEmulator, portal: string): HubSpotConnector {
  return new HubSpotConnector(
    {
      session: { current: async () => 'pat-a', afterUnauthorized: async () => null },
      limiterStore: dbLimiterStore(db),
      fetch: routedFetch({ 'https://api.hubapi.com': emulator.url }),
      now,
      sleep,
      maxWaitMs: 30_000,
      timeoutMs: 2_000,
    },
    { auth: 'private-app', portalId: portal, accountKey: portal },
  );
}

let clioToken = '';
function clioConnector(): ClioConnector {
  return new ClioConnector(
    {
      session: { current: async () => clioToken, afterUnauthorized: async () => null },
      limiterStore: dbLimiterStore(db),
      fetch: routedFetch({ 'https://app.clio.com': clio.url }),
      now,
      sleep,
      maxWaitMs: 0,
    },
    { region: 'us', userId: String(clio.options.users[0]!.id), accountKey: 'us:7700001' },
  );
}

/** Drain until nothing is due any more (moving the virtual clock to each retry). */
async function drainAll(connectors: Partial<Record<CrmSystem, Connector>>, rounds = 60) {
  for (let i = 0; i < rounds; i++) {
    await drainOutbox({
      db,
      runId: crypto.randomUUID(),
      connectorFor: async (system) => connectors[system] ?? null,
      ownerFor: async (system, staffId) =>
        staffId !== 'ana'
          ? undefined
          : system === 'hubspot'
            ? '101'
            : String(clio.options.users[0]!.id),
      now,
      sleep,
      random: () => 0.5,
      inProcessWaitMs: 0,
    });
    const next = await nextDueAt(db);
    if (next === null) return;
    offset += Math.max(0, next - now());
  }
}

async function newLead(phone = '(415) 555-0134') {
  await captureCalls(
    db,
    settings,
    [
      {
        from: phone,
        startedAt: t0,
        provider: 'manual',
        capturePath: 'manual',
        callerName: 'Dana Whitfield',
        source: 'Google Ads – PI',
        practiceArea: 'Personal injury',
      },
    ],
    t0,
  );
  return (await db.leads.toArray()).find((l) => l.rawNumber === phone)!;
}

async function attempt(leadId: string, at: number, outcome: 'no-answer' | 'reached' = 'no-answer') {
  await recordAttempt(db, settings, { leadId, method: 'call', outcome, by: 'ana' }, at);
}

async function draftsFor(leadId: string, system: CrmSystem, account: string) {
  const lead = (await db.leads.get(leadId))!;
  const attempts = await db.attempts.where('leadId').equals(leadId).toArray();
  return buildSyncDrafts({ system, lead, attempts, settings, account });
}

function contactJobDraft(
  lead: Awaited<ReturnType<typeof newLead>>,
  system: CrmSystem,
  account: string,
) {
  return {
    idempotencyKey: idempotencyKey({ leadId: lead.id }, system, 'contact', account),
    system,
    kind: 'contact' as const,
    leadId: lead.id,
    account,
    payload: contactDraft(lead)!,
  };
}

const jobs = async () => (await db.outbox.toArray()) as unknown as SyncJob[];

describe('HubSpot phone matching (9)', () => {
  it('finds a contact saved as "(415) 555-0134" for a call from +14155550134', async () => {
    const saved = hubspot.seedContact({
      firstname: 'Dana',
      lastname: 'W',
      phone: '(415) 555-0134',
    });
    hubspot.seedContact({ firstname: 'Other', lastname: 'Area', phone: '(212) 555-0134' });
    hubspot.seedContact({ firstname: 'Mobile', lastname: 'Only', mobilephone: '415.555.0134' });
    const found = await hubspotConnector(hubspot, PORTAL_A).findContactsByPhone('+14155550134');
    expect(found.map((c) => c.id).sort()).toEqual(
      [saved.id, hubspot.records('contacts')[2]!.id].sort(),
    );
  });

  it('a dropped answer on a contact create gives one contact, not two', async () => {
    const lead = await newLead();
    await enqueueDrafts(db, [contactJobDraft(lead, 'hubspot', PORTAL_A)], now());
    hubspot.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/contacts$/ });
    await drainAll({ hubspot: hubspotConnector(hubspot, PORTAL_A) });
    expect(hubspot.records('contacts')).toHaveLength(1);
    // Written as E.164, found again by its national digits.
    expect(hubspot.records('contacts')[0]!.properties.phone).toBe('+14155550134');
    expect(await jobs()).toMatchObject([{ kind: 'contact', state: 'synced' }]);
  });
});

describe('HubSpot search index lag (4)', () => {
  it('keeps looking up a contact whose create answer was lost until the index shows it', async () => {
    // Records become searchable 90 s after they are written; the first lookup is at 10 s.
    hubspot.options.searchLagMs = 90_000;
    const lead = await newLead();
    await enqueueDrafts(db, [contactJobDraft(lead, 'hubspot', PORTAL_A)], now());
    hubspot.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/contacts$/ });
    await drainAll({ hubspot: hubspotConnector(hubspot, PORTAL_A) });
    expect(hubspot.records('contacts')).toHaveLength(1);
    const [job] = await jobs();
    expect(job).toMatchObject({ state: 'synced', remoteId: hubspot.records('contacts')[0]!.id });
    // Several lookups were made (backing off), one create.
    const searches = hubspot.log.filter((r) => r.path === '/crm/v3/objects/contacts/search');
    expect(searches.length).toBeGreaterThan(2);
    expect(
      hubspot.log.filter((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts'),
    ).toHaveLength(1);
  });
});

describe('links per CRM and account (5, 8)', () => {
  it('a lead linked in HubSpot keeps syncing there after its Clio contact is created', async () => {
    const lead = await newLead();
    await attempt(lead.id, t0 + 3 * 60_000);
    const contact = hubspot.seedContact({
      firstname: 'Dana',
      lastname: 'W',
      phone: '(415) 555-0134',
    });
    await linkLead(
      db,
      lead.id,
      { system: 'hubspot', account: PORTAL_A, contactId: contact.id },
      now(),
    );
    clioToken = clio.grantToken().access_token;
    const fresh = (await db.leads.get(lead.id))!;
    await enqueueDrafts(
      db,
      [
        contactJobDraft(fresh, 'clio', 'us:7700001'),
        ...(await draftsFor(lead.id, 'clio', 'us:7700001')),
        ...(await draftsFor(lead.id, 'hubspot', PORTAL_A)),
      ],
      now(),
    );
    // Clio first: its new contact must not take the HubSpot link's place.
    // One drain sends both, Clio's new contact first.
    await drainAll({ clio: clioConnector(), hubspot: hubspotConnector(hubspot, PORTAL_A) });
    expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
    expect(hubspot.associatedWith(contact.id, 'calls')).toHaveLength(1);
    const links = (await db.leads.get(lead.id))!.crmLinks!;
    expect(links.map((l) => [l.system, l.account])).toEqual([
      ['hubspot', PORTAL_A],
      ['clio', 'us:7700001'],
    ]);
    expect(crmLinkOf({ crmLinks: links }, 'clio', 'us:7700001')!.contactId).toBe(
      String(clio.contacts[0]!.id),
    );
  });

  it('jobs of a portal that was replaced by another are matched again, never sent to the old contact', async () => {
    const lead = await newLead();
    await attempt(lead.id, t0 + 3 * 60_000);
    const inA = hubspot.seedContact({ firstname: 'Dana', lastname: 'W', phone: '(415) 555-0134' });
    await linkLead(db, lead.id, { system: 'hubspot', account: PORTAL_A, contactId: inA.id }, now());
    const queued = await enqueueDrafts(db, await draftsFor(lead.id, 'hubspot', PORTAL_A), now());
    // Portal A refused the token: the jobs failed holding A's contact id.
    for (const job of queued)
      await db.outbox.update(job.id, {
        state: 'failed',
        contactId: inA.id,
        lastError: 'Reconnect HubSpot',
      });
    // The user connects portal B, which has the caller under another id.
    other.seedContact({ firstname: 'Placeholder', lastname: 'X', phone: '(650) 555-0100' });
    const inB = other.seedContact({ firstname: 'Dana', lastname: 'W', phone: '415-555-0134' });
    await requeueAfterReconnect(db, 'hubspot', now());
    await drainAll({ hubspot: hubspotConnector(other, PORTAL_B) });
    // Nothing went to A's contact id; the jobs wait for the contact in B.
    expect(other.records('calls')).toHaveLength(0);
    expect((await jobs()).every((j) => j.state === 'queued' && j.waitingFor === 'contact')).toBe(
      true,
    );
    // Matched again in B (the background does this on connect): the records go there.
    await linkLead(db, lead.id, { system: 'hubspot', account: PORTAL_B, contactId: inB.id }, now());
    await drainAll({ hubspot: hubspotConnector(other, PORTAL_B) });
    expect(other.associatedWith(inB.id, 'calls')).toHaveLength(1);
    expect((await jobs()).every((j) => j.state === 'synced' && j.account === PORTAL_B)).toBe(true);
    expect(hubspot.records('calls')).toHaveLength(0);
  });
});

describe('follow-up tasks of earlier attempts (19)', () => {
  it('HubSpot: the earlier task is completed when the next attempt is synced', async () => {
    const lead = await newLead();
    const contact = hubspot.seedContact({
      firstname: 'Dana',
      lastname: 'W',
      phone: '(415) 555-0134',
    });
    await linkLead(
      db,
      lead.id,
      { system: 'hubspot', account: PORTAL_A, contactId: contact.id },
      now(),
    );
    const connectors = { hubspot: hubspotConnector(hubspot, PORTAL_A) };
    await attempt(lead.id, t0 + 3 * 60_000);
    await enqueueDrafts(db, await draftsFor(lead.id, 'hubspot', PORTAL_A), now());
    await drainAll(connectors);
    expect(hubspot.records('tasks').map((t) => t.properties.hs_task_status)).toEqual([
      'NOT_STARTED',
    ]);

    await attempt(lead.id, t0 + 70 * 60_000);
    await enqueueDrafts(db, await draftsFor(lead.id, 'hubspot', PORTAL_A), now());
    await drainAll(connectors);
    await enqueueTaskCompletions(db, [lead.id], now());
    await drainAll(connectors);
    const tasks = hubspot.associatedWith(contact.id, 'tasks');
    expect(tasks).toHaveLength(2);
    const [first, second] = tasks.sort((a, b) => Number(a.id) - Number(b.id));
    expect(first!.properties.hs_task_status).toBe('COMPLETED');
    expect(second!.properties.hs_task_status).toBe('NOT_STARTED');
    // Running it again adds nothing.
    expect(await enqueueTaskCompletions(db, [lead.id], now())).toBe(0);
  });

  it('Clio: the earlier task is marked complete', async () => {
    clioToken = clio.grantToken().access_token;
    const lead = await newLead();
    const contact = clio.seedContact({
      first_name: 'Dana',
      last_name: 'W',
      numbers: ['(415) 555-0134'],
    });
    await linkLead(
      db,
      lead.id,
      { system: 'clio', account: 'us:7700001', contactId: String(contact.id) },
      now(),
    );
    const connectors = { clio: clioConnector() };
    await attempt(lead.id, t0 + 3 * 60_000);
    await enqueueDrafts(db, await draftsFor(lead.id, 'clio', 'us:7700001'), now());
    await drainAll(connectors);
    await attempt(lead.id, t0 + 70 * 60_000, 'reached');
    await enqueueDrafts(db, await draftsFor(lead.id, 'clio', 'us:7700001'), now());
    await drainAll(connectors);
    await enqueueTaskCompletions(db, [lead.id], now());
    await drainAll(connectors);
    // The lead was reached: no new task, and the open one is complete.
    expect(clio.tasks.map((t) => t.status)).toEqual(['complete']);
  });
});

describe('created contacts carry source and practice area (20)', () => {
  it('HubSpot: a note on the new contact says both', async () => {
    const lead = await newLead();
    await enqueueDrafts(
      db,
      [contactJobDraft(lead, 'hubspot', PORTAL_A), contactFactsDraft(lead, 'hubspot', PORTAL_A)!],
      now(),
    );
    await drainAll({ hubspot: hubspotConnector(hubspot, PORTAL_A) });
    const [contact] = hubspot.records('contacts');
    const notes = hubspot.associatedWith(contact!.id, 'notes');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.properties.hs_note_body).toContain('Source: Google Ads – PI');
    expect(notes[0]!.properties.hs_note_body).toContain('Practice area: Personal injury');
  });

  it('Clio: a note on the new contact says both', async () => {
    clioToken = clio.grantToken().access_token;
    const lead = await newLead();
    await enqueueDrafts(
      db,
      [contactJobDraft(lead, 'clio', 'us:7700001'), contactFactsDraft(lead, 'clio', 'us:7700001')!],
      now(),
    );
    await drainAll({ clio: clioConnector() });
    expect(clio.contacts).toHaveLength(1);
    expect(clio.notes).toHaveLength(1);
    expect(clio.notes[0]).toMatchObject({ contact: { id: clio.contacts[0]!.id } });
    expect(clio.notes[0]!.detail).toContain('Source: Google Ads – PI');
    expect(clio.notes[0]!.detail).toContain('Practice area: Personal injury');
  });
});
