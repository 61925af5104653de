/**
 * A message a user can read, from anything a failed `sendMessage` throws. The background's
 * zod errors arrive as a JSON list of issues; they become "field: problem" sentences.
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
      if (Array.isArray(issues) && issues.length > 0) {
        return issues
          .map((issue: { path?: unknown[]; message?: string }) => {
            const path = Array.isArray(issue.path) ? issue.path.join('.') : '';
            return path ? `${path}: ${issue.message ?? 'invalid'}` : (issue.message ?? 'invalid');
          })
          .join('; ');
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
