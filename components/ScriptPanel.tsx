import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { browser } from '#imports';
import type { Lead } from '@/utils/model';
import type { FirmSettings } from '@/utils/settings';
import { errorMessage } from '@/utils/errorMessage';
import {
  TEMPLATE_LABELS,
  callScriptIdFor,
  parseStoredTemplates,
  practiceAreaOf,
  renderWith,
  templatesItem,
  type FixedTemplateId,
  type RenderContext,
  type TemplateId,
} from '@/utils/workflow/templates';
import { copyText } from './clipboard';
import { useLiveData } from './useLiveData';
import { useStorageItem } from './useStorageItem';
import './scripts.css';

export type ScriptTab = 'call' | 'objection' | 'voicemail';

const TABS: { id: ScriptTab; label: string }[] = [
  { id: 'call', label: 'Call' },
  { id: 'objection', label: 'Objection' },
  { id: 'voicemail', label: 'Voicemail' },
];

const MINUTE = 60_000;

type TabListener = (leadId: string, tab: ScriptTab) => void;
const tabListeners = new Set<TabListener>();

/**
 * Show a tab of the lead's script panel from elsewhere in the lead detail — the attempt form
 * calls `showScriptTab(lead.id, 'voicemail')` when the call goes to voicemail. The panel
 * opens (if folded) on that tab; nothing happens when no panel shows that lead.
 */
export function showScriptTab(leadId: string, tab: ScriptTab): void {
  for (const listener of tabListeners) listener(leadId, tab);
}
const OPEN_KEY = 'callbackDesk.scriptPanelOpen';

function readOpen(): boolean {
  try {
    return localStorage.getItem(OPEN_KEY) !== 'false';
  } catch {
    return true;
  }
}

function writeOpen(open: boolean) {
  try {
    localStorage.setItem(OPEN_KEY, String(open));
  } catch {
    // Storage unavailable (private mode): the panel simply opens next time.
  }
}

/**
 * What to say on the callback, beside the call: the lead's call script (by practice area,
 * opening on its source), the objection prompt, and the voicemail script with the callback
 * number written out. Rendered with the lead's facts as text — never markup.
 *
 * `tab` switches the shown tab from outside (the attempt form choosing "voicemail", say);
 * the person can still move between tabs.
 */
export function ScriptPanel({
  lead,
  settings,
  now,
  tab,
}: {
  lead: Lead;
  settings: FirmSettings;
  now: number;
  tab?: ScriptTab;
}) {
  const storedRaw = useStorageItem(templatesItem);
  const calls = useLiveData('leadCalls', { leadId: lead.id });
  const [current, setCurrent] = useState<ScriptTab>(tab ?? 'call');
  const [copied, setCopied] = useState<string | null>(null);
  // Staff who know the script by heart can fold it away; the choice sticks on this browser.
  const [open, setOpen] = useState(() => readOpen());
  const baseId = useId();
  const tabRefs = useRef<Partial<Record<ScriptTab, HTMLButtonElement | null>>>({});

  // A new `tab` from outside switches the shown tab (adjusting state while rendering).
  const [lastTab, setLastTab] = useState(tab);
  if (tab !== lastTab) {
    setLastTab(tab);
    if (tab) {
      setCurrent(tab);
      setOpen(true);
    }
  }

  useEffect(() => {
    const listener: TabListener = (leadId, next) => {
      if (leadId !== lead.id) return;
      setCurrent(next);
      setOpen(true);
      setCopied(null);
    };
    tabListeners.add(listener);
    return () => {
      tabListeners.delete(listener);
    };
  }, [lead.id]);

  // Times in the script are in minutes: render once a minute, not on every clock tick.
  const minute = Math.floor(now / MINUTE);
  const ctx = useMemo<RenderContext | null>(() => {
    if (storedRaw === null) return null;
    const dialedLine = (calls ?? []).reduce<{ at: number; line?: string }>(
      (latest, call) =>
        call.dialedLine && call.startedAt > latest.at
          ? { at: call.startedAt, line: call.dialedLine }
          : latest,
      { at: -1 },
    ).line;
    return { stored: parseStoredTemplates(storedRaw), settings, dialedLine };
  }, [storedRaw, calls, settings]);

  const scriptId: TemplateId | null = ctx ? callScriptIdFor(lead, settings, ctx.stored) : null;
  const idFor: Record<ScriptTab, TemplateId | null> = {
    call: scriptId,
    objection: 'objection',
    voicemail: 'voicemail',
  };
  const shownId = idFor[current];
  const text = useMemo(() => {
    if (!ctx || !shownId) return null;
    return renderWith(shownId, lead, ctx, { now: minute * MINUTE }).body;
  }, [ctx, shownId, lead, minute]);

  const copy = async () => {
    if (text === null) return;
    try {
      await copyText(text);
      setCopied('Copied.');
    } catch (error) {
      setCopied(`Could not copy: ${errorMessage(error)}`);
    }
  };

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.findIndex((t) => t.id === current);
    const moves: Record<string, number> = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const id = TABS[next]!.id;
    setCurrent(id);
    setCopied(null);
    tabRefs.current[id]?.focus();
  };

  const area = practiceAreaOf(lead, settings);
  const scriptLabel =
    scriptId && scriptId in TEMPLATE_LABELS
      ? TEMPLATE_LABELS[scriptId as FixedTemplateId].replace(/^Call script — /, '')
      : (area ?? 'general');
  const noCallbackNumber =
    current === 'voicemail' && ctx !== null && !ctx.stored.callbackNumber && !ctx.dialedLine;

  return (
    <section className="panel script-panel" aria-labelledby={`${baseId}-title`}>
      <div className="panel-head">
        <h3 id={`${baseId}-title`}>Script</h3>
        <div className="script-head-actions">
          {open && (
            <button
              type="button"
              className="link-button"
              onClick={() => void browser.runtime.openOptionsPage()}
              title="Edit scripts in Settings › Scripts & templates"
            >
              Edit scripts
            </button>
          )}
          <button
            type="button"
            className="link-button"
            aria-expanded={open}
            aria-controls={`${baseId}-body`}
            onClick={() => {
              setOpen(!open);
              writeOpen(!open);
            }}
          >
            {open ? 'Hide' : 'Show'}
          </button>
        </div>
      </div>
      {open && (
        <div id={`${baseId}-body`} className="script-body">
          <div className="script-tabs" role="tablist" aria-label="Script">
            {TABS.map((t) => (
              <button
                key={t.id}
                ref={(el) => {
                  tabRefs.current[t.id] = el;
                }}
                type="button"
                role="tab"
                id={`${baseId}-tab-${t.id}`}
                aria-selected={current === t.id}
                aria-controls={`${baseId}-panel`}
                tabIndex={current === t.id ? 0 : -1}
                className={current === t.id ? 'script-tab script-tab-active' : 'script-tab'}
                onClick={() => {
                  setCurrent(t.id);
                  setCopied(null);
                }}
                onKeyDown={onTabKey}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div
            role="tabpanel"
            id={`${baseId}-panel`}
            aria-labelledby={`${baseId}-tab-${current}`}
            className="script-tabpanel"
          >
            {current === 'call' && (
              <p className="script-meta muted">
                {scriptLabel === 'general' ? 'General script' : `Script for ${scriptLabel}`}
                {lead.source ? (
                  <>
                    {' '}
                    · source <bdi>{lead.source}</bdi>
                  </>
                ) : null}
              </p>
            )}
            {noCallbackNumber && (
              <p className="hint">
                No callback number known for this lead: set the firm&apos;s callback number in
                Settings › Scripts &amp; templates.
              </p>
            )}
            {text === null ? <p className="muted">Loading script…</p> : <ScriptText text={text} />}
            <div className="script-actions">
              <button type="button" className="secondary" onClick={() => void copy()}>
                Copy
              </button>
              <span role="status" className="muted">
                {copied ?? ''}
              </span>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * A rendered script as readable text: paragraphs, bullet lines, and the [notes for the
 * caller] set apart. Every piece is a React text node.
 */
export function ScriptText({ text }: { text: string }) {
  const blocks = text.split(/\n\s*\n/);
  return (
    <div className="script-text" dir="auto">
      {blocks.map((block, b) => (
        <div className="script-block" key={b}>
          {block.split('\n').map((line, i) => {
            const trimmed = line.trim();
            const note = /^\[.*\]$/.test(trimmed);
            const bullet = /^[•\-*]\s/.test(trimmed);
            return (
              <p
                key={i}
                className={note ? 'script-note' : bullet ? 'script-bullet' : 'script-line'}
              >
                {note ? trimmed.slice(1, -1) : trimmed}
              </p>
            );
          })}
        </div>
      ))}
    </div>
  );
}
