import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
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
import { buildSyncDrafts } from '@/utils/crm/records';
import type { CrmSystem, SyncJob } from '@/utils/crm/model';
import type { Connector } from '@/utils/crm/connector';
import type { TokenSession } from '@/utils/crm/tokens';
import { enqueueDrafts, type OutboxDeps } from '@/utils/outbox/outbox';

/**
 * The outbox tests' shared world: a HubSpot and a Clio emulator on the test's virtual clock
 * (sleeping moves the clock), a fresh database per test, connectors and outbox deps wired to
 * them, and helpers that make a lead with an attempt and queue its records. Call
 * `useOutboxWorld(name)` once at the top of a test file; the bindings below are live.
 */

export const NY = 'America/New_York';
export const t0 = new TZDate(2026, 2, 4, 10, 0, NY).getTime();
export const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  staff: [{ id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' }],
};

export let hubspot: HubSpotEmulator;
export let clio: ClioEmulator;
export let db: CallbackDeskDB;
let offset: number;
export let clioToken: string;

/** Registers the hooks: emulators per file, a database and a reset clock per test. */
export function useOutboxWorld(name: string): void {
  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-a'] });
    clio = await startClioEmulator();
  });
  afterAll(async () => {
    await hubspot.close();
    await clio.close();
  });
  beforeEach(async () => {
    db = new CallbackDeskDB(`${name}-${crypto.randomUUID()}`);
    await db.open();
    offset = 0;
    // The emulators count their rolling windows on the test's clock.
    hubspot.clock = now;
    clio.clock = now;
    clioToken = clio.grantToken().access_token;
  });
  afterEach(async () => {
    await db.delete();
    try {
      hubspot.assertNoViolations();
      clio.assertNoViolations();
    } finally {
      hubspot.reset();
      clio.reset();
      hubspot.clock = Date.now;
      clio.clock = Date.now;
    }
  });
}

/** Virtual time: sleeping moves the clock instead of waiting. */
export const now = () => Date.now() + offset;
export const sleep = async (ms: number) => {
  offset += ms;
};
/** Move the virtual clock on by `ms`. */
export const advance = (ms: number) => {
  offset += ms;
};
/** Move the virtual clock to `at` (epoch ms), never back. */
export const advanceTo = (at: number) => {
  offset = Math.max(offset, at - Date.now());
};

export const session = (token: () => string): TokenSession => ({
  current: async () => token(),
  afterUnauthorized: async () => null,
});

export function hubspotConnector(fetchFn?: typeof fetch, maxWaitMs = 30_000): HubSpotConnector {
  return new HubSpotConnector(
    {
      session: session(() => 'pat-a'),
      limiterStore: dbLimiterStore(db),
      fetch: fetchFn ?? routedFetch({ 'https://api.hubapi.com': hubspot.url }),
      now,
      sleep,
      maxWaitMs,
      timeoutMs: 2_000,
    },
    { auth: 'private-app', portalId: '77' },
  );
}

export function clioConnector(opts: { maxWaitMs?: number } = {}): ClioConnector {
  return new ClioConnector(
    {
      session: session(() => clioToken),
      limiterStore: dbLimiterStore(db),
      fetch: routedFetch({ 'https://app.clio.com': clio.url }),
      now,
      sleep,
      maxWaitMs: opts.maxWaitMs,
      timeoutMs: 2_000,
    },
    { region: 'us', userId: String(clio.options.users[0]!.id) },
  );
}

export function deps(
  overrides: Partial<OutboxDeps> & { connector?: () => Connector | null } = {},
): OutboxDeps {
  const { connector, ...rest } = overrides;
  return {
    db,
    runId: 'worker',
    connectorFor: async (system: CrmSystem) =>
      connector ? connector() : system === 'hubspot' ? hubspotConnector() : clioConnector(),
    ownerFor: async () => undefined,
    now,
    sleep,
    random: () => 0.5,
    inProcessWaitMs: 0,
    ...rest,
  };
}

/** A lead with one unanswered callback; linked to a seeded HubSpot contact unless told. */
export async function lead(phone: string, opts: { link?: boolean } = {}) {
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
      },
    ],
    t0,
  );
  const found = (await db.leads.toArray()).find((l) => l.rawNumber === phone)!;
  await recordAttempt(
    db,
    settings,
    { leadId: found.id, method: 'call', outcome: 'no-answer', by: 'ana' },
    t0 + 3 * 60_000,
  );
  if (opts.link !== false) {
    const contact = hubspot.seedContact({ firstname: 'Dana', lastname: 'Whitfield', phone });
    await db.leads.update(found.id, {
      crmLinks: [{ system: 'hubspot', contactId: contact.id, name: 'Dana Whitfield' }],
    });
  }
  return (await db.leads.get(found.id))!;
}

export async function enqueueRecords(system: CrmSystem, leadId: string, kinds?: SyncJob['kind'][]) {
  const l = (await db.leads.get(leadId))!;
  const attempts = await db.attempts.where('leadId').equals(leadId).toArray();
  const drafts = buildSyncDrafts({ system, lead: l, attempts, settings }).filter(
    (d) => !kinds || kinds.includes(d.kind),
  );
  return enqueueDrafts(db, drafts, now());
}
