import { callRows, defineListAdapter } from './listAdapter';

/**
 * Aircall: the Phone web app's History tab (phone.aircall.io) and the Dashboard's Calls
 * table (dashboard.aircall.io/calls). Both are React with styled-components class names
 * (`sc-eCYdqJ jUqFbH`) regenerated on every release; both keep `data-test` hooks and ARIA
 * roles, which is what this adapter reads.
 */
export const aircall = defineListAdapter({
  id: 'aircall',
  label: 'Aircall',
  hostMatches: ['https://phone.aircall.io/*', 'https://dashboard.aircall.io/*'],
  pages: /^https:\/\/(phone|dashboard)\.aircall\.io\//,
  // Phone: the history list. Dashboard: the calls table. ARIA fallbacks for either.
  list: [
    '[data-test="history-list"]',
    '[data-test="calls-table"]',
    '[role="list"][aria-label*="call" i]',
    '[role="table"][aria-label*="call" i]',
    'table[aria-label*="call" i]',
  ],
  // Phone rows are list items, dashboard rows are table rows (header rows are dropped).
  rows: [
    '[data-test="history-call-item"]',
    '[data-test="call-row"]',
    '[role="listitem"]',
    '[role="row"]',
    'tr',
  ],
  empty: ['[data-test="history-empty"]', '[data-test="calls-empty"]'],
  emptyText: /no (calls|call history|activity)/i,
  viewTitle: /^(history|calls)$/i,
  row: callRows({
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
    // Aircall's numeric call id (the same id its public API returns).
    callId: ['data-call-id'],
  }),
});
