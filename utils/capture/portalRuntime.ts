import type { ContentScriptContext } from '#imports';
import { observePage } from './adapters/observe';
import type { SiteAdapter } from './adapters/types';
import { mountDock } from '../dock/mountDock';
import { sendMessage } from '../messaging';
import { batches, createPortalSession, healthReport, markSent, unsentCalls } from './portalSession';

/**
 * What a phone-portal content script runs. Each built-in portal has its own small script
 * (entrypoints/<adapter id>.content) that imports only its adapter and calls `runPortal`;
 * the firm's custom portal runs entrypoints/portal.content, which calls `capturePortal`.
 * No React, no database: the page holds nothing beyond what it has already sent.
 */

/**
 * Read the call history live with the page's adapter and hand new calls to the background,
 * with a health report per read that found something to say. `adapterHere` is asked on every
 * read (single-page apps move between their call history and other views).
 */
export function capturePortal(
  ctx: ContentScriptContext,
  adapterHere: () => SiteAdapter | undefined | Promise<SiteAdapter | undefined>,
): void {
  const session = createPortalSession();
  let running = false;
  let again = false;

  const readAndSend = async (adapter: SiteAdapter) => {
    const result = adapter.read(document, { rowTimes: session.rowTimes });
    let error: string | undefined;
    for (const batch of batches(unsentCalls(session, result.calls, Date.now()))) {
      try {
        const outcome = await sendMessage('captureCalls', batch);
        markSent(session, batch);
        if (outcome.rejected.length > 0) {
          error = `${outcome.rejected.length} calls rejected: ${outcome.rejected[0]!.error}`;
        }
      } catch (e) {
        // Not marked as sent: the next read tries again. (The message as is: the messaging
        // layer's formatter for zod issues would cost every portal page its size.)
        error = `Could not hand calls to Callback Desk: ${e instanceof Error ? e.message : String(e)}`;
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
}

/** A built-in portal's page: capture with its adapter (on its app pages) and show the dock. */
export function runPortal(ctx: ContentScriptContext, adapter: SiteAdapter): void {
  capturePortal(ctx, () => (adapter.matches(location.href) ? adapter : undefined));
  void mountDock(ctx);
}
