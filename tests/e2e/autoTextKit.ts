/**
 * What the automatic-text e2e test (auto-text.spec.ts) and benchmark (tests/bench/auto-text.ts)
 * share: a Twilio emulator connected the way the firm connects it in Options, automatic
 * texts switched on, and a RingCentral call-history page served at its real address where
 * missed calls appear the way the live app adds rows. Plain erasable TypeScript (the
 * benchmark runs under Node directly).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { startTwilio } from '../emulators/providers.ts';
import { allDayFirmSettings, connectProvider, saveFirmSettings, twilioAt } from './kit.ts';
import {
  insertRowInPage,
  RINGCENTRAL_HEADER,
  ringcentralRowHtml,
  type PortalCall,
} from '../demo/ringcentralMarkup.ts';

declare const chrome: typeof import('wxt/browser').browser;

export const PORTAL_URL = 'https://app.ringcentral.com/phone/calls/all';
const EMPTY_PAGE = readFileSync(
  path.resolve('tests/fixtures/portals/ringcentral/empty.html'),
  'utf8',
);

export const FIRM_SETTINGS = allDayFirmSettings({
  timeZone: 'America/New_York',
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 5 },
  practiceAreas: ['Personal injury'],
  sources: ['Website'],
  notifyNewCalls: true,
});

/** The automatic text's stored settings (utils/workflow/autoText.ts, `local:autoText`). */
export interface AutoTextStored {
  enabled: boolean;
  enabledAt?: number;
  sourceScope: 'all' | 'selected';
  sources: string[];
  includeUntagged: boolean;
  sendFrom: string;
  sendUntil: string;
  debounceSeconds: number;
}

export const AUTO_TEXT_ON: AutoTextStored = {
  enabled: true,
  sourceScope: 'all',
  sources: [],
  includeUntagged: true,
  sendFrom: '00:00',
  sendUntil: '23:59',
  debounceSeconds: 5,
};

export type TwilioEmulator = Awaited<ReturnType<typeof startTwilio>>;

export async function setFirmSettings(sw: Worker): Promise<void> {
  await saveFirmSettings(sw, FIRM_SETTINGS);
}

export async function setAutoText(sw: Worker, settings: AutoTextStored): Promise<void> {
  await sw.evaluate((value) => chrome.storage.local.set({ autoText: value, autoText$: { v: 1 } }), {
    ...settings,
    enabledAt: settings.enabledAt ?? Date.now() - 60_000,
  });
}

/** Start the Twilio emulator and connect it in Options (its address as the API base URL). */
export async function connectTwilio(
  context: BrowserContext,
  extensionId: string,
): Promise<{ twilio: TwilioEmulator; options: Page }> {
  const twilio = await startTwilio();
  const { options, card } = await connectProvider(context, extensionId, twilioAt(twilio.url));
  await card.getByTestId('account').waitFor();
  return { twilio, options };
}

/** The RingCentral call-history page, served at its real address, with no calls yet. */
export async function openPortal(context: BrowserContext): Promise<Page> {
  await context.route('https://app.ringcentral.com/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: EMPTY_PAGE }),
  );
  const portal = await context.newPage();
  await portal.goto(PORTAL_URL);
  await portal.locator(RINGCENTRAL_HEADER).waitFor();
  return portal;
}

/** A missed call appears on the portal page (as the live app inserts a row). */
export async function showMissedCall(
  portal: Page,
  call: Omit<PortalCall, 'kind' | 'at'> & { at?: number },
): Promise<void> {
  await portal.evaluate(
    insertRowInPage,
    ringcentralRowHtml({ kind: 'missed', at: Date.now(), ...call }),
  );
}

/** Every record of a store of the extension's database, read inside the service worker. */
export function idbAll(sw: Worker, store: string): Promise<Record<string, unknown>[]> {
  return sw.evaluate(
    (name) =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result as Record<string, unknown>[]);
          };
          request.onerror = () => reject(request.error);
        };
      }),
    store,
  );
}

export function idbPut(sw: Worker, store: string, value: unknown): Promise<void> {
  return sw.evaluate(
    ([name, record]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(name as string, 'readwrite');
          tx.objectStore(name as string).put(record);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    [store, value] as const,
  );
}

/** The automatic-text decision recorded on the call from `number` (E.164), if any. */
export async function autoTextOfCall(
  sw: Worker,
  e164: string,
): Promise<Record<string, unknown> | undefined> {
  const calls = await idbAll(sw, 'calls');
  const call = calls.find((c) => c.phoneKey === e164);
  return call?.autoText as Record<string, unknown> | undefined;
}
