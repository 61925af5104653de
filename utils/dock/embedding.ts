/**
 * Where the sidebar may be framed. sidebar.html is web-accessible on the CRM and portal
 * origins so our dock can frame it there; any other page that frames it (say, to trick a
 * click on "Close lead") gets a refusal instead of the app.
 */
export function originMatches(pattern: string, origin: string): boolean {
  const match = /^(\*|https?):\/\/([^/]+)\//.exec(pattern);
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (!match) return false;
  const [, scheme, host] = match as unknown as [string, string, string];
  if (scheme !== '*' && `${scheme}:` !== url.protocol) return false;
  if (host.startsWith('*.')) {
    const base = host.slice(2);
    return url.hostname === base || url.hostname.endsWith(`.${base}`);
  }
  return url.hostname === host;
}

export function isAllowedEmbedder(
  origin: string | undefined,
  patterns: readonly string[],
): boolean {
  return origin !== undefined && patterns.some((pattern) => originMatches(pattern, origin));
}

/** The origin of the page that frames this one (Chrome: ancestorOrigins; else the referrer). */
export function embedderOrigin(): string | undefined {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? undefined;
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}
