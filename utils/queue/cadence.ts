import type { AttemptMethod, Lead } from '../model';
import {
  addBusinessMinutes,
  computeDue,
  isOpenAt,
  type BusinessCalendar,
  type DueTimes,
} from './sla';
import {
  DEFAULT_CADENCE,
  type Cadence,
  type CadenceStep,
  type FirmSettings,
  type SlaWindows,
} from '../settings';

export { DEFAULT_CADENCE };
export type { Cadence, CadenceStep };

/**
 * The follow-up cadence after a missed call: the firm's (Options → Firm → Follow-up cadence)
 * or a source rule's own. By default three attempts over 24 hours, each by a different
 * method: 1 call now; 2 call + voicemail + text about an hour later; 3 email within 24 h of
 * the first missed call. A lead whose last step went by without contact moves to No contact.
 */

const METHOD_NAMES: Record<AttemptMethod, string> = {
  call: 'Call',
  voicemail: 'voicemail',
  text: 'text',
  email: 'email',
};

/** "Call + voicemail + text", "Email". */
export function methodsLabel(methods: readonly AttemptMethod[]): string {
  const words = methods.map((m) => METHOD_NAMES[m].toLowerCase());
  const text = words.join(' + ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What staff do at a step, as an instruction: "Call again, leave a voicemail, send a text". */
export function stepInstruction(methods: readonly AttemptMethod[], index: number): string {
  const phrases = methods.map((method) => {
    switch (method) {
      case 'call':
        return index === 0 ? 'call now' : 'call again';
      case 'voicemail':
        return 'leave a voicemail';
      case 'text':
        return 'send a text';
      case 'email':
        return index === 0 ? 'send an email' : 'send a follow-up email';
    }
  });
  const text = phrases.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** When a step falls, in words: "when the call is due", "60 min after the previous attempt". */
export function describeStepTiming(step: CadenceStep, index: number): string {
  if (index === 0) return 'when the missed call is due (callback windows)';
  const delay = formatDelay(step.delayMinutes);
  return step.from === 'previous-attempt'
    ? `${delay} of business time after the previous attempt`
    : `${delay} after the first missed call`;
}

/** "45 min", "1 h", "1 h 30 min", "24 h". */
export function formatDelay(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export interface StepInfo {
  /** 1-based. */
  step: number;
  total: number;
  methods: AttemptMethod[];
  /** An instruction: "Call again, leave a voicemail, send a text". */
  label: string;
}

function stepInfo(cadence: Cadence, index: number): StepInfo | undefined {
  const step = cadence.steps[index];
  if (!step) return undefined;
  return {
    step: index + 1,
    total: cadence.steps.length,
    methods: [...step.methods],
    label: stepInstruction(step.methods, index),
  };
}

/** The default cadence's steps (kept for callers that do not know the firm's settings). */
export const CADENCE: readonly StepInfo[] = DEFAULT_CADENCE.steps.map((_, i) =>
  stepInfo(DEFAULT_CADENCE, i)!,
);

/** The step that comes after `attemptsMade` callback attempts, or undefined past the last. */
export function cadenceStep(
  attemptsMade: number,
  cadence: Cadence = DEFAULT_CADENCE,
): StepInfo | undefined {
  return stepInfo(cadence, Math.max(0, attemptsMade));
}

/**
 * When the step after `attemptsMade` callback attempts is due, or null when the cadence is
 * complete. The first step is the missed call's own due time. A step counted from the
 * previous attempt adds business minutes (the clock stops at closing, weekends and
 * holidays) and is overdue the windows' limit after that. A step counted from the first
 * missed call is due then (never before the previous attempt) if the firm is open, or
 * within the after-hours window of the next opening.
 */
export function nextAttemptDue(
  cal: BusinessCalendar,
  sla: SlaWindows,
  attemptsMade: number,
  lastAttemptAt: number,
  firstMissedAt: number,
  cadence: Cadence = DEFAULT_CADENCE,
): DueTimes | null {
  if (attemptsMade <= 0) return computeDue(cal, sla, firstMissedAt);
  const step = cadence.steps[attemptsMade];
  if (!step) return null;
  if (step.from === 'previous-attempt') {
    const at = addBusinessMinutes(cal, lastAttemptAt, step.delayMinutes);
    return {
      dueAt: at,
      overdueAt: addBusinessMinutes(cal, at, sla.limitMinutes),
      afterHours: !isOpenAt(cal, lastAttemptAt),
    };
  }
  const target = Math.max(firstMissedAt + step.delayMinutes * 60_000, lastAttemptAt);
  if (isOpenAt(cal, target)) {
    return {
      dueAt: target,
      overdueAt: addBusinessMinutes(cal, target, sla.afterHoursMinutes),
      afterHours: false,
    };
  }
  return computeDue(cal, sla, target);
}

/**
 * The cadence a lead follows: that of a source rule for its source (a priority rule first),
 * else the firm's.
 */
export function cadenceOf(
  settings: Pick<FirmSettings, 'cadence' | 'sourceRules'>,
  source: string | undefined,
): Cadence {
  if (source) {
    const rules = settings.sourceRules.filter((r) => r.cadence && r.source === source);
    const rule = rules.find((r) => r.priority) ?? rules[0];
    if (rule?.cadence) return rule.cadence;
  }
  return settings.cadence ?? DEFAULT_CADENCE;
}

/**
 * Callback attempts made in the lead's current run through the cadence. A lead reopened
 * by a new call after No contact starts the cadence again (cadenceRound marks where).
 * Automatic texts are not callback attempts and never count here.
 */
export function stepsDoneOf(lead: Pick<Lead, 'attemptCount' | 'cadenceRound'>): number {
  return Math.max(0, lead.attemptCount - (lead.cadenceRound?.attemptsBefore ?? 0));
}

/** The time the current run's "first missed call" steps count from. */
export function roundStartOf(lead: Pick<Lead, 'firstMissedAt' | 'cadenceRound'>): number {
  return lead.cadenceRound?.firstCallAt ?? lead.firstMissedAt;
}

/** The lead's next step, or null when it has run through the cadence (or is closed). */
export function nextStepOf(
  settings: Pick<FirmSettings, 'cadence' | 'sourceRules'>,
  lead: Pick<Lead, 'attemptCount' | 'cadenceRound' | 'source' | 'status'>,
): StepInfo | null {
  if (lead.status === 'done' || lead.status === 'no-contact') return null;
  return cadenceStep(stepsDoneOf(lead), cadenceOf(settings, lead.source)) ?? null;
}

/** "Step 2 of 3 · Call + voicemail + text". */
export function describeStep(step: StepInfo): string {
  return `Step ${step.step} of ${step.total} · ${methodsLabel(step.methods)}`;
}
