import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/csv');

/**
 * The fixtures' calls were made on 03/10/2026; a live import only queues calls from the last
 * 90 days, so the file is handed over with that day moved to two days ago.
 */
const CALL_DAY = (() => {
  const d = new Date(Date.now() - 2 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${d.getFullYear()}`;
})();
function recent(name: string) {
  const text = readFileSync(path.join(FIXTURES, name), 'utf8').replaceAll('03/10/2026', CALL_DAY);
  return { name, mimeType: 'text/csv', buffer: Buffer.from(text) };
}

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
  await section.getByLabel('Call-log CSV file').setInputFiles(recent('ringcentral-call-log.csv'));
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
    `Line 7: "Tue ${CALL_DAY} 13/45/2026" is not a date and time`,
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
  await section.getByLabel('Call-log CSV file').setInputFiles(recent('ringcentral-call-log.csv'));
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
  await section.getByLabel('Call-log CSV file').setInputFiles(recent('generic-call-list.csv'));
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

test('rows a person would question: 1970 is refused with its reason, old history stays out of the queue, a long name is shortened and listed', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const DAY = 86_400_000;
  const longName = `Maria ${'Gomez '.repeat(25)}Lopez`;
  const text = [
    'Caller,When,Who,Outcome,Ref',
    '(305) 555-0111,1970-01-01T12:00:00Z,,missed,E-1',
    `(305) 555-0112,${new Date(Date.now() - 200 * DAY).toISOString()},Old Caller,missed,E-2`,
    `(305) 555-0113,${new Date(Date.now() - 3_600_000).toISOString()},${longName},missed,E-3`,
    `${'5'.repeat(70)},${new Date(Date.now() - 3_600_000).toISOString()},,missed,E-4`,
  ].join('\n');
  const options = await openOptions(context, extensionId);
  const section = options.locator('#csv-import');
  await section
    .getByLabel('Call-log CSV file')
    .setInputFiles({ name: 'odd-rows.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await section.getByLabel('Caller name').selectOption({ label: 'Who' });
  await section.getByLabel('Call id').selectOption({ label: 'Ref — e.g. E-1' });
  await section.getByRole('button', { name: 'Import' }).click();
  await expect(section.getByTestId('csv-summary')).toContainText('1 missed call(s) added');
  await expect(
    section.getByRole('list', { name: 'Rows with errors' }).getByRole('listitem'),
  ).toHaveText([
    /^Line 2: the call is dated (31 Dec 1969|1 Jan 1970), more than 2 years ago$/,
    'Line 5: caller number is too long (at most 64 characters)',
  ]);
  await expect(
    section.getByText('1 missed call(s) older than 90 days kept as history (not queued)'),
  ).toBeVisible();
  await section.getByText('1 row(s) imported with a change').click();
  await expect(
    section.getByRole('list', { name: 'Rows imported with a change' }).getByRole('listitem'),
  ).toHaveText(['Line 4: caller name shortened to 120 characters']);
  await expect(section.getByText(/expected|Too big|received/)).toHaveCount(0);

  const sidebar = await openSidebar();
  const queue = sidebar.getByRole('table', { name: 'Callback queue' });
  await expect(queue.getByRole('row').filter({ hasText: '(305) 555-0113' })).toBeVisible();
  await expect(queue.getByRole('row').filter({ hasText: /overdue \d{3,}d/ })).toHaveCount(0);
  await expect(queue.getByRole('row').filter({ hasText: 'Old Caller' })).toHaveCount(0);
});
