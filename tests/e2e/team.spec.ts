import type { Page } from '@playwright/test';
import type { IncomingCall } from '../../utils/model';
import type { FirmSettings } from '../../utils/settings';
import { expect, test } from './fixtures';

declare const chrome: typeof import('wxt/browser').browser;

const MINUTE = 60_000;

/** A firm in a zone where it is about noon now, open around the clock (or never: after hours). */
function firm(open: boolean, extra: Partial<FirmSettings> = {}): FirmSettings {
  const shift = 12 - new Date().getUTCHours();
  const timeZone = shift === 0 ? 'Etc/GMT' : shift > 0 ? `Etc/GMT-${shift}` : `Etc/GMT+${-shift}`;
  const allDay = open ? [{ open: '00:00', close: '23:59' }] : [];
  return {
    firmName: 'Whitfield & Cho LLP',
    timeZone,
    defaultCountry: 'US',
    weeklyHours: Array.from({ length: 7 }, () => allDay),
    holidays: [],
    sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
    sourceRules: [],
    practiceAreas: ['Personal injury', 'Family law'],
    sources: ['Website', 'Purchased leads'],
    staff: [
      { id: 'ana', name: 'Ana Lopez', role: 'intake' },
      { id: 'ben', name: 'Ben Ruiz', role: 'intake' },
      { id: 'sam', name: 'Sam Carter', role: 'attorney' },
    ],
    currentStaffId: 'ana',
    notifyNewCalls: false,
    dedupeWindowSeconds: 120,
    ...extra,
  };
}

function call(from: string, name: string, minutesAgo: number, dialedLine?: string): IncomingCall {
  return {
    from,
    startedAt: Date.now() - minutesAgo * MINUTE,
    callerName: name,
    provider: 'manual',
    capturePath: 'manual',
    ...(dialedLine ? { dialedLine } : {}),
  };
}

async function send<T>(page: Page, type: string, data: unknown): Promise<T> {
  const reply = await page.evaluate(
    ([type, data]) =>
      chrome.runtime.sendMessage({
        id: Math.floor(Math.random() * 1e9),
        type,
        data,
        timestamp: Date.now(),
      }) as Promise<{ res?: unknown; err?: unknown }>,
    [type, data] as const,
  );
  expect(reply.err).toBeUndefined();
  return reply.res as T;
}

async function sidebarWith(openSidebar: () => Promise<Page>, settings: FirmSettings) {
  const page = await openSidebar();
  await page.evaluate(
    (s) => chrome.storage.local.set({ firmSettings: s, firmSettings$: { v: 1 } }),
    settings,
  );
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Whitfield & Cho LLP');
  return page;
}

const queue = (page: Page) => page.getByRole('table', { name: 'Callback queue' });

test('Options: staff and the on-call rota are set up; a bad entry is shown next to its field and nothing is saved', async ({
  context,
  extensionId,
}) => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const team = page.getByRole('region', { name: 'Team' });
  await team.getByRole('button', { name: '+ Add staff member' }).click();
  await team.getByRole('button', { name: '+ Add staff member' }).click();
  const sam = team.getByRole('listitem', { name: 'Staff member 1' });
  const ana = team.getByRole('listitem', { name: 'Staff member 2' });
  await sam.getByLabel('Name').fill('Sam Carter');
  await sam.getByLabel('Email').fill('sam@firm');
  await sam.getByLabel('Role').selectOption('attorney');
  await ana.getByLabel('Name').fill('Ana Lopez');
  await ana
    .getByRole('group', { name: /Practice areas/ })
    .getByLabel('Family law')
    .check();
  await ana.getByLabel('Own working hours').check();
  await ana
    .getByRole('group', { name: 'Ana Lopez: working hours' })
    .getByLabel('Monday')
    .fill('9 to 5');

  const rota = team.getByRole('group', { name: 'Weekly on-call rota' });
  for (const day of ['Friday', 'Saturday', 'Sunday'])
    await rota.getByLabel(`${day} on call`).selectOption({ label: 'Sam Carter' });
  await team.getByRole('button', { name: '+ Add swap' }).click();
  const swap = team.getByRole('listitem', { name: 'Swap 1' });
  await swap.getByLabel('On-call day starting').fill('2026-12-24');

  await team.getByRole('button', { name: 'Save' }).click();
  await expect(team.getByRole('status').first()).toHaveText(/Nothing was saved/);
  await expect(sam.getByLabel('Email')).toHaveAccessibleDescription('Not an email address.');
  await expect(
    ana.getByRole('group', { name: 'Ana Lopez: working hours' }).getByLabel('Monday'),
  ).toHaveAccessibleDescription(/is not a time span: write it like 09:00-17:00/);
  await expect(swap.getByLabel('Covered by')).toHaveAccessibleDescription(
    'Choose who covers this day.',
  );
  const stored = () =>
    page.evaluate(async () => (await chrome.storage.local.get('firmSettings')).firmSettings);
  expect(((await stored()) as FirmSettings | undefined)?.staff ?? []).toHaveLength(0);

  await sam.getByLabel('Email').fill('sam@firm.example');
  await ana
    .getByRole('group', { name: 'Ana Lopez: working hours' })
    .getByLabel('Monday')
    .fill('09:00-13:00, 14:00-17:30');
  await swap.getByLabel('Covered by').selectOption({ label: 'Ana Lopez' });
  await team.getByRole('button', { name: 'Save' }).click();
  await expect(team.getByText('Saved.')).toBeVisible();

  const saved = (await stored()) as FirmSettings;
  expect(saved.staff).toMatchObject([
    { name: 'Sam Carter', email: 'sam@firm.example', role: 'attorney' },
    { name: 'Ana Lopez', role: 'intake', practiceAreas: ['Family law'] },
  ]);
  const [samId, anaId] = saved.staff.map((m) => m.id);
  expect(saved.staff[1]!.workingHours![1]).toEqual([
    { open: '09:00', close: '13:00' },
    { open: '14:00', close: '17:30' },
  ]);
  expect(saved.onCall?.weekly).toEqual([samId, null, null, null, null, samId, samId]);
  expect(saved.onCall?.swaps).toEqual([{ date: '2026-12-24', staffId: anaId }]);
});

test('a missed call after hours goes to whoever is on call, and the lead says so', async ({
  openSidebar,
}) => {
  const page = await sidebarWith(
    openSidebar,
    firm(false, { onCall: { handover: '08:00', weekly: Array(7).fill('sam'), swaps: [] } }),
  );
  await send(page, 'captureCalls', [call('(617) 555-0142', 'Dana Whitfield', 2)]);
  const row = queue(page).getByRole('row').filter({ hasText: 'Dana Whitfield' });
  await row.click();
  await expect(page.getByText('Assigned to Sam Carter: on call')).toBeVisible();
});

test('Next callback claims the most urgent lead that is mine or nobody’s and opens it', async ({
  openSidebar,
}) => {
  const page = await sidebarWith(
    openSidebar,
    firm(true, {
      sourceRules: [
        {
          id: 'p',
          line: '(800) 555-0100',
          source: 'Purchased leads',
          priority: false,
          assignTo: 'ben',
        },
      ],
    }),
  );
  // Oldest first: Ben's by the source rule, then round robin gives Ana, then Ben.
  await send(page, 'captureCalls', [call('(617) 555-0101', 'Bea Purchased', 10, '800-555-0100')]);
  await send(page, 'captureCalls', [call('(617) 555-0102', 'Carl Mine', 8)]);
  await send(page, 'captureCalls', [call('(617) 555-0103', 'Dora Bens', 2)]);
  await expect(queue(page).getByRole('row')).toHaveCount(4);

  await page.getByRole('button', { name: 'Next callback' }).click();
  const detail = page.locator('.lead-detail');
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText('Carl Mine');
  await expect(detail.getByText('Claimed by you')).toBeVisible();
  await expect(detail.getByText('Assigned to Ana Lopez: round robin')).toBeVisible();

  // Nothing else is mine or nobody's: Next callback says so.
  await detail.getByRole('button', { name: 'Queue' }).click();
  await page.getByRole('button', { name: 'Next callback' }).click();
  await expect(page.getByText('Nothing waiting for you')).toBeVisible();
});

test('Options lists the three keyboard commands with a link to change them', async ({
  context,
  extensionId,
}) => {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const section = page.getByRole('region', { name: 'Keyboard shortcuts' });
  const rows = section.getByRole('row');
  await expect(rows).toHaveCount(4);
  await expect(section.getByRole('cell', { name: 'Open the callback queue' })).toBeVisible();
  await expect(section.getByRole('cell', { name: /^Next callback/ })).toBeVisible();
  await expect(section.getByRole('cell', { name: /^Log outcome/ })).toBeVisible();
  await expect(
    section.getByRole('link', { name: /chrome:\/\/extensions\/shortcuts/ }),
  ).toBeVisible();
});
