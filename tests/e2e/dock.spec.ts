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

/** The CRMs' own controls, fixed-position ones included (HubSpot's help launcher, Clio's timer tab). */
const CONTROLS = {
  hubspot: [
    '#account-menu',
    '#create-contact',
    '#contacts-table th:last-child',
    '#contacts-table tbody tr:last-child td:last-child',
    '#help-launcher',
  ],
  clio: ['#user-menu', '#timer', '#contact-list'],
};

interface Coverage {
  dockLeft: number;
  /** Controls not wholly visible: outside the room the page has, or under something else. */
  covered: string[];
  bodyHtml: string;
}

/** Whether each control is wholly left of the dock and is what a click on it hits. */
async function coverage(page: Page, selectors: string[]): Promise<Coverage> {
  return page.evaluate((probes) => {
    const dock = document.querySelector('callback-desk-dock')?.shadowRoot;
    const parts = [...(dock?.querySelectorAll<HTMLElement>('.handle, .panel') ?? [])];
    const dockLeft = Math.min(
      ...parts
        .map((el) => el.getBoundingClientRect())
        .filter((b) => b.width > 0)
        .map((b) => b.left),
    );
    const covered = probes.filter((selector) => {
      const el = document.querySelector(selector);
      if (!el) return true;
      const box = el.getBoundingClientRect();
      if (box.right > dockLeft + 0.5 || box.width === 0) return true;
      // The centre and four points around it (inside a round launcher too).
      const at = (fx: number, fy: number) =>
        [box.left + box.width * fx, box.top + box.height * fy] as const;
      const points = [at(0.5, 0.5), at(0.2, 0.3), at(0.8, 0.3), at(0.2, 0.7), at(0.8, 0.7)];
      return points.some(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return !hit || !(hit === el || el.contains(hit));
      });
    });
    return { dockLeft, covered, bodyHtml: document.body.innerHTML };
  }, selectors);
}

test('the dock never covers the CRM: the page makes room for it, closed or open', async ({
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
      const baseline = await plain.evaluate(() => document.body.innerHTML);

      await page.goto(url);
      await expect(openHandle(page)).toBeVisible();
      const closed = await coverage(page, CONTROLS[crm]);
      expect(closed.covered, `${crm}, dock closed`).toEqual([]);
      expect(closed.dockLeft, `${crm}: the closed dock is a slim handle`).toBeGreaterThan(1350);
      // The page's own elements are untouched: it only makes room.
      expect(closed.bodyHtml).toBe(baseline);

      await openHandle(page).click();
      await expect(sidebarApp(page)).toBeVisible();
      await page.screenshot({ path: test.info().outputPath(`${crm}-open.png`) });
      const open = await coverage(page, CONTROLS[crm]);
      expect(open.covered, `${crm}, dock open`).toEqual([]);
      // The page's own hostile rules (iframe hidden, huge buttons) do not reach into the dock.
      const panel = await page.locator('callback-desk-dock .panel').boundingBox();
      expect(panel?.width).toBe(400);
      expect(panel?.height).toBe(900);
      await closeHandle(page).click();
      await expect(page.locator('callback-desk-dock .panel')).toBeHidden();
      await expect
        .poll(async () => (await coverage(page, CONTROLS[crm])).dockLeft, `${crm}, closed again`)
        .toBeCloseTo(closed.dockLeft, 0);
      await page.screenshot({ path: test.info().outputPath(`${crm}-closed.png`) });
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
