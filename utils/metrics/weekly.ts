import { computeMetrics, statsOf } from './figures';
import { NORM_WEEKS } from './load';
import { FirmClock } from './time';
import {
  WEEKDAY_LABELS,
  type MetricsData,
  type MetricsRange,
  type MetricsResult,
  type MetricsSettings,
  type WeeklyFigure,
  type WeeklyReview,
} from './types';

const WEEKS_BEFORE = 4;

/** Last week (Monday to Monday, firm time) and the 4 weeks before it. */
function weeksOf(now: number, timeZone: string) {
  const clock = new FirmClock(timeZone);
  const thisMonday = FirmClock.mondayOf(clock.dayOf(now));
  const lastMonday = thisMonday - 7;
  return { clock, thisMonday, lastMonday };
}

/** What the weekly review reads: the 4 weeks before last week, last week (and no more). */
export function weeklyReviewRange(now: number, timeZone: string): MetricsRange {
  const { clock, thisMonday, lastMonday } = weeksOf(now, timeZone);
  return {
    from: clock.startOfDay(lastMonday - 7 * Math.max(WEEKS_BEFORE, NORM_WEEKS)),
    to: clock.startOfDay(thisMonday),
  };
}

/** "Mon 23 Nov" of a day number. */
function dayText(day: number): string {
  return new Date(day * 86_400_000).toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
}

interface FigureDef {
  id: string;
  label: string;
  unit: WeeklyFigure['unit'];
  /** Which direction is worse. */
  worseWhen: 'higher' | 'lower' | null;
  of: (r: MetricsResult) => number | null;
}

const within15 = (r: MetricsResult) =>
  r.timeToCallback.withinBusiness.find((w) => w.minutes === 15)?.share ?? null;

const FIGURES: FigureDef[] = [
  {
    id: 'missed',
    label: 'Missed calls',
    unit: 'count',
    worseWhen: 'higher',
    of: (r) => r.missedCalls.missed,
  },
  {
    id: 'missedRate',
    label: 'Missed-call rate',
    unit: 'rate',
    worseWhen: 'higher',
    of: (r) => r.missedCalls.missedRate,
  },
  {
    id: 'leads',
    label: 'Leads',
    unit: 'count',
    worseWhen: null,
    of: (r) => r.timeToCallback.leads,
  },
  {
    id: 'medianMinutes',
    label: 'Median time to callback',
    unit: 'minutes',
    worseWhen: 'higher',
    of: (r) => r.timeToCallback.wall.median,
  },
  {
    id: 'medianBusinessMinutes',
    label: 'Median time to callback (business minutes)',
    unit: 'minutes',
    worseWhen: 'higher',
    of: (r) => r.timeToCallback.business.median,
  },
  {
    id: 'within15',
    label: 'Called back within 15 business minutes',
    unit: 'rate',
    worseWhen: 'lower',
    of: within15,
  },
  {
    id: 'contactRate',
    label: 'Contact rate',
    unit: 'rate',
    worseWhen: 'lower',
    of: (r) => r.contactRate.rate,
  },
  {
    id: 'consultations',
    label: 'Consultations booked',
    unit: 'count',
    worseWhen: 'lower',
    of: (r) => r.conversion.recovered.consultations,
  },
  {
    id: 'retained',
    label: 'Clients retained',
    unit: 'count',
    worseWhen: 'lower',
    of: (r) => r.conversion.recovered.retained,
  },
];

/**
 * Last week against the 4 weeks before: each figure (the mean of the earlier weeks that have
 * a value), last week's spikes, the slowest hours and the sources to look at.
 */
export function computeWeeklyReview(
  data: MetricsData,
  settings: MetricsSettings,
  now: number,
): WeeklyReview {
  const { clock, thisMonday, lastMonday } = weeksOf(now, settings.firm.timeZone);
  const weekRange = (monday: number): MetricsRange => ({
    from: clock.startOfDay(monday),
    to: clock.startOfDay(monday + 7),
  });
  const last = computeMetrics(data, weekRange(lastMonday), settings, now);
  const earlier = Array.from({ length: WEEKS_BEFORE }, (_, i) =>
    computeMetrics(data, weekRange(lastMonday - 7 * (i + 1)), settings, now),
  );
  // A week before the desk's first recorded call has no figures to compare with.
  const firstDay = data.earliestCallAt === null ? null : clock.dayOf(data.earliestCallAt);
  const weeksWithData = earlier.filter(
    (_, i) => firstDay !== null && lastMonday - 7 * (i + 1) + 7 > firstDay,
  );

  const figures: WeeklyFigure[] = FIGURES.map((def) => {
    const value = def.of(last);
    const values = weeksWithData.map(def.of).filter((v): v is number => v !== null);
    const before = values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
    let worse: boolean | null = null;
    if (def.worseWhen && value !== null && before !== null) {
      worse = def.worseWhen === 'higher' ? value > before : value < before;
    }
    return { id: def.id, label: def.label, value, before, unit: def.unit, worse };
  });

  // Slowest hours: weekday × hour of the first missed call, business minutes, ≥ 3 leads.
  const cells = new Map<number, number[]>();
  for (const row of last.leads) {
    if (row.businessMinutes === null) continue;
    const key =
      FirmClock.weekdayOfDay(clock.dayOf(row.firstMissedAt)) * 24 + clock.hourOf(row.firstMissedAt);
    const list = cells.get(key);
    if (list) list.push(row.businessMinutes);
    else cells.set(key, [row.businessMinutes]);
  }
  const slowestHours = [...cells]
    .filter(([, list]) => list.length >= 3)
    .map(([key, list]) => ({
      weekday: Math.floor(key / 24),
      hour: key % 24,
      leads: list.length,
      medianMinutes: statsOf(list).median!,
    }))
    .sort((a, b) => b.medianMinutes - a.medianMinutes || a.weekday - b.weekday || a.hour - b.hour)
    .slice(0, 3);

  const limit = settings.firm.limitMinutes;
  const sourcesToLookAt = last.sources
    .map((row) => {
      const reasons: string[] = [];
      if (row.contactStatus === 'needs-work') {
        reasons.push(
          `contact rate ${percent(row.contactRate)} (needs work below ${percent(settings.needsWorkBelow)})`,
        );
      }
      if (row.medianBusinessMinutes !== null && row.medianBusinessMinutes > limit) {
        reasons.push(
          `median callback ${minutesText(row.medianBusinessMinutes)} (business), over the ${limit}-minute limit`,
        );
      }
      if (row.spentOnNeverReached !== null && row.spentOnNeverReached > 0) {
        reasons.push(
          `${money(row.spentOnNeverReached, settings.currency)} spent on ${row.neverReached} lead${row.neverReached === 1 ? '' : 's'} never reached`,
        );
      }
      return { ...row, reasons };
    })
    .filter((row) => row.reasons.length > 0);

  return {
    firmName: settings.firm.firmName,
    currency: settings.currency,
    limitMinutes: limit,
    week: {
      ...weekRange(lastMonday),
      label: `${dayText(lastMonday)} – ${dayText(thisMonday - 1)} ${new Date((thisMonday - 1) * 86_400_000).getUTCFullYear()}`,
    },
    before: {
      from: clock.startOfDay(lastMonday - 7 * WEEKS_BEFORE),
      to: clock.startOfDay(lastMonday),
    },
    figures,
    spikes: last.missedCalls.spikes,
    slowestHours,
    sourcesToLookAt,
  };
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)} %`;
}

/** "4.5 min", "1 h 05 min", "2 d 3 h". */
export function minutesText(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes < 10) return `${(Math.round(minutes * 10) / 10).toString()} min`;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const total = Math.round(minutes);
  const hours = Math.floor(total / 60);
  if (hours < 48) return `${hours} h ${String(total % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

function valueText(unit: WeeklyFigure['unit'], value: number | null): string {
  if (value === null) return '—';
  if (unit === 'rate') return percent(value);
  if (unit === 'minutes') return minutesText(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * A name on one line: a line break (or any run of blanks) in a source tag or the firm's name
 * becomes one space, so a name cannot forge lines of the email or a header of its subject.
 */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The review as a plain-text email (copy-as-email): subject and body. */
export function weeklyReviewEmail(review: WeeklyReview): { subject: string; body: string } {
  const firmName = oneLine(review.firmName);
  const lines: string[] = [];
  lines.push(
    `Weekly callback review for ${firmName}: ${review.week.label} (firm time), against the 4 weeks before.`,
    '',
    'Figures (last week · average of the 4 weeks before)',
  );
  for (const f of review.figures) {
    const flag =
      f.worse === true ? ' — worse' : f.worse === false && f.value !== f.before ? ' — better' : '';
    lines.push(
      `- ${f.label}: ${valueText(f.unit, f.value)} · ${valueText(f.unit, f.before)}${flag}`,
    );
  }
  lines.push('', 'Spikes (days with far more missed calls than usual for that weekday)');
  if (review.spikes.length === 0) lines.push('- None.');
  for (const s of review.spikes) {
    const day = FirmClock.dayOfLabel(s.day);
    lines.push(
      `- ${dayText(day)}: ${s.missed} missed calls (usual ${s.norm ? s.norm.mean.toFixed(1) : '—'}; a spike above ${s.norm ? s.norm.threshold.toFixed(1) : '—'})`,
    );
  }
  lines.push('', 'Slowest hours (median time to callback, business minutes; at least 3 leads)');
  if (review.slowestHours.length === 0) lines.push('- Not enough leads in any hour.');
  for (const h of review.slowestHours) {
    const hh = String(h.hour).padStart(2, '0');
    const next = String((h.hour + 1) % 24).padStart(2, '0');
    lines.push(
      `- ${WEEKDAY_LABELS[h.weekday]} ${hh}:00–${next}:00: ${minutesText(h.medianMinutes)} (${h.leads} leads)`,
    );
  }
  lines.push('', 'Sources to look at');
  if (review.sourcesToLookAt.length === 0)
    lines.push('- None: every source is within the thresholds.');
  for (const s of review.sourcesToLookAt) {
    lines.push(`- ${oneLine(s.source) || '(no source)'}: ${s.reasons.join('; ')}`);
  }
  return {
    subject: `Weekly callback review — ${review.week.label} — ${firmName}`,
    body: lines.join('\n'),
  };
}
