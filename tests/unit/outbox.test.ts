import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { CallbackDeskDB } from '@/utils/db';
import { dbLimiterStore } from '@/utils/http';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import { HubSpotConnector } from '@/utils/crm/hubspot';
import { buildSyncDrafts } from '@/utils/crm/records';
import { contactDraft } from '@/utils/crm/matching';
import { idempotencyKey, type SyncJob } from '@/utils/crm/model';
import type { TokenSession } from '@/utils/crm/tokens';
import {
  drainOutbox,
  enqueueDrafts,
  MAX_TRIES,
  NEVER,
  releaseWaitingJobs,
  requeueAfterReconnect,
  retryJobs,
  type OutboxDeps,
} from '@/utils/outbox/outbox';

const NY = 'America/New_York';
const t0 = new TZDate(2026, 2, 4, 10, 0, NY).getTime(); // a Wednesday morning
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  staff: [{ id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' }],
};

let emulator: HubSpotEmulator;
let db: CallbackDeskDB;
let token: string;
let offset: number;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ privateAppTokens: ['pat-a', 'pat-b'] });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  db = new CallbackDeskDB(`outbox-${crypto.randomUUID()}`);
  await db.open();
  token = 'pat-a';
  offset = 0;
});
afterEach(async () => {
  await db.delete();
  try {
    emulator.assertNoViolations();
  } finally {
    emulator.reset();
  }
});

/** Virtual time: sleeping moves the clock instead of waiting. */
const now = () => Date.now() + offset;
const sleep = async (ms: number) => {
  offset += ms;
};

function deps(
  overrides: Partial<OutboxDeps> & { fetch?: typeof fetch; maxWaitMs?: number } = {},
): OutboxDeps {
  const session: TokenSession = { current: async () => token, afterUnauthorized: async () => null };
  const fetch = overrides.fetch ?? routedFetch({ 'https://api.hubapi.com': emulator.url });
  return {
    db,
    runId: crypto.randomUUID(),
    connectorFor: async (system) =>
      system === 'hubspot'
        ? new HubSpotConnector(
            {
              session,
              limiterStore: dbLimiterStore(db),
              fetch,
              now,
              sleep,
              maxWaitMs: overrides.maxWaitMs ?? 30_000,
              timeoutMs: 2_000,
            },
            { auth: 'private-app', portalId: '77' },
          )
        : null,
    ownerFor: async (_system, staffId) => (staffId === 'ana' ? '101' : undefined),
    now,
    sleep,
    random: () => 0.5,
    inProcessWaitMs: 0,
    ...overrides,
  };
}

/** A lead with one unanswered callback, linked to a HubSpot contact. */
async function leadWithAttempt(opts: { linked?: boolean; phone?: string } = {}) {
  const phone = opts.phone ?? '(415) 555-0134';
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
      },
    ],
    t0,
  );
  const lead = (await db.leads.toArray()).find((l) => l.rawNumber === phone)!;
  await recordAttempt(
    db,
    settings,
    { leadId: lead.id, method: 'call', outcome: 'no-answer', by: 'ana' },
    t0 + 3 * 60_000,
  );
  if (opts.linked !== false) {
    const contact = emulator.seedContact({ firstname: 'Dana', lastname: 'Whitfield', phone });
    await db.leads.update(lead.id, {
      crmLinks: [{ system: 'hubspot', contactId: contact.id, name: 'Dana Whitfield' }],
    });
  }
  const fresh = (await db.leads.get(lead.id))!;
  const attempts = await db.attempts.where('leadId').equals(lead.id).toArray();
  return { lead: fresh, attempts };
}

async function enqueueLead(lead: Awaited<ReturnType<typeof leadWithAttempt>>) {
  return enqueueDrafts(
    db,
    buildSyncDrafts({ system: 'hubspot', lead: lead.lead, attempts: lead.attempts, settings }),
    now(),
  );
}

const jobs = async () => (await db.outbox.toArray()) as unknown as SyncJob[];
const counts = () => ({
  calls: emulator.records('calls').length,
  notes: emulator.records('notes').length,
  tasks: emulator.records('tasks').length,
});

describe('outbox', () => {
  it('syncs a call, a note and a follow-up task once, associated with the contact and owner', async () => {
    const lead = await leadWithAttempt();
    const enqueued = await enqueueLead(lead);
    expect(enqueued.map((j) => j.kind)).toEqual(['call', 'note', 'task']);
    const report = await drainOutbox(deps());
    expect(report).toMatchObject({ ran: true, synced: 3, failed: 0, nextTryAt: null });
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    const contactId = lead.lead.crmLinks![0]!.contactId;
    for (const type of ['calls', 'notes', 'tasks'] as const) {
      expect(emulator.associatedWith(contactId, type)).toHaveLength(1);
      expect(emulator.records(type)[0]!.properties.hubspot_owner_id).toBe('101');
    }
    const [task] = emulator.records('tasks');
    // The second attempt of the cadence is due an hour after the first.
    expect(Date.parse(task!.properties.hs_timestamp!)).toBe(t0 + 63 * 60_000);
    expect(
      (await jobs()).every(
        (j) =>
          j.state === 'synced' && j.remoteId && j.remoteUrl?.includes('/contacts/77/record/0-1/'),
      ),
    ).toBe(true);

    // Clicking Sync again, or draining again, adds nothing.
    await enqueueLead(lead);
    await drainOutbox(deps());
    expect(await db.outbox.count()).toBe(3);
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
  });

  it('never duplicates a record when the worker dies between the request and saving the answer', async () => {
    const lead = await leadWithAttempt();
    await enqueueLead(lead);
    emulator.options.searchLagMs = 1_000;
    // Worker A: the first create reaches HubSpot, then the worker dies before the answer.
    let died = false;
    const base = routedFetch({ 'https://api.hubapi.com': emulator.url });
    const dyingFetch: typeof fetch = async (input, init) => {
      const response = await base(input, init);
      if (!died && init?.method === 'POST' && !String(input).includes('/search')) {
        died = true;
        return new Promise<Response>(() => undefined);
      }
      return response;
    };
    void drainOutbox(deps({ fetch: dyingFetch, runId: 'worker-a' }));
    await expect
      .poll(() => emulator.records('calls').length + emulator.records('notes').length)
      .toBe(1);
    expect((await jobs()).find((j) => j.state === 'syncing')?.sentBy).toBe('worker-a');

    // Worker B starts at once: the search index may not show the record yet, so it waits.
    const first = await drainOutbox(deps({ runId: 'worker-b' }));
    const orphan = (await jobs()).find((j) => j.kind === 'call')!;
    expect(orphan).toMatchObject({ state: 'queued', maybeCreated: true });
    expect(first.nextTryAt).toBe(orphan.nextTryAt);

    // Once the index has caught up it finds the record and records it instead of re-creating.
    await new Promise((r) => setTimeout(r, 1_050));
    offset += 10_000;
    await drainOutbox(deps({ runId: 'worker-b' }));
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    const call = (await jobs()).find((j) => j.kind === 'call')!;
    expect(call.state).toBe('synced');
    expect(call.remoteId).toBe(emulator.records('calls')[0]!.id);
    emulator.options.searchLagMs = 0;
  });

  it('batches many records into one request per kind and survives a lost batch answer', async () => {
    const leads = [];
    for (let i = 0; i < 12; i++)
      leads.push(await leadWithAttempt({ phone: `(415) 555-01${String(10 + i)}` }));
    for (const lead of leads) await enqueueLead(lead);
    emulator.faults.push({ kind: 'drop-after', match: /batch\/create/ });
    await drainOutbox(deps());
    offset += 11_000;
    await drainOutbox(deps());
    expect(counts()).toEqual({ calls: 12, notes: 12, tasks: 12 });
    expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
    const creates = emulator.log.filter((l) => l.path.endsWith('/batch/create'));
    // One lost call batch resent after the lookup (found all 12: nothing resent), notes, tasks.
    expect(creates).toHaveLength(3);
  });

  it('backs off on 5xx and timeouts, looks up before re-creating, and counts tries', async () => {
    const lead = await leadWithAttempt();
    await enqueueLead(lead);
    emulator.faults.push({ kind: '500-after', match: /POST \/crm\/v3\/objects\/calls/ });
    emulator.faults.push({ kind: 'timeout', match: /POST \/crm\/v3\/objects\/notes/ });
    await drainOutbox(deps({ batching: false }));
    const afterFirst = await jobs();
    const call = afterFirst.find((j) => j.kind === 'call')!;
    expect(call).toMatchObject({ state: 'queued', tries: 1, maybeCreated: true });
    expect(call.lastError).toMatch(/answered 500/);
    // Equal-jitter backoff: 2 s base → between 1 and 2 s, but never before the index settles.
    expect(call.nextTryAt - call.uncertainAt!).toBe(10_000);
    // The note (timed out) is looked up, backing off, until HubSpot's search index has had
    // time to show it (lookupPatienceMs), and only then sent again.
    for (let i = 0; i < 10; i++) {
      offset += 60_000;
      await drainOutbox(deps({ batching: false }));
    }
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
  });

  it('waits out a HubSpot 429 without counting it as a failure', async () => {
    const lead = await leadWithAttempt();
    await enqueueLead(lead);
    emulator.faults.push({ kind: '429', times: 3 });
    // Waits longer than a second are handed back to the outbox (an alarm), not slept through.
    await drainOutbox(deps({ batching: false, maxWaitMs: 1_000 }));
    const waiting = (await jobs()).find((j) => j.state === 'queued')!;
    expect(waiting.tries).toBe(0);
    expect(waiting.lastError).toMatch(/rate limit/);
    expect(waiting.nextTryAt).toBeGreaterThanOrEqual(now() + 9_000);
    for (let i = 0; i < 3; i++) {
      offset += 10_000;
      await drainOutbox(deps({ batching: false, maxWaitMs: 1_000 }));
    }
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    expect((await jobs()).map((j) => j.tries)).toEqual([0, 0, 0]);
  });

  it('fails the system with "Reconnect HubSpot" on a refused token, and resumes after reconnecting', async () => {
    const lead = await leadWithAttempt();
    await enqueueLead(lead);
    emulator.revokePrivateAppToken('pat-a');
    await drainOutbox(deps());
    expect((await jobs()).map((j) => [j.state, j.lastError])).toEqual([
      ['failed', 'Reconnect HubSpot: it no longer accepts the saved token.'],
      ['failed', 'Reconnect HubSpot: it no longer accepts the saved token.'],
      ['failed', 'Reconnect HubSpot: it no longer accepts the saved token.'],
    ]);
    token = 'pat-b';
    expect(await requeueAfterReconnect(db, 'hubspot', now())).toBe(3);
    await drainOutbox(deps());
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
  });

  it('isolates a record HubSpot rejects inside a batch; the rest go through', async () => {
    const a = await leadWithAttempt({ phone: '(415) 555-0150' });
    const b = await leadWithAttempt({ phone: '(415) 555-0151' });
    await enqueueLead(a);
    await enqueueLead(b);
    // Ana's owner mapping points at an owner HubSpot does not have, for lead b only.
    const ownerFor: OutboxDeps['ownerFor'] = async (_s, staffId) => (staffId ? '101' : undefined);
    const bJobIds = new Set((await jobs()).filter((j) => j.leadId === b.lead.id).map((j) => j.id));
    await db.outbox.toCollection().modify((j) => {
      if (bJobIds.has(j.id as string)) (j.payload as { staffId?: string }).staffId = 'ghost';
    });
    await drainOutbox(
      deps({
        ownerFor: async (s, staffId) => (staffId === 'ghost' ? '999' : ownerFor(s, staffId)),
      }),
    );
    const all = await jobs();
    expect(all.filter((j) => j.leadId === a.lead.id).every((j) => j.state === 'synced')).toBe(true);
    const rejected = all.filter((j) => j.leadId === b.lead.id);
    expect(
      rejected.every(
        (j) =>
          j.state === 'failed' &&
          /HubSpot refused it \(400: .*999 is not a valid owner/.test(j.lastError!),
      ),
    ).toBe(true);
    // Fixing the mapping and pressing Retry sends them.
    expect(await retryJobs(db, { leadId: b.lead.id }, now())).toBe(3);
    await drainOutbox(deps());
    expect(counts()).toEqual({ calls: 2, notes: 2, tasks: 2 });
  });

  /**
   * HubSpot answering a calls batch with 207: the input for `refusedNumber` is refused (with
   * or without its trace id in the error's context), the others are created. A lone create
   * of that record is refused with 400.
   */
  function partlyRefusingFetch(refusedNumber: string, opts: { traceId: boolean }): typeof fetch {
    const base = routedFetch({ 'https://api.hubapi.com': emulator.url });
    const message = 'Property values were not valid: hs_call_to_number';
    return async (input, init) => {
      const url = String(input);
      if (init?.method !== 'POST' || !/\/crm\/v3\/objects\/calls(\/batch\/create)?$/.test(url))
        return base(input, init);
      const body = JSON.parse(String(init.body)) as {
        inputs?: { properties: Record<string, string>; objectWriteTraceId?: string }[];
        properties?: Record<string, string>;
      };
      if (!body.inputs) {
        if (body.properties?.hs_call_to_number !== refusedNumber) return base(input, init);
        return Response.json(
          { status: 'error', category: 'VALIDATION_ERROR', message, correlationId: 'c-1' },
          { status: 400 },
        );
      }
      const refused = body.inputs.filter((i) => i.properties.hs_call_to_number === refusedNumber);
      const rest = body.inputs.filter((i) => !refused.includes(i));
      const answer = (await (
        await base(input, { ...init, body: JSON.stringify({ inputs: rest }) })
      ).json()) as Record<string, unknown>;
      return Response.json(
        {
          ...answer,
          numErrors: refused.length,
          errors: refused.map((i) => ({
            status: 'error',
            category: 'VALIDATION_ERROR',
            message,
            context: opts.traceId ? { objectWriteTraceId: [i.objectWriteTraceId!] } : {},
            errors: [],
            links: {},
          })),
        },
        { status: 207 },
      );
    };
  }

  for (const traceId of [true, false]) {
    it(`fails the record a 207 batch answer refuses, with HubSpot’s reason (trace id ${traceId ? 'given' : 'missing'})`, async () => {
      const a = await leadWithAttempt({ phone: '(415) 555-0160' });
      const b = await leadWithAttempt({ phone: '(415) 555-0161' });
      await enqueueLead(a);
      await enqueueLead(b);
      await drainOutbox(deps({ fetch: partlyRefusingFetch('+14155550161', { traceId }) }));
      const all = await jobs();
      const refused = all.find((j) => j.kind === 'call' && j.leadId === b.lead.id)!;
      expect(refused).toMatchObject({ state: 'failed', nextTryAt: NEVER });
      expect(refused.lastError).toMatch(
        /^HubSpot refused it \((400: )?Property values were not valid: hs_call_to_number\)\.$/,
      );
      expect(all.filter((j) => j.id !== refused.id).every((j) => j.state === 'synced')).toBe(true);
      expect(counts()).toEqual({ calls: 1, notes: 2, tasks: 2 });
    });
  }

  it('counts a try for every batched record HubSpot neither created nor refused', async () => {
    const a = await leadWithAttempt({ phone: '(415) 555-0170' });
    const b = await leadWithAttempt({ phone: '(415) 555-0171' });
    await enqueueLead(a);
    await enqueueLead(b);
    const base = routedFetch({ 'https://api.hubapi.com': emulator.url });
    // Every calls batch answer leaves out the record for b, without saying why.
    const lossy: typeof fetch = async (input, init) => {
      const response = await base(input, init);
      if (!String(input).endsWith('/calls/batch/create')) return response;
      const answer = (await response.json()) as {
        results: { properties: Record<string, string> }[];
      };
      const results = answer.results.filter(
        (r) => r.properties.hs_call_to_number !== '+14155550171',
      );
      return Response.json({ ...answer, results }, { status: 201 });
    };
    await drainOutbox(deps({ fetch: lossy }));
    const unknown = (await jobs()).find((j) => j.kind === 'call' && j.leadId === b.lead.id)!;
    expect(unknown).toMatchObject({ state: 'queued', tries: 1, maybeCreated: true });
    expect(unknown.lastError).toMatch(/^HubSpot did not confirm it/);
  });

  it('waits for the contact, creates it first, then attaches the records to it', async () => {
    const lead = await leadWithAttempt({ linked: false });
    await enqueueLead(lead);
    await drainOutbox(deps());
    expect((await jobs()).every((j) => j.waitingFor === 'contact' && j.nextTryAt === NEVER)).toBe(
      true,
    );
    const draft = contactDraft(lead.lead)!;
    expect(draft).toMatchObject({
      phone: '+14155550134',
      firstName: 'Dana',
      lastName: 'Whitfield',
      source: 'Google Ads – PI',
    });
    await enqueueDrafts(
      db,
      [
        {
          idempotencyKey: idempotencyKey({ leadId: lead.lead.id }, 'hubspot', 'contact'),
          system: 'hubspot',
          kind: 'contact',
          leadId: lead.lead.id,
          payload: draft,
        },
      ],
      now(),
    );
    await drainOutbox(deps());
    const [contact] = emulator.records('contacts');
    expect(contact!.properties).toMatchObject({
      firstname: 'Dana',
      lastname: 'Whitfield',
      phone: '+14155550134',
      lifecyclestage: 'lead',
    });
    expect((await db.leads.get(lead.lead.id))!.crmLinks?.[0]).toMatchObject({
      system: 'hubspot',
      contactId: contact!.id,
      name: 'Dana Whitfield',
    });
    for (const type of ['calls', 'notes', 'tasks'] as const)
      expect(emulator.associatedWith(contact!.id, type)).toHaveLength(1);
  });

  async function enqueueContact(lead: Awaited<ReturnType<typeof leadWithAttempt>>) {
    await enqueueDrafts(
      db,
      [
        {
          idempotencyKey: idempotencyKey({ leadId: lead.lead.id }, 'hubspot', 'contact'),
          system: 'hubspot',
          kind: 'contact',
          leadId: lead.lead.id,
          payload: contactDraft(lead.lead)!,
        },
      ],
      now(),
    );
  }

  it('links the contact a colleague added meanwhile instead of creating a second one', async () => {
    const lead = await leadWithAttempt({ linked: false });
    await enqueueLead(lead);
    await enqueueContact(lead);
    const added = emulator.seedContact({ firstname: 'Dana', phone: '+14155550134' });
    await drainOutbox(deps());
    expect(emulator.records('contacts').map((c) => c.id)).toEqual([added.id]);
    expect((await db.leads.get(lead.lead.id))!.crmLinks?.[0]).toMatchObject({
      contactId: added.id,
    });
    for (const type of ['calls', 'notes', 'tasks'] as const)
      expect(emulator.associatedWith(added.id, type)).toHaveLength(1);
    expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
  });

  it('asks which contact it is when a lost create left several with the number', async () => {
    const lead = await leadWithAttempt({ linked: false });
    await enqueueContact(lead);
    // The create lands, its answer is lost; then someone else adds the same number.
    emulator.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/contacts$/ });
    await drainOutbox(deps());
    const other = emulator.seedContact({
      firstname: 'Dana',
      lastname: 'W.',
      phone: '+14155550134',
    });
    offset += 11_000;
    await drainOutbox(deps());
    const [contactJob] = await jobs();
    expect(contactJob).toMatchObject({ state: 'queued', waitingFor: 'contact', nextTryAt: NEVER });
    expect(contactJob!.lastError).toBe('2 HubSpot contacts have this number: choose one.');
    expect(emulator.records('contacts')).toHaveLength(2);
    // The user chooses one: the job closes on it, nothing more is created.
    await db.leads.update(lead.lead.id, {
      crmLinks: [{ system: 'hubspot', contactId: other.id, name: 'Dana W.' }],
    });
    await releaseWaitingJobs(db, lead.lead.id, 'hubspot', now());
    await drainOutbox(deps());
    expect(await jobs()).toMatchObject([{ state: 'synced', remoteId: other.id }]);
    expect(emulator.records('contacts')).toHaveLength(2);
  });

  it('stops after MAX_TRIES server failures and says why', async () => {
    const lead = await leadWithAttempt();
    await enqueueDrafts(
      db,
      buildSyncDrafts({
        system: 'hubspot',
        lead: lead.lead,
        attempts: lead.attempts,
        settings,
      }).slice(1, 2),
      now(),
    );
    emulator.faults.push({ kind: '500', times: 100 });
    for (let i = 0; i < MAX_TRIES + 2; i++) {
      offset += 15 * 60_000;
      await drainOutbox(deps());
    }
    const [note] = await jobs();
    expect(note).toMatchObject({ state: 'failed', tries: MAX_TRIES });
    expect(note!.lastError).toMatch(/^Gave up after 8 tries: api\.hubapi\.com answered 500/);
    expect(counts().notes).toBe(0);
  });

  it('fails visibly when the CRM is not connected', async () => {
    const lead = await leadWithAttempt();
    await enqueueDrafts(
      db,
      buildSyncDrafts({
        system: 'clio',
        lead: { ...lead.lead, crmLinks: [{ system: 'clio', contactId: '5' }] },
        attempts: lead.attempts,
        settings,
      }),
      now(),
    );
    await drainOutbox(deps());
    expect(
      (await jobs()).every(
        (j) =>
          j.state === 'failed' &&
          j.lastError === 'Clio is not connected. Connect it in Settings, then retry.',
      ),
    ).toBe(true);
  });

  it('stays inside the rolling rate limit when sending one request per record', async () => {
    // A scaled-down HubSpot window (10 requests per 500 ms), real time, sequential sends.
    const limited = await startHubSpotEmulator({
      privateAppTokens: ['pat-a'],
      rateLimit: { max: 10, intervalMs: 500 },
    });
    try {
      for (let i = 0; i < 8; i++) await leadWithAttempt({ phone: `(415) 555-02${String(10 + i)}` });
      const contacts = emulator.records('contacts');
      for (const c of contacts) limited.seedContact({ ...c.properties });
      // Same contact ids on the limited emulator: re-link the leads.
      const seeded = limited.records('contacts');
      for (const lead of await db.leads.toArray()) {
        const phone = emulator
          .records('contacts')
          .find((c) => c.id === lead.crmLinks![0]!.contactId)!.properties.phone;
        await db.leads.update(lead.id, {
          crmLinks: [
            {
              system: 'hubspot',
              contactId: seeded.find((c) => c.properties.phone === phone)!.id,
            },
          ],
        });
      }
      for (const lead of await db.leads.toArray()) {
        const attempts = await db.attempts.where('leadId').equals(lead.id).toArray();
        await enqueueDrafts(
          db,
          buildSyncDrafts({ system: 'hubspot', lead, attempts, settings }),
          Date.now(),
        );
      }
      const session: TokenSession = {
        current: async () => 'pat-a',
        afterUnauthorized: async () => null,
      };
      const started = Date.now();
      await drainOutbox({
        db,
        runId: 'limited',
        batching: false,
        connectorFor: async () =>
          new HubSpotConnector(
            {
              session,
              limiterStore: dbLimiterStore(db),
              fetch: routedFetch({ 'https://api.hubapi.com': limited.url }),
              maxWaitMs: 5_000,
            },
            {
              auth: 'private-app',
              limits: {
                general: { max: 10, intervalMs: 500 },
                search: { max: 5, intervalMs: 1_000 },
              },
            },
          ),
        ownerFor: async () => undefined,
      });
      const elapsed = Date.now() - started;
      expect(
        limited.records('calls').length +
          limited.records('notes').length +
          limited.records('tasks').length,
      ).toBe(24);
      expect(limited.log.filter((l) => l.status === 429)).toEqual([]);
      // 24 requests at 10 per 500 ms cannot take less than two more windows.
      expect(elapsed).toBeGreaterThanOrEqual(950);
      limited.assertNoViolations();
    } finally {
      await limited.close();
    }
  });

  it('backs off exponentially (with jitter) between server failures', async () => {
    const lead = await leadWithAttempt();
    await enqueueDrafts(
      db,
      buildSyncDrafts({
        system: 'hubspot',
        lead: lead.lead,
        attempts: lead.attempts,
        settings,
      }).slice(1, 2),
      now(),
    );
    emulator.faults.push({ kind: '500', times: 5, match: /POST \/crm\/v3\/objects\/notes$/ });
    const delays: number[] = [];
    // A CRM whose search shows a write at once (no patience lookups between the tries).
    const immediate = deps({ random: () => 1 });
    const connectorFor = immediate.connectorFor;
    immediate.connectorFor = async (system) => {
      const connector = await connectorFor(system);
      return connector && Object.assign(connector, { lookupPatienceMs: 0 });
    };
    for (let i = 0; i < 5; i++) {
      await drainOutbox(immediate);
      const [note] = await jobs();
      delays.push(note!.nextTryAt - note!.lastErrorAt!);
      offset = note!.nextTryAt - Date.now() + 1;
    }
    // 2 s base doubling each time (jitter at its maximum here); a 500 may hide a write, so
    // never sooner than the search index needs to show it (10 s) for the lookup first.
    expect(delays).toEqual([10_000, 10_000, 10_000, 16_000, 32_000]);
    // Every retry after a possible write looked the note up first.
    expect(emulator.log.filter((l) => l.path === '/crm/v3/objects/notes/search')).toHaveLength(4);
    await drainOutbox(immediate);
    expect(counts().notes).toBe(1);
  });

  it('creates each record once when a second drain starts after a slow drain’s lease ran out', async () => {
    const lead = await leadWithAttempt();
    await enqueueLead(lead);
    const base = routedFetch({ 'https://api.hubapi.com': emulator.url });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    // Drain A's first create hangs (a slow CRM, a long rate-limit wait)…
    const slowFetch: typeof fetch = async (input, init) => {
      if (!held && init?.method === 'POST' && String(input).endsWith('/crm/v3/objects/calls')) {
        held = true;
        await gate;
      }
      return base(input, init);
    };
    const a = drainOutbox(deps({ runId: 'worker', batching: false, fetch: slowFetch }));
    await expect.poll(() => held).toBe(true);
    // …past its lease (two minutes), and the sweep alarm starts drain B in the same worker.
    offset += 121_000;
    const b = await drainOutbox(deps({ runId: 'worker', batching: false }));
    expect(b.ran).toBe(true);
    release();
    await a;
    await drainOutbox(deps({ runId: 'worker', batching: false }));
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    expect((await jobs()).map((j) => j.state)).toEqual(['synced', 'synced', 'synced']);
  });

  it('runs one drain at a time per worker and makes the running one look again', async () => {
    const lead = await leadWithAttempt();
    await enqueueLead(lead);
    const shared = deps({ runId: 'same-worker' });
    const [first, second] = await Promise.all([drainOutbox(shared), drainOutbox(shared)]);
    expect([first.ran, second.ran].sort()).toEqual([false, true]);
    expect(counts()).toEqual({ calls: 1, notes: 1, tasks: 1 });
    expect(await db.cursors.get('outbox:lease')).toBeUndefined();
  });
});
