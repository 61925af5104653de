import type { Page } from '@playwright/test';
import { badgeText, expect, test } from './fixtures';
import { allDayFirmSettings, saveFirmSettings, submitAddCall } from './kit';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * A complete, valid FirmSettings value. Open around the clock in UTC so a call's due times
 * do not depend on when the test runs; the after-hours window is short so that a call in
 * the one closed minute before midnight is overdue just as fast.
 */
const FIRM_SETTINGS = allDayFirmSettings({
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 5 },
  practiceAreas: ['Personal injury', 'Criminal defense', 'Family law'],
  sources: ['Google Ads – PI', 'Website', 'Referral'],
  staff: [
    { id: 'maria', name: 'Maria Lopez' },
    { id: 'sam', name: 'Sam Carter' },
  ],
  currentStaffId: 'maria',
});

/** Save the firm settings and wait until the sidebar shows the firm's name. */
async function saveSettingsAndWait(page: Page) {
  await saveFirmSettings(page, FIRM_SETTINGS);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(FIRM_SETTINGS.firmName);
}

/** datetime-local value for `minutesAgo` in UTC (the test firm's zone). */
function utcInputValue(minutesAgo: number): string {
  return new Date(Date.now() - minutesAgo * 60_000).toISOString().slice(0, 16);
}

const queue = (page: Page) => page.getByRole('table', { name: 'Callback queue' });
const queueRow = (page: Page, text: string | RegExp) =>
  queue(page).getByRole('row').filter({ hasText: text });

test('a call added by hand shows at once, with its formatted number and source', async ({
  openSidebar,
}) => {
  const page = await openSidebar();
  await expect(page.getByRole('heading', { name: 'No callbacks waiting' })).toBeVisible();
  await saveSettingsAndWait(page);

  await submitAddCall(page, {
    from: '212-555-0147',
    name: 'Dana Whitfield',
    source: 'Google Ads – PI',
    practiceArea: 'Personal injury',
  });

  const row = queueRow(page, 'Dana Whitfield');
  await expect(row).toBeVisible();
  await expect(row).toContainText('(212) 555-0147');
  await expect(row).toContainText('Google Ads – PI');
  await expect(row).toContainText('Personal injury');
  await expect(row).toContainText(/due in \d+m/);
  await expect(page.getByRole('status').filter({ hasText: 'Added' })).toBeVisible();
  await expect(page.locator('.counts')).toHaveText('1 open · 0 overdue');

  // The same caller again a moment later is the same call seen twice.
  const form = await submitAddCall(page, { from: '(212) 555-0147' });
  await expect(form.getByRole('alert')).toHaveText(
    'Already in the queue (same caller within 2 minutes).',
  );
  await expect(queue(page).getByRole('row')).toHaveCount(2); // header + one lead
});

test('bad manual input gets field errors; an uncallable number is kept and flagged', async ({
  openSidebar,
}) => {
  const page = await openSidebar();
  await saveSettingsAndWait(page);

  // Nothing typed: the form says what is missing and stores nothing.
  const form = await submitAddCall(page, { from: '' });
  await expect(form.getByText('Enter the number that called')).toBeVisible();
  await expect(form.getByLabel('Number')).toHaveAttribute('aria-invalid', 'true');

  // A time in the future is refused next to the field.
  await form.getByLabel('Number').fill('212-555-0199');
  await form.getByLabel(/^When/).fill(utcInputValue(-120));
  await form.getByRole('button', { name: 'Add to queue' }).click();
  await expect(form.getByText('That time is in the future.')).toBeVisible();
  await expect(queue(page)).toHaveCount(0);

  // A malformed number is warned about, then kept as a lead with no callback number.
  await form.getByRole('button', { name: 'Now' }).click();
  await form.getByLabel('Number').fill('12');
  await expect(form.getByText('"12" is not a callable number')).toBeVisible();
  await form.getByLabel('Caller name').fill('Front desk note');
  await form.getByRole('button', { name: 'Add to queue' }).click();
  const row = queueRow(page, 'Front desk note');
  await expect(row).toContainText('No callback number');
  await expect(page.getByRole('status').filter({ hasText: 'not a callable number' })).toBeVisible();

  // Its detail offers nothing to dial.
  await row.click();
  await expect(page.getByText('No number to call back')).toBeVisible();
  await expect(page.locator('a[href^="tel:"]')).toHaveCount(0);
});

test('open a lead, record a closing attempt, and it leaves the queue', async ({ openSidebar }) => {
  const page = await openSidebar();
  await saveSettingsAndWait(page);
  await submitAddCall(page, { from: '+1 (646) 555-0123', name: 'Luis Ortega', source: 'Referral' });

  // Keyboard: focus the row and press Enter.
  const row = queueRow(page, 'Luis Ortega');
  await row.focus();
  await page.keyboard.press('Enter');

  const detail = page.getByRole('region', { name: 'Luis Ortega' });
  await expect(detail.getByRole('heading', { name: 'Luis Ortega' })).toBeFocused();
  await expect(detail.getByRole('link', { name: '+16465550123' })).toHaveAttribute(
    'href',
    'tel:+16465550123',
  );
  await expect(detail.getByLabel('Source')).toHaveValue('Referral');
  const calls = detail.getByRole('region', { name: 'Missed calls' });
  await expect(calls).toContainText('No answer');
  await expect(calls).toContainText('added by hand');

  // Claim, then tag the practice area: both are saved by the background.
  await detail.getByRole('button', { name: 'Claim' }).click();
  await expect(detail.getByLabel('Assignee')).toHaveValue('maria');
  await expect(detail.locator('.lead-head')).toContainText('Claimed');
  await detail.getByLabel('Practice area').selectOption('Family law');
  await expect(detail.getByLabel('Practice area')).toHaveValue('Family law');

  const attempt = detail.getByRole('form', { name: 'Record an attempt' });
  await expect(attempt).toContainText('Step 1 of 3: call now');
  // No outcome chosen: nothing is saved.
  await attempt.getByRole('button', { name: 'Save attempt' }).click();
  await expect(attempt.getByText('Choose how the attempt went.')).toBeVisible();

  await attempt.getByLabel('Outcome').selectOption({ label: 'Consultation booked' });
  await expect(attempt.getByLabel('Close the lead')).toBeChecked();
  await attempt.getByLabel('Notes').fill('Rear-ended on I-95; consult Thursday 10am.');
  await attempt.getByRole('button', { name: 'Save and close lead' }).click();

  await expect(detail.getByRole('status').filter({ hasText: 'lead closed' })).toBeVisible();
  const history = detail.getByRole('region', { name: 'Attempts and notes' });
  await expect(history).toContainText('Call · Consultation booked');
  await expect(history).toContainText('Rear-ended on I-95; consult Thursday 10am.');
  await expect(history).toContainText('by Maria Lopez');
  await expect(detail.getByRole('button', { name: 'Reopen' })).toBeVisible();

  await detail.getByRole('button', { name: 'Queue' }).click();
  await expect(page.getByRole('heading', { name: 'No callbacks waiting' })).toBeVisible();
  await expect(page.locator('.counts')).toHaveText('0 open · 0 overdue');
});

test('a call 20 minutes old makes the badge show 1; closing the lead clears it', async ({
  openSidebar,
  serviceWorker,
}) => {
  const page = await openSidebar();
  await saveSettingsAndWait(page);
  await expect.poll(() => badgeText(serviceWorker)).toBe('');

  await submitAddCall(page, { from: '305-555-0188', name: 'Ana Reyes', when: utcInputValue(20) });
  const row = queueRow(page, 'Ana Reyes');
  await expect(row).toContainText(/overdue \d+m/);
  await expect(row).toHaveClass(/row-overdue/);
  await expect(page.locator('.counts')).toHaveText('1 open · 1 overdue');
  await expect.poll(() => badgeText(serviceWorker)).toBe('1');

  await row.click();
  await page.getByRole('button', { name: 'Close lead' }).click();
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();
  await expect.poll(() => badgeText(serviceWorker)).toBe('');
});

test('filters narrow the queue; a lead in the URL hash opens; CRM context shows a strip', async ({
  openSidebar,
}) => {
  const page = await openSidebar();
  await saveSettingsAndWait(page);
  await submitAddCall(page, { from: '212-555-0101', name: 'Old Caller', when: utcInputValue(30) });
  await expect(queueRow(page, 'Old Caller')).toBeVisible();
  await submitAddCall(page, { from: '212-555-0102', name: 'New Caller', source: 'Website' });
  await expect(queue(page).getByRole('row')).toHaveCount(3);

  // Sorted by due time: the overdue caller first.
  await expect(queue(page).getByRole('row').nth(1)).toContainText('Old Caller');

  await page.getByText('Overdue only').click();
  await expect(queueRow(page, 'New Caller')).toHaveCount(0);
  await expect(queueRow(page, 'Old Caller')).toBeVisible();
  await page.getByText('Overdue only').click();

  await page.getByLabel('Source', { exact: true }).selectOption('Website');
  await expect(queueRow(page, 'Old Caller')).toHaveCount(0);
  await expect(queueRow(page, 'New Caller')).toBeVisible();
  await page.getByRole('button', { name: 'Clear' }).click();

  // "Mine": in hours round robin gave the first caller to Maria (this browser), the next to Sam.
  await page.getByText('Mine', { exact: true }).click();
  await expect(queueRow(page, 'Old Caller')).toBeVisible();
  await expect(queueRow(page, 'New Caller')).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear' }).click();

  const leadId = await queueRow(page, 'New Caller').getAttribute('data-lead-id');
  await page.evaluate((id) => (location.hash = `lead=${id}`), leadId);
  await expect(page.getByRole('heading', { name: 'New Caller' })).toBeVisible();
  await page.getByRole('button', { name: 'Queue' }).click();
  await expect(page).not.toHaveURL(/lead=/);
  // The same link followed again opens the lead again.
  await page.evaluate((id) => (location.hash = `lead=${id}`), leadId);
  await expect(page.getByRole('heading', { name: 'New Caller' })).toBeVisible();
  await page.getByRole('button', { name: 'Queue' }).click();

  // A notification click stores the lead to focus; the open sidebar jumps to it.
  const oldId = await queueRow(page, 'Old Caller').getAttribute('data-lead-id');
  await page.evaluate(
    (leadId) => chrome.storage.local.set({ focusLead: { leadId, at: Date.now() } }),
    oldId,
  );
  await expect(page.getByRole('heading', { name: 'Old Caller' })).toBeVisible();
  await page.getByRole('button', { name: 'Queue' }).click();

  const ctx = encodeURIComponent(
    JSON.stringify({ crm: 'hubspot', host: 'app.hubspot.com', contactId: '51' }),
  );
  await page.evaluate((hash) => (location.hash = hash), `ctx=${ctx}`);
  await expect(page.getByRole('note').filter({ hasText: 'On this CRM contact' })).toContainText(
    'On this CRM contact: 0 leads',
  );
  await expect(page.getByText('No open callbacks for this contact.')).toBeVisible();
  await page.getByRole('button', { name: 'Show whole queue' }).click();
  await expect(queue(page).getByRole('row')).toHaveCount(3);
});

/**
 * Where two characters of an element's text are drawn: the x of each glyph's left edge.
 * Reads the layout the user sees, whatever the markup.
 */
async function glyphLefts(page: Page, selector: string, chars: string[]) {
  return page
    .locator(selector)
    .first()
    .evaluate((root, wanted) => {
      const out: Record<string, number> = {};
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const ch of wanted) {
          const i = text.indexOf(ch);
          if (i < 0 || ch in out) continue;
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + ch.length);
          out[ch] = range.getBoundingClientRect().left;
        }
      }
      return out;
    }, chars);
}

test('at the sidebar’s 420 px: whole columns, a labelled due time, and a caller name that cannot reverse the line', async ({
  openSidebar,
}) => {
  const page = await openSidebar();
  await page.setViewportSize({ width: 420, height: 900 });
  await saveSettingsAndWait(page);
  // U+202E RIGHT-TO-LEFT OVERRIDE in a caller-ID name (what a hostile caller ID can carry).
  await submitAddCall(page, {
    from: '212-555-0147',
    name: '\u202EZara Voss',
    source: 'Website',
    practiceArea: 'Personal injury',
  });
  const row = queueRow(page, '(212) 555-0147');
  await expect(row).toBeVisible();

  // The practice area is shown whole inside the visible part of the queue.
  const scroller = await page.locator('.queue-scroll').boundingBox();
  const area = await row.getByText('Personal injury').boundingBox();
  expect(area!.x + area!.width).toBeLessThanOrEqual(scroller!.x + scroller!.width);
  const header = await page.getByRole('columnheader', { name: 'Source · Area' }).boundingBox();
  expect(header!.x + header!.width).toBeLessThanOrEqual(scroller!.x + scroller!.width);

  // The grey time under "Due" says what it is.
  await expect(row.getByLabel(/^Call back by \d{1,2}:\d\d/)).toHaveText(/^due \d{1,2}:\d\d/);
  await page.screenshot({ path: test.info().outputPath('sidebar-420.png') });

  // In the lead, the closing quote after the caller-ID name stays after it.
  await row.click();
  await expect(page.getByRole('heading', { level: 2 })).toContainText('Zara Voss');
  const meta = '.timeline-meta';
  await expect(page.locator(meta).first()).toContainText('Caller ID');
  const x = await glyphLefts(page, meta, ['“', 'Z', '”', 'via']);
  expect(x['“']).toBeLessThan(x['Z']!);
  expect(x['Z']).toBeLessThan(x['”']!);
  expect(x['”']).toBeLessThan(x['via']!);
  await page.screenshot({ path: test.info().outputPath('lead-rtl.png') });
});
