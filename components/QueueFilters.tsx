import { useId } from 'react';
import { hasActiveFilter, NO_FILTER, type QueueFilter } from '@/utils/queue/queueView';

export interface QueueFiltersProps {
  filter: QueueFilter;
  onChange: (next: QueueFilter) => void;
  /** Source tags present in the queue. */
  sources: readonly string[];
  shown: number;
  total: number;
  /** Whether this browser's user is known (settings.currentStaffId): "Mine" needs it. */
  hasCurrentStaff: boolean;
  /** Leads that ran through the cadence without contact (undefined while counting). */
  noContactCount?: number;
  /** Callers in the queue who are clients already (utils/team/existingClient.ts). */
  existingClientCount?: number;
}

export function QueueFilters({
  filter,
  onChange,
  sources,
  shown,
  total,
  hasCurrentStaff,
  noContactCount,
  existingClientCount,
}: QueueFiltersProps) {
  const sourceId = useId();
  const set = (patch: Partial<QueueFilter>) => onChange({ ...filter, ...patch });
  // Keep a chosen source selectable even after its last lead has left the queue.
  const options =
    filter.source && !sources.includes(filter.source) ? [filter.source, ...sources] : sources;

  return (
    <div className="filters" role="group" aria-label="Filter the queue">
      {!filter.noContact && (
        <label className={`chip-toggle${filter.overdueOnly ? ' on' : ''}`}>
          <input
            type="checkbox"
            checked={filter.overdueOnly}
            onChange={(e) => set({ overdueOnly: e.target.checked })}
          />
          Overdue only
        </label>
      )}
      <label
        className={`chip-toggle${filter.noContact ? ' on' : ''}`}
        title="Leads whose whole follow-up cadence went by without reaching the caller. A new call from the number puts a lead back in the queue."
      >
        <input
          type="checkbox"
          checked={filter.noContact}
          onChange={(e) =>
            set({ noContact: e.target.checked, overdueOnly: false, existingClients: false })
          }
        />
        No contact <span className="chip-count">{noContactCount ?? '…'}</span>
      </label>
      {(Boolean(existingClientCount) || filter.existingClients) && (
        <label
          className={`chip-toggle${filter.existingClients ? ' on' : ''}`}
          title="Callers who are clients already (found in the CRM). They are not leads, so the queue leaves them out, but they still need a call back — from their attorney."
        >
          <input
            type="checkbox"
            checked={Boolean(filter.existingClients)}
            onChange={(e) => set({ existingClients: e.target.checked, noContact: false })}
          />
          Existing clients <span className="chip-count">{existingClientCount ?? '…'}</span>
        </label>
      )}
      <label className={`chip-toggle${filter.mine ? ' on' : ''}`}>
        <input
          type="checkbox"
          checked={filter.mine}
          onChange={(e) => set({ mine: e.target.checked })}
        />
        Mine
      </label>
      <label htmlFor={sourceId} className="visually-hidden">
        Source
      </label>
      <select
        id={sourceId}
        className="filter-select"
        value={filter.source}
        onChange={(e) => set({ source: e.target.value })}
      >
        <option value="">All sources</option>
        {options.map((source) => (
          <option key={source} value={source}>
            {source}
          </option>
        ))}
      </select>
      {hasActiveFilter(filter) && (
        <>
          <span className="filter-count" aria-live="polite">
            {shown} of {total}
          </span>
          <button type="button" className="link-button" onClick={() => onChange(NO_FILTER)}>
            Clear
          </button>
        </>
      )}
      {filter.mine && !hasCurrentStaff && (
        <p className="hint filter-hint" role="note">
          “Mine” needs to know who you are: choose yourself under Team in Settings.
        </p>
      )}
    </div>
  );
}
