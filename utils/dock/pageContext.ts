import { z } from 'zod';

/**
 * What the CRM page around the dock is showing, passed to the sidebar in its URL hash.
 * A function, not a module-level schema: the CRM content script imports this file only to
 * encode the hash, and an unused function lets the bundler leave zod (~70 KB) out of it.
 */
function pageContextSchema() {
  return z.object({
    crm: z.enum(['hubspot', 'clio']),
    /** The CRM contact record open on the page, when there is one. */
    contactId: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
    host: z.string().max(100),
  });
}
export type PageContext = z.infer<ReturnType<typeof pageContextSchema>>;

const HUBSPOT_HOSTS = /^app(-[a-z]{2}\d)?\.hubspot\.com$/;
const CLIO_HOSTS = /^((eu|ca|au)\.)?app\.clio\.com$/;

/**
 * Read the CRM context from a page URL. HubSpot contact records live at
 * /contacts/{portalId}/record/0-1/{id} (older: /contacts/{portalId}/contact/{id});
 * Clio's at /nc/#/contacts/{id}.
 */
export function crmPageContext(rawUrl: string): PageContext | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (HUBSPOT_HOSTS.test(url.hostname)) {
    const match =
      /\/contacts\/\d+\/record\/0-1\/(\d+)/.exec(url.pathname) ??
      /\/contacts\/\d+\/contact\/(\d+)/.exec(url.pathname);
    return { crm: 'hubspot', host: url.hostname, ...(match ? { contactId: match[1] } : {}) };
  }
  if (CLIO_HOSTS.test(url.hostname)) {
    const match = /^#\/contacts\/(\d+)/.exec(url.hash);
    return { crm: 'clio', host: url.hostname, ...(match ? { contactId: match[1] } : {}) };
  }
  return null;
}

/** The sidebar's hash for a context: `#ctx=<json>` (the content script sets it on the iframe). */
export function contextHash(context: PageContext | null): string {
  return context ? `#ctx=${encodeURIComponent(JSON.stringify(context))}` : '';
}

/** Parse the sidebar's hash back, rejecting anything malformed (the page could tamper with it). */
export function contextFromHash(hash: string): PageContext | null {
  const match = /(?:^#|&)ctx=([^&]*)/.exec(hash);
  if (!match) return null;
  try {
    const parsed = pageContextSchema().safeParse(JSON.parse(decodeURIComponent(match[1] ?? '')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
