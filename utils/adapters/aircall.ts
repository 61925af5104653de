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
 * Aircall: the Phone web app's History tab (phone.aircall.io) and the Dashboard's Calls
 * table (dashboard.aircall.io/calls). Both are React with styled-components class names
 * (`sc-eCYdqJ jUqFbH`) regenerated on every release; both keep `data-test` hooks and ARIA
 * roles, which is what this adapter reads.
 */
const SELECTORS = {
  // Phone: the history list. Dashboard: the calls table. ARIA fallbacks for either.
  list: [
    '[data-test="history-list"]',
    '[data-test="calls-table"]',
    '[role="list"][aria-label*="call" i]',
    '[role="table"][aria-label*="call" i]',
    'table[aria-label*="call" i]',
  ],
  // Phone rows are list items, dashboard rows are table rows (header rows dropped by readList).
  rows: [
    '[data-test="history-call-item"]',
    '[data-test="call-row"]',
    '[role="listitem"]',
    '[role="row"]',
    'tr',
  ],
  name: ['[data-test="contact-name"]'],
  // Phone: "+1 415-555-0132" in a span; dashboard: a tel: link in the From cell.
  number: ['[data-test="phone-number"]', '[data-test="call-from"]'],
  // Icon labelled "Missed inbound call" / "Voicemail" / "Answered inbound call" / "Outbound call".
  status: [
    '[data-test="call-status-icon"]',
    '[data-test="call-status"]',
    '[role="img"][aria-label]',
  ],
  time: ['time[datetime]', '[data-test="call-date"]', 'time'],
  // The Aircall number that was called: "Main Line +1 212-555-0100".
  line: ['[data-test="line-name"]', '[data-test="call-line"]'],
  // Dashboard only: the teammate the call rang ("User" column).
  agent: ['[data-test="call-user"]'],
  empty: ['[data-test="history-empty"]', '[data-test="calls-empty"]'],
  // Aircall's numeric call id (the same id its public API returns).
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
      provider: 'aircall',
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

export const aircall: SiteAdapter = {
  id: 'aircall',
  label: 'Aircall',
  hostMatches: ['https://phone.aircall.io/*', 'https://dashboard.aircall.io/*'],
  matches: (url) => /^https:\/\/(phone|dashboard)\.aircall\.io\//.test(url),
  read(root, options) {
    const { now, timeZone } = readContext(options);
    return readList(
      root,
      {
        list: SELECTORS.list,
        rows: SELECTORS.rows,
        empty: SELECTORS.empty,
        emptyText: /no (calls|call history|activity)/i,
        viewTitle: /^(history|calls)$/i,
      },
      (row) => readRow(row, now, timeZone),
    );
  },
};
