import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { routedFetch } from '../emulators/route.ts';
import { CallbackDeskDB } from '@/utils/db';
import type { Lead } from '@/utils/model';
import { dbLimiterStore } from '@/utils/http';
import { captureCalls } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import { HubSpotConnector } from '@/utils/crm/hubspot';
import { ClioConnector } from '@/utils/crm/clio';
import type { CrmSystem } from '@/utils/crm/model';
import type { Connector } from '@/utils/crm/connector';
import { drainOutbox } from '@/utils/outbox/outbox';
import { syncSharedQueue, type SharedQueueDeps } from '@/utils/team/sharedQueue';
import { claimShared, type ClaimDeps } from '@/utils/team/sharedClaim';

/**
 * Two browsers of one firm (two databases, two staff members) sharing ONE CRM emulator
 * (the same token, so the same rolling rate windows) on the test's virtual clock.
 */

export const NY = 'America/New_York';
export const t0 = new TZDate(2026, 2, 4, 10, 0, NY).getTime();

export let hubspot: HubSpotEmulator;
export let clio: ClioEmulator;
let offset = 0;
let clioTokens: Record<string, string> = {};

export const now = () => Date.now() + offset;
export const sleep = async (ms: number) => {
  offset += ms;
};
export const advance = (ms: number) => {
  offset += ms;
};

const STAFF = [
  { id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example', crmUserIds: { hubspot: '101' } },
  { id: 'ben', name: 'Ben Okafor', email: 'ben@firm.example', crmUserIds: { hubspot: '102' } },
];
const HUBSPOT_OWNERS: Record<string, string> = { ana: '101', ben: '102' };
const CLIO_USERS: Record<string, string> = { ana: '345001', ben: '345002' };

export interface Browser {
  name: string;
  staffId: string;
  db: CallbackDeskDB;
  settings: FirmSettings;
  system: CrmSystem;
  connector: Connector;
  deps(): SharedQueueDeps;
  claimDeps(): ClaimDeps;
  drain(): Promise<void>;
  /** One shared-queue pass (publish, read, merge), then the outbox sends what it queued. */
  pass(): Promise<Awaited<ReturnType<typeof syncSharedQueue>>>;
  capture(phone: string, at?: number, extra?: Record<string, unknown>): Promise<string>;
  leads(): Promise<Lead[]>;
  claim(leadId: string): ReturnType<typeof claimShared>;
}

const made: CallbackDeskDB[] = [];

export function useSharedWorld(): void {
  beforeAll(async () => {
    hubspot = await startHubSpotEmulator({ privateAppTokens: ['pat-firm'] });
    clio = await startClioEmulator();
  });
  afterAll(async () => {
    await hubspot.close();
    await clio.close();
  });
  beforeEach(() => {
    offset = t0 + 5 * 60_000 - Date.now();
    hubspot.clock = now;
    clio.clock = now;
    clioTokens = {};
  });
  afterEach(async () => {
    for (const db of made.splice(0)) await db.delete();
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

export async function browser(
  name: string,
  staffId: string,
  system: CrmSystem = 'hubspot',
  options: { enabledAt?: number; fetch?: typeof fetch; account?: string; db?: CallbackDeskDB } = {},
): Promise<Browser> {
  const db = options.db ?? new CallbackDeskDB(`shared-${name}-${crypto.randomUUID()}`);
  if (!options.db) {
    await db.open();
    made.push(db);
  }
  const settings: FirmSettings = { ...DEFAULT_SETTINGS, staff: STAFF, currentStaffId: staffId };
  const base = {
    limiterStore: dbLimiterStore(db),
    now,
    sleep,
    random: () => 0.5,
    maxWaitMs: 30_000,
    timeoutMs: 2_000,
  };
  let connector: Connector;
  if (system === 'hubspot') {
    connector = new HubSpotConnector(
      {
        ...base,
        session: { current: async () => 'pat-firm', afterUnauthorized: async () => null },
        fetch: options.fetch ?? routedFetch({ 'https://api.hubapi.com': hubspot.url }),
      },
      {
        auth: 'private-app',
        portalId: options.account ?? '77',
        accountKey: options.account ?? '77',
      },
    );
  } else {
    // Clio: each person signs in as themselves (their own token, the same firm account).
    const user = CLIO_USERS[staffId]!;
    clioTokens[staffId] ??= clio.grantToken().access_token;
    const token = clioTokens[staffId]!;
    connector = new ClioConnector(
      {
        ...base,
        session: { current: async () => token, afterUnauthorized: async () => null },
        fetch: options.fetch ?? routedFetch({ 'https://app.clio.com': clio.url }),
      },
      { region: 'us', userId: user, accountKey: 'us:7700001' },
    );
  }
  const owners = system === 'hubspot' ? HUBSPOT_OWNERS : CLIO_USERS;
  const staffOfOwner = (ownerId: string) =>
    Object.entries(owners).find(([, id]) => id === ownerId)?.[0];
  const drain = async () => {
    await drainOutbox({
      db,
      runId: name,
      connectorFor: async (s) => (s === system ? connector : null),
      ownerFor: async (_s, id) => (id ? owners[id] : undefined),
      now,
      sleep,
      random: () => 0.5,
      inProcessWaitMs: 0,
    });
  };
  const deps = (): SharedQueueDeps => ({
    db,
    settings,
    system,
    connector,
    now,
    random: () => 0.5,
    enabledAt: options.enabledAt ?? t0 - 60_000,
    staffOfOwner,
  });
  const b: Browser = {
    name,
    staffId,
    db,
    settings,
    system,
    connector,
    deps,
    claimDeps: () => ({ ...deps(), drain, sleep, claimSettleMs: 1_500 }),
    drain,
    async pass() {
      const report = await syncSharedQueue(deps());
      await drain();
      return report;
    },
    async capture(phone, at = t0, extra = {}) {
      const result = await captureCalls(
        db,
        settings,
        [
          {
            from: phone,
            startedAt: at,
            provider: 'ringcentral',
            capturePath: 'portal',
            callerName: 'Dana Whitfield',
            ...extra,
          },
        ],
        now(),
      );
      return result.added[0]?.leadId ?? (await db.leads.toArray())[0]!.id;
    },
    leads: () => db.leads.toArray(),
    claim: (leadId) => claimShared(b.claimDeps(), leadId, staffId),
  };
  return b;
}
