import { defineContentScript } from '#imports';
import { createCustomAdapter } from '@/utils/capture/adapters/custom';
import type { CustomAdapterConfig } from '@/utils/capture/adapters/customConfig';
import { sendMessage } from '@/utils/messaging';
import { capturePortal } from '@/utils/capture/portalRuntime';

/**
 * The firm's custom phone portal. Not in the manifest: utils/capture/customPortal.ts registers this
 * script at run time on the host the firm configured (as content-scripts/portal.js). It asks
 * the background for the firm's adapter, since the configuration lives in extension storage,
 * out of a page's reach. Built-in portals have a script each (entrypoints/<id>.content).
 */
export default defineContentScript({
  registration: 'runtime',
  runAt: 'document_idle',
  main(ctx) {
    let config: Promise<CustomAdapterConfig | null> | undefined;
    capturePortal(ctx, async () => {
      // Asked once per page; null when the firm's adapter no longer covers this host.
      config ??= sendMessage('getCustomAdapterConfig').catch(() => null);
      const current = await config;
      const adapter = current ? createCustomAdapter(current) : undefined;
      return adapter?.matches(location.href) ? adapter : undefined;
    });
  },
});
