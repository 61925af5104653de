import type { BadgeState } from '../model';

const DUE_SOON_MS = 15 * 60_000;
export const BADGE_DUE_SOON_MS = DUE_SOON_MS;

export const BADGE_COLORS = {
  /** Overdue, but for less than the escalation time. */
  overdue: '#d97706',
  /** Someone has waited well past the limit. */
  critical: '#dc2626',
} as const;

/** Overdue by more than this turns the badge red. */
export const CRITICAL_AFTER_MS = 15 * 60_000;

/** New leads assigned to this browser's user, shown while nothing is overdue. */
export const BADGE_ASSIGNED_COLOR = '#2563eb';

/**
 * Badge text, colour and tooltip from the counts. Pure, so it is table-tested. Overdue
 * leads (everyone's) come first; with none overdue, new leads assigned to this browser's
 * user (`assignedToMe`: open, unclaimed, not tried yet) show in blue.
 */
export function badgeState(
  overdue: number,
  dueSoon: number,
  oldestOverdueMs: number,
  assignedToMe?: number,
): BadgeState {
  const mine = assignedToMe ?? 0;
  const shown = overdue > 0 ? overdue : mine;
  const text = shown === 0 ? '' : shown > 99 ? '99+' : String(shown);
  const color =
    overdue === 0 && mine > 0
      ? BADGE_ASSIGNED_COLOR
      : oldestOverdueMs >= CRITICAL_AFTER_MS
        ? BADGE_COLORS.critical
        : BADGE_COLORS.overdue;
  const parts = [`${overdue} overdue`, `${dueSoon} due within 15 min`];
  if (assignedToMe !== undefined) parts.push(`${mine} new assigned to you`);
  return { overdue, dueSoon, text, color, title: `Callback Desk — ${parts.join(', ')}` };
}
