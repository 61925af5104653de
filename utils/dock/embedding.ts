/**
 * Where the sidebar may be framed. sidebar.html is web-accessible on the CRM and portal
 * origins so our dock can frame it there (the browser refuses it to every other origin). A
 * whole origin is too wide: dialpad.com also serves its marketing site, *.zoom.us and
 * voice.google.com pages that are not the phone app. So the framed sidebar also checks that
 * its parent is a page where our dock runs (the content scripts' match patterns, path
 * included) and that it is framed one level deep, by that page itself; anything else (say,
 * a page framing it to trick a click on "Close lead") gets a refusal instead of the app.
 */

/** How the sidebar is framed. */
export interface Embedding {
  /** Frames between the sidebar and the top window: 0 = not framed, 1 = framed by the top page. */
  depth: number;
  /** The parent page's address (the dock's iframe sends it in full as the referrer). */
  parentUrl?: string;
  /** The ancestors' origins, nearest first, where the browser tells them (Chrome). */
  ancestorOrigins?: readonly string[];
}

/** Does a URL match a manifest match pattern ("https://*.zoom.us/pbx/*")? Path included. */
export function urlMatches(pattern: string, url: string): boolean {
  const match = /^(\*|https?):\/\/([^/]+)(\/.*)$/.exec(pattern);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!match) return false;
  const [, scheme, host, path] = match as unknown as [string, string, string, string];
  const schemeOk =
    scheme === '*' ? /^https?:$/.test(parsed.protocol) : `${scheme}:` === parsed.protocol;
  const hostOk = host.startsWith('*.')
    ? parsed.hostname === host.slice(2) || parsed.hostname.endsWith(host.slice(1))
    : parsed.hostname === host;
  // Match patterns' paths cover the query too; `*` is any run of characters.
  const glob = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return schemeOk && hostOk && glob.test(parsed.pathname + parsed.search);
}

/**
 * May the sidebar render here? Yes when not framed; when framed, only directly by a page
 * matching one of `pages` (never inside a frame inside such a page, never when the parent's
 * address is unknown or cut to its origin).
 */
export function isAllowedEmbedder(embedding: Embedding, pages: readonly string[]): boolean {
  const { depth, parentUrl, ancestorOrigins } = embedding;
  if (depth === 0) return true;
  if (depth !== 1 || !parentUrl) return false;
  // Where the browser lists the ancestors, the one parent must be the page that sent us here.
  if (
    ancestorOrigins &&
    (ancestorOrigins.length !== 1 || !parentUrl.startsWith(`${ancestorOrigins[0]}/`))
  ) {
    return false;
  }
  return pages.some((pattern) => urlMatches(pattern, parentUrl));
}

/** This page's embedding, as the browser reports it. */
export function currentEmbedding(): Embedding {
  const depth = window.top === window.self ? 0 : window.parent === window.top ? 1 : 2;
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  return {
    depth,
    parentUrl: document.referrer || undefined,
    ancestorOrigins: ancestors ? Array.from(ancestors) : undefined,
  };
}
