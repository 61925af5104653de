import { callRows, defineListAdapter } from './listAdapter';
import { attr, textOf } from './read';

/** Material icon names Google Voice uses for call types, in status words. */
const ICON_STATUS = new Map([
  ['call_missed', 'missed'],
  ['phone_missed', 'missed'],
  ['voicemail', 'voicemail'],
  ['call_received', 'answered'],
  ['call_made', 'outgoing'],
]);

/**
 * Google Voice (voice.google.com), Calls. Angular with obfuscated class names (`rkljfb-…`)
 * that change often; the custom elements (`gv-thread-item`, `gv-annotation`) and Material
 * icons' names and labels are the durable parts. Google Voice shows no call ids and one
 * account number, so calls carry neither a provider id nor a dialled line.
 */
export const googlevoice = defineListAdapter({
  id: 'googlevoice',
  label: 'Google Voice',
  hostMatches: ['https://voice.google.com/*'],
  pages: /^https:\/\/voice\.google\.com\//,
  // The calls list: the component, else an ARIA list labelled "Calls".
  list: ['gv-thread-list', '[role="list"][aria-label*="call" i]'],
  // One item per call: "Missed call from Maria Gonzalez. (415) 555-0132. 2:14 PM".
  rows: ['gv-thread-item', '[role="listitem"]'],
  empty: ['[data-e2e-empty-state]', 'gv-empty-state'],
  emptyText: /no (calls|call history)|you have no calls/i,
  viewTitle: /^calls$/i,
  row: callRows({
    // The item's label sits on an inner element as often as on the item itself.
    labelledBy: ['[aria-label]'],
    // The contact name or, for unknown callers, the number itself.
    name: ['gv-annotation[data-annotation="name"]', 'gv-annotation'],
    numberInName: true,
    // Known contacts' numbers sit in a secondary line.
    number: ['gv-annotation[data-annotation="number"]', '[data-e2e-phone-number]'],
    // Material icon: name `call_missed` / `voicemail` / `call_received` / `call_made`, label text.
    status: ['mat-icon[data-mat-icon-name]', 'mat-icon[aria-label]', '[role="img"][aria-label]'],
    statusCue: (icon) =>
      ICON_STATUS.get(attr(icon, 'data-mat-icon-name') ?? textOf(icon)) ?? attr(icon, 'aria-label'),
    // The short time ("2:14 PM", "Yesterday") with the full timestamp in its title.
    time: ['[data-e2e-thread-timestamp]', 'time', '[title]'],
  }),
});
