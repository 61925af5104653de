import { useId, useState } from 'react';
import type { CountryCode } from 'libphonenumber-js';
import { useFirmSettings } from '@/components/hooks';
import { errorsUnder, type FormErrors } from '@/utils/fieldErrors';
import { normalizePhone } from '@/utils/phone';
import {
  DEFAULT_CADENCE,
  type Cadence,
  type FirmSettings,
  type SlaWindows,
  type SourceRule,
} from '@/utils/settings';
import { FieldError, NumberField, SettingsSection, useSettingsDraft } from './settingsForm';
import { SourceRuleTeamFields } from '../team/SourceRuleTeamFields';
import { CadenceEditor, normalizeCadence } from './CadenceEditor';

const KEYS = ['sources', 'practiceAreas', 'sourceRules'] as const;
type Draft = Pick<FirmSettings, (typeof KEYS)[number]>;

/**
 * Where calls come from: the source tags and practice areas staff pick from, and rules that
 * tag a call by the firm line or tracking number it was dialled on (with optional tighter
 * callback windows for paid sources).
 */
export function SourceRulesSection() {
  const form = useSettingsDraft(KEYS);
  const firm = useFirmSettings();
  const { draft, update, errors } = form;
  if (!draft || !firm) return null;
  const country = firm.defaultCountry as CountryCode;

  const setRule = (index: number, change: Partial<SourceRule>) =>
    update({
      sourceRules: draft.sourceRules.map((r, i) => (i === index ? { ...r, ...change } : r)),
    });

  const save = () =>
    void form.save({
      extraCheck: (d) => checkRules(d, country),
      prepare: (d) => ({
        ...d,
        sourceRules: d.sourceRules.map((rule) => ({
          ...rule,
          // Stored in E.164 so a later change of the default country cannot change matches.
          line: normalizePhone(rule.line, country).e164 ?? rule.line,
          practiceArea: rule.practiceArea || undefined,
          sla: cleanSla(rule.sla),
          cadence: rule.cadence && normalizeCadence(rule.cadence),
        })),
      }),
    });

  const usedBy = (field: 'source' | 'practiceArea') => (item: string) => {
    const rule = draft.sourceRules.find((r) => r[field] === item);
    return rule
      ? `“${item}” is used by the rule for ${rule.line}; change that rule first.`
      : undefined;
  };

  return (
    <SettingsSection
      id="sources"
      title="Sources and practice areas"
      description="Tag each lead with where it came from, so you can see which ads and vendors produce missed calls, and set tighter windows for the ones you pay for."
      form={form}
      onSave={save}
    >
      <div className="options-grid">
        <fieldset className="options-group">
          <legend>Lead sources</legend>
          <ListEditor
            label="source"
            items={draft.sources}
            onChange={(sources) => update({ sources })}
            inUse={usedBy('source')}
            error={errorsUnder(errors, 'sources')[0]}
            placeholder="e.g. Avvo"
          />
        </fieldset>
        <fieldset className="options-group">
          <legend>Practice areas</legend>
          <ListEditor
            label="practice area"
            items={draft.practiceAreas}
            onChange={(practiceAreas) => update({ practiceAreas })}
            inUse={usedBy('practiceArea')}
            error={errorsUnder(errors, 'practiceAreas')[0]}
            placeholder="e.g. Workers’ comp"
          />
        </fieldset>
      </div>

      <fieldset className="options-group">
        <legend>Rules by dialled line</legend>
        <p className="options-hint">
          A call to one of these numbers (a tracking number or firm line) gets its source and
          practice area, and the rule’s callback windows when set.
        </p>
        {draft.sourceRules.length === 0 && (
          <p className="options-muted">No rules yet: calls are tagged by hand.</p>
        )}
        <ol className="options-rules">
          {draft.sourceRules.map((rule, index) => (
            <RuleEditor
              key={rule.id}
              index={index}
              rule={rule}
              draft={draft}
              firmSla={firm.sla}
              firmCadence={firm.cadence}
              country={country}
              errors={errors}
              onChange={(change) => setRule(index, change)}
              onRemove={() =>
                update({ sourceRules: draft.sourceRules.filter((_, i) => i !== index) })
              }
            />
          ))}
        </ol>
        <div>
          <button
            type="button"
            onClick={() =>
              update({
                sourceRules: [
                  ...draft.sourceRules,
                  {
                    id: crypto.randomUUID(),
                    line: '',
                    source: draft.sources[0] ?? '',
                    priority: false,
                  },
                ],
              })
            }
          >
            + Add rule
          </button>
        </div>
      </fieldset>
    </SettingsSection>
  );
}

function RuleEditor({
  index,
  rule,
  draft,
  firmSla,
  firmCadence,
  country,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  rule: SourceRule;
  draft: Draft;
  firmSla: SlaWindows;
  firmCadence: Cadence | undefined;
  country: CountryCode;
  errors: FormErrors;
  onChange: (change: Partial<SourceRule>) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const path = `sourceRules.${index}`;
  const lineError = errorsUnder(errors, `${path}.line`)[0];
  const sourceError = errorsUnder(errors, `${path}.source`)[0];
  const areaError = errorsUnder(errors, `${path}.practiceArea`)[0];
  const normalized = rule.line.trim() ? normalizePhone(rule.line, country) : null;
  const setSla = (key: keyof SlaWindows, value: number | undefined) =>
    onChange({ sla: { ...rule.sla, [key]: value } });
  return (
    <li className="options-rule" aria-label={`Rule ${index + 1}`}>
      <div className="options-rule-main">
        <div className="field">
          <label htmlFor={`${id}-line`}>Dialled line</label>
          <input
            id={`${id}-line`}
            value={rule.line}
            placeholder="(800) 555-0100"
            inputMode="tel"
            aria-invalid={lineError ? true : undefined}
            aria-describedby={`${id}-line-note`}
            onChange={(e) => onChange({ line: e.target.value })}
          />
          {lineError ? (
            <FieldError id={`${id}-line-note`} message={lineError} />
          ) : (
            <span id={`${id}-line-note`} className="options-hint">
              {normalized?.e164
                ? `Matches ${normalized.e164} (${normalized.display})`
                : normalized
                  ? 'Not a callable number yet'
                  : 'Any format'}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-source`}>Source</label>
          <select
            id={`${id}-source`}
            value={rule.source}
            aria-invalid={sourceError ? true : undefined}
            onChange={(e) => onChange({ source: e.target.value })}
          >
            {!draft.sources.includes(rule.source) && (
              <option value={rule.source}>{rule.source || 'Choose…'}</option>
            )}
            {draft.sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-source-error`} message={sourceError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-area`}>Practice area</label>
          <select
            id={`${id}-area`}
            value={rule.practiceArea ?? ''}
            aria-invalid={areaError ? true : undefined}
            onChange={(e) => onChange({ practiceArea: e.target.value || undefined })}
          >
            <option value="">Not set</option>
            {rule.practiceArea && !draft.practiceAreas.includes(rule.practiceArea) && (
              <option value={rule.practiceArea}>{rule.practiceArea}</option>
            )}
            {draft.practiceAreas.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-area-error`} message={areaError} />
        </div>
        <button
          type="button"
          className="icon-button options-rule-remove"
          aria-label={`Remove rule ${index + 1}`}
          onClick={onRemove}
        >
          ×
        </button>
      </div>
      <SourceRuleTeamFields rule={rule} onChange={onChange} />
      <div className="options-rule-sla">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={rule.priority}
            onChange={(e) => onChange({ priority: e.target.checked })}
          />
          Priority source
        </label>
        <NumberField
          label="Target"
          suffix="min"
          optional
          min={1}
          placeholder={String(firmSla.targetMinutes)}
          value={rule.sla?.targetMinutes}
          onChange={(v) => setSla('targetMinutes', v)}
          error={errors[`${path}.sla.targetMinutes`]}
        />
        <NumberField
          label="Limit"
          suffix="min"
          optional
          min={1}
          placeholder={String(firmSla.limitMinutes)}
          value={rule.sla?.limitMinutes}
          onChange={(v) => setSla('limitMinutes', v)}
          error={errors[`${path}.sla.limitMinutes`]}
        />
        <NumberField
          label="After hours"
          suffix="min"
          optional
          min={1}
          placeholder={String(firmSla.afterHoursMinutes)}
          value={rule.sla?.afterHoursMinutes}
          onChange={(v) => setSla('afterHoursMinutes', v)}
          error={errors[`${path}.sla.afterHoursMinutes`]}
        />
        <span className="options-hint options-rule-sla-note">
          Empty: the firm’s window. The windows hold for every step of the cadence.
        </span>
      </div>
      <div className="options-rule-cadence">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={Boolean(rule.cadence)}
            onChange={(e) =>
              onChange({
                cadence: e.target.checked ? (firmCadence ?? DEFAULT_CADENCE) : undefined,
              })
            }
          />
          Own follow-up cadence for this source
        </label>
        {rule.cadence && (
          <CadenceEditor
            value={rule.cadence}
            onChange={(cadence) => onChange({ cadence })}
            errors={errors}
            path={`${path}.cadence`}
            label={`Rule ${index + 1} cadence steps`}
          />
        )}
      </div>
    </li>
  );
}

/** Checks the schema cannot make: numbers must parse, and every tag must exist. */
function checkRules(draft: Draft, country: CountryCode): FormErrors {
  const errors: FormErrors = {};
  const seen = new Map<string, number>();
  draft.sourceRules.forEach((rule, i) => {
    if (rule.line.trim()) {
      const { e164 } = normalizePhone(rule.line, country);
      if (!e164) errors[`sourceRules.${i}.line`] = 'Not a phone number, e.g. (800) 555-0100.';
      else if (seen.has(e164))
        errors[`sourceRules.${i}.line`] = `Rule ${seen.get(e164)! + 1} already uses this line.`;
      else seen.set(e164, i);
    }
    if (rule.source && !draft.sources.includes(rule.source)) {
      errors[`sourceRules.${i}.source`] = 'Pick a source from the list.';
    }
    if (rule.practiceArea && !draft.practiceAreas.includes(rule.practiceArea)) {
      errors[`sourceRules.${i}.practiceArea`] = 'Pick a practice area from the list.';
    }
  });
  return errors;
}

function cleanSla(sla: SourceRule['sla']): SourceRule['sla'] {
  if (!sla) return undefined;
  const entries = Object.entries(sla).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as SourceRule['sla']) : undefined;
}

/** Tags as removable chips, plus an input to add one. */
function ListEditor({
  label,
  items,
  onChange,
  inUse,
  error,
  placeholder,
}: {
  label: string;
  items: string[];
  onChange: (items: string[]) => void;
  inUse: (item: string) => string | undefined;
  error?: string;
  placeholder?: string;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const add = () => {
    const value = text.trim();
    if (!value) return;
    if (items.some((i) => i.toLowerCase() === value.toLowerCase())) {
      setProblem(`“${value}” is already in the list.`);
      return;
    }
    if (value.length > 80) {
      setProblem('At most 80 characters.');
      return;
    }
    onChange([...items, value]);
    setText('');
    setProblem(null);
  };
  return (
    <div className="options-list-editor">
      <ul className="options-chips" aria-label={`${label[0]!.toUpperCase()}${label.slice(1)}s`}>
        {items.map((item) => (
          <li key={item} className="options-chip">
            <span>{item}</span>
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${label} ${item}`}
              onClick={() => {
                const blocker = inUse(item);
                if (blocker) setProblem(blocker);
                else onChange(items.filter((i) => i !== item));
              }}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="input-row">
        <label htmlFor={id} className="visually-hidden">
          New {label}
        </label>
        <input
          id={id}
          value={text}
          placeholder={placeholder}
          onChange={(e) => {
            setText(e.target.value);
            setProblem(null);
          }}
          onKeyDown={(e) => {
            // Enter adds the tag instead of submitting the whole section.
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" onClick={add} disabled={!text.trim()}>
          Add {label}
        </button>
      </div>
      <FieldError id={`${id}-error`} message={problem ?? error} />
    </div>
  );
}
