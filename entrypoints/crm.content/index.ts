import { defineContentScript } from '#imports';
import { CRM_WEB_MATCHES } from '@/utils/crm/sites';
import { mountDock } from '@/utils/dock/mountDock';
import { contextHash, crmPageContext } from '@/utils/dock/pageContext';

/**
 * Clio and HubSpot pages: a slim dock on the right edge that opens the sidebar app (an
 * extension page in an iframe; it gets its data from the background, since a framed page's
 * own storage may be blocked or partitioned). This script holds no data. The sidebar's URL
 * carries the CRM page context (the contact open on the page), updated as the CRM navigates.
 */
export default defineContentScript({
  matches: CRM_WEB_MATCHES,
  runAt: 'document_idle',
  main: (ctx) => mountDock(ctx, (pageUrl) => contextHash(crmPageContext(pageUrl))),
});
