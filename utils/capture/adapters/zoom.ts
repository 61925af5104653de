import { defineListAdapter } from './listAdapter';
import {
  allOf,
  attr,
  callerFromText,
  dataId,
  firstOf,
  phoneInText,
  portalCall,
  SKIP,
  statusFromText,
  telNumber,
  textOf,
  timeFrom,
  type ReadContext,
  type RowOutcome,
} from './read';

/** Inside the call table (the table itself is found by the adapter below). */
const SELECTORS = {
  headers: ['[role="columnheader"]', 'th'],
  cells: ['[role="cell"]', '[role="gridcell"]', 'td'],
  // Zoom's call-log id on the row (the id its Call Logs API returns).
  callId: ['data-call-log-id', 'data-row-key'],
} as const;

/**
 * Header text → column, in Zoom's wording: the admin call log's "From", "To", "Start Time",
 * "Call Result", "Voicemail", "Direction"; older per-user views' "Caller", "Callee",
 * "Date & Time", "Result".
 */
const COLUMNS = {
  caller: /^(caller|from)\b/i,
  callee: /^(callee|receiver|to)\b/i,
  time: /date|time/i,
  result: /^(call )?(result|status)\b/i,
  direction: /^direction\b/i,
  voicemail: /^voicemail/i,
} as const;
type Column = keyof typeof COLUMNS;
/** "ext. 104": an extension line in a cell, neither a name nor a number. */
const EXTENSION = /^ext\.?\s*\d+$/i;

/** The text lines of a cell (its leaf elements), e.g. a name over a number. */
function cellLines(cell: Element | undefined, selector: string): string[] {
  if (!cell) return [];
  return Array.from(cell.querySelectorAll(selector))
    .filter((el) => el.children.length === 0)
    .map(textOf)
    .filter(Boolean);
}

function columnIndexes(root: ParentNode): Partial<Record<Column, number>> {
  const headers = allOf(root, SELECTORS.headers).map(textOf);
  const indexes: Partial<Record<Column, number>> = {};
  for (const [column, pattern] of Object.entries(COLUMNS) as [Column, RegExp][]) {
    const at = headers.findIndex((h) => pattern.test(h));
    if (at >= 0) indexes[column] = at;
  }
  return indexes;
}

function readRow(
  row: Element,
  columns: Partial<Record<Column, number>>,
  ctx: ReadContext,
): RowOutcome {
  const cells = allOf(row, SELECTORS.cells);
  const cell = (column: Column) =>
    columns[column] === undefined ? undefined : cells[columns[column]!];

  // Direction first: an outbound call's "No Answer" is the callee's, not a missed lead.
  if (/outbound|outgoing/i.test(textOf(cell('direction')))) return SKIP;
  const resultText =
    textOf(cell('result')) || cells.map(textOf).find((t) => statusFromText(t)) || '';
  // "Overflowed": this leg rang out and the call moved on; its next leg says how it ended.
  if (/overflow/i.test(resultText)) return SKIP;
  // A message in the Voicemail column (a play link) makes any unanswered call a voicemail.
  const message = cell('voicemail');
  const status =
    message && firstOf(message, ['a', 'button', 'audio'])
      ? 'voicemail'
      : statusFromText(resultText);
  if (!status) return { miss: 'status: no result column' };
  if (status === 'outbound') return SKIP; // an outbound call

  const callerCell = cell('caller');
  if (!callerCell) return { miss: 'number: no Caller column' };
  // The caller cell shows "Name" over "(415) 555-0132", or the number alone.
  const lines = cellLines(callerCell, 'span, div, a');
  const from =
    telNumber(callerCell) ??
    lines.map(callerFromText).find(Boolean) ??
    callerFromText(textOf(callerCell));
  if (!from) return { miss: 'number: no caller number' };
  const callerName = lines.find((l) => !callerFromText(l) && !EXTENSION.test(l));

  const timeCell = cell('time') ?? cells.find((c) => /\d{1,2}:\d{2}/.test(textOf(c)));
  const timeEl = timeCell ? (firstOf(timeCell, ['time']) ?? timeCell) : undefined;
  const time = timeFrom([attr(timeEl, 'datetime'), attr(timeEl, 'title'), textOf(timeEl)], ctx);
  if ('miss' in time) return time;

  // The callee cell names the user who was rung and the number dialled.
  const calleeLines = cellLines(cell('callee'), 'span, div');
  return {
    call: portalCall({
      provider: 'zoom',
      from,
      startedAt: time.at,
      reason: status,
      callerName,
      dialedLine: calleeLines.map(phoneInText).find(Boolean),
      agent: calleeLines.find((l) => !phoneInText(l) && !EXTENSION.test(l)),
      providerCallId: dataId(row, SELECTORS.callId),
    }),
  };
}

/**
 * Zoom web portal (zoom.us/pbx/…, also vanity subdomains): the admin call log
 * (`/pbx/page/telephone/callLog#/call-log`, `#/call-log-new`) and per-user call history.
 * Rests on Zoom's support articles (column labels) and its web-portal tables
 * (`tr.zm-table__row`, `td .cell`, cells with only positional classes), so each column is
 * found by its header text. The Zoom web client (app.zoom.us/wc) is not read.
 */
export const zoom = defineListAdapter({
  id: 'zoom',
  label: 'Zoom Phone',
  hostMatches: ['https://*.zoom.us/pbx/*'],
  pages: /^https:\/\/([a-z0-9-]+\.)*zoom\.us\/pbx\//,
  list: [
    '[role="table"][aria-label*="call" i]',
    '.zm-table[aria-label*="call" i]',
    'table[aria-label*="call" i]',
    '.zm-table',
  ],
  // Body rows (the header row is dropped).
  rows: ['tr.zm-table__row', '[role="row"]', 'tbody tr'],
  empty: ['.zm-table__empty-block', '[data-empty="true"]'],
  emptyText: /no data|no (call )?records|no calls/i,
  viewTitle: /call history|call logs?/i,
  // Columns are found once per read, from the table's header.
  row: (list, ctx) => {
    const columns = columnIndexes(list);
    return (row) => readRow(row, columns, ctx);
  },
});
