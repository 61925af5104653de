import {
  attr,
  callerFromText,
  dataId,
  firstOf,
  parseCallLabel,
  phoneInText,
  portalCall,
  readContext,
  readList,
  statusFromText,
  telNumber,
  textOf,
  timeFrom,
  type RowOutcome,
} from './read';
import type { SiteAdapter } from './types';

/**
 * Dialpad web app (dialpad.com/app), Calls → History. Vue with CSS-module class names
 * (`_3kP9s`) that change per build; Dialpad's `data-qa` hooks and the ARIA grid are what
 * stay put.
 */
const SELECTORS = {
  // The history grid: the data-qa hook, else an ARIA grid/table labelled as calls.
  list: [
    '[data-qa="call-history-grid"]',
    '[role="grid"][aria-label*="call" i]',
    '[role="table"][aria-label*="call" i]',
  ],
  // Rows (the header row is dropped by readList).
  rows: ['[data-qa="call-history-row"]', '[role="row"]'],
  // Contact name: missing for unknown callers, whose number is shown alone.
  name: ['[data-qa="contact-name"]'],
  // Caller number: a tel: link, else the number hook's text.
  number: ['[data-qa="contact-number"]'],
  // Call-type icon labelled "Missed call" / "Voicemail" / "Incoming call" / "Outgoing call".
  status: ['[data-qa="call-type-icon"]', '[role="img"][aria-label]'],
  // Time: the title carries the full date ("Tue, Dec 8, 2026 2:14:07 PM"); the text is short.
  time: ['[data-qa="call-date"]', 'time'],
  // Which Dialpad line or department rang: "Intake Team · (212) 555-0100".
  line: ['[data-qa="call-target"]'],
  // The operator who was rung, on department/call-center lines.
  agent: ['[data-qa="call-operator"]'],
  empty: ['[data-qa="call-history-empty"]'],
  callId: ['data-call-id'],
} as const;

function readRow(row: Element, now: number, timeZone: string): RowOutcome {
  const label = parseCallLabel(attr(row, 'aria-label'));
  const statusEl = firstOf(row, SELECTORS.status);
  const status = statusFromText(attr(statusEl, 'aria-label') ?? textOf(statusEl)) ?? label.status;
  if (!status) return { miss: 'status: no missed/answered cue' };
  if (status === 'outbound') return { skip: 'outbound call' };

  const from =
    telNumber(row) ?? callerFromText(textOf(firstOf(row, SELECTORS.number))) ?? label.number;
  if (!from) return { miss: 'number: no tel: link or caller number' };

  const timeEl = firstOf(row, SELECTORS.time);
  const time = timeFrom(
    [attr(timeEl, 'datetime'), attr(timeEl, 'title'), textOf(timeEl), label.timeText],
    { now, timeZone },
  );
  if ('miss' in time) return time;

  return {
    call: portalCall({
      provider: 'dialpad',
      from,
      startedAt: time.at,
      reason: status,
      callerName: textOf(firstOf(row, SELECTORS.name)) || label.name,
      dialedLine: phoneInText(textOf(firstOf(row, SELECTORS.line))),
      providerCallId: dataId(row, SELECTORS.callId),
      agent: textOf(firstOf(row, SELECTORS.agent)) || undefined,
    }),
  };
}

export const dialpad: SiteAdapter = {
  id: 'dialpad',
  label: 'Dialpad',
  hostMatches: ['https://dialpad.com/app*'],
  matches: (url) => /^https:\/\/dialpad\.com\/app(?:[/?#]|$)/.test(url),
  read(root, options) {
    const { now, timeZone } = readContext(options);
    return readList(
      root,
      {
        list: SELECTORS.list,
        rows: SELECTORS.rows,
        empty: SELECTORS.empty,
        emptyText: /no (calls|call history|recent calls)/i,
        viewTitle: /call history|^history$/i,
      },
      (row) => readRow(row, now, timeZone),
    );
  },
};
