import { browser } from '#imports';

/**
 * Content scripts may read `storage.local` by default in Chrome. Settings hold nothing
 * secret (credentials live in the extension's IndexedDB), but restrict it anyway so a
 * compromised page context can never read what the extension stores.
 */
export function restrictStorageToExtension(): void {
  const local = browser.storage.local as typeof browser.storage.local & {
    setAccessLevel?: (opts: { accessLevel: string }) => Promise<void>;
  };
  void local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);
}

/** Ask for a host permission when the user connects a provider or CRM (user gesture). */
export async function requestHostAccess(origins: string[]): Promise<boolean> {
  if (await browser.permissions.contains({ origins })) return true;
  return browser.permissions.request({ origins });
}
