import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { badgeText, expect, test } from './fixtures';
import { idbAll, PORTAL_URL } from './autoTextKit';
import { allDayFirmSettings, saveFirmSettings } from './kit';
import {
  insertRowInPage,
  RINGCENTRAL_HEADER,
  ringcentralPageHtml,
  ringcentralRowHtml,
  type PortalCall,
} from '../demo/ringcentralMarkup.ts';

declare const chrome: typeof import('wxt/browser').browser;

/** The saved empty call-history page; rows are added the way the live app adds them. */
const EMPTY_PAGE = readFileSync(
  path.resolve('tests/fixtures/portals/ringcentral/empty.html'),
  'utf8',
);

/** Open around the clock in UTC, so a call 20 minutes old is overdue whenever the test runs. */
const FIRM_SETTINGS = allDayFirmSettings({
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 5 },
  practiceAreas: ['Personal injury'],
  sources: ['Website'],
  notifyNewCalls: true,
});

test('a missed call added to the RingCentral page becomes a lead, a badge and a notification — once', async ({
  context,
  serviceWorker: sw,
  openSidebar,
}) => {
  await saveFirmSettings(sw, FIRM_SETTINGS);
  let served = EMPTY_PAGE;
  await context.route('https://app.ringcentral.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: served }),
  );

  const portal = await context.newPage();
  await portal.goto(PORTAL_URL);
  await expect(portal.locator(RINGCENTRAL_HEADER)).toBeVisible();

  // The call ended 20 minutes ago: past the 15-minute limit, so overdue at once.
  const call: PortalCall = {
    id: 'Y2aE2ePortal01',
    name: 'Maria Gonzalez',
    number: '(415) 555-0132',
    at: Date.now() - 20 * 60_000,
    kind: 'missed',
  };
  const row = ringcentralRowHtml(call);
  await portal.evaluate(insertRowInPage, row);

  const sidebar = await openSidebar();
  await expect(sidebar.getByText('(415) 555-0132').first()).toBeVisible();
  await expect(sidebar.getByText('Maria Gonzalez').first()).toBeVisible();

  await expect.poll(() => badgeText(sw)).toBe('1');
  await expect.poll(() => sw.evaluate(() => chrome.action.getTitle({}))).toContain('1 overdue');
  await expect
    .poll(async () => Object.keys(await sw.evaluate(() => chrome.notifications.getAll())))
    .toEqual([expect.stringMatching(/^lead:/)]);

  // The adapter's health is recorded per adapter and site, and shown in the sidebar.
  await expect
    .poll(async () =>
      (await idbAll(sw, 'adapterHealth')).map((h) => [h.id, h.rowsSeen, h.rowsRead]),
    )
    .toEqual([['ringcentral@app.ringcentral.com', 1, 1]]);
  const health = sidebar.getByLabel('Portal capture health');
  await sidebar.getByText('Capture health').click();
  await expect(health).toContainText('RingCentral');
  await expect(health).toContainText('1 rows seen · 1 read');

  // Reload: the page now serves the row itself. Re-reading it adds nothing.
  served = ringcentralPageHtml([call]);
  await portal.reload();
  // The health report follows the capture in the same read, so once the second sighting is
  // counted the re-read call has been handled.
  await expect
    .poll(async () => (await idbAll(sw, 'adapterHealth')).map((h) => h.rowsSeen))
    .toEqual([2]);
  expect(await idbAll(sw, 'leads')).toHaveLength(1);
  expect(await idbAll(sw, 'calls')).toHaveLength(1);
  expect(Object.keys(await sw.evaluate(() => chrome.notifications.getAll()))).toHaveLength(1);
  expect(await badgeText(sw)).toBe('1');
});

test('a RingCentral row read, then hovered (its time swapped for buttons), stays one call with its time, and its news still arrives', async ({
  context,
  serviceWorker: sw,
}) => {
  await saveFirmSettings(sw, FIRM_SETTINGS);
  await context.route('https://app.ringcentral.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: EMPTY_PAGE }),
  );
  const portal = await context.newPage();
  await portal.goto(PORTAL_URL);
  await expect(portal.locator(RINGCENTRAL_HEADER)).toBeVisible();
  await portal.evaluate(
    insertRowInPage,
    ringcentralRowHtml({
      id: 'Y2aE2eHover01',
      name: 'Maria Gonzalez',
      number: '(415) 555-0132',
      at: Date.now() - 20 * 60_000,
      kind: 'missed',
    }),
  );
  await expect.poll(async () => (await idbAll(sw, 'calls')).length).toBe(1);

  // The pointer rests on the row: RingCentral swaps its start time for call/message/more
  // buttons; meanwhile the caller's voicemail lands, so the row now says "Voicemail". The
  // time read before still dates it: the news is sent at once, on the same call.
  await portal.evaluate(() => {
    const row = document.querySelector('[data-id="Y2aE2eHover01"]')!;
    row.querySelector('.time')!.innerHTML = ['call', 'message', 'more']
      .map((b) => `<button data-test-automation-id="calllog-${b}-button">${b}</button>`)
      .join('');
    row.querySelector('.status span')!.textContent = 'Voicemail';
  });
  await expect
    .poll(async () => (await idbAll(sw, 'calls')).map((c) => c.reason))
    .toEqual(['voicemail']);
  // Then a second call arrives, so the page is read again with the row still hovered.
  await portal.evaluate(
    insertRowInPage,
    ringcentralRowHtml({
      id: 'Y2aE2eHover02',
      name: 'Dana Whitfield',
      number: '(212) 555-0199',
      at: Date.now() - 5 * 60_000,
      kind: 'missed',
    }),
  );
  await expect.poll(async () => (await idbAll(sw, 'calls')).length).toBe(2);
  const [health] = await idbAll(sw, 'adapterHealth');
  expect(health).toMatchObject({ selectorMisses: 0 });
  expect((await idbAll(sw, 'leads')).length).toBe(2);
});

/* The dock on a phone portal: the portal's own content script captures and mounts it. */

function missedNow(id: string, name: string, number: string): PortalCall {
  return { id, name, number, at: Date.now() - 20 * 60_000, kind: 'missed' };
}

const openHandle = (page: Page) => page.getByRole('button', { name: 'Open Callback Desk' });
const dockFrame = (page: Page) => page.frameLocator('callback-desk-dock iframe');
const queueRow = (page: Page, text: string) =>
  dockFrame(page)
    .getByRole('table', { name: 'Callback queue' })
    .getByRole('row')
    .filter({ hasText: text });

test.describe('the dock on RingCentral', () => {
  test.beforeEach(async ({ context, serviceWorker: sw }) => {
    await saveFirmSettings(sw, FIRM_SETTINGS);
    await context.route('https://app.ringcentral.com/**', (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: EMPTY_PAGE }),
    );
  });

  test('shows the call just captured from that page, live', async ({ context }) => {
    const portal = await context.newPage();
    await portal.goto(PORTAL_URL);
    await expect(openHandle(portal)).toBeVisible();
    // Closed by default: the sidebar app is not loaded until the user asks for it.
    await expect(portal.locator('callback-desk-dock iframe')).toHaveCount(0);

    await portal.evaluate(
      insertRowInPage,
      ringcentralRowHtml(missedNow('Y2aE2eDock01', 'Maria Gonzalez', '(415) 555-0132')),
    );
    await openHandle(portal).click();
    const row = queueRow(portal, 'Maria Gonzalez');
    await expect(row).toContainText('(415) 555-0132');
    await expect(row).toContainText(/overdue \d+m/);

    // A call arriving while the dock is open appears in it.
    await portal.evaluate(
      insertRowInPage,
      ringcentralRowHtml(missedNow('Y2aE2eDock02', 'Dana Whitfield', '(212) 555-0199')),
    );
    await expect(queueRow(portal, 'Dana Whitfield')).toContainText('(212) 555-0199');

    // Open is remembered for this portal.
    await portal.reload();
    await expect(dockFrame(portal).locator('[data-surface="sidebar"]')).toBeVisible();
  });

  test('"Hide on this site" hides it there; capture goes on', async ({
    context,
    serviceWorker: sw,
  }) => {
    const portal = await context.newPage();
    await portal.goto(PORTAL_URL);
    await openHandle(portal).click();
    await portal.getByRole('button', { name: 'Hide on this site' }).click();
    await expect(portal.locator('callback-desk-dock')).toHaveCount(0);

    await portal.reload();
    await expect(portal.locator(RINGCENTRAL_HEADER)).toBeVisible();
    await portal.evaluate(
      insertRowInPage,
      ringcentralRowHtml(missedNow('Y2aE2eDock03', 'Ana Reyes', '(305) 555-0188')),
    );
    // The script asked about its dock (preferences and styles, both answered locally) as it
    // started, before this row existed: once the row's lead exists, an absent dock means
    // "hidden", not "not yet".
    await expect.poll(async () => (await idbAll(sw, 'leads')).length).toBe(1);
    await expect(portal.locator('callback-desk-dock')).toHaveCount(0);
  });
});

/* The framed sidebar checks who frames it: an app page, directly. */

test.describe('the sidebar refuses to be framed outside the portal apps', () => {
  const refusal = 'Callback Desk only opens inside the CRM and phone-portal pages it supports.';

  test('on a portal’s own origin but outside its app (dialpad.com/pricing)', async ({
    context,
    extensionId,
  }) => {
    // sidebar.html is web-accessible on the whole origin: only the path tells the app apart.
    const sidebar = `chrome-extension://${extensionId}/sidebar.html`;
    await context.route('https://dialpad.com/**', (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><h1>Pricing</h1><iframe referrerpolicy="unsafe-url" src="${sidebar}"></iframe>`,
      }),
    );
    const page = await context.newPage();
    await page.goto('https://dialpad.com/pricing');
    const frame = page.frameLocator('iframe');
    await expect(frame.getByRole('alert')).toHaveText(refusal);
    await expect(frame.locator('[data-surface="sidebar"]')).toHaveCount(0);
  });

  test('two frames deep inside an app page', async ({ context, extensionId }) => {
    const sidebar = `chrome-extension://${extensionId}/sidebar.html`;
    await context.route('https://app.ringcentral.com/**', (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: route.request().url().endsWith('/inner')
          ? `<!doctype html><iframe referrerpolicy="unsafe-url" src="${sidebar}"></iframe>`
          : `<!doctype html><h1>Calls</h1><iframe src="/phone/inner"></iframe>`,
      }),
    );
    const page = await context.newPage();
    await page.goto(PORTAL_URL);
    const inner = page.frameLocator('iframe').frameLocator('iframe');
    await expect(inner.getByRole('alert')).toHaveText(refusal);
  });
});
