import type { z } from 'zod';

/** Form errors keyed by field path ("sla.limitMinutes", "weeklyHours.1.0"). */
export type FormErrors = Record<string, string>;

/** One zod issue as a short sentence a user understands next to the field. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'int') return 'Enter a whole number.';
    if (issue.expected === 'number') return 'Enter a number.';
    return 'Required.';
  }
  if (issue.code === 'too_small') {
    const min = Number(issue.minimum);
    if (issue.origin === 'string') return min <= 1 ? 'Required.' : `At least ${min} characters.`;
    if (issue.origin === 'number') return `Must be at least ${min}.`;
  }
  if (issue.code === 'too_big') {
    const max = Number(issue.maximum);
    if (issue.origin === 'string') return `At most ${max} characters.`;
    if (issue.origin === 'number') return `Must be at most ${max}.`;
  }
  const text = issue.message.trim();
  // zod's own wording ("Invalid input: expected …", "Too big: …") is for developers; our
  // schemas' custom messages are already sentences.
  if (!text || ZOD_WORDING.test(text)) return GENERIC[issue.code] ?? 'Not valid.';
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

const ZOD_WORDING =
  /^(invalid|too (big|small)|unrecognized|expected|input not|string must|number must)/i;

const GENERIC: Partial<Record<string, string>> = {
  invalid_type: 'Required.',
  invalid_value: 'Choose one of the listed options.',
  invalid_format: 'Not in the expected format.',
  invalid_union: 'Not valid.',
  invalid_key: 'Not valid.',
  invalid_element: 'Not valid.',
  too_big: 'Too long or too large.',
  too_small: 'Too short or too small.',
  not_multiple_of: 'Not a valid step.',
  unrecognized_keys: 'Has fields that are not expected.',
  custom: 'Not valid.',
};

/** "startedAt" → "Started at"; words a user reads for the fields messages carry. */
const FIELD_LABELS: Record<string, string> = {
  from: 'Number',
  startedAt: 'Time of the call',
  callerName: 'Caller name',
  dialedLine: 'Line dialled',
  providerCallId: 'Call id',
  capturePath: 'Capture path',
  leadId: 'Lead',
  hostPattern: 'Portal address',
};

export function fieldLabel(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((part) => typeof part === 'string');
  if (typeof key !== 'string') return '';
  const words = FIELD_LABELS[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The first error of each field (a field shows one message at a time). */
export function fieldErrorsOf(issues: readonly z.core.$ZodIssue[]): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.');
    errors[key] ??= describeIssue(issue);
  }
  return errors;
}

/** Errors at `path` or below it ("weeklyHours.1" also finds "weeklyHours.1.0"). */
export function errorsUnder(errors: FormErrors, path: string): string[] {
  return Object.entries(errors)
    .filter(([key]) => key === path || key.startsWith(`${path}.`))
    .map(([, message]) => message);
}
