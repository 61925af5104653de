import { CADENCE, cadenceStep } from './cadence';
import { CLOSING_OUTCOMES, type AttemptMethod, type Outcome } from '../model';

/**
 * Whether recording this attempt should close the lead unless the user says otherwise:
 * a closing outcome (reached, booked, …) or the last attempt of the cadence.
 */
export function closesByDefault(outcome: Outcome | '', attemptsMade: number): boolean {
  if (outcome && CLOSING_OUTCOMES.includes(outcome)) return true;
  return attemptsMade + 1 >= CADENCE.length;
}

/** The method the cadence suggests for the next attempt. */
export function suggestedMethod(attemptsMade: number): AttemptMethod {
  return cadenceStep(attemptsMade)?.methods[0] ?? 'call';
}

/** "Attempt 2 of 3: call again, leave a voicemail, send a text". */
export function cadenceHint(attemptsMade: number): string {
  const step = cadenceStep(attemptsMade);
  if (!step) {
    return `All ${CADENCE.length} attempts of the cadence are done: close the lead or keep trying.`;
  }
  const label = step.label.charAt(0).toLowerCase() + step.label.slice(1);
  return `Attempt ${step.step} of ${CADENCE.length}: ${label}`;
}
