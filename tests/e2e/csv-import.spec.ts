import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/csv');

async function openOptions(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  return page;
}

test('import a RingCentral export: progress, bad rows by line, leads in the queue; the same file again adds nothing', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const options = await openOptions(context, extensionId);
  const section = options.locator('#csv-import');
  await section
    .getByLabel('Call-log CSV file')
    .setInputFiles(path.join(FIXTURES, 'ringcentral-call-log.csv'));
  await expect(section.getByLabel('Format')).toHaveValue('ringcentral');
  await expect(
    section.getByRole('option', { name: 'RingCentral call-log export (detected)' }),
  ).toBeAttached();
  await section.getByRole('button', { name: 'Import' }).click();

  await expect(section.getByRole('progressbar', { name: 'Import progress' })).toHaveAttribute(
    'value',
    '1',
  );
  await expect(section.getByTestId('csv-summary')).toContainText('10 rows read');
  await expect(section.getByTestId('csv-summary')).toContainText('4 missed call(s) added');
  const errors = section.getByRole('list', { name: 'Rows with errors' }).getByRole('listitem');
  await expect(errors).toHaveText([
    'Line 7: "Tue 03/10/2026 13/45/2026" is not a date and time',
    'Line 8: caller number is empty',
    'Line 9: unknown status "Teleported"',
  ]);
  await expect(section.getByText('1 lead(s) closed: the caller got through later')).toBeVisible();

  const download = options.waitForEvent('download');
  await section.getByRole('button', { name: 'Download error report (CSV)' }).click();
  expect((await download).suggestedFilename()).toBe('ringcentral-call-log-errors.csv');

  // Open leads from the file are in the queue; Maria got through at 9:45, so hers is closed.
  const sidebar = await openSidebar();
  const queue = sidebar.getByRole('table', { name: 'Callback queue' });
  await expect(queue.getByRole('row').filter({ hasText: '(415) 555-0143' })).toBeVisible();
  await expect(queue.getByRole('row').filter({ hasText: 'LEE ANN' })).toBeVisible();
  await expect(queue.getByRole('row').filter({ hasText: 'GOMEZ MARIA' })).toHaveCount(0);
  const rowsBefore = await queue.getByRole('row').count();

  await section.getByRole('button', { name: 'Import another file' }).click();
  await section
    .getByLabel('Call-log CSV file')
    .setInputFiles(path.join(FIXTURES, 'ringcentral-call-log.csv'));
  await section.getByRole('button', { name: 'Import' }).click();
  await expect(section.getByTestId('csv-summary')).toContainText(
    '0 missed call(s) added, 5 already known',
  );
  await expect(queue.getByRole('row')).toHaveCount(rowsBefore);
});

test('a file of another shape: the user maps the columns, then it imports', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const options = await openOptions(context, extensionId);
  const section = options.locator('#csv-import');
  await section
    .getByLabel('Call-log CSV file')
    .setInputFiles(path.join(FIXTURES, 'generic-call-list.csv'));
  await expect(section.getByLabel('Format')).toHaveValue('generic');
  // Guessed from the header; the user adds the two it could not guess.
  await expect(section.getByLabel('Caller number')).toHaveValue('0');
  await expect(section.getByLabel('Status / result')).toHaveValue('3');
  await section.getByLabel('Caller name').selectOption({ label: 'Who — e.g. Di Egan' });
  await section.getByLabel('Call id').selectOption({ label: 'Ref — e.g. A-1001' });
  await section.getByRole('button', { name: 'Import' }).click();
  await expect(section.getByTestId('csv-summary')).toContainText('2 missed call(s) added');
  await expect(
    section.getByRole('list', { name: 'Rows with errors' }).getByRole('listitem'),
  ).toHaveText([
    'Line 4: "31/02/2026 10:10 AM" is not a date and time',
    'Line 7: the call is in the future',
  ]);
  const sidebar = await openSidebar();
  await expect(
    sidebar
      .getByRole('table', { name: 'Callback queue' })
      .getByRole('row')
      .filter({ hasText: '(305) 555-0102' }),
  ).toBeVisible();
});
