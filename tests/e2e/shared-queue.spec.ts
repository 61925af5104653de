import type { BrowserContext, Page } from '@playwright/test';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import {
  expect,
  launchWithExtension,
  restartServiceWorker,
  serviceWorkerOf,
  test,
} from './fixtures';

declare const chrome: typeof import('wxt/browser').browser & {
  developerPrivate: { addHostPermission(extensionId: string, host: string): Promise<void> };
};

/**
 * Two colleagues, two browser profiles (two persistent contexts, each with the extension),
 * one HubSpot: both contexts route https://api.hubapi.com to the SAME emulator instance,
 * so they share its records and its rate windows, as two browsers of one firm share the
 * portal. "Refresh shared queue" (Options) reads at once instead of at the next minute.
 */

const allDay = [{ open: '00:00', close: '23:59' }];
const settingsFor = (me: 'ana' | 'ben') => ({
  firmName: 'Whitfield & Park Injury Law',
  timeZone: 'UTC',
  defaultCountry: 'US',
  weeklyHours: [allDay, allDay, allDay, allDay, allDay, allDay, allDay],
  holidays: [],
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
  sourceRules: [],
  practiceAreas: ['Personal injury'],
  sources: ['Website'],
  // Each browser's round robin starts with its own user, so a new lead is theirs to take
  // ("I'll call back") in both browsers: the claims then meet in the CRM task.
  staff:
    me === 'ana'
      ? [
          { id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' },
          { id: 'ben', name: 'Ben Okafor', email: 'ben@firm.example' },
        ]
      : [
          { id: 'ben', name: 'Ben Okafor', email: 'ben@firm.example' },
          { id: 'ana', name: 'Ana Lopez', email: 'ana@firm.example' },
        ],
  currentStaffId: me,
  notifyNewCalls: false,
  dedupeWindowSeconds: 120,
});

const TOKEN = 'pat-na1-shared-e2e';

/** A HubSpot task body (HTML) as text. */
const htmlToText = (html: string) =>
  html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&');

interface Profile {
  context: BrowserContext;
  id: string;
  options: Page;
  sidebar: Page;
}

async function routeHubSpot(context: BrowserContext, emulatorUrl: string) {
  await context.route('https://api.hubapi.com/**', async (route) => {
    const url = new URL(route.request().url());
    try {
      const response = await route.fetch({
        url: `${emulatorUrl}${url.pathname}${url.search}`,
        timeout: 60_000,
      });
      await route.fulfill({ response });
    } catch {
      await route.abort('connectionreset').catch(() => undefined);
    }
  });
}

/** A profile for `me`: HubSpot connected (the firm's token), the queue shared. */
async function profile(hubspot: HubSpotEmulator, me: 'ana' | 'ben'): Promise<Profile> {
  const context = await launchWithExtension();
  const id = (await serviceWorkerOf(context)).url().split('/')[2]!;
  await routeHubSpot(context, hubspot.url);
  const grant = await context.newPage();
  await grant.goto(`chrome://extensions/?id=${id}`);
  await grant.evaluate(
    ([extensionId, host]) => chrome.developerPrivate.addHostPermission(extensionId!, host!),
    [id, 'https://api.hubapi.com/*'],
  );
  await grant.close();
  const options = await context.newPage();
  await options.goto(`chrome-extension://${id}/options.html`);
  await options.evaluate(
    (settings) => chrome.storage.local.set({ firmSettings: settings, firmSettings$: { v: 1 } }),
    settingsFor(me),
  );
  await restartServiceWorker(context, options);
  await options.reload();
  const crm = options
    .getByRole('region', { name: 'CRM connections' })
    .getByRole('group', { name: 'HubSpot', exact: true });
  await crm.getByLabel('Private-app access token').fill(TOKEN);
  await crm.getByLabel('Account ID (for links to records)').fill('4242');
  await crm.getByRole('button', { name: 'Connect HubSpot' }).click();
  await expect(crm).toContainText('Connected to HubSpot account 4242');
  const shared = options.getByRole('region', { name: 'Share the queue through HubSpot / Clio' });
  await shared.getByRole('checkbox', { name: /Share the queue through HubSpot/ }).check();
  await expect(shared.getByRole('status')).toContainText('Sharing through HubSpot');
  const sidebar = await context.newPage();
  await sidebar.goto(`chrome-extension://${id}/sidebar.html`);
  return { context, id, options, sidebar };
}

async function refresh(p: Profile) {
  const shared = p.options.getByRole('region', { name: 'Share the queue through HubSpot / Clio' });
  await shared.getByRole('button', { name: 'Refresh shared queue' }).click();
  await expect(shared.getByRole('status')).toContainText(/Read \d+ changed task/);
}

async function captureCall(p: Profile, from: string, callerName: string, startedAt: number) {
  const reply = await p.options.evaluate(
    (call) =>
      chrome.runtime.sendMessage({
        id: 1,
        type: 'captureCalls',
        timestamp: Date.now(),
        data: [{ ...call, provider: 'ringcentral', capturePath: 'manual' }],
      }),
    { from, callerName, startedAt },
  );
  expect(reply).toMatchObject({ res: { added: [expect.anything()] } });
}

const queueRow = (p: Profile, name: string) =>
  p.sidebar
    .getByRole('table', { name: 'Callback queue' })
    .getByRole('row')
    .filter({ hasText: name });

async function openLead(p: Profile, name: string) {
  await queueRow(p, name).click();
  return p.sidebar.getByRole('region', { name });
}

const openTasks = (hubspot: HubSpotEmulator) =>
  hubspot.records('tasks').filter((t) => t.properties.hs_task_status !== 'COMPLETED');

let hubspot: HubSpotEmulator | undefined;
const profiles: Profile[] = [];
test.afterEach(async () => {
  for (const p of profiles.splice(0)) await p.context.close();
  await hubspot?.close();
  hubspot = undefined;
});

test('a call captured in A appears in B within one read; B claims it and A shows "claimed by"', async () => {
  hubspot = await startHubSpotEmulator({ privateAppTokens: [TOKEN] });
  const a = await profile(hubspot, 'ana');
  const b = await profile(hubspot, 'ben');
  profiles.push(a, b);

  await captureCall(a, '(415) 555-0134', 'Dana Whitfield', Date.now() - 60_000);
  // A shares it by itself shortly after capture: one task, with our marker.
  await expect.poll(() => hubspot!.records('tasks').length, { timeout: 20_000 }).toBe(1);
  expect(htmlToText(hubspot.records('tasks')[0]!.properties.hs_task_body ?? '')).toContain(
    'ref cbdqueue cbdqc14155550134',
  );

  await refresh(b);
  await expect(queueRow(b, 'Dana Whitfield')).toBeVisible();

  const detail = await openLead(b, 'Dana Whitfield');
  await detail.getByRole('button', { name: 'Claim', exact: true }).click();
  await expect(detail).toContainText('Claimed by you');
  // The claim is in the task: Ben is its owner, and its text says who and when.
  await expect
    .poll(() => openTasks(hubspot!)[0]!.properties.hubspot_owner_id, { timeout: 15_000 })
    .toBe('102');
  expect(htmlToText(openTasks(hubspot)[0]!.properties.hs_task_body ?? '')).toContain(
    'Claimed by: Ben Okafor [ben]',
  );

  await refresh(a);
  const inA = await openLead(a, 'Dana Whitfield');
  await expect(inA).toContainText('Claimed by Ben Okafor');
  await expect(inA.getByText('Claimed by you')).toHaveCount(0);
  hubspot.assertNoViolations();
});

test('both capture the same call → one task; both claim at once → one winner, the other told', async () => {
  // HubSpot's search index lags: both browsers create before either task is searchable.
  hubspot = await startHubSpotEmulator({ privateAppTokens: [TOKEN], searchLagMs: 8_000 });
  const a = await profile(hubspot, 'ana');
  const b = await profile(hubspot, 'ben');
  profiles.push(a, b);

  // The same missed call, seen on both portals (times a few seconds apart).
  const at = Date.now() - 90_000;
  await Promise.all([
    captureCall(a, '(415) 555-0177', 'Marco Diaz', at),
    captureCall(b, '+1 415 555 0177', 'Marco Diaz', at + 20_000),
  ]);
  await expect.poll(() => hubspot!.records('tasks').length, { timeout: 20_000 }).toBe(2);
  const [low] = hubspot
    .records('tasks')
    .map((t) => Number(t.id))
    .sort((x, y) => x - y);

  // Once the index shows both, a read in each browser keeps the lowest id.
  await expect
    .poll(
      async () => {
        await refresh(a);
        await refresh(b);
        return openTasks(hubspot!).map((t) => Number(t.id));
      },
      { timeout: 40_000, intervals: [3_000] },
    )
    .toEqual([low]);
  const duplicate = hubspot.records('tasks').find((t) => Number(t.id) !== low)!;
  expect(htmlToText(duplicate.properties.hs_task_body ?? '')).toContain(`Duplicate of task ${low}`);
  await expect(queueRow(a, 'Marco Diaz')).toHaveCount(1);
  await expect(queueRow(b, 'Marco Diaz')).toHaveCount(1);

  // Both press Claim at the same moment.
  const [inA, inB] = [await openLead(a, 'Marco Diaz'), await openLead(b, 'Marco Diaz')];
  await Promise.all([
    inA.getByRole('button', { name: 'Claim', exact: true }).click(),
    inB.getByRole('button', { name: 'Claim', exact: true }).click(),
  ]);
  // The CRM task decides: one claim stands, and the other browser gives way to it.
  const claimers = async () =>
    Promise.all(
      [inA, inB].map(async (detail, i) => {
        const text = (await detail.textContent()) ?? '';
        if (text.includes('Claimed by you')) return i === 0 ? 'Ana Lopez' : 'Ben Okafor';
        return /Claimed by (Ana Lopez|Ben Okafor) ·/.exec(text)?.[1] ?? null;
      }),
    );
  await expect
    .poll(
      async () => {
        const [x, y] = await claimers();
        return x !== null && x === y;
      },
      { timeout: 45_000, intervals: [1_000] },
    )
    .toBe(true);
  const [stands] = await claimers();
  expect(
    /Claimed by: (Ana Lopez|Ben Okafor)/.exec(
      htmlToText(openTasks(hubspot)[0]!.properties.hs_task_body ?? ''),
    )?.[1],
  ).toBe(stands);
  const winner = stands === 'Ana Lopez' ? a : b;
  const [winnerDetail, loserDetail] = stands === 'Ana Lopez' ? [inA, inB] : [inB, inA];
  await expect(winnerDetail).toContainText('Claimed by you');
  await expect(loserDetail).toContainText(`Claimed by ${stands!}`);
  await expect(loserDetail.getByText('Claimed by you')).toHaveCount(0);
  // The loser is told at once, on the lead where they pressed Claim, who has it.
  await expect(loserDetail.getByRole('alert')).toHaveText(`${stands!} claimed this a moment ago.`);
  await expect(winnerDetail.getByRole('alert')).toHaveCount(0);
  const told = async (p: Profile) =>
    (await serviceWorkerOf(p.context)).evaluate(() =>
      chrome.notifications.getAll().then((all) => Object.keys(all)),
    );
  expect(await told(winner)).not.toContainEqual(expect.stringMatching(/^shared-lost:/));
  hubspot.assertNoViolations();
});
