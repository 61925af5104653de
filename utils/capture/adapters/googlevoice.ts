import { callRows, defineListAdapter } from './listAdapter';
import { textOf } from './read';

/**
 * Google Voice (voice.google.com), Calls and Voicemail. Rests on public userscripts, desktop
 * wrappers and bots (2023–2026): a virtualised list (`cdk-virtual-scroll-viewport` >
 * `ol[gv-test-id="list"]` > `li.list-item`, only the rows in view exist) of
 * `gv-thread-list-item` rows; the caller in `gv-annotation.participants`, the time in
 * `.timestamp` (short) and a screen-reader span (full date), the call type in the classes of
 * `mat-icon.gv-call`; voicemail rows carry `.participant`, `.transcription`, `.duration`.
 * Google Voice shows no call ids, so a call is known by caller, minute and status.
 */
export const googlevoice = defineListAdapter({
  id: 'googlevoice',
  label: 'Google Voice',
  // The app's pages are all under /u/<account>/ (the dock only shows there).
  hostMatches: ['https://voice.google.com/u/*'],
  // Calls and Voicemail only: Messages uses the same list and rows.
  pages: /^https:\/\/voice\.google\.com\/u\/\d+\/(calls|voicemail)\b/,
  list: [
    'ol[gv-test-id="list"]',
    'cdk-virtual-scroll-viewport',
    '[role="list"][aria-label*="call" i]',
  ],
  rows: ['gv-thread-list-item', 'li.list-item', '[role="listitem"]'],
  empty: ['.empty-state'],
  emptyText: /no (calls|call history|voicemail)/i,
  viewTitle: /^(calls|voicemail)$/i,
  row: callRows({
    // The contact's name, or an unknown caller's number (or "Unknown").
    name: ['gv-annotation.participants', '.participant', '.thread-info'],
    number: ['[gv-test-id*="number" i]'],
    // The call type is in the icon's classes and ligature; a transcription means a voicemail.
    status: ['mat-icon.gv-call', '.transcription', '[role="img"][aria-label]'],
    // "call_missed", "call_received" and "voicemail" read as status words; "call_made" is
    // an outgoing call.
    statusCue: (el) =>
      el.matches('.transcription')
        ? 'voicemail'
        : `${el.className} ${textOf(el)}`.replace('made', 'outgoing'),
    // "2:14 PM" or just "Yesterday"; the screen-reader span has the full date.
    time: ['.timestamp'],
    scan: true,
  }),
});
