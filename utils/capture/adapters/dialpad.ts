import { callRows, defineListAdapter } from './listAdapter';

/**
 * Dialpad web app (dialpad.com/app), Calls → History. Vue with CSS-module class names
 * (`_3kP9s`) that change per build; Dialpad's `data-qa` hooks and the ARIA grid are what
 * stay put.
 */
export const dialpad = defineListAdapter({
  id: 'dialpad',
  label: 'Dialpad',
  hostMatches: ['https://dialpad.com/app*'],
  pages: /^https:\/\/dialpad\.com\/app(?:[/?#]|$)/,
  // The history grid: the data-qa hook, else an ARIA grid/table labelled as calls.
  list: [
    '[data-qa="call-history-grid"]',
    '[role="grid"][aria-label*="call" i]',
    '[role="table"][aria-label*="call" i]',
  ],
  // Rows (the header row is dropped).
  rows: ['[data-qa="call-history-row"]', '[role="row"]'],
  empty: ['[data-qa="call-history-empty"]'],
  emptyText: /no (calls|call history|recent calls)/i,
  viewTitle: /call history|^history$/i,
  row: callRows({
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
    callId: ['data-call-id'],
  }),
});
