import { defineListAdapter, readCallRow, type CallRowSpec } from './listAdapter';

/** The Dashboard's call log: body rows with cells by position (icon, user, contact, duration, time). */
const cell = (n: number, inside = '') => `td:nth-child(${n})${inside}`;
const TABLE_ROW: CallRowSpec = {
  // The direction icon's label ("Missed inbound call"), else the cell's words.
  status: [cell(1, ' [aria-label]'), cell(1, ' title'), cell(1)],
  agent: [cell(2)],
  // The contact: a name over a number, or the number alone.
  name: [cell(3, ' > :first-child')],
  numberInName: true,
  number: [cell(3)],
  time: [cell(5, ' time'), cell(5)],
};

/** A card (the legacy phone app) or a Workspace line: no published hooks inside, so words. */
const CALL_LINE: CallRowSpec = {
  status: ['[data-test*="status" i]'],
  name: ['[data-test="contact-name"]'],
  numberInName: true,
  number: ['[data-test*="number" i]'],
  time: ['time'],
  scan: true,
};

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
  row: (_list, ctx, provider) => (row) =>
    readCallRow(row, provider, row.matches('tr') ? TABLE_ROW : CALL_LINE, ctx),
});
