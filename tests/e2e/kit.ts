/**
 * Setup steps the e2e specs share: firm settings open around the clock, a vendor host routed
 * to its emulator, host access granted as a user grants it, a CRM connected in Options, a
 * call added by hand in the sidebar. Plain erasable TypeScript with `.ts` imports only
 * (autoTextKit.ts, which the benchmarks run under Node directly, imports it).
 */
import {
  expect,
  type BrowserContext,
  type FrameLocator,
  type Locator,
  type Page,
  type Worker,
} from '@playwright/test';
import type { FirmSettings } from '../../utils/settings.ts';
import { EMULATED_TWILIO_SID } from '../emulators/providers.ts';

declare const chrome: typeof import('wxt/browser').browser & {
  developerPrivate: { addHostPermission(extensionId: string, host: string): Promise<void> };
};

/** 00:00–23:59 (the schema's full day; it leaves a minute's gap at midnight). */
const ALL_DAY = [{ open: '00:00', close: '23:59' }];

/**
 * A complete FirmSettings value, open around the clock every day of the week, in UTC unless
 * `overrides` say otherwise; `overrides` replace whole fields.
 */
export function allDayFirmSettings(overrides: Partial<FirmSettings> = {}): FirmSettings {
  return {
    firmName: 'Whitfield & Park Injury Law',
    timeZone: 'UTC',
    defaultCountry: 'US',
    weeklyHours: [ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY],
    holidays: [],
    sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
    sourceRules: [],
    practiceAreas: ['Personal injury', 'Family law'],
    sources: ['Google Ads – PI', 'Website'],
    staff: [],
    notifyNewCalls: false,
    dedupeWindowSeconds: 120,
    ...overrides,
  };
}

/**
 * A fixed-offset zone where it is about noon now: with all-day hours a test then never runs
 * into the minute's gap at midnight, whatever the hour it runs at.
 */
export function noonTimeZone(): string {
  const shift = 12 - new Date().getUTCHours();
  return shift === 0 ? 'Etc/GMT' : shift > 0 ? `Etc/GMT-${shift}` : `Etc/GMT+${-shift}`;
}

/**
 * The emulators a spec's tests start (push each), closed after every test: pass the spec's
 * `test` (kit.ts does not import the fixtures, so the benchmarks can load it under Node).
 */
export function emulatorsClosedAfterEach(test: {
  afterEach(inner: () => Promise<void>): void;
}): { close(): Promise<void> }[] {
  const running: { close(): Promise<void> }[] = [];
  test.afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
  });
  return running;
}

/** Save firm settings the way the options page does (WXT item `local:firmSettings`, v1). */
export async function saveFirmSettings(
  target: Page | Worker,
  settings: FirmSettings,
): Promise<void> {
  // Page and Worker evaluate alike; TypeScript cannot call the union of their overloads.
  await (target as Page).evaluate(
    (value) => chrome.storage.local.set({ firmSettings: value, firmSettings$: { v: 1 } }),
    settings,
  );
}

/**
 * Send what the extension sends to a real host (`https://api.hubapi.com`) to the emulator
 * instead, service-worker fetches included. A dropped connection at the emulator (fault
 * injection) is a dropped connection for the browser too.
 */
export async function routeToEmulator(
  context: BrowserContext,
  origin: string,
  emulatorUrl: string,
): Promise<void> {
  await context.route(`${origin}/**`, async (route) => {
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

/**
 * Headless Chromium shows the optional-permission prompt where nobody can click it, so
 * `permissions.request` would wait forever. Grant the host match pattern (`https://x.com/*`)
 * the way a user does in chrome://extensions → Details → Site access; Connect's own request
 * then resolves at once.
 */
export async function grantHost(
  context: BrowserContext,
  extensionId: string,
  pattern: string,
): Promise<void> {
  const page = await context.newPage();
  await page.goto(`chrome://extensions/?id=${extensionId}`);
  await page.evaluate(
    ([id, host]) => chrome.developerPrivate.addHostPermission(id!, host!),
    [extensionId, pattern],
  );
  await page.close();
}

/** An extension page (`options.html`, `sidebar.html`) in a new tab. */
export async function extensionPage(
  context: BrowserContext,
  extensionId: string,
  file: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/${file}`);
  return page;
}

/** What Options › Call sources asks of a provider connected at its emulator. */
export interface ProviderAtEmulator {
  /** The card's `data-source` (`twilio`, `aircall`). */
  source: string;
  /** Credentials by field label, filled in this order. */
  fields: Record<string, string>;
  /** The emulator's address, entered under "Advanced: API base URL". */
  baseUrl: string;
  /** The card's connect button ("Connect Aircall"). */
  button: string;
}

/** Aircall's card filled for the emulator (any API ID; the emulator's token). */
export const aircallAt = (baseUrl: string): ProviderAtEmulator => ({
  source: 'aircall',
  fields: { 'API ID': 'aircall-id', 'API token': 'aircall-token' },
  baseUrl,
  button: 'Connect Aircall',
});

/** Twilio's card filled for the emulator (its account SID and token). */
export const twilioAt = (baseUrl: string): ProviderAtEmulator => ({
  source: 'twilio',
  fields: { 'Account SID': EMULATED_TWILIO_SID, 'Auth token': 'twilio-token' },
  baseUrl,
  button: 'Connect Twilio',
});

/**
 * Grant the emulators' host (http://127.0.0.1), open Options and connect a call or texting
 * provider to its emulator; clicks Connect and returns the page and the provider's card
 * (what the card then shows is the caller's to check).
 */
export async function connectProvider(
  context: BrowserContext,
  extensionId: string,
  provider: ProviderAtEmulator,
): Promise<{ options: Page; card: Locator }> {
  await grantHost(context, extensionId, 'http://127.0.0.1/*');
  const options = await extensionPage(context, extensionId, 'options.html');
  const card = options.locator(`fieldset[data-source="${provider.source}"]`);
  for (const [label, value] of Object.entries(provider.fields)) {
    await card.getByLabel(label).fill(value);
  }
  await card.getByText('Advanced: API base URL').click();
  await card.getByLabel('API base URL').fill(provider.baseUrl);
  await card.getByRole('button', { name: provider.button }).click();
  return { options, card };
}

/** Options › CRM connections › the HubSpot or Clio group. */
export function crmSection(options: Page, name: 'HubSpot' | 'Clio'): Locator {
  return options
    .getByRole('region', { name: 'CRM connections' })
    .getByRole('group', { name, exact: true });
}

/**
 * Connect HubSpot in Options with a private-app token (and the account ID links use, when
 * given); waits until Options says it is connected. Returns the HubSpot group.
 */
export async function connectHubSpot(
  options: Page,
  token: string,
  accountId?: string,
): Promise<Locator> {
  const section = crmSection(options, 'HubSpot');
  await section.getByLabel('Private-app access token').fill(token);
  if (accountId !== undefined) {
    await section.getByLabel('Account ID (for links to records)').fill(accountId);
  }
  await section.getByRole('button', { name: 'Connect HubSpot' }).click();
  await expect(section).toContainText(
    `Connected to HubSpot account${accountId ? ` ${accountId}` : ''}`,
  );
  return section;
}

/** Where the sidebar app runs: its own page, or the dock's frame on a CRM page. */
export type SidebarApp = Page | FrameLocator;

/** The queue's rows that show `text` (a caller's name, a number). */
export function queueRow(page: SidebarApp, text: string): Locator {
  return page.getByRole('table', { name: 'Callback queue' }).getByRole('row').filter({
    hasText: text,
  });
}

export interface HandEnteredCall {
  from: string;
  name?: string;
  source?: string;
  practiceArea?: string;
  /** The form's "When" (datetime-local value). */
  when?: string;
}

/** Fill and submit the sidebar's "Add call" form; returns the form (it stays open on an error). */
export async function submitAddCall(page: SidebarApp, call: HandEnteredCall): Promise<Locator> {
  await page.getByRole('button', { name: 'Add call' }).click();
  const form = page.getByRole('form', { name: 'Add a missed call' });
  await form.getByLabel('Number').fill(call.from);
  if (call.when) await form.getByLabel(/^When/).fill(call.when);
  if (call.name) await form.getByLabel('Caller name').fill(call.name);
  if (call.source) await form.getByLabel('Source').fill(call.source);
  if (call.practiceArea) await form.getByLabel('Practice area').selectOption(call.practiceArea);
  await form.getByRole('button', { name: 'Add to queue' }).click();
  return form;
}

/**
 * Add a call by hand in the sidebar and wait for its lead in the queue: "Add call" clicked
 * again while this one is still being stored would find the form mid-close.
 */
export async function addCallInSidebar(
  page: SidebarApp,
  call: HandEnteredCall & { name: string },
): Promise<void> {
  await submitAddCall(page, call);
  await expect(queueRow(page, call.name)).toBeVisible();
}

/** Send a message the way @webext-core/messaging does; the reply is `{res}` or `{err}`. */
export function sendMessage<T>(
  page: Page,
  type: string,
  data: unknown,
): Promise<{ res?: T; err?: { message: string } }> {
  return page.evaluate(
    ([type, data]) =>
      chrome.runtime.sendMessage({
        id: Math.floor(Math.random() * 1e9),
        type,
        data,
        timestamp: Date.now(),
      }),
    [type, data] as const,
  );
}
