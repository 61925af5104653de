import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, countOverdue } from '@/utils/queue/leads';
import {
  countSampleLeads,
  deleteSampleData,
  loadSampleData,
  planSampleData,
  SAMPLE_LEAD_COUNT,
} from '@/utils/queue/sampleData';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';

const NY = 'America/New_York';
const local = (y: number, m: number, d: number, h: number, min = 0) =>
  new TZDate(y, m - 1, d, h, min, NY).getTime();

/** Moments when a naive "a few minutes ago" sample would have nothing overdue. */
const MOMENTS: [string, number][] = [
  ['Wednesday noon', local(2026, 3, 4, 12)],
  ['Monday 8 am, before opening', local(2026, 3, 2, 8)],
  ['Monday 9:05, just after opening', local(2026, 3, 2, 9, 5)],
  ['Saturday afternoon', local(2026, 3, 7, 15)],
  ['Sunday late night', local(2026, 3, 8, 23, 30)],
  ['the day DST starts', local(2026, 3, 8, 10)],
  ['Tuesday after a Monday holiday', local(2026, 1, 20, 9, 20)],
];
const settings: FirmSettings = { ...DEFAULT_SETTINGS, holidays: ['2026-01-19'] };

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

describe('planSampleData', () => {
  it('is deterministic for a seed and moment', () => {
    const now = MOMENTS[0]![1];
    expect(planSampleData(settings, now)).toEqual(planSampleData(settings, now));
    expect(planSampleData(settings, now, 7)).not.toEqual(planSampleData(settings, now));
  });

  it.each(MOMENTS)('plans a week of varied history ending %s', (_label, now) => {
    const plan = planSampleData(settings, now);
    expect(plan.leadCount).toBe(SAMPLE_LEAD_COUNT);
    const calls = plan.events.flatMap((e) => (e.kind === 'call' ? [e.call] : []));
    for (const event of plan.events) {
      expect(event.at).toBeLessThanOrEqual(now);
      expect(event.at).toBeGreaterThan(now - 7 * 24 * 3_600_000);
    }
    expect(new Set(calls.map((c) => c.providerCallId)).size).toBe(calls.length);
    expect(new Set(calls.map((c) => c.source)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(calls.map((c) => c.practiceArea)).size).toBeGreaterThanOrEqual(4);
    expect(calls.some((c) => c.reason === 'voicemail')).toBe(true);
    expect(calls.some((c) => /anonymous|restricted/i.test(c.from))).toBe(true);
    expect(plan.overdueLeads.length).toBeGreaterThanOrEqual(3);
  });
});

describe('loadSampleData', () => {
  it.each(MOMENTS)('stores ~50 leads with history and open overdue ones at %s', async (_l, now) => {
    const result = await loadSampleData(db, settings, now);
    const leads = await db.leads.toArray();
    const calls = await db.calls.toArray();
    const plannedCalls = planSampleData(settings, now).events.filter((e) => e.kind === 'call');

    expect(result.leads).toBe(SAMPLE_LEAD_COUNT);
    expect(leads).toHaveLength(SAMPLE_LEAD_COUNT);
    // Nothing merged away as a duplicate: every planned call is its own stored call.
    expect(calls).toHaveLength(plannedCalls.length);
    expect(result.calls).toBe(plannedCalls.length);
    // Repeat callers: some leads hold several missed calls.
    expect(leads.filter((l) => l.missedCount > 1).length).toBeGreaterThanOrEqual(3);
    // One open lead per caller at most; returning callers have an older, closed lead.
    const openPhones = leads.filter((l) => l.status !== 'done').map((l) => l.phoneKey);
    expect(new Set(openPhones).size).toBe(openPhones.length);
    expect(leads.some((l) => l.noCallbackNumber)).toBe(true);
    // Worked history: most leads closed after attempts; the queue still has work.
    const closed = leads.filter((l) => l.status === 'done');
    expect(closed.length).toBeGreaterThan(SAMPLE_LEAD_COUNT / 3);
    expect(result.attempts).toBeGreaterThan(15);
    expect(await countOverdue(db, now)).toBeGreaterThanOrEqual(3);
    for (const lead of leads) expect(lead.createdAt).toBeLessThanOrEqual(now);
  });

  it('makes exactly one lead per planned lead whatever the seed', async () => {
    const now = MOMENTS[0]![1];
    for (let seed = 1; seed <= 10; seed++) {
      const result = await loadSampleData(db, settings, now, seed);
      expect(result.leads).toBe(SAMPLE_LEAD_COUNT);
      expect(await db.leads.count()).toBe(SAMPLE_LEAD_COUNT);
    }
  });

  it('replaces an earlier sample instead of adding a second one', async () => {
    const now = MOMENTS[0]![1];
    await loadSampleData(db, settings, now - 3_600_000);
    await loadSampleData(db, settings, now);
    expect(await db.leads.count()).toBe(SAMPLE_LEAD_COUNT);
    expect(await countSampleLeads(db)).toBe(SAMPLE_LEAD_COUNT);
  });
});

describe('deleteSampleData', () => {
  it('removes the sample and keeps real leads', async () => {
    const now = MOMENTS[0]![1];
    await captureCalls(
      db,
      settings,
      [
        {
          from: '(646) 555-0111',
          startedAt: now - 60_000,
          provider: 'ringcentral',
          capturePath: 'portal',
        },
      ],
      now,
    );
    await loadSampleData(db, settings, now);
    const removed = await deleteSampleData(db);

    expect(removed.leads).toBe(SAMPLE_LEAD_COUNT);
    const leads = await db.leads.toArray();
    expect(leads.map((l) => l.phone)).toEqual(['+16465550111']);
    expect(await db.calls.count()).toBe(1);
    expect(await db.attempts.count()).toBe(0);
    expect(await countSampleLeads(db)).toBe(0);
  });
});
