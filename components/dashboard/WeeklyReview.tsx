import { useEffect, useId, useState } from 'react';
import {
  WEEKDAY_LABELS,
  type MetricsSettings,
  type WeeklyFigure,
  type WeeklyReview as WeeklyReviewData,
} from '@/utils/metrics/types';
import { weeklyReviewEmail } from '@/utils/metrics/weekly';
import {
  DEFAULT_WEEKLY_REMINDER,
  parseWeeklyReminder,
  weeklyReminderItem,
  type WeeklyReminder,
} from '@/utils/metrics/reminder';
import { copyText } from '../clipboard';
import { FigureHelp } from './FigureSection';
import { DataTable, type TableColumn } from './DataTable';
import {
  formatCount,
  formatMinutes,
  formatMoney,
  formatRate,
  minutesValue,
  percentValue,
} from './format';
import { useWeeklyReview, type FiguresWorker } from './useMetrics';

function formatFigure(figure: WeeklyFigure, value: number | null): string {
  switch (figure.unit) {
    case 'minutes':
      return formatMinutes(value);
    case 'rate':
      return formatRate(value);
    default:
      return value === null ? '—' : (Math.round(value * 10) / 10).toLocaleString();
  }
}

function rawFigure(figure: WeeklyFigure, value: number | null): number | null {
  if (value === null) return null;
  return figure.unit === 'rate'
    ? percentValue(value)
    : figure.unit === 'minutes'
      ? minutesValue(value)
      : Math.round(value * 10) / 10;
}

const FIGURE_COLUMNS: TableColumn<WeeklyFigure>[] = [
  { id: 'figure', header: 'Figure', value: (f) => f.label },
  {
    id: 'week',
    header: 'Last week',
    value: (f) => rawFigure(f, f.value),
    display: (f) => formatFigure(f, f.value),
    numeric: true,
  },
  {
    id: 'before',
    header: '4 weeks before (mean)',
    value: (f) => rawFigure(f, f.before),
    display: (f) => formatFigure(f, f.before),
    numeric: true,
  },
  {
    id: 'trend',
    header: 'Change',
    value: (f) => (f.worse === null ? '' : f.worse ? 'worse' : 'better or same'),
  },
];

/**
 * Last week against the four before, as a page to read, print (print styles drop the
 * controls) and paste into an email. The reminder's day and time are set here too.
 */
export function WeeklyReview({
  settings,
  now,
  worker,
}: {
  settings: MetricsSettings;
  now: number;
  worker: () => FiguresWorker;
}) {
  const state = useWeeklyReview(worker, settings, now);
  const [copied, setCopied] = useState<string | null>(null);
  const review = state.review;

  const copyEmail = async (data: WeeklyReviewData) => {
    const email = weeklyReviewEmail(data);
    try {
      await copyText(`Subject: ${email.subject}\n\n${email.body}`);
      setCopied('Copied: paste it into an email.');
    } catch {
      setCopied('Could not copy: select the page text and copy it instead.');
    }
  };

  return (
    <article className="weekly-review" aria-busy={state.busy}>
      <div className="weekly-actions">
        <button type="button" className="primary" onClick={() => window.print()} disabled={!review}>
          Print
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => review && void copyEmail(review)}
          disabled={!review}
        >
          Copy as email
        </button>
        {copied && (
          <span role="status" className="muted">
            {copied}
          </span>
        )}
      </div>
      <ReminderSettings />
      {state.error && (
        <p className="notice notice-error" role="alert">
          The weekly review could not be computed: {state.error}
        </p>
      )}
      {!review ? (
        !state.error && (
          <p className="metrics-loading muted" aria-busy="true">
            Computing last week’s figures…
          </p>
        )
      ) : (
        <WeeklyBody review={review} settings={settings} />
      )}
      <FigureHelp id="weeklyReview" />
    </article>
  );
}

function WeeklyBody({ review, settings }: { review: WeeklyReviewData; settings: MetricsSettings }) {
  const stem = `weekly-review-${review.week.label.replace(/\W+/g, '-')}`;
  return (
    <>
      <header>
        <h2>{review.week.label}</h2>
        <p className="muted">
          {settings.firm.firmName} · compared with the mean of the 4 weeks before · times in{' '}
          {settings.firm.timeZone}
        </p>
      </header>
      <section aria-label="Figures">
        <DataTable
          caption="Last week against the 4 weeks before"
          fileName={`${stem}-figures`}
          rows={review.figures}
          columns={FIGURE_COLUMNS}
        />
      </section>
      <section>
        <h3>Spikes</h3>
        {review.spikes.length === 0 ? (
          <p>No day last week had more missed calls than its weekday’s norm.</p>
        ) : (
          <ul>
            {review.spikes.map((s) => (
              <li key={s.day}>
                {WEEKDAY_LABELS[s.weekday]} {s.day}: {s.missed} missed
                {s.norm &&
                  ` (norm ${Math.round(s.norm.mean * 10) / 10}, spike above ${Math.round(s.norm.threshold * 10) / 10})`}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h3>Slowest hours</h3>
        {review.slowestHours.length === 0 ? (
          <p>No hour had 3 or more leads last week.</p>
        ) : (
          <ol>
            {review.slowestHours.map((h) => (
              <li key={`${h.weekday}-${h.hour}`}>
                {WEEKDAY_LABELS[h.weekday]} {h.hour}:00–{h.hour + 1}:00: median{' '}
                {formatMinutes(h.medianMinutes)} over {formatCount(h.leads)} leads
              </li>
            ))}
          </ol>
        )}
      </section>
      <section>
        <h3>Sources to look at</h3>
        {review.sourcesToLookAt.length === 0 ? (
          <p>Every source met the thresholds last week.</p>
        ) : (
          <ul>
            {review.sourcesToLookAt.map((s) => (
              <li key={s.source}>
                <strong>{s.source || 'No source'}</strong>: {s.reasons.join('; ')} ({s.missedCalls}{' '}
                missed, contact rate {formatRate(s.contactRate)}, median{' '}
                {formatMinutes(s.medianMinutes)}
                {s.spentOnNeverReached !== null &&
                  `, ${formatMoney(s.spentOnNeverReached, settings.currency)} spent on leads never reached`}
                )
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** The weekly reminder: a notification on this weekday at this time (firm time). */
function ReminderSettings() {
  const id = useId();
  const [reminder, setReminder] = useState<WeeklyReminder | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    let active = true;
    void weeklyReminderItem.getValue().then((v) => active && setReminder(parseWeeklyReminder(v)));
    const unwatch = weeklyReminderItem.watch((v) => setReminder(parseWeeklyReminder(v)));
    return () => {
      active = false;
      unwatch();
    };
  }, []);
  const value = reminder ?? DEFAULT_WEEKLY_REMINDER;
  const save = async (next: WeeklyReminder) => {
    setReminder(next);
    await weeklyReminderItem.setValue(next);
    setSaved(
      next.enabled
        ? `Reminder set: every ${SUNDAY_FIRST[next.weekday]} at ${next.time}.`
        : 'Reminder off.',
    );
  };
  return (
    <fieldset className="weekly-reminder" disabled={!reminder}>
      <legend className="visually-hidden">Weekly reminder</legend>
      <label>
        <input
          type="checkbox"
          checked={value.enabled}
          onChange={(e) => void save({ ...value, enabled: e.target.checked })}
        />{' '}
        Remind me every
      </label>
      <label htmlFor={`${id}-day`} className="visually-hidden">
        Reminder day
      </label>
      <select
        id={`${id}-day`}
        value={value.weekday}
        onChange={(e) => void save({ ...value, weekday: Number(e.target.value) })}
      >
        {SUNDAY_FIRST.map((day, index) => (
          <option key={day} value={index}>
            {day}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-time`}>at</label>
      <input
        id={`${id}-time`}
        type="time"
        value={value.time}
        required
        onChange={(e) => e.target.value && void save({ ...value, time: e.target.value })}
      />
      <span className="muted">(firm time)</span>
      {saved && (
        <span role="status" className="muted">
          {saved}
        </span>
      )}
    </fieldset>
  );
}

const SUNDAY_FIRST = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
