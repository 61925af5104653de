import { defineContentScript } from '#imports';
import { googlevoice } from '@/utils/capture/adapters/googlevoice';
import { runPortal } from '@/utils/capture/portalRuntime';

/** Google Voice pages: capture missed calls with its adapter, and the dock. Imports only that adapter. */
export default defineContentScript({
  matches: [...googlevoice.hostMatches],
  runAt: 'document_idle',
  main: (ctx) => runPortal(ctx, googlevoice),
});
