import { describe, expect, it } from 'vitest';
import { startHubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import { enqueueTaskCompletions, linkLead } from '@/utils/crm/links';
import { crmSession } from '@/utils/crm/session';
import { writeCredentials } from '@/utils/crm/tokens';
import { accountKeyOf } from '@/utils/crm/model';
import { dbLimiterStore } from '@/utils/http';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { HubSpotConnector } from '@/utils/crm/hubspot';
import { buildSyncDrafts } from '@/utils/crm/records';
import { contactDraft } from '@/utils/crm/matching';
import { type SyncJob } from '@/utils/crm/model';
import {
  drainOutbox,
  enqueueDrafts,
  type DrainReport,
  type OutboxDeps,
} from '@/utils/outbox/outbox';

import {
  clio,
  db,
  deps,
  enqueueRecords,
  hubspot,
  hubspotConnector,
  lead,
  now,
  settings,
  sleep,
  t0,
  useOutboxWorld,
  advance,
  advanceTo,
} from './outboxWorld.ts';
/**
 * Faults found by the adversarial review of the exactly-once outbox (issue 7): search lag
 * on records other than contacts, two contact jobs for one lead, a contact deleted in the
 * CRM under a lead's link.
 */

useOutboxWorld('outbox-review');

const jobs = async () => (await db.outbox.toArray()) as unknown as SyncJob[];
const hubspotCounts = () => ({
  calls: hubspot.records('calls').length,
  notes: hubspot.records('notes').length,
  tasks: hubspot.records('tasks').length,
});

/** Drain until nothing is due, moving the clock to each retry (the retry alarm). */
async function drainUntilIdle(d: () => OutboxDeps, rounds = 12): Promise<DrainReport> {
  let report = await drainOutbox(d());
  for (let i = 0; i < rounds && report.nextTryAt !== null; i++) {
    advanceTo(report.nextTryAt + 1);
    report = await drainOutbox(d());
  }
  return report;
}

describe('HubSpot search lag on records other than contacts (4)', () => {
  it('a note whose create answer was lost is looked up until the index shows it, never posted twice', async () => {
    // Records become searchable 90 s after they are written; the first lookup is at 10 s.
    hubspot.options.searchLagMs = 90_000;
    const a = await lead('(415) 555-0141');
    await enqueueRecords('hubspot', a.id, ['note']);
    hubspot.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/notes$/ });
    await drainUntilIdle(() => deps({ batching: false }), 30);
    expect(hubspotCounts().notes).toBe(1);
    expect((await jobs())[0]).toMatchObject({
      state: 'synced',
      remoteId: hubspot.records('notes')[0]!.id,
    });
  });
});

describe('two contact jobs for one lead, CRM and account', () => {
  it('make one contact: the second finds the lead linked by the first, whatever the search index shows', async () => {
    hubspot.options.searchLagMs = 90_000;
    const a = await lead('(415) 555-0151', { link: false });
    const draft = contactDraft(a)!;
    // A contact job from before links recorded accounts (no account in its key), failed,
    // and the same lead's "Create contact and sync" after the upgrade (account in its key).
    await enqueueDrafts(
      db,
      [
        {
          idempotencyKey: `${a.id}:hubspot:contact`,
          system: 'hubspot',
          kind: 'contact',
          leadId: a.id,
          payload: draft,
        },
        {
          idempotencyKey: `${a.id}:hubspot:contact@77`,
          system: 'hubspot',
          kind: 'contact',
          leadId: a.id,
          payload: draft,
        },
      ],
      now(),
    );
    await drainUntilIdle(() => deps());
    expect(hubspot.records('contacts')).toHaveLength(1);
    const id = hubspot.records('contacts')[0]!.id;
    expect(await jobs()).toMatchObject([
      { state: 'synced', remoteId: id },
      { state: 'synced', remoteId: id },
    ]);
  });
});

describe('a contact deleted in the CRM under the lead’s link', () => {
  it('HubSpot: the note waits for a contact (stale link dropped) instead of failing for good, and goes to the one chosen next', async () => {
    const a = await lead('(415) 555-0161');
    const old = a.crmLinks![0]!.contactId;
    hubspot.deleteRecord('contacts', old);
    await enqueueRecords('hubspot', a.id, ['note']);
    await drainUntilIdle(() => deps({ batching: false }));
    const [note] = await jobs();
    expect(note).toMatchObject({ state: 'queued', waitingFor: 'contact' });
    expect(note!.lastError).toMatch(/HubSpot contact this lead was linked to no longer exists/);
    expect((await db.leads.get(a.id))!.crmLinks ?? []).toEqual([]);
    // The user creates or chooses the contact: the note goes there, once.
    const fresh = hubspot.seedContact({ firstname: 'Dana', lastname: 'W', phone: '+14155550161' });
    await linkLead(db, a.id, { system: 'hubspot', contactId: fresh.id, name: 'Dana W' }, now());
    await drainUntilIdle(() => deps({ batching: false }));
    expect(hubspot.records('notes')).toHaveLength(1);
    expect(hubspot.associatedWith(fresh.id, 'notes')).toHaveLength(1);
    expect((await jobs())[0]).toMatchObject({ state: 'synced' });
  });

  it('HubSpot: a batch refused for the deleted contact lets the other leads’ records through', async () => {
    const a = await lead('(415) 555-0162');
    const b = await lead('(415) 555-0163');
    hubspot.deleteRecord('contacts', a.crmLinks![0]!.contactId);
    await enqueueRecords('hubspot', a.id, ['note']);
    await enqueueRecords('hubspot', b.id, ['note']);
    await drainUntilIdle(() => deps());
    expect(hubspot.associatedWith(b.crmLinks![0]!.contactId, 'notes')).toHaveLength(1);
    const byLead = new Map((await jobs()).map((j) => [j.leadId, j]));
    expect(byLead.get(b.id)).toMatchObject({ state: 'synced' });
    expect(byLead.get(a.id)).toMatchObject({ state: 'queued', waitingFor: 'contact' });
  });

  it('Clio: a call for a deleted contact waits for a contact instead of failing for good', async () => {
    const a = await lead('(212) 555-0171', { link: false });
    const contact = clio.seedContact({
      first_name: 'Dana',
      last_name: 'Whitfield',
      numbers: ['+12125550171'],
    });
    await db.leads.update(a.id, {
      crmLinks: [{ system: 'clio', contactId: String(contact.id), name: 'Dana Whitfield' }],
    });
    clio.contacts.splice(
      clio.contacts.findIndex((c) => c.id === contact.id),
      1,
    );
    await enqueueRecords('clio', a.id, ['call']);
    await drainUntilIdle(() => deps());
    const [call] = await jobs();
    expect(call).toMatchObject({ state: 'queued', waitingFor: 'contact' });
    expect(call!.lastError).toMatch(/Clio contact this lead was linked to no longer exists/);
    expect((await db.leads.get(a.id))!.crmLinks ?? []).toEqual([]);
  });
});

describe('reconnecting another HubSpot portal while a drain is sending', () => {
  it('sends nothing of portal A’s jobs to portal B with A’s contact ids: they wait to be matched in B', async () => {
    const portalB = await startHubSpotEmulator({
      privateAppTokens: ['pat-b-token'],
      portalId: 9191,
    });
    portalB.clock = now;
    try {
      const a = await lead('(415) 555-0181');
      const inA = a.crmLinks![0]!.contactId;
      // Portal B has someone else under the same record id.
      let someone = portalB.seedContact({ firstname: 'Someone', lastname: 'Else' });
      while (Number(someone.id) < Number(inA))
        someone = portalB.seedContact({ firstname: 'Someone', lastname: 'Else' });
      expect(someone.id).toBe(inA);
      await db.leads.update(a.id, {
        crmLinks: [{ system: 'hubspot', account: '77', contactId: inA, name: 'Dana' }],
      });
      const connectedAt = now();
      await writeCredentials(db, 'hubspot', {
        auth: 'private-app',
        token: 'pat-a-token',
        portalId: '77',
        account: { id: '77', name: 'A', key: '77' },
        connectedAt,
      });
      const l = (await db.leads.get(a.id))!;
      const attempts = await db.attempts.where('leadId').equals(a.id).toArray();
      await enqueueDrafts(
        db,
        buildSyncDrafts({ system: 'hubspot', lead: l, attempts, settings, account: '77' }),
        now(),
      );
      const byToken: typeof fetch = async (input, init) => {
        const auth = new Headers(init?.headers).get('authorization');
        const target = auth === 'Bearer pat-b-token' ? portalB.url : hubspot.url;
        const headers = { ...(init?.headers as Record<string, string>) };
        // Portal A's emulator knows its token as "pat-a".
        if (auth === 'Bearer pat-a-token') headers.Authorization = 'Bearer pat-a';
        const response = await routedFetch({ 'https://api.hubapi.com': target })(input, {
          ...init,
          headers,
        });
        if (
          auth === 'Bearer pat-a-token' &&
          init?.method === 'POST' &&
          !String(input).includes('search')
        ) {
          // The user finishes connecting portal B while A's first record is on its way.
          await writeCredentials(db, 'hubspot', {
            auth: 'private-app',
            token: 'pat-b-token',
            portalId: '9191',
            account: { id: '9191', name: 'B', key: '9191' },
            connectedAt,
          });
        }
        return response;
      };
      // The background's connectorFor: the connection as stored when the pass starts.
      const connectorFor = async () => {
        const stored = (await db.secrets.get('crm:hubspot'))!.value as {
          portalId: string;
          account: { id: string; key?: string };
        };
        return new HubSpotConnector(
          {
            session: crmSession(db, 'hubspot', {
              now,
              account: accountKeyOf(stored.account),
            }),
            limiterStore: dbLimiterStore(db),
            fetch: byToken,
            now,
            sleep,
            timeoutMs: 2_000,
          },
          {
            auth: 'private-app',
            portalId: stored.portalId,
            accountKey: accountKeyOf(stored.account),
          },
        );
      };
      await drainUntilIdle(() => deps({ batching: false, connectorFor }));
      expect(hubspot.records('calls')).toHaveLength(1);
      // Nothing landed on B's "Someone Else".
      expect(portalB.associatedWith(inA, 'notes')).toEqual([]);
      expect(portalB.associatedWith(inA, 'tasks')).toEqual([]);
      expect(portalB.associatedWith(inA, 'calls')).toEqual([]);
      const left = (await jobs()).filter((j) => j.state !== 'synced');
      expect(left.length).toBeGreaterThan(0);
      expect(left.every((j) => j.waitingFor === 'contact' && j.account === '9191')).toBe(true);
    } finally {
      await portalB.close();
    }
  });
});

describe('completing an earlier follow-up task', () => {
  it('does not wait for a contact: the task is completed by its id even while the lead has no link', async () => {
    const a = await lead('(415) 555-0191');
    await enqueueRecords('hubspot', a.id);
    await drainUntilIdle(() => deps());
    expect(hubspot.records('tasks')).toHaveLength(1);
    await recordAttempt(
      db,
      settings,
      { leadId: a.id, method: 'call', outcome: 'no-answer', by: 'ana' },
      t0 + 2 * 3_600_000,
    );
    await enqueueRecords('hubspot', a.id);
    await drainUntilIdle(() => deps());
    expect(await enqueueTaskCompletions(db, [a.id], now())).toBe(1);
    // Before the completion goes, the lead loses its link (its contact was deleted, or
    // another account was connected and the lead is not matched there yet).
    await db.leads.update(a.id, { crmLinks: [] });
    await drainUntilIdle(() => deps());
    const [first] = hubspot.records('tasks').sort((x, y) => Number(x.id) - Number(y.id));
    expect(first!.properties.hs_task_status).toBe('COMPLETED');
    expect((await jobs()).find((j) => j.kind === 'complete')).toMatchObject({ state: 'synced' });
  });
});

describe('the earlier follow-up task stays open until the next attempt is in the CRM', () => {
  it('HubSpot refuses the next attempt’s records: the earlier task is not completed', async () => {
    const a = await lead('(415) 555-0195');
    await enqueueRecords('hubspot', a.id);
    await drainUntilIdle(() => deps());
    expect(hubspot.records('tasks')).toHaveLength(1);
    await recordAttempt(
      db,
      settings,
      { leadId: a.id, method: 'call', outcome: 'no-answer', by: 'ana' },
      t0 + 2 * 3_600_000,
    );
    // As the Sync button does: the next attempt's records, then the completions.
    await enqueueRecords('hubspot', a.id);
    await enqueueTaskCompletions(db, [a.id], now());
    // HubSpot refuses them (the owner they are assigned to was removed from the portal).
    await drainUntilIdle(() => deps({ ownerFor: async () => '424242' }));
    await enqueueTaskCompletions(db, [a.id], now());
    await drainUntilIdle(() => deps({ ownerFor: async () => '424242' }));
    const refused = (await jobs()).filter((j) => j.state === 'failed');
    expect(refused.length).toBeGreaterThan(0);
    // The CRM still shows a follow-up to do for this caller.
    expect(hubspot.records('tasks').map((t) => t.properties.hs_task_status)).toEqual([
      'NOT_STARTED',
    ]);
  });
});

describe('a record retried after the lead was linked to another contact', () => {
  it('goes to the contact the lead is linked to now, not the one it was first sent for', async () => {
    const a = await lead('(415) 555-0197');
    const old = a.crmLinks![0]!.contactId;
    await enqueueRecords('hubspot', a.id, ['note']);
    // The first try fails before HubSpot writes anything; it will be tried again.
    hubspot.faults.push({ kind: '500', match: /POST \/crm\/v3\/objects\/notes$/ });
    await drainOutbox(deps({ batching: false }));
    expect((await jobs())[0]).toMatchObject({ state: 'queued', contactId: old });
    // Meanwhile the old contact was deleted in HubSpot and the user linked the right one.
    hubspot.deleteRecord('contacts', old);
    const fresh = hubspot.seedContact({ firstname: 'Dana', lastname: 'W', phone: '+14155550197' });
    await linkLead(db, a.id, { system: 'hubspot', contactId: fresh.id, name: 'Dana W' }, now());
    await drainUntilIdle(() => deps({ batching: false }), 30);
    expect(hubspot.associatedWith(fresh.id, 'notes')).toHaveLength(1);
    expect((await jobs())[0]).toMatchObject({ state: 'synced', contactId: fresh.id });
  });
});

describe('the user links another contact while a record for the deleted one is on its way', () => {
  it('the refused record goes to the newly linked contact instead of waiting for one', async () => {
    const a = await lead('(415) 555-0198');
    const old = a.crmLinks![0]!.contactId;
    hubspot.deleteRecord('contacts', old);
    const fresh = hubspot.seedContact({ firstname: 'Dana', lastname: 'W', phone: '+14155550198' });
    await enqueueRecords('hubspot', a.id, ['note']);
    const base = routedFetch({ 'https://api.hubapi.com': hubspot.url });
    let linked = false;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (!linked && init?.method === 'POST' && String(input).endsWith('/objects/notes')) {
        linked = true;
        await linkLead(db, a.id, { system: 'hubspot', contactId: fresh.id, name: 'Dana W' }, now());
      }
      return base(input, init);
    };
    await drainUntilIdle(() => deps({ batching: false, connector: () => hubspotConnector(fetch) }));
    expect(linked).toBe(true);
    expect(hubspot.associatedWith(fresh.id, 'notes')).toHaveLength(1);
    expect((await jobs())[0]).toMatchObject({ state: 'synced' });
    expect((await db.leads.get(a.id))!.crmLinks).toMatchObject([{ contactId: fresh.id }]);
  });
});

describe('a second lead of the same caller', () => {
  it('gets the contact made for the caller’s earlier lead, even before HubSpot’s search shows it', async () => {
    hubspot.options.searchLagMs = 10 * 60_000;
    const first = await lead('(415) 555-0199', { link: false });
    await enqueueDrafts(
      db,
      [
        {
          idempotencyKey: `${first.id}:hubspot:contact`,
          system: 'hubspot',
          kind: 'contact',
          leadId: first.id,
          payload: contactDraft(first)!,
        },
      ],
      now(),
    );
    await drainUntilIdle(() => deps());
    expect(hubspot.records('contacts')).toHaveLength(1);
    // The lead was closed; the same caller calls again a few minutes later: a new lead.
    await db.leads.update(first.id, { status: 'done' });
    advance(3 * 60_000);
    await captureCalls(
      db,
      settings,
      [{ from: '(415) 555-0199', startedAt: now(), provider: 'manual', capturePath: 'manual' }],
      now(),
    );
    const second = (await db.leads.toArray()).find((l) => l.id !== first.id)!;
    expect(second).toBeDefined();
    await enqueueDrafts(
      db,
      [
        {
          idempotencyKey: `${second.id}:hubspot:contact`,
          system: 'hubspot',
          kind: 'contact',
          leadId: second.id,
          payload: contactDraft(second)!,
        },
      ],
      now(),
    );
    await drainUntilIdle(() => deps());
    expect(hubspot.records('contacts')).toHaveLength(1);
    expect((await db.leads.get(second.id))!.crmLinks).toMatchObject([
      { system: 'hubspot', contactId: hubspot.records('contacts')[0]!.id },
    ]);
  });
});
