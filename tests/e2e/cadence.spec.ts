import type { Locator, Page, Worker } from '@playwright/test';
import type { IncomingCall } from '../../utils/model';
import type { FirmSettings } from '../../utils/settings';
import { badgeText, expect, test } from './fixtures';
import { allDayFirmSettings, noonTimeZone, saveFirmSettings, sendMessage } from './kit';

declare const chrome: typeof import('wxt/browser').browser;

const MINUTE = 60_000;

/**
 * Open around the clock, in a time zone where it is about noon now: the 00:00–23:59 hours
 * leave a minute's gap at midnight, and the test must not depend on the hour it runs at.
 * The default cadence (no `cadence` stored: the settings' default applies).
 */
function settingsAtNoon(): FirmSettings {
  return allDayFirmSettings({
    firmName: 'Whitfield & Cho LLP',
    timeZone: noonTimeZone(),
    staff: [{ id: 'maria', name: 'Maria Lopez' }],
    currentStaffId: 'maria',
  });
}

function missedCall(minutesAgo: number, provider = 'manual'): IncomingCall {
  return {
    from: '(617) 555-0142',
    startedAt: Date.now() - minutesAgo * MINUTE,
    callerName: 'Dana Whitfield',
    provider,
    capturePath: provider === 'manual' ? 'manual' : 'api',
    source: 'Website',
  };
}

/** Report calls as the manual-entry form does; every one is added. */
async function capture(page: Page, calls: IncomingCall[]): Promise<void> {
  const reply = await sendMessage<{ added: unknown[] }>(page, 'captureCalls', calls);
  expect(reply.err).toBeUndefined();
  expect(reply.res?.added).toHaveLength(calls.length);
}

async function openSidebarWithSettings(openSidebar: () => Promise<Page>): Promise<Page> {
  const page = await openSidebar();
  await saveFirmSettings(page, settingsAtNoon());
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Whitfield & Cho LLP');
  return page;
}

/** "1:42 PM" (the firm's clock) for every minute from `from` to `to`. */
function clockTimes(page: Page, from: number, to: number): Promise<string[]> {
  return page.evaluate(
    ([from, to, timeZone]) => {
      const format = new Intl.DateTimeFormat(undefined, {
        timeZone,
        hour: 'numeric',
        minute: '2-digit',
      });
      const out = new Set<string>();
      for (let t = from; t <= to + 60_000; t += 60_000) out.add(format.format(Math.min(t, to)));
      return [...out];
    },
    [from, to, settingsAtNoon().timeZone] as const,
  );
}

const queue = (page: Page) => page.getByRole('table', { name: 'Callback queue' });
const row = (page: Page) => queue(page).getByRole('row').filter({ hasText: 'Dana Whitfield' });

/** Pick the attempt's method (the segmented control's label is what a user clicks). */
async function pickMethod(form: Locator, method: string) {
  await form
    .locator('.segmented label')
    .filter({ hasText: new RegExp(`^${method}$`) })
    .click();
  await expect(form.getByRole('radio', { name: method, exact: true })).toBeChecked();
}

async function record(detail: Locator, method: string, outcome: string) {
  const form = detail.getByRole('form', { name: 'Record an attempt' });
  await pickMethod(form, method);
  await form.getByLabel('Outcome').selectOption({ label: outcome });
  await form.getByRole('button', { name: 'Save attempt' }).click();
}

test('each attempt schedules the next step; after the last the lead is under No contact; a new call reopens it', async ({
  openSidebar,
  serviceWorker,
}: {
  openSidebar: () => Promise<Page>;
  serviceWorker: Worker;
}) => {
  const page = await openSidebarWithSettings(openSidebar);
  await capture(page, [missedCall(3)]);

  await expect(row(page)).toContainText('Step 1 of 3');
  await row(page).click();
  const detail = page.getByRole('region', { name: 'Dana Whitfield' });
  const cadence = detail.getByRole('region', { name: 'Follow-up cadence' });
  await expect(cadence).toContainText('Step 1 of 3 · Call · due');

  // Attempt 1: the lead shows step 2, its methods and its due time (an hour later).
  const before = Date.now();
  await record(detail, 'Call', 'No answer');
  await expect(cadence).toContainText('Step 2 of 3 · Call + voicemail + text · due');
  const due = await clockTimes(page, before + 60 * MINUTE, Date.now() + 60 * MINUTE);
  const shown = await cadence.locator('.cadence-next').innerText();
  expect(due.some((time) => shown.endsWith(`due ${time}`))).toBe(true);
  await expect(detail.getByRole('region', { name: 'Attempts and notes' })).toContainText(
    'Call · No answer',
  );

  // The queue shows the same next step.
  await detail.getByRole('button', { name: 'Queue' }).click();
  await expect(row(page)).toContainText('Step 2 of 3');
  await expect(row(page)).toContainText('Call + voicemail + text');

  // Steps 2 and 3 without contact: No contact.
  await row(page).click();
  await record(detail, 'Voicemail', 'Left voicemail');
  await expect(cadence).toContainText('Step 3 of 3 · Email · due');
  const form = detail.getByRole('form', { name: 'Record an attempt' });
  await pickMethod(form, 'Email');
  await form.getByLabel('Outcome').selectOption({ label: 'Sent (text/email)' });
  await expect(form).toContainText('Last step: without contact, the lead moves to No contact.');
  await form.getByRole('button', { name: 'Save attempt' }).click();
  await expect(cadence).toContainText(
    'No contact: all 3 steps went by without reaching the caller',
  );
  await expect(detail.locator('.lead-head')).toContainText('No contact');

  // Out of the queue and of the overdue badge, under the No contact filter with its count.
  await detail.getByRole('button', { name: 'Queue' }).click();
  await expect(page.locator('.counts')).toHaveText('0 open · 0 overdue');
  const chip = page.getByRole('checkbox', { name: /No contact/ });
  const chipLabel = page.locator('.chip-toggle').filter({ has: chip });
  await expect(chipLabel).toContainText('No contact 1');
  await expect(queue(page)).toHaveCount(0);
  await chipLabel.click();
  await expect(chip).toBeChecked();
  await expect(row(page)).toContainText('No contact');
  await expect(row(page)).toContainText('Cadence done');
  await expect.poll(() => badgeText(serviceWorker)).toBe('');

  // The caller rings again: the lead is back in the queue, the cadence from step 1.
  await capture(page, [missedCall(0)]);
  await expect(chipLabel).toContainText('No contact 0');
  await chipLabel.click();
  await expect(chip).not.toBeChecked();
  await expect(row(page)).toContainText('Step 1 of 3');
  await expect(page.locator('.counts')).toHaveText('1 open · 0 overdue');
  await row(page).click();
  await expect(
    detail.getByRole('region', { name: 'Missed calls' }).getByRole('listitem'),
  ).toHaveCount(2);
  await expect(
    detail.getByRole('region', { name: 'Attempts and notes' }).getByRole('listitem'),
  ).toHaveCount(3);
});

test('click to call: tel: and the provider’s own links; starting the call opens the attempt on “Call” with a running timer', async ({
  openSidebar,
}) => {
  const page = await openSidebarWithSettings(openSidebar);
  await capture(page, [missedCall(2, 'ringcentral')]);
  await row(page).click();
  const detail = page.getByRole('region', { name: 'Dana Whitfield' });
  const callBack = detail.getByRole('group', { name: 'Call back' });
  await expect(callBack.getByRole('link', { name: /^Call / })).toHaveAttribute(
    'href',
    'tel:+16175550142',
  );
  await expect(callBack.getByRole('link', { name: 'RingCentral app' })).toHaveAttribute(
    'href',
    'rcmobile://call?number=16175550142',
  );
  const web = callBack.getByRole('link', { name: 'RingCentral web' });
  await expect(web).toHaveAttribute(
    'href',
    'https://app.ringcentral.com/r/call?number=%2B16175550142',
  );
  await expect(web).toHaveAttribute('target', '_blank');

  const form = detail.getByRole('form', { name: 'Record an attempt' });
  await pickMethod(form, 'Text');
  await expect(form.getByRole('timer')).toHaveCount(0);

  // The tel: link goes to the system dialer. Headless Chromium has none: its "open the
  // external app?" prompt, invisible here, would take the page's input. The page keeps the
  // link's own default from running; the app's click handler still sees the click.
  await page.evaluate(() =>
    document.addEventListener(
      'click',
      (event) => {
        if ((event.target as Element).closest('a[href^="tel:"]')) event.preventDefault();
      },
      true,
    ),
  );
  await callBack.getByRole('link', { name: /^Call / }).click();
  await expect(form.getByRole('radio', { name: 'Call', exact: true })).toBeChecked();
  const timer = form.getByRole('timer', { name: 'Call time' });
  await expect(timer).toHaveText(/^0:0\d$/);
  await expect(form).toContainText('On the call');
  // It runs: the shown time moves on.
  const first = await timer.innerText();
  await expect.poll(() => timer.innerText(), { timeout: 5_000 }).not.toBe(first);

  await form.getByRole('button', { name: 'Stop timer' }).click();

  await expect(form).toContainText('Call ended');
  await form.getByLabel('Outcome').selectOption({ label: 'No answer' });
  await form.getByRole('button', { name: 'Save attempt' }).click();
  const history = detail.getByRole('region', { name: 'Attempts and notes' });
  await expect(history).toContainText(/Call · No answer · 0:0\d/);
  // The next attempt starts without a timer.
  await expect(form.getByRole('timer')).toHaveCount(0);
});

test('Options: the firm’s cadence and a source’s own are edited with clear errors, and saved', async ({
  context,
  extensionId,
  serviceWorker,
}) => {
  const stored = () =>
    serviceWorker.evaluate(
      async () => (await chrome.storage.local.get('firmSettings')).firmSettings,
    ) as Promise<Record<string, unknown> | undefined>;
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html`);
  const firm = page.getByRole('region', { name: 'Firm and business hours' });
  const steps = firm.getByRole('list', { name: 'Firm cadence steps' });
  await expect(steps.getByRole('listitem')).toHaveCount(3);

  // Step 2 with no method: the form says what is wrong and saves nothing.
  const step2 = steps.getByRole('listitem', { name: 'Step 2' });
  for (const method of ['Call', 'Voicemail', 'Text'])
    await step2.getByRole('checkbox', { name: method, exact: true }).uncheck();
  await firm.getByRole('button', { name: 'Save' }).click();
  await expect(step2.getByText('Choose at least one method.')).toBeVisible();
  await expect(firm.getByRole('status').first()).toHaveText(
    'Nothing was saved: fix the fields marked in red.',
  );
  expect(await stored()).toBeUndefined();

  // A text 20 minutes after the previous attempt; then a step timed before the email's.
  await step2.getByRole('checkbox', { name: 'Text', exact: true }).check();
  await step2.getByLabel('Due').fill('20');
  await firm.getByRole('button', { name: '+ Add step' }).click();
  const step4 = steps.getByRole('listitem', { name: 'Step 4' });
  await step4.getByLabel('Counted from').selectOption('first-call');
  await step4.getByLabel('Due').fill('120');
  await firm.getByRole('button', { name: 'Save' }).click();
  await expect(
    step4.getByText('Must be later than step 3 (1440 minutes after the first missed call).'),
  ).toBeVisible();
  await step4.getByLabel('Due').fill('2880');
  await firm.getByRole('button', { name: 'Save' }).click();
  await expect(firm.getByRole('status').first()).toHaveText('Saved.');
  await expect
    .poll(async () => (await stored())?.cadence)
    .toEqual({
      steps: [
        { methods: ['call'], from: 'first-call', delayMinutes: 0 },
        { methods: ['text'], from: 'previous-attempt', delayMinutes: 20 },
        { methods: ['email'], from: 'first-call', delayMinutes: 1440 },
        { methods: ['call'], from: 'first-call', delayMinutes: 2880 },
      ],
    });

  // A source rule with its own (shorter) cadence.
  const sources = page.getByRole('region', { name: 'Sources and practice areas' });
  await sources.getByRole('button', { name: '+ Add rule' }).click();
  const rule = sources.getByRole('listitem', { name: 'Rule 1' });
  await rule.getByLabel('Dialled line').fill('(800) 555-0100');
  await rule.getByRole('checkbox', { name: 'Own follow-up cadence for this source' }).check();
  const ruleSteps = rule.getByRole('list', { name: 'Rule 1 cadence steps' });
  await expect(ruleSteps.getByRole('listitem')).toHaveCount(4);
  await ruleSteps.getByRole('button', { name: 'Remove step 4' }).click();
  await ruleSteps.getByRole('button', { name: 'Remove step 3' }).click();
  await sources.getByRole('button', { name: 'Save' }).click();
  await expect(sources.getByRole('status').first()).toHaveText('Saved.');
  await expect
    .poll(async () => (await stored())?.sourceRules)
    .toMatchObject([
      {
        line: '+18005550100',
        cadence: {
          steps: [
            { methods: ['call'], from: 'first-call', delayMinutes: 0 },
            { methods: ['text'], from: 'previous-attempt', delayMinutes: 20 },
          ],
        },
      },
    ]);
});
