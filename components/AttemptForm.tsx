import { useEffect, useId, useState, type FormEvent } from 'react';
import { sendMessage } from '@/utils/messaging';
import {
  ATTEMPT_METHODS,
  OUTCOME_LABELS,
  OUTCOMES,
  type AttemptMethod,
  type Lead,
  type Outcome,
} from '@/utils/model';
import {
  cadenceHint,
  closesByDefault,
  formatElapsed,
  suggestedMethod,
} from '@/utils/queue/attemptForm';
import type { Cadence } from '@/utils/settings';
import { errorMessage } from '@/utils/errorMessage';

const METHOD_LABELS: Record<AttemptMethod, string> = {
  call: 'Call',
  voicemail: 'Voicemail',
  text: 'Text',
  email: 'Email',
};

/** Ticks every second while a call is running. */
function useTicking(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

/**
 * Record one callback attempt; the background stores it and moves the lead on to the next
 * step of its cadence. Started from a call link (`callStartedAt`), it opens on "Call" with
 * a running timer whose time is saved with the attempt.
 */
export function AttemptForm({
  lead,
  cadence,
  stepsDone,
  doneInStep = [],
  callStartedAt,
  currentStaffId,
  onRecorded,
}: {
  lead: Lead;
  cadence: Cadence;
  /** Callback attempts made in the lead's current run through the cadence. */
  stepsDone: number;
  /** Methods already covered in the current step (an automatic text, say). */
  doneInStep?: readonly AttemptMethod[];
  /** When staff started the call from the lead (click to call), if they did. */
  callStartedAt?: number | null;
  currentStaffId?: string;
  onRecorded: (message: string) => void;
}) {
  const [method, setMethod] = useState<AttemptMethod>(() =>
    callStartedAt ? 'call' : suggestedMethod(stepsDone, cadence, doneInStep),
  );
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [notes, setNotes] = useState('');
  // Until the user ticks or unticks it, "close" follows the outcome.
  const [closeChoice, setCloseChoice] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcomeError, setOutcomeError] = useState(false);
  const [busy, setBusy] = useState(false);
  const [callEndedAt, setCallEndedAt] = useState<number | null>(null);
  const timing = Boolean(callStartedAt) && callEndedAt === null;
  const now = useTicking(timing);
  const id = useId();
  const close = closeChoice ?? closesByDefault(outcome);
  const lastStep = stepsDone + 1 >= cadence.steps.length;
  const elapsedMs = callStartedAt
    ? (callEndedAt ?? Math.max(now, callStartedAt)) - callStartedAt
    : 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (!outcome) {
      setOutcomeError(true);
      document.getElementById(`${id}-outcome`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const durationSeconds =
      callStartedAt && method === 'call'
        ? Math.round(((callEndedAt ?? Date.now()) - callStartedAt) / 1000)
        : undefined;
    try {
      const result = await sendMessage('recordAttempt', {
        leadId: lead.id,
        method,
        outcome,
        notes: notes.trim() || undefined,
        by: currentStaffId,
        // Unticked on an unanswered attempt: the cadence decides (next step, or No contact
        // after the last one). Unticked on a closing outcome: kept open on purpose.
        close: close ? true : closesByDefault(outcome) ? false : undefined,
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
      });
      setOutcome('');
      setNotes('');
      setCloseChoice(null);
      setCallEndedAt(null);
      onRecorded(
        result.lead.status === 'done'
          ? `${OUTCOME_LABELS[outcome]} — lead closed.`
          : result.lead.status === 'no-contact'
            ? `${OUTCOME_LABELS[outcome]} — the cadence went by without contact: the lead is under No contact until the caller rings again.`
            : `${OUTCOME_LABELS[outcome]} — attempt recorded.`,
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="panel attempt-form"
      aria-labelledby={`${id}-title`}
      onSubmit={submit}
      noValidate
    >
      <h3 id={`${id}-title`}>Record an attempt</h3>
      <p className="cadence-hint">{cadenceHint(stepsDone, cadence)}</p>
      {callStartedAt ? (
        <div className="call-timer">
          <span>{callEndedAt === null ? 'On the call' : 'Call ended'}</span>
          <span role="timer" aria-label="Call time" className="call-timer-time">
            {formatElapsed(elapsedMs)}
          </span>
          {callEndedAt === null && (
            <button
              type="button"
              className="link-button"
              onClick={() => setCallEndedAt(Date.now())}
            >
              Stop timer
            </button>
          )}
        </div>
      ) : null}
      <fieldset className="segmented">
        <legend className="visually-hidden">Method</legend>
        {ATTEMPT_METHODS.map((m) => (
          <label key={m} className={method === m ? 'on' : ''}>
            <input
              type="radio"
              name={`${id}-method`}
              value={m}
              checked={method === m}
              onChange={() => setMethod(m)}
            />
            {METHOD_LABELS[m]}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-outcome`}>Outcome</label>
        <select
          id={`${id}-outcome`}
          value={outcome}
          autoFocus={Boolean(callStartedAt)}
          aria-invalid={outcomeError ? true : undefined}
          aria-describedby={outcomeError ? `${id}-outcome-error` : undefined}
          onChange={(e) => {
            setOutcome(e.target.value as Outcome | '');
            setOutcomeError(false);
          }}
        >
          <option value="">Choose…</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_LABELS[o]}
            </option>
          ))}
        </select>
        {outcomeError && (
          <span className="field-error" id={`${id}-outcome-error`}>
            Choose how the attempt went.
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-notes`}>Notes</label>
        <textarea
          id={`${id}-notes`}
          rows={3}
          value={notes}
          maxLength={10_000}
          placeholder="What was said, next steps"
          onChange={(e) => setNotes(e.target.value)}
        />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={close} onChange={(e) => setCloseChoice(e.target.checked)} />
        Close the lead
      </label>
      {!close && lastStep && lead.status !== 'no-contact' && (
        <p className="hint">Last step: without contact, the lead moves to No contact.</p>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : close ? 'Save and close lead' : 'Save attempt'}
        </button>
      </div>
    </form>
  );
}
