import type { BrowserContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import {
  addCallInSidebar,
  allDayFirmSettings,
  extensionPage,
  queueRow,
  saveFirmSettings,
} from './kit';

declare const chrome: typeof import('wxt/browser').browser;

/** A complete FirmSettings value, open around the clock so the wording does not depend on the hour. */
const FIRM_SETTINGS = allDayFirmSettings({
  practiceAreas: ['Personal injury', 'Criminal defense', 'Family law'],
  sources: ['Google Ads – PI', 'Website', 'Referral'],
  staff: [{ id: 'maria', name: 'Maria Lopez' }],
  currentStaffId: 'maria',
});

/** Options with the firm's settings saved, and its Scripts & templates section. */
async function scriptsInOptions(context: BrowserContext, extensionId: string) {
  const options = await extensionPage(context, extensionId, 'options.html');
  await saveFirmSettings(options, FIRM_SETTINGS);
  return { options, section: options.getByRole('region', { name: 'Scripts & templates' }) };
}

const EDITED = 'Hello {{callerName}}, this is {{staffName}} at {{firmName}}. Edited PI script.';

test('a call script edited in Options shows in the lead detail; hostile names stay text; reset restores', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const { options, section } = await scriptsInOptions(context, extensionId);
  await expect(section).toBeVisible();

  // The personal-injury script is open; its preview is the sample lead's.
  await section.getByRole('button', { name: /^Personal injury/ }).click();
  const editor = section.getByLabel('Template text');
  await expect(editor).toHaveValue(/I apologize for missing your call earlier/);
  await expect(section.locator('.scripts-preview')).toContainText('Hi, is this Maria?');

  // An unknown variable is an error and blocks saving.
  await editor.fill('Hello {{clientName}}');
  await expect(section.getByRole('alert', { name: 'Template errors' })).toContainText(
    'Unknown variable {{clientName}}',
  );
  await expect(section.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();

  // A variable inserted from the list lands at the cursor.
  await editor.fill('Hello ');
  await editor.press('End');
  await section.getByRole('button', { name: 'Insert Caller name' }).click();
  await expect(editor).toHaveValue('Hello {{callerName}}');

  await editor.fill(EDITED);
  await expect(section.locator('.scripts-preview')).toContainText(
    'Hello Maria Lopez, this is Maria Lopez at Whitfield & Park Injury Law. Edited PI script.',
  );
  await section.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(
    section.getByRole('button', { name: /^Personal injury\s*\(edited\)/ }),
  ).toBeVisible();

  // The sidebar shows it for a personal-injury lead, with the lead's name.
  const sidebar = await openSidebar();
  await addCallInSidebar(sidebar, {
    from: '212-555-0147',
    name: 'Dana Whitfield',
    practiceArea: 'Personal injury',
  });
  const hostile = '<img src=x onerror=alert(1)> {{firmName}}';
  await addCallInSidebar(sidebar, {
    from: '212-555-0188',
    name: hostile,
    practiceArea: 'Personal injury',
  });
  await addCallInSidebar(sidebar, {
    from: '212-555-0199',
    name: 'Rosa Diaz',
    practiceArea: 'Family law',
  });

  const queue = sidebar.getByRole('table', { name: 'Callback queue' });
  await queue.getByRole('row').filter({ hasText: 'Dana Whitfield' }).click();
  const script = sidebar.getByRole('region', { name: 'Script' });
  await expect(script).toContainText(
    'Hello Dana Whitfield, this is Maria Lopez at Whitfield & Park Injury Law. Edited PI script.',
  );
  await expect(script).toContainText('Script for personal injury');

  // Objection and voicemail tabs.
  await script.getByRole('tab', { name: 'Objection' }).click();
  await expect(script.getByRole('tabpanel')).toContainText(
    'We had an unexpected surge of calls today',
  );
  await script.getByRole('tab', { name: 'Voicemail' }).click();
  await expect(script.getByRole('tabpanel')).toContainText('Please call me back at');
  await sidebar.getByRole('button', { name: 'Queue' }).click();

  // A family-law lead still gets the default family-law script.
  await queue.getByRole('row').filter({ hasText: 'Rosa Diaz' }).click();
  await expect(script).toContainText('Hi, is this Rosa?');
  await expect(script).toContainText('Are you and any children safe right now?');
  await sidebar.getByRole('button', { name: 'Queue' }).click();

  // A hostile name is text: no element made of it, no {{firmName}} expanded inside it.
  await queue.getByRole('row').filter({ hasText: 'onerror' }).click();
  await expect(script).toContainText(
    `Hello ${hostile}, this is Maria Lopez at Whitfield & Park Injury Law.`,
  );
  await expect(sidebar.locator('img')).toHaveCount(0);
  await sidebar.getByRole('button', { name: 'Queue' }).click();

  // Reset to default in Options: the sidebar follows without a reload.
  await queue.getByRole('row').filter({ hasText: 'Dana Whitfield' }).click();
  await options.bringToFront();
  await section.getByRole('button', { name: 'Reset to default' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Default restored.' })).toBeVisible();
  await expect(editor).toHaveValue(/I apologize for missing your call earlier/);
  await expect(script).toContainText(
    'Hi, is this Dana? This is Maria Lopez from Whitfield & Park Injury Law.',
  );
  await expect(script).toContainText('I apologize for missing your call earlier');
  await expect(script).not.toContainText('Edited PI script');

  // Undo brings the firm's text back.
  await section.getByRole('button', { name: 'Undo reset' }).click();
  await expect(script).toContainText('Edited PI script');
});

test('greetings state the callback promise from the SLA settings and follow a change', async ({
  extensionId,
  context,
}) => {
  const { options, section } = await scriptsInOptions(context, extensionId);
  await section.getByRole('button', { name: /^Voicemail greeting — in hours/ }).click();
  const preview = section.locator('.scripts-preview');
  await expect(preview).toContainText('we will return your call within 15 minutes.');

  await options.evaluate(
    (settings) =>
      chrome.storage.local.set({
        firmSettings: {
          ...settings,
          sla: { targetMinutes: 10, limitMinutes: 30, afterHoursMinutes: 60 },
        },
      }),
    FIRM_SETTINGS,
  );
  await expect(preview).toContainText('we will return your call within 30 minutes.');
  await expect(section).toContainText(
    'Your SLA settings promise callers a callback within 30 minutes',
  );
});

test('the callback number is said twice in the voicemail script, and a source gets its own opening line', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const { section } = await scriptsInOptions(context, extensionId);
  const details = section.getByRole('group', { name: 'Details the scripts use' });

  await details.getByLabel('Callback number to give callers').fill('12');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(details.getByText('Not a phone number we can read')).toBeVisible();

  await details.getByLabel('Callback number to give callers').fill('212-555-0100');
  await details.getByLabel('Alternative contact').fill('email us at intake@whitfieldpark.com');
  await details
    .getByLabel('Opening line for “Google Ads – PI”')
    .fill('I understand you were in a crash and saw our ad');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(details.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // The greeting's alternative contact is the firm's.
  await section.getByRole('button', { name: /^Voicemail greeting — after hours/ }).click();
  await expect(section.locator('.scripts-preview')).toContainText(
    "If it's urgent, you can also email us at intake@whitfieldpark.com.",
  );

  const sidebar = await openSidebar();
  await addCallInSidebar(sidebar, {
    from: '212-555-0147',
    name: 'Dana Whitfield',
    source: 'Google Ads – PI',
    practiceArea: 'Personal injury',
  });
  await queueRow(sidebar, 'Dana Whitfield').click();

  const script = sidebar.getByRole('region', { name: 'Script' });
  await expect(script).toContainText(
    'I understand you were in a crash and saw our ad. Is now a good time to talk',
  );
  await script.getByRole('tab', { name: 'Voicemail' }).click();
  const panel = script.getByRole('tabpanel');
  await expect(panel).toContainText(
    'Hi Dana, this is Maria Lopez from Whitfield & Park Injury Law',
  );
  await expect(panel).toContainText(
    'Please call me back at two one two, five five five, zero one zero zero.',
  );
  await expect(panel).toContainText(
    "Again, that's two one two, five five five, zero one zero zero.",
  );

  await script.getByRole('button', { name: 'Copy' }).click();
  await expect(script.getByRole('status')).toHaveText('Copied.');

  // Folding the panel away keeps it folded; Show brings it back.
  await script.getByRole('button', { name: 'Hide' }).click();
  await expect(script.getByRole('tablist')).toHaveCount(0);
  await script.getByRole('button', { name: 'Show' }).click();
  await expect(script.getByRole('tablist')).toBeVisible();
});

test('the script shows in the dock on a CRM page, and Copy works there', async ({
  context,
  extensionId,
}) => {
  const hubspot = readFileSync(path.resolve('tests/fixtures/crm/hubspot-contacts.html'), 'utf8');
  await context.route('https://app.hubspot.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: hubspot }),
  );
  const page = await context.newPage();
  await page.goto('https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list');
  await saveFirmSettingsFrom(context, extensionId);
  await page.getByRole('button', { name: 'Open Callback Desk' }).click();
  const dock = page.frameLocator('callback-desk-dock iframe');
  await addCallInSidebar(dock, {
    from: '212-555-0147',
    name: 'Dana Whitfield',
    practiceArea: 'Family law',
  });
  await queueRow(dock, 'Dana Whitfield').click();

  const script = dock.getByRole('region', { name: 'Script' });
  await expect(script).toContainText('Hi, is this Dana?');
  await script.getByRole('button', { name: 'Copy' }).click();
  await expect(script.getByRole('status')).toHaveText('Copied.');
});

/** Firm settings saved from an extension page (a CRM page cannot reach extension storage). */
async function saveFirmSettingsFrom(context: BrowserContext, extensionId: string) {
  const page = await extensionPage(context, extensionId, 'options.html');
  await saveFirmSettings(page, FIRM_SETTINGS);
  await page.close();
}
