import { browser } from '#imports';
import { extractCustomRows, customCallsFromRows, hostMatchesPattern } from './adapters/custom';
import {
  CustomAdapterConfig,
  customAdapterConfigItem,
  customMatchPattern,
  getCustomAdapterConfig,
} from './adapters/customConfig';
import { readContext } from './adapters/read';

/** The registered content script's id (one custom portal per firm). */
const SCRIPT_ID = 'custom-portal';
/** The custom-portal content script (entrypoints/portal.content), built but not in the manifest. */
const PORTAL_SCRIPT = 'content-scripts/portal.js';

/**
 * Keep the dynamic registration of the portal content script in step with the firm's custom
 * adapter: registered on its host while enabled and the host permission is granted,
 * unregistered otherwise. Manifest `content_scripts` cannot name a host chosen at run time;
 * `scripting.registerContentScripts` can, and `persistAcrossSessions` keeps it over restarts.
 */
export async function syncCustomPortalScript(): Promise<'registered' | 'unregistered'> {
  const config = await getCustomAdapterConfig();
  const origin = config?.enabled ? customMatchPattern(config.hostPattern) : null;
  const wanted = origin !== null && (await browser.permissions.contains({ origins: [origin] }));
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (!wanted) {
    // Another sync may have removed it already (saving fires both a storage and a permission event).
    if (existing.length > 0) {
      await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] }).catch(() => undefined);
    }
    return 'unregistered';
  }
  const script = {
    id: SCRIPT_ID,
    matches: [origin],
    js: [PORTAL_SCRIPT],
    runAt: 'document_idle' as const,
    persistAcrossSessions: true,
  };
  if (existing.length > 0) await browser.scripting.updateContentScripts([script]);
  else {
    await browser.scripting
      .registerContentScripts([script])
      .catch(() => browser.scripting.updateContentScripts([script]));
  }
  return 'registered';
}

/** Background wiring: re-sync when the config or permissions change, and after updates. */
export function setupCustomPortal(): void {
  const sync = () =>
    void syncCustomPortalScript().catch((error) => console.warn('Custom portal:', error));
  customAdapterConfigItem.watch(sync);
  browser.permissions.onAdded.addListener(sync);
  browser.permissions.onRemoved.addListener(sync);
  // An extension update drops dynamically registered scripts.
  browser.runtime.onInstalled.addListener(sync);
}

/** The config for a content script on `host`, or null when the firm's adapter does not cover it. */
export async function customConfigForHost(host: string): Promise<CustomAdapterConfig | null> {
  const config = await getCustomAdapterConfig();
  return config?.enabled && hostMatchesPattern(host, config.hostPattern) ? config : null;
}

import { PreviewRequest, type CustomAdapterPreview } from '../model';

export { PreviewRequest, type CustomAdapterPreview };

/**
 * Run the firm's selectors on an open tab and say what would be captured. Needs the tab's
 * host permission, which the options page requests on the user's click.
 */
export async function previewCustomAdapter(input: unknown): Promise<CustomAdapterPreview> {
  const { tabId, config } = PreviewRequest.parse(input);
  const tab = await browser.tabs.get(tabId);
  const [injection] = await browser.scripting.executeScript({
    target: { tabId },
    func: extractCustomRows,
    args: [config],
  });
  const extraction = injection?.result;
  if (!extraction) throw new Error('The page could not be read (was it closed or reloaded?).');
  return { url: tab.url ?? '', ...customCallsFromRows(extraction, readContext()) };
}
