/**
 * The limits every capture path applies to a call, in one place (no zod here: portal
 * content scripts use the name rule and must stay small).
 *
 * - Caller names longer than MAX_CALLER_NAME are shortened, never refused: the name ends in
 *   "…" so whoever reads it sees it was cut, and the path that cut it says so (CSV report,
 *   manual form).
 * - A call must have started within MAX_CALL_AGE_DAYS (90 days); a CSV history import may
 *   go back MAX_HISTORY_AGE_DAYS (2 years), and a call from it older than 90 days is kept as
 *   history only (it opens no lead in the queue, so it can never be overdue).
 * - A call may not start more than FUTURE_TOLERANCE_MS in the future (a clock a few minutes
 *   fast is tolerated).
 */

export const MAX_CALLER_NAME = 120;
export const MAX_CALL_AGE_DAYS = 90;
export const MAX_HISTORY_AGE_DAYS = 730;
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/**
 * How long an answered call that closed no lead is kept (model: AnsweredCall), so a missed
 * call of the same caller from before it, arriving after it, is not queued.
 */
export const ANSWERED_KEPT_MS = 24 * 3_600_000;
const DAY = 86_400_000;

/** A caller name within MAX_CALLER_NAME characters: longer ones are cut and end in "…". */
export function fitCallerName(name: string): string {
  if (name.length <= MAX_CALLER_NAME) return name;
  let cut = name.slice(0, MAX_CALLER_NAME - 1);
  // Never leave half of a surrogate pair (an emoji cut in two).
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

export function callerNameWasShortened(name: string | undefined): boolean {
  return (name?.trim().length ?? 0) > MAX_CALLER_NAME;
}

/** "90 days", "2 years". */
export function describeAge(days: number): string {
  return days % 365 === 0 ? `${days / 365} year${days === 365 ? '' : 's'}` : `${days} days`;
}

export type CallTimeCheck =
  { ok: true; history: boolean } | { ok: false; problem: 'future' | 'too-old'; reason: string };

const dayFormats = new Map<string, Intl.DateTimeFormat>();
function formatDay(ms: number, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(ms);
}

/**
 * Is `startedAt` a believable time for a call reported now? `history` allows the older
 * bound of a CSV import; a call past MAX_CALL_AGE_DAYS is then accepted as history only.
 * Reasons are sentences for the user ("the call is dated 1 Jan 1970, more than 90 days ago").
 */
export function checkCallTime(
  startedAt: number,
  now: number,
  options: { history?: boolean; timeZone?: string } = {},
): CallTimeCheck {
  if (startedAt > now + FUTURE_TOLERANCE_MS)
    return { ok: false, problem: 'future', reason: 'the call is in the future' };
  const limitDays = options.history ? MAX_HISTORY_AGE_DAYS : MAX_CALL_AGE_DAYS;
  if (startedAt < now - limitDays * DAY) {
    const dated = formatDay(startedAt, options.timeZone ?? 'UTC');
    return {
      ok: false,
      problem: 'too-old',
      reason: `the call is dated ${dated}, more than ${describeAge(limitDays)} ago`,
    };
  }
  return { ok: true, history: startedAt < now - MAX_CALL_AGE_DAYS * DAY };
}

/** What each field of a reported call is called in messages. */
const FIELD_LABELS: Record<string, string> = {
  from: 'caller number',
  startedAt: 'time',
  callerName: 'caller name',
  dialedLine: 'dialled line',
  reason: 'status',
  provider: 'provider',
  providerCallId: 'call id',
  capturePath: 'capture path',
  source: 'source',
  practiceArea: 'practice area',
  agent: 'agent',
};

/** The parts of a schema issue (zod's) that a sentence needs. */
export interface CallIssue {
  path: readonly PropertyKey[];
  code: string;
  maximum?: number | bigint;
  minimum?: number | bigint;
  expected?: string;
}

/** A schema issue about a call as a sentence: "caller number is too long (at most 64 characters)". */
export function describeCallIssue(issue: CallIssue): string {
  const key = String(issue.path[0] ?? '');
  const label = FIELD_LABELS[key] ?? (key || 'the call');
  switch (issue.code) {
    case 'too_big':
      return `${label} is too long (at most ${String(issue.maximum)} characters)`;
    case 'too_small':
      return key === 'startedAt' ? `${label} is not a valid date` : `${label} is empty`;
    case 'invalid_type':
      return key === ''
        ? 'not a call'
        : `${label} is missing or not ${issue.expected === 'number' ? 'a number' : 'text'}`;
    case 'invalid_value':
      return `${label} is not one of the known values`;
    default:
      return `${label} is not valid`;
  }
}
