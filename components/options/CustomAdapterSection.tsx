import { useEffect, useId, useState } from 'react';
import type { z } from 'zod';
import { browser } from '#imports';
import {
  CustomAdapterConfig,
  customAdapterConfigItem,
  customMatchPattern,
} from '@/utils/capture/adapters/customConfig';
import { errorMessage } from '@/utils/errorMessage';
import { fieldErrorsOf, type FormErrors } from '@/utils/fieldErrors';
import type { CustomAdapterPreview } from '@/utils/capture/customPortal';
import { sendMessage } from '@/utils/messaging';
import { requestHostAccess } from '@/utils/permissions';
import { SettingsSection, TextField, type Status } from './settingsForm';

interface Draft {
  enabled: boolean;
  hostPattern: string;
  rowSelector: string;
  numberSelector: string;
  timeSelector: string;
  nameSelector: string;
  statusSelector: string;
  missedPattern: string;
}

/** Off until the firm names a portal: nothing is captured from a host nobody entered. */
const EMPTY: Draft = {
  enabled: false,
  hostPattern: '',
  rowSelector: '',
  numberSelector: '',
  timeSelector: '',
  nameSelector: '',
  statusSelector: '',
  missedPattern: 'missed|no answer|voicemail',
};

const SELECTOR_FIELDS = [
  'rowSelector',
  'numberSelector',
  'timeSelector',
  'nameSelector',
  'statusSelector',
] as const;

function toDraft(config: CustomAdapterConfig | null): Draft {
  if (!config) return EMPTY;
  return {
    ...EMPTY,
    ...config,
    nameSelector: config.nameSelector ?? '',
    statusSelector: config.statusSelector ?? '',
  };
}

function toConfig(draft: Draft): z.input<typeof CustomAdapterConfig> {
  return {
    ...draft,
    enabled: draft.enabled && draft.hostPattern.trim() !== '',
    nameSelector: draft.nameSelector.trim() || undefined,
    statusSelector: draft.statusSelector.trim() || undefined,
  };
}

/** Selectors the browser cannot parse, checked here where a DOM exists (the schema cannot). */
function selectorErrors(draft: Draft): FormErrors {
  const errors: FormErrors = {};
  for (const field of SELECTOR_FIELDS) {
    const value = draft[field].trim();
    if (!value) continue;
    try {
      document.createDocumentFragment().querySelector(value);
    } catch {
      errors[field] = 'Not a valid CSS selector.';
    }
  }
  return errors;
}

interface TabChoice {
  id: number;
  title: string;
  url: string;
}

/**
 * The firm's own portal adapter, for phone portals we do not know: where the rows are, where
 * each field sits, and which status text means "missed" — with a live preview that runs the
 * selectors on an open tab and shows, as text, what would be captured.
 */
export function CustomAdapterSection() {
  const [saved, setSaved] = useState<Draft | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [status, setStatus] = useState<Status>(null);
  const [saving, setSaving] = useState(false);
  const hintId = useId();

  useEffect(() => {
    let active = true;
    void customAdapterConfigItem.getValue().then((value) => {
      if (!active) return;
      const parsed = CustomAdapterConfig.safeParse(value);
      const next = toDraft(parsed.success ? parsed.data : null);
      setSaved(next);
      setDraft(next);
    });
    return () => {
      active = false;
    };
  }, []);

  if (!draft || !saved) return null;
  const hasHost = draft.hostPattern.trim() !== '';
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const update = (change: Partial<Draft>) => {
    setDraft({ ...draft, ...change });
    setStatus(null);
    setErrors((current) =>
      Object.fromEntries(Object.entries(current).filter(([key]) => !(key in change))),
    );
  };

  const save = async () => {
    const parsed = CustomAdapterConfig.safeParse(toConfig(draft));
    const found = {
      ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)),
      ...selectorErrors(draft),
    };
    if (!parsed.success || Object.keys(found).length > 0) {
      setErrors(found);
      setStatus({ kind: 'error', text: 'Nothing was saved: fix the fields marked in red.' });
      return;
    }
    setSaving(true);
    try {
      // Asked on this click (a user gesture); the background registers the portal script
      // on the host once access is granted.
      const granted = parsed.data.enabled
        ? await requestHostAccess([customMatchPattern(parsed.data.hostPattern)])
        : true;
      await customAdapterConfigItem.setValue(parsed.data);
      const next = toDraft(parsed.data);
      setSaved(next);
      setDraft(next);
      setErrors({});
      setStatus(
        granted
          ? {
              kind: 'ok',
              text: parsed.data.enabled
                ? `Saved. Open ${parsed.data.hostPattern} in a tab to capture its missed calls.`
                : 'Saved (turned off).',
            }
          : {
              kind: 'info',
              text: `Saved, but capture stays off until you allow access to ${parsed.data.hostPattern}.`,
            },
      );
    } catch (error) {
      setStatus({ kind: 'error', text: `Not saved: ${errorMessage(error)}` });
    } finally {
      setSaving(false);
    }
  };

  const field = (key: keyof Omit<Draft, 'enabled'>, label: string, placeholder: string) => (
    <TextField
      label={label}
      value={draft[key]}
      onChange={(value) => update({ [key]: value })}
      error={errors[key]}
      placeholder={placeholder}
    />
  );

  return (
    <SettingsSection
      id="custom-portal"
      title="Custom phone portal"
      description="Capture missed calls from a phone provider’s web portal we do not support yet: tell us where the call rows are and where each detail sits (CSS selectors), then check the preview against the portal open in a tab."
      form={{
        dirty,
        saving,
        status,
        discard: () => {
          setDraft(saved);
          setErrors({});
          setStatus(null);
        },
      }}
      onSave={() => void save()}
    >
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.enabled && hasHost}
          disabled={!hasHost}
          aria-describedby={hasHost ? undefined : `${hintId}-host`}
          onChange={(e) => update({ enabled: e.target.checked })}
        />
        Capture from this portal
      </label>
      {!hasHost && (
        <p className="options-hint" id={`${hintId}-host`}>
          Enter the portal’s address (host) below first.
        </p>
      )}
      <div className="options-grid">
        <fieldset className="options-group">
          <legend>Where</legend>
          {field('hostPattern', 'Portal host', 'portal.example-voip.com or *.example-voip.com')}
          {field('rowSelector', 'Call row selector', 'table.calls tbody tr')}
        </fieldset>
        <fieldset className="options-group">
          <legend>In each row</legend>
          {field('numberSelector', 'Caller number', '.caller, a[href^="tel:"]')}
          {field('timeSelector', 'Call time', 'time, .date')}
          {field('nameSelector', 'Caller name (optional)', '.caller-name')}
          {field('statusSelector', 'Status (optional; the whole row otherwise)', '.disposition')}
          {field(
            'missedPattern',
            'Missed when the status matches (regular expression)',
            'missed|no answer|voicemail',
          )}
        </fieldset>
      </div>
      <LivePreview draft={draft} />
    </SettingsSection>
  );
}

/** The host pattern if it is a valid one (the schema's own rule), else null. */
function validHost(hostPattern: string): string | null {
  const parsed = CustomAdapterConfig.shape.hostPattern.safeParse(hostPattern);
  return parsed.success ? parsed.data : null;
}

/**
 * Runs the draft selectors on an open tab of the portal. Tabs are listed by the portal's host
 * pattern: once the firm grants access to that host (asked on the click), the tabs there
 * show their titles — no blanket "tabs" permission needed.
 */
function LivePreview({ draft }: { draft: Draft }) {
  const selectId = useId();
  const [tabs, setTabs] = useState<TabChoice[]>([]);
  const [tabId, setTabId] = useState<number | null>(null);
  const [preview, setPreview] = useState<CustomAdapterPreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const host = validHost(draft.hostPattern);

  const run = async () => {
    if (!host) return;
    setBusy(true);
    setProblem(null);
    try {
      if (!(await requestHostAccess([customMatchPattern(host)]))) {
        setProblem(`Callback Desk needs access to ${host} to read its pages.`);
        return;
      }
      const found: TabChoice[] = (await browser.tabs.query({ url: customMatchPattern(host) }))
        .filter((t) => t.id !== undefined)
        .map((t) => ({ id: t.id!, title: t.title || t.url || `Tab ${t.id}`, url: t.url ?? '' }));
      setTabs(found);
      const tab = found.find((t) => t.id === tabId) ?? found[0];
      if (!tab) {
        setPreview(null);
        setProblem(
          `No tab is showing ${host}. Open the portal’s call list in a tab, then preview.`,
        );
        return;
      }
      setTabId(tab.id);
      setPreview(
        await sendMessage('previewCustomAdapter', { tabId: tab.id, config: toConfig(draft) }),
      );
    } catch (error) {
      setPreview(null);
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="options-group">
      <legend>Live preview</legend>
      <div className="input-row">
        {tabs.length > 1 && (
          <>
            <label htmlFor={selectId}>Portal tab</label>
            <select
              id={selectId}
              value={tabId ?? ''}
              onChange={(e) => setTabId(Number(e.target.value))}
            >
              {tabs.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.title.slice(0, 80)}
                </option>
              ))}
            </select>
          </>
        )}
        <button
          type="button"
          disabled={busy || !host || !draft.rowSelector.trim()}
          onClick={() => void run()}
        >
          {busy ? 'Reading…' : host ? `Preview on the open ${host} tab` : 'Preview'}
        </button>
      </div>
      {!host && <p className="options-hint">Enter the portal host to preview.</p>}
      {problem && <p className="notice notice-error">{problem}</p>}
      {preview && <PreviewResult preview={preview} />}
    </fieldset>
  );
}

function PreviewResult({ preview }: { preview: CustomAdapterPreview }) {
  return (
    <div aria-live="polite" data-testid="custom-preview">
      <p>
        {preview.rowsSeen} rows matched · {preview.rowsRead} read · {preview.calls.length} missed
        calls would be captured
      </p>
      {preview.misses.length > 0 && (
        <ul className="notice notice-warning">
          {preview.misses.map((miss) => (
            <li key={miss}>{miss}</li>
          ))}
        </ul>
      )}
      {preview.calls.length > 0 && (
        <table className="options-preview">
          <thead>
            <tr>
              <th>Caller</th>
              <th>Name</th>
              <th>Time</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {preview.calls.map((call, i) => (
              <tr key={`${call.from}-${call.startedAt}-${i}`}>
                <td dir="auto">{call.from}</td>
                <td dir="auto">{call.callerName ?? ''}</td>
                <td>{new Date(call.startedAt).toLocaleString()}</td>
                <td>
                  {call.reason === 'voicemail'
                    ? 'Voicemail'
                    : call.reason === 'busy'
                      ? 'Busy'
                      : 'Missed'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
