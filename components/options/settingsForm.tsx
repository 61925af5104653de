import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import { fieldErrorsOf, type FormErrors } from '@/utils/fieldErrors';
import {
  FirmSettings,
  firmSettingsItem,
  getSettings,
  parseSettings,
  saveSettings,
} from '@/utils/settings';

export type Status = { kind: 'ok' | 'error' | 'info'; text: string } | null;

function pick<K extends keyof FirmSettings>(settings: FirmSettings, keys: readonly K[]) {
  const out = {} as Pick<FirmSettings, K>;
  for (const key of keys) out[key] = settings[key];
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface SettingsDraft<K extends keyof FirmSettings> {
  /** Null until the stored settings have loaded. */
  draft: Pick<FirmSettings, K> | null;
  update: (change: Partial<Pick<FirmSettings, K>>) => void;
  errors: FormErrors;
  status: Status;
  setStatus: (status: Status) => void;
  dirty: boolean;
  saving: boolean;
  /**
   * Validate the section's fields with the FirmSettings schema (plus `extraCheck`, for rules
   * the schema cannot know, like phone numbers), then save. Nothing is saved when invalid.
   */
  save: (options?: {
    extraCheck?: (draft: Pick<FirmSettings, K>, all: FirmSettings) => FormErrors;
    prepare?: (draft: Pick<FirmSettings, K>, all: FirmSettings) => Pick<FirmSettings, K>;
  }) => Promise<boolean>;
  discard: () => void;
}

/**
 * A section's own slice of the firm settings. Each section saves only its keys, merged into
 * the latest stored settings, so two sections never overwrite each other's changes. While
 * the section has no unsaved edits it follows changes saved elsewhere.
 */
export function useSettingsDraft<K extends keyof FirmSettings>(
  keys: readonly K[],
): SettingsDraft<K> {
  const [saved, setSaved] = useState<Pick<FirmSettings, K> | null>(null);
  const [draft, setDraft] = useState<Pick<FirmSettings, K> | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [status, setStatus] = useState<Status>(null);
  const [saving, setSaving] = useState(false);
  const savedRef = useRef<Pick<FirmSettings, K> | null>(null);
  const keysRef = useRef(keys);

  useEffect(() => {
    const apply = (settings: FirmSettings) => {
      const next = pick(settings, keysRef.current);
      const previous = savedRef.current;
      savedRef.current = next;
      setSaved(next);
      setDraft((current) => (current === null || same(current, previous) ? next : current));
    };
    let first = true;
    const unwatch = firmSettingsItem.watch((value) => {
      first = false;
      apply(parseSettings(value));
    });
    void getSettings().then((settings) => {
      if (first) apply(settings);
    });
    return unwatch;
  }, []);

  const update = useCallback((change: Partial<Pick<FirmSettings, K>>) => {
    setDraft((current) => (current ? { ...current, ...change } : current));
    setStatus(null);
    // An edited field's error is stale; the others stay until the next save attempt.
    setErrors((current) => {
      const changed = Object.keys(change);
      const kept = Object.entries(current).filter(
        ([path]) => !changed.some((key) => path === key || path.startsWith(`${key}.`)),
      );
      return kept.length === Object.keys(current).length ? current : Object.fromEntries(kept);
    });
  }, []);

  const save: SettingsDraft<K>['save'] = async (options = {}) => {
    if (!draft) return false;
    setSaving(true);
    try {
      const all = await getSettings();
      const extra = options.extraCheck?.(draft, all) ?? {};
      const prepared = options.prepare ? options.prepare(draft, all) : draft;
      const parsed = FirmSettings.safeParse({ ...all, ...prepared });
      const found = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)), ...extra };
      if (!parsed.success || Object.keys(extra).length > 0) {
        setErrors(found);
        setStatus({ kind: 'error', text: 'Nothing was saved: fix the fields marked in red.' });
        return false;
      }
      const stored = await saveSettings(parsed.data);
      const next = pick(stored, keysRef.current);
      savedRef.current = next;
      setSaved(next);
      setDraft(next);
      setErrors({});
      setStatus({ kind: 'ok', text: 'Saved.' });
      // Due times and the badge's "due soon" count depend on these settings.
      await sendMessage('refreshBadge').catch((error: unknown) =>
        setStatus({
          kind: 'info',
          text: `Saved. The toolbar badge will catch up within 30 s (${errorMessage(error)})`,
        }),
      );
      return true;
    } catch (error) {
      setStatus({ kind: 'error', text: `Not saved: ${errorMessage(error)}` });
      return false;
    } finally {
      setSaving(false);
    }
  };

  const discard = () => {
    setDraft(saved);
    setErrors({});
    setStatus(null);
  };

  return {
    draft,
    update,
    errors,
    status,
    setStatus,
    dirty: draft !== null && saved !== null && !same(draft, saved),
    saving,
    save,
    discard,
  };
}

/** A settings card: title, explanation, fields, and a save bar with the outcome. */
export function SettingsSection({
  id,
  title,
  description,
  children,
  form,
  onSave,
  saveLabel = 'Save',
  footerExtra,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  form?: Pick<SettingsDraft<keyof FirmSettings>, 'dirty' | 'saving' | 'status' | 'discard'>;
  onSave?: () => void;
  saveLabel?: string;
  footerExtra?: ReactNode;
}) {
  const headingId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave?.();
  };
  return (
    <section className="options-section" id={id} aria-labelledby={headingId}>
      <header className="options-section-header">
        <h2 id={headingId}>{title}</h2>
        {description && <p className="options-section-description">{description}</p>}
      </header>
      <form onSubmit={submit} noValidate className="options-section-body">
        {children}
        {form && (
          <footer className="options-save-bar">
            <button type="submit" className="primary" disabled={form.saving || !form.dirty}>
              {form.saving ? 'Saving…' : saveLabel}
            </button>
            {form.dirty && (
              <button type="button" onClick={form.discard} disabled={form.saving}>
                Discard changes
              </button>
            )}
            <span
              role="status"
              className={
                form.status ? `options-status options-status-${form.status.kind}` : 'options-status'
              }
            >
              {form.status?.text ?? (form.dirty ? 'Unsaved changes' : '')}
            </span>
            {footerExtra}
          </footer>
        )}
      </form>
    </section>
  );
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error">
      {message}
    </span>
  );
}

/** A whole-number input; an empty box is NaN so validation says "Enter a number". */
export function NumberField({
  label,
  value,
  onChange,
  error,
  suffix,
  hint,
  placeholder,
  min,
  max,
  optional,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  error?: string;
  suffix?: string;
  hint?: ReactNode;
  placeholder?: string;
  min?: number;
  max?: number;
  /** Empty means "not set" (undefined) instead of an error. */
  optional?: boolean;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const shown = value === undefined || Number.isNaN(value) ? '' : String(value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="options-number">
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={shown}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            const text = event.target.value.trim();
            onChange(text === '' ? (optional ? undefined : Number.NaN) : Number(text));
          }}
        />
        {suffix && <span className="options-suffix">{suffix}</span>}
      </div>
      {hint && !error && <span className="options-hint">{hint}</span>}
      <FieldError id={errorId} message={error} />
    </div>
  );
}

export function TextField({
  label,
  value,
  onChange,
  error,
  type = 'text',
  placeholder,
  autoComplete,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  type?: 'text' | 'email';
  placeholder?: string;
  autoComplete?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        placeholder={placeholder}
        autoComplete={autoComplete}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldError id={errorId} message={error} />
    </div>
  );
}
