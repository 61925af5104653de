import { useMemo, useState } from 'react';
import {
  ANSWERED_VISIBILITY,
  WEEKDAY_LABELS,
  type ContactPeriodRow,
  type Known,
  type MetricsSettings,
  type MissedDayRow,
  type MissedWeekRow,
  type SourceRow,
  type StaffRow,
  type WithinShare,
} from '@/utils/metrics/types';
import type { CapturePath } from '@/utils/model';
import { PlotFigure } from './PlotFigure';
import { DataTable, rateColumn, type TableColumn } from './DataTable';
import { FigureSection } from './FigureSection';
import {
  contactRateChart,
  heatMapChart,
  missedPerDayChart,
  missedRateChart,
  sourcesChart,
  staffChart,
  timeToCallbackChart,
} from './charts';
import {
  formatCount,
  formatMinutes,
  formatMoney,
  formatRate,
  minutesValue,
  percentValue,
  RATE_STATUS_CLASS,
  RATE_STATUS_LABELS,
} from './format';
import { CAPTURE_PATH_LABELS } from './FilterBar';
import { downloadCsvText } from './exportCsv';
import type { DashboardFigures } from './figuresProtocol';
import type { FiguresWorker } from './useMetrics';

/** Every figure of the dashboard, from one computed result. */
export function Figures({
  result,
  settings,
  fileStem,
  worker,
}: {
  result: DashboardFigures;
  settings: MetricsSettings;
  /** CSV file names start with this (the range, e.g. "2026-11-27_2026-12-03"). */
  fileStem: string;
  worker: () => FiguresWorker;
}) {
  return (
    <>
      <HeadlineFigures result={result} settings={settings} />
      <div className="dashboard-sections">
        <TimeToCallbackSection result={result} fileStem={fileStem} />
        <ContactRateSection result={result} fileStem={fileStem} />
        <ConversionSection result={result} fileStem={fileStem} />
        <MissedCallsSection result={result} fileStem={fileStem} />
        <HeatMapSection result={result} fileStem={fileStem} />
        <StaffSection result={result} settings={settings} fileStem={fileStem} />
        <SourcesSection result={result} settings={settings} fileStem={fileStem} />
        {result.survey.answers > 0 && <SurveySection result={result} fileStem={fileStem} />}
        <LeadRowsSection result={result} fileStem={fileStem} worker={worker} />
      </div>
    </>
  );
}

function HeadlineFigures({
  result,
  settings,
}: {
  result: DashboardFigures;
  settings: MetricsSettings;
}) {
  const ttc = result.timeToCallback;
  const within15 = ttc.withinBusiness.find((w) => w.minutes === 15);
  const contact = result.contactRate;
  const missed = result.missedCalls;
  const recovered = result.conversion.recovered;
  return (
    <dl className="headline-figures" aria-label="Figures for this range">
      <div>
        <dt>Missed calls</dt>
        <dd data-figure="missed">{formatCount(missed.missed)}</dd>
      </div>
      <div>
        <dt>Missed-call rate</dt>
        {missed.missedRate === null ? (
          <dd className="unknown" data-figure="missedRate">
            {missed.inboundNote ?? 'Not known: no answered calls were recorded in this range.'}
          </dd>
        ) : (
          <dd data-figure="missedRate">{formatRate(missed.missedRate)}</dd>
        )}
      </div>
      <div>
        <dt>Median time to callback</dt>
        <dd data-figure="medianCallback">
          {formatMinutes(ttc.wall.median)}
          <span className="muted small-figure">
            {' '}
            · {formatMinutes(ttc.business.median)} in business time
          </span>
        </dd>
      </div>
      <div>
        <dt>Called back within 15 business min</dt>
        <dd data-figure="within15">
          {formatRate(within15?.share)}
          {within15 && (
            <span className="muted small-figure">
              {' '}
              ({within15.within} of {within15.decided})
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>Not yet called back</dt>
        <dd data-figure="waiting" className={ttc.waiting ? 'figure-status-needs-work' : undefined}>
          {formatCount(ttc.waiting)}
        </dd>
      </div>
      <div>
        <dt>Contact rate</dt>
        <dd data-figure="contactRate" className={RATE_STATUS_CLASS[contact.status]}>
          {formatRate(contact.rate)}
          <span className="small-figure"> {RATE_STATUS_LABELS[contact.status]}</span>
        </dd>
      </div>
      <div>
        <dt>Retained, of recovered leads</dt>
        <dd data-figure="retained">
          {formatRate(recovered.retainedRate)}
          <span className="muted small-figure">
            {' '}
            ({recovered.retained} of {recovered.leads})
          </span>
        </dd>
      </div>
      <div>
        <dt>Leads in these figures</dt>
        <dd data-figure="leads">
          {formatCount(result.leadCounts.included)}
          {(result.leadCounts.existingClients > 0 ||
            result.leadCounts.noCallbackNumber > 0 ||
            result.leadCounts.answeredAtOnce > 0) && (
            <span className="muted small-figure">
              {' '}
              (
              {[
                result.leadCounts.existingClients > 0 &&
                  `${result.leadCounts.existingClients} existing clients`,
                result.leadCounts.noCallbackNumber > 0 &&
                  `${result.leadCounts.noCallbackNumber} without a number`,
                result.leadCounts.answeredAtOnce > 0 &&
                  `${result.leadCounts.answeredAtOnce} answered at once on another phone`,
              ]
                .filter(Boolean)
                .join(', ')}{' '}
              left out)
            </span>
          )}
        </dd>
      </div>
      {settings.firm.limitMinutes !== 15 && (
        <div>
          <dt>The firm’s limit</dt>
          <dd>{settings.firm.limitMinutes} business min</dd>
        </div>
      )}
    </dl>
  );
}

// ---- Time to callback

const HISTOGRAM_COLUMNS: TableColumn<DashboardFigures['timeToCallback']['histogram'][number]>[] = [
  { id: 'bin', header: 'Time to callback', value: (b) => b.label },
  { id: 'leads', header: 'Leads', value: (b) => b.leads, numeric: true },
];

const withinColumns = (kind: string): TableColumn<WithinShare>[] => [
  { id: 'within', header: `Within (${kind})`, value: (w) => w.label },
  { id: 'leads', header: 'Called back', value: (w) => w.within, numeric: true },
  { id: 'decided', header: 'Of leads', value: (w) => w.decided, numeric: true },
  rateColumn('share', 'Share (%)', (w) => w.share),
];

function TimeToCallbackSection({
  result,
  fileStem,
}: {
  result: DashboardFigures;
  fileStem: string;
}) {
  const ttc = result.timeToCallback;
  const chart = useMemo(() => timeToCallbackChart(ttc), [ttc]);
  const statsRows = useMemo(
    () => [
      { id: 'Wall clock', stats: ttc.wall },
      { id: 'Business minutes', stats: ttc.business },
    ],
    [ttc],
  );
  return (
    <FigureSection
      id="timeToCallback"
      help={['timeToCallback', 'withinShares']}
      summary={
        <p>
          {ttc.calledBack} of {ttc.leads} leads called back by phone; median{' '}
          <strong>{formatMinutes(ttc.wall.median)}</strong>, p90 {formatMinutes(ttc.wall.p90)}, mean{' '}
          {formatMinutes(ttc.wall.mean)} (business time: median {formatMinutes(ttc.business.median)}
          ). <strong>{ttc.waiting}</strong> not yet called back; {ttc.closedWithoutCallback} closed
          without a callback by phone.
        </p>
      }
      chart={
        ttc.calledBack > 0
          ? {
              options: chart,
              caption: `Time to callback of ${ttc.calledBack} leads called back, with the 5-minute, 15-minute and 1-hour marks`,
            }
          : null
      }
      table={
        <div className="figure-tables">
          <DataTable
            caption="Median, p90 and mean (minutes)"
            fileName={`${fileStem}-time-to-callback-stats`}
            rows={statsRows}
            columns={[
              { id: 'clock', header: 'Clock', value: (r) => r.id },
              { id: 'count', header: 'Leads', value: (r) => r.stats.count, numeric: true },
              {
                id: 'median',
                header: 'Median (min)',
                value: (r) => minutesValue(r.stats.median),
                display: (r) => formatMinutes(r.stats.median),
                numeric: true,
              },
              {
                id: 'p90',
                header: 'p90 (min)',
                value: (r) => minutesValue(r.stats.p90),
                display: (r) => formatMinutes(r.stats.p90),
                numeric: true,
              },
              {
                id: 'mean',
                header: 'Mean (min)',
                value: (r) => minutesValue(r.stats.mean),
                display: (r) => formatMinutes(r.stats.mean),
                numeric: true,
              },
            ]}
          />
          <DataTable
            caption="Time to callback, leads per band"
            fileName={`${fileStem}-time-to-callback`}
            rows={ttc.histogram}
            columns={HISTOGRAM_COLUMNS}
          />
          <DataTable
            caption="Called back within (wall clock)"
            fileName={`${fileStem}-called-back-within-wall`}
            rows={ttc.withinWall}
            columns={withinColumns('wall clock')}
          />
          <DataTable
            caption="Called back within (business minutes)"
            fileName={`${fileStem}-called-back-within-business`}
            rows={ttc.withinBusiness}
            columns={withinColumns('business minutes')}
          />
          {ttc.waitingAges.length > 0 && (
            <DataTable
              caption="Not yet called back"
              fileName={`${fileStem}-not-yet-called-back`}
              rows={ttc.waitingAges}
              columns={[
                {
                  id: 'first',
                  header: 'First missed call',
                  value: (w) => new Date(w.firstMissedAt).toISOString(),
                  display: (w) => formatInstant(w.firstMissedAt, result.timeZone),
                },
                {
                  id: 'age',
                  header: 'Waiting (min)',
                  value: (w) => minutesValue(w.ageMinutes),
                  display: (w) => formatMinutes(w.ageMinutes),
                  numeric: true,
                },
              ]}
            />
          )}
        </div>
      }
    />
  );
}

// ---- Contact rate

function contactColumns(period: string): TableColumn<ContactPeriodRow>[] {
  return [
    { id: 'period', header: period, value: (r) => r.period },
    { id: 'leads', header: 'Leads', value: (r) => r.leads, numeric: true },
    { id: 'attempted', header: 'Attempted', value: (r) => r.attempted, numeric: true },
    { id: 'reached', header: 'Reached', value: (r) => r.reached, numeric: true },
    rateColumn('rate', 'Contact rate (%)', (r) => r.rate),
    { id: 'status', header: 'Status', value: (r) => RATE_STATUS_LABELS[r.status] },
  ];
}

function ContactRateSection({ result, fileStem }: { result: DashboardFigures; fileStem: string }) {
  const figure = result.contactRate;
  // Days up to five weeks; weeks beyond, so the line stays readable.
  const period = figure.byDay.length > 35 ? 'week' : 'day';
  const rows = period === 'day' ? figure.byDay : figure.byWeek;
  const chart = useMemo(
    () => contactRateChart(rows, figure.goodAtLeast, figure.needsWorkBelow, period),
    [rows, figure.goodAtLeast, figure.needsWorkBelow, period],
  );
  return (
    <FigureSection
      id="contactRate"
      summary={
        <p>
          <strong className={RATE_STATUS_CLASS[figure.status]}>
            {formatRate(figure.rate)} ({RATE_STATUS_LABELS[figure.status]})
          </strong>
          : {figure.reached} reached of {figure.attempted} leads with an attempt.{' '}
          {figure.neverAttempted > 0 &&
            `${figure.neverAttempted} leads have no attempt yet (not in the rate).`}
        </p>
      }
      chart={
        figure.attempted > 0
          ? {
              options: chart,
              caption: `Contact rate per ${period} of the first missed call, against the firm's thresholds (good at or above ${formatRate(figure.goodAtLeast)}, needs work below ${formatRate(figure.needsWorkBelow)})`,
            }
          : null
      }
      table={
        <DataTable
          caption={`Contact rate per ${period}`}
          fileName={`${fileStem}-contact-rate-per-${period}`}
          rows={rows}
          columns={contactColumns(period === 'day' ? 'Day' : 'Week of')}
        />
      }
    />
  );
}

// ---- Conversion

function knownText(value: Known<number | null>, format: (n: number | null) => string): string {
  return value.known ? format(value.value) : 'not known';
}

function ConversionSection({ result, fileStem }: { result: DashboardFigures; fileStem: string }) {
  const { recovered, answeredLive } = result.conversion;
  const unknownReasons = [
    ...new Set(
      [
        answeredLive.newCallers,
        answeredLive.consultations,
        answeredLive.retained,
        answeredLive.retainedRate,
      ]
        .filter((k): k is { known: false; reason: string } => !k.known)
        .map((k) => k.reason),
    ),
  ];
  const rows = [
    {
      group: 'Recovered leads (called back)',
      callers: recovered.leads as number | null,
      consultations: recovered.consultations as number | null,
      retained: recovered.retained as number | null,
      retainedRate: recovered.retainedRate,
      consultationRate: recovered.consultationRate,
    },
    {
      group: 'New callers answered live',
      callers: answeredLive.newCallers.known ? answeredLive.newCallers.value : null,
      consultations: answeredLive.consultations.known ? answeredLive.consultations.value : null,
      retained: answeredLive.retained.known ? answeredLive.retained.value : null,
      retainedRate: answeredLive.retainedRate.known ? answeredLive.retainedRate.value : null,
      consultationRate: null as number | null,
    },
  ];
  type Row = (typeof rows)[number];
  return (
    <FigureSection
      id="conversion"
      summary={
        <>
          <p>
            Recovered leads: <strong>{recovered.consultations}</strong> consultations (
            {formatRate(recovered.consultationRate)}) and <strong>{recovered.retained}</strong>{' '}
            retained ({formatRate(recovered.retainedRate)}) of {recovered.leads} reached.
            {recovered.dispositionKnown < recovered.leads &&
              ` Retained or not is recorded for ${recovered.dispositionKnown} of them.`}
          </p>
          <p>
            New callers answered live: {knownText(answeredLive.newCallers, formatCount)} callers,{' '}
            {knownText(answeredLive.retained, formatCount)} retained (
            {knownText(answeredLive.retainedRate, formatRate)}).
          </p>
          {unknownReasons.length > 0 && (
            <UnknownNote
              title="The answered side is not known, so no number is shown for it."
              reasons={unknownReasons}
              blindPaths={result.answeredBlindPaths}
            />
          )}
        </>
      }
      table={
        <DataTable<Row>
          caption="Recovered leads and callers answered live"
          fileName={`${fileStem}-conversion`}
          rows={rows}
          columns={[
            { id: 'group', header: 'Callers', value: (r) => r.group },
            {
              id: 'callers',
              header: 'Count',
              value: (r) => r.callers,
              display: (r) => notKnown(r.callers),
              numeric: true,
            },
            {
              id: 'consultations',
              header: 'Consultations',
              value: (r) => r.consultations,
              display: (r) => notKnown(r.consultations),
              numeric: true,
            },
            {
              id: 'retained',
              header: 'Retained',
              value: (r) => r.retained,
              display: (r) => notKnown(r.retained),
              numeric: true,
            },
            rateColumn('retainedRate', 'Retained (%)', (r) => r.retainedRate, {
              unknown: 'not known',
            }),
          ]}
        />
      }
    />
  );
}

function notKnown(n: number | null): string {
  return n === null ? 'not known' : n.toLocaleString();
}

/** Why a figure has no number, and which capture paths cannot see answered calls. */
export function UnknownNote({
  title,
  reasons,
  blindPaths,
}: {
  title: string;
  reasons: readonly string[];
  blindPaths: readonly CapturePath[];
}) {
  return (
    <div className="figure-unknown" role="note">
      <p>
        <strong>{title}</strong> {reasons.join(' ')}
      </p>
      {blindPaths.length > 0 && (
        <>
          <p>Capture paths in this range that cannot see answered calls:</p>
          <ul>
            {blindPaths.map((path) => (
              <li key={path}>
                {CAPTURE_PATH_LABELS[path]} — {ANSWERED_VISIBILITY[path].note}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

// ---- Missed calls

const MISSED_DAY_COLUMNS: TableColumn<MissedDayRow>[] = [
  { id: 'day', header: 'Day', value: (r) => r.day },
  { id: 'weekday', header: 'Weekday', value: (r) => WEEKDAY_LABELS[r.weekday] ?? '' },
  { id: 'missed', header: 'Missed', value: (r) => r.missed, numeric: true },
  {
    id: 'answered',
    header: 'Answered',
    value: (r) => r.answered,
    display: (r) => (r.answered === null ? 'not known' : String(r.answered)),
    numeric: true,
  },
  rateColumn('missedRate', 'Missed of inbound (%)', (r) => r.missedRate, {
    unknown: 'inbound not known',
  }),
  {
    id: 'norm',
    header: 'Spike above',
    value: (r) => (r.norm ? Math.round(r.norm.threshold * 10) / 10 : null),
    display: (r) => (r.norm ? `${Math.round(r.norm.threshold * 10) / 10}` : 'no norm yet'),
    numeric: true,
  },
  {
    id: 'spike',
    header: 'Spike',
    value: (r) => (r.spike ? 'spike' : ''),
    display: (r) => (r.spike ? 'Spike' : ''),
  },
];

/** While the 4 weeks before the range are read, a day without a norm yet says so. */
const MISSED_DAY_COLUMNS_PENDING: TableColumn<MissedDayRow>[] = MISSED_DAY_COLUMNS.map((c) =>
  c.id === 'norm' ? { ...c, display: (r) => (r.norm ? (c.display?.(r) ?? '') : 'computing…') } : c,
);

const MISSED_WEEK_COLUMNS: TableColumn<MissedWeekRow>[] = [
  { id: 'week', header: 'Week of', value: (r) => r.week },
  { id: 'days', header: 'Days in range', value: (r) => r.days, numeric: true },
  { id: 'missed', header: 'Missed', value: (r) => r.missed, numeric: true },
  {
    id: 'answered',
    header: 'Answered',
    value: (r) => r.answered,
    display: (r) => (r.answered === null ? 'not known' : String(r.answered)),
    numeric: true,
  },
  rateColumn('missedRate', 'Missed of inbound (%)', (r) => r.missedRate, {
    unknown: 'inbound not known',
  }),
];

function MissedCallsSection({ result, fileStem }: { result: DashboardFigures; fileStem: string }) {
  const figure = result.missedCalls;
  const chart = useMemo(() => missedPerDayChart(figure.byDay), [figure.byDay]);
  const rateChart = useMemo(() => missedRateChart(figure.byDay), [figure.byDay]);
  const anyRate = figure.byDay.some((d) => d.missedRate !== null);
  return (
    <FigureSection
      id="missedCalls"
      help={['missedCalls', 'missedRate', 'spikes']}
      title="Missed calls per day"
      summary={
        <>
          <p>
            <strong>{figure.missed}</strong> missed calls
            {figure.missedRate !== null
              ? `, ${formatRate(figure.missedRate)} of ${(figure.missed + (figure.answered ?? 0)).toLocaleString()} inbound calls`
              : ''}
            .{' '}
            {figure.spikes.length > 0
              ? `Spikes: ${figure.spikes.map((s) => `${WEEKDAY_LABELS[s.weekday]} ${s.day} (${s.missed})`).join(', ')}.`
              : result.normsPendingDays
                ? ''
                : 'No spike in this range.'}
            {result.normsPendingDays ? (
              <span className="muted" data-norms-pending={result.normsPendingDays}>
                {' '}
                Spikes: computing… (reading the 4 weeks before for each weekday’s norm)
              </span>
            ) : null}
          </p>
          {figure.missedRate === null && (
            <UnknownNote
              title="Missed-call rate not known."
              reasons={[figure.inboundNote ?? 'No answered calls were recorded in this range.']}
              blindPaths={result.answeredBlindPaths}
            />
          )}
          {figure.missedRate !== null && result.answeredBlindPaths.length > 0 && (
            <UnknownNote
              title="The rate counts only the answered calls the desk could see."
              reasons={[]}
              blindPaths={result.answeredBlindPaths}
            />
          )}
        </>
      }
      chart={
        figure.byDay.length > 0
          ? {
              options: chart,
              caption: `Missed calls per day${figure.spikes.length ? `, ${figure.spikes.length} spike days marked in red` : ''}`,
            }
          : null
      }
      table={
        <div className="figure-tables">
          {anyRate && (
            <figure className="figure-chart">
              <MissedRatePlot options={rateChart} />
            </figure>
          )}
          <DataTable
            caption="Missed calls per day"
            fileName={`${fileStem}-missed-calls-per-day`}
            rows={figure.byDay}
            columns={result.normsPendingDays ? MISSED_DAY_COLUMNS_PENDING : MISSED_DAY_COLUMNS}
          />
          <DataTable
            caption="Missed calls per week"
            fileName={`${fileStem}-missed-calls-per-week`}
            rows={figure.byWeek}
            columns={MISSED_WEEK_COLUMNS}
          />
        </div>
      }
    />
  );
}

function MissedRatePlot({ options }: { options: Parameters<typeof PlotFigure>[0]['options'] }) {
  const caption = 'Missed-call rate per day, on days with answered calls recorded';
  return (
    <>
      <PlotFigure options={options} label={caption} />
      <figcaption className="muted">{caption}</figcaption>
    </>
  );
}

// ---- Heat map

function HeatMapSection({ result, fileStem }: { result: DashboardFigures; fileStem: string }) {
  const chart = useMemo(() => heatMapChart(result.heatMap, result.timeZone), [result]);
  const rows = useMemo(
    () =>
      WEEKDAY_LABELS.map((label, weekday) => ({
        weekday: label,
        hours: Array.from(
          { length: 24 },
          (_, hour) =>
            result.heatMap.find((c) => c.weekday === weekday && c.hour === hour)?.missed ?? 0,
        ),
      })),
    [result.heatMap],
  );
  type Row = (typeof rows)[number];
  const columns: TableColumn<Row>[] = [
    { id: 'weekday', header: 'Weekday', value: (r) => r.weekday },
    ...Array.from({ length: 24 }, (_, hour) => ({
      id: `h${hour}`,
      header: `${hour}:00`,
      value: (r: Row) => r.hours[hour] ?? 0,
      numeric: true,
    })),
  ];
  const total = result.heatMap.reduce((sum, c) => sum + c.missed, 0);
  return (
    <FigureSection
      id="heatMap"
      wide
      chart={
        total > 0
          ? {
              options: chart,
              caption: `Missed calls by hour of day and weekday, ${result.timeZone} time`,
            }
          : null
      }
      table={
        <DataTable
          caption={`Missed calls by weekday and hour (${result.timeZone})`}
          fileName={`${fileStem}-missed-by-hour`}
          rows={rows}
          columns={columns}
        />
      }
    />
  );
}

// ---- Staff

function StaffSection({
  result,
  settings,
  fileStem,
}: {
  result: DashboardFigures;
  settings: MetricsSettings;
  fileStem: string;
}) {
  const chart = useMemo(
    () => staffChart(result.staff, settings.firm.limitMinutes),
    [result.staff, settings.firm.limitMinutes],
  );
  const columns: TableColumn<StaffRow>[] = [
    { id: 'name', header: 'Staff member', value: (r) => r.name || 'Unassigned' },
    { id: 'leads', header: 'Leads assigned', value: (r) => r.leads, numeric: true },
    {
      id: 'median',
      header: 'Median to callback (min)',
      value: (r) => minutesValue(r.medianMinutes),
      display: (r) => formatMinutes(r.medianMinutes),
      numeric: true,
    },
    {
      id: 'medianBusiness',
      header: 'Median, business (min)',
      value: (r) => minutesValue(r.medianBusinessMinutes),
      display: (r) => formatMinutes(r.medianBusinessMinutes),
      numeric: true,
    },
    {
      id: 'attemptsPerLead',
      header: 'Attempts per lead',
      value: (r) => (r.attemptsPerLead === null ? null : Math.round(r.attemptsPerLead * 10) / 10),
      numeric: true,
    },
    rateColumn('contactRate', 'Contact rate (%)', (r) => r.contactRate),
    {
      id: 'pastLimit',
      header: `Past the ${settings.firm.limitMinutes}-min limit`,
      value: (r) => r.pastLimit,
      numeric: true,
    },
  ];
  return (
    <FigureSection
      id="staff"
      chart={
        result.staff.some((r) => r.medianMinutes !== null)
          ? {
              options: chart,
              caption: `Median time to callback per staff member, against the ${settings.firm.limitMinutes}-minute limit`,
            }
          : null
      }
      table={
        <DataTable
          caption="Per staff member"
          fileName={`${fileStem}-staff`}
          rows={result.staff}
          columns={columns}
        />
      }
    />
  );
}

// ---- Sources

function SourcesSection({
  result,
  settings,
  fileStem,
}: {
  result: DashboardFigures;
  settings: MetricsSettings;
  fileStem: string;
}) {
  const chart = useMemo(() => sourcesChart(result.sources), [result.sources]);
  const money = result.sources.some((r) => r.costPerLead !== null);
  const columns: TableColumn<SourceRow>[] = [
    { id: 'source', header: 'Source', value: (r) => r.source || 'No source' },
    { id: 'missed', header: 'Missed calls', value: (r) => r.missedCalls, numeric: true },
    { id: 'leads', header: 'Leads', value: (r) => r.leads, numeric: true },
    {
      id: 'median',
      header: 'Median to callback (min)',
      value: (r) => minutesValue(r.medianMinutes),
      display: (r) => formatMinutes(r.medianMinutes),
      numeric: true,
    },
    {
      id: 'contactRate',
      header: 'Contact rate (%)',
      value: (r) => percentValue(r.contactRate),
      display: (r) =>
        `${formatRate(r.contactRate)} ${r.contactStatus === 'no-data' ? '' : RATE_STATUS_LABELS[r.contactStatus]}`.trim(),
      numeric: true,
    },
    { id: 'consultations', header: 'Consultations', value: (r) => r.consultations, numeric: true },
    { id: 'retained', header: 'Retained', value: (r) => r.retained, numeric: true },
    rateColumn('conversion', 'Conversion (%)', (r) => r.conversion),
    { id: 'neverReached', header: 'Never reached', value: (r) => r.neverReached, numeric: true },
    ...(money
      ? [
          {
            id: 'costPerLead',
            header: `Cost per lead (${settings.currency})`,
            value: (r: SourceRow) => r.costPerLead,
            display: (r: SourceRow) => formatMoney(r.costPerLead, settings.currency),
            numeric: true,
          },
          {
            id: 'spent',
            header: `Spent on never-reached leads (${settings.currency})`,
            value: (r: SourceRow) => r.spentOnNeverReached,
            display: (r: SourceRow) => formatMoney(r.spentOnNeverReached, settings.currency),
            numeric: true,
          },
        ]
      : []),
  ];
  const spent = result.sources.reduce((sum, r) => sum + (r.spentOnNeverReached ?? 0), 0);
  return (
    <FigureSection
      id="sources"
      summary={
        money ? (
          <p>
            Spent on leads never reached: <strong>{formatMoney(spent, settings.currency)}</strong>
          </p>
        ) : (
          <p className="muted">
            Set a cost per lead per source in Settings › Metrics to see the money spent on leads
            that were never reached.
          </p>
        )
      }
      chart={
        result.sources.length > 0
          ? {
              options: chart,
              caption: 'Missed calls per source, coloured by the source’s contact rate',
            }
          : null
      }
      table={
        <DataTable
          caption="Per source"
          fileName={`${fileStem}-sources`}
          rows={result.sources}
          columns={columns}
        />
      }
    />
  );
}

// ---- Survey

function SurveySection({ result, fileStem }: { result: DashboardFigures; fileStem: string }) {
  const s = result.survey;
  const rows = [
    {
      question: 'Felt valued',
      yes: s.feltValued.yes,
      answered: s.feltValued.answered,
      share: s.feltValued.share,
    },
    {
      question: 'Response time acceptable',
      yes: s.responseTimeAcceptable.yes,
      answered: s.responseTimeAcceptable.answered,
      share: s.responseTimeAcceptable.share,
    },
  ];
  type Row = (typeof rows)[number];
  return (
    <FigureSection
      id="survey"
      summary={
        <p>
          {s.answers} answers; rating median {s.rating.median ?? '—'}, mean{' '}
          {s.rating.mean === null ? '—' : Math.round(s.rating.mean * 10) / 10} (1–5).
        </p>
      }
      table={
        <DataTable<Row>
          caption="Post-intake survey"
          fileName={`${fileStem}-survey`}
          rows={rows}
          columns={[
            { id: 'question', header: 'Question', value: (r) => r.question },
            { id: 'yes', header: 'Yes', value: (r) => r.yes, numeric: true },
            { id: 'answered', header: 'Answered', value: (r) => r.answered, numeric: true },
            rateColumn('share', 'Yes (%)', (r) => r.share),
          ]}
        />
      }
    />
  );
}

// ---- The leads behind the figures (CSV only: there can be tens of thousands)

function LeadRowsSection({
  result,
  fileStem,
  worker,
}: {
  result: DashboardFigures;
  fileStem: string;
  worker: () => FiguresWorker;
}) {
  const [state, setState] = useState<string | null>(null);
  const exportLeads = async () => {
    setState('Preparing the file…');
    const reply = await worker().ask({ kind: 'leadsCsv' });
    if (reply.kind === 'csv') {
      downloadCsvText(`${fileStem}-leads`, reply.csv);
      setState(null);
    } else {
      setState(reply.kind === 'error' ? reply.error : 'The file could not be prepared.');
    }
  };
  return (
    <section className="dashboard-figure" aria-label="Leads behind these figures">
      <h2>Leads behind these figures</h2>
      <p className="muted">
        One row per lead counted above ({result.leadCount.toLocaleString()} leads): times, source,
        staff, outcome. No caller names or numbers.
      </p>
      <div>
        <button
          type="button"
          className="secondary"
          disabled={result.leadCount === 0 || state !== null}
          onClick={() => void exportLeads()}
        >
          Export leads as CSV
        </button>
        {state && (
          <span role="status" className="muted">
            {' '}
            {state}
          </span>
        )}
      </div>
    </section>
  );
}

function formatInstant(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(ms);
}
