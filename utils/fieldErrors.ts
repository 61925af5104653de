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
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
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
