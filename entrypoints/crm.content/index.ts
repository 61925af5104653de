import { browser, createShadowRootUi, defineContentScript } from '#imports';
import { CRM_WEB_MATCHES } from '@/utils/crmSites';
import { sendMessage } from '@/utils/messaging';
import { contextHash, crmPageContext } from '@/utils/pageContext';
import { buildDock, type Dock } from './dock';
import dockCss from './dock.css?inline';

/**
 * Clio and HubSpot pages: a slim dock on the right edge that opens the sidebar app (an
 * extension page in an iframe; it gets its data from the background, since a framed page's
 * own storage may be blocked or partitioned). This script holds no data;
 * its per-site preferences live with the background, since content scripts cannot read
 * extension storage.
 */
export default defineContentScript({
  matches: CRM_WEB_MATCHES,
  runAt: 'document_idle',
  async main(ctx) {
    // If the background cannot answer (extension just updated), show the dock closed.
    const prefs = await sendMessage('getDockPrefs').catch(() => ({ open: false, hidden: false }));
    if (prefs.hidden || ctx.isInvalid) return;

    const sidebarUrl = (pageUrl: string) =>
      browser.runtime.getURL('/sidebar.html') + contextHash(crmPageContext(pageUrl));
    const remember = (patch: { open?: boolean; hidden?: boolean }) =>
      sendMessage('setDockPrefs', patch).catch(() => undefined);

    let dock: Dock | undefined;
    const ui = await createShadowRootUi(ctx, {
      name: 'callback-desk-dock',
      position: 'inline',
      // After <body>, so nothing the page lays out or selects among its body's children moves.
      anchor: 'html',
      append: 'last',
      css: dockCss,
      isolateEvents: true,
      onMount: (container) => {
        dock = buildDock(container, {
          open: prefs.open,
          site: location.hostname,
          sidebarUrl: sidebarUrl(location.href),
          onOpenChange: (open) => void remember({ open }),
          onHide: () => {
            void remember({ hidden: true, open: false });
            ui.remove();
          },
        });
      },
      onRemove: () => {
        dock = undefined;
      },
    });
    ui.mount();

    // CRMs are single-page apps: follow navigation so the sidebar knows the open contact.
    // The event fires before `location` changes, so read the new URL from it.
    ctx.addEventListener(window, 'wxt:locationchange', ({ newUrl }) =>
      dock?.setSidebarUrl(sidebarUrl(newUrl.href)),
    );
  },
});
