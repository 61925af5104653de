import { useId, useMemo, useState } from 'react';
import type { MetricsPrefs } from '@/utils/metrics/types';
import {
  MetricsPrefsSchema,
  metricsPrefsItem,
  parseMetricsPrefs,
  saveMetricsPrefs,
} from '@/utils/metrics/settings';
import { useStorageItem } from '../useStorageItem';
import { firmSettingsItem, parseSettings } from '@/utils/settings';
import { SettingsSection, type Status } from './settingsForm';

/** What the form holds: percentages and amounts as typed. */
interface Draft {
  good: string;
  needsWork: string;
  currency: string;
  costs: Record<string, string>;
}

function toDraft(prefs: MetricsPrefs): Draft {
  return {
    good: String(Math.round(prefs.goodAtLeast * 1000) / 10),
    needsWork: String(Math.round(prefs.needsWorkBelow * 1000) / 10),
    currency: prefs.currency,
    costs: Object.fromEntries(Object.entries(prefs.costPerLead).map(([k, v]) => [k, String(v)])),
  };
}

/** The draft as prefs, or the first problem in words (next to its field). */
function fromDraft(draft: Draft): { prefs: MetricsPrefs } | { field: string; error: string } {
  const percent = (text: string, field: string) => {
    const n = Number(text.replace(',', '.').replace('%', '').trim());
    return text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100
      ? { field, error: 'Enter a percentage from 0 to 100.' }
      : n / 100;
  };
  const good = percent(draft.good, 'good');
  if (typeof good !== 'number') return good;
  const needsWork = percent(draft.needsWork, 'needsWork');
  if (typeof needsWork !== 'number') return needsWork;
  const costPerLead: Record<string, number> = {};
  for (const [source, text] of Object.entries(draft.costs)) {
    if (text.trim() === '') continue;
    const n = Number(text.replace(/[$€£,\s]/g, ''));
    if (!Number.isFinite(n) || n < 0 || n > 1_000_000) {
      return { field: `cost:${source}`, error: 'Enter an amount such as 45 or 12.50.' };
    }
    costPerLead[source] = n;
  }
  const parsed = MetricsPrefsSchema.safeParse({
    goodAtLeast: good,
    needsWorkBelow: needsWork,
    currency: draft.currency,
    costPerLead,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] === 'needsWorkBelow' ? 'needsWork' : String(issue.path[0]);
    return { field, error: issue.message };
  }
  return { prefs: parsed.data };
}

/** Options › Metrics: the contact-rate thresholds and the cost of a lead per source. */
export function MetricsSection() {
  const stored = useStorageItem(metricsPrefsItem);
  const firm = useStorageItem(firmSettingsItem);
  // The firm's edits; null: none (the form shows what is stored).
  const [edited, setEdited] = useState<Draft | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [error, setError] = useState<{ field: string; error: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const ids = useId();

  const saved = useMemo(
    () => (stored === null ? null : toDraft(parseMetricsPrefs(stored))),
    [stored],
  );
  const draft = edited ?? saved;
  if (!draft || !saved || firm === null) return null;
  const sources = [
    ...new Set([
      ...parseSettings(firm).sources,
      ...parseSettings(firm).sourceRules.map((r) => r.source),
      ...Object.keys(draft.costs),
    ]),
  ].sort((a, b) => a.localeCompare(b));
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const update = (change: Partial<Draft>) => {
    setEdited({ ...draft, ...change });
    setError(null);
    setStatus(null);
  };
  const save = async () => {
    const result = fromDraft(draft);
    if ('error' in result) {
      setError(result);
      setStatus({ kind: 'error', text: 'Not saved: fix the field marked below.' });
      return;
    }
    setSaving(true);
    try {
      await saveMetricsPrefs(result.prefs);
      setEdited(null);
      setStatus({ kind: 'ok', text: 'Saved.' });
    } catch {
      setStatus({ kind: 'error', text: 'Not saved: the settings could not be stored.' });
    } finally {
      setSaving(false);
    }
  };
  const fieldError = (field: string) =>
    error?.field === field ? (
      <span className="field-error" id={`${ids}-${field}-error`} role="alert">
        {error.error}
      </span>
    ) : null;
  const described = (field: string) =>
    error?.field === field
      ? { 'aria-invalid': true, 'aria-describedby': `${ids}-${field}-error` }
      : {};

  return (
    <SettingsSection
      id="metrics"
      title="Metrics"
      description="How the dashboard judges the contact rate, and what a lead costs per source (to show the money spent on leads never reached)."
      form={{
        dirty,
        saving,
        status,
        discard: () => {
          setEdited(null);
          setError(null);
          setStatus(null);
        },
      }}
      onSave={() => void save()}
    >
      <fieldset className="options-group">
        <legend>Contact rate thresholds</legend>
        <label>
          Good at or above (%)
          <input
            inputMode="decimal"
            value={draft.good}
            onChange={(e) => update({ good: e.target.value })}
            {...described('good')}
          />
          {fieldError('good')}
        </label>
        <label>
          Needs work below (%)
          <input
            inputMode="decimal"
            value={draft.needsWork}
            onChange={(e) => update({ needsWork: e.target.value })}
            {...described('needsWork')}
          />
          {fieldError('needsWork')}
        </label>
      </fieldset>
      <fieldset className="options-group">
        <legend>Cost per lead</legend>
        <label>
          Currency
          <input
            value={draft.currency}
            maxLength={3}
            onChange={(e) => update({ currency: e.target.value.toUpperCase() })}
            {...described('currency')}
          />
          {fieldError('currency')}
        </label>
        <p className="options-muted">
          Leave a source empty when its leads cost nothing per lead (referrals, direct calls).
        </p>
        {sources.map((source) => (
          <label key={source}>
            {source}
            <input
              inputMode="decimal"
              value={draft.costs[source] ?? ''}
              placeholder="—"
              onChange={(e) => update({ costs: { ...draft.costs, [source]: e.target.value } })}
              {...described(`cost:${source}`)}
            />
            {fieldError(`cost:${source}`)}
          </label>
        ))}
      </fieldset>
    </SettingsSection>
  );
}
