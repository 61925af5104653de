import { browser, storage } from '#imports';
import type { CapturedCall } from '../model';
import {
  AutoTextSettings,
  DEFAULT_AUTO_TEXT_SETTINGS,
  parseAutoTextSettings,
  type AutoTextSettings as AutoTextSettingsType,
} from './autoText';

/**
 * The automatic text's durable state, kept apart from its engine (autoTextService.ts) so
 * capture can hand calls over without importing the SMS code: the firm's settings, and the
 * calls waiting for a decision (debounce, quiet hours). Both live in extension storage, so
 * a worker killed mid-wait finds them again; the `auto-text` alarm wakes it when one is due.
 */

export const AUTO_TEXT_ALARM = 'auto-text';

export const autoTextSettingsItem = storage.defineItem<AutoTextSettingsType>('local:autoText', {
  fallback: DEFAULT_AUTO_TEXT_SETTINGS,
  version: 1,
});

export async function getAutoTextSettings(): Promise<AutoTextSettingsType> {
  return parseAutoTextSettings(await autoTextSettingsItem.getValue());
}

/**
 * Validate and save (throws a ZodError on bad input). Switching it on stamps `enabledAt`:
 * calls from before then are never flagged "no auto-text sent".
 */
export async function saveAutoTextSettings(
  next: AutoTextSettingsType,
  now: number = Date.now(),
): Promise<AutoTextSettingsType> {
  const parsed = AutoTextSettings.parse(next);
  const previous = await getAutoTextSettings();
  const saved: AutoTextSettingsType = { ...parsed };
  if (parsed.enabled && !previous.enabled) saved.enabledAt = now;
  else if (parsed.enabled) saved.enabledAt = previous.enabledAt ?? now;
  else delete saved.enabledAt;
  await autoTextSettingsItem.setValue(saved);
  return saved;
}

/** A missed call the automatic text still has to decide about. */
export interface PendingAutoText {
  callId: string;
  leadId: string;
  /** When to look at it (now, the debounce's end, the first allowed minute). */
  dueAt: number;
  /** Decisions that failed with an error so far (given up after a few). */
  failures?: number;
}

export const pendingAutoTextsItem = storage.defineItem<PendingAutoText[]>('local:autoTextPending', {
  fallback: [],
});

type Processor = () => Promise<void>;
let processor: Processor | undefined;

/** The background's engine registers here (setupAutoText). */
export function setAutoTextProcessor(next: Processor | undefined): void {
  processor = next;
}

/** One writer of the pending list at a time in this context (captures can overlap). */
let chain: Promise<unknown> = Promise.resolve();
export function serialAutoText<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

/**
 * Hand newly captured missed calls to the automatic text (a no-op while it is off). Called
 * where capture results are handled (portal and manual capture, the API pollers).
 */
export async function noteCapturedCalls(
  added: readonly CapturedCall[],
  now: number = Date.now(),
): Promise<void> {
  if (added.length === 0) return;
  const settings = await getAutoTextSettings();
  if (!settings.enabled) return;
  await serialAutoText(async () => {
    const pending = await pendingAutoTextsItem.getValue();
    const known = new Set(pending.map((p) => p.callId));
    const fresh = added
      .filter((call) => !known.has(call.callId))
      .map((call) => ({ callId: call.callId, leadId: call.leadId, dueAt: now }));
    if (fresh.length === 0) return;
    await pendingAutoTextsItem.setValue([...pending, ...fresh]);
    // Durable wake-up first: if this worker dies now, the alarm brings the decision back.
    await browser.alarms.create(AUTO_TEXT_ALARM, { when: now });
  });
  // Decided right away (a skip is recorded at once, the debounce timer set), without
  // holding up capture's answer to the page: the pending entry is already durable.
  void processor?.().catch((error: unknown) => console.error('Automatic text failed', error));
}
