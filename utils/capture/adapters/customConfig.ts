import { z } from 'zod';
import { storage } from '#imports';
import { CustomAdapterFields } from '../../model';
import { hostMatchesPattern } from './custom';
import { SITE_ADAPTERS } from './registry';

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

/** The firm's adapter, validated wherever it is read (storage, messages, the form). */
export const CustomAdapterConfig = CustomAdapterFields.extend({
  hostPattern: CustomAdapterFields.shape.hostPattern.refine(
    (host) => !overlapsBuiltIn(host),
    'this portal already has a built-in adapter',
  ),
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
