import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { db } from '@/utils/db';
import { useFirmSettings } from '@/components/hooks';
import { useStorageItem } from '@/components/useStorageItem';
import { errorMessage } from '@/utils/errorMessage';
import { fieldErrorsOf, type FormErrors } from '@/utils/fieldErrors';
import {
  AUTO_TEXT_FLOOD_MAX,
  AutoTextSettings,
  DEFAULT_AUTO_TEXT_SETTINGS,
  FRESH_CALL_MS,
  maskPhone,
  parseAutoTextSettings,
} from '@/utils/workflow/autoText';
import {
  autoTextSettingsItem,
  pendingAutoTextsItem,
  saveAutoTextSettings,
} from '@/utils/workflow/autoTextStore';
import { lastAutomaticText } from '@/utils/workflow/messageOutbox';
import { canSend, smsSettingsItem } from '@/utils/workflow/sms/clients';
import { sourceConnectionsItem } from '@/utils/capture/sources/connections';
import { SMS_PROVIDER_LABELS } from '@/utils/workflow/sms/types';
import { FieldError, NumberField, SettingsSection, type Status } from './settingsForm';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function formatWhen(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(ms);
}

/**
 * Options → Automatic text after a missed call: the switch, which sources, the caller's
 * sending hours and the debounce; what it needs (a browser running with the extension, a
 * texting connection), when the last one went and what waits.
 */
export function AutoTextSection() {
  const firm = useFirmSettings();
  const [saved, setSaved] = useState<AutoTextSettings | null>(null);
  const [draft, setDraft] = useState<AutoTextSettings | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [status, setStatus] = useState<Status>(null);
  const [saving, setSaving] = useState(false);
  const savedRef = useRef<AutoTextSettings | null>(null);

  // The stored settings; while this form has no edits of its own it follows changes saved
  // elsewhere (another Options tab).
  useEffect(() => {
    const apply = (value: unknown) => {
      const next = parseAutoTextSettings(value);
      const previous = savedRef.current;
      savedRef.current = next;
      setSaved(next);
      setDraft((current) => (current === null || same(current, previous) ? next : current));
    };
    let first = true;
    const unwatch = autoTextSettingsItem.watch((value) => {
      first = false;
      apply(value);
    });
    void autoTextSettingsItem.getValue().then((value) => {
      if (first) apply(value);
    });
    return unwatch;
  }, []);

  const sources = useMemo(() => {
    const names = new Set<string>([
      ...(firm?.sources ?? []),
      ...(firm?.sourceRules.map((r) => r.source) ?? []),
      ...(draft?.sources ?? []),
    ]);
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [firm, draft?.sources]);

  if (!draft || !firm) return null;
  const dirty = saved !== null && !same(draft, saved);

  const update = (change: Partial<AutoTextSettings>) => {
    setDraft({ ...draft, ...change });
    setStatus(null);
    setErrors((current) =>
      Object.fromEntries(Object.entries(current).filter(([key]) => !(key in change))),
    );
  };

  const save = async () => {
    const parsed = AutoTextSettings.safeParse(draft);
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error.issues));
      setStatus({ kind: 'error', text: 'Nothing was saved: fix the fields marked in red.' });
      return;
    }
    setSaving(true);
    try {
      const next = await saveAutoTextSettings(parsed.data);
      savedRef.current = next;
      setSaved(next);
      setDraft(next);
      setErrors({});
      setStatus({ kind: 'ok', text: 'Saved.' });
    } catch (error) {
      setStatus({ kind: 'error', text: `Not saved: ${errorMessage(error)}` });
    } finally {
      setSaving(false);
    }
  };

  const toggleSource = (name: string, on: boolean) =>
    update({
      sources: on ? [...draft.sources, name] : draft.sources.filter((s) => s !== name),
    });

  return (
    <SettingsSection
      id="auto-text"
      title="Automatic text after a missed call"
      description={
        <>
          Texts each new missed caller within a minute, through your texting provider: the message
          is the template “Automatic text after a missed call” under Scripts and templates.{' '}
          <strong>It needs a browser running with Callback Desk</strong> — the browser sends the
          text; nothing runs on a server. A call that comes in while no browser is running (or while
          no texting connection works) gets no automatic text: it is marked{' '}
          <em>No auto-text sent</em> in the queue, so you text that caller first. At most{' '}
          {AUTO_TEXT_FLOOD_MAX} automatic texts go out in any hour, a guard against floods of fake
          calls run up on your texting bill; callers past that are marked the same way.
        </>
      }
      form={{ dirty, saving, status, discard: () => saved && setDraft(saved) }}
      onSave={() => void save()}
    >
      <AutoTextStatus timeZone={firm.timeZone} enabled={saved?.enabled ?? false} />

      <fieldset className="options-group">
        <legend>When to text</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => update({ enabled: e.target.checked })}
          />
          Send an automatic text after each missed call
        </label>
        <p className="options-hint">
          Never to a caller with no callback number, a number that opted out (STOP) or that your
          provider says cannot receive texts, a call that was answered or already called back — and
          at most one automatic text per number in 24 hours.
        </p>
        <SourceChoice
          draft={draft}
          sources={sources}
          update={update}
          toggleSource={toggleSource}
          error={errors.sources}
        />
      </fieldset>

      <fieldset className="options-group">
        <legend>Caller’s sending hours</legend>
        <SendingHours draft={draft} update={update} errors={errors} />
        <p className="options-hint">
          Read in the caller’s time zone, from their number (Google libphonenumber’s time-zone
          data). A number that spans zones gets the strictest hours; a number that says nothing
          about where the caller is gets the firm’s time zone ({firm.timeZone}). A text due outside
          these hours is held and goes out at the first allowed minute — unless the caller has been
          called back meanwhile.
        </p>
      </fieldset>

      <fieldset className="options-group">
        <legend>Timing</legend>
        <div className="options-grid">
          <NumberField
            label="Wait before texting"
            suffix="seconds"
            min={5}
            max={40}
            value={draft.debounceSeconds}
            onChange={(v) => update({ debounceSeconds: v ?? Number.NaN })}
            error={errors.debounceSeconds}
            hint="After a missed call is seen: another leg of the same call, or the answered one, lands meanwhile and no wrong text goes."
          />
        </div>
        <p className="options-hint">
          Calls seen more than {Math.round(FRESH_CALL_MS / 60_000)} minutes after they started (the
          browser was closed, the call log came in late) get no automatic text and are marked
          instead.
        </p>
      </fieldset>
    </SettingsSection>
  );
}

function SourceChoice({
  draft,
  sources,
  update,
  toggleSource,
  error,
}: {
  draft: AutoTextSettings;
  sources: string[];
  update: (change: Partial<AutoTextSettings>) => void;
  toggleSource: (name: string, on: boolean) => void;
  error?: string;
}) {
  const name = useId();
  return (
    <div role="group" aria-label="Sources that get the automatic text">
      <label className="checkbox">
        <input
          type="radio"
          name={name}
          checked={draft.sourceScope === 'all'}
          onChange={() => update({ sourceScope: 'all' })}
        />
        Every source
      </label>
      <label className="checkbox">
        <input
          type="radio"
          name={name}
          checked={draft.sourceScope === 'selected'}
          onChange={() => update({ sourceScope: 'selected' })}
        />
        Only these sources:
      </label>
      {draft.sourceScope === 'selected' && (
        <ul className="options-checklist">
          {sources.map((source) => (
            <li key={source}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.sources.includes(source)}
                  onChange={(e) => toggleSource(source, e.target.checked)}
                />
                {source}
              </label>
            </li>
          ))}
          <li>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={draft.includeUntagged}
                onChange={(e) => update({ includeUntagged: e.target.checked })}
              />
              Calls no source rule tagged
            </label>
          </li>
        </ul>
      )}
      <FieldError id={`${name}-error`} message={error} />
    </div>
  );
}

function SendingHours({
  draft,
  update,
  errors,
}: {
  draft: AutoTextSettings;
  update: (change: Partial<AutoTextSettings>) => void;
  errors: FormErrors;
}) {
  const fromId = useId();
  const untilId = useId();
  return (
    <div className="options-grid">
      <div className="field">
        <label htmlFor={fromId}>Text only from</label>
        <input
          id={fromId}
          type="time"
          value={draft.sendFrom}
          aria-invalid={errors.sendFrom ? true : undefined}
          aria-describedby={errors.sendFrom ? `${fromId}-error` : undefined}
          onChange={(e) => update({ sendFrom: e.target.value })}
        />
        <FieldError id={`${fromId}-error`} message={errors.sendFrom} />
      </div>
      <div className="field">
        <label htmlFor={untilId}>until</label>
        <input
          id={untilId}
          type="time"
          value={draft.sendUntil}
          aria-invalid={errors.sendUntil ? true : undefined}
          aria-describedby={errors.sendUntil ? `${untilId}-error` : undefined}
          onChange={(e) => update({ sendUntil: e.target.value })}
        />
        <FieldError id={`${untilId}-error`} message={errors.sendUntil} />
      </div>
      {(draft.sendFrom !== DEFAULT_AUTO_TEXT_SETTINGS.sendFrom ||
        draft.sendUntil !== DEFAULT_AUTO_TEXT_SETTINGS.sendUntil) && (
        <button
          type="button"
          className="link"
          onClick={() =>
            update({
              sendFrom: DEFAULT_AUTO_TEXT_SETTINGS.sendFrom,
              sendUntil: DEFAULT_AUTO_TEXT_SETTINGS.sendUntil,
            })
          }
        >
          Back to 8:00–21:00
        </button>
      )}
    </div>
  );
}

/** What the firm should know right now: can it send, when the last one went, what waits. */
function AutoTextStatus({ timeZone, enabled }: { timeZone: string; enabled: boolean }) {
  const last = useLiveQuery(() => lastAutomaticText(db), []);
  const pending = useStorageItem(pendingAutoTextsItem);
  const flagged = useLiveQuery(
    () =>
      db.leads
        .where('status')
        .notEqual('done')
        .filter((l) => l.noAutoText !== undefined && !((l.lastAttemptAt ?? 0) > l.noAutoText.at))
        .count(),
    [],
  );
  // Asked again whenever a provider is connected or the texting settings change.
  const connections = useStorageItem(sourceConnectionsItem);
  const smsSettings = useStorageItem(smsSettingsItem);
  const [connection, setConnection] = useState<
    { ok: true; text: string } | { ok: false; text: string } | null
  >(null);
  useEffect(() => {
    let active = true;
    canSend(db)
      .then((result) => {
        if (!active) return;
        setConnection(
          result.ok
            ? {
                ok: true,
                text: `Texts go out through ${SMS_PROVIDER_LABELS[result.provider]} from ${result.from}.`,
              }
            : { ok: false, text: result.reason },
        );
      })
      .catch((error: unknown) => active && setConnection({ ok: false, text: errorMessage(error) }));
    return () => {
      active = false;
    };
  }, [connections, smsSettings]);

  const sentAt = last ? (last.sentAt ?? last.at) : undefined;
  return (
    <div className="options-auto-text-status" aria-label="Automatic text status">
      <p role="status">
        {last && sentAt !== undefined ? (
          <>
            Last automatic text: <strong>{formatWhen(sentAt, timeZone)}</strong> to{' '}
            {maskPhone(last.to)}.
          </>
        ) : (
          'No automatic text has gone out yet.'
        )}
        {pending && pending.length > 0 && ` ${pending.length} missed call(s) waiting to be texted.`}
      </p>
      {connection && (
        <p className={connection.ok ? 'options-hint' : 'field-error'}>
          {connection.ok || !enabled
            ? connection.text
            : `Automatic texts cannot go out now: ${connection.text}`}
        </p>
      )}
      {flagged !== undefined && flagged > 0 && (
        <p className="options-hint">
          {flagged} open lead{flagged === 1 ? '' : 's'} got no automatic text (marked in the queue).
        </p>
      )}
    </div>
  );
}
