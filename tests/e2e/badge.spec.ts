import type { Page, Worker } from '@playwright/test';
import type { IncomingCall } from '../../utils/model';
import type { FirmSettings } from '../../utils/settings';
import { badgeText, expect, restartServiceWorker, test } from './fixtures';
import { allDayFirmSettings, noonTimeZone, saveFirmSettings, sendMessage } from './kit';

declare const chrome: typeof import('wxt/browser').browser;

const MINUTE = 60_000;

/**
 * Open around the clock, in a time zone where it is about noon now: the 00:00–23:59 hours
 * leave a minute's gap at midnight, and a test must not depend on the hour it runs at.
 */
function openAllDaySettings(): FirmSettings {
  return allDayFirmSettings({
    firmName: 'Whitfield & Cho LLP',
    timeZone: noonTimeZone(),
    notifyNewCalls: true,
  });
}

/** Send a message the way @webext-core/messaging does; the reply is `{res}` or `{err}`. */
const send = sendMessage;

interface CaptureReply {
  added: { leadId: string; callId: string }[];
  rejected: { index: number; error: string }[];
}

/** An extension page with our settings saved, to talk to the background from. */
async function extensionPage(page: Page, extensionId: string): Promise<Page> {
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  await saveFirmSettings(page, openAllDaySettings());
  return page;
}

function missedCall(minutesAgo: number, from = '(617) 555-0142'): IncomingCall {
  return {
    from,
    startedAt: Date.now() - minutesAgo * MINUTE,
    callerName: 'Maria Gonzalez',
    provider: 'manual',
    capturePath: 'manual',
    source: 'Website',
  };
}

/** Rows in one table of the extension's database, read with plain IndexedDB. */
function countRows(page: Page, table: 'leads' | 'calls'): Promise<number> {
  return page.evaluate(
    (table) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(table).objectStore(table).count();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
          request.onerror = () => reject(request.error);
        };
      }),
    table,
  );
}

const badgeTitle = (sw: Worker) => sw.evaluate(() => chrome.action.getTitle({}));
const notificationIds = (sw: Worker) =>
  sw.evaluate(async () => Object.keys(await chrome.notifications.getAll()));

test('a call 20 minutes old shows as 1 overdue; closing the lead clears the badge', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await extensionPage(await context.newPage(), extensionId);
  const reply = await send<CaptureReply>(page, 'captureCalls', [missedCall(20)]);
  expect(reply.err).toBeUndefined();
  const [added] = reply.res!.added;
  expect(added).toBeDefined();

  await expect.poll(() => badgeText(serviceWorker)).toBe('1');
  await expect.poll(() => badgeTitle(serviceWorker)).toContain('1 overdue');
  // One notification per new missed call, which a click maps back to its lead.
  await expect
    .poll(() => notificationIds(serviceWorker))
    .toContain(`lead:${added!.leadId}:${added!.callId}`);

  const closed = await send<{ status: string }>(page, 'patchLead', {
    leadId: added!.leadId,
    status: 'done',
  });
  expect(closed.err).toBeUndefined();
  expect(closed.res?.status).toBe('done');
  await expect.poll(() => badgeText(serviceWorker)).toBe('');
  await expect.poll(() => badgeTitle(serviceWorker)).toContain('0 overdue');
});

test('a call 2 minutes old shows no badge, and the tooltip says it is due soon', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await extensionPage(await context.newPage(), extensionId);
  const reply = await send<CaptureReply>(page, 'captureCalls', [missedCall(2)]);
  expect(reply.res?.added).toHaveLength(1);

  await expect.poll(() => badgeTitle(serviceWorker)).toContain('1 due within 15 min');
  expect(await badgeTitle(serviceWorker)).toContain('0 overdue');
  expect(await badgeText(serviceWorker)).toBe('');
});

test('a malformed captureCalls message is rejected with a clear error and stores nothing', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await extensionPage(await context.newPage(), extensionId);

  const notAList = await send<CaptureReply>(page, 'captureCalls', 'not a list of calls');
  expect(notAList.res).toBeUndefined();
  expect(notAList.err?.message).toMatch(/expected array/i);

  const garbage = await send<CaptureReply>(page, 'captureCalls', [
    { from: 6175550142, startedAt: Date.now(), provider: 'manual', capturePath: 'manual' },
    { from: '(617) 555-0199', startedAt: 'yesterday', provider: 'manual', capturePath: 'manual' },
    { from: '(617) 555-0100', startedAt: Date.now(), provider: 'manual', capturePath: 'fax' },
  ]);
  expect(garbage.err).toBeUndefined();
  expect(garbage.res?.added).toEqual([]);
  expect(garbage.res?.rejected.map((r) => r.index)).toEqual([0, 1, 2]);
  expect(garbage.res?.rejected[0]?.error).toMatch(/^from: /);
  expect(garbage.res?.rejected[1]?.error).toMatch(/^startedAt: /);
  expect(garbage.res?.rejected[2]?.error).toMatch(/^capturePath: /);

  expect(await countRows(page, 'leads')).toBe(0);
  expect(await countRows(page, 'calls')).toBe(0);
  expect(await notificationIds(serviceWorker)).toEqual([]);
  expect(await badgeText(serviceWorker)).toBe('');
});

test('the badge is recomputed from the database when the service worker restarts', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const page = await extensionPage(await context.newPage(), extensionId);
  await send(page, 'captureCalls', [missedCall(20), missedCall(30, '(857) 555-0100')]);
  await expect.poll(() => badgeText(serviceWorker)).toBe('2');

  // Wipe what the old worker drew, so only a recomputation can bring the count back.
  await serviceWorker.evaluate(() => chrome.action.setBadgeText({ text: '' }));
  const restarted = await restartServiceWorker(context, page);
  await expect.poll(() => badgeText(restarted)).toBe('2');
  await expect.poll(() => badgeTitle(restarted)).toContain('2 overdue');
});
