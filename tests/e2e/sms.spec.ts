import type { BrowserContext } from '@playwright/test';
import { startTwilio } from '../emulators/providers';
import { expect, test } from './fixtures';
import {
  addCallInSidebar,
  connectProvider,
  emulatorsClosedAfterEach,
  queueRow,
  twilioAt,
} from './kit';

async function connectTwilio(context: BrowserContext, extensionId: string, url: string) {
  const { options, card } = await connectProvider(context, extensionId, twilioAt(url));
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();
  return options;
}

const emulators = emulatorsClosedAfterEach(test);

test('send a text from a lead through Twilio: exactly one spec-valid request, and the lead shows "Sent"', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const twilio = await startTwilio();
  emulators.push(twilio);
  // Connect Twilio in Options, at the emulator.
  const options = await connectTwilio(context, extensionId, twilio.url);
  // Options → Texting says which provider and number texts go out from.
  await options.reload();
  await expect(options.getByTestId('texting-status')).toHaveText(
    'Texts go out through Twilio from +12125550100.',
  );

  const sidebar = await openSidebar();
  await addCallInSidebar(sidebar, { from: '+1 (312) 555-0142', name: 'Dana Reyes' });
  await queueRow(sidebar, 'Dana Reyes').click();
  const panel = sidebar.getByRole('region', { name: 'Text' });
  await expect(panel.getByRole('button', { name: 'Send text' })).toBeVisible();
  await expect(panel.getByText('From +12125550100 via Twilio')).toBeVisible();
  const body = panel.getByLabel('Message to +13125550142');
  // The firm's text-back template, rendered for the lead, editable.
  await expect(body).not.toHaveValue('');
  await expect(body).not.toHaveValue(/\{\{|undefined/);
  await body.fill('Hi Dana, this is Reyes Law returning your call. When can we talk?');
  await panel.getByRole('button', { name: 'Send text' }).click();

  const item = panel.getByTestId('text-item').first();
  await expect(item).toHaveAttribute('data-text-state', 'sent', { timeout: 15_000 });
  await expect(item).toContainText('Sent');
  expect(twilio.sms.sent).toHaveLength(1);
  expect(twilio.sms.sent[0]).toMatchObject({
    to: '+13125550142',
    from: '+12125550100',
    body: 'Hi Dana, this is Reyes Law returning your call. When can we talk?',
  });
  const posts = twilio.state.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/Messages.json'),
  );
  expect(posts).toHaveLength(1);
  expect(twilio.sms.violations).toEqual([]);

  // The text is on the lead's attempts.
  await expect(
    sidebar.getByRole('region', { name: 'Attempts and notes' }).getByText('Text').first(),
  ).toBeVisible();
});

test('with no texting provider the lead says why and offers Copy and an sms: link', async ({
  openSidebar,
}) => {
  const sidebar = await openSidebar();
  await addCallInSidebar(sidebar, { from: '+1 (646) 555-0123', name: 'Luis Ortega' });
  await queueRow(sidebar, 'Luis Ortega').click();
  const panel = sidebar.getByRole('region', { name: 'Text' });
  await expect(panel.getByTestId('text-no-provider')).toHaveText(
    'No texting provider connected — connect Twilio or RingCentral in Options.',
  );
  await expect(panel.getByRole('button', { name: 'Send text' })).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Copy text' })).toBeVisible();
  await panel.getByLabel('Message to +16465550123').fill('Hello Luis & co?');
  await expect(panel.getByTestId('text-sms-link')).toHaveAttribute(
    'href',
    `sms:+16465550123?body=${encodeURIComponent('Hello Luis & co?')}`,
  );
});

test('a refused text shows its reason and Retry sends it once; an opted-out caller is marked and not texted', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const twilio = await startTwilio();
  emulators.push(twilio);
  await connectTwilio(context, extensionId, twilio.url);
  const sidebar = await openSidebar();

  await addCallInSidebar(sidebar, { from: '+1 (312) 555-0142', name: 'Dana Reyes' });
  await queueRow(sidebar, 'Dana Reyes').click();
  const panel = sidebar.getByRole('region', { name: 'Text' });
  await expect(panel.getByRole('button', { name: 'Send text' })).toBeVisible();
  twilio.state.faults.push({ kind: '401', match: /^POST .*\/Messages\.json$/ });
  await panel.getByLabel('Message to +13125550142').fill('Returning your call');
  await panel.getByRole('button', { name: 'Send text' }).click();
  const item = panel.getByTestId('text-item').first();
  await expect(item).toHaveAttribute('data-text-state', 'failed', { timeout: 15_000 });
  await expect(item).toContainText('Twilio refused the credentials');
  await item.getByRole('button', { name: 'Retry' }).click();
  await expect(item).toHaveAttribute('data-text-state', 'sent', { timeout: 15_000 });
  expect(twilio.sms.sent).toHaveLength(1);

  // A caller who replied STOP at Twilio: its refusal (21610) marks the number.
  twilio.sms.optedOut.add('+16465550123');
  await sidebar.getByRole('button', { name: 'Queue' }).first().click();
  await addCallInSidebar(sidebar, { from: '+1 (646) 555-0123', name: 'Luis Ortega' });
  await queueRow(sidebar, 'Luis Ortega').click();
  const other = sidebar.getByRole('region', { name: 'Text' });
  await other.getByLabel('Message to +16465550123').fill('Returning your call');
  await other.getByRole('button', { name: 'Send text' }).click();
  await expect(other.getByTestId('text-item').first()).toContainText('Not sent — opted out', {
    timeout: 15_000,
  });
  await expect(other.getByTestId('text-opted-out')).toContainText('unsubscribed recipient');
  await expect(other.getByRole('button', { name: 'Send text' })).toBeDisabled();
  await expect(
    other.getByTestId('text-item').first().getByRole('button', { name: 'Retry' }),
  ).toHaveCount(0);
  expect(twilio.sms.sent).toHaveLength(1);
  expect(twilio.sms.violations).toEqual([]);
});
