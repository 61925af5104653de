/**
 * The metrics engine's contract (issue 10): what it reads (MetricsData), what it is asked
 * (MetricsFilters, MetricsSettings) and what it answers (MetricsResult). Everything here is
 * plain, structured-clone-safe data, so the figures can be computed in a Web Worker
 * (components/dashboard/figuresWorker.ts) and posted to the dashboard page.
 *
 * Units: times are epoch ms; durations are minutes (fractional); rates and shares are
 * fractions 0–1, `null` when there is nothing to divide by. Days are the firm's local days
 * ('YYYY-MM-DD' in the firm's time zone, DST-correct); weeks start on Monday.
 *
 * Functions (signatures; implemented in the files named):
 * - figures.ts  `computeMetrics(data: MetricsData, filters: MetricsFilters,
 *                 settings: MetricsSettings, now: number): MetricsResult`
 *               `computeStrip(data: MetricsData, settings: MetricsSettings, now: number): MetricsStrip`
 * - load.ts     `loadMetricsData(db: CallbackDeskDB, range: MetricsRange): Promise<MetricsData>`
 *               `loadRangeFor(filters, timeZone): MetricsRange` (adds the 4 weeks before
 *                 `from` that spike norms need)
 *               `loadStripData(db, now, timeZone): Promise<MetricsData>` (today + open leads)
 * - weekly.ts   `computeWeeklyReview(data, settings, now): WeeklyReview` (load with
 *                 `weeklyReviewRange(now, timeZone)`), `weeklyReviewEmail(review): { subject; body }`
 * - tables.ts   `metricsTables(result: MetricsResult): MetricsTable[]` (every table, with columns)
 * - csv.ts      `tableToCsv(table: MetricsTable): string` (formula-injection safe)
 * - settings.ts `metricsPrefsItem`, `getMetricsSettings(): Promise<MetricsSettings>`
 * The dashboard's own worker (components/dashboard/figuresWorker.ts) runs load + compute.
 */
import {
  DISPOSITIONS,
  type AttemptMethod,
  type AttemptSummary,
  type CallStat,
  type CapturePath,
  type Disposition,
  type DispositionSource,
  type LeadStatus,
  type LiveCaller,
  type Outcome,
  type SurveyAnswer,
} from '../model';
import type { OpeningInterval } from '../settings';

// ---------------------------------------------------------------------------------------
// Asking

/** One date range and filter bar drives every figure (the dashboard keeps it in the URL). */
export interface MetricsFilters {
  /** Start, inclusive: a firm-time midnight, epoch ms. */
  from: number;
  /** End, exclusive: a firm-time midnight, epoch ms. */
  to: number;
  /** Lead source tags; '' stands for "no source". Absent or empty: all. */
  source?: string[];
  /** Practice areas; '' stands for "no practice area". */
  practiceArea?: string[];
  /** Staff ids (lead assignee); '' stands for "unassigned". */
  staffId?: string[];
  /** Leads / calls seen by any of these capture paths. */
  capturePath?: CapturePath[];
}

export interface MetricsRange {
  from: number;
  to: number;
}

/**
 * The firm's own metrics settings (stored item, utils/metrics/settings.ts). The weekly
 * review reminder's day and time are utils/metrics/reminder.ts's own item.
 */
export interface MetricsPrefs {
  /** Contact rate at or above this is "good" (default 0.8). */
  goodAtLeast: number;
  /** Contact rate below this "needs work" (default 0.6). */
  needsWorkBelow: number;
  /** Optional cost per lead, per source tag, in `currency` units. */
  costPerLead: Record<string, number>;
  /** ISO 4217 code for money figures (default 'USD'). */
  currency: string;
}

/** What computeMetrics needs: the metrics prefs plus the firm calendar and staff list. */
export interface MetricsSettings extends MetricsPrefs {
  firm: {
    firmName: string;
    timeZone: string;
    /** Index 0 = Sunday, as in FirmSettings. */
    weeklyHours: OpeningInterval[][];
    holidays: string[];
    staff: { id: string; name: string }[];
    /** The firm's limit in business minutes (FirmSettings.sla.limitMinutes, default 15). */
    limitMinutes: number;
    /**
     * FirmSettings.dedupeWindowSeconds (default 120): a missed call this close to the answered
     * call that closed its lead is a leg of that call (a group ring), not a missed call.
     */
    dedupeWindowSeconds?: number;
  };
}

// ---------------------------------------------------------------------------------------
// Reading (loadMetricsData): the records the figures are computed from

export const DISPOSITION_LABELS: Record<Disposition, string> = {
  retained: 'Retained',
  'not-retained': 'Not retained',
};

export interface MetricsLead {
  id: string;
  status: LeadStatus;
  source?: string;
  practiceArea?: string;
  assignee?: string;
  noCallbackNumber: boolean;
  firstMissedAt: number;
  dueAt: number;
  /** The lead's limit (15 business minutes by default; after hours 1 h after opening). */
  overdueAt: number;
  closedAt?: number;
  closeOutcome?: Outcome;
  /** The caller got through on a later call that was answered. */
  answeredLaterAt?: number;
  noContactAt?: number;
  /** Issue 9: a caller who is already a client is not a lead (excluded from lead figures). */
  existingClient?: boolean;
  disposition?: Disposition;
  dispositionAt?: number;
  /** Attempts by staff (Lead.attemptCount). */
  attemptCount?: number;
  /**
   * What the attempts say (Lead.attemptSummary). Absent with attemptCount > 0 (a lead
   * written before version 8, or by sample data): its attempts are read instead.
   */
  attemptSummary?: AttemptSummary;
}

/** A missed call (db.calls without the answered ones). */
export interface MetricsCall {
  leadId: string;
  startedAt: number;
  capturePath: CapturePath;
  alsoSeenBy?: CapturePath[];
  /** The call's own source (its line's rule), else the lead's. */
  source?: string;
  dialedLine?: string;
}

/** A callback attempt or message, as recorded on a lead. */
export interface MetricsAttempt {
  leadId: string;
  method: AttemptMethod;
  at: number;
  by?: string;
  outcome: Outcome;
  automatic?: boolean;
}

/** Answered-call counts (db.callStats; see CallStat in utils/model.ts). */
export type CallStatRow = CallStat;
/** A new caller answered live (db.liveCallers). */
export type LiveCallerRow = LiveCaller;
export type { Disposition, DispositionSource, SurveyAnswer };
export { DISPOSITIONS };

export interface MetricsData {
  range: MetricsRange;
  /** Leads whose first missed call is in the range, plus every lead still open. */
  leads: MetricsLead[];
  /** Missed calls (not answered ones) started in the range. */
  calls: MetricsCall[];
  /**
   * Attempts of the loaded leads that have no attempt summary (also after `range.to`, up to
   * when it was loaded); leads with a summary need none.
   */
  attempts: MetricsAttempt[];
  /** Answered-call counts for the range's days. */
  callStats: CallStatRow[];
  liveCallers: LiveCallerRow[];
  surveys: SurveyAnswer[];
  /** The oldest missed call the desk holds at all (spike norms skip weeks before it). */
  earliestCallAt: number | null;
  loadedAt: number;
}

// ---------------------------------------------------------------------------------------
// Answering (computeMetrics)

/** Contact rate against the firm's thresholds. */
export type RateStatus = 'good' | 'ok' | 'needs-work' | 'no-data';

export interface Stats {
  /** How many values. */
  count: number;
  /** Middle value (mean of the two middle ones for an even count); null when none. */
  median: number | null;
  /** Nearest rank: the value at position ceil(0.9 · n) in ascending order. */
  p90: number | null;
  mean: number | null;
}

export interface WithinShare {
  /** 5, 15, 60, 1440. */
  minutes: number;
  label: string;
  /** Leads called back within this many minutes. */
  within: number;
  /** Leads decided: called back, plus still waiting for longer than this. */
  decided: number;
  /** within / decided. */
  share: number | null;
}

export type CallbackState = 'called-back' | 'waiting' | 'closed-without-callback';

export interface TimeToCallbackFigure {
  /** Leads in the figure (first missed call in range; callable; not existing clients). */
  leads: number;
  calledBack: number;
  /** Still open with no callback by phone: "not yet called back". */
  waiting: number;
  /** Closed or No contact without a callback by phone (got through, texted, closed). */
  closedWithoutCallback: number;
  /** Minutes, over leads called back. */
  wall: Stats;
  business: Stats;
  withinWall: WithinShare[];
  withinBusiness: WithinShare[];
  /** Ages (wall minutes) of leads still waiting, oldest first. */
  waitingAges: { leadId: string; firstMissedAt: number; ageMinutes: number }[];
  /** Histogram bins of wall-clock minutes for leads called back (for the chart). */
  histogram: { label: string; fromMinutes: number; toMinutes: number | null; leads: number }[];
}

export interface ContactPeriodRow {
  /** 'YYYY-MM-DD' (day, or the Monday a week starts). */
  period: string;
  start: number;
  leads: number;
  /** Leads with at least one attempt by staff. */
  attempted: number;
  reached: number;
  rate: number | null;
  status: RateStatus;
}

export interface ContactRateFigure {
  attempted: number;
  reached: number;
  rate: number | null;
  status: RateStatus;
  goodAtLeast: number;
  needsWorkBelow: number;
  /** Leads with no attempt yet (not in the rate). */
  neverAttempted: number;
  byDay: ContactPeriodRow[];
  byWeek: ContactPeriodRow[];
}

/** A count that is either known or, with the reason, not. */
export type Known<T> = { known: true; value: T } | { known: false; reason: string };

export interface ConversionFigure {
  recovered: {
    /** Leads reached after a missed call. */
    leads: number;
    consultations: number;
    retained: number;
    /** Retained or not retained recorded (by staff or CRM). */
    dispositionKnown: number;
    consultationRate: number | null;
    retainedRate: number | null;
  };
  answeredLive: {
    /** New callers answered live in the range. */
    newCallers: Known<number>;
    consultations: Known<number>;
    retained: Known<number>;
    retainedRate: Known<number | null>;
  };
}

export interface MissedDayRow {
  day: string;
  start: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  missed: number;
  /** Answered inbound calls that day, when known. */
  answered: number | null;
  /** missed / (missed + answered); null when inbound is not known. */
  missedRate: number | null;
  /** The weekday's norm over the previous 4 weeks (null: not enough history). */
  norm: { weeks: number; mean: number; sd: number; threshold: number } | null;
  spike: boolean;
}

export interface MissedWeekRow {
  /** Monday, 'YYYY-MM-DD'. */
  week: string;
  start: number;
  missed: number;
  answered: number | null;
  missedRate: number | null;
  /** Days of the week inside the range (a partial week has fewer than 7). */
  days: number;
}

export interface MissedCallsFigure {
  missed: number;
  answered: number | null;
  missedRate: number | null;
  /** Why the rate is not shown (no path that sees answered calls was read). */
  inboundNote?: string;
  byDay: MissedDayRow[];
  byWeek: MissedWeekRow[];
  spikes: MissedDayRow[];
}

export interface HeatCell {
  /** 0 = Monday … 6 = Sunday, firm time. */
  weekday: number;
  hour: number;
  missed: number;
}

export interface StaffRow {
  /** Staff id; '' for unassigned leads. */
  staffId: string;
  name: string;
  leads: number;
  medianMinutes: number | null;
  medianBusinessMinutes: number | null;
  /** Attempts by staff ÷ leads (automatic texts excluded). */
  attemptsPerLead: number | null;
  attempted: number;
  reached: number;
  contactRate: number | null;
  contactStatus: RateStatus;
  /** First phone callback after the lead's limit, or still waiting past it. */
  pastLimit: number;
}

export interface SourceRow {
  /** '' for leads without a source. */
  source: string;
  missedCalls: number;
  leads: number;
  medianMinutes: number | null;
  medianBusinessMinutes: number | null;
  attempted: number;
  reached: number;
  contactRate: number | null;
  contactStatus: RateStatus;
  consultations: number;
  retained: number;
  /** retained / leads reached. */
  conversion: number | null;
  /** Closed or No contact without ever being reached. */
  neverReached: number;
  costPerLead: number | null;
  /** neverReached × costPerLead. */
  spentOnNeverReached: number | null;
}

/** One row per lead in the figures: the rows behind the lead tables and the CSV export. */
export interface LeadRow {
  leadId: string;
  firstMissedAt: number;
  source: string;
  practiceArea: string;
  staffId: string;
  paths: CapturePath[];
  state: CallbackState;
  firstCallbackAt: number | null;
  wallMinutes: number | null;
  businessMinutes: number | null;
  /** Waiting leads: minutes since the first missed call. */
  ageMinutes: number | null;
  attempts: number;
  reached: boolean;
  consultation: boolean;
  retained: boolean;
  pastLimit: boolean;
}

export interface SurveyFigure {
  answers: number;
  feltValued: { yes: number; answered: number; share: number | null };
  responseTimeAcceptable: { yes: number; answered: number; share: number | null };
  rating: Stats;
}

export interface MetricsResult {
  filters: MetricsFilters;
  computedAt: number;
  timeZone: string;
  /** Leads counted in the lead figures, and those left out with the reason. */
  leadCounts: {
    included: number;
    existingClients: number;
    noCallbackNumber: number;
    /** Callers whose missed calls were legs of a call someone answered (a group ring). */
    answeredAtOnce: number;
  };
  timeToCallback: TimeToCallbackFigure;
  contactRate: ContactRateFigure;
  conversion: ConversionFigure;
  missedCalls: MissedCallsFigure;
  /** 168 cells, Monday 0:00 first. */
  heatMap: HeatCell[];
  staff: StaffRow[];
  sources: SourceRow[];
  survey: SurveyFigure;
  leads: LeadRow[];
  /** Capture paths in the range that cannot see answered calls (said in the UI). */
  answeredBlindPaths: CapturePath[];
}

/** The sidebar strip: today (firm time). */
export interface MetricsStrip {
  day: string;
  missedToday: number;
  /** Today's leads called back by phone within 15 business minutes of the first missed call. */
  calledBackWithin15: number;
  /** Today's leads (the strip's "of N"). */
  leadsToday: number;
  /** Open leads past their limit now (any day). */
  overdueNow: number;
}

// ---------------------------------------------------------------------------------------
// Weekly review

export interface WeeklyFigure {
  /** 'missed', 'missedRate', 'leads', 'medianMinutes', 'medianBusinessMinutes', 'within15', 'contactRate', 'consultations', 'retained'. */
  id: string;
  label: string;
  /** Last week. */
  value: number | null;
  /** Mean over the 4 weeks before (weeks with no data skipped); null when none. */
  before: number | null;
  /** How to format. */
  unit: 'minutes' | 'rate' | 'count';
  /** True when the change is for the worse (slower, fewer reached, more missed). */
  worse: boolean | null;
}

export interface WeeklyReview {
  firmName: string;
  currency: string;
  /** The firm's limit in business minutes (a source slower than this is listed). */
  limitMinutes: number;
  /** Last week, Monday 00:00 to the next Monday 00:00, firm time. */
  week: MetricsRange & { label: string };
  before: MetricsRange;
  figures: WeeklyFigure[];
  spikes: MissedDayRow[];
  /** The weekday × hour cells with the slowest median callback (at least 3 leads), slowest first. */
  slowestHours: { weekday: number; hour: number; leads: number; medianMinutes: number }[];
  /** Sources below the needs-work threshold, slower than the limit, or with money spent on unreached leads. */
  sourcesToLookAt: (SourceRow & { reasons: string[] })[];
}

// ---------------------------------------------------------------------------------------
// Tables (every chart has one; CSV export writes the same rows)

export type MetricsCell = string | number | boolean | null;
export interface MetricsTable {
  id: string;
  title: string;
  columns: { key: string; label: string }[];
  rows: Record<string, MetricsCell>[];
}

// ---------------------------------------------------------------------------------------
// Which paths see answered calls (the UI says so where a path cannot)

export const ANSWERED_VISIBILITY: Record<CapturePath, { sees: boolean; note: string }> = {
  portal: {
    sees: true,
    note: 'Portal pages: only the answered calls the open call-history page shows (a Missed-calls tab shows none).',
  },
  api: {
    sees: true,
    note: 'Provider APIs (RingCentral, Aircall, Twilio, Dialpad): every answered call.',
  },
  crm: {
    sees: true,
    note: 'CRM call logs: answered calls people or integrations logged in HubSpot or Clio.',
  },
  csv: { sees: true, note: 'CSV import: answered calls when the file lists them.' },
  manual: {
    sees: false,
    note: 'Manual entry: missed calls only; answered calls are never entered.',
  },
};

export const WEEKDAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

// ---------------------------------------------------------------------------------------
// Help texts: each figure's definition, exactly as computed (UI and README).

export type FigureId =
  | 'timeToCallback'
  | 'withinShares'
  | 'contactRate'
  | 'conversion'
  | 'missedCalls'
  | 'missedRate'
  | 'spikes'
  | 'heatMap'
  | 'staff'
  | 'sources'
  | 'strip'
  | 'weeklyReview'
  | 'survey';

export const FIGURE_HELP: Record<FigureId, { title: string; text: string }> = {
  timeToCallback: {
    title: 'Time to callback',
    text:
      "From a lead's first missed call to its first callback attempt by phone (a call or a voicemail logged by staff; texts, emails and the automatic text do not count). " +
      'Leads whose first missed call is in the date range; existing clients, callers with no callback number and callers answered at once on another phone of a group ring (see Missed calls) are left out. ' +
      'Median (the middle value; the mean of the two middle ones for an even count), p90 (nearest rank: the value 90 % of callbacks are at or under) and mean, over the leads called back. ' +
      'Wall clock counts every minute; business minutes count only the firm’s opening hours (Options › Firm), so a call at 22:00 returned at 9:05 the next working day took 5 business minutes. ' +
      'Leads still open without a callback are listed as "not yet called back" with their current age; leads closed without one (the caller got through on a later call, was reached by text or email, or was closed by hand) are counted apart.',
  },
  withinShares: {
    title: 'Called back within 5 min, 15 min, 1 h, 24 h',
    text:
      'Leads called back by phone within that time ÷ (leads called back + leads still waiting longer than that time). ' +
      'A lead still waiting less than that time is not counted yet. Shown in wall-clock and business minutes.',
  },
  contactRate: {
    title: 'Contact rate',
    text:
      'Leads reached ÷ leads with at least one attempt by staff (call, voicemail, text or email; the automatic text does not count), grouped by the day or week of the lead’s first missed call. ' +
      'Reached: an attempt with the outcome Reached, Consultation booked, Retained or Not a fit, or the caller got through on a later answered call. ' +
      'Leads with no attempt yet are shown apart, not in the rate. Good at or above the firm’s threshold (80 % unless changed), needs work below 60 % (Options › Metrics).',
  },
  conversion: {
    title: 'Conversion',
    text:
      'Recovered leads: leads reached after a missed call (as in Contact rate). Consultations: those with an attempt outcome Consultation booked or Retained, or a disposition recorded after it. ' +
      'Retained: the disposition Retained (set by staff on the lead, or read from the CRM: HubSpot lifecycle stage Customer or a won deal; Clio a matter opened for the contact) or the outcome Retained. ' +
      'Rates are ÷ recovered leads. New callers answered live: answered calls from numbers the desk had no lead for, counted by paths that see answered calls; ' +
      'their consultations are not seen by the desk, and their retained count is shown only when the CRM was asked about every one of them. Otherwise the answered side says "not known" instead of a number.',
  },
  missedCalls: {
    title: 'Missed calls',
    text:
      'Missed calls (no answer, voicemail, after hours, abandoned, busy) that started on each day or week of the range, firm time; the same call seen by several paths counts once. ' +
      'A missed leg of a call someone answered (a group ring: within the duplicate window, 2 minutes unless changed, of the answered call that closed its lead) is an answered call, not a missed one. ' +
      'Existing clients’ calls are included here (they are missed calls too) but not in the lead figures.',
  },
  missedRate: {
    title: 'Missed-call rate',
    text:
      'Missed ÷ (missed + answered) for the days on which answered calls were recorded. Answered calls are counted by provider APIs and CRM call logs, by portal pages only as far as the open page shows them, and by CSV imports when the file lists them; manual entry never sees them. ' +
      'A day with no answered call recorded shows "inbound not known", never 0 %.',
  },
  spikes: {
    title: 'Spikes',
    text:
      'A day is a spike when its missed calls exceed its weekday’s norm over the previous 4 weeks: more than the larger of mean + 2 × standard deviation, 1.5 × mean and mean + 3, where mean and standard deviation (population) are over the same weekday in each of the 4 weeks before. ' +
      'Weeks before the desk’s first recorded call are left out; with fewer than 2 such weeks there is no norm and no spike.',
  },
  heatMap: {
    title: 'When calls are missed',
    text: 'Missed calls by hour of day and weekday, in the firm’s time zone (daylight-saving changes included: a call at 9:30 local time is in the 9:00 row all year).',
  },
  staff: {
    title: 'Per staff member',
    text:
      'Leads assigned to each staff member (first missed call in range); median time to callback (wall clock and business minutes) over their leads called back; attempts per lead (attempts by staff, automatic texts excluded, ÷ leads); contact rate as above; ' +
      'leads past the limit: first callback by phone after the lead’s limit (15 business minutes by default, a priority source’s own, or 1 h after opening for calls after hours), or still waiting past it. Staff with no leads show 0 and "—".',
  },
  sources: {
    title: 'Per source',
    text:
      'Per lead source (the tag from the dialled line’s source rule, or set by hand): missed calls (each call under its own line’s source, else its lead’s; existing clients and callers with no number left out), leads, median time to callback, contact rate, consultations, retained, conversion (retained ÷ leads reached). ' +
      'Never reached: leads closed or at No contact without ever being reached. Money spent on never-reached leads = never reached × the cost per lead set for that source (Options › Metrics).',
  },
  strip: {
    title: 'Today',
    text: 'Missed calls since midnight (firm time); of today’s leads, how many were called back by phone within 15 business minutes of the first missed call; open leads past their limit now.',
  },
  weeklyReview: {
    title: 'Weekly review',
    text:
      'Last week (Monday to Sunday, firm time) against the mean of the 4 weeks before it: the figures above, the spikes of last week, the slowest hours (weekday × hour with at least 3 leads, by median time to callback) and the sources to look at ' +
      '(contact rate below the needs-work threshold, median time to callback over the limit, or money spent on never-reached leads).',
  },
  survey: {
    title: 'Post-intake survey',
    text: 'Answers recorded on leads whose first missed call is in the range: share who felt valued, share who found the response time acceptable (of those who answered each question), and the 1–5 rating (median, p90, mean).',
  },
};
