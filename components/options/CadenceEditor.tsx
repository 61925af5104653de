import { useId } from 'react';
import { ATTEMPT_METHODS, type AttemptMethod } from '@/utils/model';
import { DEFAULT_CADENCE, type Cadence, type CadenceStep } from '@/utils/settings';
import { errorsUnder, type FormErrors } from '@/utils/fieldErrors';
import { describeStepTiming, formatDelay, methodsLabel } from '@/utils/queue/cadence';
import { FieldError } from './settingsForm';
import './cadenceEditor.css';

const METHOD_LABELS: Record<AttemptMethod, string> = {
  call: 'Call',
  voicemail: 'Voicemail',
  text: 'Text',
  email: 'Email',
};

const MAX_STEPS = 6;

/** "1. Call — when the missed call is due; 2. …", the cadence in one sentence. */
export function summarizeCadence(cadence: Cadence): string {
  return cadence.steps
    .map((step, i) => `${i + 1}. ${methodsLabel(step.methods)} — ${describeStepTiming(step, i)}`)
    .join('; ');
}

/**
 * The first step is the missed call's own due time (the callback windows): its timing is not
 * the firm's to set here, so it is stored as "0 minutes after the first missed call".
 */
export function normalizeCadence(cadence: Cadence): Cadence {
  return {
    steps: cadence.steps.map((step, i) =>
      i === 0 ? { ...step, from: 'first-call', delayMinutes: 0 } : step,
    ),
  };
}

/**
 * Edit a follow-up cadence: each step's methods and when it falls. `path` is where the
 * cadence sits in the settings ("cadence", "sourceRules.2.cadence"), for its errors.
 */
export function CadenceEditor({
  value,
  onChange,
  errors,
  path,
  label,
}: {
  value: Cadence | undefined;
  onChange: (cadence: Cadence) => void;
  errors: FormErrors;
  path: string;
  /** Names the steps for assistive technology ("Firm cadence", "Rule 2 cadence"). */
  label: string;
}) {
  const id = useId();
  const cadence = value ?? DEFAULT_CADENCE;
  const steps = cadence.steps;
  const setStep = (index: number, change: Partial<CadenceStep>) =>
    onChange({ steps: steps.map((s, i) => (i === index ? { ...s, ...change } : s)) });
  const listError = errors[`${path}.steps`] ?? errors[path];

  return (
    <div className="cadence-editor">
      <ol className="cadence-editor-steps" aria-label={label}>
        {steps.map((step, index) => {
          const stepPath = `${path}.steps.${index}`;
          const methodsError = errorsUnder(errors, `${stepPath}.methods`)[0];
          const delayError = errors[`${stepPath}.delayMinutes`];
          const fromError = errors[`${stepPath}.from`];
          const name = `Step ${index + 1}`;
          return (
            <li key={index} className="cadence-editor-step" aria-label={name}>
              <div className="cadence-editor-head">
                <strong>{name}</strong>
                {steps.length > 1 && (
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Remove step ${index + 1}`}
                    onClick={() => onChange({ steps: steps.filter((_, i) => i !== index) })}
                  >
                    ×
                  </button>
                )}
              </div>
              <fieldset
                className="cadence-editor-methods"
                aria-invalid={methodsError ? true : undefined}
              >
                <legend>Methods</legend>
                {ATTEMPT_METHODS.map((method) => (
                  <label key={method} className="checkbox">
                    <input
                      type="checkbox"
                      checked={step.methods.includes(method)}
                      onChange={(e) =>
                        setStep(index, {
                          methods: ATTEMPT_METHODS.filter((m) =>
                            m === method ? e.target.checked : step.methods.includes(m),
                          ),
                        })
                      }
                    />
                    {METHOD_LABELS[method]}
                  </label>
                ))}
                <FieldError id={`${id}-${index}-methods`} message={methodsError} />
              </fieldset>
              {index === 0 ? (
                <p className="options-hint">
                  When the missed call is due: the callback windows (target and limit) above.
                </p>
              ) : (
                <div className="cadence-editor-timing">
                  <label htmlFor={`${id}-${index}-delay`}>Due</label>
                  <input
                    id={`${id}-${index}-delay`}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={10080}
                    step={1}
                    value={Number.isNaN(step.delayMinutes) ? '' : String(step.delayMinutes)}
                    aria-invalid={delayError ? true : undefined}
                    aria-describedby={`${id}-${index}-delay-note`}
                    onChange={(e) =>
                      setStep(index, {
                        delayMinutes:
                          e.target.value.trim() === '' ? Number.NaN : Number(e.target.value),
                      })
                    }
                  />
                  <span className="options-suffix">min</span>
                  <label htmlFor={`${id}-${index}-from`} className="visually-hidden">
                    Counted from
                  </label>
                  <select
                    id={`${id}-${index}-from`}
                    value={step.from}
                    aria-invalid={fromError ? true : undefined}
                    onChange={(e) =>
                      setStep(index, { from: e.target.value as CadenceStep['from'] })
                    }
                  >
                    <option value="previous-attempt">
                      after the previous attempt (business time)
                    </option>
                    <option value="first-call">after the first missed call</option>
                  </select>
                  {delayError || fromError ? (
                    <FieldError
                      id={`${id}-${index}-delay-note`}
                      message={delayError ?? fromError}
                    />
                  ) : (
                    <span id={`${id}-${index}-delay-note`} className="options-hint">
                      {Number.isFinite(step.delayMinutes) && step.delayMinutes >= 60
                        ? `= ${formatDelay(step.delayMinutes)}. `
                        : ''}
                      {step.from === 'previous-attempt'
                        ? 'The clock stops outside business hours.'
                        : 'Outside business hours: due within the after-hours window of the next opening.'}
                    </span>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <FieldError id={`${id}-steps`} message={listError} />
      <div className="input-row">
        <button
          type="button"
          disabled={steps.length >= MAX_STEPS}
          onClick={() =>
            onChange({
              steps: [...steps, { methods: ['call'], from: 'previous-attempt', delayMinutes: 60 }],
            })
          }
        >
          + Add step
        </button>
        <button type="button" className="link-button" onClick={() => onChange(DEFAULT_CADENCE)}>
          Reset to the default cadence
        </button>
      </div>
      <p className="options-hint">
        After the last step without contact, the lead moves to <strong>No contact</strong>: out of
        the queue and the overdue count, back in the queue when the caller rings again. Automatic
        texts count as a step’s text but never as a callback attempt.
      </p>
    </div>
  );
}
