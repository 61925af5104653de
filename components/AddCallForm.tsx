import { useId, useRef, useState, type FormEvent } from 'react';
import { sendMessage } from '@/utils/messaging';
import type { FirmSettings } from '@/utils/settings';
import { toZonedInputValue } from '@/utils/displayTime';
import { errorMessage } from '@/utils/errorMessage';
import {
  callbackWarning,
  checkManualCall,
  describeManualCapture,
  MANUAL_REASONS,
  type FieldErrors,
  type ManualCallField,
  type ManualCallForm,
} from '@/utils/queue/manualCall';

export interface AddedCall {
  leadId: string;
  message: string;
  /** Set when the number cannot be called back (the lead is flagged). */
  warning?: string;
}

function emptyForm(settings: FirmSettings): ManualCallForm {
  return {
    from: '',
    startedAt: toZonedInputValue(Date.now(), settings.timeZone),
    callerName: '',
    source: '',
    practiceArea: '',
    dialedLine: '',
    reason: 'no-answer',
  };
}

/**
 * Log a missed call by hand. The background validates and stores it like any other capture
 * path (dedupe, one lead per caller, notification, badge); this form shows its verdict.
 */
export function AddCallForm({
  settings,
  onAdded,
  onCancel,
}: {
  settings: FirmSettings;
  onAdded: (added: AddedCall) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<ManualCallForm>(() => emptyForm(settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const ids = {
    from: useId(),
    startedAt: useId(),
    callerName: useId(),
    source: useId(),
    sources: useId(),
    practiceArea: useId(),
    dialedLine: useId(),
    reason: useId(),
  };

  const update = (field: ManualCallField, value: string) => {
    setForm((prev) => ({ ...prev, [field]: value }));
    setErrors((prev) => (prev[field] ? { ...prev, [field]: undefined } : prev));
  };

  const focusFirstError = () =>
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setNotice(null);
    const check = checkManualCall(form, settings, Date.now());
    if (!check.ok) {
      setErrors(check.errors);
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      const result = await sendMessage('captureCalls', [check.call]);
      const outcome = describeManualCapture(result, settings.dedupeWindowSeconds);
      if (outcome.kind === 'added') {
        onAdded({ leadId: outcome.leadId, message: outcome.message, warning: check.warning });
        setForm(emptyForm(settings));
        setErrors({});
      } else if (outcome.kind === 'duplicate') {
        setNotice({ kind: 'info', text: outcome.message });
      } else {
        setErrors(outcome.errors);
        setNotice({ kind: 'error', text: outcome.message });
        focusFirstError();
      }
    } catch (error) {
      setNotice({ kind: 'error', text: `Not added: ${errorMessage(error)}` });
    } finally {
      setBusy(false);
    }
  };

  const warning = callbackWarning(form.from, settings.defaultCountry);
  const fieldProps = (field: ManualCallField) => ({
    id: ids[field],
    value: form[field],
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `${ids[field]}-error` : undefined,
  });
  const fieldError = (field: ManualCallField) =>
    errors[field] ? (
      <span className="field-error" id={`${ids[field]}-error`}>
        {errors[field]}
      </span>
    ) : null;

  return (
    <form
      ref={formRef}
      className="panel add-call"
      aria-labelledby={`${ids.from}-title`}
      onSubmit={submit}
      noValidate
    >
      <div className="panel-head">
        <h2 id={`${ids.from}-title`}>Add a missed call</h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close the form"
          onClick={onCancel}
        >
          ×
        </button>
      </div>
      <div className="form-grid">
        <div className="field span-2">
          <label htmlFor={ids.from}>Number</label>
          <input
            {...fieldProps('from')}
            type="tel"
            autoComplete="off"
            placeholder="(555) 123-4567"
            autoFocus
            onChange={(e) => update('from', e.target.value)}
          />
          {fieldError('from') ??
            (warning && (
              <span className="field-warning" role="status">
                {warning}
              </span>
            ))}
        </div>
        <div className="field span-2">
          <label htmlFor={ids.startedAt}>
            When <span className="label-note">({settings.timeZone.replace(/_/g, ' ')})</span>
          </label>
          <div className="input-row">
            <input
              {...fieldProps('startedAt')}
              type="datetime-local"
              onChange={(e) => update('startedAt', e.target.value)}
            />
            <button
              type="button"
              className="secondary"
              onClick={() => update('startedAt', toZonedInputValue(Date.now(), settings.timeZone))}
            >
              Now
            </button>
          </div>
          {fieldError('startedAt')}
        </div>
        <div className="field span-2">
          <label htmlFor={ids.callerName}>Caller name</label>
          <input
            {...fieldProps('callerName')}
            type="text"
            autoComplete="off"
            placeholder="As given or shown on caller ID"
            onChange={(e) => update('callerName', e.target.value)}
          />
          {fieldError('callerName')}
        </div>
        <div className="field">
          <label htmlFor={ids.source}>Source</label>
          <input
            {...fieldProps('source')}
            type="text"
            list={ids.sources}
            autoComplete="off"
            placeholder="Choose or type"
            onChange={(e) => update('source', e.target.value)}
          />
          <datalist id={ids.sources}>
            {settings.sources.map((source) => (
              <option key={source} value={source} />
            ))}
          </datalist>
          {fieldError('source')}
        </div>
        <div className="field">
          <label htmlFor={ids.practiceArea}>Practice area</label>
          <select
            {...fieldProps('practiceArea')}
            onChange={(e) => update('practiceArea', e.target.value)}
          >
            <option value="">Not known</option>
            {settings.practiceAreas.map((area) => (
              <option key={area} value={area}>
                {area}
              </option>
            ))}
          </select>
          {fieldError('practiceArea')}
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>What happened</label>
          <select {...fieldProps('reason')} onChange={(e) => update('reason', e.target.value)}>
            {MANUAL_REASONS.map((reason) => (
              <option key={reason.value} value={reason.value}>
                {reason.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.dialedLine}>
            Line dialled <span className="label-note">(optional)</span>
          </label>
          <input
            {...fieldProps('dialedLine')}
            type="tel"
            autoComplete="off"
            onChange={(e) => update('dialedLine', e.target.value)}
          />
          {fieldError('dialedLine')}
        </div>
      </div>
      {notice && (
        <p
          className={notice.kind === 'error' ? 'notice notice-error' : 'notice notice-info'}
          role="alert"
        >
          {notice.text}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add to queue'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
