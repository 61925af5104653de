import { expect, test } from '@playwright/test';
import { benchContentScriptSize } from '../bench/content-script-size.ts';

/**
 * The content-script budget, checked on the build under test (npm run test:e2e builds
 * first): every content script loads into each CRM or portal page it matches, so each stays
 * under 20 kB minified. Bytes are stable from build to build, unlike times, so this is a
 * failing check, not a benchmark. (Run the bench for the figures:
 * `npx node tests/bench/content-script-size.ts`.)
 */
const BUDGET_BYTES = 20_480;

test('every content script is under the 20 kB budget', () => {
  const scripts = benchContentScriptSize().filter((s) => s.file.endsWith('.js'));
  // crm.js, portal.js (the firm's custom portal) and one per built-in phone portal.
  expect(scripts.map((s) => s.file)).toEqual(
    expect.arrayContaining([
      'content-scripts/crm.js',
      'content-scripts/portal.js',
      'content-scripts/ringcentral.js',
      'content-scripts/dialpad.js',
      'content-scripts/aircall.js',
      'content-scripts/zoom.js',
      'content-scripts/googlevoice.js',
    ]),
  );
  const over = scripts
    .filter((s) => s.minifiedBytes >= BUDGET_BYTES)
    .map((s) => `${s.file}: ${s.minifiedBytes} bytes`);
  expect(over, `over the ${BUDGET_BYTES}-byte budget`).toEqual([]);
});
