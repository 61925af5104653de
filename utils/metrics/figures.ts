/**
 * Every figure of the metrics dashboard, computed from the records in one pass per kind
 * (leads, attempts, calls, answered counts) into pre-bucketed arrays. Pure: the same data,
 * filters, settings and `now` give the same result, in a page, a Web Worker or a test.
 * Definitions: FIGURE_HELP in ./types.ts says each one exactly as computed here.
 */
import type { CapturePath } from '../model';
import { CONSULTATION_OUTCOMES, REACHED_OUTCOMES } from './attemptSummary';
import { BusinessTime, FirmClock, MS } from './time';
import {
  ANSWERED_VISIBILITY,
  type CallStatRow,
  type CallbackState,
  type ContactPeriodRow,
  type ConversionFigure,
  type HeatCell,
  type Known,
  type LeadRow,
  type MetricsData,
  type MetricsFilters,
  type MetricsLead,
  type MetricsResult,
  type MetricsSettings,
  type MetricsStrip,
  type MissedCallsFigure,
  type MissedDayRow,
  type MissedWeekRow,
  type RateStatus,
  type SourceRow,
  type StaffRow,
  type Stats,
  type SurveyFigure,
  type TimeToCallbackFigure,
  type WithinShare,
} from './types';

export { REACHED_OUTCOMES };

export const WITHIN_MINUTES = [
  { minutes: 5, label: '5 min' },
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 1440, label: '24 h' },
] as const;

const HISTOGRAM_BINS: { label: string; fromMinutes: number; toMinutes: number | null }[] = [
  { label: 'under 5 min', fromMinutes: 0, toMinutes: 5 },
  { label: '5–15 min', fromMinutes: 5, toMinutes: 15 },
  { label: '15–60 min', fromMinutes: 15, toMinutes: 60 },
  { label: '1–4 h', fromMinutes: 60, toMinutes: 240 },
  { label: '4–24 h', fromMinutes: 240, toMinutes: 1440 },
  { label: 'over 24 h', fromMinutes: 1440, toMinutes: null },
];

/** Median, nearest-rank p90 and mean. Sorts `values` in place. */
export function statsOf(values: Float64Array | number[]): Stats {
  const n = values.length;
  if (n === 0) return { count: 0, median: null, p90: null, mean: null };
  const sorted = values instanceof Float64Array ? values.sort() : values.sort((a, b) => a - b);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p90 = sorted[Math.ceil(0.9 * n) - 1]!;
  return { count: n, median, p90, mean: sum / n };
}

function medianOf(values: number[]): number | null {
  return statsOf(values).median;
}

export function rateStatus(
  rate: number | null,
  settings: Pick<MetricsSettings, 'goodAtLeast' | 'needsWorkBelow'>,
): RateStatus {
  if (rate === null) return 'no-data';
  if (rate >= settings.goodAtLeast) return 'good';
  if (rate < settings.needsWorkBelow) return 'needs-work';
  return 'ok';
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function matches(list: string[] | undefined, value: string | undefined): boolean {
  return !list || list.length === 0 || list.includes(value ?? '');
}

/** What every lead figure needs to know about one lead, gathered in one pass over attempts. */
interface LeadAgg {
  lead: MetricsLead;
  firstPhoneAt: number;
  attempts: number;
  reached: boolean;
  consultation: boolean;
  /** An attempt's outcome was Retained. */
  retainedOutcome: boolean;
  paths: CapturePath[];
  /** Passed the filters. */
  included: boolean;
}

const isOpenStatus = (status: string) => status === 'open' || status === 'claimed';

/** Why a lead is not in the lead figures, or null when it is. */
function leadExclusion(
  lead: MetricsLead,
  windowMs: number,
): 'existing-client' | 'no-callback' | 'answered-at-once' | null {
  if (lead.existingClient) return 'existing-client';
  if (lead.noCallbackNumber) return 'no-callback';
  // Its first missed call is a leg of the answered call that closed it (so are the later
  // ones: an answered call closes a lead only when no missed call came after it).
  if (isAnsweredLeg({ startedAt: lead.firstMissedAt }, lead, windowMs)) return 'answered-at-once';
  return null;
}

function gatherLeads(data: MetricsData, from: number, to: number, windowMs: number) {
  const byId = new Map<string, LeadAgg>();
  let existingClients = 0;
  let noCallbackNumber = 0;
  let answeredAtOnce = 0;
  for (const lead of data.leads) {
    if (lead.firstMissedAt < from || lead.firstMissedAt >= to) continue;
    const excluded = leadExclusion(lead, windowMs);
    if (excluded === 'existing-client') {
      existingClients++;
      continue;
    }
    if (excluded === 'no-callback') {
      noCallbackNumber++;
      continue;
    }
    if (excluded === 'answered-at-once') {
      answeredAtOnce++;
      continue;
    }
    const summary = lead.attemptSummary;
    byId.set(lead.id, {
      lead,
      firstPhoneAt: summary?.firstPhoneAt ?? Infinity,
      attempts: summary ? (lead.attemptCount ?? 0) : 0,
      reached:
        Boolean(summary?.reached) ||
        lead.answeredLaterAt !== undefined ||
        (lead.closeOutcome !== undefined && REACHED_OUTCOMES.has(lead.closeOutcome)),
      consultation:
        Boolean(summary?.consultation) ||
        lead.disposition !== undefined ||
        (lead.closeOutcome !== undefined && CONSULTATION_OUTCOMES.has(lead.closeOutcome)),
      retainedOutcome: Boolean(summary?.retained) || lead.closeOutcome === 'retained',
      paths: [],
      included: false,
    });
  }
  // Leads without a summary (written before version 8): from their attempts.
  for (const a of data.attempts) {
    if (a.automatic) continue;
    const agg = byId.get(a.leadId);
    if (!agg || agg.lead.attemptSummary) continue;
    agg.attempts++;
    if ((a.method === 'call' || a.method === 'voicemail') && a.at < agg.firstPhoneAt) {
      agg.firstPhoneAt = a.at;
    }
    if (REACHED_OUTCOMES.has(a.outcome)) agg.reached = true;
    if (CONSULTATION_OUTCOMES.has(a.outcome)) agg.consultation = true;
    if (a.outcome === 'retained') agg.retainedOutcome = true;
  }
  return { byId, existingClients, noCallbackNumber, answeredAtOnce };
}

/**
 * The lead's limit for "past the limit": as it was at staff's first attempt (each later cadence
 * step, and reopening after No contact, moves Lead.overdueAt on), else as it is now.
 */
function limitOf(lead: MetricsLead): number {
  return lead.attemptSummary?.limitAt ?? lead.overdueAt;
}

/**
 * A missed call that is a leg of an answered call: its lead was closed by an answered call
 * within the duplicate window of it (a group ring where one phone was picked up).
 */
function isAnsweredLeg(
  call: { startedAt: number },
  lead: MetricsLead | undefined,
  windowMs: number,
): boolean {
  const answeredAt = lead?.answeredLaterAt;
  return answeredAt !== undefined && Math.abs(answeredAt - call.startedAt) <= windowMs;
}

const windowMsOf = (settings: MetricsSettings) => (settings.firm.dedupeWindowSeconds ?? 120) * 1000;

function retainedOf(agg: LeadAgg): boolean {
  const d = agg.lead.disposition;
  return d === 'retained' || (d === undefined && agg.retainedOutcome);
}

/**
 * All figures for one date range and filter set. `now` ages the leads still waiting.
 */
export function computeMetrics(
  data: MetricsData,
  filters: MetricsFilters,
  settings: MetricsSettings,
  now: number,
): MetricsResult {
  const { from, to } = filters;
  const clock = new FirmClock(settings.firm.timeZone);
  const business = new BusinessTime(clock, settings.firm);

  // ---- Leads: gather, then filter (paths come from the lead's calls).
  const legWindowMs = windowMsOf(settings);
  const gathered = gatherLeads(data, from, to, legWindowMs);
  const leadById = new Map<string, MetricsLead>();
  for (const lead of data.leads) leadById.set(lead.id, lead);
  // Each call's lead, looked up once (the missed-call pass below reuses it).
  const callLeads: (MetricsLead | undefined)[] = new Array(data.calls.length);
  for (let i = 0; i < data.calls.length; i++) {
    const call = data.calls[i]!;
    callLeads[i] = leadById.get(call.leadId);
    if (call.startedAt < from || call.startedAt >= to) continue;
    const agg = gathered.byId.get(call.leadId);
    if (!agg) continue;
    if (!agg.paths.includes(call.capturePath)) agg.paths.push(call.capturePath);
    for (const p of call.alsoSeenBy ?? []) if (!agg.paths.includes(p)) agg.paths.push(p);
  }
  const pathFilter = filters.capturePath?.length ? new Set(filters.capturePath) : null;
  const included: LeadAgg[] = [];
  for (const agg of gathered.byId.values()) {
    const l = agg.lead;
    if (!matches(filters.source, l.source)) continue;
    if (!matches(filters.practiceArea, l.practiceArea)) continue;
    if (!matches(filters.staffId, l.assignee)) continue;
    if (pathFilter && !agg.paths.some((p) => pathFilter.has(p))) continue;
    included.push(agg);
  }

  // ---- Per-lead values (one pass) into pre-sized arrays and group buckets.
  const fromDay = clock.dayOf(from);
  const toDay = clock.dayOf(to - 1) + 1; // exclusive
  const dayCount = Math.max(0, toDay - fromDay);
  const firstMonday = FirmClock.mondayOf(fromDay);
  const weekCount = dayCount === 0 ? 0 : Math.floor((toDay - 1 - firstMonday) / 7) + 1;
  const dayLeads = new Int32Array(dayCount);
  const dayAttempted = new Int32Array(dayCount);
  const dayReached = new Int32Array(dayCount);
  const weekLeads = new Int32Array(weekCount);
  const weekAttempted = new Int32Array(weekCount);
  const weekReached = new Int32Array(weekCount);

  const wall: number[] = [];
  const biz: number[] = [];
  const waitingAges: TimeToCallbackFigure['waitingAges'] = [];
  const withinWall = WITHIN_MINUTES.map(() => 0);
  const withinBiz = WITHIN_MINUTES.map(() => 0);
  const waitingPastWall = WITHIN_MINUTES.map(() => 0);
  const waitingPastBiz = WITHIN_MINUTES.map(() => 0);
  const histogram = HISTOGRAM_BINS.map((b) => ({ ...b, leads: 0 }));
  let calledBack = 0;
  let waiting = 0;
  let closedWithoutCallback = 0;
  let attemptedAll = 0;
  let reachedAttempted = 0;
  let neverAttempted = 0;
  let recovered = 0;
  let consultations = 0;
  let retained = 0;
  let dispositionKnown = 0;

  interface Group {
    leads: number;
    wall: number[];
    biz: number[];
    attempts: number;
    attempted: number;
    reached: number;
    reachedAll: number;
    pastLimit: number;
    consultations: number;
    retained: number;
    neverReached: number;
  }
  const newGroup = (): Group => ({
    leads: 0,
    wall: [],
    biz: [],
    attempts: 0,
    attempted: 0,
    reached: 0,
    reachedAll: 0,
    pastLimit: 0,
    consultations: 0,
    retained: 0,
    neverReached: 0,
  });
  const staffGroups = new Map<string, Group>();
  const sourceGroups = new Map<string, Group>();
  const groupOf = (map: Map<string, Group>, key: string) => {
    let g = map.get(key);
    if (!g) map.set(key, (g = newGroup()));
    return g;
  };
  const leadRows: LeadRow[] = [];

  for (const agg of included) {
    const l = agg.lead;
    agg.included = true;
    const called = agg.firstPhoneAt !== Infinity;
    const open = isOpenStatus(l.status);
    let state: CallbackState;
    let wallMin: number | null = null;
    let bizMin: number | null = null;
    let ageMin: number | null = null;
    let pastLimit = false;
    if (called) {
      state = 'called-back';
      calledBack++;
      wallMin = (agg.firstPhoneAt - l.firstMissedAt) / MS.MINUTE;
      bizMin = business.minutesBetween(l.firstMissedAt, agg.firstPhoneAt);
      wall.push(wallMin);
      biz.push(bizMin);
      for (let i = 0; i < WITHIN_MINUTES.length; i++) {
        if (wallMin <= WITHIN_MINUTES[i]!.minutes) withinWall[i]!++;
        if (bizMin <= WITHIN_MINUTES[i]!.minutes) withinBiz[i]!++;
      }
      for (const bin of histogram) {
        if (wallMin >= bin.fromMinutes && (bin.toMinutes === null || wallMin < bin.toMinutes)) {
          bin.leads++;
          break;
        }
      }
      pastLimit = agg.firstPhoneAt > limitOf(l);
    } else if (open) {
      state = 'waiting';
      waiting++;
      ageMin = Math.max(0, now - l.firstMissedAt) / MS.MINUTE;
      const ageBiz = business.minutesBetween(l.firstMissedAt, now);
      waitingAges.push({ leadId: l.id, firstMissedAt: l.firstMissedAt, ageMinutes: ageMin });
      for (let i = 0; i < WITHIN_MINUTES.length; i++) {
        if (ageMin > WITHIN_MINUTES[i]!.minutes) waitingPastWall[i]!++;
        if (ageBiz > WITHIN_MINUTES[i]!.minutes) waitingPastBiz[i]!++;
      }
      pastLimit = now > limitOf(l);
    } else {
      state = 'closed-without-callback';
      closedWithoutCallback++;
    }

    const attempted = agg.attempts > 0;
    const isRetained = agg.reached && retainedOf(agg);
    const isConsultation = agg.reached && agg.consultation;
    if (attempted) attemptedAll++;
    else neverAttempted++;
    if (attempted && agg.reached) reachedAttempted++;
    if (agg.reached) {
      recovered++;
      if (isConsultation) consultations++;
      if (isRetained) retained++;
      if (l.disposition !== undefined) dispositionKnown++;
    }

    const dayIndex = clock.dayOf(l.firstMissedAt) - fromDay;
    if (dayIndex >= 0 && dayIndex < dayCount) {
      const weekIndex = Math.floor((dayIndex + fromDay - firstMonday) / 7);
      dayLeads[dayIndex]!++;
      weekLeads[weekIndex]!++;
      if (attempted) {
        dayAttempted[dayIndex]!++;
        weekAttempted[weekIndex]!++;
        if (agg.reached) {
          dayReached[dayIndex]!++;
          weekReached[weekIndex]!++;
        }
      }
    }

    const neverReached = !agg.reached && !open;
    const addTo = (g: Group) => {
      g.leads++;
      if (wallMin !== null) g.wall.push(wallMin);
      if (bizMin !== null) g.biz.push(bizMin);
      g.attempts += agg.attempts;
      if (attempted) g.attempted++;
      if (attempted && agg.reached) g.reached++;
      if (agg.reached) g.reachedAll++;
      if (pastLimit) g.pastLimit++;
      if (isConsultation) g.consultations++;
      if (isRetained) g.retained++;
      if (neverReached) g.neverReached++;
    };
    addTo(groupOf(staffGroups, l.assignee ?? ''));
    addTo(groupOf(sourceGroups, l.source ?? ''));

    leadRows.push({
      leadId: l.id,
      firstMissedAt: l.firstMissedAt,
      source: l.source ?? '',
      practiceArea: l.practiceArea ?? '',
      staffId: l.assignee ?? '',
      paths: agg.paths,
      state,
      firstCallbackAt: called ? agg.firstPhoneAt : null,
      wallMinutes: wallMin,
      businessMinutes: bizMin,
      ageMinutes: ageMin,
      attempts: agg.attempts,
      reached: agg.reached,
      consultation: isConsultation,
      retained: isRetained,
      pastLimit,
    });
  }
  waitingAges.sort((a, b) => b.ageMinutes - a.ageMinutes);

  const within = (counts: number[], waitingPast: number[]): WithinShare[] =>
    WITHIN_MINUTES.map((w, i) => {
      const decided = calledBack + waitingPast[i]!;
      return {
        minutes: w.minutes,
        label: w.label,
        within: counts[i]!,
        decided,
        share: ratio(counts[i]!, decided),
      };
    });
  const timeToCallback: TimeToCallbackFigure = {
    leads: included.length,
    calledBack,
    waiting,
    closedWithoutCallback,
    wall: statsOf(Float64Array.from(wall)),
    business: statsOf(Float64Array.from(biz)),
    withinWall: within(withinWall, waitingPastWall),
    withinBusiness: within(withinBiz, waitingPastBiz),
    waitingAges,
    histogram,
  };

  const contactRow = (
    period: string,
    start: number,
    leads: number,
    attempted: number,
    reached: number,
  ): ContactPeriodRow => {
    const rate = ratio(reached, attempted);
    return { period, start, leads, attempted, reached, rate, status: rateStatus(rate, settings) };
  };
  const contactRateValue = ratio(reachedAttempted, attemptedAll);
  const contactRate = {
    attempted: attemptedAll,
    reached: reachedAttempted,
    rate: contactRateValue,
    status: rateStatus(contactRateValue, settings),
    goodAtLeast: settings.goodAtLeast,
    needsWorkBelow: settings.needsWorkBelow,
    neverAttempted,
    byDay: Array.from({ length: dayCount }, (_, i) =>
      contactRow(
        clock.label(fromDay + i),
        clock.startOfDay(fromDay + i),
        dayLeads[i]!,
        dayAttempted[i]!,
        dayReached[i]!,
      ),
    ),
    byWeek: Array.from({ length: weekCount }, (_, i) =>
      contactRow(
        clock.label(firstMonday + 7 * i),
        clock.startOfDay(firstMonday + 7 * i),
        weekLeads[i]!,
        weekAttempted[i]!,
        weekReached[i]!,
      ),
    ),
  };

  // ---- Missed calls: every missed call in the loaded range, bucketed by firm day.
  const loadFromDay = clock.dayOf(Math.min(data.range.from, from));
  const spanDays = Math.max(0, toDay - loadFromDay);
  const missedByDay = new Int32Array(spanDays);
  const heat = new Int32Array(7 * 24);
  const missedBySource = new Map<string, number>();
  const pathsInRange = new Set<CapturePath>();
  for (let i = 0; i < data.calls.length; i++) {
    const call = data.calls[i]!;
    const lead = callLeads[i];
    if (isAnsweredLeg(call, lead, legWindowMs)) continue;
    const source = call.source ?? lead?.source;
    if (!matches(filters.source, source)) continue;
    if (filters.practiceArea?.length && !matches(filters.practiceArea, lead?.practiceArea))
      continue;
    if (filters.staffId?.length && !matches(filters.staffId, lead?.assignee)) continue;
    if (
      pathFilter &&
      !pathFilter.has(call.capturePath) &&
      !(call.alsoSeenBy ?? []).some((p) => pathFilter.has(p))
    ) {
      continue;
    }
    const day = clock.dayOf(call.startedAt);
    const index = day - loadFromDay;
    if (index >= 0 && index < spanDays) missedByDay[index]!++;
    if (call.startedAt >= from && call.startedAt < to) {
      pathsInRange.add(call.capturePath);
      if (call.alsoSeenBy) for (const p of call.alsoSeenBy) pathsInRange.add(p);
      heat[FirmClock.weekdayOfDay(day) * 24 + clock.hourOf(call.startedAt)]!++;
      if (lead && !leadExclusion(lead, legWindowMs)) {
        const key = source ?? '';
        missedBySource.set(key, (missedBySource.get(key) ?? 0) + 1);
      }
    }
  }

  // Answered calls per day (null: not known for that day under these filters).
  const answeredKnowable = !filters.practiceArea?.length && !filters.staffId?.length;
  const answeredByDay = new Map<number, number>();
  const answeredNewByDay = new Map<number, number>();
  if (answeredKnowable) {
    for (const row of data.callStats) {
      if (!matches(filters.source, row.source)) continue;
      if (pathFilter && !pathFilter.has(row.path)) continue;
      const day = FirmClock.dayOfLabel(row.day);
      if (day < fromDay || day >= toDay) continue;
      answeredByDay.set(day, (answeredByDay.get(day) ?? 0) + row.answered);
      answeredNewByDay.set(day, (answeredNewByDay.get(day) ?? 0) + row.answeredNew);
    }
  }

  const earliestDay = data.earliestCallAt === null ? null : clock.dayOf(data.earliestCallAt);
  const byDay: MissedDayRow[] = [];
  for (let i = 0; i < dayCount; i++) {
    const day = fromDay + i;
    const missed = missedByDay[day - loadFromDay] ?? 0;
    const prior: number[] = [];
    for (let k = 1; k <= 4; k++) {
      const d = day - 7 * k;
      if (d < loadFromDay || (earliestDay !== null && d < earliestDay) || earliestDay === null) {
        continue;
      }
      prior.push(missedByDay[d - loadFromDay] ?? 0);
    }
    let norm: MissedDayRow['norm'] = null;
    if (prior.length >= 2) {
      const mean = prior.reduce((s, v) => s + v, 0) / prior.length;
      const sd = Math.sqrt(prior.reduce((s, v) => s + (v - mean) ** 2, 0) / prior.length);
      norm = {
        weeks: prior.length,
        mean,
        sd,
        threshold: Math.max(mean + 2 * sd, 1.5 * mean, mean + 3),
      };
    }
    const answered = answeredByDay.get(day) ?? null;
    byDay.push({
      day: clock.label(day),
      start: clock.startOfDay(day),
      weekday: FirmClock.weekdayOfDay(day),
      missed,
      answered,
      missedRate: answered === null ? null : ratio(missed, missed + answered),
      norm,
      spike: norm !== null && missed > norm.threshold,
    });
  }
  const byWeek: MissedWeekRow[] = [];
  for (let w = 0; w < weekCount; w++) {
    let missed = 0;
    let knownMissed = 0;
    let answered: number | null = null;
    let days = 0;
    for (const row of byDay.slice(
      Math.max(0, firstMonday + 7 * w - fromDay),
      firstMonday + 7 * w + 7 - fromDay,
    )) {
      days++;
      missed += row.missed;
      if (row.answered !== null) {
        answered = (answered ?? 0) + row.answered;
        knownMissed += row.missed;
      }
    }
    byWeek.push({
      week: clock.label(firstMonday + 7 * w),
      start: clock.startOfDay(firstMonday + 7 * w),
      missed,
      answered,
      missedRate: answered === null ? null : ratio(knownMissed, knownMissed + answered),
      days,
    });
  }
  let missedTotal = 0;
  let knownMissedTotal = 0;
  let answeredTotal: number | null = null;
  for (const row of byDay) {
    missedTotal += row.missed;
    if (row.answered !== null) {
      answeredTotal = (answeredTotal ?? 0) + row.answered;
      knownMissedTotal += row.missed;
    }
  }
  const answeredBlindPaths = [...pathsInRange].filter(
    (p) => !ANSWERED_VISIBILITY[p].sees && (!pathFilter || pathFilter.has(p)),
  );
  const missedCalls: MissedCallsFigure = {
    missed: missedTotal,
    answered: answeredTotal,
    missedRate:
      answeredTotal === null ? null : ratio(knownMissedTotal, knownMissedTotal + answeredTotal),
    byDay,
    byWeek,
    spikes: byDay.filter((d) => d.spike),
  };
  if (answeredTotal === null) {
    missedCalls.inboundNote = answeredKnowable
      ? 'Not known: no answered call was recorded in this range (manual entry never sees answered calls; a portal page only the ones it shows).'
      : 'Not known: answered calls are counted per line and source, not per practice area or staff member.';
  }

  const heatMap: HeatCell[] = [];
  for (let weekday = 0; weekday < 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      heatMap.push({ weekday, hour, missed: heat[weekday * 24 + hour]! });
    }
  }

  // ---- Conversion, answered side.
  const conversion: ConversionFigure = {
    recovered: {
      leads: recovered,
      consultations,
      retained,
      dispositionKnown,
      consultationRate: ratio(consultations, recovered),
      retainedRate: ratio(retained, recovered),
    },
    answeredLive: answeredLiveOf(
      data,
      filters,
      answeredKnowable,
      answeredNewByDay,
      clock,
      fromDay,
      toDay,
      pathFilter,
    ),
  };

  // ---- Per staff: every staff member (also those with no leads), then other assignees.
  const staffNames = new Map(settings.firm.staff.map((s) => [s.id, s.name]));
  const staffIds = [...settings.firm.staff.map((s) => s.id)];
  for (const id of staffGroups.keys()) if (!staffNames.has(id) && id !== '') staffIds.push(id);
  if (staffGroups.has('')) staffIds.push('');
  const staff: StaffRow[] = staffIds
    .filter((id) => matches(filters.staffId, id))
    .map((id) => {
      const g = staffGroups.get(id) ?? newGroup();
      const contact = ratio(g.reached, g.attempted);
      return {
        staffId: id,
        name: id === '' ? 'Unassigned' : (staffNames.get(id) ?? id),
        leads: g.leads,
        medianMinutes: medianOf(g.wall),
        medianBusinessMinutes: medianOf(g.biz),
        attemptsPerLead: ratio(g.attempts, g.leads),
        attempted: g.attempted,
        reached: g.reached,
        contactRate: contact,
        contactStatus: rateStatus(contact, settings),
        pastLimit: g.pastLimit,
      };
    });

  // ---- Per source.
  const sourceKeys = new Set<string>([...sourceGroups.keys(), ...missedBySource.keys()]);
  const sources: SourceRow[] = [...sourceKeys]
    .filter((s) => matches(filters.source, s))
    .map((source) => {
      const g = sourceGroups.get(source) ?? newGroup();
      const contact = ratio(g.reached, g.attempted);
      const cost = source !== '' ? settings.costPerLead[source] : undefined;
      const costPerLead = typeof cost === 'number' && Number.isFinite(cost) ? cost : null;
      return {
        source,
        missedCalls: missedBySource.get(source) ?? 0,
        leads: g.leads,
        medianMinutes: medianOf(g.wall),
        medianBusinessMinutes: medianOf(g.biz),
        attempted: g.attempted,
        reached: g.reached,
        contactRate: contact,
        contactStatus: rateStatus(contact, settings),
        consultations: g.consultations,
        retained: g.retained,
        conversion: ratio(g.retained, g.reachedAll),
        neverReached: g.neverReached,
        costPerLead,
        spentOnNeverReached: costPerLead === null ? null : g.neverReached * costPerLead,
      };
    })
    .sort(
      (a, b) =>
        b.leads - a.leads || b.missedCalls - a.missedCalls || a.source.localeCompare(b.source),
    );

  // ---- Survey.
  const feltValued = { yes: 0, answered: 0, share: null as number | null };
  const responseOk = { yes: 0, answered: 0, share: null as number | null };
  const ratings: number[] = [];
  let answers = 0;
  for (const s of data.surveys) {
    if (!gathered.byId.get(s.leadId)?.included) continue;
    answers++;
    if (s.feltValued !== undefined) {
      feltValued.answered++;
      if (s.feltValued) feltValued.yes++;
    }
    if (s.responseTimeAcceptable !== undefined) {
      responseOk.answered++;
      if (s.responseTimeAcceptable) responseOk.yes++;
    }
    if (s.rating !== undefined) ratings.push(s.rating);
  }
  feltValued.share = ratio(feltValued.yes, feltValued.answered);
  responseOk.share = ratio(responseOk.yes, responseOk.answered);
  const survey: SurveyFigure = {
    answers,
    feltValued,
    responseTimeAcceptable: responseOk,
    rating: statsOf(ratings),
  };

  return {
    filters,
    computedAt: now,
    timeZone: settings.firm.timeZone,
    leadCounts: {
      included: included.length,
      existingClients: gathered.existingClients,
      noCallbackNumber: gathered.noCallbackNumber,
      answeredAtOnce: gathered.answeredAtOnce,
    },
    timeToCallback,
    contactRate,
    conversion,
    missedCalls,
    heatMap,
    staff,
    sources,
    survey,
    leads: leadRows,
    answeredBlindPaths,
  };
}

function answeredLiveOf(
  data: MetricsData,
  filters: MetricsFilters,
  knowable: boolean,
  answeredNewByDay: Map<number, number>,
  clock: FirmClock,
  fromDay: number,
  toDay: number,
  pathFilter: Set<CapturePath> | null,
): ConversionFigure['answeredLive'] {
  const notKnown = (reason: string): { known: false; reason: string } => ({ known: false, reason });
  const consultations = notKnown(
    'Not known: the desk does not see what happens on a call answered live.',
  );
  if (!knowable) {
    const reason =
      'Not known: answered calls are counted per line and source, not per practice area or staff member.';
    return {
      newCallers: notKnown(reason),
      consultations,
      retained: notKnown(reason),
      retainedRate: notKnown(reason),
    };
  }
  let recordedDays = 0;
  let newCallers = 0;
  for (const count of answeredNewByDay.values()) {
    recordedDays++;
    newCallers += count;
  }
  if (recordedDays === 0) {
    const reason =
      'Not known: no answered call was recorded in this range (connect a provider API or a CRM call log; manual entry never sees answered calls).';
    return {
      newCallers: notKnown(reason),
      consultations,
      retained: notKnown(reason),
      retainedRate: notKnown(reason),
    };
  }
  let live = 0;
  let checked = 0;
  let retained = 0;
  for (const row of data.liveCallers) {
    const day = clock.dayOf(row.answeredAt);
    if (day < fromDay || day >= toDay) continue;
    if (!matches(filters.source, row.source)) continue;
    if (pathFilter && !pathFilter.has(row.path)) continue;
    live++;
    if (row.checkedAt !== undefined || row.disposition !== undefined) checked++;
    if (row.disposition === 'retained') retained++;
  }
  const allChecked = live === newCallers && checked === live;
  const retainedKnown: Known<number> = allChecked
    ? { known: true, value: retained }
    : notKnown(
        live === 0 && newCallers > 0
          ? 'Not known: these callers were not kept for a CRM check.'
          : `Not known: the CRM was asked about ${checked} of ${newCallers} new callers answered live (connect HubSpot or Clio; the dashboard asks when it refreshes).`,
      );
  return {
    newCallers: { known: true, value: newCallers },
    consultations,
    retained: retainedKnown,
    retainedRate: retainedKnown.known
      ? { known: true, value: ratio(retainedKnown.value, newCallers) }
      : retainedKnown,
  };
}

/** The sidebar strip: today, firm time. */
export function computeStrip(
  data: MetricsData,
  settings: MetricsSettings,
  now: number,
): MetricsStrip {
  const clock = new FirmClock(settings.firm.timeZone);
  const business = new BusinessTime(clock, settings.firm);
  const today = clock.dayOf(now);
  const start = clock.startOfDay(today);
  const leadById = new Map(data.leads.map((l) => [l.id, l]));
  const legWindowMs = windowMsOf(settings);
  let missedToday = 0;
  for (const call of data.calls) {
    if (call.startedAt < start || call.startedAt > now) continue;
    if (!isAnsweredLeg(call, leadById.get(call.leadId), legWindowMs)) missedToday++;
  }
  const firstPhone = new Map<string, number>();
  for (const lead of data.leads) {
    const at = lead.attemptSummary?.firstPhoneAt;
    if (at !== undefined) firstPhone.set(lead.id, at);
  }
  for (const a of data.attempts) {
    if (a.automatic || (a.method !== 'call' && a.method !== 'voicemail')) continue;
    const seen = firstPhone.get(a.leadId);
    if (seen === undefined || a.at < seen) firstPhone.set(a.leadId, a.at);
  }
  let leadsToday = 0;
  let within = 0;
  let overdueNow = 0;
  for (const lead of data.leads) {
    if (isOpenStatus(lead.status) && lead.overdueAt <= now) overdueNow++;
    if (lead.firstMissedAt < start || lead.firstMissedAt > now) continue;
    if (leadExclusion(lead, legWindowMs)) continue;
    leadsToday++;
    const at = firstPhone.get(lead.id);
    if (at !== undefined && business.minutesBetween(lead.firstMissedAt, at) <= 15) within++;
  }
  return {
    day: clock.label(today),
    missedToday,
    calledBackWithin15: within,
    leadsToday,
    overdueNow,
  };
}

export type { CallStatRow };
