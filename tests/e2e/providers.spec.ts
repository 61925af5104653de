import type { Page } from '@playwright/test';
import { startAircall, startRingCentral } from '../emulators/providers';
import { expect, restartServiceWorker, test } from './fixtures';
import {
  aircallAt,
  connectProvider,
  emulatorsClosedAfterEach,
  extensionPage,
  grantHost,
} from './kit';

declare const chrome: typeof import('wxt/browser').browser;

interface Stored {
  leads: number;
  openLeads: number;
  calls: number;
  callKeys: string[];
  secrets: string[];
  cursors: string[];
}

/** What the extension's database holds, read with plain IndexedDB from an extension page. */
function stored(page: Page): Promise<Stored> {
  return page.evaluate(
    () =>
      new Promise<Stored>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const idb = open.result;
          const tx = idb.transaction(['leads', 'calls', 'secrets', 'cursors']);
          const all = (name: string) =>
            new Promise<Record<string, unknown>[]>((ok) => {
              const r = tx.objectStore(name).getAll();
              r.onsuccess = () => ok(r.result as Record<string, unknown>[]);
            });
          void Promise.all([all('leads'), all('calls'), all('secrets'), all('cursors')]).then(
            ([leads, calls, secrets, cursors]) => {
              idb.close();
              resolve({
                leads: leads.length,
                openLeads: leads.filter((l) => l.status !== 'done').length,
                calls: calls.length,
                callKeys: calls.map((c) => String(c.providerKey)),
                secrets: secrets.map((s) => String(s.key)),
                cursors: cursors.map((c) => String(c.sourceId)),
              });
            },
          );
        };
      }),
  );
}

/** The `pollNow` message as the Options page sends it (@webext-core/messaging wire format). */
async function pollNow(page: Page, sourceId: string): Promise<{ status: string }[]> {
  const reply = (await page.evaluate(
    (id) =>
      chrome.runtime.sendMessage({
        id: Date.now(),
        type: 'pollNow',
        data: { sourceId: id },
        timestamp: Date.now(),
      }),
    sourceId,
  )) as { res?: { status: string }[] } | undefined;
  return reply?.res ?? [];
}

const minutesAgo = (m: number) => Date.now() - m * 60_000;
const emulators = emulatorsClosedAfterEach(test);

test('connect Aircall at the emulator: missed calls reach the queue once, through faults and a worker restart', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  // Real backoff between in-process retries and a worker restart: about half a minute.
  test.slow();
  const aircall = await startAircall();
  emulators.push(aircall);
  aircall.state.addCall({ from: '+12125551001', name: 'Ann Lee', at: minutesAgo(20) });
  aircall.state.addCall({
    from: '+12125551002',
    name: 'Bo Chen',
    at: minutesAgo(12),
    outcome: 'voicemail',
  });
  aircall.state.addCall({ from: '+12125551003', at: minutesAgo(9), outcome: 'answered' });

  const { options, card } = await connectProvider(context, extensionId, aircallAt(aircall.url));
  await expect(card.getByTestId('account')).toHaveText('Connected to Aircall (3 calls on record).');
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();

  // Connecting polls at once: both missed callers are in the queue; the answered caller is not.
  const sidebar = await openSidebar();
  const queue = sidebar.getByRole('table', { name: 'Callback queue' });
  await expect(queue.getByRole('row').filter({ hasText: 'Ann Lee' })).toBeVisible();
  await expect(queue.getByRole('row').filter({ hasText: 'Bo Chen' })).toBeVisible();
  await expect(card.getByTestId('last-success')).toContainText('3 read, 2 new');
  await expect(card.getByTestId('last-error')).toHaveText('None');

  // New calls arrive while the API misbehaves; the service worker is also killed midway.
  const faults = [
    { kind: '429', retryAfterSeconds: 1 },
    { kind: '500', times: 3 },
    { kind: 'malformed' },
    { kind: 'drop' },
    { kind: 'slow', delayMs: 500 },
  ] as const;
  for (const [i, from] of [
    '+12125552001',
    '+12125552002',
    '+12125552003',
    '+12125552004',
  ].entries()) {
    aircall.state.addCall({ from, name: `Wave Caller ${i + 1}`, at: minutesAgo(2) });
  }
  aircall.state.faults.push(...faults.map((f) => ({ ...f })));
  await pollNow(options, 'aircall');
  await restartServiceWorker(context, options);
  aircall.state.faults.push(...faults.map((f) => ({ ...f })));
  aircall.state.addCall({ from: '+12125551001', at: minutesAgo(1) }); // Ann again: joins her open lead

  // Keep asking (as the alarm would); waits set by Retry-After/backoff are respected by the poller.
  await expect
    .poll(
      async () => {
        await pollNow(options, 'aircall').catch(() => undefined);
        return (await stored(options)).calls;
      },
      { timeout: 45_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe(7);
  // Every injected fault is used up by further polls; still nothing is added twice.
  await expect
    .poll(
      async () => {
        const [outcome] = await pollNow(options, 'aircall').catch(() => []);
        return aircall.state.faults.length === 0 && outcome?.status === 'ok';
      },
      { timeout: 45_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe(true);
  const after = await stored(options);
  expect(after).toMatchObject({ calls: 7, leads: 6 });
  expect(new Set(after.callKeys).size).toBe(7);
  expect(aircall.state.requests.filter((r) => r.fault && r.fault !== 'slow')).toHaveLength(12);
  await expect(queue.getByRole('row').filter({ hasText: 'Wave Caller 4' })).toBeVisible();
  await expect(queue.getByRole('row').filter({ hasText: 'Ann Lee' })).toHaveCount(1);
  await expect(card.getByTestId('last-error')).toHaveText('None');
  // Every poll reads Aircall's last 4 hours again (a call's outcome comes late): all 8 calls.
  await expect(card.getByTestId('last-success')).toContainText('8 read, 0 new');
});

test('wrong credentials are refused with a clear message and nothing is saved; disconnect forgets everything', async ({
  context,
  extensionId,
}) => {
  const aircall = await startAircall();
  emulators.push(aircall);
  aircall.state.addCall({ from: '+12125553001', at: minutesAgo(3) });
  await grantHost(context, extensionId, 'http://127.0.0.1/*');
  const options = await extensionPage(context, extensionId, 'options.html');
  const card = options.locator('fieldset[data-source="aircall"]');

  await card.getByRole('button', { name: 'Connect Aircall' }).click();
  await expect(card.getByText('API ID is required')).toBeVisible();

  await card.getByLabel('API ID').fill('aircall-id');
  await card.getByLabel('API token').fill('not-the-token');
  await card.getByText('Advanced: API base URL').click();
  await card.getByLabel('API base URL').fill(aircall.url);
  await card.getByRole('button', { name: 'Connect Aircall' }).click();
  await expect(card.getByRole('status')).toContainText('rejected the credentials (401');
  expect((await stored(options)).secrets).toEqual([]);

  await card.getByLabel('API token').fill('aircall-token');
  await card.getByRole('button', { name: 'Connect Aircall' }).click();
  await expect(card.getByTestId('last-success')).toContainText('1 new');
  expect(await stored(options)).toMatchObject({
    secrets: ['source:aircall'],
    cursors: expect.arrayContaining(['aircall']),
  });

  await card.getByRole('button', { name: 'Test connection' }).click();
  await expect(card.getByRole('status')).toHaveText('Connected to Aircall (1 calls on record).');

  await card.getByRole('button', { name: 'Disconnect' }).click();
  await card.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(card.getByRole('button', { name: 'Connect Aircall' })).toBeVisible();
  const after = await stored(options);
  expect(after.secrets).toEqual([]);
  expect(after.cursors).not.toContain('aircall');
  // The calls already captured stay in the queue.
  expect(after.calls).toBe(1);
});

test('RingCentral sign-in with PKCE through launchWebAuthFlow, then polling', async ({
  context,
  extensionId,
}) => {
  const rc = await startRingCentral({ clientId: 'firm-rc-app' });
  emulators.push(rc);
  rc.state.addCall({ from: '+13125550101', name: 'Cy Dorn', at: minutesAgo(4) });
  await grantHost(context, extensionId, 'http://127.0.0.1/*');
  const options = await extensionPage(context, extensionId, 'options.html');
  const card = options.locator('fieldset[data-source="ringcentral"]');
  await expect(card.getByText(`https://${extensionId}.chromiumapp.org/`)).toBeVisible();
  await card.getByLabel('Client ID').fill('firm-rc-app');
  await card.getByText('Advanced: API base URL').click();
  await card.getByLabel('API base URL').fill(rc.url);
  await card.getByRole('button', { name: 'Sign in to RingCentral' }).click();
  await expect(card.getByTestId('account')).toHaveText(
    'Signed in to RingCentral as Front Desk (ext. 101).',
  );
  // The emulator checked the PKCE verifier against the challenge before issuing tokens.
  expect(rc.oauth.issued).toBe(1);
  await expect(card.getByTestId('last-success')).toContainText('1 new');
});

test('a record the API sends broken is skipped and shown on the source’s status; the other calls reach the queue', async ({
  context,
  extensionId,
}) => {
  const aircall = await startAircall();
  emulators.push(aircall);
  aircall.state.addCall({ from: '+12125554001', name: 'Di Egan', at: minutesAgo(6) });
  const broken = aircall.state.addCall({ from: '+12125554002', at: minutesAgo(5) });
  (broken as { direction: unknown }).direction = null;
  const { options, card } = await connectProvider(context, extensionId, aircallAt(aircall.url));

  await expect(card.getByTestId('last-success')).toContainText('1 read, 1 new');
  await expect(card.getByTestId('last-error')).toHaveText(
    `1 record could not be read: Aircall call ${broken.id}: direction is missing. The rest were read.`,
  );
  await expect(card.getByTestId('skipped-records')).toHaveText(
    `Aircall call ${broken.id}: direction is missing`,
  );
  expect(await stored(options)).toMatchObject({ calls: 1, leads: 1 });
});
