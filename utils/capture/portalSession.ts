import type { AdapterHealthReport } from './health';
import type { AdapterReadResult } from './adapters/types';
import type { IncomingCall } from '../model';

/**
 * Portal history goes back weeks; calls older than this were handled long ago (we cannot see
 * the callbacks placed from desk phones) and would flood the queue with overdue leads the
 * first time a portal tab is opened. Other capture paths (API, CSV) cover older history.
 */
export const PORTAL_LOOKBACK_MS = 24 * 60 * 60_000;
/** Largest captureCalls message a page sends (the background accepts up to 500). */
export const PORTAL_BATCH_SIZE = 100;
/** A page that keeps reading cleanly still refreshes its health this often. */
const HEALTH_HEARTBEAT_MS = 5 * 60_000;

/** What one portal page has already sent, for as long as the page lives. */
export interface PortalSession {
  sent: Set<string>;
  /** Start times read per row id (the adapter's memory across reads: hover, virtual lists). */
  rowTimes: Map<string, number>;
  reportedRowsSeen: number;
  reportedRowsRead: number;
  reportedMisses: Set<string>;
  lastOk?: boolean;
  lastReportAt?: number;
}

export function createPortalSession(): PortalSession {
  return {
    sent: new Set(),
    rowTimes: new Map(),
    reportedRowsSeen: 0,
    reportedRowsRead: 0,
    reportedMisses: new Set(),
  };
}

/**
 * A call's identity within a page: the provider's id when the page shows one, else caller,
 * minute and status. A status change (missed → voicemail) is news worth sending; the
 * background merges it into the call it already has.
 */
export function pageCallKey(call: IncomingCall): string {
  // Portal calls always carry their reason.
  if (call.providerCallId) return `id:${call.providerCallId}:${call.reason}`;
  return `${call.from.replace(/[^\d+a-z]/gi, '')}|${Math.floor(call.startedAt / 60_000)}|${call.reason}`;
}

/** Calls on the page not sent yet and recent enough to matter, oldest first. */
export function unsentCalls(
  session: PortalSession,
  calls: IncomingCall[],
  now: number,
): IncomingCall[] {
  const seen = new Set<string>();
  return calls
    .filter((call) => {
      const key = pageCallKey(call);
      if (session.sent.has(key) || seen.has(key) || now - call.startedAt > PORTAL_LOOKBACK_MS)
        return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.startedAt - b.startedAt);
}

export function markSent(session: PortalSession, calls: IncomingCall[]): void {
  for (const call of calls) session.sent.add(pageCallKey(call));
}

export function batches<T>(items: T[], size: number = PORTAL_BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** "time: no readable call time (2 rows)" and "(3 rows)" are the same miss. */
function missReason(miss: string): string {
  return miss.replace(/\s*\(\d+ rows?\)$/, '');
}

/**
 * The health report this read calls for, or null when nothing changed: new rows counted
 * (the list grew), misses not reported before in this page, a change between clean and
 * failing reads, a send error, or a heartbeat while the page keeps reading cleanly.
 */
export function healthReport(
  session: PortalSession,
  adapterId: string,
  result: AdapterReadResult,
  now: number,
  error?: string,
): AdapterHealthReport | null {
  const { rowsSeen, rowsRead } = result;
  const misses = result.misses.filter((m) => !session.reportedMisses.has(missReason(m)));
  const ok = rowsSeen > 0 && rowsRead === rowsSeen && result.misses.length === 0 && !error;
  const report: AdapterHealthReport = {
    adapterId,
    rowsSeen: Math.max(0, rowsSeen - session.reportedRowsSeen),
    rowsRead: Math.max(0, rowsRead - session.reportedRowsRead),
    misses: misses.slice(0, 50),
    ok,
  };
  // A first report (lastReportAt undefined) counts as a heartbeat due.
  const heartbeat = rowsSeen > 0 && !(now - session.lastReportAt! < HEALTH_HEARTBEAT_MS);
  const changed =
    report.rowsSeen + report.rowsRead + misses.length > 0 ||
    error !== undefined ||
    (session.lastOk ?? ok) !== ok;
  // The row counts track the page's current list, so a list that shrinks (a filter) and
  // grows back counts its rows again: "rows seen" measures reading work, not unique calls.
  session.reportedRowsSeen = rowsSeen;
  session.reportedRowsRead = rowsRead;
  if (!changed && !heartbeat) return null;
  for (const m of misses) session.reportedMisses.add(missReason(m));
  session.lastOk = ok;
  session.lastReportAt = now;
  if (error) report.error = error.slice(0, 300);
  return report;
}
