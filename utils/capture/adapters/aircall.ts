import { callRows, defineListAdapter } from './listAdapter';

/**
 * Aircall: the Dashboard's call log (dashboard.aircall.io/conversations: a table read by
 * column position, after a public 2026 userscript), the legacy phone app's history
 * (`[data-test="call-history-view"]` with `[data-test="call-card-enriched"]` cards, public
 * automations 2020–2023), and Aircall Workspace (workspace.aircall.io, Inbox → Calls), where
 * Aircall is moving its users. Workspace has no published DOM hooks: its lines are read by
 * their words (status, number, time) in an ARIA list — an assumption to check on the live app.
 */
export const aircall = defineListAdapter({
  id: 'aircall',
  label: 'Aircall',
  hostMatches: [
    'https://phone.aircall.io/*',
    'https://dashboard.aircall.io/*',
    'https://workspace.aircall.io/*',
  ],
  // The call lists only: the generic list selectors below must not read other pages.
  pages:
    /^https:\/\/(phone\.aircall\.io\/|dashboard\.aircall\.io\/(conversations|calls)|workspace\.aircall\.io\/inbox\/calls)/,
  // Workspace (assumed): an ARIA list or grid named for calls.
  list: [
    '[data-test="call-history-view"]',
    'table',
    '[role="list"][aria-label*="call" i]',
    '[role="grid"][aria-label*="call" i]',
  ],
  rows: ['[data-test="call-card-enriched"]', 'tbody tr', '[role="row"]', '[role="listitem"]'],
  empty: ['[data-test="history-empty"]'],
  emptyText: /no (calls|call history|activity)/i,
  viewTitle: /^(history|calls|conversations)$/i,
  // Inside a row no hook is published: its pieces are read by their words (the direction
  // icon's label, a number, a time; a bare "0:42" is a duration). The Dashboard's columns
  // are positional: the user who was rung is the second.
  row: callRows({
    status: [],
    name: ['[data-test="contact-name"]', 'td:nth-child(3) > :first-child'],
    number: ['a[href^="tel:"]'],
    agent: ['td:nth-child(2)'],
    time: ['time'],
    scan: true,
  }),
});
