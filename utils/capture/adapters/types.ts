import type { IncomingCall } from '../../model';

/** What one read of a portal page found. */
export interface AdapterReadResult {
  /** Calls to report: missed, voicemail, and answered (answered only close open leads). */
  calls: IncomingCall[];
  /** Call-history rows the row selectors matched. */
  rowsSeen: number;
  /** Rows understood: turned into a call, or recognised as not ours (an outbound call). */
  rowsRead: number;
  /** One line per cue that failed ("time: no readable time in 2 rows"), for the health panel. */
  misses: string[];
}

export interface ReadOptions {
  /** The page's clock, for relative times ("3 min ago", "Yesterday 2:14 PM"). */
  now?: number;
  /** The zone the portal shows times in: the browser's own unless told otherwise. */
  timeZone?: string;
}

/**
 * One phone portal. `read` is a pure function of the DOM (no network, no extension APIs), so
 * it runs against saved HTML in unit tests exactly as it runs on the live page.
 */
export interface SiteAdapter {
  /** Also the file name in utils/capture/adapters/ and the fixtures folder name. */
  id: string;
  /** Shown in the health panel. */
  label: string;
  /** Manifest match patterns for the portal content script (empty for the custom adapter). */
  hostMatches: readonly string[];
  /** Is this URL one of this portal's pages (host and app path)? */
  matches(url: string): boolean;
  /** Read the call-history rows on the page. Never throws: problems become misses. */
  read(root: ParentNode, options?: ReadOptions): AdapterReadResult;
}
