import type { LeadRow } from '@/utils/metrics/types';
import type { TableColumn } from './DataTable';
import { minutesValue } from './format';

/**
 * The CSV of the leads behind the figures: one row per lead, times in UTC (ISO 8601), no
 * caller name or number. Written in the dashboard's worker, where the rows are.
 */
export const LEAD_COLUMNS: TableColumn<LeadRow>[] = [
  {
    id: 'firstMissedAt',
    header: 'First missed call (UTC)',
    value: (r) => new Date(r.firstMissedAt).toISOString(),
  },
  { id: 'source', header: 'Source', value: (r) => r.source },
  { id: 'practiceArea', header: 'Practice area', value: (r) => r.practiceArea },
  { id: 'staff', header: 'Staff id', value: (r) => r.staffId },
  { id: 'paths', header: 'Capture paths', value: (r) => r.paths.join(' ') },
  { id: 'state', header: 'Callback', value: (r) => r.state },
  {
    id: 'firstCallbackAt',
    header: 'First callback (UTC)',
    value: (r) => (r.firstCallbackAt === null ? null : new Date(r.firstCallbackAt).toISOString()),
  },
  { id: 'wall', header: 'Minutes to callback', value: (r) => minutesValue(r.wallMinutes) },
  {
    id: 'business',
    header: 'Business minutes to callback',
    value: (r) => minutesValue(r.businessMinutes),
  },
  { id: 'age', header: 'Waiting (min)', value: (r) => minutesValue(r.ageMinutes) },
  { id: 'attempts', header: 'Attempts', value: (r) => r.attempts },
  { id: 'reached', header: 'Reached', value: (r) => (r.reached ? 'yes' : 'no') },
  { id: 'consultation', header: 'Consultation', value: (r) => (r.consultation ? 'yes' : 'no') },
  { id: 'retained', header: 'Retained', value: (r) => (r.retained ? 'yes' : 'no') },
  { id: 'pastLimit', header: 'Past the limit', value: (r) => (r.pastLimit ? 'yes' : 'no') },
];
