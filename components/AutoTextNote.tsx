import type { FirmClock } from '@/utils/displayTime';
import { needsTextFirst, type Lead, type MissedCall } from '@/utils/model';
import {
  NO_AUTO_TEXT_EXPLANATIONS,
  SKIP_REASON_LABELS,
  type SkipReason,
} from '@/utils/workflow/autoTextReasons';

/** Skips that are the firm's own choice or plain history: nothing to tell on the lead. */
const QUIET_REASONS: readonly string[] = ['off', 'source-off', 'not-live', 'answered'];

/**
 * The lead's automatic text, in one line: "No auto-text sent — text this caller first",
 * held for the caller's quiet hours (until when), about to go, or why none went. A text
 * that was queued shows in the lead's texts instead.
 */
export function AutoTextNote({
  lead,
  calls,
  clock,
  now,
}: {
  lead: Lead;
  calls: readonly MissedCall[] | undefined;
  clock: FirmClock;
  now: number;
}) {
  const flag = needsTextFirst(lead);
  if (flag) {
    return (
      <p className="notice notice-error auto-text-note" role="status">
        <strong>No auto-text sent — text this caller first.</strong>{' '}
        {NO_AUTO_TEXT_EXPLANATIONS[flag.reason]}
      </p>
    );
  }
  const latest = calls
    ?.filter((c) => c.autoText)
    .sort((a, b) => b.startedAt - a.startedAt)[0]?.autoText;
  if (!latest) return null;
  if (latest.state === 'held' && latest.until !== undefined) {
    return (
      <p className="notice auto-text-note" role="status">
        Automatic text held for the caller’s quiet hours
        {latest.zones?.length ? ` (${latest.zones.join(', ')})` : ''}: it goes out{' '}
        {clock.short(latest.until, now)} unless the caller is called back first.
      </p>
    );
  }
  if (latest.state === 'waiting') {
    return (
      <p className="notice auto-text-note" role="status">
        Automatic text going out in a few seconds.
      </p>
    );
  }
  if (latest.state === 'skipped' && latest.reason && !QUIET_REASONS.includes(latest.reason)) {
    const [code, detail] = latest.reason.split(/: (.*)/s);
    const label = SKIP_REASON_LABELS[code as SkipReason] ?? latest.reason;
    return (
      <p className="notice auto-text-note muted" role="status">
        No automatic text: {label}
        {detail ? ` (${detail})` : ''}.
      </p>
    );
  }
  return null;
}
