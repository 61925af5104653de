import { storage } from '#imports';
import { z } from 'zod';
import type { CallbackDeskDB } from '../../db';
import {
  connectedClient,
  effectiveBaseUrl,
  getConnections,
  readCredentials,
  type ClientDeps,
} from '../../capture/sources/connections';
import { sourceById } from '../../capture/sources/registry';
import { OAuthError } from '../../capture/sources/pkce';
import { AuthError, describeError } from '../../http';
import { aircallSmsClient } from './aircall';
import { dialpadSmsClient } from './dialpad';
import { ringCentralSender, ringCentralSmsClient } from './ringcentral';
import { twilioSender, twilioSmsClient } from './twilio';
import {
  SMS_PROVIDER_LABELS,
  SMS_PROVIDERS,
  type SmsAvailability,
  type SmsProviderId,
  type SmsSettings,
} from './types';

/**
 * Which connected provider sends texts, from which number. Provider credentials are the
 * call-log connections' own (utils/capture/sources/connections.ts, in db.secrets): texting
 * adds no second sign-in. Only the background and extension pages call this.
 */

export const SmsSettingsSchema = z.object({
  provider: z.enum(SMS_PROVIDERS).optional(),
  twilioFrom: z
    .string()
    .trim()
    .regex(
      /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/,
      'a number in +1… form, or a Messaging Service SID (MG…)',
    )
    .optional()
    .or(z.literal('')),
  aircallNumberId: z
    .string()
    .trim()
    .regex(/^\d{1,12}$/, 'the number id from Aircall (digits)')
    .optional()
    .or(z.literal('')),
  dialpadFrom: z
    .string()
    .trim()
    .regex(/^\+[1-9]\d{6,14}$/, 'a number in +1… form')
    .optional()
    .or(z.literal('')),
});

export const smsSettingsItem = storage.defineItem<SmsSettings>('local:smsSettings', {
  fallback: {},
});

export async function getSmsSettings(): Promise<SmsSettings> {
  const parsed = SmsSettingsSchema.safeParse(await smsSettingsItem.getValue());
  return parsed.success ? (parsed.data as SmsSettings) : {};
}

export const NO_PROVIDER_REASON =
  'No texting provider connected — connect Twilio or RingCentral in Options.';

/** The sending number found for a connection, kept a few minutes (one API read, not one per lead). */
const senderCache = new Map<string, { from: string | null; until: number }>();
const SENDER_CACHE_MS = 5 * 60_000;

/** Forget cached sending numbers (settings or connections changed). */
export function forgetSmsSenders(): void {
  senderCache.clear();
}

export interface SmsDeps extends Omit<ClientDeps, 'db' | 'unsaved'> {
  settings?: SmsSettings;
}

async function availabilityOf(
  db: CallbackDeskDB,
  provider: SmsProviderId,
  settings: SmsSettings,
  deps: SmsDeps,
): Promise<SmsAvailability | null> {
  const connection = (await getConnections())[provider];
  const source = sourceById(provider);
  if (!connection || !source) return null;
  const label = SMS_PROVIDER_LABELS[provider];
  const config = source.configSchema.safeParse(connection.config);
  const credentials = await readCredentials(db, source);
  if (!config.success || credentials === undefined)
    return {
      ok: false,
      provider,
      reason: `${label} is connected but its saved credentials are missing — connect it again in Options.`,
    };
  const api = connectedClient(
    source,
    effectiveBaseUrl(source, connection, config.data),
    config.data,
    credentials,
    { db, fetch: deps.fetch, now: deps.now, limiterStore: deps.limiterStore },
  );
  const input = { api, config: config.data, settings };
  const now = (deps.now ?? Date.now)();
  const cacheKey = `${provider}:${connection.connectedAt}:${connection.baseUrl ?? ''}:${JSON.stringify(settings)}`;
  const cached = senderCache.get(cacheKey);
  let from: string | null;
  switch (provider) {
    case 'twilio':
    case 'ringcentral': {
      if (cached && cached.until > now) from = cached.from;
      else {
        try {
          from =
            provider === 'twilio'
              ? await twilioSender(input as Parameters<typeof twilioSender>[0])
              : await ringCentralSender(input);
        } catch (error) {
          return {
            ok: false,
            provider,
            reason:
              error instanceof AuthError
                ? `${label} refused the saved credentials — Reconnect ${label} in Options.`
                : error instanceof OAuthError
                  ? error.message
                  : `${label}: could not read the sending numbers (${describeError(error, now)})`,
          };
        }
        senderCache.set(cacheKey, { from, until: now + SENDER_CACHE_MS });
      }
      if (!from)
        return {
          ok: false,
          provider,
          reason:
            provider === 'twilio'
              ? 'Twilio connected but no sending number set — choose one in Options → Texting (no number of the account can send SMS).'
              : 'RingCentral connected but no number of this extension may send SMS (SmsSender feature).',
        };
      const client =
        provider === 'twilio'
          ? twilioSmsClient(input as Parameters<typeof twilioSmsClient>[0], from)
          : ringCentralSmsClient(input, from);
      return { ok: true, provider, from, client };
    }
    case 'aircall': {
      const id = settings.aircallNumberId?.trim();
      if (!id)
        return {
          ok: false,
          provider,
          reason:
            'Aircall connected but no sending number set — enter the SMS-enabled number id in Options → Texting (texting needs an Aircall plan with the Messaging API).',
        };
      return {
        ok: true,
        provider,
        from: `Aircall number ${id}`,
        client: aircallSmsClient(input, id, `Aircall number ${id}`),
      };
    }
    case 'dialpad': {
      from = settings.dialpadFrom?.trim() || null;
      if (!from)
        return {
          ok: false,
          provider,
          reason: 'Dialpad connected but no sending number set — choose one in Options → Texting.',
        };
      return { ok: true, provider, from, client: dialpadSmsClient(input, from) };
    }
  }
}

/**
 * The client that sends texts now: the firm's chosen provider, else the first connected one
 * that can (Twilio, RingCentral, Dialpad, Aircall). When none can, the reason of the most
 * useful one ("Twilio connected but no sending number set"), or that none is connected.
 */
export async function smsAvailability(
  db: CallbackDeskDB,
  deps: SmsDeps = {},
  only?: SmsProviderId,
): Promise<SmsAvailability> {
  const settings = deps.settings ?? (await getSmsSettings());
  const order: SmsProviderId[] = only
    ? [only]
    : settings.provider
      ? [settings.provider, ...SMS_PROVIDERS.filter((p) => p !== settings.provider)]
      : [...SMS_PROVIDERS];
  let firstRefusal: SmsAvailability | null = null;
  for (const provider of order) {
    const availability = await availabilityOf(db, provider, settings, deps);
    if (availability?.ok) return availability;
    firstRefusal ??= availability;
  }
  if (firstRefusal) return firstRefusal;
  return only
    ? {
        ok: false,
        provider: only,
        reason: `${SMS_PROVIDER_LABELS[only]} is no longer connected — connect it again in Options.`,
      }
    : { ok: false, reason: NO_PROVIDER_REASON };
}

/** `canSend` for the lead's text panel: whether a text can go now, and if not, why. */
export async function canSend(
  db: CallbackDeskDB,
  deps: SmsDeps = {},
): Promise<{ ok: true; provider: SmsProviderId; from: string } | { ok: false; reason: string }> {
  const a = await smsAvailability(db, deps);
  return a.ok ? { ok: true, provider: a.provider, from: a.from } : { ok: false, reason: a.reason };
}
