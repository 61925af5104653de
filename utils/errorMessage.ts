import type { z } from 'zod';
import { describeIssue, fieldLabel } from './fieldErrors';

function isIssue(value: unknown): value is z.core.$ZodIssue {
  const issue = value as { code?: unknown; path?: unknown; message?: unknown };
  return (
    typeof issue === 'object' &&
    issue !== null &&
    Array.isArray(issue.path) &&
    typeof issue.message === 'string'
  );
}

/**
 * A message a user can read, from anything a failed `sendMessage` throws. The background's
 * zod errors arrive as a JSON list of issues; they become "Field: problem." sentences in
 * words a user knows, never zod's own wording.
 */
export function errorMessage(error: unknown): string {
  const raw =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : String(error ?? '');
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const issues = JSON.parse(text) as unknown;
      if (Array.isArray(issues) && issues.length > 0 && issues.every(isIssue)) {
        const sentences = issues.map((issue) => {
          const label = fieldLabel(issue.path);
          const problem = describeIssue(issue);
          return label
            ? `${label}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`
            : problem;
        });
        return [...new Set(sentences)].join(' ');
      }
    } catch {
      // Not JSON after all: show it as it is.
    }
  }
  if (/Could not establish connection|Receiving end does not exist/i.test(text)) {
    return 'Callback Desk’s background service is not responding. Reload the extension and try again.';
  }
  return text || 'Something went wrong.';
}
