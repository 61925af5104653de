import { callRows, defineListAdapter } from './listAdapter';

/**
 * RingCentral app (app.ringcentral.com), Phone → Call history. Rests on RingCentral's own
 * published web-app source and its end-to-end page objects (2019): rows are
 * `[data-test-automation-class="call-history-item"]` with `data-id` = the call-log record id,
 * caller name `.list-item-primary`, number `.list-item-secondary`, in a virtualised list
 * (`virtualized-list`: only the rows in view exist, and they come and go as it scrolls).
 * The status block and the start time have no published hook, so they are found by their
 * words; the time is swapped for call/message/more buttons while the row is hovered.
 * ARIA roles and labels are the fallback for a redesign that drops the hooks.
 */
export const ringcentral = defineListAdapter({
  id: 'ringcentral',
  label: 'RingCentral',
  hostMatches: ['https://app.ringcentral.com/*'],
  pages: /^https:\/\/app\.ringcentral\.com\//,
  list: [
    '[data-test-automation-id="virtualized-list"]',
    '[role="list"][aria-label*="call" i]',
    '[role="grid"][aria-label*="call" i]',
  ],
  // The virtualised list also serves other pages (messages): only the call history counts
  // (its header CallHistoryPageHeader, tabs CallHistoryAllCalls / CallHistoryMissedCalls).
  view: ['[data-test-automation-id^="CallHistory"]'],
  rows: ['[data-test-automation-class="call-history-item"]', '[role="listitem"]', '[role="row"]'],
  rowId: 'data-id',
  empty: ['[data-test-automation-id="callHistoryEmptyPage"]'],
  emptyText: /no (calls|call history|results)/i,
  viewTitle: /call history|recent calls/i,
  row: callRows({
    // Contact name; an unknown caller's number (or "Unknown caller") takes its place.
    name: ['.list-item-primary'],
    number: ['.list-item-secondary'],
    // The status block's words ("Missed call", "Voicemail", "Inbound call", "Outbound call").
    status: ['[role="img"][aria-label]'],
    time: ['time'],
    scan: true,
    // calllog-call-button, calllog-message-button, calllog-more-button.
    hoverActions: ['[data-test-automation-id^="calllog-"]'],
    callId: ['data-id'],
  }),
});
