/**
 * Every metrics figure on a fixed data set. The expected values are worked out by hand in
 * the comments (the instants are written with their UTC offset, not computed by the code
 * under test). Firm: New York, Monday–Friday 9:00–17:00, 15-minute limit.
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics, computeStrip } from '@/utils/metrics/figures';
import { computeWeeklyReview, weeklyReviewEmail } from '@/utils/metrics/weekly';
import { metricsTables } from '@/utils/metrics/tables';
import { withAttempt } from '@/utils/metrics/attemptSummary';
import type {
  MetricsAttempt,
  MetricsCall,
  MetricsData,
  MetricsLead,
  MetricsSettings,
} from '@/utils/metrics/types';

/** An instant written with its offset: EST is -05:00 (from 1 Nov 2026), EDT -04:00. */
const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;

const weekday = [{ open: '09:00', close: '17:00' }];
const settings: MetricsSettings = {
  goodAtLeast: 0.8,
  needsWorkBelow: 0.6,
  costPerLead: { Google: 50, Website: 40 },
  currency: 'USD',
  firm: {
    firmName: 'Lopez Law',
    timeZone: 'America/New_York',
    weeklyHours: [[], weekday, weekday, weekday, weekday, weekday, []],
    holidays: [],
    staff: [
      { id: 'sam', name: 'Sam' },
      { id: 'ana', name: 'Ana' },
      { id: 'lee', name: 'Lee' },
    ],
    limitMinutes: 15,
  },
};

// Week of Monday 9 Nov 2026 (EST, UTC-5). The range is that Monday 00:00 to the next Monday.
const FROM = t('2026-11-09T00:00:00-05:00');
const TO = t('2026-11-16T00:00:00-05:00');
const NOW = t('2026-11-12T15:00:00-05:00'); // Thursday 15:00

function lead(id: string, firstMissedAt: string, extra: Partial<MetricsLead> = {}): MetricsLead {
  const first = t(firstMissedAt);
  return {
    id,
    status: 'done',
    noCallbackNumber: false,
    firstMissedAt: first,
    dueAt: first + 5 * MIN,
    overdueAt: first + 15 * MIN,
    ...extra,
  };
}

const leads: MetricsLead[] = [
  // L1 Mon 10:00, Google, Sam: call 10:04 no answer, call 11:00 reached → 4 min (4 business).
  lead('L1', '2026-11-09T10:00:00-05:00', { source: 'Google', assignee: 'sam' }),
  // L2 Mon 16:50, Google, Sam: call Tue 9:10 consultation → 980 min wall; business 10 (Mon
  // 16:50–17:00) + 10 (Tue 9:00–9:10) = 20. Limit: 10 min Monday + 5 Tuesday = Tue 9:05,
  // so past the limit. Staff recorded Retained later.
  lead('L2', '2026-11-09T16:50:00-05:00', {
    source: 'Google',
    assignee: 'sam',
    overdueAt: t('2026-11-10T09:05:00-05:00'),
    disposition: 'retained',
    dispositionAt: t('2026-11-12T12:00:00-05:00'),
  }),
  // L3 Tue 23:50 (after hours; spans midnight), Website, Ana: voicemail Wed 0:20 → 30 min
  // wall, 0 business; limit 1 h after Wed's opening (10:00). Never reached: No contact.
  lead('L3', '2026-11-10T23:50:00-05:00', {
    source: 'Website',
    assignee: 'ana',
    status: 'no-contact',
    overdueAt: t('2026-11-11T10:00:00-05:00'),
  }),
  // L4 Thu 14:00, Website, Ana: no attempt, still open at Thu 15:00 → waiting 60 min, past
  // its 14:15 limit.
  lead('L4', '2026-11-12T14:00:00-05:00', { source: 'Website', assignee: 'ana', status: 'open' }),
  // L5 Wed 9:00, no source, unassigned: an email by staff (no phone callback), then the
  // caller got through on a later call at 9:30 → closed without a callback, reached.
  lead('L5', '2026-11-11T09:00:00-05:00', {
    closeOutcome: 'reached',
    answeredLaterAt: t('2026-11-11T09:30:00-05:00'),
  }),
  // L6 an existing client (issue 9): out of the lead figures, its missed call still counts.
  lead('L6', '2026-11-11T11:00:00-05:00', { source: 'Google', existingClient: true }),
  // L7 no callback number: out of the lead figures.
  lead('L7', '2026-11-12T10:00:00-05:00', { noCallbackNumber: true, status: 'open' }),
  // L8 Thu 14:30, Google, Sam: call 14:36 Not a fit → 6 min (6 business).
  lead('L8', '2026-11-12T14:30:00-05:00', { source: 'Google', assignee: 'sam' }),
];

const call = (leadId: string, iso: string, extra: Partial<MetricsCall> = {}): MetricsCall => ({
  leadId,
  startedAt: t(iso),
  capturePath: 'api',
  ...extra,
});
const calls: MetricsCall[] = [
  call('L1', '2026-11-09T10:00:00-05:00', { capturePath: 'portal' }),
  call('L2', '2026-11-09T16:50:00-05:00'),
  call('L2', '2026-11-09T16:55:00-05:00'),
  call('L3', '2026-11-10T23:50:00-05:00', { capturePath: 'csv' }),
  call('L5', '2026-11-11T09:00:00-05:00', { alsoSeenBy: ['portal'] }),
  call('L6', '2026-11-11T11:00:00-05:00'),
  call('L7', '2026-11-12T10:00:00-05:00', { capturePath: 'portal' }),
  call('L4', '2026-11-12T14:00:00-05:00', { capturePath: 'manual' }),
  call('L8', '2026-11-12T14:30:00-05:00'),
];

const attempt = (
  leadId: string,
  iso: string,
  method: MetricsAttempt['method'],
  outcome: MetricsAttempt['outcome'],
  automatic = false,
): MetricsAttempt => ({ leadId, at: t(iso), method, outcome, ...(automatic ? { automatic } : {}) });
const attempts: MetricsAttempt[] = [
  attempt('L1', '2026-11-09T10:00:30-05:00', 'text', 'sent', true), // automatic: ignored
  attempt('L1', '2026-11-09T10:04:00-05:00', 'call', 'no-answer'),
  attempt('L1', '2026-11-09T11:00:00-05:00', 'call', 'reached'),
  attempt('L2', '2026-11-10T09:10:00-05:00', 'call', 'consultation-booked'),
  attempt('L3', '2026-11-10T23:51:00-05:00', 'text', 'sent', true), // automatic: ignored
  attempt('L3', '2026-11-11T00:20:00-05:00', 'voicemail', 'left-voicemail'),
  attempt('L3', '2026-11-11T09:30:00-05:00', 'text', 'sent'),
  attempt('L5', '2026-11-11T09:20:00-05:00', 'email', 'sent'),
  attempt('L8', '2026-11-12T14:36:00-05:00', 'call', 'not-a-fit'),
];

const data: MetricsData = {
  range: { from: t('2026-10-12T00:00:00-04:00'), to: TO },
  leads,
  calls,
  attempts,
  callStats: [
    {
      id: '2026-11-09|11|+15550001111|Google|api',
      day: '2026-11-09',
      hour: 11,
      line: '+15550001111',
      source: 'Google',
      path: 'api',
      answered: 3,
      answeredNew: 2,
    },
    {
      id: '2026-11-11|10|||portal',
      day: '2026-11-11',
      hour: 10,
      line: '',
      source: '',
      path: 'portal',
      answered: 1,
      answeredNew: 0,
    },
  ],
  liveCallers: [
    {
      phoneKey: '+12125550101',
      answeredAt: t('2026-11-09T11:10:00-05:00'),
      source: 'Google',
      path: 'api',
      disposition: 'retained',
      checkedAt: NOW,
    },
    {
      phoneKey: '+12125550102',
      answeredAt: t('2026-11-09T11:20:00-05:00'),
      source: 'Google',
      path: 'api',
      checkedAt: NOW,
    },
  ],
  surveys: [
    { leadId: 'L1', feltValued: true, responseTimeAcceptable: true, rating: 5, at: NOW },
    { leadId: 'L2', feltValued: false, rating: 3, at: NOW },
    { leadId: 'L6', rating: 1, at: NOW }, // existing client: not counted
  ],
  earliestCallAt: t('2026-11-09T10:00:00-05:00'),
  loadedAt: NOW,
};

const all = () => computeMetrics(data, { from: FROM, to: TO }, settings, NOW);

describe('metrics figures on a fixed week', () => {
  it('counts the leads in the figures and those left out', () => {
    expect(all().leadCounts).toEqual({
      included: 6,
      existingClients: 1,
      noCallbackNumber: 1,
      answeredAtOnce: 0,
    });
  });

  it('time to callback: first phone attempt, median/p90/mean, wall and business minutes', () => {
    const ttc = all().timeToCallback;
    expect(ttc).toMatchObject({ leads: 6, calledBack: 4, waiting: 1, closedWithoutCallback: 1 });
    // Wall 4, 6, 30, 980: median (6+30)/2 = 18, p90 rank ceil(3.6) = 4th = 980, mean 1020/4.
    expect(ttc.wall).toEqual({ count: 4, median: 18, p90: 980, mean: 255 });
    // Business 0, 4, 6, 20: median 5, p90 20, mean 7.5.
    expect(ttc.business).toEqual({ count: 4, median: 5, p90: 20, mean: 7.5 });
    // The waiting lead, with its current age (Thu 14:00 → 15:00).
    expect(ttc.waitingAges).toEqual([
      { leadId: 'L4', firstMissedAt: t('2026-11-12T14:00:00-05:00'), ageMinutes: 60 },
    ]);
  });

  it('time to callback: shares within 5/15/60 min and 24 h count the waiting lead once it is past', () => {
    const ttc = all().timeToCallback;
    // Wall: ≤5: L1 of 4 called back + L4 (waiting 60 > 5) = 1/5; ≤15: L1, L8 = 2/5;
    // ≤60: L1, L8, L3 of 4 (L4's 60 is not past 60) = 3/4; ≤24 h: 4/4.
    expect(ttc.withinWall.map((w) => [w.within, w.decided])).toEqual([
      [1, 5],
      [2, 5],
      [3, 4],
      [4, 4],
    ]);
    expect(ttc.withinWall.map((w) => w.share)).toEqual([0.2, 0.4, 0.75, 1]);
    // Business: ≤5: L3 (0), L1 (4) = 2/5; ≤15: + L8 = 3/5; ≤60: 4/4; ≤24 h: 4/4.
    expect(ttc.withinBusiness.map((w) => w.share)).toEqual([0.4, 0.6, 1, 1]);
    expect(ttc.histogram.map((b) => b.leads)).toEqual([1, 1, 1, 0, 1, 0]);
  });

  it('contact rate: reached ÷ attempted, per day and week of the first missed call, against thresholds', () => {
    const c = all().contactRate;
    // Attempted: L1, L2, L3, L5 (email), L8 = 5; reached: L1, L2, L5 (got through), L8 = 4.
    expect(c).toMatchObject({
      attempted: 5,
      reached: 4,
      rate: 0.8,
      status: 'good',
      neverAttempted: 1,
    });
    expect(c.byDay.map((d) => [d.period, d.leads, d.attempted, d.reached, d.status])).toEqual([
      ['2026-11-09', 2, 2, 2, 'good'],
      ['2026-11-10', 1, 1, 0, 'needs-work'],
      ['2026-11-11', 1, 1, 1, 'good'],
      ['2026-11-12', 2, 1, 1, 'good'],
      ['2026-11-13', 0, 0, 0, 'no-data'],
      ['2026-11-14', 0, 0, 0, 'no-data'],
      ['2026-11-15', 0, 0, 0, 'no-data'],
    ]);
    expect(c.byDay[0]!.start).toBe(FROM);
    expect(c.byWeek).toEqual([
      {
        period: '2026-11-09',
        start: FROM,
        leads: 6,
        attempted: 5,
        reached: 4,
        rate: 0.8,
        status: 'good',
      },
    ]);
  });

  it('conversion: recovered leads against new callers answered live', () => {
    const conv = all().conversion;
    // Recovered: L1, L2, L5, L8 = 4; consultation L2; retained L2 (staff disposition).
    expect(conv.recovered).toEqual({
      leads: 4,
      consultations: 1,
      retained: 1,
      dispositionKnown: 1,
      consultationRate: 0.25,
      retainedRate: 0.25,
    });
    // 2 new callers answered live; the CRM was asked about both; one retained.
    expect(conv.answeredLive.newCallers).toEqual({ known: true, value: 2 });
    expect(conv.answeredLive.retained).toEqual({ known: true, value: 1 });
    expect(conv.answeredLive.retainedRate).toEqual({ known: true, value: 0.5 });
    expect(conv.answeredLive.consultations.known).toBe(false);
  });

  it('conversion: the answered side says "not known" instead of a number when nothing answered was recorded', () => {
    const none = computeMetrics(
      { ...data, callStats: [], liveCallers: [] },
      { from: FROM, to: TO },
      settings,
      NOW,
    );
    for (const k of Object.values(none.conversion.answeredLive)) {
      expect(k.known).toBe(false);
      if (!k.known) expect(k.reason).toMatch(/^Not known/);
    }
    // A CRM not yet asked about one of the two: retained not known, the count still is.
    const half = computeMetrics(
      {
        ...data,
        liveCallers: [data.liveCallers[0]!, { ...data.liveCallers[1]!, checkedAt: undefined }],
      },
      { from: FROM, to: TO },
      settings,
      NOW,
    );
    expect(half.conversion.answeredLive.newCallers).toEqual({ known: true, value: 2 });
    expect(half.conversion.answeredLive.retained.known).toBe(false);
    // Practice area filter: answered calls are not kept per practice area.
    const byArea = computeMetrics(
      data,
      { from: FROM, to: TO, practiceArea: ['Family law'] },
      settings,
      NOW,
    );
    expect(byArea.conversion.answeredLive.newCallers.known).toBe(false);
    expect(byArea.missedCalls.answered).toBeNull();
    expect(byArea.missedCalls.inboundNote).toMatch(/not per practice area/);
  });

  it('missed calls per day and week, and the missed-call rate only where inbound is known', () => {
    const m = all().missedCalls;
    // Mon 3 (L1, L2 twice), Tue 1 (L3 at 23:50), Wed 2 (L5, L6), Thu 3 (L7, L4, L8).
    expect(m.byDay.map((d) => d.missed)).toEqual([3, 1, 2, 3, 0, 0, 0]);
    expect(m.byDay.map((d) => d.answered)).toEqual([3, null, 1, null, null, null, null]);
    // Mon 3/(3+3); Wed 2/(2+1).
    expect(m.byDay[0]!.missedRate).toBe(0.5);
    expect(m.byDay[2]!.missedRate).toBeCloseTo(2 / 3, 10);
    expect(m.byDay[1]!.missedRate).toBeNull();
    // Range: missed 9; rate over the known days only: (3+2)/(3+2+3+1).
    expect(m.missed).toBe(9);
    expect(m.answered).toBe(4);
    expect(m.missedRate).toBeCloseTo(5 / 9, 10);
    expect(m.byWeek).toEqual([
      { week: '2026-11-09', start: FROM, missed: 9, answered: 4, missedRate: 5 / 9, days: 7 },
    ]);
    // No week of history before the first call: no norm, no spike.
    expect(m.byDay.every((d) => d.norm === null && !d.spike)).toBe(true);
  });

  it('heat map: hour × weekday in firm time', () => {
    const cells = all().heatMap.filter((c) => c.missed > 0);
    expect(cells).toEqual([
      { weekday: 0, hour: 10, missed: 1 },
      { weekday: 0, hour: 16, missed: 2 },
      { weekday: 1, hour: 23, missed: 1 },
      { weekday: 2, hour: 9, missed: 1 },
      { weekday: 2, hour: 11, missed: 1 },
      { weekday: 3, hour: 10, missed: 1 },
      { weekday: 3, hour: 14, missed: 2 },
    ]);
    expect(all().heatMap).toHaveLength(168);
  });

  it('per staff member, including one with no leads and the unassigned', () => {
    expect(all().staff).toEqual([
      // Sam: L1, L2, L8. Wall 4, 980, 6 → median 6; business 4, 20, 6 → 6; 4 attempts / 3;
      // 3 of 3 reached; L2 past its limit.
      {
        staffId: 'sam',
        name: 'Sam',
        leads: 3,
        medianMinutes: 6,
        medianBusinessMinutes: 6,
        attemptsPerLead: 4 / 3,
        attempted: 3,
        reached: 3,
        contactRate: 1,
        contactStatus: 'good',
        pastLimit: 1,
      },
      // Ana: L3 (voicemail + text), L4 (waiting past its limit).
      {
        staffId: 'ana',
        name: 'Ana',
        leads: 2,
        medianMinutes: 30,
        medianBusinessMinutes: 0,
        attemptsPerLead: 1,
        attempted: 1,
        reached: 0,
        contactRate: 0,
        contactStatus: 'needs-work',
        pastLimit: 1,
      },
      {
        staffId: 'lee',
        name: 'Lee',
        leads: 0,
        medianMinutes: null,
        medianBusinessMinutes: null,
        attemptsPerLead: null,
        attempted: 0,
        reached: 0,
        contactRate: null,
        contactStatus: 'no-data',
        pastLimit: 0,
      },
      {
        staffId: '',
        name: 'Unassigned',
        leads: 1,
        medianMinutes: null,
        medianBusinessMinutes: null,
        attemptsPerLead: 1,
        attempted: 1,
        reached: 1,
        contactRate: 1,
        contactStatus: 'good',
        pastLimit: 0,
      },
    ]);
  });

  it('per source, with money spent on leads never reached', () => {
    expect(all().sources).toEqual([
      {
        source: 'Google',
        missedCalls: 4, // L1, L2 ×2, L8 (L6 is an existing client)
        leads: 3,
        medianMinutes: 6,
        medianBusinessMinutes: 6,
        attempted: 3,
        reached: 3,
        contactRate: 1,
        contactStatus: 'good',
        consultations: 1,
        retained: 1,
        conversion: 1 / 3,
        neverReached: 0,
        costPerLead: 50,
        spentOnNeverReached: 0,
      },
      {
        source: 'Website',
        missedCalls: 2,
        leads: 2,
        medianMinutes: 30,
        medianBusinessMinutes: 0,
        attempted: 1,
        reached: 0,
        contactRate: 0,
        contactStatus: 'needs-work',
        consultations: 0,
        retained: 0,
        conversion: null,
        neverReached: 1, // L3 (L4 is still open)
        costPerLead: 40,
        spentOnNeverReached: 40,
      },
      {
        source: '',
        missedCalls: 1,
        leads: 1,
        medianMinutes: null,
        medianBusinessMinutes: null,
        attempted: 1,
        reached: 1,
        contactRate: 1,
        contactStatus: 'good',
        consultations: 0,
        retained: 0,
        conversion: 0,
        neverReached: 0,
        costPerLead: null,
        spentOnNeverReached: null,
      },
    ]);
  });

  it('survey answers of the leads in the figures', () => {
    expect(all().survey).toEqual({
      answers: 2,
      feltValued: { yes: 1, answered: 2, share: 0.5 },
      responseTimeAcceptable: { yes: 1, answered: 1, share: 1 },
      rating: { count: 2, median: 4, p90: 5, mean: 4 },
    });
  });

  it('filters: source, staff, capture path', () => {
    const web = computeMetrics(data, { from: FROM, to: TO, source: ['Website'] }, settings, NOW);
    expect(web.timeToCallback.leads).toBe(2);
    expect(web.missedCalls.missed).toBe(2);
    expect(web.missedCalls.answered).toBeNull();
    expect(web.sources.map((s) => s.source)).toEqual(['Website']);

    const lee = computeMetrics(data, { from: FROM, to: TO, staffId: ['lee'] }, settings, NOW);
    expect(lee.timeToCallback.leads).toBe(0);
    expect(lee.staff.map((s) => [s.name, s.leads])).toEqual([['Lee', 0]]);
    expect(lee.missedCalls.missed).toBe(0);

    const csv = computeMetrics(data, { from: FROM, to: TO, capturePath: ['csv'] }, settings, NOW);
    expect(csv.leads.map((l) => l.leadId)).toEqual(['L3']);
    // Seen by the portal too (alsoSeenBy): L5 is in the portal view.
    const portal = computeMetrics(
      data,
      { from: FROM, to: TO, capturePath: ['portal'] },
      settings,
      NOW,
    );
    expect(portal.leads.map((l) => l.leadId).sort()).toEqual(['L1', 'L5']);
    expect(portal.answeredBlindPaths).toEqual([]);
    expect(all().answeredBlindPaths).toEqual(['manual']);
  });

  it('reads the same figures from the attempt summaries kept on the leads as from the attempts', () => {
    const summarised = data.leads.map((l) => {
      const own = data.attempts.filter((a) => a.leadId === l.id);
      const staff = own.filter((a) => !a.automatic);
      if (own.length === 0) return l;
      return {
        ...l,
        attemptCount: staff.length,
        attemptSummary: own.reduce((s, a) => withAttempt(s, a), withAttempt(undefined, own[0]!)),
      };
    });
    const fromSummaries = computeMetrics(
      { ...data, leads: summarised, attempts: [] },
      { from: FROM, to: TO },
      settings,
      NOW,
    );
    expect(fromSummaries).toEqual(all());
    expect(computeStrip({ ...data, leads: summarised, attempts: [] }, settings, NOW)).toEqual(
      computeStrip(data, settings, NOW),
    );
  });

  it('an empty range: zeros and "—", never a made-up rate', () => {
    const from = t('2026-12-07T00:00:00-05:00');
    const empty = computeMetrics(data, { from, to: from + 86_400_000 }, settings, NOW);
    expect(empty.timeToCallback).toMatchObject({ leads: 0, calledBack: 0, waiting: 0 });
    expect(empty.timeToCallback.wall).toEqual({ count: 0, median: null, p90: null, mean: null });
    expect(empty.timeToCallback.withinWall.every((w) => w.share === null)).toBe(true);
    expect(empty.contactRate.rate).toBeNull();
    expect(empty.contactRate.status).toBe('no-data');
    expect(empty.missedCalls).toMatchObject({ missed: 0, answered: null, missedRate: null });
    expect(empty.sources).toEqual([]);
    expect(empty.staff.map((s) => s.leads)).toEqual([0, 0, 0]);
    expect(empty.conversion.recovered.retainedRate).toBeNull();
    expect(metricsTables(empty).every((table) => table.columns.length > 0)).toBe(true);
  });

  it('the sidebar strip: today', () => {
    // Thursday: calls L7 10:00, L4 14:00, L8 14:30; leads L4 and L8 (L7 has no number);
    // L8 called back in 6 business minutes; overdue now: L4 (past 14:15) and L7 (past
    // 10:15; no callback number, but open in the queue), as the toolbar badge counts them.
    expect(computeStrip(data, settings, NOW)).toEqual({
      day: '2026-11-12',
      missedToday: 3,
      calledBackWithin15: 1,
      leadsToday: 2,
      overdueNow: 2,
    });
  });
});

describe('spikes', () => {
  // Tuesdays 13, 20, 27 Oct and 3 Nov had 2, 4, 2, 4 missed calls: mean 3, sd 1 → a spike
  // above max(3 + 2, 4.5, 6) = 6. Wednesdays had 10 each: mean 10, sd 0 → above
  // max(10, 15, 13) = 15. Thursday 5 Nov is the first Thursday with calls: one week of
  // history is not a norm.
  const c = (iso: string, n: number): MetricsCall[] =>
    Array.from({ length: n }, (_, i) => ({
      leadId: `x${iso}${i}`,
      startedAt: t(iso) + i * MIN,
      capturePath: 'api' as const,
    }));
  const spikeData: MetricsData = {
    ...data,
    leads: [],
    attempts: [],
    callStats: [],
    liveCallers: [],
    surveys: [],
    calls: [
      ...c('2026-10-13T10:00:00-04:00', 2),
      ...c('2026-10-20T10:00:00-04:00', 4),
      ...c('2026-10-27T10:00:00-04:00', 2),
      ...c('2026-11-03T10:00:00-05:00', 4),
      ...c('2026-10-14T10:00:00-04:00', 10),
      ...c('2026-10-21T10:00:00-04:00', 10),
      ...c('2026-10-28T10:00:00-04:00', 10),
      ...c('2026-11-04T10:00:00-05:00', 10),
      ...c('2026-11-05T10:00:00-05:00', 1),
      ...c('2026-11-10T10:00:00-05:00', 7), // Tue: 7 > 6 → spike
      ...c('2026-11-11T10:00:00-05:00', 14), // Wed: 14 ≤ 15 → no spike
      ...c('2026-11-12T10:00:00-05:00', 9), // Thu: no norm
    ],
    earliestCallAt: t('2026-10-13T10:00:00-04:00'),
  };
  const result = computeMetrics(spikeData, { from: FROM, to: TO }, settings, NOW);
  const day = (label: string) => result.missedCalls.byDay.find((d) => d.day === label)!;

  it('flags a day above max(mean + 2·sd, 1.5 × mean, mean + 3) of its weekday over 4 weeks', () => {
    expect(day('2026-11-10')).toMatchObject({
      missed: 7,
      spike: true,
      norm: { weeks: 4, mean: 3, sd: 1, threshold: 6 },
    });
    expect(day('2026-11-11')).toMatchObject({
      missed: 14,
      spike: false,
      norm: { weeks: 4, mean: 10, sd: 0, threshold: 15 },
    });
    expect(result.missedCalls.spikes.map((s) => s.day)).toEqual(['2026-11-10', '2026-11-12']);
  });

  it('needs 2 weeks of history: weeks before the first call do not count as 0', () => {
    // Thursday 12 Nov: the Thursdays 15, 22, 29 Oct (no calls, but after the first call on
    // 13 Oct: real zeros) and 5 Nov (1): mean 0.25, sd √0.1875 ≈ 0.433, threshold
    // max(1.12, 0.375, 3.25) = 3.25; 9 > 3.25.
    expect(day('2026-11-12')).toMatchObject({
      missed: 9,
      spike: true,
      norm: { weeks: 4, mean: 0.25, threshold: 3.25 },
    });
    // Monday 9 Nov: Mondays 12 Oct is before the first call (13 Oct): 3 weeks count.
    expect(day('2026-11-09').norm).toMatchObject({ weeks: 3, mean: 0 });
    const late = computeMetrics(
      { ...spikeData, earliestCallAt: t('2026-11-03T10:00:00-05:00') },
      { from: FROM, to: TO },
      settings,
      NOW,
    );
    // First call on 3 Nov: Tuesday 10 Nov has one week of history (3 Nov) → no norm.
    expect(late.missedCalls.byDay.find((d) => d.day === '2026-11-10')!.norm).toBeNull();
  });
});

describe('a DST week (clocks forward Sunday 8 March 2026, 2:00 → 3:00)', () => {
  const from = t('2026-03-02T00:00:00-05:00');
  const to = t('2026-03-16T00:00:00-04:00');
  const dst: MetricsData = {
    range: { from, to },
    leads: [
      // Fri 6 Mar 16:55 EST → Mon 9 Mar 9:05 EDT: 63 h 10 min of wall clock (the lost hour
      // is not counted), 10 business minutes (5 Friday + 5 Monday).
      lead('D1', '2026-03-06T16:55:00-05:00'),
    ],
    calls: [
      call('D1', '2026-03-06T16:55:00-05:00'),
      call('x1', '2026-03-08T01:30:00-05:00'), // Sun 1:30 EST
      call('x2', '2026-03-08T03:30:00-04:00'), // Sun 3:30 EDT
      call('x3', '2026-03-09T09:30:00-04:00'), // Mon 9:30 EDT
      call('x4', '2026-03-02T09:30:00-05:00'), // Mon 9:30 EST
      call('x5', '2026-03-08T23:59:00-04:00'), // Sun 23:59 EDT: still Sunday
    ],
    attempts: [attempt('D1', '2026-03-09T09:05:00-04:00', 'call', 'reached')],
    callStats: [],
    liveCallers: [],
    surveys: [],
    earliestCallAt: t('2026-03-02T09:30:00-05:00'),
    loadedAt: to,
  };
  const r = computeMetrics(dst, { from, to }, settings, to);

  it('keeps local hours and days across the change', () => {
    const heat = r.heatMap.filter((c) => c.missed > 0);
    expect(heat).toEqual([
      { weekday: 0, hour: 9, missed: 2 }, // both Mondays at 9:30 local
      { weekday: 4, hour: 16, missed: 1 },
      { weekday: 6, hour: 1, missed: 1 },
      { weekday: 6, hour: 3, missed: 1 },
      { weekday: 6, hour: 23, missed: 1 },
    ]);
    const sunday = r.missedCalls.byDay.find((d) => d.day === '2026-03-08')!;
    expect(sunday.missed).toBe(3);
    expect(sunday.start).toBe(t('2026-03-08T00:00:00-05:00'));
    expect(r.missedCalls.byDay.find((d) => d.day === '2026-03-09')!.start).toBe(
      t('2026-03-09T00:00:00-04:00'),
    );
    expect(r.missedCalls.byDay).toHaveLength(14);
  });

  it('counts wall-clock and business minutes across it', () => {
    expect(r.timeToCallback.wall.median).toBe(63 * 60 + 10);
    expect(r.timeToCallback.business.median).toBe(10);
  });
});

describe('weekly review', () => {
  // Monday 16 Nov: last week is 9–15 Nov (the fixed week); the 4 weeks before have no calls
  // (the first call is 9 Nov), so there is nothing to compare with.
  const monday = t('2026-11-16T10:00:00-05:00');
  const review = computeWeeklyReview(data, settings, monday);

  it('compares last week with the 4 before, lists spikes, slow hours and sources to look at', () => {
    expect(review.week.from).toBe(FROM);
    expect(review.week.to).toBe(TO);
    expect(review.week.label).toBe('Mon 9 Nov – Sun 15 Nov 2026');
    const fig = Object.fromEntries(review.figures.map((f) => [f.id, [f.value, f.before]]));
    expect(fig).toMatchObject({
      missed: [9, null],
      leads: [6, null],
      medianMinutes: [18, null],
      medianBusinessMinutes: [5, null],
      within15: [0.6, null],
      contactRate: [0.8, null],
      consultations: [1, null],
      retained: [1, null],
    });
    expect(review.spikes).toEqual([]);
    expect(review.slowestHours).toEqual([]); // no weekday × hour has 3 leads
    expect(review.sourcesToLookAt.map((s) => [s.source, s.reasons])).toEqual([
      [
        'Website',
        ['contact rate 0 % (needs work below 60 %)', '$40.00 spent on 1 lead never reached'],
      ],
    ]);
  });

  it('reads as an email', () => {
    const email = weeklyReviewEmail(review);
    expect(email.subject).toBe('Weekly callback review — Mon 9 Nov – Sun 15 Nov 2026 — Lopez Law');
    expect(email.body).toContain('- Missed calls: 9 · —');
    expect(email.body).toContain('- Contact rate: 80 % · —');
    expect(email.body).toContain('- Median time to callback: 18 min · —');
    expect(email.body).toContain(
      '- Website: contact rate 0 % (needs work below 60 %); $40.00 spent on 1 lead never reached',
    );
  });

  it('marks a figure worse than the weeks before', () => {
    // The same week shifted 1 and 2 weeks earlier: 4 weeks before hold two copies.
    const shift = (ms: number, weeks: number) => ms - weeks * 7 * 86_400_000;
    const copy = (weeks: number) => ({
      leads: data.leads.map((l) => ({
        ...l,
        id: `${l.id}-${weeks}`,
        firstMissedAt: shift(l.firstMissedAt, weeks),
        overdueAt: shift(l.overdueAt, weeks),
        status: l.status === 'open' ? ('done' as const) : l.status,
      })),
      calls: data.calls.map((c) => ({
        ...c,
        leadId: `${c.leadId}-${weeks}`,
        startedAt: shift(c.startedAt, weeks),
      })),
      attempts: data.attempts.map((a) => ({
        ...a,
        leadId: `${a.leadId}-${weeks}`,
        at: shift(a.at, weeks),
      })),
    });
    const w1 = copy(1);
    const w2 = copy(2);
    // Last week gets one more missed call (10 vs 9 in each earlier week with calls).
    const more: MetricsData = {
      ...data,
      leads: [...data.leads, ...w1.leads, ...w2.leads],
      calls: [...data.calls, call('L6', '2026-11-13T12:00:00-05:00'), ...w1.calls, ...w2.calls],
      attempts: [...data.attempts, ...w1.attempts, ...w2.attempts],
      earliestCallAt: shift(t('2026-11-09T10:00:00-05:00'), 2),
    };
    const r = computeWeeklyReview(more, settings, monday);
    const missed = r.figures.find((f) => f.id === 'missed')!;
    expect(missed).toMatchObject({ value: 10, before: 9, worse: true });
  });
});
