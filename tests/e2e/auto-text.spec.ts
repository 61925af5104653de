import { TZDate } from '@date-fns/tz';
import type { Worker } from '@playwright/test';
import { expect, restartServiceWorker, test } from './fixtures';
import { emulatorsClosedAfterEach } from './kit';
import {
  AUTO_TEXT_ON,
  autoTextOfCall,
  connectTwilio,
  idbAll,
  idbPut,
  openPortal,
  setAutoText,
  setFirmSettings,
  showMissedCall,
  type TwilioEmulator,
} from './autoTextKit';

/**
 * Automatic text within a minute of a missed call, end to end: a missed call appears on the
 * RingCentral portal page, the background decides and the message outbox sends it through
 * Twilio — at the emulator, whose Messages endpoint validates each request against Twilio's
 * OpenAPI document (tests/specs/twilio). Sending hours and the debounce are set so nothing
 * waits longer than needed (5 s debounce; hours that open a minute from now).
 */

const emulators = emulatorsClosedAfterEach(test);

function sentTo(twilio: TwilioEmulator): string[] {
  return twilio.sms.sent.filter((s) => s.direction === 'outbound').map((s) => s.to);
}

async function textJobs(sw: Worker): Promise<Record<string, unknown>[]> {
  return idbAll(sw, 'messages');
}

test('switched on in Options, a missed call on the portal gets exactly one text within the minute', async ({
  context,
  serviceWorker: sw,
  extensionId,
}) => {
  await setFirmSettings(sw);
  const { twilio, options } = await connectTwilio(context, extensionId);
  emulators.push(twilio);

  // Off by default; the firm switches it on and sees what it needs.
  const section = options.locator('section#auto-text');
  await expect(section).toContainText('It needs a browser running with Callback Desk');
  await expect(section.getByText('No automatic text has gone out yet.')).toBeVisible();
  await expect(section.getByText(/Texts go out through Twilio from \+1/)).toBeVisible();
  const toggle = section.getByLabel('Send an automatic text after each missed call');
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await section.getByLabel('Wait before texting').fill('5');
  await section.getByLabel('Text only from').fill('00:00');
  await section.getByLabel('until').fill('23:59');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const portal = await openPortal(context);
  const shownAt = Date.now();
  await showMissedCall(portal, { id: 'AUTO-1', name: 'Maria Gonzalez', number: '(415) 555-0132' });

  await expect.poll(() => sentTo(twilio), { timeout: 60_000 }).toEqual(['+14155550132']);
  const receivedAt = twilio.sms.sent[0]!.at;
  expect(receivedAt - shownAt).toBeLessThan(60_000);
  expect(twilio.sms.sent[0]!.body).toContain('We missed your call. We are returning it now.');
  expect(twilio.sms.violations).toEqual([]);

  // Recorded as an automatic attempt, not a callback; Options shows when it went and to whom.
  await expect
    .poll(async () => (await idbAll(sw, 'attempts')).map((a) => [a.method, a.automatic]))
    .toEqual([['text', true]]);
  const [lead] = await idbAll(sw, 'leads');
  expect(lead!.attemptCount).toBe(0);
  await expect(section.getByText(/Last automatic text: .* to \+1 415 ••••• 32\./)).toBeVisible();

  // The page re-reads the row: still one text.
  await portal.reload();
  await showMissedCall(portal, { id: 'AUTO-1', name: 'Maria Gonzalez', number: '(415) 555-0132' });
  await expect.poll(async () => (await idbAll(sw, 'calls')).length).toBe(1);
  expect(sentTo(twilio)).toEqual(['+14155550132']);
});

test('no text to a number that opted out', async ({ context, serviceWorker: sw, extensionId }) => {
  await setFirmSettings(sw);
  const { twilio } = await connectTwilio(context, extensionId);
  emulators.push(twilio);
  await setAutoText(sw, AUTO_TEXT_ON);
  await idbPut(sw, 'optOuts', {
    phoneKey: '+14155550177',
    reason: 'Replied STOP',
    source: 'inbound-stop',
    at: Date.now() - 86_400_000,
  });
  const portal = await openPortal(context);
  await showMissedCall(portal, { id: 'STOP-1', number: '(415) 555-0177' });
  // A second caller's text shows the pipeline ran past the opted-out one.
  await showMissedCall(portal, { id: 'OK-1', number: '(415) 555-0178' });

  await expect
    .poll(() => autoTextOfCall(sw, '+14155550177'))
    .toMatchObject({ state: 'skipped', reason: 'opted-out' });
  await expect.poll(() => sentTo(twilio), { timeout: 60_000 }).toEqual(['+14155550178']);
  expect((await textJobs(sw)).map((j) => j.to)).toEqual(['+14155550178']);
});

/** A caller zone whose local time is between 01:00 and 21:00 now, and a number in it. */
function callerInDaytime(now: number): { zone: string; number: string; e164: string } {
  const candidates = [
    { zone: 'America/Los_Angeles', number: '(415) 555-0140', e164: '+14155550140' },
    { zone: 'America/Chicago', number: '(312) 555-0140', e164: '+13125550140' },
    { zone: 'America/New_York', number: '(212) 555-0140', e164: '+12125550140' },
    { zone: 'Pacific/Honolulu', number: '(808) 555-0140', e164: '+18085550140' },
  ];
  const pick = candidates.find((c) => {
    const hour = new TZDate(now, c.zone).getHours();
    return hour >= 1 && hour < 21;
  });
  return pick ?? candidates[0]!;
}

const hhmm = (d: TZDate) =>
  `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

test('in the caller’s quiet hours the text is held, then sent at the first allowed minute', async ({
  context,
  serviceWorker: sw,
  extensionId,
}) => {
  test.setTimeout(180_000);
  await setFirmSettings(sw);
  const { twilio } = await connectTwilio(context, extensionId);
  emulators.push(twilio);

  // Sending hours open at the caller's next full minute at least 40 s away.
  const caller = callerInDaytime(Date.now());
  const local = new TZDate(Date.now() + 40_000, caller.zone);
  const opens = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    local.getHours(),
    local.getMinutes() + 1,
    caller.zone,
  );
  await setAutoText(sw, { ...AUTO_TEXT_ON, sendFrom: hhmm(opens), sendUntil: '23:59' });

  const portal = await openPortal(context);
  await showMissedCall(portal, { id: 'QUIET-1', number: caller.number });
  await expect
    .poll(() => autoTextOfCall(sw, caller.e164), { timeout: 30_000 })
    .toMatchObject({ state: 'held', until: opens.getTime(), zones: [caller.zone] });
  expect(sentTo(twilio)).toEqual([]);

  await expect
    .poll(() => sentTo(twilio), { timeout: opens.getTime() - Date.now() + 30_000 })
    .toEqual([caller.e164]);
  expect(twilio.sms.sent[0]!.at).toBeGreaterThanOrEqual(opens.getTime());
  expect(twilio.sms.violations).toEqual([]);
});

test('a worker stopped during the debounce and again after sending still sends exactly one', async ({
  context,
  serviceWorker: sw,
  extensionId,
}) => {
  await setFirmSettings(sw);
  const { twilio, options } = await connectTwilio(context, extensionId);
  emulators.push(twilio);
  await setAutoText(sw, { ...AUTO_TEXT_ON, debounceSeconds: 10 });
  const portal = await openPortal(context);
  await showMissedCall(portal, { id: 'RESTART-1', number: '(415) 555-0190' });

  // The decision is durable before the text goes: the worker is stopped while it waits.
  await expect.poll(() => autoTextOfCall(sw, '+14155550190')).toMatchObject({ state: 'waiting' });
  let worker = await restartServiceWorker(context, options);
  await expect.poll(() => sentTo(twilio), { timeout: 60_000 }).toEqual(['+14155550190']);

  // Stopped again after the send: the new worker finds nothing left to send.
  worker = await restartServiceWorker(context, options);
  await expect.poll(async () => (await textJobs(worker)).map((j) => j.state)).toEqual(['sent']);
  await expect
    .poll(() => worker.evaluate(() => chrome.storage.local.get('autoTextPending')))
    .toEqual({ autoTextPending: [] });
  expect(sentTo(twilio)).toEqual(['+14155550190']);
});

test('calls that came while nothing could send are marked "No auto-text sent" in the queue and on the lead', async ({
  serviceWorker: sw,
  context,
  openSidebar,
}) => {
  // Switched on, but no texting provider is connected.
  await setFirmSettings(sw);
  await setAutoText(sw, { ...AUTO_TEXT_ON, enabledAt: Date.now() - 3_600_000 });
  const portal = await openPortal(context);
  await showMissedCall(portal, { id: 'NOCONN-1', name: 'Ana Ruiz', number: '(415) 555-0150' });
  // And the browser was closed when this one came in: the page shows it 20 minutes later.
  await showMissedCall(portal, {
    id: 'LATE-1',
    name: 'Ben Ode',
    number: '(415) 555-0151',
    at: Date.now() - 20 * 60_000,
  });
  await expect
    .poll(async () =>
      (await idbAll(sw, 'leads')).map((l) => (l.noAutoText as { reason?: string })?.reason).sort(),
    )
    .toEqual(['captured-late', 'no-sms-connection']);

  const sidebar = await openSidebar();
  const queue = sidebar.getByRole('table', { name: 'Callback queue' });
  for (const name of ['Ana Ruiz', 'Ben Ode'])
    await expect(
      queue.getByRole('row').filter({ hasText: name }).getByText('No auto-text sent — text first'),
    ).toBeVisible();
  await queue.getByRole('row').filter({ hasText: 'Ben Ode' }).getByText('Ben Ode').click();
  await expect(sidebar.getByText('No auto-text sent — text this caller first.')).toBeVisible();
});

declare const chrome: typeof import('wxt/browser').browser;
