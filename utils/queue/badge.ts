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

/** Badge text, colour and tooltip from the counts. Pure, so it is table-tested. */
export function badgeState(overdue: number, dueSoon: number, oldestOverdueMs: number): BadgeState {
  const text = overdue === 0 ? '' : overdue > 99 ? '99+' : String(overdue);
  const color = oldestOverdueMs >= CRITICAL_AFTER_MS ? BADGE_COLORS.critical : BADGE_COLORS.overdue;
  const parts = [`${overdue} overdue`, `${dueSoon} due within 15 min`];
  return { overdue, dueSoon, text, color, title: `Callback Desk — ${parts.join(', ')}` };
}
