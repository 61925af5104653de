import { defineListAdapter, readCallRow, type CallRowSpec } from './listAdapter';

/** No published hooks inside a row: its lines are read by their words. */
const ROW: CallRowSpec = {
  status: [],
  // The caller line: a contact's name or an unknown caller's number.
  name: ['.d-fw-bold'],
  number: ['a[href^="tel:"]'],
  time: ['time'],
  scan: true,
};

/**
 * Dialpad web app (dialpad.com/app), History (`/app/history/{all,calls,missed,voicemails}`),
 * and the admin "Conversation history" table. Dialpad publishes no row selectors: public
 * automations read the page text, so this adapter reads each row's words (the status lines
 * "Missed call", "Missed call & voicemail", "Incoming"; the time; the number), and in the
 * admin table takes the call id from the "View call summary" link
 * (`/callhistory/callreview/<callId>`). The list and row markup (ARIA list items) is an
 * assumption; Dialpad's API (Settings → API capture) is the path that rests on a spec.
 */
export const dialpad = defineListAdapter({
  id: 'dialpad',
  label: 'Dialpad',
  hostMatches: ['https://dialpad.com/app*'],
  pages: /^https:\/\/dialpad\.com\/app(?:[/?#]|$)/,
  list: [
    '[role="list"][aria-label*="call" i]',
    '[role="grid"][aria-label*="call" i]',
    'table[aria-label*="history" i]',
    'main [role="list"]',
  ],
  rows: ['[role="listitem"]', '[role="row"]', 'tbody tr'],
  empty: ['.d-empty-state'],
  emptyText: /no (calls|call history|recent calls)/i,
  viewTitle: /history/i,
  row: (_list, ctx, provider) => (row) => {
    const outcome = readCallRow(row, provider, ROW, ctx);
    const id = /callreview\/(\w+)/.exec(
      row.querySelector('a[href*="callreview/"]')?.getAttribute('href') ?? '',
    )?.[1];
    if (id && 'call' in outcome) outcome.call.providerCallId = id;
    return outcome;
  },
});
