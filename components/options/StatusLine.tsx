import { useState } from 'react';
import { errorMessage } from '@/utils/errorMessage';
import type { Status } from './settingsForm';

export type { Status };

/** The live outcome of an action next to its button (announced by screen readers). */
export function StatusLine({ status }: { status: Status }) {
  return (
    <span
      role="status"
      className={status ? `options-status options-status-${status.kind}` : 'options-status'}
    >
      {status?.text ?? ''}
    </span>
  );
}

/**
 * A button's work for a StatusLine: `busy` while it runs (buttons disable), then its
 * outcome, or the failure worded by `describe` after `prefix`.
 */
export function useAction(describe: (error: unknown) => string = errorMessage) {
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const run = async (pending: Status, work: () => Promise<Status>, prefix = '') => {
    setBusy(true);
    setStatus(pending);
    try {
      setStatus(await work());
    } catch (error) {
      setStatus({ kind: 'error', text: `${prefix}${describe(error)}` });
    } finally {
      setBusy(false);
    }
  };
  return { status, setStatus, busy, run };
}
