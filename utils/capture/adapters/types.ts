import type { AdapterReadResult } from '../../model';

export type { AdapterReadResult } from '../../model';

export interface ReadOptions {
  /**
   * The page's clock, for relative times ("3 min ago", "Yesterday 2:14 PM"). Times are read
   * in the browser's zone, the one the portal formats them in.
   */
  now?: number;
  /**
   * Start times already read on this page, by the portal's row id. A row keeps its first
   * time: the time cell can vanish (RingCentral swaps it for buttons while the row is
   * hovered) or drift ("3 min ago"), and neither may turn one call into another.
   */
  rowTimes?: Map<string, number>;
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
