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
});
