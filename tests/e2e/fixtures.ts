import {
  test as base,
  chromium,
  type BrowserContext,
  type Page,
  type Worker,
} from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';

declare const chrome: typeof import('wxt/browser').browser;

/** The built extension; EXTENSION_DIR lets parallel runs test their own copy. */
export const EXTENSION_DIR = path.resolve(process.env.EXTENSION_DIR ?? '.output/chrome-mv3');

/** A usable Chromium: CHROME_PATH, Debian's, or Playwright's own if installed. */
export function chromiumPath(): string | undefined {
  for (const candidate of [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function launchWithExtension(dir = EXTENSION_DIR): Promise<BrowserContext> {
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`No built extension in ${dir}: run "npm run build" first.`);
  }
  return chromium.launchPersistentContext('', {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function serviceWorkerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

/**
 * Restart the extension's service worker (routes added after launch miss the worker's
 * start-up fetches; also simulates MV3 killing it). Returns the new worker once it answers.
 */
export async function restartServiceWorker(context: BrowserContext, page: Page): Promise<Worker> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  // Wake it with a message and wait until a round trip succeeds.
  await page.evaluate(async () => {
    for (let i = 0; i < 50; i++) {
      try {
        const reply = await chrome.runtime.sendMessage({
          id: 0,
          type: 'ping',
          timestamp: Date.now(),
        });
        if (reply) return;
      } catch {
        /* worker still starting */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  return serviceWorkerOf(context);
}

interface ExtensionFixtures {
  context: BrowserContext;
  serviceWorker: Worker;
  extensionId: string;
  /** The sidebar app opened as a page (the same app the dock iframe and side panel show). */
  openSidebar: () => Promise<Page>;
}

export const test = base.extend<ExtensionFixtures>({
  // eslint-disable-next-line no-empty-pattern
  context: async ({}, use) => {
    const context = await launchWithExtension();
    await use(context);
    await context.close();
  },
  serviceWorker: async ({ context }, use) => {
    await use(await serviceWorkerOf(context));
  },
  extensionId: async ({ serviceWorker }, use) => {
    await use(serviceWorker.url().split('/')[2]!);
  },
  openSidebar: async ({ context, extensionId }, use) => {
    await use(async () => {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/sidebar.html`);
      return page;
    });
  },
});

export const expect = test.expect;

/** Read the toolbar badge text from the service worker. */
export function badgeText(sw: Worker): Promise<string> {
  return sw.evaluate(() => chrome.action.getBadgeText({}));
}
