import { useId, useMemo, useState } from 'react';
import { TZDate } from '@date-fns/tz';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js';
import { useNow } from '@/components/hooks';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import { errorsUnder, type FormErrors } from '@/utils/fieldErrors';
import { usFederalHolidays } from '@/utils/queue/holidays';
import type { OpeningInterval, WeeklyHours } from '@/utils/settings';
import {
  FieldError,
  NumberField,
  SettingsSection,
  TextField,
  useSettingsDraft,
  type Status,
} from './settingsForm';
import { CadenceEditor, normalizeCadence } from './CadenceEditor';

const KEYS = [
  'firmName',
  'timeZone',
  'defaultCountry',
  'weeklyHours',
  'holidays',
  'sla',
  'notifyNewCalls',
  'dedupeWindowSeconds',
  'cadence',
] as const;

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** Weeks start on Monday in the editor; storage keeps Date#getDay order (0 = Sunday). */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];
const DEFAULT_INTERVAL: OpeningInterval = { open: '09:00', close: '17:00' };

/** Firm identity, business calendar, callback windows and alerts. */
export function FirmSection() {
  const form = useSettingsDraft(KEYS);
  const { draft, update, errors } = form;
  if (!draft) return null;

  const save = () =>
    void form.save({
      // Keep each day's openings in time order: the calendar reads them as a sequence.
      prepare: (d) => ({
        ...d,
        weeklyHours: d.weeklyHours.map((day) =>
          [...day].sort((a, b) => a.open.localeCompare(b.open)),
        ) as WeeklyHours,
        holidays: [...new Set(d.holidays)].sort(),
        cadence: d.cadence && normalizeCadence(d.cadence),
      }),
    });

  return (
    <SettingsSection
      id="firm"
      title="Firm and business hours"
      description="Due times of missed calls come from these hours, holidays and callback windows, in the firm’s time zone."
      form={form}
      onSave={save}
    >
      <fieldset className="options-group">
        <legend>Firm</legend>
        <div className="options-grid">
          <TextField
            label="Firm name"
            value={draft.firmName}
            onChange={(firmName) => update({ firmName })}
            error={errors.firmName}
            autoComplete="organization"
          />
          <CountrySelect
            value={draft.defaultCountry}
            onChange={(defaultCountry) => update({ defaultCountry })}
            error={errors.defaultCountry}
          />
        </div>
        <TimeZoneSelect
          value={draft.timeZone}
          onChange={(timeZone) => update({ timeZone })}
          error={errors.timeZone}
        />
      </fieldset>

      <fieldset className="options-group">
        <legend>Weekly hours</legend>
        <WeeklyHoursEditor
          hours={draft.weeklyHours}
          errors={errors}
          onChange={(weeklyHours) => update({ weeklyHours })}
        />
      </fieldset>

      <fieldset className="options-group">
        <legend>Holidays</legend>
        <HolidayEditor
          holidays={draft.holidays}
          timeZone={draft.timeZone}
          errors={errors}
          onChange={(holidays) => update({ holidays })}
        />
      </fieldset>

      <fieldset className="options-group">
        <legend>Callback windows</legend>
        <p className="options-hint">
          In business hours a missed call is due after the target and overdue after the limit
          (counted in business minutes). After hours, weekends and holidays it is due within the
          after-hours window of the next opening.
        </p>
        <div className="options-grid options-grid-3">
          <NumberField
            label="Target"
            suffix="min"
            min={1}
            value={draft.sla.targetMinutes}
            onChange={(v) => update({ sla: { ...draft.sla, targetMinutes: v ?? Number.NaN } })}
            error={errors['sla.targetMinutes']}
          />
          <NumberField
            label="Limit (overdue after)"
            suffix="min"
            min={1}
            value={draft.sla.limitMinutes}
            onChange={(v) => update({ sla: { ...draft.sla, limitMinutes: v ?? Number.NaN } })}
            error={errors['sla.limitMinutes']}
          />
          <NumberField
            label="After hours: within"
            suffix="min of opening"
            min={1}
            value={draft.sla.afterHoursMinutes}
            onChange={(v) => update({ sla: { ...draft.sla, afterHoursMinutes: v ?? Number.NaN } })}
            error={errors['sla.afterHoursMinutes']}
          />
        </div>
        <RecomputeDueTimes disabled={form.dirty} />
      </fieldset>

      <fieldset className="options-group">
        <legend>Follow-up cadence</legend>
        <p className="options-hint">
          The attempts after a missed call, each by its methods. A source rule (Sources and practice
          areas) can have its own cadence and tighter windows; those apply to every step of its
          leads.
        </p>
        <CadenceEditor
          value={draft.cadence}
          onChange={(cadence) => update({ cadence })}
          errors={errors}
          path="cadence"
          label="Firm cadence steps"
        />
      </fieldset>

      <fieldset className="options-group">
        <legend>Alerts and duplicates</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.notifyNewCalls}
            onChange={(e) => update({ notifyNewCalls: e.target.checked })}
          />
          Show a browser notification for each new missed call
        </label>
        <div className="options-grid">
          <NumberField
            label="Same call seen twice within"
            suffix="seconds"
            min={0}
            max={3600}
            value={draft.dedupeWindowSeconds}
            onChange={(v) => update({ dedupeWindowSeconds: v ?? Number.NaN })}
            error={errors.dedupeWindowSeconds}
            hint="Calls from one number this close together (a group ring, or the portal and the API both reporting it) are stored once."
          />
        </div>
      </fieldset>
    </SettingsSection>
  );
}

function TimeZoneSelect({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const all = useMemo(() => Intl.supportedValuesOf('timeZone'), []);
  const now = useNow(30_000);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase().replace(/\s+/g, '_');
    const matches = needle ? all.filter((tz) => tz.toLowerCase().includes(needle)) : all;
    return matches.includes(value) ? matches : [value, ...matches];
  }, [all, filter, value]);
  const localNow = useMemo(() => {
    try {
      return new Intl.DateTimeFormat(undefined, {
        timeZone: value,
        weekday: 'short',
        hour: 'numeric',
        minute: '2-digit',
        timeZoneName: 'short',
      }).format(now);
    } catch {
      return '';
    }
  }, [value, now]);
  return (
    <div className="field">
      <label htmlFor={id}>Time zone</label>
      <div className="input-row options-timezone">
        <input
          type="search"
          aria-label="Search time zones"
          placeholder="Search, e.g. Chicago"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
        >
          {shown.map((tz) => (
            <option key={tz} value={tz}>
              {tz.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </div>
      {localNow && !error && <span className="options-hint">Now there: {localNow}</span>}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function CountrySelect({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const id = useId();
  const countries = useMemo(() => {
    const names = new Intl.DisplayNames(undefined, { type: 'region' });
    return getCountries()
      .map((code) => ({
        code,
        label: `${names.of(code) ?? code} (+${getCountryCallingCode(code)})`,
      }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, []);
  return (
    <div className="field">
      <label htmlFor={id}>Default country for phone numbers</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
      >
        {countries.map((c) => (
          <option key={c.code} value={c.code}>
            {c.label}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function WeeklyHoursEditor({
  hours,
  errors,
  onChange,
}: {
  hours: WeeklyHours;
  errors: FormErrors;
  onChange: (hours: WeeklyHours) => void;
}) {
  const setDay = (day: number, intervals: OpeningInterval[]) =>
    onChange(hours.map((d, i) => (i === day ? intervals : d)) as WeeklyHours);
  const monday = hours[1] ?? [];
  return (
    <div className="options-hours">
      {WEEK_ORDER.map((day) => {
        const intervals = hours[day] ?? [];
        const open = intervals.length > 0;
        // One line of errors under the day: the overlap check, then each interval's own.
        const dayErrors = [
          ...new Set([
            errors[`weeklyHours.${day}`],
            ...intervals.flatMap((_, i) => errorsUnder(errors, `weeklyHours.${day}.${i}`)),
          ]),
        ].filter(Boolean);
        return (
          <div className="options-hours-row" key={day} role="group" aria-label={DAY_NAMES[day]}>
            <label className="checkbox options-hours-day">
              <input
                type="checkbox"
                checked={open}
                onChange={(e) => setDay(day, e.target.checked ? [DEFAULT_INTERVAL] : [])}
              />
              {DAY_NAMES[day]}
            </label>
            <div className="options-hours-intervals">
              {!open && <span className="options-muted">Closed</span>}
              {intervals.map((interval, index) => {
                const error = errorsUnder(errors, `weeklyHours.${day}.${index}`)[0];
                const setInterval = (change: Partial<OpeningInterval>) =>
                  setDay(
                    day,
                    intervals.map((iv, i) => (i === index ? { ...iv, ...change } : iv)),
                  );
                return (
                  <div className="options-interval" key={index}>
                    <input
                      type="time"
                      aria-label={`${DAY_NAMES[day]} opens`}
                      value={interval.open}
                      aria-invalid={error ? true : undefined}
                      onChange={(e) => setInterval({ open: e.target.value })}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      type="time"
                      aria-label={`${DAY_NAMES[day]} closes`}
                      value={interval.close}
                      aria-invalid={error ? true : undefined}
                      onChange={(e) => setInterval({ close: e.target.value })}
                    />
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Remove ${DAY_NAMES[day]} ${interval.open}–${interval.close}`}
                      onClick={() =>
                        setDay(
                          day,
                          intervals.filter((_, i) => i !== index),
                        )
                      }
                    >
                      ×
                    </button>
                  </div>
                );
              })}
              {open && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    const last = intervals[intervals.length - 1];
                    // A lunch-break pattern: the next block starts an hour after the last ends.
                    const start = last ? shiftTime(last.close, 60) : DEFAULT_INTERVAL.open;
                    setDay(day, [...intervals, { open: start, close: shiftTime(start, 180) }]);
                  }}
                >
                  + Add hours
                </button>
              )}
              {dayErrors.length > 0 && <span className="field-error">{dayErrors.join(' ')}</span>}
            </div>
          </div>
        );
      })}
      <div>
        <button
          type="button"
          className="link-button"
          onClick={() =>
            onChange(hours.map((d, i) => (i >= 1 && i <= 5 ? monday : d)) as WeeklyHours)
          }
        >
          Copy Monday’s hours to Tuesday–Friday
        </button>
      </div>
    </div>
  );
}

/** "HH:mm" moved by `minutes`, kept within the day. */
function shiftTime(hhmm: string, minutes: number): string {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  const total = Math.min(23 * 60 + 59, h * 60 + m + minutes);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function HolidayEditor({
  holidays,
  timeZone,
  errors,
  onChange,
}: {
  holidays: string[];
  timeZone: string;
  errors: FormErrors;
  onChange: (holidays: string[]) => void;
}) {
  const id = useId();
  const [date, setDate] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const now = useNow(60_000);
  // The firm's local date, for this year's holidays and greying out past ones.
  const today = useMemo(() => {
    const local = new TZDate(now, timeZone);
    return (Number.isNaN(local.getTime()) ? new Date(now) : local).toISOString().slice(0, 10);
  }, [now, timeZone]);
  const year = Number(today.slice(0, 4));
  const names = useMemo(() => {
    const map = new Map<string, string>();
    const years = new Set(holidays.map((h) => Number(h.slice(0, 4))));
    for (const y of years) {
      for (const h of [...usFederalHolidays(y), ...usFederalHolidays(y + 1)])
        map.set(h.date, h.name);
    }
    return map;
  }, [holidays]);
  const sorted = [...holidays].sort();
  const error = errorsUnder(errors, 'holidays')[0];

  const addFederal = (y: number) => {
    const dates = usFederalHolidays(y).map((h) => h.date);
    const added = dates.filter((d) => !holidays.includes(d));
    onChange([...holidays, ...added]);
    setNotice(
      added.length
        ? `Added ${added.length} US federal holidays for ${y}.`
        : `The US federal holidays for ${y} are already in the list.`,
    );
  };

  return (
    <div className="options-holidays">
      <p className="options-hint">
        The firm is closed all day on these dates: calls are due after the next opening.
      </p>
      <div className="input-row options-holiday-add">
        <label htmlFor={id} className="visually-hidden">
          Holiday date
        </label>
        <input id={id} type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        <button
          type="button"
          disabled={!date}
          onClick={() => {
            if (!holidays.includes(date)) onChange([...holidays, date]);
            setDate('');
            setNotice(null);
          }}
        >
          Add holiday
        </button>
        <button type="button" onClick={() => addFederal(year)}>
          Add US federal holidays for {year}
        </button>
        <button type="button" onClick={() => addFederal(year + 1)}>
          {year + 1}
        </button>
      </div>
      {notice && <span className="options-hint">{notice}</span>}
      <FieldError id={`${id}-error`} message={error} />
      {sorted.length === 0 ? (
        <p className="options-muted">No holidays.</p>
      ) : (
        <ul className="options-chips" aria-label="Holidays">
          {sorted.map((day) => (
            <li
              key={day}
              className={day < today ? 'options-chip options-chip-past' : 'options-chip'}
            >
              <span>
                {formatDay(day)}
                {names.get(day) && <span className="options-muted"> · {names.get(day)}</span>}
              </span>
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove holiday ${day}`}
                onClick={() => onChange(holidays.filter((h) => h !== day))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function formatDay(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  if (!y || !m || !d) return iso;
  return new Date(y, m - 1, d).toLocaleDateString(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
}

/**
 * Open leads keep the due time they got when the call came in; this re-derives them from
 * the saved hours and windows (only for leads nobody has tried yet: the cadence owns the rest).
 */
function RecomputeDueTimes({ disabled }: { disabled: boolean }) {
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setStatus(null);
    try {
      const { updated } = await sendMessage('recomputeDueTimes');
      setStatus({
        kind: 'ok',
        text:
          updated === 0
            ? 'All open leads already match these hours.'
            : `Updated the due times of ${updated} open ${updated === 1 ? 'lead' : 'leads'}.`,
      });
    } catch (error) {
      setStatus({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="options-recompute">
      <p className="options-hint">
        Changes to hours, holidays and windows apply to new missed calls. Open leads keep their due
        times unless you recompute them (leads with an attempt keep their follow-up times).
      </p>
      <div className="input-row">
        <button type="button" onClick={() => void run()} disabled={busy || disabled}>
          {busy ? 'Recomputing…' : 'Recompute due times of open leads'}
        </button>
        {disabled && <span className="options-muted">Save your changes first.</span>}
        {status && (
          <span role="status" className={`options-status options-status-${status.kind}`}>
            {status.text}
          </span>
        )}
      </div>
    </div>
  );
}
