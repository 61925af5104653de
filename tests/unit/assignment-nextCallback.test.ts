import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackDeskDB } from '@/utils/db';
import type { Lead } from '@/utils/model';
import { pickNextCallback } from '@/utils/team/nextCallback';
import { claimLead, ClaimConflictError, takeNextCallback } from '@/utils/team/claim';

const T = Date.UTC(2026, 11, 9, 15);
let n = 0;
function lead(overrides: Partial<Lead> = {}): Lead {
  n++;
  const dueAt = overrides.dueAt ?? T + n * 60_000;
  return {
    id: `lead-${n}`,
    phoneKey: `+1212555${String(1000 + n)}`,
    phone: `+1212555${String(1000 + n)}`,
    rawNumber: '',
    noCallbackNumber: false,
    priority: false,
    status: 'open',
    firstMissedAt: T,
    lastMissedAt: T,
    missedCount: 1,
    dueAt,
    overdueAt: dueAt + 10 * 60_000,
    openDueAt: dueAt,
    openOverdueAt: dueAt + 10 * 60_000,
    attemptCount: 0,
    createdAt: T,
    updatedAt: T,
    ...overrides,
  };
}

describe('pickNextCallback', () => {
  it('the most urgent unclaimed lead that is mine or nobody’s', () => {
    const leads = [
      lead({ id: 'theirs', assignee: 'ben', dueAt: T }),
      lead({ id: 'claimed', dueAt: T + 1, claimedBy: 'ben', status: 'claimed' }),
      lead({ id: 'closed', dueAt: T + 2, status: 'done' }),
      lead({ id: 'no-number', dueAt: T + 3, noCallbackNumber: true, phone: null }),
      lead({ id: 'nobodys', dueAt: T + 20 }),
      lead({ id: 'mine', assignee: 'ana', dueAt: T + 10 }),
    ];
    expect(pickNextCallback(leads, 'ana')?.id).toBe('mine');
    expect(pickNextCallback(leads, 'cy')?.id).toBe('nobodys');
    expect(pickNextCallback(leads, 'ben')?.id).toBe('theirs');
  });

  it('callers the automatic text missed come first, as in the queue', () => {
    const leads = [
      lead({ id: 'due-first', dueAt: T }),
      lead({
        id: 'no-text',
        dueAt: T + 50,
        noAutoText: { at: T, callId: 'c1', reason: 'captured-late' },
      }),
    ];
    expect(pickNextCallback(leads, 'ana')?.id).toBe('no-text');
  });

  it('nothing left: undefined', () => {
    expect(pickNextCallback([lead({ assignee: 'ben' })], 'ana')).toBeUndefined();
  });
});

describe('claims', () => {
  let db: CallbackDeskDB;
  beforeEach(async () => {
    db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
    await db.open();
  });
  afterEach(async () => {
    await db.delete();
  });

  it('Next callback claims the lead for me; two presses at once take two different leads', async () => {
    await db.leads.bulkPut([
      lead({ id: 'a', dueAt: T }),
      lead({ id: 'b', dueAt: T + 5 }),
      lead({ id: 'c', assignee: 'ben', dueAt: T - 5 }),
    ]);
    const [first, second, third] = await Promise.all([
      takeNextCallback(db, 'ana', T),
      takeNextCallback(db, 'ana', T),
      takeNextCallback(db, 'ana', T),
    ]);
    expect([first?.id, second?.id]).toEqual(['a', 'b']);
    expect(third).toBeUndefined();
    expect(await db.leads.get('a')).toMatchObject({
      status: 'claimed',
      claimedBy: 'ana',
      claimedAt: T,
      assignee: 'ana',
      assignReason: 'took it with Next callback',
    });
  });

  it('a lead someone else claimed tells who', async () => {
    await db.leads.put(lead({ id: 'a', claimedBy: 'sam', status: 'claimed' }));
    const names: Record<string, string> = { sam: 'Sam Carter' };
    await expect(claimLead(db, 'a', 'ana', { nameOf: (id) => names[id] ?? id })).rejects.toThrow(
      new ClaimConflictError(lead(), 'Sam Carter').message,
    );
    expect((await db.leads.get('a'))?.claimedBy).toBe('sam');
  });
});
