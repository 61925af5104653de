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

export interface ReadContext {
  now: number;
  timeZone: string;
  rowTimes?: Map<string, number>;
}

export function readContext(options: ReadOptions = {}): ReadContext {
  return {
    now: options.now ?? Date.now(),
    timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    rowTimes: options.rowTimes,
  };
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
export function statusFromText(text: string): CallStatus | undefined {
  const t = text.toLowerCase();
  if (/voice\s?mail|left a message/.test(t)) return 'voicemail';
  if (/abandon/.test(t)) return 'abandoned';
  if (/\bbusy\b/.test(t)) return 'busy';
  if (/after[- ]hours/.test(t)) return 'after-hours';
  if (/missed|no answer|not answered|unanswered|declined|rejected|call cancel|time ?out/.test(t)) {
    return 'no-answer';
  }
  if (/outgoing|outbound|\bdialed\b|\bplaced\b|call to\b/.test(t)) return 'outbound';
  if (/answered|incoming|inbound call|connected|received|completed|accepted/.test(t)) {
    return 'answered';
  }
  return undefined;
}

/** Parts of an accessible row label such as "Missed call from Maria Gonzalez, (415) 555-0132, Today 2:14 PM". */
export interface CallLabel {
  status?: CallStatus;
  name?: string;
  number?: string;
  timeText?: string;
}

export function parseCallLabel(label: string | undefined): CallLabel {
  if (!label) return {};
  const result: CallLabel = { status: statusFromText(label) };
  const subject = /\b(?:from|to)\s+(.+)$/i.exec(label)?.[1] ?? '';
  const parts = subject
    .split(/[,.]\s+|\s+[·•]\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const numberAt = parts.findIndex((p) => callerFromText(p) !== undefined);
  if (numberAt >= 0) {
    result.number = callerFromText(parts[numberAt]!);
    const before = parts.slice(0, numberAt).join(', ');
    if (before) result.name = before;
    const after = parts.slice(numberAt + 1).join(', ');
    if (after) result.timeText = after;
  }
  return result;
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
    const parsed = parsePortalTime(candidate, ctx.now, ctx.timeZone);
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
    const own = attr(row, name);
    if (own) return own;
    const inner = attr(firstOf(row, [`[${name}]`]), name);
    if (inner) return inner;
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
  const call: IncomingCall = {
    from: fields.from,
    startedAt: Math.round(fields.startedAt),
    reason: fields.reason,
    provider: fields.provider,
    capturePath: 'portal',
  };
  const name = fields.callerName?.trim();
  if (name && name !== fields.from && !callerFromText(name)) call.callerName = fitCallerName(name);
  if (fields.dialedLine) call.dialedLine = fields.dialedLine;
  if (fields.providerCallId) call.providerCallId = fields.providerCallId;
  if (fields.agent) call.agent = fields.agent.slice(0, 120);
  return call;
}

/**
 * The checks a row must pass to count as read. The background validates every call with the
 * IncomingCall schema when it arrives (the trust boundary); these mirror its limits so a row
 * it would reject shows up here as a miss, without shipping zod to every portal tab.
 */
function callProblem(call: IncomingCall): string | undefined {
  // Names and agents were already cut to size by portalCall.
  if (call.from.trim() === '' || call.from.length > 64) return 'number: empty or too long';
  if (!Number.isFinite(call.startedAt) || call.startedAt < 0) return 'time: not a valid instant';
  if ((call.dialedLine?.length ?? 0) > 64) return 'line: longer than 64 characters';
  if ((call.providerCallId?.length ?? 0) > 200) return 'call id: longer than 200 characters';
  return undefined;
}

/**
 * Read every row with `readRow`, isolating failures: a row that throws or yields an invalid
 * call becomes a miss, never an exception for the page. Misses are summarised per reason.
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
      outcome = { miss: `row: ${error instanceof Error ? error.message : String(error)}` };
    }
    if ('miss' in outcome) {
      miss(outcome.miss);
      continue;
    }
    rowsRead++;
    if ('skip' in outcome) continue;
    const problem = callProblem(outcome.call);
    if (problem) {
      rowsRead--;
      miss(problem);
      continue;
    }
    calls.push(outcome.call);
  }
  const misses = [
    ...pageMisses,
    ...Array.from(missCounts, ([reason, n]) =>
      n === 1 ? `${reason} (1 row)` : `${reason} (${n} rows)`,
    ),
  ];
  return { calls, rowsSeen: rows.length, rowsRead, misses };
}

/** The result for a page that is not a call list we know (or an unreadable one). */
export function noRows(misses: string[] = []): AdapterReadResult {
  return { calls: [], rowsSeen: 0, rowsRead: 0, misses };
}
