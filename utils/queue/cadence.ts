import type { AttemptMethod } from '../model';
import {
  addBusinessMinutes,
  computeDue,
  isOpenAt,
  type BusinessCalendar,
  type DueTimes,
} from './sla';
import type { SlaWindows } from '../settings';

/** Three attempts over 24 hours, each by a different method. */
export const CADENCE: readonly { step: number; methods: AttemptMethod[]; label: string }[] = [
  { step: 1, methods: ['call'], label: 'Call now' },
  {
    step: 2,
    methods: ['call', 'voicemail', 'text'],
    label: 'Call again, leave a voicemail, send a text',
  },
  { step: 3, methods: ['email'], label: 'Send a follow-up email' },
];

export const SECOND_ATTEMPT_AFTER_MINUTES = 60;
export const THIRD_ATTEMPT_AFTER_HOURS = 24;

/**
 * When the next attempt is due after `attemptsMade` unsuccessful attempts, or null when
 * the cadence is complete. The second attempt comes an hour (of business time) after the
 * first; the third within a day of the first missed call, at the next opening if that
 * falls after hours.
 */
export function nextAttemptDue(
  cal: BusinessCalendar,
  sla: SlaWindows,
  attemptsMade: number,
  lastAttemptAt: number,
  firstMissedAt: number,
): DueTimes | null {
  if (attemptsMade <= 0) return computeDue(cal, sla, firstMissedAt);
  if (attemptsMade === 1) {
    const at = addBusinessMinutes(cal, lastAttemptAt, SECOND_ATTEMPT_AFTER_MINUTES);
    return {
      dueAt: at,
      overdueAt: addBusinessMinutes(cal, at, sla.limitMinutes),
      afterHours: !isOpenAt(cal, lastAttemptAt),
    };
  }
  if (attemptsMade === 2) {
    const target = Math.max(firstMissedAt + THIRD_ATTEMPT_AFTER_HOURS * 3_600_000, lastAttemptAt);
    if (isOpenAt(cal, target)) {
      return {
        dueAt: target,
        overdueAt: addBusinessMinutes(cal, target, sla.afterHoursMinutes),
        afterHours: false,
      };
    }
    return computeDue(cal, sla, target);
  }
  return null;
}

export function cadenceStep(attemptsMade: number): (typeof CADENCE)[number] | undefined {
  return CADENCE[attemptsMade];
}
