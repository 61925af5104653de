import { defineContentScript } from '#imports';
import { ringcentral } from '@/utils/capture/adapters/ringcentral';
import { runPortal } from '@/utils/capture/portalRuntime';

/** RingCentral pages: capture missed calls with its adapter, and the dock. Imports only that adapter. */
export default defineContentScript({
  matches: [...ringcentral.hostMatches],
  runAt: 'document_idle',
  main: (ctx) => runPortal(ctx, ringcentral),
});
