import type { Page } from '@playwright/test';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { expect, restartServiceWorker, test } from './fixtures';
import {
  allDayFirmSettings,
  connectHubSpot,
  extensionPage,
  grantHost,
  queueRow,
  routeToEmulator,
  saveFirmSettings,
} from './kit';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * Texts and emails on the CRM contact, in the real browser: with HubSpot connected (its
 * host routed to the emulator, which validates every request against HubSpot's specs), a
 * text attempt and a confirmation email opened in Gmail from the lead end up on the
 * contact as exactly one SMS communication and one email — the email without a click on
 * Sync (the lead is linked), the text with the next Sync, and a second Sync adds nothing.
 */

const FIRM_SETTINGS = allDayFirmSettings({
  staff: [{ id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' }],
  currentStaffId: 'ana',
  emailCompose: 'gmail',
});

const HUBSPOT_TOKEN = 'pat-na1-e2e-token';

let hubspot: HubSpotEmulator | undefined;
test.afterEach(async () => {
  await hubspot?.close();
  hubspot = undefined;
});

test('a text and a confirmation email land on the HubSpot contact, exactly one of each', async ({
  context,
  extensionId,
}) => {
  test.setTimeout(120_000);
  hubspot = await startHubSpotEmulator({ privateAppTokens: [HUBSPOT_TOKEN], searchLagMs: 1_000 });
  const contact = hubspot.seedContact({
    firstname: 'Dana',
    lastname: 'Whitfield',
    phone: '(415) 555-0134',
  });
  await routeToEmulator(context, 'https://api.hubapi.com', hubspot.url);
  await grantHost(context, extensionId, 'https://api.hubapi.com/*');
  // Gmail's compose page: answered here, so the test sees the link the desk opened.
  await context.route('https://mail.google.com/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>Gmail compose</title>' }),
  );
  const options: Page = await extensionPage(context, extensionId, 'options.html');
  await saveFirmSettings(options, FIRM_SETTINGS);
  await restartServiceWorker(context, options);

  await connectHubSpot(options, HUBSPOT_TOKEN, '4242');
  // Settings → Email shows the firm's choice.
  await expect(options.getByRole('region', { name: 'Email' }).getByLabel(/^Gmail/)).toBeChecked();

  const captured = await options.evaluate(() =>
    chrome.runtime.sendMessage({
      id: 1,
      type: 'captureCalls',
      timestamp: Date.now(),
      data: [
        {
          from: '(415) 555-0134',
          callerName: 'Dana Whitfield',
          startedAt: Date.now() - 2 * 60_000,
          provider: 'manual',
          capturePath: 'manual',
        },
      ],
    }),
  );
  expect(captured).toMatchObject({ res: { added: [expect.objectContaining({ newLead: true })] } });

  const sidebar = await extensionPage(context, extensionId, 'sidebar.html');
  await queueRow(sidebar, 'Dana Whitfield').click();
  const detail = sidebar.getByRole('region', { name: 'Dana Whitfield' });
  const panel = detail.getByRole('group', { name: 'HubSpot sync' });
  await expect(panel.getByRole('link', { name: 'Dana Whitfield' })).toBeVisible();

  // A callback by text (recorded with the attempt form).
  const attempt = detail.getByRole('form', { name: 'Record an attempt' });
  // The method is a segmented control: its labels take the clicks.
  await attempt
    .locator('label')
    .filter({ hasText: /^Text$/ })
    .click();
  await expect(attempt.getByRole('radio', { name: 'Text' })).toBeChecked();
  await attempt.getByLabel('Outcome').selectOption({ label: 'Sent (text/email)' });
  await attempt.getByLabel('Notes').fill('Texted our direct line and the booking link.');
  await attempt.getByRole('button', { name: 'Save attempt' }).click();
  await expect(detail.getByRole('region', { name: 'Attempts and notes' })).toContainText('Text');

  // Then the call that books the consultation (it closes the lead).
  await attempt.getByLabel('Outcome').selectOption({ label: 'Consultation booked' });
  await attempt.getByRole('button', { name: 'Save and close lead' }).click();
  await expect(detail.getByRole('region', { name: 'Attempts and notes' })).toContainText(
    'Consultation booked',
  );

  // The caller's address: a bad one is refused in plain words, a good one kept.
  const email = detail.getByRole('region', { name: 'Email the caller' });
  await email.getByLabel('Caller’s email').fill('dana at example');
  await email.getByRole('button', { name: 'Save email' }).click();
  await expect(email.getByRole('alert')).toHaveText(
    'An email address has an @ in it. Enter an email address such as name@example.com.',
  );
  await email.getByLabel('Caller’s email').fill('dana@example.com');
  await email.getByRole('button', { name: 'Save email' }).click();
  await expect(email.getByRole('status')).toHaveText('Email address saved on the lead.');

  // The confirmation: from the template, with the consultation time, opened in Gmail.
  await email.getByRole('button', { name: 'Send confirmation email' }).click();
  const composer = email.getByRole('group', { name: 'Send confirmation email' });
  await composer.getByLabel('Consultation booked for (optional)').fill('2030-03-11T14:30');
  await expect(composer.getByLabel('Subject')).toHaveValue(/Whitfield & Park Injury Law/);
  await composer.getByLabel('Subject').fill('Your consultation on March 11\r\nBcc: x@evil.example');
  const [gmail] = await Promise.all([
    context.waitForEvent('page'),
    composer.getByRole('link', { name: 'Open in Gmail' }).click(),
  ]);
  const url = new URL(gmail.url());
  expect(`${url.origin}${url.pathname}`).toBe('https://mail.google.com/mail/');
  expect(url.searchParams.get('view')).toBe('cm');
  expect(url.searchParams.get('to')).toBe('dana@example.com');
  expect(url.searchParams.get('su')).toBe('Your consultation on March 11 Bcc: x@evil.example');
  expect(url.searchParams.get('body')).toMatch(/Dear Dana/);
  expect([...url.searchParams.keys()]).toEqual(['view', 'fs', 'to', 'su', 'body']);
  await gmail.close();
  await expect(composer.getByRole('status')).toContainText('Recorded as an email attempt');

  // The lead is linked: the email reaches HubSpot without a click on Sync.
  await expect.poll(() => hubspot!.associatedWith(contact.id, 'emails').length).toBe(1);
  const [logged] = hubspot.associatedWith(contact.id, 'emails');
  expect(logged!.properties).toMatchObject({
    hs_email_direction: 'EMAIL',
    hs_email_subject: 'Your consultation on March 11 Bcc: x@evil.example',
    hs_email_to_email: 'dana@example.com',
  });

  // The text goes with the next Sync, as an SMS communication; a second Sync adds nothing.
  await panel.getByRole('button', { name: 'Sync to HubSpot' }).click();
  await expect(panel.getByRole('status')).toContainText('Synced to HubSpot at');
  await expect.poll(() => hubspot!.associatedWith(contact.id, 'communications').length).toBe(1);
  const [sms] = hubspot.associatedWith(contact.id, 'communications');
  expect(sms!.properties).toMatchObject({
    hs_communication_channel_type: 'SMS',
    hs_communication_logged_from: 'CRM',
  });
  expect(sms!.properties.hs_communication_body).toContain(
    'Texted our direct line and the booking link.',
  );
  await expect(panel.getByRole('button', { name: 'Sync to HubSpot' })).toBeDisabled();
  expect(hubspot.records('communications')).toHaveLength(1);
  expect(hubspot.records('emails')).toHaveLength(1);
  hubspot.assertNoViolations();
});
