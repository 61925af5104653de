import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { sendMessage } from './kit';

/** Send a message as our pages do; an error reply throws. */
async function send<T>(page: Page, type: string, data: unknown): Promise<T> {
  const reply = await sendMessage<T>(page, type, data);
  if (reply.err) throw new Error(reply.err.message);
  return reply.res as T;
}

test('Options › Metrics: thresholds and cost per lead, with the error next to the field', async ({
  context,
  extensionId,
}) => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const section = page.locator('section#metrics');
  await expect(section.getByRole('heading', { name: 'Metrics' })).toBeVisible();
  await section.getByLabel('Needs work below (%)').fill('90');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('alert')).toHaveText(
    '"Needs work below" cannot be above "good at or above".',
  );
  await section.getByLabel('Needs work below (%)').fill('55');
  await section.getByLabel('Website').fill('45');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('status')).toHaveText('Saved.');
  await page.reload();
  await expect(page.locator('section#metrics').getByLabel('Needs work below (%)')).toHaveValue(
    '55',
  );
  await expect(page.locator('section#metrics').getByLabel('Website')).toHaveValue('45');
});

test('a closed lead takes its disposition and the survey answers', async ({ openSidebar }) => {
  const page = await openSidebar();
  const captured = await send<{ added: { leadId: string }[] }>(page, 'captureCalls', [
    {
      from: '(617) 555-0142',
      startedAt: Date.now() - 10 * 60_000,
      callerName: 'Dana Whitfield',
      provider: 'manual',
      capturePath: 'manual',
    },
  ]);
  const leadId = captured.added[0]!.leadId;
  await send(page, 'recordAttempt', { leadId, method: 'call', outcome: 'consultation-booked' });
  await page.goto(`${page.url().split('#')[0]}#lead=${leadId}`);
  const outcome = page.getByRole('region', { name: 'Outcome and survey' });
  await outcome.getByLabel('Disposition').selectOption('retained');
  await expect(outcome.getByRole('status')).toHaveText('Disposition saved.');
  await expect(outcome.getByText('set by staff')).toBeVisible();
  await outcome.getByLabel('Felt valued?').selectOption('yes');
  await outcome.getByLabel('Rating (1–5)').selectOption('4');
  await outcome.getByRole('button', { name: 'Save survey answers' }).click();
  await expect(outcome.getByRole('status')).toHaveText('Survey answers saved.');
  await page.reload();
  const again = page.getByRole('region', { name: 'Outcome and survey' });
  await expect(again.getByLabel('Disposition')).toHaveValue('retained');
  await expect(again.getByLabel('Felt valued?')).toHaveValue('yes');
  await expect(again.getByLabel('Rating (1–5)')).toHaveValue('4');
});
