import { FirmClock } from './time';
import {
  WEEKDAY_LABELS,
  type MetricsCell,
  type MetricsResult,
  type MetricsTable,
  type WeeklyReview,
} from './types';

/** Minutes to one decimal; rates as percentages to one decimal; null stays empty. */
const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
const pct = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 10);

/** 'YYYY-MM-DD HH:mm', firm time. */
function firmTime(clock: FirmClock, ms: number | null): string | null {
  if (ms === null) return null;
  const local = new Date(ms + clock.offsetAt(ms));
  return local.toISOString().slice(0, 16).replace('T', ' ');
}

const col = (key: string, label: string) => ({ key, label });

/**
 * Every table of the dashboard: the rows behind each chart (shown beside it, and what CSV
 * export writes). Times are firm time; minutes and percentages rounded to one decimal.
 */
export function metricsTables(result: MetricsResult): MetricsTable[] {
  const clock = new FirmClock(result.timeZone);
  const ttc = result.timeToCallback;
  const tables: MetricsTable[] = [];
  const stat = (label: string, wall: number | null, business: number | null) => ({
    measure: label,
    wall: round1(wall),
    business: round1(business),
  });
  tables.push({
    id: 'time-to-callback',
    title: 'Time to callback (minutes)',
    columns: [
      col('measure', 'Measure'),
      col('wall', 'Wall clock'),
      col('business', 'Business minutes'),
    ],
    rows: [
      stat('Median', ttc.wall.median, ttc.business.median),
      stat('p90', ttc.wall.p90, ttc.business.p90),
      stat('Mean', ttc.wall.mean, ttc.business.mean),
      ...ttc.withinWall.map((w, i) => ({
        measure: `Within ${w.label} (%)`,
        wall: pct(w.share),
        business: pct(ttc.withinBusiness[i]!.share),
      })),
      { measure: 'Leads called back', wall: ttc.calledBack, business: ttc.calledBack },
      { measure: 'Not yet called back', wall: ttc.waiting, business: ttc.waiting },
      {
        measure: 'Closed without a callback',
        wall: ttc.closedWithoutCallback,
        business: ttc.closedWithoutCallback,
      },
    ],
  });
  tables.push({
    id: 'time-to-callback-histogram',
    title: 'Leads by time to callback (wall clock)',
    columns: [col('bin', 'Time to callback'), col('leads', 'Leads')],
    rows: ttc.histogram.map((b) => ({ bin: b.label, leads: b.leads })),
  });
  tables.push({
    id: 'not-yet-called-back',
    title: 'Not yet called back',
    columns: [
      col('leadId', 'Lead'),
      col('firstMissedAt', 'First missed call'),
      col('ageMinutes', 'Waiting (minutes)'),
    ],
    rows: ttc.waitingAges.map((w) => ({
      leadId: w.leadId,
      firstMissedAt: firmTime(clock, w.firstMissedAt),
      ageMinutes: round1(w.ageMinutes),
    })),
  });
  const contactColumns = [
    col('period', 'Period'),
    col('leads', 'Leads'),
    col('attempted', 'Attempted'),
    col('reached', 'Reached'),
    col('rate', 'Contact rate (%)'),
    col('status', 'Against thresholds'),
  ];
  for (const [id, title, rows] of [
    ['contact-rate-by-day', 'Contact rate by day of first missed call', result.contactRate.byDay],
    [
      'contact-rate-by-week',
      'Contact rate by week of first missed call',
      result.contactRate.byWeek,
    ],
  ] as const) {
    tables.push({
      id,
      title,
      columns: contactColumns,
      rows: rows.map((r) => ({ ...r, rate: pct(r.rate), start: null })),
    });
  }
  const conv = result.conversion;
  const known = (
    k: { known: true; value: number | null } | { known: false; reason: string },
  ): MetricsCell => (k.known ? k.value : 'not known');
  tables.push({
    id: 'conversion',
    title: 'Conversion',
    columns: [
      col('group', 'Callers'),
      col('callers', 'Callers'),
      col('consultations', 'Consultations'),
      col('retained', 'Retained'),
      col('retainedRate', 'Retained (%)'),
      col('note', 'Note'),
    ],
    rows: [
      {
        group: 'Recovered leads (reached after a missed call)',
        callers: conv.recovered.leads,
        consultations: conv.recovered.consultations,
        retained: conv.recovered.retained,
        retainedRate: pct(conv.recovered.retainedRate),
        note: `${conv.recovered.dispositionKnown} with a disposition recorded`,
      },
      {
        group: 'New callers answered live',
        callers: known(conv.answeredLive.newCallers),
        consultations: known(conv.answeredLive.consultations),
        retained: known(conv.answeredLive.retained),
        retainedRate: conv.answeredLive.retainedRate.known
          ? pct(conv.answeredLive.retainedRate.value)
          : 'not known',
        note: [
          conv.answeredLive.newCallers,
          conv.answeredLive.consultations,
          conv.answeredLive.retained,
        ]
          .map((k) => (k.known ? '' : k.reason))
          .filter((t, i, all) => t && all.indexOf(t) === i)
          .join(' '),
      },
    ],
  });
  tables.push({
    id: 'missed-by-day',
    title: 'Missed calls by day',
    columns: [
      col('day', 'Day'),
      col('weekday', 'Weekday'),
      col('missed', 'Missed'),
      col('answered', 'Answered'),
      col('missedRate', 'Missed-call rate (%)'),
      col('norm', 'Weekday norm (mean of 4 weeks)'),
      col('threshold', 'Spike above'),
      col('spike', 'Spike'),
    ],
    rows: result.missedCalls.byDay.map((d) => ({
      day: d.day,
      weekday: WEEKDAY_LABELS[d.weekday]!,
      missed: d.missed,
      answered: d.answered,
      missedRate: pct(d.missedRate),
      norm: d.norm ? round1(d.norm.mean) : null,
      threshold: d.norm ? round1(d.norm.threshold) : null,
      spike: d.spike,
    })),
  });
  tables.push({
    id: 'missed-by-week',
    title: 'Missed calls by week',
    columns: [
      col('week', 'Week of'),
      col('days', 'Days in range'),
      col('missed', 'Missed'),
      col('answered', 'Answered'),
      col('missedRate', 'Missed-call rate (%)'),
    ],
    rows: result.missedCalls.byWeek.map((w) => ({
      ...w,
      start: null,
      missedRate: pct(w.missedRate),
    })),
  });
  tables.push({
    id: 'heat-map',
    title: 'Missed calls by weekday and hour (firm time)',
    columns: [col('weekday', 'Weekday'), col('hour', 'Hour'), col('missed', 'Missed')],
    rows: result.heatMap.map((c) => ({
      weekday: WEEKDAY_LABELS[c.weekday]!,
      hour: `${String(c.hour).padStart(2, '0')}:00`,
      missed: c.missed,
    })),
  });
  tables.push({
    id: 'staff',
    title: 'Per staff member',
    columns: [
      col('name', 'Staff'),
      col('leads', 'Leads assigned'),
      col('medianMinutes', 'Median time to callback (min)'),
      col('medianBusinessMinutes', 'Median (business min)'),
      col('attemptsPerLead', 'Attempts per lead'),
      col('contactRate', 'Contact rate (%)'),
      col('pastLimit', 'Past the limit'),
    ],
    rows: result.staff.map((s) => ({
      name: s.name,
      leads: s.leads,
      medianMinutes: round1(s.medianMinutes),
      medianBusinessMinutes: round1(s.medianBusinessMinutes),
      attemptsPerLead:
        s.attemptsPerLead === null ? null : Math.round(s.attemptsPerLead * 100) / 100,
      contactRate: pct(s.contactRate),
      pastLimit: s.pastLimit,
    })),
  });
  tables.push({
    id: 'sources',
    title: 'Per source',
    columns: [
      col('source', 'Source'),
      col('missedCalls', 'Missed calls'),
      col('leads', 'Leads'),
      col('medianMinutes', 'Median time to callback (min)'),
      col('medianBusinessMinutes', 'Median (business min)'),
      col('contactRate', 'Contact rate (%)'),
      col('consultations', 'Consultations'),
      col('retained', 'Retained'),
      col('conversion', 'Conversion (%)'),
      col('neverReached', 'Never reached'),
      col('costPerLead', 'Cost per lead'),
      col('spentOnNeverReached', 'Spent on never-reached leads'),
    ],
    rows: result.sources.map((s) => ({
      source: s.source || '(no source)',
      missedCalls: s.missedCalls,
      leads: s.leads,
      medianMinutes: round1(s.medianMinutes),
      medianBusinessMinutes: round1(s.medianBusinessMinutes),
      contactRate: pct(s.contactRate),
      consultations: s.consultations,
      retained: s.retained,
      conversion: pct(s.conversion),
      neverReached: s.neverReached,
      costPerLead: s.costPerLead,
      spentOnNeverReached:
        s.spentOnNeverReached === null ? null : Math.round(s.spentOnNeverReached * 100) / 100,
    })),
  });
  tables.push({
    id: 'leads',
    title: 'Leads',
    columns: [
      col('leadId', 'Lead'),
      col('firstMissedAt', 'First missed call'),
      col('source', 'Source'),
      col('practiceArea', 'Practice area'),
      col('staffId', 'Assigned to'),
      col('paths', 'Seen by'),
      col('state', 'Callback'),
      col('firstCallbackAt', 'First callback'),
      col('wallMinutes', 'Time to callback (min)'),
      col('businessMinutes', 'Business minutes'),
      col('ageMinutes', 'Waiting (min)'),
      col('attempts', 'Attempts'),
      col('reached', 'Reached'),
      col('consultation', 'Consultation'),
      col('retained', 'Retained'),
      col('pastLimit', 'Past the limit'),
    ],
    rows: result.leads.map((l) => ({
      ...l,
      paths: l.paths.join(' '),
      firstMissedAt: firmTime(clock, l.firstMissedAt),
      firstCallbackAt: firmTime(clock, l.firstCallbackAt),
      wallMinutes: round1(l.wallMinutes),
      businessMinutes: round1(l.businessMinutes),
      ageMinutes: round1(l.ageMinutes),
      state:
        l.state === 'called-back'
          ? 'called back'
          : l.state === 'waiting'
            ? 'not yet called back'
            : 'closed without a callback',
    })),
  });
  return tables;
}

/** The weekly review's figures as a table (printable page, CSV). */
export function weeklyTables(review: WeeklyReview): MetricsTable[] {
  return [
    {
      id: 'weekly-figures',
      title: `Week ${review.week.label} against the 4 weeks before`,
      columns: [
        col('label', 'Figure'),
        col('value', 'Last week'),
        col('before', 'Average of the 4 weeks before'),
        col('worse', 'Worse'),
      ],
      rows: review.figures.map((f) => ({
        label:
          f.unit === 'rate'
            ? `${f.label} (%)`
            : f.unit === 'minutes'
              ? `${f.label} (min)`
              : f.label,
        value: f.unit === 'rate' ? pct(f.value) : round1(f.value),
        before: f.unit === 'rate' ? pct(f.before) : round1(f.before),
        worse: f.worse,
      })),
    },
  ];
}
