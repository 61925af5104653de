import { defineContentScript } from '#imports';
import { observePage } from '@/utils/adapters/observe';
import { adapterForUrl, PORTAL_MATCHES } from '@/utils/adapters/registry';
import type { CustomAdapterConfig } from '@/utils/adapters/customConfig';
import type { SiteAdapter } from '@/utils/adapters/types';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import {
  batches,
  createPortalSession,
  healthReport,
  markSent,
  unsentCalls,
} from '@/utils/portalSession';

/**
 * Phone-portal pages: read the call history with the page's site adapter, live, and hand
 * new calls to the background. Holds no data beyond what it already sent in this page; no
 * React, no database. The same file is registered at run time on the firm's custom portal
 * host (utils/customPortal.ts), where it asks the background for the custom adapter.
 */
export default defineContentScript({
  matches: PORTAL_MATCHES,
  runAt: 'document_idle',
  main(ctx) {
    const session = createPortalSession();
    let custom: Promise<CustomAdapterConfig | null> | undefined;
    let running = false;
    let again = false;

    const adapterHere = async (): Promise<SiteAdapter | undefined> => {
      const builtIn = adapterForUrl(location.href);
      if (builtIn) return builtIn;
      // Asked once per page: the config lives in extension storage, out of a page's reach.
      custom ??= sendMessage('getCustomAdapterConfig').catch(() => null);
      return adapterForUrl(location.href, await custom);
    };

    const readAndSend = async (adapter: SiteAdapter) => {
      const result = adapter.read(document);
      let error: string | undefined;
      for (const batch of batches(unsentCalls(session, result.calls, Date.now()))) {
        try {
          const outcome = await sendMessage('captureCalls', batch);
          markSent(session, batch);
          if (outcome.rejected.length > 0) {
            error = `${outcome.rejected.length} calls rejected: ${outcome.rejected[0]!.error}`;
          }
        } catch (e) {
          // Not marked as sent: the next read tries again.
          error = `Could not hand calls to Callback Desk: ${errorMessage(e)}`;
          break;
        }
      }
      const report = healthReport(session, adapter.id, result, Date.now(), error);
      if (report) await sendMessage('reportAdapterHealth', report).catch(() => undefined);
    };

    // One read at a time; changes during a read trigger exactly one more.
    const scan = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const adapter = await adapterHere();
          if (!adapter || ctx.isInvalid) return;
          await readAndSend(adapter);
        } while (again && ctx.isValid);
      } finally {
        running = false;
      }
    };

    observePage(ctx, () => void scan());
  },
});
