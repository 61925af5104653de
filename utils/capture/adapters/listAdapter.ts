import {
  allOf,
  attr,
  callerFromText,
  collectRows,
  dataId,
  firstOf,
  noRows,
  parseCallLabel,
  portalCall,
  readContext,
  SKIP,
  statusFromText,
  telNumber,
  textOf,
  timeFrom,
  type ReadContext,
  type RowOutcome,
} from './read';
import type { AdapterReadResult, SiteAdapter } from './types';

/**
 * The shape every built-in portal shares: a call-history list of rows, each row a call whose
 * fields sit in elements found by fallback chains of selectors. A site adapter file declares
 * its selectors and quirks; the reading and bookkeeping live here once.
 */

/** Where a row keeps each field: fallback chains, most durable cue first. */
export interface CallRowSpec {
  /** The call-type cue ("Missed call", "Voicemail", "Outgoing call"): aria-label, else text. */
  status: readonly string[];
  /** Site quirk: the status element's cue when its label and text are not in words (icon names). */
  statusCue?: (el: Element) => string | undefined;
  /** The caller's number (a `tel:` link anywhere in the row is tried first). */
  number: readonly string[];
  /** The start time: `datetime`, else `title`, else text (then the row label's time). */
  time: readonly string[];
  name?: readonly string[];
  /** The teammate the call rang. */
  agent?: readonly string[];
  /** Attributes holding the provider's call id, on the row or inside it. */
  callId?: readonly string[];
  /**
   * Site quirk: the portal publishes no hook for the status or time, so when the selectors
   * find none, the row's other text pieces are tried (a status word; a time with am/pm, a
   * day or "ago": a bare "4:31" is a duration).
   */
  scan?: boolean;
  /**
   * Site quirk: buttons that replace the time while the row is hovered. Such a row keeps the
   * time read for its id before; one never read waits for the next read (no miss, no guess).
   */
  hoverActions?: readonly string[];
}

/** Reads one row; built once per read from the list found (a table maps its columns). */
export type RowReaderFactory = (
  list: Element,
  ctx: ReadContext,
  provider: string,
) => (row: Element) => RowOutcome;

export interface ListAdapterSpec {
  id: string;
  label: string;
  /** Manifest match patterns for the site's content script. */
  hostMatches: readonly string[];
  /** The portal's app pages (host and path): a match pattern cannot stop at "/app" vs "/apple". */
  pages: RegExp;
  /** The call list. */
  list: readonly string[];
  /**
   * Where the list is generic (RingCentral's `virtualized-list` also holds messages): cues
   * that this page is the call history; without one, a list with no rows is not a miss.
   */
  view?: readonly string[];
  /** The row attribute with the portal's call id: a virtual list may render a row twice. */
  rowId?: string;
  /** One element per call inside the list (header rows are dropped). */
  rows: readonly string[];
  /** The portal's own "no calls" state: an empty list showing it is not a miss. */
  empty: readonly string[];
  emptyText?: RegExp;
  /** Headings/titles that say "this is the call history", to notice a vanished list. */
  viewTitle: RegExp;
  /** How to read a row: `callRows(spec)` for the usual shape, or the site's own reader. */
  row: RowReaderFactory;
}

/** A header cell, or a row of them: never a call. */
const HEADER = 'th, [role="columnheader"]';

const labelOrText = (el: Element) => attr(el, 'aria-label') ?? textOf(el);

/** The row's text pieces (elements without element children) outside `skip`. */
function leaves(row: Element, skip: (Element | null)[]): Element[] {
  return Array.from(row.querySelectorAll('*')).filter(
    (el) => el.children.length === 0 && !skip.some((s) => s?.contains(el)),
  );
}

/** Read one row by its spec: status first (outbound calls are skipped), then number and time. */
export function readCallRow(
  row: Element,
  provider: string,
  spec: CallRowSpec,
  ctx: ReadContext,
): RowOutcome {
  const text = (selectors?: readonly string[]) =>
    selectors ? textOf(firstOf(row, selectors)) : '';
  const label = parseCallLabel(attr(row, 'aria-label'));
  const nameEl = spec.name ? firstOf(row, spec.name) : null;
  const numberEl = firstOf(row, spec.number);
  const rest = spec.scan ? leaves(row, [nameEl, numberEl]) : [];
  const statusEl = firstOf(row, spec.status);
  const cue =
    (statusEl && (spec.statusCue ?? labelOrText)(statusEl)) ||
    rest.map(labelOrText).find((t) => statusFromText(t));
  const status = statusFromText(cue ?? '') ?? label.status;
  if (!status) return { miss: 'status: no missed/answered cue' };
  // An outbound call the firm placed.
  if (status === 'outbound') return SKIP;

  const name = textOf(nameEl);
  const from =
    telNumber(row) ??
    callerFromText(textOf(numberEl)) ??
    // An unknown caller's number (or "Anonymous") shown where a name would be.
    callerFromText(name) ??
    label.number ??
    rest.map((el) => callerFromText(textOf(el))).find(Boolean);
  if (!from) return { miss: 'number: no tel: link or caller number' };

  const id = spec.callId ? dataId(row, spec.callId) : undefined;
  let at = id ? ctx.rowTimes?.get(id) : undefined;
  if (at === undefined) {
    const timeEl = firstOf(row, spec.time);
    const time = timeFrom(
      [
        attr(timeEl, 'datetime'),
        attr(timeEl, 'title'),
        textOf(timeEl),
        label.timeText,
        ...rest.map(textOf).filter((t) => /[ap]\.?m\b|ago|day|\d[/.-]\d|[a-z]{3} \d/i.test(t)),
      ],
      ctx,
    );
    if ('miss' in time) {
      // A day shown alone that ended before the capture window (a day back) is not news.
      if (time.day! < ctx.now - 2 * 86_400_000) return SKIP;
      // Hovered: the time comes back when the pointer leaves, and the row is read then.
      return spec.hoverActions && firstOf(row, spec.hoverActions) ? SKIP : { miss: time.miss };
    }
    at = time.at;
    if (id) ctx.rowTimes?.set(id, at);
  }

  return {
    call: portalCall({
      provider,
      from,
      startedAt: at,
      reason: status,
      callerName: name || label.name,
      providerCallId: id,
      agent: text(spec.agent) || undefined,
    }),
  };
}

/** The usual row reader: each field found in the row by the spec's selectors. */
export function callRows(spec: CallRowSpec): RowReaderFactory {
  return (_list, ctx, provider) => (row) => readCallRow(row, provider, spec, ctx);
}

/**
 * Read a page the usual way: find the call list; no list → not a call-history view (no
 * miss, unless the page says it is one); a list without rows and without the portal's
 * empty-state cue → a miss (the row selectors broke).
 */
export function readList(
  root: ParentNode,
  spec: Omit<ListAdapterSpec, 'row'>,
  rowReader: (list: Element) => (row: Element) => RowOutcome,
): AdapterReadResult {
  try {
    const list = firstOf(root, spec.list);
    // The portal's empty state may replace the list outright.
    if (
      !list &&
      (firstOf(root, spec.empty) || spec.emptyText?.test(textOf(firstOf(root, ['main']))))
    ) {
      return noRows();
    }
    if (!list) {
      const headings = allOf(root, ['h1, h2, [role="heading"], title']).map(textOf);
      const onHistoryView = headings.some((h) => spec.viewTitle.test(h));
      return noRows(
        onHistoryView ? ['list: call-history view without a recognisable call list'] : [],
      );
    }
    // Header rows of a grid/table are never calls; a row id rendered twice is one call.
    const ids = new Set<string>();
    const rows = allOf(list, spec.rows).filter((row) => {
      const id = spec.rowId && attr(row, spec.rowId);
      if (id && ids.has(id)) return false;
      if (id) ids.add(id);
      return !row.matches(HEADER) && !row.querySelector(HEADER);
    });
    if (rows.length === 0) {
      if (spec.view && !firstOf(root, spec.view)) return noRows();
      // Still loading (a spinner or aria-busy list): nothing to say yet.
      if (list.closest('[aria-busy="true"]') || firstOf(list, ['[role="progressbar"]'])) {
        return noRows();
      }
      const empty =
        firstOf(root, spec.empty) !== null ||
        (spec.emptyText !== undefined && spec.emptyText.test(textOf(list)));
      return noRows(empty ? [] : ['rows: call list found but no rows matched']);
    }
    return collectRows(rows, rowReader(list));
  } catch (error) {
    return noRows([`page: ${error}`]);
  }
}

/** A site adapter from its declaration. */
export function defineListAdapter(spec: ListAdapterSpec): SiteAdapter {
  return {
    id: spec.id,
    label: spec.label,
    hostMatches: spec.hostMatches,
    matches: (url) => spec.pages.test(url),
    read(root, options) {
      const ctx = readContext(options);
      return readList(root, spec, (list) => spec.row(list, ctx, spec.id));
    },
  };
}
