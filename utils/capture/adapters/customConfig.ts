import { z } from 'zod';
import { storage } from '#imports';
import { hostMatchesPattern } from './custom';
import { SITE_ADAPTERS } from './registry';

/** A CSS selector as typed by the firm; the options form also checks it parses. */
const selector = z.string().trim().min(1, 'required').max(300, 'at most 300 characters');

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/** Host patterns of the built-in adapters ("app.ringcentral.com", "*.zoom.us"). */
const BUILT_IN_HOSTS = SITE_ADAPTERS.flatMap((adapter) =>
  adapter.hostMatches.map((match) => /^[a-z*]+:\/\/([^/]+)\//.exec(match)?.[1] ?? match),
);

/** Built-in portals already have an adapter; a custom one there would report every call twice. */
function overlapsBuiltIn(hostPattern: string): boolean {
  const base = (pattern: string) => pattern.replace(/^\*\./, '');
  return BUILT_IN_HOSTS.some(
    (builtIn) =>
      hostMatchesPattern(base(hostPattern), builtIn) ||
      hostMatchesPattern(base(builtIn), hostPattern),
  );
}

/**
 * The firm's own portal adapter: which host, which elements are rows, and where each field
 * sits in a row. Validated with zod wherever it is read (storage, messages, the form).
 */
export const CustomAdapterConfig = z.object({
  enabled: z.boolean(),
  hostPattern: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$/,
      'a host name such as portal.example-voip.com or *.example-voip.com',
    )
    .refine((host) => !overlapsBuiltIn(host), 'this portal already has a built-in adapter'),
  rowSelector: selector,
  numberSelector: selector,
  timeSelector: selector,
  nameSelector: selector.optional(),
  statusSelector: selector.optional(),
  missedPattern: z
    .string()
    .min(1, 'required')
    .max(200, 'at most 200 characters')
    .refine(isValidRegex, 'not a valid regular expression'),
});
export type CustomAdapterConfig = z.infer<typeof CustomAdapterConfig>;

/** Stored in extension storage (restricted to trusted contexts): content scripts ask the background. */
export const customAdapterConfigItem = storage.defineItem<CustomAdapterConfig | null>(
  'local:customAdapterConfig',
  { fallback: null, version: 1 },
);

/** The stored configuration, or null when none is saved or it no longer validates. */
export async function getCustomAdapterConfig(): Promise<CustomAdapterConfig | null> {
  const parsed = CustomAdapterConfig.safeParse(await customAdapterConfigItem.getValue());
  return parsed.success ? parsed.data : null;
}

/** The match pattern for a host pattern, for permissions and script registration. */
export function customMatchPattern(hostPattern: string): string {
  return `https://${hostPattern}/*`;
}
