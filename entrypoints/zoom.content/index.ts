import { defineContentScript } from '#imports';
import { zoom } from '@/utils/capture/adapters/zoom';
import { runPortal } from '@/utils/capture/portalRuntime';

/** Zoom Phone pages: capture missed calls with its adapter, and the dock. Imports only that adapter. */
export default defineContentScript({
  matches: [...zoom.hostMatches],
  runAt: 'document_idle',
  main: (ctx) => runPortal(ctx, zoom),
});
