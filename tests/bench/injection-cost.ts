/**
 * What the CRM content script costs a page: the saved HubSpot contacts page served at
 * app.hubspot.com, loaded in a fresh tab per run, with the extension and (baseline) in a
 * plain Chromium without it. Per run: when the dock enters the DOM (ms from navigation
 * start, and after DOMContentLoaded), the page's load event, and the renderer's script time
 * (CDP Performance.getMetrics ScriptDuration: the fixture has no scripts of its own, so with
 * the extension it is mostly the content script, sendMessage round trip excluded).
 * Prints figures; asserts nothing.
 *
 * Run alone: `npm run build && node tests/bench/injection-cost.ts`.
 * tests/bench/run-bench.ts calls benchInjectionCost().
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumPath, launchWithExtension } from '../e2e/fixtures.ts';
import { summarize, type Summary } from './benchKit.ts';

const RUNS = 11;
const WARMUP = 2;
const URL = 'https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list';
const DOCK = 'callback-desk-dock';

declare global {
  interface Window {
    __dockInDom?: number;
  }
}

/** Installed before any page script: note when the dock's host element is added. */
function watchDock(tag: string) {
  const observer = new MutationObserver(() => {
    if (!document.querySelector(tag)) return;
    observer.disconnect();
    window.__dockInDom = performance.now();
  });
  observer.observe(document, { childList: true, subtree: true });
}

interface Run {
  dockInDom?: number;
  dockAfterDomContentLoaded?: number;
  loadEventEnd: number;
  scriptMs: number;
}

async function measure(context: BrowserContext, withDock: boolean): Promise<Run[]> {
  const fixture = readFileSync(path.resolve('tests/fixtures/crm/hubspot-contacts.html'), 'utf8');
  await context.route('https://app.hubspot.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: fixture }),
  );
  await context.addInitScript(watchDock, DOCK);
  const runs: Run[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(URL, { waitUntil: 'load' });
    if (withDock) await page.waitForFunction(() => window.__dockInDom !== undefined);
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        dockInDom: window.__dockInDom,
        domContentLoaded: nav.domContentLoadedEventEnd,
        loadEventEnd: nav.loadEventEnd,
      };
    });
    const { metrics } = await cdp.send('Performance.getMetrics');
    const scriptSeconds = metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
    await page.close();
    if (run < WARMUP) continue;
    runs.push({
      dockInDom: timing.dockInDom,
      dockAfterDomContentLoaded:
        timing.dockInDom === undefined ? undefined : timing.dockInDom - timing.domContentLoaded,
      loadEventEnd: timing.loadEventEnd,
      scriptMs: scriptSeconds * 1000,
    });
  }
  return runs;
}

export interface InjectionCostResult {
  dockInDom: Summary;
  dockAfterDomContentLoaded: Summary;
  loadEventEnd: { withExtension: Summary; withoutExtension: Summary };
  scriptTime: { withExtension: Summary; withoutExtension: Summary };
}

export async function benchInjectionCost(): Promise<InjectionCostResult> {
  const context = await launchWithExtension();
  let withExtension: Run[];
  try {
    withExtension = await measure(context, true);
  } finally {
    await context.close();
  }
  const plain = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  let withoutExtension: Run[];
  try {
    withoutExtension = await measure(
      await plain.newContext({ viewport: { width: 1400, height: 900 } }),
      false,
    );
  } finally {
    await plain.close();
  }
  const pick = (runs: Run[], key: keyof Run) => runs.map((r) => r[key] as number);
  return {
    dockInDom: summarize(pick(withExtension, 'dockInDom')),
    dockAfterDomContentLoaded: summarize(pick(withExtension, 'dockAfterDomContentLoaded')),
    loadEventEnd: {
      withExtension: summarize(pick(withExtension, 'loadEventEnd')),
      withoutExtension: summarize(pick(withoutExtension, 'loadEventEnd')),
    },
    scriptTime: {
      withExtension: summarize(pick(withExtension, 'scriptMs')),
      withoutExtension: summarize(pick(withoutExtension, 'scriptMs')),
    },
  };
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const result = await benchInjectionCost();
  console.log('CRM content script on the HubSpot fixture page, ms:');
  console.table({
    'dock in DOM (from navigation)': result.dockInDom,
    'dock in DOM after DOMContentLoaded': result.dockAfterDomContentLoaded,
    'load event, with extension': result.loadEventEnd.withExtension,
    'load event, without (baseline)': result.loadEventEnd.withoutExtension,
    'renderer script time, with extension': result.scriptTime.withExtension,
    'renderer script time, without (baseline)': result.scriptTime.withoutExtension,
  });
}
