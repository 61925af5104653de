import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from '@playwright/test';
import type { IncomingCall } from '../../utils/model';
import type { FirmSettings } from '../../utils/settings';
import { badgeText, expect, restartServiceWorker, test } from './fixtures';
import { allDayFirmSettings, noonTimeZone, saveFirmSettings, sendMessage } from './kit';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * The dock is our sidebar page framed inside a CRM tab, a third-party context: this
 * browser (like any with third-party cookies blocked) denies it IndexedDB. These tests put
 * real leads in the database from an extension page and check that the dock shows them,
 * keeps them live and acts on them.
 */

const HUBSPOT_PAGE = readFileSync(path.resolve('tests/fixtures/crm/hubspot-contacts.html'), 'utf8');
const HUBSPOT_URL = 'https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list';
const MINUTE = 60_000;

/** Open around the clock, in a zone where it is about noon now (no midnight gap to hit). */
function openAllDaySettings(): FirmSettings {
  return allDayFirmSettings({
    firmName: 'Whitfield & Cho LLP',
    timeZone: noonTimeZone(),
    sources: ['Website'],
  });
}

function missedCall(minutesAgo: number, from: string, callerName: string): IncomingCall {
  return {
    from,
    startedAt: Date.now() - minutesAgo * MINUTE,
    callerName,
    provider: 'manual',
    capturePath: 'manual',
    source: 'Website',
  };
}

/** An extension page (top level, so it has storage) with the firm's settings saved. */
async function extensionPage(page: Page, extensionId: string): Promise<Page> {
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await saveFirmSettings(page, openAllDaySettings());
  return page;
}

/** Report calls as the manual-entry form does (@webext-core/messaging wire format). */
async function captureCalls(page: Page, calls: IncomingCall[]): Promise<string[]> {
  const reply = await sendMessage<{ added: { leadId: string }[] }>(page, 'captureCalls', calls);
  expect(reply.err).toBeUndefined();
  return reply.res!.added.map((a) => a.leadId);
}

/** HubSpot (the saved page, at its real address) with the dock opened. */
async function hubspotWithDock(page: Page): Promise<FrameLocator> {
  await page.goto(HUBSPOT_URL);
  await page.getByRole('button', { name: 'Open Callback Desk' }).click();
  const dock = page.frameLocator('callback-desk-dock iframe');
  await expect(dock.locator('[data-surface="sidebar"]')).toBeVisible();
  return dock;
}

/** What the dock's own frame gets when it opens IndexedDB itself. */
function dockOwnIndexedDb(page: Page): Promise<string> {
  const frame = page.frames().find((f) => f.url().startsWith('chrome-extension://'));
  if (!frame) throw new Error('The dock frame is not loaded.');
  return frame.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const open = indexedDB.open('callback-desk');
        open.onsuccess = () => {
          open.result.close();
          resolve('opened');
        };
        open.onerror = () => resolve(`${open.error?.name}: ${open.error?.message}`);
      }),
  );
}

const queueRow = (dock: FrameLocator, text: string) =>
  dock.getByRole('table', { name: 'Callback queue' }).getByRole('row').filter({ hasText: text });

test.beforeEach(async ({ context }) => {
  await context.route('https://app.hubspot.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: HUBSPOT_PAGE }),
  );
});

test('the dock shows the real queue and records an attempt, with its own storage blocked', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const extension = await extensionPage(await context.newPage(), extensionId);
  await captureCalls(extension, [missedCall(20, '6175550142', 'Maria Gonzalez')]);
  await expect.poll(() => badgeText(serviceWorker)).toBe('1');

  const page = await context.newPage();
  const dock = await hubspotWithDock(page);
  // The situation this covers: the browser refuses the framed page a database of its own.
  expect(await dockOwnIndexedDb(page)).toMatch(/^UnknownError/);

  const row = queueRow(dock, 'Maria Gonzalez');
  await expect(row).toContainText('(617) 555-0142');
  await expect(row).toContainText(/overdue \d+m/);
  await expect(dock.locator('.counts')).toHaveText('1 open · 1 overdue');

  await row.click();
  const detail = dock.getByRole('region', { name: 'Maria Gonzalez' });
  await expect(detail.getByRole('region', { name: 'Missed calls' })).toContainText('added by hand');
  const attempt = detail.getByRole('form', { name: 'Record an attempt' });
  await attempt.getByLabel('Outcome').selectOption({ label: 'Consultation booked' });
  await attempt.getByRole('button', { name: 'Save and close lead' }).click();
  await expect(detail.getByRole('region', { name: 'Attempts and notes' })).toContainText(
    'Call · Consultation booked',
  );
  await expect(detail.getByRole('button', { name: 'Reopen' })).toBeVisible();
  await expect.poll(() => badgeText(serviceWorker)).toBe('');

  await detail.getByRole('button', { name: 'Queue' }).click();
  await expect(dock.getByRole('heading', { name: 'No callbacks waiting' })).toBeVisible();
  await expect(dock.locator('.counts')).toHaveText('0 open · 0 overdue');
});

test('the dock stays live across a service worker restart', async ({ context, extensionId }) => {
  const extension = await extensionPage(await context.newPage(), extensionId);
  await captureCalls(extension, [missedCall(3, '2125550199', 'Dana Whitfield')]);

  const page = await context.newPage();
  const dock = await hubspotWithDock(page);
  await expect(queueRow(dock, 'Dana Whitfield')).toContainText('(212) 555-0199');

  // MV3 stops the worker at will; the dock's subscription goes with it.
  await restartServiceWorker(context, extension);
  await captureCalls(extension, [missedCall(1, '3055550188', 'Ana Reyes')]);
  await expect(queueRow(dock, 'Ana Reyes')).toContainText('(305) 555-0188');
  await expect(dock.locator('.counts')).toHaveText('2 open · 0 overdue');

  // Twice over, to be sure reconnecting is not a one-off.
  await restartServiceWorker(context, extension);
  await captureCalls(extension, [missedCall(1, '6465550123', 'Luis Ortega')]);
  await expect(queueRow(dock, 'Luis Ortega')).toContainText('(646) 555-0123');
});

test('a notification click opens its lead in an open dock', async ({ context, extensionId }) => {
  const extension = await extensionPage(await context.newPage(), extensionId);
  const [leadId] = await captureCalls(extension, [
    missedCall(2, '6175550142', 'Maria Gonzalez'),
    missedCall(4, '2125550199', 'Dana Whitfield'),
  ]);

  const page = await context.newPage();
  const dock = await hubspotWithDock(page);
  await expect(queueRow(dock, 'Dana Whitfield')).toBeVisible();

  // What the background stores on a notification click (utils/queue/alerts.ts openLead).
  await extension.evaluate(
    (leadId) => chrome.storage.local.set({ focusLead: { leadId, at: Date.now() } }),
    leadId!,
  );
  await expect(
    dock.getByRole('region', { name: 'Maria Gonzalez' }).getByRole('heading', {
      name: 'Maria Gonzalez',
    }),
  ).toBeVisible();
});
