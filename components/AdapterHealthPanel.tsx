import { useEffect, useRef } from 'react';
import type { AdapterHealthRecord } from '@/utils/db';
import { healthWarning } from '@/utils/capture/health';
import { adapterLabel } from '@/utils/capture/adapters/registry';
import { formatDuration } from '@/utils/queue/sla';
import { useNow } from './hooks';
import { useLiveData } from './useLiveData';

function ago(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  return now - at < 60_000 ? 'just now' : `${formatDuration(now - at)} ago`;
}

function HealthRow({ record, now }: { record: AdapterHealthRecord; now: number }) {
  const label = adapterLabel(record.adapterId);
  const warning = healthWarning(record, label, now);
  return (
    <li
      className={warning ? 'notice notice-warning' : 'notice notice-info'}
      data-adapter={record.id}
    >
      <div>
        <strong>{label}</strong> <span className="muted">{record.host}</span>
      </div>
      <div>
        {record.rowsSeen} rows seen · {record.rowsRead} read · last success{' '}
        {ago(record.lastSuccessAt, now)} · {record.selectorMisses} selector{' '}
        {record.selectorMisses === 1 ? 'miss' : 'misses'}
      </div>
      {warning && <div role="alert">{warning}</div>}
    </li>
  );
}

/**
 * How well each portal adapter reads its pages (per adapter and site), so a portal redesign
 * that breaks capture is noticed the same day instead of the queue going quietly empty.
 */
export function AdapterHealthPanel() {
  const records = useLiveData('adapterHealth', {});
  const now = useNow(30_000);
  const ref = useRef<HTMLDivElement>(null);
  const needsAttention = (records ?? []).some((r) => healthWarning(r, r.adapterId, now) !== null);

  // The panel usually sits in a collapsed disclosure; a warning must not stay hidden there.
  useEffect(() => {
    const details = ref.current?.closest('details');
    if (needsAttention && details && !details.open) details.open = true;
  }, [needsAttention]);

  if (!records) return null;
  return (
    <div ref={ref} className="adapter-health" aria-label="Portal capture health">
      {records.length === 0 ? (
        <p className="hint">
          No phone portal read yet. Open your provider’s call history (RingCentral, Dialpad,
          Aircall, Zoom Phone, Google Voice) in a tab and missed calls are picked up from it.
        </p>
      ) : (
        <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 6 }}>
          {records.map((record) => (
            <HealthRow key={record.id} record={record} now={now} />
          ))}
        </ul>
      )}
    </div>
  );
}
