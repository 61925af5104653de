import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls } from '@/utils/queue/leads';
import { runQuery } from '@/utils/live/queries';
import { DEFAULT_SETTINGS } from '@/utils/settings';

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`queries-${crypto.randomUUID()}`);
  const now = Date.now();
  await captureCalls(
    db,
    DEFAULT_SETTINGS,
    Array.from({ length: 5 }, (_, i) => ({
      from: `+1212555010${i}`,
      startedAt: now - i * 3_600_000,
      provider: 'manual',
      capturePath: 'manual',
    })),
    now,
  );
});
afterEach(() => db.delete());

describe('openLeads', () => {
  it('reads the head of the queue in due order and says it is not the whole queue', async () => {
    const head = await runQuery(db, 'openLeads', { limit: 3 });
    expect(head.complete).toBe(false);
    expect(head.leads).toHaveLength(3);
    const all = await runQuery(db, 'openLeads', {});
    expect(all).toMatchObject({ complete: true });
    expect(all.leads.slice(0, 3)).toEqual(head.leads);
    expect(all.leads.map((l) => l.dueAt)).toEqual([...all.leads.map((l) => l.dueAt)].sort());
  });
  it('a head as long as the queue is the whole queue', async () => {
    expect(await runQuery(db, 'openLeads', { limit: 5 })).toMatchObject({ complete: true });
  });
});
