import type { BrowserContext, Page } from '@playwright/test';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { expect, restartServiceWorker, test } from './fixtures';
import {
  allDayFirmSettings,
  connectHubSpot,
  crmSection,
  extensionPage,
  grantHost,
  queueRow,
  routeToEmulator,
  saveFirmSettings,
} from './kit';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * One-click CRM sync in the real browser. The extension talks to the real hosts
 * (https://api.hubapi.com, https://app.clio.com); Playwright routes them — service-worker
 * fetches included — to the local emulators, which validate every request and answer
 * against the vendors' OpenAPI specs.
 */

const FIRM_SETTINGS = allDayFirmSettings({
  staff: [
    { id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' },
    { id: 'ben', name: 'Ben Okafor', email: 'ben@firm.example' },
  ],
  currentStaffId: 'ana',
});

const HUBSPOT_TOKEN = 'pat-na1-e2e-token';

/** Routes added after launch miss the worker's start-up fetches: restart it behind them. */
async function startWithRoutes(
  context: BrowserContext,
  extensionId: string,
  routes: Record<string, string>,
) {
  for (const [origin, url] of Object.entries(routes)) {
    await routeToEmulator(context, origin, url);
    await grantHost(context, extensionId, `${origin}/*`);
  }
  const page = await extensionPage(context, extensionId, 'options.html');
  await saveFirmSettings(page, FIRM_SETTINGS);
  await restartServiceWorker(context, page);
  return page;
}

/** A missed call reported the way an extension page reports it (captureCalls message). */
async function captureCall(
  page: Page,
  call: { from: string; callerName: string; source?: string; practiceArea?: string },
) {
  const reply = await page.evaluate(
    (c) =>
      chrome.runtime.sendMessage({
        id: 1,
        type: 'captureCalls',
        timestamp: Date.now(),
        data: [
          {
            ...c,
            startedAt: Date.now() - 2 * 60_000,
            provider: 'manual',
            capturePath: 'manual',
            dialedLine: '(800) 555-0100',
          },
        ],
      }),
    call,
  );
  expect(reply).toMatchObject({ res: { added: [expect.objectContaining({ newLead: true })] } });
}

/** Open the lead in the sidebar and record an unanswered call. */
async function recordNoAnswer(context: BrowserContext, extensionId: string, name: string) {
  const sidebar = await extensionPage(context, extensionId, 'sidebar.html');
  await queueRow(sidebar, name).click();
  const detail = sidebar.getByRole('region', { name });
  const attempt = detail.getByRole('form', { name: 'Record an attempt' });
  await attempt.getByLabel('Outcome').selectOption({ label: 'No answer' });
  await attempt.getByLabel('Notes').fill('Rang 8 times, no voicemail box.');
  await attempt.getByRole('button', { name: 'Save attempt' }).click();
  await expect(detail.getByRole('region', { name: 'Attempts and notes' })).toContainText(
    'No answer',
  );
  return { sidebar, detail };
}

let hubspot: HubSpotEmulator | undefined;
let clio: ClioEmulator | undefined;
test.afterEach(async () => {
  await hubspot?.close();
  await clio?.close();
  hubspot = undefined;
  clio = undefined;
});

test('HubSpot: connect with a token, match the caller, sync one call, note and task', async ({
  context,
  extensionId,
}) => {
  hubspot = await startHubSpotEmulator({ privateAppTokens: [HUBSPOT_TOKEN] });
  const contact = hubspot.seedContact({
    firstname: 'Dana',
    lastname: 'Whitfield',
    phone: '(415) 555-0134',
  });
  const options = await startWithRoutes(context, extensionId, {
    'https://api.hubapi.com': hubspot.url,
  });

  // A wrong token is refused with a real call, and nothing is saved.
  const section = crmSection(options, 'HubSpot');
  await section.getByLabel('Private-app access token').fill('pat-na1-wrong');
  await section.getByRole('button', { name: 'Connect HubSpot' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Not connected' })).toContainText(
    'HubSpot refused this token',
  );

  await section.getByLabel('Private-app access token').fill(HUBSPOT_TOKEN);
  await section.getByLabel('Account ID (for links to records)').fill('4242');
  await section.getByRole('button', { name: 'Connect HubSpot' }).click();
  await expect(section).toContainText('Connected to HubSpot account 4242');
  // Staff are mapped to HubSpot owners by email.
  await expect(section.getByLabel('HubSpot owner for Ana Lopez')).toHaveValue('101');
  await expect(section.getByLabel('HubSpot owner for Ben Okafor')).toHaveValue('102');

  await captureCall(options, {
    from: '(415) 555-0134',
    callerName: 'Dana Whitfield',
    source: 'Google Ads – PI',
  });
  const { detail } = await recordNoAnswer(context, extensionId, 'Dana Whitfield');

  const panel = detail.getByRole('group', { name: 'HubSpot sync' });
  await expect(panel.getByRole('link', { name: 'Dana Whitfield' })).toHaveAttribute(
    'href',
    `https://app.hubspot.com/contacts/4242/record/0-1/${contact.id}`,
  );
  await expect(panel.getByRole('status')).toHaveText('3 records are not in HubSpot yet.');
  await panel.getByRole('button', { name: 'Sync to HubSpot' }).click();
  await expect(panel.getByRole('status')).toContainText('Synced to HubSpot at');
  await expect(panel.getByRole('button', { name: 'Sync to HubSpot' })).toBeDisabled();

  for (const type of ['calls', 'notes', 'tasks'] as const) {
    expect(hubspot.records(type)).toHaveLength(1);
    expect(hubspot.associatedWith(contact.id, type)).toHaveLength(1);
    expect(hubspot.records(type)[0]!.properties.hubspot_owner_id).toBe('101');
  }
  expect(hubspot.records('calls')[0]!.properties).toMatchObject({
    hs_call_status: 'NO_ANSWER',
    hs_call_direction: 'OUTBOUND',
    hs_call_to_number: '+14155550134',
    hs_call_from_number: '+18005550100',
  });
  expect(hubspot.records('notes')[0]!.properties.hs_note_body).toContain(
    'Rang 8 times, no voicemail box.',
  );
  hubspot.assertNoViolations();

  // Disconnect really forgets the token.
  await section.getByRole('button', { name: 'Disconnect HubSpot' }).click();
  await expect(section.getByRole('button', { name: 'Connect HubSpot' })).toBeVisible();
  const secrets = await options.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onsuccess = () => {
          const count = open.result.transaction('secrets').objectStore('secrets').count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
  expect(secrets).toBe(0);
});

test('HubSpot: faults and a worker stopped mid-sync still give exactly one of each', async ({
  context,
  extensionId,
}) => {
  // Records become searchable a little after they are written, as in HubSpot.
  hubspot = await startHubSpotEmulator({ privateAppTokens: [HUBSPOT_TOKEN], searchLagMs: 2_000 });
  const options = await startWithRoutes(context, extensionId, {
    'https://api.hubapi.com': hubspot.url,
  });
  await connectHubSpot(options, HUBSPOT_TOKEN);

  // Nobody in HubSpot has this number: the contact is created with the records. (No source
  // or practice area: the contact gets no facts note, so each kind has one record.)
  await captureCall(options, {
    from: '(646) 555-0188',
    callerName: 'Luis Ortega',
  });
  const { detail, sidebar } = await recordNoAnswer(context, extensionId, 'Luis Ortega');
  const panel = detail.getByRole('group', { name: 'HubSpot sync' });
  await expect(panel).toContainText('No HubSpot contact has this number.');

  // The call is written but its answer never comes; the note gets a 429 and then a 500
  // after being written; the task's first answer is a dropped connection after the write.
  hubspot.faults.push({ kind: 'timeout-after', match: /POST \/crm\/v3\/objects\/calls$/ });
  hubspot.faults.push({ kind: '429', match: /POST \/crm\/v3\/objects\/notes$/ });
  hubspot.faults.push({ kind: '500-after', match: /POST \/crm\/v3\/objects\/notes$/ });
  hubspot.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/tasks$/ });

  await panel.getByRole('button', { name: 'Create contact and sync to HubSpot' }).click();
  await expect.poll(() => hubspot!.records('calls').length, { timeout: 20_000 }).toBe(1);
  await expect(panel.getByRole('status')).toContainText('Syncing');

  // MV3 kills the worker while the call's request is in flight, before its answer is saved.
  await restartServiceWorker(context, sidebar);

  await expect(panel.getByRole('status')).toContainText('Synced to HubSpot at', {
    timeout: 45_000,
  });
  const [contact] = hubspot.records('contacts');
  expect(contact!.properties).toMatchObject({
    firstname: 'Luis',
    lastname: 'Ortega',
    phone: '+16465550188',
  });
  for (const type of ['calls', 'notes', 'tasks'] as const) {
    expect(hubspot.records(type), type).toHaveLength(1);
    expect(hubspot.associatedWith(contact!.id, type), type).toHaveLength(1);
  }
  // Each record whose answer was lost was looked up, found, and never sent again.
  const posts = (type: string) =>
    hubspot!.log.filter((l) => l.method === 'POST' && l.path === `/crm/v3/objects/${type}`);
  const searches = (type: string) =>
    hubspot!.log.filter((l) => l.path === `/crm/v3/objects/${type}/search`);
  expect(posts('calls')).toHaveLength(1);
  expect(posts('notes').map((l) => l.status)).toEqual([429, 500]);
  expect(posts('tasks').map((l) => l.status)).toEqual(['dropped']);
  for (const type of ['calls', 'notes', 'tasks'])
    expect(searches(type).length, type).toBeGreaterThan(0);
  // No account ID was given, so there is no link, but the created contact is named.
  await expect(panel).toContainText('HubSpot contact: Luis Ortega');
  hubspot.assertNoViolations();
});

/** Clio's OAuth sign-in cannot be driven headless: store tokens as a finished sign-in would. */
async function connectClioWithTokens(page: Page, emulator: ClioEmulator) {
  const { access_token, refresh_token } = emulator.grantToken();
  const user = emulator.options.users[0]!;
  await page.evaluate(
    ({ accessToken, refreshToken, userId, userName }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onsuccess = () => {
          const tx = open.result.transaction('secrets', 'readwrite');
          tx.objectStore('secrets').put({
            key: 'crm:clio',
            updatedAt: Date.now(),
            value: {
              auth: 'oauth',
              region: 'us',
              clientId: 'clio-emulator-client',
              clientSecret: 'clio-emulator-secret',
              accessToken,
              refreshToken,
              expiresAt: Date.now() + 30 * 24 * 3600_000,
              account: { id: String(userId), name: userName },
              connectedAt: Date.now(),
            },
          });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }).then(() =>
        chrome.storage.local.set({
          crmConnections: {
            clio: {
              system: 'clio',
              auth: 'oauth',
              region: 'us',
              account: { id: String(userId), name: userName },
              connectedAt: Date.now(),
            },
          },
          crmConnections$: { v: 1 },
        }),
      ),
    {
      accessToken: access_token,
      refreshToken: refresh_token,
      userId: user.id,
      userName: user.name,
    },
  );
}

test('Clio: match the contact, log the call with our id, a note and a task — also through a 429', async ({
  context,
  extensionId,
}) => {
  clio = await startClioEmulator();
  const contact = clio.seedContact({
    first_name: 'Dana',
    last_name: 'Whitfield',
    numbers: ['415.555.0134'],
  });
  const options = await startWithRoutes(context, extensionId, { 'https://app.clio.com': clio.url });
  await connectClioWithTokens(options, clio);
  await expect(crmSection(options, 'Clio')).toContainText('Connected to Ana Lopez');
  // Staff mapping: Ben takes the follow-ups in Clio.
  await options.getByRole('button', { name: 'Refresh Clio users' }).click();
  await expect(options.getByLabel('Clio user for Ana Lopez')).toHaveValue(
    String(clio.options.users[0]!.id),
  );

  await captureCall(options, { from: '+1 415 555 0134', callerName: 'Dana Whitfield' });
  const { detail } = await recordNoAnswer(context, extensionId, 'Dana Whitfield');
  const panel = detail.getByRole('group', { name: 'Clio sync' });
  await expect(panel.getByRole('link', { name: 'Dana Whitfield' })).toHaveAttribute(
    'href',
    `https://app.clio.com/nc/#/contacts/${contact.id}`,
  );

  clio.faults.push({ kind: '429', match: /POST \/api\/v4\/communications\.json/ });
  await panel.getByRole('button', { name: 'Sync to Clio' }).click();
  await expect(panel.getByRole('status')).toContainText('Synced to Clio at', { timeout: 20_000 });

  expect(clio.communications).toHaveLength(1);
  expect(clio.notes).toHaveLength(1);
  expect(clio.tasks).toHaveLength(1);
  expect(clio.communications[0]!.external_properties[0]!.name).toBe('callback_desk_id');
  expect(clio.communications[0]!.receivers).toMatchObject([{ id: contact.id }]);
  expect(clio.notes[0]!.contact?.id).toBe(contact.id);
  expect(clio.tasks[0]!.description).toContain('+14155550134');
  expect(clio.log.filter((l) => l.status === 429)).toHaveLength(1);
  clio.assertNoViolations();
});

test('HubSpot: several contacts share the number — asked once, the choice is remembered', async ({
  context,
  extensionId,
}) => {
  hubspot = await startHubSpotEmulator({ privateAppTokens: [HUBSPOT_TOKEN] });
  hubspot.seedContact({ firstname: 'Dana', lastname: 'Whitfield', phone: '+1 415-555-0134' });
  const spouse = hubspot.seedContact({
    firstname: 'Sam',
    lastname: 'Whitfield',
    mobilephone: '4155550134',
  });
  const options = await startWithRoutes(context, extensionId, {
    'https://api.hubapi.com': hubspot.url,
  });
  await connectHubSpot(options, HUBSPOT_TOKEN, '4242');

  await captureCall(options, { from: '(415) 555-0134', callerName: 'S. Whitfield' });
  const { detail, sidebar } = await recordNoAnswer(context, extensionId, 'S. Whitfield');
  const panel = detail.getByRole('group', { name: 'HubSpot sync' });
  const question = panel.getByRole('group', { name: /2 HubSpot contacts have this number/ });
  await question.getByLabel(/Sam Whitfield/).check();
  await question.getByRole('button', { name: 'Use this contact' }).click();
  await expect(panel.getByRole('link', { name: 'Sam Whitfield' })).toHaveAttribute(
    'href',
    `https://app.hubspot.com/contacts/4242/record/0-1/${spouse.id}`,
  );
  const searches = hubspot.log.filter((l) => l.path === '/crm/v3/objects/contacts/search').length;

  // Opening the lead again does not ask (nor search) again.
  await sidebar.reload();
  await sidebar
    .getByRole('table', { name: 'Callback queue' })
    .getByRole('row')
    .filter({ hasText: 'S. Whitfield' })
    .click();
  const again = sidebar
    .getByRole('region', { name: 'S. Whitfield' })
    .getByRole('group', { name: 'HubSpot sync' });
  await expect(again.getByRole('link', { name: 'Sam Whitfield' })).toBeVisible();
  await again.getByRole('button', { name: 'Sync to HubSpot' }).click();
  await expect(again.getByRole('status')).toContainText('Synced to HubSpot at');
  expect(hubspot.log.filter((l) => l.path === '/crm/v3/objects/contacts/search')).toHaveLength(
    searches,
  );
  expect(hubspot.associatedWith(spouse.id, 'calls')).toHaveLength(1);
  hubspot.assertNoViolations();
});

test('HubSpot: Create contact and sync — the panel says the contact is being made, one contact carries source and practice area', async ({
  context,
  extensionId,
}) => {
  hubspot = await startHubSpotEmulator({ privateAppTokens: [HUBSPOT_TOKEN] });
  // Someone else's contact whose number only looks alike (another area code).
  hubspot.seedContact({ firstname: 'Other', lastname: 'Caller', phone: '(212) 555-0199' });
  const options = await startWithRoutes(context, extensionId, {
    'https://api.hubapi.com': hubspot.url,
  });
  await connectHubSpot(options, HUBSPOT_TOKEN, '4242');

  await captureCall(options, {
    from: '(415) 555-0199',
    callerName: 'Lee Marsh',
    source: 'Google Ads – PI',
    practiceArea: 'Personal injury',
  });
  const { detail } = await recordNoAnswer(context, extensionId, 'Lee Marsh');
  const panel = detail.getByRole('group', { name: 'HubSpot sync' });
  await expect(panel).toContainText('No HubSpot contact has this number.');
  // The answer to the create is lost: the contact (written as +14155550199) is looked up
  // by its number before anything else is sent, and found.
  hubspot.faults.push({ kind: 'drop-after', match: /POST \/crm\/v3\/objects\/contacts$/ });
  await panel.getByRole('button', { name: 'Create contact and sync to HubSpot' }).click();
  await expect(panel.getByRole('status')).toHaveText('Creating the HubSpot contact…');
  await expect(panel.getByRole('status')).toContainText('Synced to HubSpot at', {
    timeout: 60_000,
  });
  const contacts = hubspot.records('contacts').filter((c) => c.properties.lastname === 'Marsh');
  expect(contacts).toHaveLength(1);
  const [created] = contacts;
  expect(created!.properties).toMatchObject({ firstname: 'Lee', phone: '+14155550199' });
  await expect(panel.getByRole('link', { name: 'Lee Marsh' })).toHaveAttribute(
    'href',
    `https://app.hubspot.com/contacts/4242/record/0-1/${created!.id}`,
  );
  const bodies = hubspot
    .associatedWith(created!.id, 'notes')
    .map((n) => n.properties.hs_note_body ?? '');
  expect(bodies.filter((b) => b.includes('Source: Google Ads – PI'))).not.toHaveLength(0);
  expect(bodies.some((b) => b.includes('Practice area: Personal injury'))).toBe(true);
  expect(hubspot.associatedWith(created!.id, 'calls')).toHaveLength(1);
  hubspot.assertNoViolations();
});

test('HubSpot call log: a switch once HubSpot is connected, polled with its token; disconnecting stops it', async ({
  context,
  extensionId,
}) => {
  hubspot = await startHubSpotEmulator({ privateAppTokens: [HUBSPOT_TOKEN] });
  // The firm's phone integration logged an unanswered inbound call in HubSpot.
  hubspot.seedCall({
    hs_timestamp: String(Date.now() - 3 * 60_000),
    hs_call_direction: 'INBOUND',
    hs_call_status: 'NO_ANSWER',
    hs_call_from_number: '(646) 555-0142',
    hs_call_to_number: '(800) 555-0100',
  });
  const options = await startWithRoutes(context, extensionId, {
    'https://api.hubapi.com': hubspot.url,
  });
  const card = options.locator('fieldset[data-source="hubspot-calls"]');
  const callLog = card.getByRole('switch', { name: 'Add missed calls from the HubSpot call log' });
  await expect(card.getByRole('heading', { name: 'HubSpot call log' })).toBeVisible();
  await expect(callLog).toBeDisabled();
  await expect(card).toContainText('Connect HubSpot under CRM connections first.');

  // One token, pasted once, under CRM connections.
  const section = await connectHubSpot(options, HUBSPOT_TOKEN);
  await expect(callLog).toBeEnabled();
  await expect(card).not.toContainText('Connect HubSpot under CRM connections first.');

  await callLog.check();
  await expect(card.getByTestId('last-success')).toContainText('1 read, 1 new');
  await expect(card.getByTestId('last-error')).toHaveText('None');
  await expect(card.getByText('On', { exact: true })).toBeVisible();
  const sidebar = await extensionPage(context, extensionId, 'sidebar.html');
  await expect(
    sidebar.getByRole('table', { name: 'Callback queue' }).getByRole('row').filter({
      hasText: '(646) 555-0142',
    }),
  ).toBeVisible();
  expect(
    hubspot.log.filter((l) => l.path === '/crm/v3/objects/calls/search').map((l) => l.status),
  ).toEqual([200]);

  // Disconnecting HubSpot switches its call log off and forgets where polling got to.
  await section.getByRole('button', { name: 'Disconnect HubSpot' }).click();
  await expect(callLog).toBeDisabled();
  await expect(callLog).not.toBeChecked();
  await expect(card).toContainText('Connect HubSpot under CRM connections first.');
  const stored = await options.evaluate(() => chrome.storage.local.get('sourceConnections'));
  expect(stored.sourceConnections).not.toHaveProperty('hubspot-calls');
  hubspot.assertNoViolations();
});
