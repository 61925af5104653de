import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * The metrics dashboard on the built extension: the sample week drives every figure, the
 * date range and filters live in the URL (Back/Forward), tables export as CSV a spreadsheet
 * parser reads (formulas neutralised), and the weekly review prints.
 */

async function loadSampleData(context: BrowserContext, extensionId: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const sample = page.getByRole('region', { name: 'Sample data' });
  await sample.getByRole('button', { name: 'Load sample data' }).click();
  await expect(sample.getByRole('status')).toContainText('Loaded 50 sample leads');
  await page.close();
}

async function openDashboard(context: BrowserContext, extensionId: string, search = '') {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/dashboard.html${search}`);
  return page;
}

/** The headline figure, once the worker's figures are on the page. */
async function figure(page: Page, name: string): Promise<string> {
  const cell = page.locator(`.dashboard-figures[aria-busy="false"] [data-figure="${name}"]`);
  await expect(cell).toBeVisible();
  return (await cell.textContent())!.trim();
}

function send(page: Page, type: string, data: unknown) {
  return page.evaluate(
    ([type, data]) =>
      chrome.runtime.sendMessage({
        id: Math.floor(Math.random() * 1e9),
        type,
        data,
        timestamp: Date.now(),
      }),
    [type, data] as const,
  ) as Promise<{ res?: { added: unknown[] }; err?: unknown }>;
}

test('the dashboard shows the sample week; range and filters change the figures and the URL, Back restores them', async ({
  context,
  extensionId,
}) => {
  await loadSampleData(context, extensionId);
  const page = await openDashboard(context, extensionId);

  await expect(page).toHaveURL(/\?range=7d$/);
  const weekMissed = Number(await figure(page, 'missed'));
  expect(weekMissed).toBeGreaterThan(20);
  // Charts are labelled and each has its table and definition.
  await expect(page.getByRole('img', { name: /^Missed calls per day/ })).toBeVisible();
  await expect(
    page.getByRole('img', { name: /^Missed calls by hour of day and weekday/ }),
  ).toBeVisible();
  await expect(page.getByRole('table', { name: 'Missed calls per day' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Per source' })).toBeVisible();
  const missedSection = page.getByRole('region', { name: 'Missed calls per day' });
  await missedSection.getByText('How “Spikes” is counted').click();
  await expect(missedSection.getByText(/previous 4 weeks/)).toBeVisible();
  // The sample's calls are added by hand: that path cannot see answered calls, so no rate.
  await expect(page.locator('[data-figure="missedRate"]')).toContainText('Not known');
  await expect(missedSection.getByRole('note')).toContainText('Added by hand');

  await page.getByText('Today', { exact: true }).click();
  await expect(page.getByRole('radio', { name: 'Today' })).toBeChecked();
  await expect(page).toHaveURL(/\?range=today$/);
  await expect.poll(() => figure(page, 'missed').then(Number)).toBeLessThan(weekMissed);

  await page.getByText('Last 7 days', { exact: true }).click();
  await expect.poll(() => figure(page, 'missed').then(Number)).toBe(weekMissed);
  const source = page.getByRole('combobox', { name: 'Source' });
  const sourceName = await page
    .getByRole('table', { name: 'Per source' })
    .locator('tbody tr')
    .first()
    .locator('td')
    .first()
    .textContent();
  await source.selectOption(sourceName!);
  await expect.poll(() => new URL(page.url()).searchParams.get('source')).toBe(sourceName);
  await expect.poll(() => figure(page, 'missed').then(Number)).toBeLessThan(weekMissed);
  const sourceMissed = Number(await figure(page, 'missed'));
  expect(sourceMissed).toBeGreaterThan(0);

  // Back: the whole week again; Forward: the source again. A bookmark opens the same view.
  await page.goBack();
  await expect(page).toHaveURL(/\?range=7d$/);
  await expect.poll(() => figure(page, 'missed').then(Number)).toBe(weekMissed);
  await expect(source).toHaveValue('');
  await page.goForward();
  await expect(source).toHaveValue(sourceName!);
  await expect.poll(() => figure(page, 'missed').then(Number)).toBe(sourceMissed);
  const bookmarked = await openDashboard(context, extensionId, new URL(page.url()).search);
  await expect(bookmarked.getByRole('combobox', { name: 'Source' })).toHaveValue(sourceName!);
  await expect.poll(() => figure(bookmarked, 'missed').then(Number)).toBe(sourceMissed);
});

test('CSV export downloads rows a spreadsheet parser reads, with a formula-like source neutralised', async ({
  context,
  extensionId,
}) => {
  const hostile = '=HYPERLINK("http://evil.example/steal","Click")';
  const page = await openDashboard(context, extensionId);
  const reply = await send(page, 'captureCalls', [
    {
      from: '+1 212 555 0143',
      startedAt: Date.now() - 30 * 60_000,
      provider: 'manual',
      capturePath: 'manual',
      source: hostile,
      reason: 'no-answer',
    },
    {
      from: '+1 312 555 0177',
      startedAt: Date.now() - 20 * 60_000,
      provider: 'manual',
      capturePath: 'manual',
      source: 'Referral',
      reason: 'voicemail',
    },
  ]);
  expect(reply.res?.added).toHaveLength(2);
  await page.reload();
  expect(await figure(page, 'missed')).toBe('2');

  const table = page.getByRole('table', { name: 'Per source' });
  // Shown as text, never as a link or markup.
  await expect(table.getByRole('cell', { name: hostile })).toBeVisible();
  await expect(page.locator('a[href*="evil.example"]')).toHaveCount(0);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV: Per source' }).click();
  const file = await (await download).path();
  const parsed = Papa.parse<Record<string, string>>(await readFile(file, 'utf8'), {
    header: true,
    skipEmptyLines: true,
  });
  expect(parsed.errors).toEqual([]);
  expect(parsed.meta.fields).toContain('Missed calls');
  const bySource = Object.fromEntries(parsed.data.map((row) => [row.Source, row]));
  expect(Object.keys(bySource).sort()).toEqual([`'${hostile}`, 'Referral'].sort());
  expect(bySource[`'${hostile}`]!['Missed calls']).toBe('1');
  expect(bySource.Referral!['Missed calls']).toBe('1');

  // The rows behind the figures, one per lead: no caller number, the source neutralised.
  const leadsDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export leads as CSV' }).click();
  const leadsFile = await readFile(await (await leadsDownload).path(), 'utf8');
  expect(leadsFile).not.toContain('555');
  const leads = Papa.parse<Record<string, string>>(leadsFile, {
    header: true,
    skipEmptyLines: true,
  });
  expect(leads.errors).toEqual([]);
  expect(leads.data.map((row) => row.Source).sort()).toEqual([`'${hostile}`, 'Referral'].sort());
  expect(leads.data.every((row) => row.Callback === 'waiting')).toBe(true);
});

test('the weekly review renders, copies as an email and prints', async ({
  context,
  extensionId,
}) => {
  await loadSampleData(context, extensionId);
  const page = await openDashboard(context, extensionId, '?view=weekly');
  await expect(page.getByRole('heading', { name: 'Weekly review', level: 1 })).toBeVisible();
  const figures = page.getByRole('table', { name: 'Last week against the 4 weeks before' });
  await expect(figures).toBeVisible();
  await expect(figures.getByRole('row')).not.toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Sources to look at' })).toBeVisible();

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy as email' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  const email = await page.evaluate(() => navigator.clipboard.readText());
  expect(email).toMatch(/^Subject: /);

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await expect(figures).toBeVisible();
  const pdf = await page.pdf({ format: 'A4' });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(5_000);

  // The figures page links to it and back.
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('link', { name: 'Figures' }).click();
  await expect(page).toHaveURL(/\?range=7d$/);
  await page.goBack();
  await expect(figures).toBeVisible();
});

test('the weekly reminder is set on the review page; the toolbar menu opens the dashboard; the sidebar shows today', async ({
  context,
  extensionId,
  serviceWorker,
  openSidebar,
}) => {
  const page = await openDashboard(context, extensionId, '?view=weekly');
  await page.getByLabel('Reminder day').selectOption('Friday');
  await page.getByLabel('at', { exact: true }).fill('16:30');
  await page.getByRole('checkbox', { name: 'Remind me every' }).check();
  await expect(page.getByText('Reminder set: every Friday at 16:30.')).toBeVisible();
  const alarm = () =>
    serviceWorker.evaluate(async () => (await chrome.alarms.get('weekly-review'))?.scheduledTime);
  await expect.poll(alarm).toBeGreaterThan(Date.now());
  const when = new Date((await alarm())!);
  const local = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(when);
  expect(local).toBe('Friday 16:30');
  await page.getByRole('checkbox', { name: 'Remind me every' }).uncheck();
  await expect.poll(alarm).toBeUndefined();

  // The action's menu item exists (updating a missing item fails).
  const menuItem = await serviceWorker.evaluate(() =>
    chrome.contextMenus.update('open-dashboard', {}).then(
      () => 'present',
      (error: Error) => error.message,
    ),
  );
  expect(menuItem).toBe('present');

  await loadSampleData(context, extensionId);
  const sidebar = await openSidebar();
  const strip = sidebar.getByRole('group', { name: 'Today’s figures' });
  await expect(strip).toContainText(/Today: \d+ missed/);
  await expect(strip).toContainText(/\d+ of \d+ called back within 15 min/);
  await expect(strip).toContainText(/\d+ overdue now/);
  // A new missed call shows at once (the strip is a live query).
  const before = Number(await strip.locator('[data-strip="missed"]').textContent());
  const reply = await send(sidebar, 'captureCalls', [
    {
      from: '+1 415 555 0188',
      startedAt: Date.now() - 60_000,
      provider: 'manual',
      capturePath: 'manual',
      reason: 'no-answer',
    },
  ]);
  expect(reply.res?.added).toHaveLength(1);
  await expect(strip.locator('[data-strip="missed"]')).toHaveText(String(before + 1));
  const dashboardLink = sidebar.getByRole('link', { name: 'Dashboard' });
  await expect(dashboardLink).toHaveAttribute(
    'href',
    `chrome-extension://${extensionId}/dashboard.html`,
  );
});
