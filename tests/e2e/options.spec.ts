import type { Page, Worker } from '@playwright/test';
import { badgeText, expect, test } from './fixtures';

declare const chrome: typeof import('wxt/browser').browser;

/** What the options page stored (undefined until the first save). */
function storedSettings(sw: Worker) {
  return sw.evaluate(
    async () => (await chrome.storage.local.get('firmSettings')).firmSettings,
  ) as Promise<Record<string, unknown> | undefined>;
}

async function openOptions(page: Page, extensionId: string) {
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await expect(page.getByRole('heading', { name: 'Firm and business hours' })).toBeVisible();
}

const firm = (page: Page) => page.getByRole('region', { name: 'Firm and business hours' });

test('invalid hours and windows get clear errors and nothing is saved', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await context.newPage();
  await openOptions(page, extensionId);
  const section = firm(page);

  await section.getByLabel('Limit (overdue after)').fill('3');
  await section.getByLabel('Tuesday closes').fill('08:00');
  await section.getByRole('button', { name: 'Save' }).click();

  await expect(section.getByText('Limit must be at least the target.')).toBeVisible();
  await expect(section.getByText('Opening must be before closing.')).toBeVisible();
  await expect(section.getByRole('status').first()).toHaveText(
    'Nothing was saved: fix the fields marked in red.',
  );
  await expect(section.getByLabel('Limit (overdue after)')).toHaveAttribute('aria-invalid', 'true');
  expect(await storedSettings(serviceWorker)).toBeUndefined();

  // Fixing one field clears its error; the other still blocks the save.
  await section.getByLabel('Limit (overdue after)').fill('20');
  await expect(section.getByText('Limit must be at least the target.')).toBeHidden();
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByText('Opening must be before closing.')).toBeVisible();
  expect(await storedSettings(serviceWorker)).toBeUndefined();
});

test('valid hours, holidays and windows persist across a reload', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await context.newPage();
  await openOptions(page, extensionId);
  const section = firm(page);

  await section.getByLabel('Target').fill('3');
  await section.getByLabel('Limit (overdue after)').fill('10');
  await section.getByRole('group', { name: 'Friday' }).getByRole('checkbox').uncheck();
  await section.getByRole('group', { name: 'Saturday' }).getByRole('checkbox').check();
  await section.getByLabel('Saturday closes').fill('12:00');
  await section.getByLabel('Holiday date').fill('2026-12-24');
  await section.getByRole('button', { name: 'Add holiday' }).click();
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('status').first()).toHaveText('Saved.');

  await expect
    .poll(() => storedSettings(serviceWorker))
    .toMatchObject({
      sla: { targetMinutes: 3, limitMinutes: 10, afterHoursMinutes: 60 },
      holidays: ['2026-12-24'],
    });
  const stored = (await storedSettings(serviceWorker))!;
  expect((stored.weeklyHours as unknown[])[5]).toEqual([]);
  expect((stored.weeklyHours as unknown[])[6]).toEqual([{ open: '09:00', close: '12:00' }]);

  await page.reload();
  await expect(section.getByLabel('Target')).toHaveValue('3');
  await expect(section.getByLabel('Limit (overdue after)')).toHaveValue('10');
  await expect(section.getByRole('group', { name: 'Friday' }).getByText('Closed')).toBeVisible();
  await expect(section.getByLabel('Saturday closes')).toHaveValue('12:00');
  await expect(section.getByRole('list', { name: 'Holidays' })).toContainText('Dec 24, 2026');
});

test('a source rule needs a real phone number and shows its normalised form', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await context.newPage();
  await openOptions(page, extensionId);
  const section = page.getByRole('region', { name: 'Sources and practice areas' });

  await section.getByRole('button', { name: '+ Add rule' }).click();
  const rule = section.getByRole('listitem', { name: 'Rule 1' });
  await rule.getByLabel('Dialled line').fill('555-01');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(rule.getByText('Not a phone number, e.g. (800) 555-0100.')).toBeVisible();
  expect(await storedSettings(serviceWorker)).toBeUndefined();

  await rule.getByLabel('Dialled line').fill('800.555.0142');
  await expect(rule.getByText('Matches +18005550142 ((800) 555-0142)')).toBeVisible();
  await rule.getByLabel('Source', { exact: true }).selectOption('Google Ads – PI');
  await rule.getByLabel('Practice area').selectOption('Personal injury');
  await rule.getByLabel('Priority source').check();
  await rule.getByLabel('Target').fill('2');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('status').first()).toHaveText('Saved.');
  await expect
    .poll(async () => (await storedSettings(serviceWorker))?.sourceRules)
    .toMatchObject([
      {
        line: '+18005550142',
        source: 'Google Ads – PI',
        practiceArea: 'Personal injury',
        priority: true,
        sla: { targetMinutes: 2 },
      },
    ]);
});

test('sample data fills the queue and the badge; deleting it empties both', async ({
  context,
  extensionId,
  serviceWorker,
  openSidebar,
}) => {
  const page = await context.newPage();
  await openOptions(page, extensionId);
  const sample = page.getByRole('region', { name: 'Sample data' });

  await sample.getByRole('button', { name: 'Load sample data' }).click();
  await expect(sample.getByRole('status')).toContainText('Loaded 50 sample leads');
  await expect(sample.getByText('50 sample leads stored.')).toBeVisible();
  // Some sample leads are overdue whatever the day and time the test runs.
  await expect.poll(() => badgeText(serviceWorker)).toMatch(/^[1-9]\d*$/);

  const sidebar = await openSidebar();
  const rows = sidebar.getByRole('table', { name: 'Callback queue' }).getByRole('row');
  await expect.poll(() => rows.count()).toBeGreaterThan(5);

  await page.bringToFront();
  await sample.getByRole('button', { name: 'Delete sample data' }).click();
  await expect(sample.getByRole('status')).toContainText('Deleted 50 sample leads');
  await expect(sidebar.getByRole('heading', { name: 'No callbacks waiting' })).toBeVisible();
  await expect.poll(() => badgeText(serviceWorker)).toBe('');
});

test('after changing the windows, open leads can be moved to the new due times', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await context.newPage();
  await openOptions(page, extensionId);
  await page.getByRole('button', { name: 'Load sample data' }).click();
  await expect(page.getByText('50 sample leads stored.')).toBeVisible();
  await expect.poll(() => badgeText(serviceWorker)).toMatch(/^[1-9]\d*$/);

  // A day-long limit and after-hours window: untried sample leads are no longer overdue.
  const section = firm(page);
  await section.getByLabel('Limit (overdue after)').fill('1440');
  await section.getByLabel('After hours: within').fill('1440');
  const recompute = section.getByRole('button', { name: 'Recompute due times of open leads' });
  await expect(recompute).toBeDisabled();
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('status').last()).toHaveText('Saved.');
  const before = Number(await badgeText(serviceWorker));

  await recompute.click();
  await expect(
    section.getByText(/^Updated the due times of [1-9]\d* open leads?\.$/),
  ).toBeVisible();
  await expect.poll(async () => Number(await badgeText(serviceWorker))).toBeLessThan(before);
});

test('first look: no portal is captured before one is named; the dock section is a settings card', async ({
  context,
  extensionId,
}) => {
  const page = await context.newPage();
  await openOptions(page, extensionId);

  const custom = page.getByRole('region', { name: 'Custom phone portal' });
  const capture = custom.getByRole('checkbox', { name: 'Capture from this portal' });
  await expect(capture).not.toBeChecked();
  await expect(capture).toBeDisabled();
  await expect(custom.getByText('Enter the portal’s address (host) below first.')).toBeVisible();
  await custom.getByLabel('Portal host').fill('portal.example-voip.com');
  await expect(capture).toBeEnabled();
  await expect(capture).not.toBeChecked();

  // The last section looks like every other one: a card with a heading and a description.
  const dock = page.getByRole('region', { name: 'Dock on CRM pages' });
  const firmCard = await firm(page).evaluate((el) => getComputedStyle(el).borderRadius);
  await expect(dock).toHaveCSS('border-radius', firmCard);
  await expect(dock).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  await expect(
    dock.getByText('None: the dock shows on every CRM and phone-portal site.'),
  ).toBeVisible();
  await dock.screenshot({ path: test.info().outputPath('dock-section.png') });
  await custom.screenshot({ path: test.info().outputPath('custom-portal.png') });
});
