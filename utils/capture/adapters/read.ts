import type { CallReason, IncomingCall } from '../../model';
import { fitCallerName } from '../../callLimits';
import { parsePortalTime } from './time';
import type { AdapterReadResult, ReadOptions } from './types';

/**
 * Shared reading helpers for site adapters: the durable cues every portal offers (ARIA
 * labels, `tel:` links, `<time datetime>`, status words) and the per-row bookkeeping that
 * turns failures into health misses instead of exceptions.
 */

/** What one row turned out to be. */
export type RowOutcome =
  | { call: IncomingCall }
  /** Understood, but not a call we report (an outbound call the firm placed). */
  | { skip: string }
  /** A cue failed: counted as a selector miss. */
  | { miss: string };

export type CallStatus = CallReason | 'outbound';

/** A row understood and left (the reason is said where it is returned, not shipped as text). */
export const SKIP: RowOutcome = { skip: '' };

export interface ReadContext {
  now: number;
  rowTimes?: Map<string, number>;
}

export function readContext(options: ReadOptions = {}): ReadContext {
  return { now: options.now ?? Date.now(), rowTimes: options.rowTimes };
}

/** Whitespace-normalised text of an element (or ''). */
export function textOf(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** An attribute, trimmed, or undefined when absent or empty. */
export function attr(el: Element | null | undefined, name: string): string | undefined {
  const value = el?.getAttribute(name)?.trim();
  return value ? value : undefined;
}

function safeQueryAll(root: ParentNode, selector: string): Element[] {
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch {
    // A selector this engine cannot parse (e.g. a custom one): treat as "not found".
    return [];
  }
}

/** The first element matched by the first selector in the fallback chain that matches. */
export function firstOf(root: ParentNode, selectors: readonly string[]): Element | null {
  for (const selector of selectors) {
    const found = safeQueryAll(root, selector)[0];
    if (found) return found;
  }
  return null;
}

/** All elements matched by the first selector in the fallback chain that matches any. */
export function allOf(root: ParentNode, selectors: readonly string[]): Element[] {
  for (const selector of selectors) {
    const found = safeQueryAll(root, selector);
    if (found.length > 0) return found;
  }
  return [];
}

/** Caller-ID text for a caller who withheld the number. */
export const ANONYMOUS_CALLER =
  /^(anonymous|unknown( caller)?|no caller id|private( number| caller)?|restricted|blocked|withheld|unavailable)$/i;

/** A phone number in free text: "+1 (415) 555-0132", "415-555-0132", "+44 20 7946 0958". */
const PHONE_IN_TEXT = /\+?\(?\d[\d\s().\u2011-]{5,}\d(?:\s*(?:ext\.?|x)\s*\d{1,6})?/i;

export function phoneInText(text: string): string | undefined {
  const match = PHONE_IN_TEXT.exec(text)?.[0];
  if (!match) return undefined;
  // A time ("2:14") or a date ("12/08/2026") is not a phone number: require 7+ digits.
  return match.replace(/\D/g, '').length >= 7 ? match.trim() : undefined;
}

/** The number of a `tel:` link ("tel:+14155550132" → "+14155550132"). */
export function telNumber(root: ParentNode): string | undefined {
  const link = firstOf(root, ['a[href^="tel:" i]']);
  const href = attr(link, 'href');
  if (!href) return undefined;
  try {
    return decodeURIComponent(href.slice(4)).split(/[;?]/)[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The caller's number from an element's text: a phone number, or an anonymous marker. */
export function callerFromText(text: string): string | undefined {
  const trimmed = text.trim();
  if (ANONYMOUS_CALLER.test(trimmed)) return trimmed;
  return phoneInText(trimmed);
}

/**
 * Status words as the portals write them (labels, icons, result columns). Order matters:
 * "Missed call, left voicemail" is a voicemail and "Missed inbound call" is missed.
 */
const STATUS_WORDS: [RegExp, CallStatus][] = [
  [/voice\s?mail|left a message/, 'voicemail'],
  [/abandon/, 'abandoned'],
  [/\bbusy\b/, 'busy'],
  [/after[- ]hours/, 'after-hours'],
  [/missed|no answer|not answered|unanswered|declined|rejected|call cancel|time ?out/, 'no-answer'],
  [/outgoing|outbound|\bdialed\b|\bplaced\b|call to\b/, 'outbound'],
  [/answered|incoming|inbound call|connected|received|completed|accepted/, 'answered'],
];

export function statusFromText(text: string): CallStatus | undefined {
  const t = text.toLowerCase();
  return STATUS_WORDS.find(([words]) => words.test(t))?.[1];
}

/** Parts of an accessible row label such as "Missed call from Maria Gonzalez, (415) 555-0132, Today 2:14 PM". */
export interface CallLabel {
  status?: CallStatus;
  name?: string;
  number?: string;
  timeText?: string;
}

export function parseCallLabel(label = ''): CallLabel {
  const parts = (/\b(?:from|to)\s+(.+)$/i.exec(label)?.[1] ?? '')
    .split(/[,.]\s+|\s+[·•]\s+/)
    .map((p) => p.trim());
  const at = parts.findIndex((p) => callerFromText(p));
  return {
    status: statusFromText(label),
    number: callerFromText(parts[at] ?? ''),
    name: parts.slice(0, Math.max(at, 0)).join(', ') || undefined,
    timeText: at < 0 ? undefined : parts.slice(at + 1).join(', ') || undefined,
  };
}

/**
 * The call's start time from candidates in order of trust (datetime attributes, then
 * titles, then visible text). Returns a miss reason when none gives a time of day, with the
 * day's start when only a day was shown (so a reader can tell a day long past).
 */
export function timeFrom(
  candidates: (string | undefined)[],
  ctx: ReadContext,
): { at: number } | { miss: string; day?: number } {
  let day: number | undefined;
  for (const candidate of candidates) {
    if (!candidate) continue;
    const parsed = parsePortalTime(candidate, ctx.now);
    if (parsed && !parsed.dayOnly) return { at: parsed.at };
    if (parsed) day ??= parsed.at;
  }
  return day === undefined
    ? { miss: 'time: no readable call time' }
    : { miss: 'time: only a date, no time of day', day };
}

/** Provider call id from the first data attribute present (row first, then its children). */
export function dataId(row: Element, names: readonly string[]): string | undefined {
  for (const name of names) {
    const id = attr(row, name) ?? attr(row.querySelector(`[${name}]`), name);
    if (id) return id;
  }
  return undefined;
}

export interface CallFields {
  provider: string;
  from: string;
  startedAt: number;
  reason: CallReason;
  callerName?: string;
  dialedLine?: string;
  providerCallId?: string;
  agent?: string;
}

/** A portal call with empty optional fields left out and the caller name kept only if it is a name. */
export function portalCall(fields: CallFields): IncomingCall {
  const name = fields.callerName?.trim();
  const call: Record<string, unknown> = {
    ...fields,
    startedAt: Math.round(fields.startedAt),
    capturePath: 'portal',
    callerName: name && name !== fields.from && !callerFromText(name) ? fitCallerName(name) : '',
    agent: fields.agent?.slice(0, 120),
    // Beyond what the background accepts, and no real call id or line is this long.
    providerCallId: fields.providerCallId?.slice(0, 200),
    dialedLine: fields.dialedLine?.slice(0, 64),
  };
  for (const key in call) if (call[key] === undefined || call[key] === '') delete call[key];
  return call as unknown as IncomingCall;
}

/**
 * Read every row with `readRow`, isolating failures: a row that throws becomes a miss, never
 * an exception for the page. Misses are summarised per reason. (The background checks every
 * call against its schema when it arrives, the trust boundary, and a refusal shows in the
 * page's health report.)
 */
export function collectRows<Row>(
  rows: readonly Row[],
  readRow: (row: Row) => RowOutcome,
  pageMisses: readonly string[] = [],
): AdapterReadResult {
  const calls: IncomingCall[] = [];
  const missCounts = new Map<string, number>();
  let rowsRead = 0;
  const miss = (reason: string) => missCounts.set(reason, (missCounts.get(reason) ?? 0) + 1);
  for (const row of rows) {
    let outcome: RowOutcome;
    try {
      outcome = readRow(row);
    } catch (error) {
      outcome = { miss: `row: ${error}` };
    }
    if ('miss' in outcome) {
      miss(outcome.miss);
      continue;
    }
    rowsRead++;
    if ('call' in outcome) calls.push(outcome.call);
  }
  const misses = [
    ...pageMisses,
    ...Array.from(missCounts, ([reason, n]) => `${reason} (${n} row${n > 1 ? 's' : ''})`),
  ];
  return { calls, rowsSeen: rows.length, rowsRead, misses };
}

/** The result for a page that is not a call list we know (or an unreadable one). */
export function noRows(misses: string[] = []): AdapterReadResult {
  return { calls: [], rowsSeen: 0, rowsRead: 0, misses };
}
