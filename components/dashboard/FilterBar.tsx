import { useId } from 'react';
import { CAPTURE_PATHS, type CapturePath } from '@/utils/model';
import type { StaffMember } from '@/utils/settings';
import {
  isoDayOf,
  RANGE_PRESETS,
  RANGE_PRESET_LABELS,
  type DashboardQuery,
  type RangePreset,
} from './urlState';

export const CAPTURE_PATH_LABELS: Record<CapturePath, string> = {
  portal: 'Phone portal page',
  api: 'Provider API',
  crm: 'CRM call log',
  csv: 'CSV import',
  manual: 'Added by hand',
};

export interface FilterChoices {
  sources: readonly string[];
  practiceAreas: readonly string[];
  staff: readonly StaffMember[];
}

/**
 * The one date range and filter bar that drives every chart and table. Every change goes to
 * the URL (a new history entry), so the view can be bookmarked and Back undoes a change.
 */
export function FilterBar({
  query,
  onChange,
  choices,
  rangeLabel,
  now,
  timeZone,
}: {
  query: DashboardQuery;
  onChange: (next: DashboardQuery) => void;
  choices: FilterChoices;
  rangeLabel: string;
  now: number;
  timeZone: string;
}) {
  const id = useId();
  const today = isoDayOf(now, timeZone);
  const setPreset = (preset: RangePreset) => {
    if (preset === 'custom') {
      // Custom starts from the last 7 days, for the user to move.
      const weekAgo = isoDayOf(now - 6 * 86_400_000, timeZone);
      onChange({ ...query, preset, from: query.from ?? weekAgo, to: query.to ?? today });
    } else {
      onChange({ ...query, preset, from: undefined, to: undefined });
    }
  };
  const filtered = Boolean(query.source || query.practiceArea || query.staff || query.capturePath);

  return (
    <form
      className="filter-bar"
      aria-label="Date range and filters"
      onSubmit={(e) => e.preventDefault()}
    >
      <fieldset className="range-presets">
        <legend>Date range</legend>
        <div className="segmented" role="radiogroup" aria-label="Date range">
          {RANGE_PRESETS.map((preset) => (
            <label key={preset} className={query.preset === preset ? 'selected' : undefined}>
              <input
                type="radio"
                name={`${id}-range`}
                value={preset}
                checked={query.preset === preset}
                onChange={() => setPreset(preset)}
              />
              {RANGE_PRESET_LABELS[preset]}
            </label>
          ))}
        </div>
        {query.preset === 'custom' && (
          <div className="custom-range">
            <label>
              From
              <input
                type="date"
                value={query.from ?? ''}
                max={query.to ?? today}
                required
                onChange={(e) => e.target.value && onChange({ ...query, from: e.target.value })}
              />
            </label>
            <label>
              To
              <input
                type="date"
                value={query.to ?? ''}
                min={query.from}
                required
                onChange={(e) => e.target.value && onChange({ ...query, to: e.target.value })}
              />
            </label>
          </div>
        )}
        <p className="range-label muted" aria-live="polite">
          {rangeLabel}
        </p>
      </fieldset>
      <div className="filter-selects">
        <FilterSelect
          label="Source"
          allLabel="All sources"
          value={query.source}
          options={choices.sources.map((s) => [s, s])}
          onChange={(source) => onChange({ ...query, source })}
        />
        <FilterSelect
          label="Practice area"
          allLabel="All practice areas"
          value={query.practiceArea}
          options={choices.practiceAreas.map((a) => [a, a])}
          onChange={(practiceArea) => onChange({ ...query, practiceArea })}
        />
        <FilterSelect
          label="Staff"
          allLabel="All staff"
          value={query.staff}
          options={choices.staff.map((m) => [m.id, m.name])}
          onChange={(staff) => onChange({ ...query, staff })}
        />
        <FilterSelect
          label="Capture path"
          allLabel="All capture paths"
          value={query.capturePath}
          options={CAPTURE_PATHS.map((p) => [p, CAPTURE_PATH_LABELS[p]])}
          onChange={(path) => onChange({ ...query, capturePath: path as CapturePath | undefined })}
        />
        {filtered && (
          <button
            type="button"
            className="link-button"
            onClick={() =>
              onChange({
                ...query,
                source: undefined,
                practiceArea: undefined,
                staff: undefined,
                capturePath: undefined,
              })
            }
          >
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

function FilterSelect({
  label,
  allLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  allLabel: string;
  value: string | undefined;
  options: readonly (readonly [value: string, label: string])[];
  onChange: (value: string | undefined) => void;
}) {
  // A value from a bookmark that is no longer among the choices stays selectable.
  const all =
    value && !options.some(([v]) => v === value) ? [...options, [value, value] as const] : options;
  return (
    <label className="filter-select">
      <span>{label}</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{allLabel}</option>
        {all.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
