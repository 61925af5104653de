import type { CallReason } from '../../model';
import type { CustomAdapterConfig } from '../../model';
import {
  callerFromText,
  collectRows,
  noRows,
  portalCall,
  readContext,
  statusFromText,
  timeFrom,
  type ReadContext,
  type RowOutcome,
} from './read';
import type { AdapterReadResult, SiteAdapter } from './types';

/** What the firm's selectors found in one row, before any interpretation. */
export interface CustomRawRow {
  number?: string;
  name?: string;
  /** Time candidates in order of trust: datetime attribute, title, text. */
  times: string[];
  /** The text the missed pattern was tested against. */
  status: string;
  missed: boolean;
  callId?: string;
}

export interface CustomExtraction {
  rows: CustomRawRow[];
  /** Problems with the selectors themselves (invalid CSS, bad pattern). */
  misses: string[];
}

/**
 * Read rows with the firm's selectors. Self-contained on purpose — no imports, no outer
 * variables — because the options page's live preview runs this very function in another
 * tab through `scripting.executeScript`, which sends only the function's source.
 */
export function extractCustomRows(
  config: Pick<
    CustomAdapterConfig,
    | 'rowSelector'
    | 'numberSelector'
    | 'timeSelector'
    | 'nameSelector'
    | 'statusSelector'
    | 'missedPattern'
  >,
  root?: ParentNode,
): CustomExtraction {
  const scope: ParentNode = root ?? document;
  const misses: string[] = [];
  const clean = (value: string | null | undefined) => (value ?? '').replace(/\s+/g, ' ').trim();
  const query = (
    within: ParentNode,
    selector: string | undefined,
    field: string,
  ): Element | null => {
    if (!selector) return null;
    try {
      return within.querySelector(selector);
    } catch {
      if (!misses.includes(`${field}: invalid CSS selector`))
        misses.push(`${field}: invalid CSS selector`);
      return null;
    }
  };
  let missed: RegExp;
  try {
    missed = new RegExp(config.missedPattern, 'i');
  } catch {
    return { rows: [], misses: ['missedPattern: invalid regular expression'] };
  }
  let rowElements: Element[];
  try {
    rowElements = Array.from(scope.querySelectorAll(config.rowSelector));
  } catch {
    return { rows: [], misses: ['rowSelector: invalid CSS selector'] };
  }
  const rows = rowElements.slice(0, 500).map((row): CustomRawRow => {
    const numberEl = query(row, config.numberSelector, 'numberSelector');
    const tel = numberEl?.matches('a[href^="tel:" i]')
      ? numberEl
      : (numberEl?.querySelector('a[href^="tel:" i]') ?? null);
    let number = clean(numberEl?.textContent);
    const href = tel?.getAttribute('href');
    if (href) {
      try {
        number = decodeURIComponent(href.slice(4)).split(/[;?]/)[0] ?? number;
      } catch {
        // Keep the visible text.
      }
    }
    const timeEl = query(row, config.timeSelector, 'timeSelector');
    const innerTime = timeEl?.querySelector('time[datetime]') ?? null;
    const times = [
      innerTime?.getAttribute('datetime'),
      timeEl?.getAttribute('datetime'),
      timeEl?.getAttribute('title'),
      clean(timeEl?.textContent),
    ]
      .map(clean)
      .filter((t) => t !== '');
    const statusEl = config.statusSelector
      ? query(row, config.statusSelector, 'statusSelector')
      : row;
    const status = clean(
      [
        statusEl?.getAttribute('aria-label'),
        statusEl?.getAttribute('title'),
        statusEl?.textContent,
      ].join(' '),
    );
    const name = clean(query(row, config.nameSelector, 'nameSelector')?.textContent);
    const callId = ['data-call-id', 'data-id', 'data-row-key']
      .map((a) => row.getAttribute(a))
      .find((v) => v);
    return {
      number: number || undefined,
      name: name || undefined,
      times,
      status,
      missed: missed.test(status),
      callId: callId ?? undefined,
    };
  });
  return { rows, misses };
}

/** The firm's pattern says the row is missed; the status words may say how (voicemail, busy). */
function missedReason(status: string): CallReason {
  const reason = statusFromText(status);
  return reason && reason !== 'answered' && reason !== 'outbound' ? reason : 'no-answer';
}

function readRawRow(raw: CustomRawRow, ctx: ReadContext): RowOutcome {
  // Rows that do not match the missed pattern are understood and left alone.
  if (!raw.missed) return { skip: 'not missed' };
  const from = raw.number ? callerFromText(raw.number) : undefined;
  if (!from) return { miss: 'number: numberSelector found no phone number' };
  const time = timeFrom(raw.times, ctx);
  if ('miss' in time) return { miss: `${time.miss} (timeSelector)` };
  return {
    call: portalCall({
      provider: 'custom',
      from,
      startedAt: time.at,
      reason: missedReason(raw.status),
      callerName: raw.name,
      providerCallId: raw.callId,
    }),
  };
}

/** Turn extracted rows into calls, with the same bookkeeping as the built-in adapters. */
export function customCallsFromRows(
  extraction: CustomExtraction,
  ctx: ReadContext,
): AdapterReadResult {
  if (extraction.rows.length === 0) return noRows(extraction.misses);
  return collectRows(extraction.rows, (raw) => readRawRow(raw, ctx), extraction.misses);
}

/** Does a page host fall under the firm's host pattern ("portal.example.com", "*.example.com")? */
export function hostMatchesPattern(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return h === p.slice(2) || h.endsWith(p.slice(1));
  return h === p;
}

/** The custom adapter for a firm's configuration. */
export function createCustomAdapter(config: CustomAdapterConfig): SiteAdapter {
  return {
    id: 'custom',
    label: `Custom portal (${config.hostPattern})`,
    hostMatches: [],
    matches(url) {
      try {
        return config.enabled && hostMatchesPattern(new URL(url).hostname, config.hostPattern);
      } catch {
        return false;
      }
    },
    read(root, options) {
      try {
        return customCallsFromRows(extractCustomRows(config, root), readContext(options));
      } catch (error) {
        return noRows([`page: ${error instanceof Error ? error.message : String(error)}`]);
      }
    },
  };
}
