/**
 * Adversarial review of the metrics (issue 10): figures driven through the real lead
 * lifecycle (capture → attempts → load → compute), expected values worked out by hand.
 * Firm: DEFAULT_SETTINGS — New York, Monday–Friday 9:00–17:00, 15-minute limit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { computeMetrics } from '@/utils/metrics/figures';
import { loadMetricsData } from '@/utils/metrics/load';
import { DEFAULT_METRICS_PREFS, metricsSettingsOf } from '@/utils/metrics/settings';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';

const NY = 'America/New_York';
/** March 2026 in New York (EST until Sunday 8 March): 4th is a Wednesday. */
const at = (day: number, h: number, m = 0) => new TZDate(2026, 2, day, h, m, NY).getTime();
const settings: FirmSettings = { ...DEFAULT_SETTINGS, staff: [] };
const metricsSettings = metricsSettingsOf(DEFAULT_METRICS_PREFS, settings);

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`metrics-review-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

function call(from: string, startedAt: number): IncomingCall {
  return {
    from,
    startedAt,
    provider: 'ringcentral',
    providerCallId: `c-${from}-${startedAt}`,
    capturePath: 'api',
  };
}

async function figures(from: number, to: number, now: number) {
  const data = await loadMetricsData(db, { from, to });
  return computeMetrics(data, { from, to }, metricsSettings, now);
}

describe('leads past the limit', () => {
  it('a first callback 45 minutes after the call is past the 15-minute limit, even after the cadence moved the due time', async () => {
    // Wed 4 March 10:00 missed call; limit 10:15 (15 business minutes, in hours).
    // First callback by phone at 10:45 (no answer) — 45 min: past the limit.
    // The cadence then moves the lead's due time to its next step; that must not clear it.
    const { added } = await captureCalls(
      db,
      settings,
      [call('(212) 555-0143', at(4, 10))],
      at(4, 10, 1),
    );
    const leadId = added[0]!.leadId;
    await recordAttempt(
      db,
      settings,
      { leadId, method: 'call', outcome: 'no-answer' },
      at(4, 10, 45),
    );
    const result = computeMetrics(
      await loadMetricsData(db, { from: at(4, 0), to: at(5, 0) }),
      { from: at(4, 0), to: at(5, 0) },
      metricsSettings,
      at(4, 11),
    );
    expect(result.timeToCallback.wall.median).toBe(45);
    expect(result.leads[0]!.pastLimit).toBe(true);
    expect(result.staff.find((s) => s.staffId === '')?.pastLimit).toBe(1);
  });

  it('a lead reopened after No contact keeps its first round: counted once, and its late first callback stays past the limit', async () => {
    // Wed 4 March 10:00 missed call; first callback 11:00 (60 min, past 10:15), then the
    // rest of the cadence without contact → No contact. The caller rings again Fri 6 March
    // 10:00: the lead reopens (a new due time). It is one lead, called back after 60 min,
    // past its limit.
    const { added } = await captureCalls(
      db,
      settings,
      [call('(212) 555-0144', at(4, 10))],
      at(4, 10, 1),
    );
    const leadId = added[0]!.leadId;
    await recordAttempt(db, settings, { leadId, method: 'call', outcome: 'no-answer' }, at(4, 11));
    await recordAttempt(
      db,
      settings,
      { leadId, method: 'voicemail', outcome: 'left-voicemail' },
      at(4, 12),
    );
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'email', outcome: 'sent' },
      at(5, 10),
    );
    expect(lead.status).toBe('no-contact');
    await captureCalls(db, settings, [call('(212) 555-0144', at(6, 10))], at(6, 10, 1));
    expect((await db.leads.get(leadId))!.status).toBe('open');
    const result = await figures(at(2, 0), at(9, 0), at(6, 10, 30));
    expect(result.timeToCallback.leads).toBe(1);
    expect(result.timeToCallback.calledBack).toBe(1);
    expect(result.timeToCallback.wall.median).toBe(60);
    expect(result.leads[0]!.pastLimit).toBe(true);
  });

  it('a waiting lead texted by staff but never phoned is past its limit once the limit went by', async () => {
    // Wed 4 March 10:00 missed call; staff texted at 10:05 (no phone callback yet). At 11:00
    // the lead is still waiting for a callback by phone, 45 minutes past its 10:15 limit.
    const { added } = await captureCalls(
      db,
      settings,
      [call('(212) 555-0145', at(4, 10))],
      at(4, 10, 1),
    );
    const leadId = added[0]!.leadId;
    await recordAttempt(db, settings, { leadId, method: 'text', outcome: 'sent' }, at(4, 10, 5));
    const result = await figures(at(4, 0), at(5, 0), at(4, 11));
    expect(result.timeToCallback.waiting).toBe(1);
    expect(result.leads[0]!.pastLimit).toBe(true);
  });
});

describe('a group ring: one leg missed, another answered', () => {
  // Wed 4 March 10:00:00 the caller rings the firm's ring group: Sam's leg is not picked up
  // (no answer), Ana's leg, started 4 s later, is answered. One inbound call, answered: the
  // missed-call figure shows 0 missed and 1 answered (rate 0 %), whichever leg is read first.
  const legs = (): IncomingCall[] => [
    {
      ...call('(212) 555-0146', at(4, 10)),
      providerCallId: 'leg-sam',
      reason: 'no-answer',
      agent: 'Sam',
    },
    {
      ...call('(212) 555-0146', at(4, 10) + 4_000),
      providerCallId: 'leg-ana',
      reason: 'answered',
      agent: 'Ana',
    },
  ];
  for (const order of ['missed leg first', 'answered leg first'] as const) {
    it(`is one answered call, not a missed one (${order})`, async () => {
      const [missed, answered] = legs();
      const batches = order === 'missed leg first' ? [missed!, answered!] : [answered!, missed!];
      for (const c of batches) await captureCalls(db, settings, [c], at(4, 10, 1));
      const result = await figures(at(4, 0), at(5, 0), at(4, 11));
      expect(result.missedCalls.missed).toBe(0);
      expect(result.missedCalls.answered).toBe(1);
      expect(result.missedCalls.missedRate).toBe(0);
      expect(result.heatMap.reduce((n, c) => n + c.missed, 0)).toBe(0);
      // Nor is the caller a recovered lead: they were answered live, at once.
      expect(result.timeToCallback.leads).toBe(0);
      expect(result.conversion.recovered.leads).toBe(0);
      expect(result.leadCounts).toEqual({
        included: 0,
        existingClients: 0,
        noCallbackNumber: 0,
        answeredAtOnce: 1,
      });
    });
  }
});
