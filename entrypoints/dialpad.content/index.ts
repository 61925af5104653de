import { defineContentScript } from '#imports';
import { dialpad } from '@/utils/capture/adapters/dialpad';
import { runPortal } from '@/utils/capture/portalRuntime';

/** Dialpad pages: capture missed calls with its adapter, and the dock. Imports only that adapter. */
export default defineContentScript({
  matches: [...dialpad.hostMatches],
  runAt: 'document_idle',
  main: (ctx) => runPortal(ctx, dialpad),
});
