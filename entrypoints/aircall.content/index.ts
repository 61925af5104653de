import { defineContentScript } from '#imports';
import { aircall } from '@/utils/capture/adapters/aircall';
import { runPortal } from '@/utils/capture/portalRuntime';

/** Aircall pages: capture missed calls with its adapter, and the dock. Imports only that adapter. */
export default defineContentScript({
  matches: [...aircall.hostMatches],
  runAt: 'document_idle',
  main: (ctx) => runPortal(ctx, aircall),
});
