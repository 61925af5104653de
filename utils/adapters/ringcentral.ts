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
 * RingCentral app (app.ringcentral.com), Phone → Call history. The app is React with
 * generated class names (css-1x2y3z) that change every release, so nothing here keys on a
 * class. RingCentral keeps `data-test-automation-id` hooks for its own UI tests (stable
 * across releases); ARIA roles and labels are the fallback when those change.
 */
const SELECTORS = {
  // The call list: the automation hook, else any ARIA list/grid labelled as calls.
  list: [
    '[data-test-automation-id="callHistoryList"]',
    '[role="list"][aria-label*="call" i]',
    '[role="grid"][aria-label*="call" i]',
  ],
  // One row per call; rows carry an aria-label like "Missed call from NAME, NUMBER, TIME".
  rows: ['[data-test-automation-id="callHistoryItem"]', '[role="listitem"]', '[role="row"]'],
  // Contact name, absent for unknown numbers (then the number is the title).
  name: ['[data-test-automation-id="callerName"]'],
  // The number: a tel: link (durable), else the automation hook's text.
  number: ['[data-test-automation-id="callerNumber"]'],
  // Direction/result icon labelled "Missed call" / "Voicemail" / "Incoming call" / "Outgoing call".
  status: [
    '[data-test-automation-id="callDirectionIcon"]',
    '[data-test-automation-id="callResult"]',
    '[role="img"][aria-label]',
  ],
  // Start time: <time datetime> (exact), else the time text ("2:14 PM", "Yesterday 3:05 PM").
  time: ['time[datetime]', '[data-test-automation-id="callTime"]', 'time'],
  // The firm line the caller dialled: "To: Main line (212) 555-0100".
  line: ['[data-test-automation-id="callLine"]'],
  empty: ['[data-test-automation-id="emptyCallHistory"]'],
  // Call-log record ids RingCentral puts on rows (the same id its call-log API returns).
  callId: ['data-call-id', 'data-session-id'],
} as const;

function readRow(row: Element, now: number, timeZone: string): RowOutcome {
  const label = parseCallLabel(attr(row, 'aria-label'));
  const statusEl = firstOf(row, SELECTORS.status);
  const status = statusFromText(attr(statusEl, 'aria-label') ?? textOf(statusEl)) ?? label.status;
  if (!status) return { miss: 'status: no missed/answered cue' };
  if (status === 'outbound') return { skip: 'outbound call' };

  const numberEl = firstOf(row, SELECTORS.number);
  const from = telNumber(row) ?? callerFromText(textOf(numberEl)) ?? label.number;
  if (!from) return { miss: 'number: no tel: link or caller number' };

  const timeEl = firstOf(row, SELECTORS.time);
  const time = timeFrom(
    [attr(timeEl, 'datetime'), attr(timeEl, 'title'), textOf(timeEl), label.timeText],
    { now, timeZone },
  );
  if ('miss' in time) return time;

  return {
    call: portalCall({
      provider: 'ringcentral',
      from,
      startedAt: time.at,
      reason: status,
      callerName: textOf(firstOf(row, SELECTORS.name)) || label.name,
      dialedLine: phoneInText(textOf(firstOf(row, SELECTORS.line))),
      providerCallId: dataId(row, SELECTORS.callId),
    }),
  };
}

export const ringcentral: SiteAdapter = {
  id: 'ringcentral',
  label: 'RingCentral',
  hostMatches: ['https://app.ringcentral.com/*'],
  matches: (url) => /^https:\/\/app\.ringcentral\.com\//.test(url),
  read(root, options) {
    const { now, timeZone } = readContext(options);
    return readList(
      root,
      {
        list: SELECTORS.list,
        rows: SELECTORS.rows,
        empty: SELECTORS.empty,
        emptyText: /no (calls|call history|results)/i,
        viewTitle: /call history|recent calls/i,
      },
      (row) => readRow(row, now, timeZone),
    );
  },
};
