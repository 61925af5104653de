import {
  attr,
  callerFromText,
  firstOf,
  parseCallLabel,
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
 * Google Voice (voice.google.com), Calls. Angular with obfuscated class names (`rkljfb-…`)
 * that change often; the custom elements (`gv-thread-item`, `gv-annotation`) and Material
 * icons' names and labels are the durable parts. Google Voice shows no call ids and one
 * account number, so calls carry neither a provider id nor a dialled line.
 */
const SELECTORS = {
  // The calls list: the component, else an ARIA list labelled "Calls".
  list: ['gv-thread-list', '[role="list"][aria-label*="call" i]'],
  // One item per call: "Missed call from Maria Gonzalez. (415) 555-0132. 2:14 PM".
  rows: ['gv-thread-item', '[role="listitem"]'],
  // The contact name or, for unknown callers, the number itself.
  name: ['gv-annotation[data-annotation="name"]', 'gv-annotation'],
  // Unknown callers' numbers sit in the name slot; known contacts' in a secondary line.
  number: ['gv-annotation[data-annotation="number"]', '[data-e2e-phone-number]'],
  // Material icon: name `call_missed` / `voicemail` / `call_received` / `call_made`, label text.
  status: ['mat-icon[data-mat-icon-name]', 'mat-icon[aria-label]', '[role="img"][aria-label]'],
  // The short time ("2:14 PM", "Yesterday") with the full timestamp in its title.
  time: ['[data-e2e-thread-timestamp]', 'time', '[title]'],
  empty: ['[data-e2e-empty-state]', 'gv-empty-state'],
} as const;

/** Material icon names Google Voice uses for call types. */
const ICON_STATUS: Record<string, string> = {
  call_missed: 'missed',
  phone_missed: 'missed',
  voicemail: 'voicemail',
  call_received: 'answered',
  call_made: 'outgoing',
};

function readRow(row: Element, now: number, timeZone: string): RowOutcome {
  const labelled = firstOf(row, ['[aria-label]']);
  const label = parseCallLabel(attr(row, 'aria-label') ?? attr(labelled, 'aria-label'));
  const icon = firstOf(row, SELECTORS.status);
  const iconName = attr(icon, 'data-mat-icon-name') ?? textOf(icon);
  const status =
    statusFromText(ICON_STATUS[iconName] ?? '') ??
    statusFromText(attr(icon, 'aria-label') ?? '') ??
    label.status;
  if (!status) return { miss: 'status: no missed/answered cue' };
  if (status === 'outbound') return { skip: 'outbound call' };

  const nameText = textOf(firstOf(row, SELECTORS.name));
  const from =
    telNumber(row) ??
    callerFromText(textOf(firstOf(row, SELECTORS.number))) ??
    callerFromText(nameText) ??
    label.number;
  if (!from) return { miss: 'number: no caller number' };

  const timeEl = firstOf(row, SELECTORS.time);
  const time = timeFrom(
    [attr(timeEl, 'datetime'), attr(timeEl, 'title'), textOf(timeEl), label.timeText],
    { now, timeZone },
  );
  if ('miss' in time) return time;

  return {
    call: portalCall({
      provider: 'googlevoice',
      from,
      startedAt: time.at,
      reason: status,
      callerName: nameText || label.name,
    }),
  };
}

export const googlevoice: SiteAdapter = {
  id: 'googlevoice',
  label: 'Google Voice',
  hostMatches: ['https://voice.google.com/*'],
  matches: (url) => /^https:\/\/voice\.google\.com\//.test(url),
  read(root, options) {
    const { now, timeZone } = readContext(options);
    return readList(
      root,
      {
        list: SELECTORS.list,
        rows: SELECTORS.rows,
        empty: SELECTORS.empty,
        emptyText: /no (calls|call history)|you have no calls/i,
        viewTitle: /^calls$/i,
      },
      (row) => readRow(row, now, timeZone),
    );
  },
};
