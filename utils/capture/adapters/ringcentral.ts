import { callRows, defineListAdapter } from './listAdapter';

/**
 * RingCentral app (app.ringcentral.com), Phone → Call history. The app is React with
 * generated class names (css-1x2y3z) that change every release, so nothing here keys on a
 * class. RingCentral keeps `data-test-automation-id` hooks for its own UI tests (stable
 * across releases); ARIA roles and labels are the fallback when those change.
 */
export const ringcentral = defineListAdapter({
  id: 'ringcentral',
  label: 'RingCentral',
  hostMatches: ['https://app.ringcentral.com/*'],
  pages: /^https:\/\/app\.ringcentral\.com\//,
  // The call list: the automation hook, else any ARIA list/grid labelled as calls.
  list: [
    '[data-test-automation-id="callHistoryList"]',
    '[role="list"][aria-label*="call" i]',
    '[role="grid"][aria-label*="call" i]',
  ],
  // One row per call; rows carry an aria-label like "Missed call from NAME, NUMBER, TIME".
  rows: ['[data-test-automation-id="callHistoryItem"]', '[role="listitem"]', '[role="row"]'],
  empty: ['[data-test-automation-id="emptyCallHistory"]'],
  emptyText: /no (calls|call history|results)/i,
  viewTitle: /call history|recent calls/i,
  row: callRows({
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
    // Call-log record ids RingCentral puts on rows (the same id its call-log API returns).
    callId: ['data-call-id', 'data-session-id'],
  }),
});
