import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { CallbackDeskDB, DB_VERSION } from '@/utils/db';
import { countOverdue } from '@/utils/queue/leads';
import v1 from '../fixtures/db/v1.json';
import v2 from '../fixtures/db/v2.json';

/** Write a fixture the way an older release of the extension stored it. */
async function seedOldVersion(name: string, fixture: typeof v1 | typeof v2): Promise<void> {
  const old = new Dexie(name);
  old.version(fixture.version).stores(fixture.stores);
  await old.open();
  await old.transaction('rw', old.tables, async () => {
    for (const [table, rows] of Object.entries(fixture.data)) await old.table(table).bulkAdd(rows);
  });
  old.close();
}

describe('database upgrades', () => {
  it(`migrates a version-1 profile to version ${DB_VERSION} without losing records`, async () => {
    const name = `upgrade-${crypto.randomUUID()}`;
    await seedOldVersion(name, v1);
    const db = new CallbackDeskDB(name);
    await db.open();
    expect(db.verno).toBe(DB_VERSION);

    expect(await db.leads.count()).toBe(v1.data.leads.length);
    expect(await db.calls.count()).toBe(v1.data.calls.length);
    expect(await db.attempts.count()).toBe(v1.data.attempts.length);

    const open = await db.leads.get('L1');
    expect(open).toMatchObject({
      ...v1.data.leads[0],
      overdueAt: 1772637300000,
      openDueAt: 1772636700000,
      openOverdueAt: 1772637300000,
      priority: false,
      attemptCount: 0,
    });
    const closed = await db.leads.get('L2');
    expect(closed?.openOverdueAt).toBeUndefined();
    expect(await db.leads.get('L3')).toMatchObject({ status: 'claimed', openDueAt: 1772640300000 });

    expect(await db.calls.where('providerKey').equals('ringcentral:rc-9').count()).toBe(1);
    expect(await db.calls.where('providerKey').equals('aircall:77').count()).toBe(1);
    // The new open-lead index answers the badge's question.
    expect(await countOverdue(db, 1772650000000)).toBe(2);
    // Tables added later exist and are empty.
    expect(await db.outbox.count()).toBe(0);
    await db.delete();
  });

  it(`migrates a version-2 profile to version ${DB_VERSION} without losing records`, async () => {
    const name = `upgrade2-${crypto.randomUUID()}`;
    await seedOldVersion(name, v2);
    const db = new CallbackDeskDB(name);
    await db.open();
    expect(db.verno).toBe(DB_VERSION);
    expect(await db.leads.toArray()).toEqual(
      expect.arrayContaining(v2.data.leads.map((l) => expect.objectContaining(l))),
    );
    expect(await db.calls.count()).toBe(v2.data.calls.length);
    expect(await db.attempts.count()).toBe(v2.data.attempts.length);
    expect(await countOverdue(db, 1772650000000)).toBe(2);
    await db.outbox.add({
      id: 'J1',
      idempotencyKey: 'k',
      leadId: 'L1',
      state: 'queued',
      nextTryAt: 0,
    });
    expect(await db.outbox.count()).toBe(1);
    await db.delete();
  });

  it(`gives a version-4 profile's CRM links an account and keeps both CRMs (version ${DB_VERSION})`, async () => {
    const name = `upgrade4-${crypto.randomUUID()}`;
    const old = new Dexie(name);
    old.version(4).stores({
      leads:
        'id, phoneKey, status, dueAt, lastMissedAt, openDueAt, openOverdueAt, [phoneKey+status], source, assignee',
      calls: 'id, leadId, [phoneKey+startedAt], startedAt, providerKey, capturePath',
      attempts: 'id, leadId, at',
      adapterHealth: 'id, adapterId, host, lastSeenAt',
      secrets: 'key',
      cursors: 'sourceId',
      outbox: 'id, &idempotencyKey, state, nextTryAt, leadId',
      answeredCalls: 'id, phoneKey, startedAt',
    });
    await old.open();
    const lead = { ...v2.data.leads[0], id: 'L1' };
    await old.table('leads').bulkAdd([
      { ...lead, crm: { system: 'hubspot', contactId: '51', name: 'Maria Lopez' } },
      { ...lead, id: 'L2', phoneKey: '+12125550199', crm: { system: 'clio', contactId: '9' } },
      { ...lead, id: 'L3', phoneKey: '+12125550198' },
    ]);
    // HubSpot was connected (portal 4242); Clio was not.
    await old.table('secrets').add({
      key: 'crm:hubspot',
      value: { auth: 'private-app', token: 'pat-x', account: { id: '4242', name: 'HubSpot' } },
      updatedAt: 1,
    });
    await old.table('outbox').bulkAdd([
      {
        id: 'J1',
        idempotencyKey: 'A1:hubspot:call',
        system: 'hubspot',
        leadId: 'L1',
        state: 'queued',
        nextTryAt: 0,
      },
      {
        id: 'J2',
        idempotencyKey: 'A2:clio:call',
        system: 'clio',
        leadId: 'L2',
        state: 'failed',
        nextTryAt: 0,
      },
    ]);
    old.close();

    const db = new CallbackDeskDB(name);
    await db.open();
    expect(db.verno).toBe(DB_VERSION);
    const [l1, l2, l3] = await db.leads.bulkGet(['L1', 'L2', 'L3']);
    expect(l1).not.toHaveProperty('crm');
    expect(l1!.crmLinks).toEqual([
      { system: 'hubspot', account: '4242', contactId: '51', name: 'Maria Lopez' },
    ]);
    // Clio was not connected: its account is unknown, so the link is matched again later.
    expect(l2!.crmLinks).toEqual([{ system: 'clio', contactId: '9' }]);
    expect(l3!.crmLinks).toBeUndefined();
    expect(await db.outbox.get('J1')).toMatchObject({ account: '4242' });
    expect(await db.outbox.get('J2')).not.toHaveProperty('account');
    await db.delete();
  });

  it(`keeps a version-5 profile's leads and calls findable with fewer indexes (version ${DB_VERSION})`, async () => {
    const name = `upgrade5-${crypto.randomUUID()}`;
    const lead = { ...v2.data.leads[0], id: 'L1', status: 'open', openOverdueAt: 1 };
    const call = { ...v2.data.calls[0], id: 'C1', leadId: 'L1', providerKey: 'aircall:7' };
    const v5 = new Dexie(name);
    v5.version(5).stores({
      leads:
        'id, phoneKey, status, dueAt, lastMissedAt, openDueAt, openOverdueAt, [phoneKey+status], source, assignee',
      calls: 'id, leadId, [phoneKey+startedAt], startedAt, providerKey, capturePath',
    });
    await v5.open();
    await v5.table('leads').add(lead);
    await v5.table('calls').add(call);
    v5.close();

    const db = new CallbackDeskDB(name);
    await db.open();
    expect(db.verno).toBe(DB_VERSION);
    // Version 8 adds leads by first missed call and brings back calls by start time (the
    // metrics dashboard reads a date range).
    expect(db.leads.schema.indexes.map((i) => i.name).sort()).toEqual(
      [
        '[phoneKey+status]',
        'firstMissedAt',
        'openDueAt',
        'openOverdueAt',
        'phoneKey',
        'status',
      ].sort(),
    );
    expect(db.calls.schema.indexes.map((i) => i.name).sort()).toEqual(
      ['[phoneKey+startedAt]', 'leadId', 'providerKey', 'startedAt'].sort(),
    );
    expect(await db.calls.where('startedAt').above(0).count()).toBe(1);
    expect(await countOverdue(db, 2)).toBe(1);
    expect(await db.calls.where('providerKey').equals('aircall:7').count()).toBe(1);
    expect(await db.calls.where('leadId').equals('L1').count()).toBe(1);
    await db.delete();
  });
});
