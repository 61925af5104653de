import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contextFromHash } from '../../utils/dock/pageContext';
import { chromiumPath, expect, test } from './fixtures';

const FIXTURES = path.resolve('tests/fixtures/crm');
const PAGES = {
  hubspot: readFileSync(path.join(FIXTURES, 'hubspot-contacts.html'), 'utf8'),
  clio: readFileSync(path.join(FIXTURES, 'clio-contacts.html'), 'utf8'),
};
const HOSTS = {
  hubspot: ['app.hubspot.com', 'app-eu1.hubspot.com'],
  clio: ['app.clio.com', 'eu.app.clio.com', 'ca.app.clio.com', 'au.app.clio.com'],
};

/** Serve the saved CRM pages at the real hosts; nothing leaves the machine. */
async function routeCrmSites(context: BrowserContext): Promise<void> {
  for (const [crm, hosts] of Object.entries(HOSTS) as [keyof typeof HOSTS, string[]][]) {
    for (const host of hosts) {
      await context.route(`https://${host}/**`, (route) =>
        route.fulfill({ contentType: 'text/html; charset=utf-8', body: PAGES[crm] }),
      );
    }
  }
}

const openHandle = (page: Page) => page.getByRole('button', { name: 'Open Callback Desk' });
const closeHandle = (page: Page) =>
  page.locator('callback-desk-dock .handle[aria-expanded="true"]');
const sidebarApp = (page: Page) =>
  page.frameLocator('callback-desk-dock iframe').locator('[data-surface="sidebar"]');
const sidebarFrameUrl = (page: Page) =>
  page
    .frames()
    .find((frame) => frame.url().startsWith('chrome-extension://'))
    ?.url() ?? '';

test.beforeEach(async ({ context }) => {
  await routeCrmSites(context);
});

test('the dock shows on HubSpot and Clio, regional hosts included', async ({ context }) => {
  const page = await context.newPage();
  for (const host of [
    'app.hubspot.com',
    'app-eu1.hubspot.com',
    'app.clio.com',
    'eu.app.clio.com',
  ]) {
    await page.goto(`https://${host}/contacts`);
    await expect(openHandle(page), host).toBeVisible();
    // Closed by default: the sidebar app is not loaded until the user asks for it.
    await expect(page.locator('callback-desk-dock iframe'), host).toHaveCount(0);
  }
});

test('the handle opens the sidebar, and open/closed is remembered per site', async ({
  context,
}) => {
  const page = await context.newPage();
  await page.goto('https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list');
  await openHandle(page).click();
  await expect(sidebarApp(page)).toBeVisible();

  await page.reload();
  await expect(sidebarApp(page)).toBeVisible();

  // Another site keeps its own state (closed).
  const clio = await context.newPage();
  await clio.goto('https://app.clio.com/nc/#/contacts');
  await expect(openHandle(clio)).toBeVisible();
  await expect(clio.locator('callback-desk-dock iframe')).toHaveCount(0);

  await closeHandle(page).click();
  await expect(page.locator('callback-desk-dock .panel')).toBeHidden();
  await page.reload();
  await expect(openHandle(page)).toBeVisible();
  await expect(page.locator('callback-desk-dock iframe')).toHaveCount(0);
});

test('"Hide on this site" hides the dock there until shown again from settings', async ({
  context,
  extensionId,
}) => {
  const page = await context.newPage();
  await page.goto('https://app.clio.com/nc/#/contacts');
  await openHandle(page).click();
  await page.getByRole('button', { name: 'Hide on this site' }).click();
  await expect(page.locator('callback-desk-dock')).toHaveCount(0);

  await page.reload();
  // The script on the reloaded page has had as long as a fresh page elsewhere needs to show
  // its dock: once that one is up, an absent dock here means "hidden", not "not yet".
  const other = await context.newPage();
  await other.goto('https://eu.app.clio.com/nc/#/contacts');
  await expect(openHandle(other)).toBeVisible();
  await expect(page.locator('callback-desk-dock')).toHaveCount(0);

  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.getByRole('button', { name: 'Show the dock on app.clio.com again' }).click();
  await expect(
    options.getByText('None: the dock shows on every CRM and phone-portal site.'),
  ).toBeVisible();

  await page.reload();
  await expect(openHandle(page)).toBeVisible();
});

interface LayoutSnapshot {
  bodyHtml: string;
  scroll: { width: number; height: number };
  boxes: Record<string, { x: number; y: number; width: number; height: number } | null>;
}

const LAYOUT_PROBES = {
  hubspot: [
    '#hs-nav-v4',
    '#account-menu',
    '.rail',
    'main',
    '#create-contact',
    '#contacts-table',
    '#contacts-table tbody tr:last-child td:last-child',
    '#help-launcher',
  ],
  clio: ['#clio-nav', '#top-bar', '#user-menu', '#content', '#contact-list', '#timer'],
};

async function layoutOf(page: Page, selectors: string[]): Promise<LayoutSnapshot> {
  return page.evaluate((probes) => {
    const boxes: LayoutSnapshot['boxes'] = {};
    for (const selector of probes) {
      const rect = document.querySelector(selector)?.getBoundingClientRect();
      boxes[selector] = rect
        ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height }
        : null;
    }
    return {
      bodyHtml: document.body.outerHTML,
      scroll: {
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
      },
      boxes,
    };
  }, selectors);
}

test('the host page lays out exactly as without the extension, dock closed or open', async ({
  context,
}) => {
  const plainBrowser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const plainContext = await plainBrowser.newContext({ viewport: { width: 1400, height: 900 } });
    await routeCrmSites(plainContext);
    const plain = await plainContext.newPage();
    const page = await context.newPage();

    for (const [crm, url] of [
      ['hubspot', 'https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list'],
      ['clio', 'https://app.clio.com/nc/#/contacts'],
    ] as const) {
      await plain.goto(url);
      const baseline = await layoutOf(plain, LAYOUT_PROBES[crm]);
      expect(Object.values(baseline.boxes).every(Boolean), `${crm} fixture has every probe`).toBe(
        true,
      );

      await page.goto(url);
      await expect(openHandle(page)).toBeVisible();
      expect(await layoutOf(page, LAYOUT_PROBES[crm]), `${crm}, dock closed`).toEqual(baseline);

      await openHandle(page).click();
      await expect(sidebarApp(page)).toBeVisible();
      expect(await layoutOf(page, LAYOUT_PROBES[crm]), `${crm}, dock open`).toEqual(baseline);
      // The page's own hostile rules (iframe hidden, huge buttons) do not reach into the dock.
      const panel = await page.locator('callback-desk-dock .panel').boundingBox();
      expect(panel?.width).toBe(400);
      expect(panel?.height).toBe(900);
      await closeHandle(page).click();
    }
  } finally {
    await plainBrowser.close();
  }
});

test('the sidebar follows the contact open in the CRM, without adding history', async ({
  context,
}) => {
  const page = await context.newPage();
  await page.goto('https://app.hubspot.com/contacts/8675309/record/0-1/51');
  await openHandle(page).click();
  await expect(sidebarApp(page)).toBeVisible();
  await expect
    .poll(() => contextFromHash(new URL(sidebarFrameUrl(page)).hash))
    .toEqual({ crm: 'hubspot', host: 'app.hubspot.com', contactId: '51' });

  // HubSpot is a single-page app: it changes the URL with pushState.
  const historyLength = await page.evaluate(() => {
    history.pushState({}, '', '/contacts/8675309/record/0-1/52');
    return history.length;
  });
  await expect
    .poll(() => contextFromHash(new URL(sidebarFrameUrl(page)).hash))
    .toEqual({ crm: 'hubspot', host: 'app.hubspot.com', contactId: '52' });
  expect(await page.evaluate(() => history.length)).toBe(historyLength);

  const clio = await context.newPage();
  await clio.goto('https://eu.app.clio.com/nc/#/contacts/1002');
  await openHandle(clio).click();
  await expect(sidebarApp(clio)).toBeVisible();
  await expect
    .poll(() => contextFromHash(new URL(sidebarFrameUrl(clio)).hash))
    .toEqual({ crm: 'clio', host: 'eu.app.clio.com', contactId: '1002' });
});
