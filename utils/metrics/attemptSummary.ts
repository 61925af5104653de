import type { Attempt, AttemptSummary, Outcome } from '../model';

/** Attempt outcomes that mean the caller was reached. */
export const REACHED_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>([
  'reached',
  'consultation-booked',
  'retained',
  'not-a-fit',
]);
export const CONSULTATION_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>([
  'consultation-booked',
  'retained',
]);

/**
 * A lead's attempt summary with one more attempt (recordAttempt keeps it on the lead, and the
 * database upgrade to version 8 fills it in from the attempts stored before). Automatic
 * texts change nothing: they are no callback attempt. The first attempt keeps the lead's limit
 * as it was then (`limitAt`): every later cadence step (and a reopened lead) moves
 * Lead.overdueAt, which would otherwise hide a late first callback.
 */
export function withAttempt(
  summary: AttemptSummary | undefined,
  attempt: Pick<Attempt, 'method' | 'at' | 'outcome' | 'automatic'>,
  /** The lead's limit before this attempt (Lead.overdueAt): kept from the first attempt. */
  limitAt?: number,
): AttemptSummary {
  const next: AttemptSummary = { ...summary };
  if (attempt.automatic) return next;
  if (next.limitAt === undefined && limitAt !== undefined) next.limitAt = limitAt;
  if (
    (attempt.method === 'call' || attempt.method === 'voicemail') &&
    (next.firstPhoneAt === undefined || attempt.at < next.firstPhoneAt)
  ) {
    next.firstPhoneAt = attempt.at;
  }
  if (REACHED_OUTCOMES.has(attempt.outcome)) next.reached = true;
  if (CONSULTATION_OUTCOMES.has(attempt.outcome)) next.consultation = true;
  if (attempt.outcome === 'retained') next.retained = true;
  return next;
}
