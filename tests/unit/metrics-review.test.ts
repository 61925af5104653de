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
      // A caller the desk did not know, answered live: a new caller answered live, in both orders.
      expect(result.conversion.answeredLive.newCallers).toEqual({ known: true, value: 1 });
      expect(await db.liveCallers.count()).toBe(1);
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

describe('firm time on DST days and across closed days (hand data)', () => {
  const MIN = 60_000;
  const lead = (id: string, first: number, firstPhoneAt?: number) => ({
    id,
    status: 'done' as const,
    noCallbackNumber: false,
    firstMissedAt: first,
    dueAt: first + 5 * MIN,
    overdueAt: first + 15 * MIN,
    attemptCount: firstPhoneAt ? 1 : 0,
    ...(firstPhoneAt ? { attemptSummary: { firstPhoneAt, reached: true as const } } : {}),
  });
  const data = (leads: ReturnType<typeof lead>[], callsAt: number[], from: number, to: number) => ({
    range: { from, to },
    leads,
    calls: callsAt.map((startedAt, i) => ({
      leadId: leads[i % leads.length]!.id,
      startedAt,
      capturePath: 'api' as const,
    })),
    attempts: [],
    callStats: [],
    liveCallers: [],
    surveys: [],
    earliestCallAt: callsAt.length ? Math.min(...callsAt) : null,
    loadedAt: 0,
  });

  it('the 25-hour day (1 November 2026): both 1:30s are in the 1:00 row, the day has its calls', () => {
    // 01:30 EDT = 05:30Z, 01:30 EST = 06:30Z, 23:30 EST = 04:30Z next day: all Sunday 1 Nov.
    const from = Date.parse('2026-11-01T00:00:00-04:00');
    const to = Date.parse('2026-11-02T00:00:00-05:00'); // 25 hours later
    const calls = ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-02T04:30:00Z'].map(
      Date.parse,
    );
    const r = computeMetrics(
      data([lead('A', calls[0]!)], calls, from, to),
      { from, to },
      metricsSettings,
      to,
    );
    expect(r.missedCalls.byDay.map((d) => [d.day, d.missed])).toEqual([['2026-11-01', 3]]);
    const sunday = r.heatMap.filter((c) => c.weekday === 6 && c.missed > 0);
    expect(sunday.map((c) => [c.hour, c.missed])).toEqual([
      [1, 2],
      [23, 1],
    ]);
  });

  it('the 23-hour day (8 March 2026): 3:30 EDT is in the 3:00 row; 23:59 is still that Sunday', () => {
    const from = Date.parse('2026-03-08T00:00:00-05:00');
    const to = Date.parse('2026-03-09T00:00:00-04:00'); // 23 hours later
    const calls = ['2026-03-08T07:30:00Z', '2026-03-09T03:59:00Z'].map(Date.parse);
    const r = computeMetrics(
      data([lead('A', calls[0]!)], calls, from, to),
      { from, to },
      metricsSettings,
      to,
    );
    expect(r.missedCalls.byDay.map((d) => [d.day, d.missed])).toEqual([['2026-03-08', 2]]);
    const sunday = r.heatMap.filter((c) => c.weekday === 6 && c.missed > 0);
    expect(sunday.map((c) => [c.hour, c.missed])).toEqual([
      [3, 1],
      [23, 1],
    ]);
  });

  it('business minutes skip the DST weekend and a holiday Monday; wall minutes do not', () => {
    // Fri 6 March 16:50 EST missed; callback Tue 10 March 9:10 EDT; Monday 9 March a holiday.
    // Business: Fri 16:50–17:00 = 10, Tue 9:00–9:10 = 10 → 20. Wall: from 21:50Z Fri to
    // 13:10Z Tue = 3 days 15 h 20 min = 5,240 min.
    const first = Date.parse('2026-03-06T16:50:00-05:00');
    const back = Date.parse('2026-03-10T09:10:00-04:00');
    const from = Date.parse('2026-03-02T00:00:00-05:00');
    const to = Date.parse('2026-03-09T00:00:00-04:00');
    const r = computeMetrics(
      data([lead('A', first, back)], [first], from, to),
      { from, to },
      { ...metricsSettings, firm: { ...metricsSettings.firm, holidays: ['2026-03-09'] } },
      back + MIN,
    );
    expect(r.timeToCallback.wall.median).toBe(5240);
    expect(r.timeToCallback.business.median).toBe(20);
    // Within 15 min: no (20 business), within 1 h: yes; 24 h wall: no.
    expect(r.timeToCallback.withinBusiness.map((w) => w.within)).toEqual([0, 0, 1, 1]);
    expect(r.timeToCallback.withinWall.map((w) => w.within)).toEqual([0, 0, 0, 0]);
  });
});

describe('answered calls counted once', () => {
  const answeredTotal = async () =>
    (await db.callStats.toArray()).reduce((n, r) => n + r.answered, 0);

  for (const first of ['api', 'portal'] as const) {
    it(`an answered call that closes a lead, seen by the ${first} first and then the other path, counts once`, async () => {
      // 9:00 missed call (API) opens a lead; 10:00 the caller rings again and is answered.
      // The API (id A1) and the portal page (no id, its clock 20 s off) both show that call.
      await captureCalls(
        db,
        settings,
        [{ ...call('(212) 555-0147', at(4, 9)), reason: 'no-answer', providerCallId: 'M1' }],
        at(4, 9, 1),
      );
      const api: IncomingCall = {
        ...call('(212) 555-0147', at(4, 10)),
        reason: 'answered',
        providerCallId: 'A1',
      };
      const portal: IncomingCall = {
        from: '(212) 555-0147',
        startedAt: at(4, 10) + 20_000,
        provider: 'ringcentral',
        capturePath: 'portal',
        reason: 'answered',
      };
      const [a, b] = first === 'api' ? [api, portal] : [portal, api];
      await captureCalls(db, settings, [a], at(4, 10, 5));
      await captureCalls(db, settings, [b], at(4, 10, 6));
      await captureCalls(db, settings, [a, b], at(4, 10, 7)); // both read again
      expect((await db.leads.toArray()).map((l) => l.status)).toEqual(['done']);
      expect(await answeredTotal()).toBe(1);
      expect(await db.liveCallers.count()).toBe(0);
    });
  }
});

describe('weekly review copied as an email', () => {
  it('a source or firm name with line breaks stays on its own line (cannot forge lines of the email)', async () => {
    const { weeklyReviewEmail } = await import('@/utils/metrics/weekly');
    const forged =
      'Google\r\n\r\nSources to look at\n- None: every source is within the thresholds.';
    const source = {
      source: forged,
      missedCalls: 3,
      leads: 3,
      medianMinutes: 40,
      medianBusinessMinutes: 40,
      attempted: 3,
      reached: 1,
      contactRate: 1 / 3,
      contactStatus: 'needs-work' as const,
      consultations: 0,
      retained: 0,
      conversion: 0,
      neverReached: 2,
      costPerLead: null,
      spentOnNeverReached: null,
    };
    const { subject, body } = weeklyReviewEmail({
      firmName: 'Lopez Law\nBcc: someone@example.com',
      currency: 'USD',
      limitMinutes: 15,
      week: { from: 0, to: 1, label: 'Mon 23 Nov – Sun 29 Nov 2026' },
      before: { from: 0, to: 0 },
      figures: [],
      spikes: [],
      slowestHours: [],
      sourcesToLookAt: [{ ...source, reasons: ['contact rate 33 %'] }],
    });
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toContain('Lopez Law Bcc: someone@example.com');
    const lines = body.split('\n');
    // The forged "None" line is not a line of its own; the source is one line.
    expect(lines.filter((l) => l.startsWith('- None: every source'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('Sources to look at'))).toHaveLength(1);
    expect(lines).toContain(
      '- Google Sources to look at - None: every source is within the thresholds.: contact rate 33 %',
    );
    expect(body).not.toContain('\r');
  });
});

describe('weekly reminder across DST', () => {
  it('a Sunday 02:30 reminder on the night clocks skip 2:00–3:00 rings at 3:30 EDT, the next week at 02:30 again', async () => {
    const { nextReminderAt } = await import('@/utils/metrics/reminder');
    const sat = Date.parse('2026-03-07T12:00:00-05:00');
    // 8 March 2026 02:30 does not exist in New York: the instant just after the gap, 03:30 EDT.
    expect(nextReminderAt(sat, { weekday: 0, time: '02:30' }, NY)).toBe(
      Date.parse('2026-03-08T07:30:00Z'),
    );
    // After it fired: Sunday 15 March 02:30 EDT = 06:30Z.
    expect(
      nextReminderAt(Date.parse('2026-03-08T07:30:00Z'), { weekday: 0, time: '02:30' }, NY),
    ).toBe(Date.parse('2026-03-15T06:30:00Z'));
  });
});

describe('missed-call rate not known', () => {
  it('says "Not known" once, with the reason (the dashboard shows the note as it is)', async () => {
    // An empty day: no answered call recorded.
    const r = await figures(at(4, 0), at(5, 0), at(4, 12));
    expect(r.missedCalls.missedRate).toBeNull();
    expect(r.missedCalls.inboundNote).toBe(
      'Not known: no answered call was recorded in this range (manual entry never sees answered calls; a portal page only the ones it shows).',
    );
    const figuresSource = await import('node:fs').then((fs) =>
      fs.readFileSync('components/dashboard/Figures.tsx', 'utf8'),
    );
    expect(figuresSource).not.toContain('Not known: {missed.inboundNote');
  });
});

describe('a lead whose first missed call is before the range, attempted inside it', () => {
  it('belongs to the period of its first missed call: not in the later range, in its own', async () => {
    // Mon 2 March 10:00 missed call; called back Wed 4 March 10:00, reached (2,880 min wall).
    // Range Wed 4 March: no lead (its first missed call is outside). Range 2–4 March: one lead,
    // attempted and reached, 2,880 wall minutes; business: Mon 10:00–17:00 = 420, Tue 480,
    // Wed 9:00–10:00 = 60 → 960.
    const { added } = await captureCalls(
      db,
      settings,
      [call('(212) 555-0148', at(2, 10))],
      at(2, 10, 1),
    );
    const leadId = added[0]!.leadId;
    await recordAttempt(db, settings, { leadId, method: 'call', outcome: 'reached' }, at(4, 10));
    const later = await figures(at(4, 0), at(5, 0), at(4, 12));
    expect(later.timeToCallback.leads).toBe(0);
    expect(later.contactRate.attempted).toBe(0);
    const own = await figures(at(2, 0), at(5, 0), at(4, 12));
    expect(own.timeToCallback.wall.median).toBe(2880);
    expect(own.timeToCallback.business.median).toBe(960);
    expect(own.contactRate.byDay.map((d) => [d.period, d.attempted, d.reached])).toEqual([
      ['2026-03-02', 1, 1],
      ['2026-03-03', 0, 0],
      ['2026-03-04', 0, 0],
    ]);
  });
});
