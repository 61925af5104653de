import { aircall } from './aircall';
import { createCustomAdapter } from './custom';
import type { CustomAdapterConfig } from '../../model';
import { dialpad } from './dialpad';
import { googlevoice } from './googlevoice';
import { ringcentral } from './ringcentral';
import type { SiteAdapter } from './types';
import { zoom } from './zoom';

/**
 * The one list of portal adapters. The sidebar's web-accessible matches, the adapter picked
 * for a page, and the health panel's labels all come from here; the convention test checks
 * that every file in utils/capture/adapters/ that holds an adapter is in this list, has fixtures, and
 * has a content script (entrypoints/<id>.content) matching its hosts. Content scripts import
 * their one adapter, never this list, so each carries only its own site's code.
 */
export const SITE_ADAPTERS: readonly SiteAdapter[] = [
  ringcentral,
  dialpad,
  aircall,
  zoom,
  googlevoice,
];

/** The firm-configured adapter's id (its file is custom.ts; it has no fixed hosts). */
export const CUSTOM_ADAPTER_ID = 'custom';

/** Manifest matches of the portal content scripts: the built-in portals' hosts, nothing more. */
export const PORTAL_MATCHES: string[] = SITE_ADAPTERS.flatMap((adapter) => adapter.hostMatches);

/**
 * The built-in portals' origins ("https://dialpad.com/*"), where the dock frames the sidebar:
 * web-accessible-resource matches take whole origins, not app paths.
 */
export const PORTAL_ORIGINS: string[] = [
  ...new Set(PORTAL_MATCHES.map((match) => match.replace(/^([a-z*]+:\/\/[^/]+)\/.*$/, '$1/*'))),
];

/** The adapter for a page: a built-in one by URL, else the firm's custom one if it covers the host. */
export function adapterForUrl(
  url: string,
  custom?: CustomAdapterConfig | null,
): SiteAdapter | undefined {
  const builtIn = SITE_ADAPTERS.find((adapter) => adapter.matches(url));
  if (builtIn) return builtIn;
  if (!custom?.enabled) return undefined;
  const adapter = createCustomAdapter(custom);
  return adapter.matches(url) ? adapter : undefined;
}

/** Display name of an adapter id, for the health panel. */
export function adapterLabel(adapterId: string): string {
  if (adapterId === CUSTOM_ADAPTER_ID) return 'Custom portal';
  return SITE_ADAPTERS.find((adapter) => adapter.id === adapterId)?.label ?? adapterId;
}
