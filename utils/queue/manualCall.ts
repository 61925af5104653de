import type { CountryCode } from 'libphonenumber-js';
import type { CaptureResult } from './leads';
import { IncomingCall, type CallReason } from '../model';
import { normalizePhone } from '../phone';
import type { FirmSettings } from '../settings';
import { fromZonedInputValue } from '../displayTime';
import {
  MAX_CALL_AGE_DAYS,
  MAX_CALLER_NAME,
  callerNameWasShortened,
  checkCallTime,
  describeAge,
  fitCallerName,
} from '../callLimits';

/** The hand-entry form, as typed. `startedAt` is a datetime-local value in the firm's zone. */
export interface ManualCallForm {
  from: string;
  startedAt: string;
  callerName: string;
  source: string;
  practiceArea: string;
  dialedLine: string;
  reason: CallReason;
}

export type ManualCallField = keyof ManualCallForm;
export type FieldErrors = Partial<Record<ManualCallField, string>>;

/** Reasons a person would pick when logging a missed call by hand. */
export const MANUAL_REASONS: readonly { value: CallReason; label: string }[] = [
  { value: 'no-answer', label: 'No answer' },
  { value: 'voicemail', label: 'Left a voicemail' },
  { value: 'after-hours', label: 'After hours' },
  { value: 'abandoned', label: 'Hung up while waiting' },
  { value: 'busy', label: 'Line busy' },
];

export type ManualCallCheck =
  { ok: true; call: IncomingCall; warning?: string } | { ok: false; errors: FieldErrors };

/**
 * Why a number cannot be called back, in words, or null when it can. Such calls are still
 * recorded (flagged "no callback number"), so this is a warning, never a refusal.
 */
export function callbackWarning(from: string, defaultCountry: string): string | null {
  if (!from.trim()) return null;
  const { problem } = normalizePhone(from, defaultCountry as CountryCode);
  if (problem === 'anonymous') {
    return 'No caller ID: the lead will be flagged "No callback number".';
  }
  if (problem === 'malformed') {
    return `"${from.trim()}" is not a callable number: the lead will be flagged "No callback number".`;
  }
  return null;
}

const FIELD_OF_PATH: Record<string, ManualCallField> = {
  from: 'from',
  startedAt: 'startedAt',
  callerName: 'callerName',
  source: 'source',
  practiceArea: 'practiceArea',
  dialedLine: 'dialedLine',
  reason: 'reason',
};

const FIELD_NAMES: Record<ManualCallField, string> = {
  from: 'Number',
  startedAt: 'Time',
  callerName: 'Caller name',
  source: 'Source',
  practiceArea: 'Practice area',
  dialedLine: 'Line dialled',
  reason: 'What happened',
};

function readableIssue(field: ManualCallField, message: string): string {
  const tooLong = /(?:expected string to have <=|at most )(\d+) characters/.exec(message);
  if (tooLong) return `${FIELD_NAMES[field]} is too long (at most ${tooLong[1]} characters).`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** Validate the form the way the background will, so the user sees errors next to fields. */
export function checkManualCall(
  form: ManualCallForm,
  settings: Pick<FirmSettings, 'timeZone' | 'defaultCountry'>,
  now: number,
): ManualCallCheck {
  const errors: FieldErrors = {};
  if (!form.from.trim()) {
    errors.from = 'Enter the number that called (or "Anonymous" if caller ID was withheld).';
  }
  const startedAt = fromZonedInputValue(form.startedAt, settings.timeZone);
  if (startedAt === null) errors.startedAt = 'Enter the date and time of the call.';
  else {
    // The background's bounds (utils/callLimits.ts), in the form's words.
    const time = checkCallTime(startedAt, now);
    if (!time.ok && time.problem === 'future') errors.startedAt = 'That time is in the future.';
    else if (!time.ok)
      errors.startedAt = `That is more than ${describeAge(MAX_CALL_AGE_DAYS)} ago: calls that old cannot be added here (import them from a CSV export).`;
  }

  const name = form.callerName.trim();
  const call: IncomingCall = {
    from: form.from.trim(),
    startedAt: startedAt ?? now,
    callerName: name ? fitCallerName(name) : undefined,
    source: form.source.trim() || undefined,
    practiceArea: form.practiceArea.trim() || undefined,
    dialedLine: form.dialedLine.trim() || undefined,
    reason: form.reason,
    provider: 'manual',
    capturePath: 'manual',
  };
  const parsed = IncomingCall.safeParse(call);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = FIELD_OF_PATH[String(issue.path[0] ?? '')];
      if (field && !errors[field]) errors[field] = readableIssue(field, issue.message);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const warning = [
    callbackWarning(form.from, settings.defaultCountry),
    callerNameWasShortened(name) ? `Caller name shortened to ${MAX_CALLER_NAME} characters.` : null,
  ]
    .filter(Boolean)
    .join(' ');
  return warning ? { ok: true, call, warning } : { ok: true, call };
}

/** "2 minutes", "90 seconds". */
export function describeWindow(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) {
    const minutes = seconds / 60;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

export type ManualCaptureOutcome =
  | { kind: 'added'; leadId: string; newLead: boolean; message: string }
  | { kind: 'duplicate'; message: string }
  | { kind: 'rejected'; message: string; errors: FieldErrors };

/** What the background did with one hand-entered call, in the user's words. */
export function describeManualCapture(
  result: CaptureResult,
  dedupeWindowSeconds: number,
): ManualCaptureOutcome {
  const added = result.added[0];
  if (added) {
    return added.newLead
      ? {
          kind: 'added',
          leadId: added.leadId,
          newLead: true,
          message: `Added ${added.display} to the queue.`,
        }
      : {
          kind: 'added',
          leadId: added.leadId,
          newLead: false,
          message: `${added.display} already had an open lead: this call was added to it.`,
        };
  }
  if (result.rejected.length > 0) {
    const errors: FieldErrors = {};
    const loose: string[] = [];
    for (const { error } of result.rejected) {
      for (const part of error.split('; ')) {
        const [path, ...rest] = part.split(': ');
        const field = FIELD_OF_PATH[path ?? ''];
        const message = rest.join(': ');
        if (field && message) errors[field] = readableIssue(field, message);
        else loose.push(part);
      }
    }
    return {
      kind: 'rejected',
      message: loose.length
        ? `Not added: ${loose.join('; ')}`
        : 'Not added: check the fields marked below.',
      errors,
    };
  }
  if (result.alreadyAnswered) {
    return {
      kind: 'duplicate',
      message:
        'Not queued: this caller already got through or was called back after that time (an answered call or a closing callback is recorded); the call is kept on their closed lead.',
    };
  }
  if (result.duplicates > 0) {
    return {
      kind: 'duplicate',
      message: `Already in the queue (same caller within ${describeWindow(dedupeWindowSeconds)}).`,
    };
  }
  return { kind: 'rejected', message: 'Not added: the call was not recorded.', errors: {} };
}
