import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * Adversarial review of the dashboard (issue 10): an empty database, a garbage link and
 * hostile caller-supplied names never show NaN/Infinity/undefined, crash, or run as markup.
 */

async function openDashboard(context: BrowserContext, extensionId: string, search = '') {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`chrome-extension://${extensionId}/dashboard.html${search}`);
  return { page, errors };
}

async function figuresShown(page: Page) {
  await expect(page.locator('.dashboard-figures[aria-busy="false"]')).toBeVisible();
}

function expectNoBrokenNumbers(text: string) {
  for (const bad of ['NaN', 'Infinity', 'undefined', 'null']) expect(text).not.toContain(bad);
}

test('an empty database: every figure says there is no data, never NaN, Infinity or undefined', async ({
  context,
  extensionId,
}) => {
  for (const search of [
    '',
    '?range=today',
    '?range=4w',
    '?range=custom&from=2020-01-01&to=2020-12-31',
  ]) {
    const { page, errors } = await openDashboard(context, extensionId, search);
    await figuresShown(page);
    expectNoBrokenNumbers(await page.locator('body').innerText());
    expect(errors).toEqual([]);
    await page.close();
  }
  const { page, errors } = await openDashboard(context, extensionId, '?view=weekly');
  await expect(page.getByRole('heading', { name: 'Weekly review', level: 1 })).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  expectNoBrokenNumbers(await page.locator('body').innerText());
  expect(errors).toEqual([]);
});

test('a garbage link falls back to the default view, shown in the URL', async ({
  context,
  extensionId,
}) => {
  const { page, errors } = await openDashboard(
    context,
    extensionId,
    '?range=../..&staff=%00&source=%1B&path=../../etc&from=9999-99-99',
  );
  await figuresShown(page);
  expect(new URL(page.url()).search).toBe('?range=7d');
  await expect(page.getByRole('radio', { name: 'Last 7 days' })).toBeChecked();
  expectNoBrokenNumbers(await page.locator('body').innerText());
  expect(errors).toEqual([]);
});

test('hostile source and caller names stay text in the charts and tables', async ({
  context,
  extensionId,
}) => {
  const hostile = '<img src=x onerror="window.__pwned=1">';
  const { page } = await openDashboard(context, extensionId);
  const reply = (await page.evaluate(
    (data) =>
      chrome.runtime.sendMessage({
        id: Math.floor(Math.random() * 1e9),
        type: 'captureCalls',
        data,
        timestamp: Date.now(),
      }),
    [
      {
        from: '+1 212 555 0143',
        startedAt: Date.now() - 30 * 60_000,
        provider: 'manual',
        capturePath: 'manual',
        source: hostile,
        callerName: hostile,
        reason: 'no-answer',
      },
    ],
  )) as { res?: { added: unknown[] } };
  expect(reply.res?.added).toHaveLength(1);
  await page.reload();
  await figuresShown(page);
  const table = page.getByRole('table', { name: 'Per source' });
  await expect(table.getByRole('cell', { name: hostile })).toBeVisible();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(
    await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
  ).toBeUndefined();
  expectNoBrokenNumbers(await page.locator('body').innerText());
});
