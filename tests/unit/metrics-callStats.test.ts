/**
 * Answered calls counted for the metrics in the capture transaction: once per call, whatever
 * re-reads, duplicate legs or second paths bring; new callers answered live kept apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';
import { loadMetricsData, loadRangeFor } from '@/utils/metrics/load';
import { computeMetrics } from '@/utils/metrics/figures';
import { metricsSettingsOf, DEFAULT_METRICS_PREFS } from '@/utils/metrics/settings';

const t = (iso: string) => Date.parse(iso);
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sourceRules: [{ id: 'r1', line: '(800) 555-0100', source: 'Google Ads – PI', priority: false }],
};
// Wednesday 4 March 2026, EST (UTC-5).
const NOW = t('2026-03-04T15:00:00-05:00');

function answered(overrides: Partial<IncomingCall> = {}): IncomingCall {
  return {
    from: '(212) 555-0143',
    startedAt: t('2026-03-04T10:00:00-05:00'),
    provider: 'aircall',
    providerCallId: 'A1',
    capturePath: 'api',
    reason: 'answered',
    dialedLine: '800-555-0100',
    ...overrides,
  };
}

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

describe('answered calls counted for the metrics', () => {
  it('counts an answered call once per firm day, hour, line, source and path, however often it is read', async () => {
    await captureCalls(db, settings, [answered()], NOW);
    await captureCalls(db, settings, [answered()], NOW + 60_000); // the poller's window again
    await captureCalls(db, settings, [answered(), answered()], NOW + 120_000); // twice in a batch
    expect(await db.callStats.toArray()).toEqual([
      {
        id: '2026-03-04|10|+18005550100|Google Ads – PI|api',
        day: '2026-03-04',
        hour: 10,
        line: '+18005550100',
        source: 'Google Ads – PI',
        path: 'api',
        answered: 1,
        answeredNew: 1,
      },
    ]);
    // The only caller detail kept: the new caller's number, for the CRM's retained check.
    expect(await db.liveCallers.toArray()).toEqual([
      {
        phoneKey: '+12125550143',
        answeredAt: t('2026-03-04T10:00:00-05:00'),
        source: 'Google Ads – PI',
        path: 'api',
      },
    ]);
  });

  it('the same answered call seen by the portal page (no id) and the API counts once', async () => {
    await captureCalls(
      db,
      settings,
      [answered({ provider: 'aircall', providerCallId: undefined, capturePath: 'portal' })],
      NOW,
    );
    await captureCalls(
      db,
      settings,
      [answered({ startedAt: t('2026-03-04T10:00:40-05:00') })],
      NOW,
    );
    const rows = await db.callStats.toArray();
    expect(rows.map((r) => [r.path, r.answered])).toEqual([['portal', 1]]);
  });

  it('a second answered call from the same caller later counts, but not as a new caller', async () => {
    await captureCalls(db, settings, [answered()], NOW);
    await captureCalls(
      db,
      settings,
      [answered({ providerCallId: 'A2', startedAt: t('2026-03-04T14:00:00-05:00') })],
      NOW,
    );
    const rows = await db.callStats.orderBy('id').toArray();
    expect(rows.map((r) => [r.hour, r.answered, r.answeredNew])).toEqual([
      [10, 1, 1],
      [14, 1, 0],
    ]);
  });

  it('an answered call that closes a lead counts once, and not as a new caller', async () => {
    await captureCalls(
      db,
      settings,
      [
        answered({
          reason: 'no-answer',
          providerCallId: 'M1',
          startedAt: t('2026-03-04T09:00:00-05:00'),
        }),
      ],
      NOW,
    );
    await captureCalls(db, settings, [answered()], NOW);
    await captureCalls(db, settings, [answered()], NOW); // re-read: a duplicate of the stored call
    const [lead] = await db.leads.toArray();
    expect(lead!.status).toBe('done');
    const rows = await db.callStats.toArray();
    expect(rows.map((r) => [r.hour, r.answered, r.answeredNew])).toEqual([[10, 1, 0]]);
    expect(await db.liveCallers.count()).toBe(0);
  });

  it('an old CSV imported twice counts its answered calls once (their record is long gone)', async () => {
    const csvCall = answered({
      provider: 'csv',
      providerCallId: 'row-7',
      capturePath: 'csv',
      startedAt: t('2025-12-01T11:30:00-05:00'),
      dialedLine: undefined,
    });
    await captureCalls(db, settings, [csvCall], NOW);
    await captureCalls(db, settings, [csvCall], NOW + 86_400_000);
    const rows = await db.callStats.toArray();
    expect(rows.map((r) => [r.id, r.answered])).toEqual([['2025-12-01|11|||csv', 1]]);
    // A fingerprint, not the number, remembers it.
    const [seen] = await db.answeredSeen.toArray();
    expect(JSON.stringify(seen)).not.toContain('555');
  });

  it('feeds the missed-call rate: missed ÷ (missed + answered) on the dashboard', async () => {
    await captureCalls(
      db,
      settings,
      [
        answered({ reason: 'no-answer', from: '(212) 555-0101', providerCallId: 'M1' }),
        answered({ reason: 'no-answer', from: '(212) 555-0102', providerCallId: 'M2' }),
        answered({ from: '(212) 555-0103', providerCallId: 'A3' }),
      ],
      NOW,
    );
    const from = t('2026-03-04T00:00:00-05:00');
    const to = t('2026-03-05T00:00:00-05:00');
    const metricsSettings = metricsSettingsOf(DEFAULT_METRICS_PREFS, settings);
    const data = await loadMetricsData(db, loadRangeFor({ from, to }, settings.timeZone));
    const result = computeMetrics(data, { from, to }, metricsSettings, NOW);
    expect(result.missedCalls).toMatchObject({ missed: 2, answered: 1 });
    expect(result.missedCalls.missedRate).toBeCloseTo(2 / 3, 10);
    expect(result.conversion.answeredLive.newCallers).toEqual({ known: true, value: 1 });
    expect(result.timeToCallback).toMatchObject({ leads: 2, waiting: 2 });
  });
});

describe('attempt summaries on leads (the dashboard reads leads, not every attempt)', () => {
  it('recordAttempt keeps the first phone callback and what the attempts reached', async () => {
    const { recordAttempt } = await import('@/utils/queue/leads');
    await captureCalls(
      db,
      settings,
      [answered({ reason: 'no-answer', providerCallId: 'M1' })],
      NOW,
    );
    const [lead] = await db.leads.toArray();
    const t1 = t('2026-03-04T10:03:00-05:00');
    await recordAttempt(db, settings, { leadId: lead!.id, method: 'text', outcome: 'sent' }, t1);
    await recordAttempt(
      db,
      settings,
      { leadId: lead!.id, method: 'call', outcome: 'no-answer', close: false },
      t1 + 60_000,
    );
    await recordAttempt(
      db,
      settings,
      { leadId: lead!.id, method: 'call', outcome: 'consultation-booked' },
      t1 + 120_000,
    );
    const stored = await db.leads.get(lead!.id);
    expect(stored!.attemptCount).toBe(3);
    expect(stored!.attemptSummary).toEqual({
      firstPhoneAt: t1 + 60_000,
      reached: true,
      consultation: true,
      // The lead's limit when staff first tried: 15 business minutes after the 10:00 call.
      limitAt: t('2026-03-04T10:15:00-05:00'),
    });
  });

  it('the upgrade to version 8 fills them in from the attempts stored before', async () => {
    const { default: Dexie } = await import('dexie');
    const name = `upgrade7-${crypto.randomUUID()}`;
    const v7 = new Dexie(name);
    v7.version(7).stores({
      leads: 'id, phoneKey, status, openDueAt, openOverdueAt, [phoneKey+status]',
      calls: 'id, leadId, [phoneKey+startedAt], providerKey',
      attempts: 'id, leadId, at',
    });
    await v7.open();
    await v7.table('leads').bulkAdd([
      { id: 'L1', phoneKey: '+12125550143', status: 'done', attemptCount: 2 },
      { id: 'L2', phoneKey: '+12125550144', status: 'open', attemptCount: 0 },
    ]);
    await v7.table('attempts').bulkAdd([
      { id: 'A0', leadId: 'L1', method: 'text', outcome: 'sent', at: 5, automatic: true },
      { id: 'A1', leadId: 'L1', method: 'voicemail', outcome: 'left-voicemail', at: 20 },
      { id: 'A2', leadId: 'L1', method: 'call', outcome: 'reached', at: 10 },
    ]);
    v7.close();
    const upgraded = new CallbackDeskDB(name);
    await upgraded.open();
    expect((await upgraded.leads.get('L1'))!.attemptSummary).toEqual({
      firstPhoneAt: 10,
      reached: true,
    });
    expect((await upgraded.leads.get('L2'))!.attemptSummary).toBeUndefined();
    await upgraded.delete();
  });
});
