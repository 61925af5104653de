import { useId, useMemo, useRef, useState } from 'react';
import type { Lead } from '@/utils/model';
import type { FirmSettings } from '@/utils/settings';
import { normalizePhone } from '@/utils/phone';
import type { CountryCode } from 'libphonenumber-js';
import { defaultSourceLine } from '@/utils/workflow/defaultTemplates';
import {
  EMAIL_SUBJECTS,
  FIXED_TEMPLATE_IDS,
  TEMPLATE_LABELS,
  TEMPLATE_VARIABLES,
  TEMPLATE_VARIABLE_NAMES,
  afterHoursPromise,
  areaSlug,
  builtInAreaFor,
  callScriptId,
  checkTemplate,
  checkTemplateFor,
  defaultTemplate,
  followedScript,
  inHoursPromise,
  nextOpeningAfter,
  parseStoredTemplates,
  renderTemplate,
  resetTemplate,
  saveScriptDetails,
  saveTemplate,
  sourceLineOf,
  templateText,
  templatesItem,
  varsForLead,
  type FixedTemplateId,
  type StoredTemplates,
  type TemplateId,
  type TemplateVariableName,
} from '@/utils/workflow/templates';
import { useFirmSettings, useNow } from '../hooks';
import { useStorageItem } from '../useStorageItem';
import { ScriptText } from '../ScriptPanel';
import { FieldError, SettingsSection } from './settingsForm';
import { StatusLine, useAction } from './StatusLine';
import '../scripts.css';

const MINUTE = 60_000;

interface Entry {
  id: TemplateId;
  label: string;
  /** Where the text is used, in a sentence. */
  usedFor: string;
  /** The practice area the preview's sample lead has. */
  sampleArea?: string;
}

const USED_FOR: Record<FixedTemplateId, string> = {
  'callScript.general':
    'The call script for leads with no practice area, or one without a script of its own.',
  'callScript.personal-injury': 'The call script for personal injury leads.',
  'callScript.criminal-defense': 'The call script for criminal defense and DUI leads.',
  'callScript.family-law': 'The call script for family law leads.',
  objection:
    'Shown under "Objection" in the lead: for "you didn\'t pick up" or "I already called someone else".',
  voicemail:
    'Shown under "Voicemail" in the lead: the message to leave when the call goes to voicemail.',
  'greeting.inHours':
    "Your phone system's voicemail greeting during office hours. Record it on your phone system; the callback promise follows your SLA settings.",
  'greeting.afterHours':
    "Your phone system's voicemail greeting outside office hours. Record it on your phone system; the hours and promise follow your settings.",
  'sms.textBack': 'The text sent from a lead ("Send text"); staff can edit it before it goes.',
  'sms.autoText': 'The automatic text sent within a minute of a missed call (when turned on).',
  'email.confirmation.subject': 'Subject of the confirmation email.',
  'email.confirmation':
    'The confirmation email after a callback: the call and next steps, with the consultation time when one is booked.',
  'email.cadence.subject': 'Subject of the follow-up email.',
  'email.cadence':
    'The email step of the follow-up cadence, when calls have not reached the caller.',
  'survey.text':
    'The post-intake survey sent after the call: add your survey link here. Record the answers on the lead.',
};

const SAMPLE_AREA: Partial<Record<FixedTemplateId, string>> = {
  'callScript.personal-injury': 'Personal injury',
  'callScript.criminal-defense': 'DUI',
  'callScript.family-law': 'Family law',
};

const GROUPS: { label: string; ids: (entries: Entry[]) => Entry[] }[] = [
  { label: 'Call scripts', ids: (all) => all.filter((e) => e.id.startsWith('callScript.')) },
  {
    label: 'On the call',
    ids: (all) => all.filter((e) => e.id === 'objection' || e.id === 'voicemail'),
  },
  { label: 'Voicemail greetings', ids: (all) => all.filter((e) => e.id.startsWith('greeting.')) },
  { label: 'Texts', ids: (all) => all.filter((e) => e.id.startsWith('sms.')) },
  { label: 'Emails', ids: (all) => all.filter((e) => e.id.startsWith('email.')) },
];

/** The entries of the list: fixed templates (email subjects go with their body) and areas. */
function entriesFor(settings: FirmSettings): Entry[] {
  const subjects = new Set<string>(Object.values(EMAIL_SUBJECTS));
  const fixed: Entry[] = FIXED_TEMPLATE_IDS.filter((id) => !subjects.has(id)).map((id) => ({
    id,
    label: TEMPLATE_LABELS[id].replace(/ — body$/, ''),
    usedFor: USED_FOR[id],
    sampleArea: SAMPLE_AREA[id],
  }));
  // The firm's own areas: each can have its own script; until then it follows a built-in one.
  const fixedIds = new Set<string>(FIXED_TEMPLATE_IDS);
  const own: Entry[] = [];
  const seen = new Set<string>();
  for (const area of settings.practiceAreas) {
    const id = callScriptId(areaSlug(area));
    if (fixedIds.has(id) || seen.has(id)) continue;
    seen.add(id);
    own.push({
      id,
      label: `Call script — ${area}`,
      usedFor: `The call script for ${area} leads.`,
      sampleArea: area,
    });
  }
  const scripts = fixed.filter((e) => e.id.startsWith('callScript.'));
  return [...scripts, ...own, ...fixed.filter((e) => !e.id.startsWith('callScript.'))];
}

/** A realistic lead for the preview: called twelve minutes ago from a Google Ads line. */
function sampleLead(now: number, area: string | undefined): Lead {
  const calledAt = now - 12 * MINUTE;
  return {
    id: 'sample-lead',
    phoneKey: '+12125550147',
    phone: '+12125550147',
    rawNumber: '(212) 555-0147',
    noCallbackNumber: false,
    name: 'Maria Lopez',
    source: area && builtInAreaFor(area) === 'personal-injury' ? 'Google Ads – PI' : 'Website',
    practiceArea: area,
    priority: false,
    status: 'open',
    firstMissedAt: calledAt,
    lastMissedAt: calledAt,
    missedCount: 1,
    dueAt: now,
    overdueAt: now,
    attemptCount: 0,
    createdAt: calledAt,
    updatedAt: calledAt,
  };
}

/** "Call script — personal injury" → "Personal injury" in the list (its group says "Call scripts"). */
function listLabel(label: string): string {
  const short = label.replace(/^Call script — /, '');
  return short.charAt(0).toUpperCase() + short.slice(1);
}

interface Draft {
  body: string;
  subject?: string;
}

/**
 * Options › Scripts & templates: every script, greeting, text and email, with an editor,
 * the variables (click to insert), a live preview against a sample lead, errors that block
 * saving, and a reset to the default per template. Also the details the scripts use: the
 * callback number to give callers, an alternative contact and the per-source opening line.
 */
export function ScriptsSection() {
  const settings = useFirmSettings();
  const storedRaw = useStorageItem(templatesItem);
  const stored = useMemo(
    () => (storedRaw === null ? null : parseStoredTemplates(storedRaw)),
    [storedRaw],
  );
  if (!settings || !stored) return null;
  return <ScriptsEditor settings={settings} stored={stored} />;
}

function ScriptsEditor({ settings, stored }: { settings: FirmSettings; stored: StoredTemplates }) {
  const entries = useMemo(() => entriesFor(settings), [settings]);
  const [selected, setSelected] = useState<TemplateId>('callScript.personal-injury');
  const [drafts, setDrafts] = useState<Partial<Record<TemplateId, Draft>>>({});
  const [focusField, setFocusField] = useState<'body' | 'subject'>('body');
  const [booked, setBooked] = useState(true);
  const [undo, setUndo] = useState<{ id: TemplateId; draft: Draft } | null>(null);
  const action = useAction();
  const clock = useNow(MINUTE);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const subjectRef = useRef<HTMLInputElement>(null);
  const ids = { body: useId(), subject: useId(), errors: useId(), preview: useId(), vars: useId() };

  const entry = entries.find((e) => e.id === selected) ?? entries[0]!;
  const subjectId = (EMAIL_SUBJECTS as Record<string, TemplateId | undefined>)[entry.id];
  const savedDraft: Draft = {
    body: templateText(stored, entry.id),
    ...(subjectId ? { subject: templateText(stored, subjectId) } : {}),
  };
  const draft = drafts[entry.id] ?? savedDraft;
  const dirty =
    draft.body !== savedDraft.body ||
    (subjectId !== undefined && draft.subject !== savedDraft.subject);
  const edited =
    stored.templates[entry.id] !== undefined ||
    (subjectId !== undefined && stored.templates[subjectId] !== undefined);
  const followed = followedScript(entry.id);

  const errors = [
    ...checkTemplateFor(entry.id, draft.body).errors,
    ...(subjectId && draft.subject !== undefined
      ? checkTemplate(draft.subject).errors.map((e) => `Subject: ${e}`)
      : []),
  ];

  const setDraft = (change: Partial<Draft>) => {
    setDrafts((all) => ({ ...all, [entry.id]: { ...draft, ...change } }));
    setUndo(null);
    action.setStatus(null);
  };

  // The preview renders the draft (saved or not) against the sample lead, now.
  const now = Math.floor(clock / MINUTE) * MINUTE;
  const preview = useMemo(() => {
    const lead = sampleLead(now, entry.sampleArea);
    const templates = { ...stored.templates, [entry.id]: draft.body };
    if (subjectId && draft.subject !== undefined) templates[subjectId] = draft.subject;
    const ctx = {
      stored: { ...stored, templates },
      settings,
      dialedLine: '+12125550100',
    };
    // A booked consultation an hour after the next opening ("tomorrow at 10:00 AM").
    const opening = nextOpeningAfter(settings, now);
    const consultationAt = booked ? (opening ?? now) + 60 * MINUTE : undefined;
    const vars = varsForLead(lead, ctx, {
      now,
      consultationAt: entry.id === 'email.confirmation' ? consultationAt : undefined,
    });
    // The draft as written, even while its tags do not balance (sending would use the
    // default then: utils/workflow/templates.ts renderableText).
    return {
      body: renderTemplate(draft.body, vars),
      ...(subjectId && draft.subject !== undefined
        ? { subject: renderTemplate(draft.subject, vars).replace(/\s+/g, ' ') }
        : {}),
    };
  }, [now, entry, draft, stored, settings, subjectId, booked]);

  const insert = (name: TemplateVariableName) => {
    const tag = `{{${name}}}`;
    const target = focusField === 'subject' && subjectId ? subjectRef.current : bodyRef.current;
    const value = focusField === 'subject' && subjectId ? (draft.subject ?? '') : draft.body;
    const start = target?.selectionStart ?? value.length;
    const end = target?.selectionEnd ?? value.length;
    const next = value.slice(0, start) + tag + value.slice(end);
    if (focusField === 'subject' && subjectId) setDraft({ subject: next });
    else setDraft({ body: next });
    requestAnimationFrame(() => {
      if (!target) return;
      target.focus();
      target.setSelectionRange(start + tag.length, start + tag.length);
    });
  };

  const save = () =>
    void action.run(
      { kind: 'info', text: 'Saving…' },
      async () => {
        if (errors.length)
          return { kind: 'error', text: 'Not saved: fix the errors listed above.' };
        await saveTemplate(entry.id, draft.body);
        if (subjectId && draft.subject !== undefined) await saveTemplate(subjectId, draft.subject);
        setDrafts((all) => {
          const next = { ...all };
          delete next[entry.id];
          return next;
        });
        return { kind: 'ok', text: 'Saved. The sidebar uses it from now on.' };
      },
      'Not saved: ',
    );

  const reset = () =>
    void action.run({ kind: 'info', text: 'Restoring…' }, async () => {
      const previous = savedDraft;
      await resetTemplate(entry.id);
      if (subjectId) await resetTemplate(subjectId);
      setDrafts((all) => {
        const next = { ...all };
        delete next[entry.id];
        return next;
      });
      setUndo(edited ? { id: entry.id, draft: previous } : null);
      return {
        kind: 'ok',
        text: followed
          ? 'Own script removed: this area uses the built-in script again.'
          : 'Default restored.',
      };
    });

  const undoReset = () => {
    if (!undo) return;
    const { id, draft: previous } = undo;
    void action.run({ kind: 'info', text: 'Restoring your text…' }, async () => {
      await saveTemplate(id, previous.body);
      const subject = (EMAIL_SUBJECTS as Record<string, TemplateId | undefined>)[id];
      if (subject && previous.subject !== undefined) await saveTemplate(subject, previous.subject);
      setUndo(null);
      return { kind: 'ok', text: 'Your text is back.' };
    });
  };

  const isDefault =
    !edited &&
    draft.body === defaultTemplate(entry.id) &&
    (!subjectId || draft.subject === defaultTemplate(subjectId));

  return (
    <SettingsSection
      id="scripts"
      title="Scripts & templates"
      description={
        <>
          What staff say on a callback and what goes out by voicemail, text and email. Write{' '}
          <code>{'{{callerName}}'}</code> and the other variables below where the lead&apos;s facts
          go; <code>{'{{#name}}…{{/name}}'}</code> shows a part only when the value is known,{' '}
          <code>{'{{^name}}…{{/name}}'}</code> only when it is not. A missing value reads as a
          sensible fallback (“there”), and caller details always stay plain text.
        </>
      }
    >
      <div className="scripts-editor">
        <nav aria-label="Templates">
          {GROUPS.map((group) => {
            const list = group.ids(entries);
            if (!list.length) return null;
            return (
              <div key={group.label}>
                <p className="scripts-group-label">{group.label}</p>
                <ul className="scripts-list">
                  {list.map((e) => {
                    const subject = (EMAIL_SUBJECTS as Record<string, TemplateId | undefined>)[
                      e.id
                    ];
                    const mark =
                      drafts[e.id] !== undefined
                        ? 'unsaved'
                        : stored.templates[e.id] !== undefined ||
                            (subject !== undefined && stored.templates[subject] !== undefined)
                          ? 'edited'
                          : followedScript(e.id)
                            ? `uses ${listLabel(TEMPLATE_LABELS[followedScript(e.id) as FixedTemplateId])}`
                            : '';
                    return (
                      <li key={e.id}>
                        <button
                          type="button"
                          aria-current={e.id === entry.id ? 'true' : undefined}
                          onClick={() => {
                            setSelected(e.id);
                            setFocusField('body');
                            setUndo(null);
                            action.setStatus(null);
                          }}
                        >
                          {listLabel(e.label)}
                          {mark && <span className="scripts-edited">({mark})</span>}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </div>
            );
          })}
        </nav>

        <div className="scripts-pane">
          <h3>{entry.label}</h3>
          <p className="options-hint">
            {entry.usedFor}
            {followed &&
              stored.templates[entry.id] === undefined &&
              ` It uses the ${TEMPLATE_LABELS[followed as FixedTemplateId].replace(/^Call script — /, '')} script until you save a script of its own here.`}
          </p>
          {entry.id.startsWith('greeting.') && (
            <p className="options-hint">
              Your SLA settings promise callers a callback{' '}
              <strong>{inHoursPromise(settings)}</strong> in office hours and{' '}
              <strong>{afterHoursPromise(settings)}</strong> after hours. The greeting follows them
              when you change them under Firm; re-record it on your phone system then.
            </p>
          )}

          {subjectId && (
            <div className="field">
              <label htmlFor={ids.subject}>Subject</label>
              <input
                id={ids.subject}
                ref={subjectRef}
                type="text"
                value={draft.subject ?? ''}
                onFocus={() => setFocusField('subject')}
                onChange={(e) => setDraft({ subject: e.target.value })}
                aria-invalid={errors.some((e) => e.startsWith('Subject')) || undefined}
                aria-describedby={errors.length ? ids.errors : undefined}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor={ids.body}>{subjectId ? 'Body' : 'Template text'}</label>
            <textarea
              id={ids.body}
              ref={bodyRef}
              value={draft.body}
              spellCheck
              rows={entry.id.startsWith('callScript.') ? 18 : 8}
              onFocus={() => setFocusField('body')}
              onChange={(e) => setDraft({ body: e.target.value })}
              aria-invalid={errors.length > 0 || undefined}
              aria-describedby={errors.length ? ids.errors : undefined}
            />
          </div>

          {errors.length > 0 && (
            <ul
              id={ids.errors}
              className="scripts-errors"
              role="alert"
              aria-label="Template errors"
            >
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}

          <div>
            <p className="options-hint" id={ids.vars}>
              Variables (click to insert at the cursor):
            </p>
            <ul className="scripts-variables" aria-labelledby={ids.vars}>
              {TEMPLATE_VARIABLE_NAMES.map((name) => (
                <li key={name}>
                  <button
                    type="button"
                    title={`${TEMPLATE_VARIABLES[name].description}. If unknown: “${TEMPLATE_VARIABLES[name].fallback}”.`}
                    aria-label={`Insert ${TEMPLATE_VARIABLES[name].label}`}
                    onClick={() => insert(name)}
                  >
                    {`{{${name}}}`}
                  </button>
                </li>
              ))}
            </ul>
          </div>

          <div className="scripts-buttons">
            <button
              type="button"
              className="primary"
              onClick={save}
              disabled={action.busy || errors.length > 0 || !dirty}
            >
              Save
            </button>
            {dirty && (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => {
                  setDrafts((all) => {
                    const next = { ...all };
                    delete next[entry.id];
                    return next;
                  });
                  action.setStatus(null);
                }}
              >
                Discard changes
              </button>
            )}
            <button type="button" onClick={reset} disabled={action.busy || isDefault}>
              {followed ? 'Use the built-in script' : 'Reset to default'}
            </button>
            {undo?.id === entry.id && (
              <button type="button" onClick={undoReset} disabled={action.busy}>
                Undo reset
              </button>
            )}
            <StatusLine
              status={action.status ?? (dirty ? { kind: 'info', text: 'Unsaved changes' } : null)}
            />
          </div>

          <section aria-labelledby={ids.preview}>
            <div className="panel-head">
              <h4 id={ids.preview}>Preview — sample lead “Maria Lopez”, called 12 minutes ago</h4>
            </div>
            {entry.id === 'email.confirmation' && (
              <label className="options-hint">
                <input
                  type="checkbox"
                  checked={booked}
                  onChange={(e) => setBooked(e.target.checked)}
                />{' '}
                with a booked consultation
              </label>
            )}
            <div className="scripts-preview" aria-live="polite">
              {preview.subject !== undefined && (
                <p className="scripts-preview-subject">Subject: {preview.subject}</p>
              )}
              <ScriptText text={preview.body} />
            </div>
          </section>
        </div>
      </div>

      <ScriptDetails settings={settings} stored={stored} />
    </SettingsSection>
  );
}

/** The callback number, the alternative contact and the per-source opening lines. */
function ScriptDetails({ settings, stored }: { settings: FirmSettings; stored: StoredTemplates }) {
  const [callbackNumber, setCallbackNumber] = useState(stored.callbackNumber);
  const [alternativeContact, setAlternativeContact] = useState(stored.alternativeContact);
  const [sourceLines, setSourceLines] = useState(stored.sourceLines);
  const [numberError, setNumberError] = useState<string | undefined>();
  const action = useAction();
  const ids = { number: useId(), contact: useId() };
  const sourceArea = (source: string) =>
    settings.sourceRules.find((r) => r.source === source && r.practiceArea)?.practiceArea;

  const dirty =
    callbackNumber !== stored.callbackNumber ||
    alternativeContact !== stored.alternativeContact ||
    JSON.stringify(sourceLines) !== JSON.stringify(stored.sourceLines);

  const save = () =>
    void action.run(
      { kind: 'info', text: 'Saving…' },
      async () => {
        const number = callbackNumber.trim();
        if (number && !normalizePhone(number, settings.defaultCountry as CountryCode).e164) {
          setNumberError('Not a phone number we can read, e.g. (555) 123-4567.');
          return { kind: 'error', text: 'Nothing was saved: fix the field marked in red.' };
        }
        setNumberError(undefined);
        const lines = Object.fromEntries(
          Object.entries(sourceLines)
            .map(([k, v]) => [k, v.trim()] as const)
            .filter(([, v]) => v !== ''),
        );
        if (Object.values(lines).some((v) => v.length > 500)) {
          return {
            kind: 'error',
            text: 'Nothing was saved: a source line can be at most 500 characters.',
          };
        }
        const next = await saveScriptDetails({
          callbackNumber: number,
          alternativeContact: alternativeContact.trim(),
          sourceLines: lines,
        });
        setCallbackNumber(next.callbackNumber);
        setAlternativeContact(next.alternativeContact);
        setSourceLines(next.sourceLines);
        return { kind: 'ok', text: 'Saved.' };
      },
      'Not saved: ',
    );

  return (
    <fieldset className="options-group">
      <legend>Details the scripts use</legend>
      <div className="options-grid">
        <div className="field">
          <label htmlFor={ids.number}>Callback number to give callers</label>
          <input
            id={ids.number}
            type="text"
            inputMode="tel"
            value={callbackNumber}
            placeholder="The line they dialled"
            aria-invalid={numberError ? true : undefined}
            aria-describedby={numberError ? `${ids.number}-error` : `${ids.number}-hint`}
            onChange={(e) => setCallbackNumber(e.target.value)}
          />
          {!numberError && (
            <span className="options-hint" id={`${ids.number}-hint`}>
              {'{{callbackNumber}}'} and, written out for voicemails, {'{{callbackNumberSpoken}}'}.
              Blank: the line the caller dialled.
            </span>
          )}
          <FieldError id={`${ids.number}-error`} message={numberError} />
        </div>
        <div className="field">
          <label htmlFor={ids.contact}>Alternative contact (“you can also …”)</label>
          <input
            id={ids.contact}
            type="text"
            value={alternativeContact}
            maxLength={300}
            placeholder={TEMPLATE_VARIABLES.alternativeContact.fallback}
            onChange={(e) => setAlternativeContact(e.target.value)}
          />
          <span className="options-hint">
            For the greetings, e.g. “email us at intake@yourfirm.com”.
          </span>
        </div>
      </div>
      {settings.sources.length > 0 && (
        <div className="options-group">
          <p className="options-hint">
            How the call script opens for each source ({'{{sourceLine}}'}). Blank: the wording from
            the source&apos;s practice area, shown greyed.
          </p>
          <div className="options-grid">
            {settings.sources.map((source) => (
              <SourceLineField
                key={source}
                source={source}
                value={sourceLineOf({ sourceLines }, source) ?? ''}
                placeholder={
                  defaultSourceLine(source, sourceArea(source)) ?? 'Nothing: the script asks'
                }
                onChange={(value) => setSourceLines((all) => ({ ...all, [source]: value }))}
              />
            ))}
          </div>
        </div>
      )}
      <div className="scripts-buttons">
        <button type="button" className="primary" onClick={save} disabled={action.busy || !dirty}>
          Save details
        </button>
        <StatusLine
          status={action.status ?? (dirty ? { kind: 'info', text: 'Unsaved changes' } : null)}
        />
      </div>
    </fieldset>
  );
}

function SourceLineField({
  source,
  value,
  placeholder,
  onChange,
}: {
  source: string;
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        Opening line for “<bdi>{source}</bdi>”
      </label>
      <input
        id={id}
        type="text"
        value={value}
        maxLength={500}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
