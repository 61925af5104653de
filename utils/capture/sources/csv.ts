import { TZDateMini } from '@date-fns/tz';
import Papa from 'papaparse';
import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js';
import type { CallbackDeskDB } from '../../db';
import { providerKeyOf } from '../../queue/dedupe';
import { normalizeCaller, type CaptureResult } from '../../queue/leads';
import { IncomingCall, type CallReason } from '../../model';
import {
  ANSWERED_KEPT_MS,
  MAX_CALLER_NAME,
  callerNameWasShortened,
  checkCallTime,
  describeCallIssue,
} from '../../callLimits';

/**
 * CSV import of call-log exports. Pure apart from papaparse's streaming reader: the Options
 * page passes a File and a `capture` function (captureCalls on its own Dexie handle), unit
 * tests and the benchmark pass a string.
 *
 * Formats, recognised from the header row:
 * - RingCentral call-log export: "Action Result", "From"/"Phone Number", "Date" + "Time".
 * - Aircall export: "missed_call_reason" (or "Missed call reason"), "direction", "started_at".
 * - Google Voice (Takeout-style list of calls): "Type" (Missed/Received/Placed/Voicemail),
 *   "Phone Number", "Date/Time" or "Timestamp".
 * - Anything else: the user picks the columns (number, time, name, status, dialed line, id).
 *
 * Line numbers count the header as line 1 and one line per record (as a spreadsheet numbers
 * rows; a quoted field spanning lines still counts once). Re-importing a file adds nothing:
 * each row's id is the export's call id, or the caller's digits plus the start time.
 */

export const CSV_FORMATS = ['ringcentral', 'aircall', 'googlevoice', 'generic'] as const;
export type CsvFormatId = (typeof CSV_FORMATS)[number];

export const CSV_FORMAT_LABELS: Record<CsvFormatId, string> = {
  ringcentral: 'RingCentral call-log export',
  aircall: 'Aircall calls export',
  googlevoice: 'Google Voice (Takeout-style calls list)',
  generic: 'Other (choose the columns)',
};

/** IncomingCall.provider for rows of each format (Aircall ids match the API poller's). */
const FORMAT_PROVIDER: Record<CsvFormatId, string> = {
  ringcentral: 'ringcentral',
  aircall: 'aircall',
  googlevoice: 'googlevoice',
  generic: 'csv',
};

/** Column index for each meaning; `date` may hold the time too. */
export const ColumnMapping = z.object({
  number: z.number().int().min(0),
  date: z.number().int().min(0),
  time: z.number().int().min(0).optional(),
  name: z.number().int().min(0).optional(),
  status: z.number().int().min(0).optional(),
  /** Aircall: non-empty means missed, with the reason code. */
  missedReason: z.number().int().min(0).optional(),
  /** Aircall: set when someone answered. */
  answeredAt: z.number().int().min(0).optional(),
  direction: z.number().int().min(0).optional(),
  dialedLine: z.number().int().min(0).optional(),
  id: z.number().int().min(0).optional(),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const MAPPABLE_FIELDS: readonly {
  key: keyof ColumnMapping;
  label: string;
  required?: boolean;
}[] = [
  { key: 'number', label: 'Caller number', required: true },
  { key: 'date', label: 'Date and time (or date)', required: true },
  { key: 'time', label: 'Time (if in its own column)' },
  { key: 'name', label: 'Caller name' },
  { key: 'status', label: 'Status / result' },
  { key: 'dialedLine', label: 'Dialed line (tracking number)' },
  { key: 'id', label: 'Call id' },
];

function normalizeHeader(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
}

function find(headers: string[], ...names: string[]): number | undefined {
  for (const name of names) {
    const i = headers.indexOf(name);
    if (i >= 0) return i;
  }
  return undefined;
}

export interface DetectedFormat {
  format: CsvFormatId;
  /** Undefined for "generic": the user must map the columns. */
  mapping?: ColumnMapping;
}

/** Which export this is, from its header row; "generic" with a best-guess mapping otherwise. */
export function detectFormat(header: string[]): DetectedFormat {
  const h = header.map(normalizeHeader);
  const has = (...names: string[]) => find(h, ...names) !== undefined;

  if (has('action result') && has('from', 'phone number') && has('date', 'start time')) {
    return {
      format: 'ringcentral',
      mapping: strip({
        number: find(h, 'from', 'phone number')!,
        date: find(h, 'date', 'start time')!,
        time: find(h, 'time'),
        name: find(h, 'name', 'from name', 'caller name'),
        status: find(h, 'action result'),
        direction: find(h, 'direction', 'type'),
        dialedLine: find(h, 'to', 'to number', 'dialed number'),
        id: find(h, 'session id', 'call id', 'id'),
      }),
    };
  }
  if (has('missed call reason') && has('direction')) {
    const number = find(
      h,
      'from',
      'raw digits',
      'caller number',
      'external number',
      'phone number',
    );
    const date = find(h, 'started at', 'date', 'datetime', 'date (utc)', 'start time');
    if (number !== undefined && date !== undefined) {
      return {
        format: 'aircall',
        mapping: strip({
          number,
          date,
          time: find(h, 'time'),
          name: find(h, 'contact name', 'contact', 'caller name'),
          // "status" is done/answered/initial: only useful when there is no answered_at.
          status: has('answered at') ? undefined : find(h, 'status'),
          missedReason: find(h, 'missed call reason'),
          answeredAt: find(h, 'answered at'),
          direction: find(h, 'direction'),
          dialedLine: find(h, 'to', 'number digits', 'line number', 'aircall number'),
          id: find(h, 'id', 'call id'),
        }),
      };
    }
  }
  if (has('type') && has('phone number', 'number') && has('date/time', 'timestamp', 'date')) {
    return {
      format: 'googlevoice',
      mapping: strip({
        number: find(h, 'phone number', 'number')!,
        date: find(h, 'date/time', 'timestamp', 'date')!,
        time: find(h, 'time'),
        name: find(h, 'contact', 'name', 'contact name'),
        status: find(h, 'type'),
        dialedLine: find(h, 'google voice number', 'to'),
        id: find(h, 'id', 'call id'),
      }),
    };
  }
  return { format: 'generic', mapping: guessMapping(h) };
}

function strip<T extends Record<string, number | undefined>>(m: T): ColumnMapping {
  return ColumnMapping.parse(
    Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)),
  );
}

/** A starting point for the mapping form: columns whose names say what they hold. */
function guessMapping(h: string[]): ColumnMapping | undefined {
  const pick = (re: RegExp, not?: RegExp) => {
    const i = h.findIndex((x) => re.test(x) && !(not?.test(x) ?? false));
    return i >= 0 ? i : undefined;
  };
  const number = pick(/(caller|from|phone|number|ani)/, /(\bto\b|dialed|line|tracking|\bid$)/);
  const date = pick(/(date|time|started|when)/);
  if (number === undefined || date === undefined) return undefined;
  const time = pick(/^time$/);
  return strip({
    number,
    date,
    time: time !== date ? time : undefined,
    name: pick(/(name|contact)/),
    status: pick(/(status|result|outcome|disposition|type)/),
    dialedLine: pick(/(\bto\b|dialed|line|tracking)/),
    id: pick(/(^id$|call id|session)/),
  });
}

// ---------------------------------------------------------------------------------------
// Cells → values

const AIRCALL_MISSED_REASONS: Record<string, CallReason> = {
  out_of_opening_hours: 'after-hours',
  short_abandoned: 'abandoned',
  abandoned_in_ivr: 'abandoned',
  abandoned_in_classic: 'abandoned',
  no_available_agent: 'no-answer',
  agents_did_not_answer: 'no-answer',
};

export type StatusMeaning = CallReason | 'outbound' | 'skip';

/**
 * A status cell in any of the formats → what it means. Outbound calls are skipped quietly,
 * so are statuses that are not about a finished call; unknown words are a row error.
 */
export function statusMeaning(raw: string): StatusMeaning | undefined {
  const s = raw.trim().toLowerCase().replace(/_/g, ' ');
  if (s === '') return undefined;
  const code = AIRCALL_MISSED_REASONS[raw.trim().toLowerCase()];
  if (code) return code;
  if (/(outgoing|outbound|placed|dialed)/.test(s)) return 'outbound';
  if (/voice ?mail/.test(s)) return 'voicemail';
  if (/(out of opening hours|after hours|closed)/.test(s)) return 'after-hours';
  if (/(abandon|hang ?up|hung up|cancel)/.test(s)) return 'abandoned';
  if (/busy/.test(s)) return 'busy';
  if (/(missed|no answer|not answered|unanswered|rejected|declined|no agent)/.test(s))
    return 'no-answer';
  if (/(accepted|answered|received|connected|completed|call connected|inbound call)/.test(s))
    return 'answered';
  if (/(in progress|blocked|fax|stopped|unknown)/.test(s)) return 'skip';
  return undefined;
}

function directionIsOutbound(raw: string): boolean {
  return /(outgoing|outbound|out$|placed)/i.test(raw.trim());
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function parseDatePart(text: string, dayFirst: boolean): Pick<Parts, 'y' | 'mo' | 'd'> | undefined {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (m) return { y: +m[1]!, mo: +m[2]!, d: +m[3]! };
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text);
  if (m) {
    let a = +m[1]!;
    let b = +m[2]!;
    // Unambiguous when one side is above 12; otherwise the firm's country decides.
    if (a > 12 || (dayFirst && b <= 12)) [a, b] = [b, a];
    const y = m[3]!.length === 2 ? 2000 + +m[3]! : +m[3]!;
    return { y, mo: a, d: b };
  }
  m = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})$/.exec(text);
  if (m && MONTHS.includes(m[1]!.toLowerCase()))
    return { y: +m[3]!, mo: MONTHS.indexOf(m[1]!.toLowerCase()) + 1, d: +m[2]! };
  m = /^(\d{1,2}) ([A-Za-z]{3})[a-z]*\.?,? (\d{4})$/.exec(text);
  if (m && MONTHS.includes(m[2]!.toLowerCase()))
    return { y: +m[3]!, mo: MONTHS.indexOf(m[2]!.toLowerCase()) + 1, d: +m[1]! };
  return undefined;
}

function parseTimePart(text: string): Pick<Parts, 'h' | 'mi' | 's'> | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap])?\.?m?\.?$/i.exec(text);
  if (!m) return undefined;
  let h = +m[1]!;
  const ampm = m[4]?.toLowerCase();
  if (ampm) {
    if (h < 1 || h > 12) return undefined;
    if (ampm === 'p' && h < 12) h += 12;
    if (ampm === 'a' && h === 12) h = 0;
  }
  return { h, mi: +m[2]!, s: m[3] ? +m[3] : 0 };
}

/**
 * A date/time cell (and an optional separate time cell) → epoch ms. Times with an offset or
 * "Z" are absolute; times without are wall-clock times in the firm's time zone.
 */
export function parseCallTime(
  dateCell: string,
  timeCell: string | undefined,
  timeZone: string,
  dayFirst: boolean,
): number | undefined {
  let text = dateCell.trim().replace(/\s+/g, ' ');
  if (timeCell?.trim()) text = `${text} ${timeCell.trim()}`;
  if (text === '') return undefined;
  if (/^\d{10}(\d{3})?$/.test(text)) return text.length === 10 ? +text * 1000 : +text;
  // ISO 8601 with a zone: the platform parses it exactly.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  // Drop a leading weekday ("Tue 03/10/2026", "Tuesday, March 10, 2026").
  text = text.replace(/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? /i, '');
  const zone = /\s?(Z|UTC|GMT|[+-]\d{2}:?\d{2})$/i.exec(text);
  let offsetMinutes: number | undefined;
  if (zone) {
    text = text.slice(0, zone.index).trim();
    const z = zone[1]!.toUpperCase();
    if (z === 'Z' || z === 'UTC' || z === 'GMT') offsetMinutes = 0;
    else {
      const sign = z.startsWith('-') ? -1 : 1;
      const digits = z.replace(/[^\d]/g, '');
      offsetMinutes = sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4));
    }
  }
  const split = /^(.*?\d)(?:T| |, )(\d{1,2}:\d{2}.*)$/.exec(text);
  const date = parseDatePart(split ? split[1]!.replace(/,$/, '') : text, dayFirst);
  const time = split ? parseTimePart(split[2]!) : { h: 0, mi: 0, s: 0 };
  if (!date || !time) return undefined;
  const p: Parts = { ...date, ...time };
  if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.d > 31 || p.h > 23 || p.mi > 59 || p.s > 59)
    return undefined;
  if (offsetMinutes !== undefined)
    return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - offsetMinutes * 60_000;
  const ms = new TZDateMini(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, 0, timeZone).getTime();
  // Reject dates the calendar rolled over (31 February → 3 March).
  const check = new TZDateMini(ms, timeZone);
  if (check.getDate() !== p.d) return undefined;
  return ms;
}

// ---------------------------------------------------------------------------------------
// Rows → calls

export interface RowContext {
  format: CsvFormatId;
  mapping: ColumnMapping;
  timeZone: string;
  /** Dates like 03/04/2026 mean 3 April (true) or 4 March (false, US). */
  dayFirst: boolean;
  /** Now, to reject calls in the future. */
  now: number;
}

export type RowResult =
  /** `note`: the row was imported with a change the user should know of (a shortened name). */
  | { call: IncomingCall; note?: string }
  | { error: string }
  | { skip: 'blank' | 'outbound' | 'not-a-call' };

/** Countries whose dates are written month first. */
const MONTH_FIRST = new Set(['US', 'CA', 'PH', 'FM', 'MH', 'PW']);
export function dayFirstFor(country: string): boolean {
  return !MONTH_FIRST.has(country.toUpperCase());
}

/** One data row → a validated IncomingCall, a reason it is wrong, or a quiet skip. */
export function rowToCall(row: string[], ctx: RowContext): RowResult {
  if (row.every((c) => c.trim() === '')) return { skip: 'blank' };
  const { mapping: m } = ctx;
  const cell = (i: number | undefined) => (i === undefined ? '' : (row[i] ?? '').trim());
  if (m.direction !== undefined && directionIsOutbound(cell(m.direction)))
    return { skip: 'outbound' };

  const number = cell(m.number);
  if (number === '') return { error: 'caller number is empty' };
  const startedAt = parseCallTime(
    cell(m.date),
    m.time !== undefined ? cell(m.time) : undefined,
    ctx.timeZone,
    ctx.dayFirst,
  );
  if (startedAt === undefined) {
    const shown = [cell(m.date), m.time !== undefined ? cell(m.time) : '']
      .filter(Boolean)
      .join(' ');
    return {
      error: shown ? `"${shown.slice(0, 40)}" is not a date and time` : 'date/time is empty',
    };
  }
  // History may go back further than live capture; calls past 90 days become history only.
  const time = checkCallTime(startedAt, ctx.now, { history: true, timeZone: ctx.timeZone });
  if (!time.ok) return { error: time.reason };

  let reason: CallReason;
  const missedReason = cell(m.missedReason);
  if (missedReason) {
    reason = AIRCALL_MISSED_REASONS[missedReason.toLowerCase()] ?? 'no-answer';
  } else if (m.answeredAt !== undefined) {
    // Aircall: no missed reason; answered when someone picked up, otherwise still a missed call.
    reason = cell(m.answeredAt) ? 'answered' : 'no-answer';
  } else if (m.status !== undefined) {
    const status = cell(m.status);
    const meaning = statusMeaning(status);
    if (meaning === undefined)
      return { error: status ? `unknown status "${status.slice(0, 40)}"` : 'status is empty' };
    if (meaning === 'outbound') return { skip: 'outbound' };
    if (meaning === 'skip') return { skip: 'not-a-call' };
    reason = meaning;
  } else {
    // A file without a status column is a list of missed calls.
    reason = 'no-answer';
  }

  const id = cell(m.id);
  const candidate = {
    from: number,
    startedAt,
    callerName: cell(m.name) || undefined,
    dialedLine: cell(m.dialedLine) || undefined,
    reason,
    provider: FORMAT_PROVIDER[ctx.format],
    // Same file again → same ids → nothing added.
    providerCallId: id || `row:${number.replace(/\D/g, '') || number.toLowerCase()}:${startedAt}`,
    capturePath: 'csv' as const,
  };
  const parsed = IncomingCall.safeParse(candidate);
  if (!parsed.success) return { error: parsed.error.issues.map(describeCallIssue).join('; ') };
  return callerNameWasShortened(candidate.callerName)
    ? {
        call: { ...candidate, callerName: parsed.data.callerName },
        note: `caller name shortened to ${MAX_CALLER_NAME} characters`,
      }
    : { call: candidate };
}

// ---------------------------------------------------------------------------------------
// Streaming

export type CsvInput = File | Blob | string;

/** First rows of a file, for detection and the mapping form (reads at most 64 KB). */
export async function previewCsv(
  input: CsvInput,
  rows = 6,
): Promise<{ header: string[]; sample: string[][] }> {
  const text =
    typeof input === 'string' ? input.slice(0, 65_536) : await input.slice(0, 65_536).text();
  const result = Papa.parse<string[]>(text, { preview: rows + 1, skipEmptyLines: 'greedy' });
  const [header = [], ...sample] = result.data;
  return { header: header.map((h) => h.replace(/^\uFEFF/, '')), sample };
}

/**
 * Stream the file in chunks: each chunk's rows are handed to `onRows` and parsing waits
 * for it (so the page can store a batch and repaint) before reading on.
 */
export function streamCsv(
  input: CsvInput,
  onRows: (rows: string[][], progress: number) => Promise<void>,
  options: { chunkSize?: number; signal?: AbortSignal } = {},
): Promise<{ parseErrors: { row: number; message: string }[] }> {
  const size = typeof input === 'string' ? input.length : input.size;
  const parseErrors: { row: number; message: string }[] = [];
  let rowsBefore = 0;
  return new Promise((resolve, reject) => {
    Papa.parse<string[]>(input as File, {
      header: false,
      skipEmptyLines: false,
      // 128 KB ≈ 1,000 rows: reading and checking one chunk stays well under 100 ms.
      chunkSize: options.chunkSize ?? 128 * 1024,
      chunk(results, parser) {
        if (options.signal?.aborted) {
          parser.abort();
          reject(new DOMException('Import cancelled', 'AbortError'));
          return;
        }
        for (const e of results.errors)
          if (e.row !== undefined)
            parseErrors.push({ row: rowsBefore + e.row, message: e.message });
        const rows = results.data;
        rowsBefore += rows.length;
        parser.pause();
        onRows(rows, size ? Math.min(1, results.meta.cursor / size) : 1).then(
          () => parser.resume(),
          (error: unknown) => {
            parser.abort();
            reject(error);
          },
        );
      },
      complete: () => resolve({ parseErrors }),
      error: (error: Error) => reject(error),
    });
  });
}

export interface RowError {
  line: number;
  reason: string;
}

export interface ImportProgress {
  phase: 'reading' | 'storing' | 'done';
  /** 0..1 over the whole import. */
  fraction: number;
  rowsRead: number;
  stored: number;
  toStore: number;
}

export interface ImportReport {
  format: CsvFormatId;
  rows: number;
  /** Rows that became a call (before dedupe). */
  valid: number;
  added: number;
  duplicates: number;
  answeredClosed: number;
  /** Answered calls with no open lead to close: nothing to store. */
  answeredIgnored: number;
  skippedOutbound: number;
  skippedOther: number;
  /** Missed calls older than 90 days: kept as history, not queued. */
  history: number;
  /** Missed calls whose caller got through on an answered call recorded earlier. */
  alreadyAnswered: number;
  errors: RowError[];
  /** Rows imported with a change (a caller name shortened), by line. */
  notes: RowError[];
  durationMs: number;
}

export interface ImportOptions {
  format: CsvFormatId;
  mapping: ColumnMapping;
  timeZone: string;
  defaultCountry: string;
  /**
   * Stores one batch (captureCalls in the Options page; no notifications for history).
   * `unstoredProviderKeys`: the batch's provider keys no stored call had when the import
   * looked (with lookups), for captureCalls' hints.
   */
  capture: (
    calls: IncomingCall[],
    unstoredProviderKeys?: ReadonlySet<string>,
  ) => Promise<CaptureResult>;
  onProgress?: (progress: ImportProgress) => void;
  batchSize?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  /** Lets the page repaint between batches (default: a macrotask). */
  yieldToUi?: () => Promise<void>;
  now?: () => number;
  /**
   * Bulk look-ups that let whole groups of rows skip `capture` (which checks one call at a
   * time): rows a CSV import already stored, and answered calls that can close no lead.
   */
  lookups?: ImportLookups;
}

export interface ImportLookups {
  /** Phone keys (E.164) of callers who have an open or claimed lead now. */
  openCallers(): Promise<ReadonlySet<string>>;
  /**
   * Of these provider keys: `imported`, those of calls a CSV import already stored;
   * `stored`, those any stored call has (whatever path stored it).
   */
  importedKeys(
    keys: string[],
  ): Promise<{ imported: ReadonlySet<string>; stored: ReadonlySet<string> }>;
}

/** The look-ups over the extension's database (Options page). */
export function dbImportLookups(db: CallbackDeskDB): ImportLookups {
  // Recent answered calls that closed no lead, kept under their provider key: a day's worth,
  // read once per import.
  let keptAnswered: Promise<Set<string>> | undefined;
  return {
    async openCallers() {
      // Index keys only ([phoneKey, status] pairs): far lighter than reading every lead.
      const pairs = (await db.leads.orderBy('[phoneKey+status]').keys()) as unknown as [
        string,
        string,
      ][];
      return new Set(pairs.filter(([, status]) => status !== 'done').map(([phoneKey]) => phoneKey));
    },
    async importedKeys(keys) {
      keptAnswered ??= db.answeredCalls
        .toArray()
        .then((all) => new Set(all.filter((a) => a.capturePath === 'csv').map((a) => a.id)));
      const [found, answered] = await Promise.all([
        // A cursor over the sorted keys: export ids run in order, so it reads ahead in runs.
        db.calls.where('providerKey').anyOf(keys).toArray(),
        keptAnswered,
      ]);
      // Calls another path stored still go through capture, which records "also seen by CSV".
      return {
        imported: new Set([
          ...found
            .filter((c) => c.capturePath === 'csv' || c.alsoSeenBy?.includes('csv'))
            .map((c) => c.providerKey!),
          ...keys.filter((k) => answered.has(k)),
        ]),
        stored: new Set(found.map((c) => c.providerKey!)),
      };
    },
  };
}

/** Each call's caller (E.164, or null: no number to call back), as capture keys them. */
export async function callerKeys(
  calls: readonly IncomingCall[],
  country: string,
  yieldToUi: () => Promise<void> = async () => undefined,
): Promise<(string | null)[]> {
  const keys: (string | null)[] = [];
  // Normalising is a few µs a number: in slices, so 100,000 rows never block the page.
  for (let i = 0; i < calls.length; i++) {
    keys.push(normalizeCaller(calls[i]!.from, country as CountryCode).e164);
    if (i % 1_000 === 999) await yieldToUi();
  }
  return keys;
}

/**
 * Answered calls that cannot close or inform a lead: the caller has no open lead and no
 * earlier missed call in this file, and the call is older than `keepFrom` (capture keeps
 * recent answered calls, so a missed leg of the same call captured later is not queued).
 * `capture` would look each up and ignore it. `keys`: callerKeys(calls).
 */
export function answeredWithoutLead(
  calls: readonly IncomingCall[],
  keys: readonly (string | null)[],
  openCallers: ReadonlySet<string>,
  keepFrom = -Infinity,
): Set<IncomingCall> {
  const firstMissed = new Map<string, number>();
  calls.forEach((c, i) => {
    const k = keys[i];
    if (c.reason !== 'answered' && k && !(firstMissed.get(k)! <= c.startedAt))
      firstMissed.set(k, c.startedAt);
  });
  const useless = new Set<IncomingCall>();
  calls.forEach((c, i) => {
    if (c.reason !== 'answered' || c.startedAt >= keepFrom) return;
    const k = keys[i];
    if (!k || (!openCallers.has(k) && !((firstMissed.get(k) ?? Infinity) < c.startedAt)))
      useless.add(c);
  });
  return useless;
}

/**
 * Items (oldest first) cut into batches of whole callers: every call of a caller lands in
 * the same batch, in time order, so capture writes each caller's lead once per import
 * instead of once per call, and a batch that fails (or an import cancelled between
 * batches) leaves each caller either fully stored or not at all. Callers come in the order
 * of their first call. A caller with more than `batchSize` calls gets batches of their own,
 * in time order (capture then carries their open lead from one batch to the next).
 * Items without a caller (null: no number to call back) share nothing and go anywhere.
 */
export function batchesByCaller<T>(
  items: readonly T[],
  keys: readonly (string | null)[],
  batchSize: number,
): T[][] {
  const groups: T[][] = [];
  const byCaller = new Map<string, T[]>();
  items.forEach((item, i) => {
    const key = keys[i] ?? null;
    let group = key === null ? undefined : byCaller.get(key);
    if (!group) {
      group = [];
      groups.push(group);
      if (key !== null) byCaller.set(key, group);
    }
    group.push(item);
  });
  const batches: T[][] = [];
  let current: T[] = [];
  for (const group of groups) {
    if (current.length > 0 && current.length + group.length > batchSize) {
      batches.push(current);
      current = [];
    }
    if (group.length > batchSize) {
      for (let i = 0; i < group.length; i += batchSize) batches.push(group.slice(i, i + batchSize));
    } else current.push(...group);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

const defaultYield = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Import a whole file: read and validate every row (errors with line numbers), then store
 * the calls in batches of whole callers (batchesByCaller), each caller's calls oldest first
 * — so that a caller who got through later closes the lead their earlier missed call
 * opened, whatever order the export is in, and each lead is written once per import.
 */
export async function importCsv(input: CsvInput, options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? Date.now;
  const started = now();
  // 250 calls per capture (calls it stores, not rows): each batch's synchronous work
  // (validation, due times) stays well under 100 ms, so the page keeps painting; bulk
  // look-ups keep the per-batch cost low.
  const batchSize = options.batchSize ?? 250;
  const yieldToUi = options.yieldToUi ?? defaultYield;
  const ctx: RowContext = {
    format: options.format,
    mapping: ColumnMapping.parse(options.mapping),
    timeZone: options.timeZone,
    dayFirst: dayFirstFor(options.defaultCountry),
    now: started,
  };
  const report: ImportReport = {
    format: options.format,
    rows: 0,
    valid: 0,
    added: 0,
    duplicates: 0,
    answeredClosed: 0,
    answeredIgnored: 0,
    skippedOutbound: 0,
    skippedOther: 0,
    history: 0,
    alreadyAnswered: 0,
    errors: [],
    notes: [],
    durationMs: 0,
  };
  const calls: { call: IncomingCall; line: number }[] = [];
  let line = 0;
  const progress = (p: Omit<ImportProgress, 'rowsRead'>) =>
    options.onProgress?.({ ...p, rowsRead: report.rows });

  const { parseErrors } = await streamCsv(
    input,
    async (rows, fraction) => {
      for (const row of rows) {
        line++;
        if (line === 1) continue; // header
        const result = rowToCall(row, ctx);
        if ('skip' in result) {
          if (result.skip === 'outbound') report.skippedOutbound++;
          else if (result.skip === 'not-a-call') report.skippedOther++;
          if (result.skip !== 'blank') report.rows++;
          continue;
        }
        report.rows++;
        if ('error' in result) report.errors.push({ line, reason: result.error });
        else {
          calls.push({ call: result.call, line });
          if (result.note) report.notes.push({ line, reason: result.note });
        }
      }
      progress({ phase: 'reading', fraction: fraction * 0.4, stored: 0, toStore: calls.length });
      await yieldToUi();
    },
    { chunkSize: options.chunkSize, signal: options.signal },
  );
  for (const e of parseErrors) {
    // papaparse counts data rows from 0 including the header row.
    report.errors.push({ line: e.row + 1, reason: `unreadable CSV: ${e.message}` });
  }

  calls.sort((a, b) => a.call.startedAt - b.call.startedAt);
  report.valid = calls.length;
  const callers = await callerKeys(
    calls.map((c) => c.call),
    options.defaultCountry,
    yieldToUi,
  );
  const useless = options.lookups
    ? answeredWithoutLead(
        calls.map((c) => c.call),
        callers,
        await options.lookups.openCallers(),
        started - ANSWERED_KEPT_MS,
      )
    : new Set<IncomingCall>();
  // Rows an earlier import stored, looked up before anything is stored, in the file's time
  // order: export ids run with time, so each look-up walks one short stretch of the index
  // (a first import finds each stretch empty at once).
  // The keys some stored call has are kept too: capture need not look up the others again.
  const known = new Set<string>();
  const onSomeCall = new Set<string>();
  if (options.lookups) {
    const CHECK = 2_000;
    for (let i = 0; i < calls.length; i += CHECK) {
      if (options.signal?.aborted) throw new DOMException('Import cancelled', 'AbortError');
      const keys = calls.slice(i, i + CHECK).map((c) => providerKeyOf(c.call)!);
      const found = await options.lookups.importedKeys(keys);
      for (const key of found.imported) known.add(key);
      for (const key of found.stored) onSomeCall.add(key);
    }
  }
  // Only the calls capture has to see, in batches of whole callers.
  const toCapture: typeof calls = [];
  const toCaptureCallers: (string | null)[] = [];
  calls.forEach((c, i) => {
    if (known.has(providerKeyOf(c.call)!)) report.duplicates++;
    else if (useless.has(c.call)) report.answeredIgnored++;
    else {
      toCapture.push(c);
      toCaptureCallers.push(callers[i]!);
    }
  });
  const batches = batchesByCaller(toCapture, toCaptureCallers, batchSize);
  // Two batches in flight: the next batch is validated and queued while IndexedDB commits
  // the previous one (transactions run in the order they were created, so a caller split
  // over several batches is stored in order).
  let storing: Promise<void> = Promise.resolve();
  let queued = calls.length - toCapture.length;
  for (const batch of batches) {
    if (options.signal?.aborted) throw new DOMException('Import cancelled', 'AbortError');
    queued += batch.length;
    const capturing = options.capture(
      batch.map((c) => c.call),
      options.lookups
        ? new Set(batch.map((c) => providerKeyOf(c.call)!).filter((k) => !onSomeCall.has(k)))
        : undefined,
    );
    capturing.catch(() => undefined); // settled through `storing` below
    await storing;
    const done = queued;
    storing = capturing.then((result) => {
      report.added += result.added.length;
      report.duplicates += result.duplicates;
      report.answeredClosed += result.answeredClosed;
      report.answeredIgnored += result.ignored;
      report.history += result.history ?? 0;
      report.alreadyAnswered += result.alreadyAnswered ?? 0;
      for (const r of result.rejected)
        report.errors.push({ line: batch[r.index]?.line ?? 0, reason: r.error });
      progress({
        phase: 'storing',
        fraction: 0.4 + 0.6 * (done / calls.length),
        stored: done,
        toStore: calls.length,
      });
    });
    // Settled before the page yields, so a failed batch never goes unheard.
    storing.catch(() => undefined);
    await yieldToUi();
  }
  await storing;
  report.errors.sort((a, b) => a.line - b.line);
  report.durationMs = now() - started;
  progress({ phase: 'done', fraction: 1, stored: calls.length, toStore: calls.length });
  return report;
}

/** The error report as a CSV file (line, reason), for download. */
export function errorReportCsv(errors: RowError[]): string {
  return Papa.unparse({ fields: ['line', 'reason'], data: errors.map((e) => [e.line, e.reason]) });
}
