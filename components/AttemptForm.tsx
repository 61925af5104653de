import { useId, useState, type FormEvent } from 'react';
import { sendMessage } from '@/utils/messaging';
import {
  ATTEMPT_METHODS,
  OUTCOME_LABELS,
  OUTCOMES,
  type AttemptMethod,
  type Lead,
  type Outcome,
} from '@/utils/model';
import { cadenceHint, closesByDefault, suggestedMethod } from '@/utils/queue/attemptForm';
import { errorMessage } from '@/utils/errorMessage';

const METHOD_LABELS: Record<AttemptMethod, string> = {
  call: 'Call',
  voicemail: 'Voicemail',
  text: 'Text',
  email: 'Email',
};

/** Record one callback attempt; the background stores it and moves the lead on. */
export function AttemptForm({
  lead,
  currentStaffId,
  onRecorded,
}: {
  lead: Lead;
  currentStaffId?: string;
  onRecorded: (message: string) => void;
}) {
  const [method, setMethod] = useState<AttemptMethod>(() => suggestedMethod(lead.attemptCount));
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [notes, setNotes] = useState('');
  // Until the user ticks or unticks it, "close" follows the outcome and the cadence.
  const [closeChoice, setCloseChoice] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcomeError, setOutcomeError] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const close = closeChoice ?? closesByDefault(outcome, lead.attemptCount);

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
    try {
      const result = await sendMessage('recordAttempt', {
        leadId: lead.id,
        method,
        outcome,
        notes: notes.trim() || undefined,
        by: currentStaffId,
        close,
      });
      setOutcome('');
      setNotes('');
      setCloseChoice(null);
      setMethod(suggestedMethod(result.lead.attemptCount));
      onRecorded(
        result.lead.status === 'done'
          ? `${OUTCOME_LABELS[outcome]} — lead closed.`
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
      <p className="cadence-hint">{cadenceHint(lead.attemptCount)}</p>
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
