import { cadenceStep, DEFAULT_CADENCE, type Cadence } from './cadence';
import { CLOSING_OUTCOMES, type Attempt, type AttemptMethod, type Outcome } from '../model';

/**
 * Whether recording this attempt should close the lead unless the user says otherwise: a
 * closing outcome (reached, booked, …). An unanswered last step does not close it: the
 * lead moves to No contact, where a new call from the number reopens it.
 */
export function closesByDefault(outcome: Outcome | ''): boolean {
  return Boolean(outcome && CLOSING_OUTCOMES.includes(outcome));
}

/**
 * The method the cadence suggests for the next attempt: the step's first method not done
 * yet in this step. An automatic text sent since the step began counts as its text.
 */
export function suggestedMethod(
  stepsDone: number,
  cadence: Cadence = DEFAULT_CADENCE,
  doneInStep: readonly AttemptMethod[] = [],
): AttemptMethod {
  const methods = cadenceStep(stepsDone, cadence)?.methods ?? ['call'];
  return methods.find((m) => !doneInStep.includes(m)) ?? methods[0] ?? 'call';
}

/**
 * Methods already covered in the current step: attempts (automatic texts included) since
 * the previous callback attempt, or since the lead's run began for step 1.
 */
export function methodsDoneInStep(
  attempts: readonly Pick<Attempt, 'method' | 'at' | 'automatic'>[],
  stepBegan: number,
): AttemptMethod[] {
  return [...new Set(attempts.filter((a) => a.at >= stepBegan).map((a) => a.method))];
}

/** "Step 2 of 3: call again, leave a voicemail, send a text". */
export function cadenceHint(stepsDone: number, cadence: Cadence = DEFAULT_CADENCE): string {
  const step = cadenceStep(stepsDone, cadence);
  const total = cadence.steps.length;
  if (!step) {
    return `All ${total} steps of the cadence are done: close the lead, or leave it at No contact until the caller rings again.`;
  }
  const label = step.label.charAt(0).toLowerCase() + step.label.slice(1);
  const last =
    step.step === total ? ' (last step: without contact the lead moves to No contact)' : '';
  return `Step ${step.step} of ${total}: ${label}${last}`;
}

/** A running call timer: "0:07", "12:45", "1:02:03". */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
