import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CallReason, CapturePath, Lead } from '../model';
import { callerZones, firstAllowedInstant, type CallerZones } from './callerTimeZone';
import { FLAGGED_REASONS, type SkipReason } from './autoTextReasons';

/**
 * The automatic text after a missed call ("We missed your call. We are returning it now…"):
 * its settings and the one pure decision — send now, wait out the debounce, hold for the
 * caller's quiet hours, or not send, always with a reason. No browser, no database: the
 * background (autoTextService.ts) gathers the facts and acts on the verdict.
 *
 * The rules, in the order they are checked:
 * 1. Off unless the firm turned it on, and then only for the sources it chose.
 * 2. Missed calls from the phone portals and the provider/CRM call logs only (a CSV import
 *    or a call typed in by hand is history, not a caller waiting).
 * 3. Never an answered call, a lead already called back or closed, a "no callback number"
 *    lead, a number that opted out, or a number the provider said cannot receive texts
 *    (a landline: Twilio 21614).
 * 4. At most one automatic text per number in any 24 hours.
 * 5. Only while the call is fresh: seen within FRESH_CALL_MS of its start. A call seen later
 *    (the browser was closed, the poll came late) gets no text and is flagged "no auto-text
 *    sent", as is one seen while no SMS connection could send: staff text those first.
 * 6. A short debounce after the call is seen (a second leg, a duplicate or the answered leg
 *    of the same call lands meanwhile), then send — within a minute of capture.
 * 7. No more than AUTO_TEXT_FLOOD_MAX automatic texts an hour in all (SMS pumping).
 * 8. Quiet hours in the caller's likely time zone(s) from their number (strictest when it
 *    spans zones; the firm's zone when unknown): a text due in quiet hours is held to the
 *    first allowed minute, and checked again then.
 */

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:mm');

export const AutoTextSettings = z
  .object({
    /** The firm's switch. Off by default. */
    enabled: z.boolean(),
    /** When it was last switched on: calls from before then are never flagged. */
    enabledAt: z.number().int().nonnegative().optional(),
    /** 'all' sources, or only those listed in `sources`. */
    sourceScope: z.enum(['all', 'selected']),
    sources: z.array(z.string().trim().min(1).max(80)).max(200),
    /** With 'selected': also calls no source rule tagged. */
    includeUntagged: z.boolean(),
    /** Texts go out only between these local times in the caller's zone. */
    sendFrom: hhmm,
    sendUntil: hhmm,
    /** Seconds to wait after a call is seen before texting (merges a second leg). */
    debounceSeconds: z
      .number()
      .int()
      .min(5, 'at least 5 seconds')
      .max(40, 'at most 40 seconds (the text must go within a minute)'),
  })
  .refine((s) => s.sendFrom < s.sendUntil, {
    message: 'the start of the sending hours must be before their end',
    path: ['sendUntil'],
  });
export type AutoTextSettings = z.infer<typeof AutoTextSettings>;

export const DEFAULT_AUTO_TEXT_SETTINGS: AutoTextSettings = {
  enabled: false,
  sourceScope: 'all',
  sources: [],
  includeUntagged: true,
  sendFrom: '08:00',
  sendUntil: '21:00',
  debounceSeconds: 15,
};

/** Stored settings, field by field: a broken field falls back to its default. */
export function parseAutoTextSettings(value: unknown): AutoTextSettings {
  const merged = {
    ...DEFAULT_AUTO_TEXT_SETTINGS,
    ...(typeof value === 'object' && value ? value : {}),
  };
  const parsed = AutoTextSettings.safeParse(merged);
  if (parsed.success) return parsed.data;
  const shape = AutoTextSettings.shape;
  const repaired: Record<string, unknown> = { ...DEFAULT_AUTO_TEXT_SETTINGS };
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const field = shape[key].safeParse((merged as Record<string, unknown>)[key]);
    if (field.success && field.data !== undefined) repaired[key] = field.data;
  }
  const again = AutoTextSettings.safeParse(repaired);
  return again.success
    ? again.data
    : { ...(repaired as AutoTextSettings), sendFrom: '08:00', sendUntil: '21:00' };
}

/** A call seen later than this after it started is too late for "we are returning it now". */
export const FRESH_CALL_MS = 5 * 60_000;
/** One automatic text per number within this long. */
export const AUTO_TEXT_CAP_MS = 24 * 60 * 60_000;
/**
 * At most this many automatic texts in any AUTO_TEXT_FLOOD_WINDOW_MS, across all numbers:
 * missed calls from dozens of spoofed caller IDs (SMS pumping) must not run up the firm's
 * texting bill. Far above a firm's busiest real hour; callers past it are flagged
 * "No auto-text sent" so staff text the real ones.
 */
export const AUTO_TEXT_FLOOD_MAX = 20;
export const AUTO_TEXT_FLOOD_WINDOW_MS = 60 * 60_000;
/** Capture paths a caller can be waiting behind. */
export const LIVE_CAPTURE_PATHS: readonly CapturePath[] = ['portal', 'api', 'crm'];

export { FLAGGED_REASONS, SKIP_REASON_LABELS, type SkipReason } from './autoTextReasons';

export interface AutoTextFacts {
  now: number;
  settings: AutoTextSettings;
  firmTimeZone: string;
  call: {
    startedAt: number;
    capturedAt: number;
    reason: CallReason;
    capturePath: CapturePath;
  };
  lead: Pick<
    Lead,
    'phone' | 'noCallbackNumber' | 'source' | 'status' | 'lastAttemptAt' | 'answeredLaterAt'
  >;
  optedOut: boolean;
  /** The provider refused a text to this number as not SMS-capable. */
  cannotReceiveSms: boolean;
  /** The latest automatic text to this number (sent or queued), if any. */
  lastAutomaticTextAt?: number;
  /** An SMS-capable provider connection is there (only read once the debounce is over). */
  canSend: boolean;
  /** Automatic texts queued or sent to any number within AUTO_TEXT_FLOOD_WINDOW_MS. */
  recentAutomaticTexts?: number;
}

export type AutoTextVerdict =
  | { kind: 'send'; zones: CallerZones }
  | { kind: 'wait'; until: number; reason: 'debounce' }
  | { kind: 'wait'; until: number; reason: 'quiet-hours'; zones: CallerZones }
  | { kind: 'skip'; reason: SkipReason; flag: boolean };

function skip(reason: SkipReason): AutoTextVerdict {
  return { kind: 'skip', reason, flag: FLAGGED_REASONS.includes(reason) };
}

export function sourceEnabled(settings: AutoTextSettings, source: string | undefined): boolean {
  if (settings.sourceScope === 'all') return true;
  if (!source) return settings.includeUntagged;
  const wanted = source.trim().toLowerCase();
  return settings.sources.some((s) => s.trim().toLowerCase() === wanted);
}

/** When the debounce after a call is seen ends. */
export function debounceEndOf(settings: AutoTextSettings, capturedAt: number): number {
  return capturedAt + settings.debounceSeconds * 1000;
}

/** What to do about one missed call's automatic text, now. */
export function decideAutoText(facts: AutoTextFacts): AutoTextVerdict {
  const { now, settings, call, lead } = facts;
  if (!settings.enabled) return skip('off');
  if (!sourceEnabled(settings, lead.source)) return skip('source-off');
  if (!LIVE_CAPTURE_PATHS.includes(call.capturePath)) return skip('not-live');
  if (call.reason === 'answered') return skip('answered');
  if (lead.noCallbackNumber || !lead.phone) return skip('no-callback-number');
  const reachedSince = Math.max(lead.lastAttemptAt ?? -Infinity, lead.answeredLaterAt ?? -Infinity);
  if (lead.status === 'done' || reachedSince >= call.startedAt) return skip('called-back');
  if (facts.optedOut) return skip('opted-out');
  if (facts.cannotReceiveSms) return skip('not-mobile');
  if (facts.lastAutomaticTextAt !== undefined && facts.lastAutomaticTextAt > now - AUTO_TEXT_CAP_MS)
    return skip('texted-recently');
  if (call.capturedAt - call.startedAt > FRESH_CALL_MS) return skip('captured-late');
  const debounceEnds = debounceEndOf(settings, call.capturedAt);
  if (now < debounceEnds) return { kind: 'wait', until: debounceEnds, reason: 'debounce' };
  // Asked when the text is due, not at capture: a connection that is back by then sends.
  if (!facts.canSend) return skip('no-sms-connection');
  if ((facts.recentAutomaticTexts ?? 0) >= AUTO_TEXT_FLOOD_MAX) return skip('flood');
  const hours = { from: settings.sendFrom, until: settings.sendUntil };
  const zones = callerZones(lead.phone, facts.firmTimeZone, hours, now);
  const allowedAt = firstAllowedInstant(now, zones.zones, hours);
  // Null cannot happen for one zone with from < until; treat it as allowed rather than
  // holding a text forever.
  if (allowedAt !== null && allowedAt > now)
    return { kind: 'wait', until: allowedAt, reason: 'quiet-hours', zones };
  return { kind: 'send', zones };
}

/**
 * The outbox key of a call's automatic text: one per call, so however often the same call is
 * decided again (a worker restarted after queuing) one job — one text — exists. The 24 h cap
 * per number is the decision's (decideAutoText, from the texts queued or sent to the number),
 * never the key's: a key per number and day would make a later call's text collide with an
 * earlier one that failed without going or was cancelled (nothing sent, the caller never
 * texted), or with the first text of a 25-hour day (the clocks going back).
 */
export function autoTextKey(phoneKey: string, callId: string): string {
  return `auto:${phoneKey}:${callId}`;
}

/** "+1 415 •••• •34": who the last automatic text went to, without the whole number. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const national = parsed?.nationalNumber ?? e164.replace(/\D/g, '');
  const country = parsed ? `+${parsed.countryCallingCode} ` : '';
  if (national.length < 6) return country + '•'.repeat(national.length);
  const hidden = national.length - 5;
  return `${country}${national.slice(0, 3)} ${'•'.repeat(hidden)} ${national.slice(-2)}`;
}
