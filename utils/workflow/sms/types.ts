import type { SourceClient } from '../../capture/sources/types';
import type { SmsProviderId } from '../../model';

/**
 * What every provider's SMS client offers the message outbox (utils/workflow/messageOutbox.ts).
 * A client is built only for a provider that is connected, can text, and has a number to
 * send from; otherwise `smsAvailability` says why not, in words the firm can act on.
 */

export { SMS_PROVIDERS, type SmsProviderId } from '../../model';

export const SMS_PROVIDER_LABELS: Record<SmsProviderId, string> = {
  twilio: 'Twilio',
  ringcentral: 'RingCentral',
  dialpad: 'Dialpad',
  aircall: 'Aircall',
};

/** A text the provider holds (sent by us, or found by a lookup). */
export interface SentText {
  /** The provider's id (Twilio SM…, RingCentral message id). */
  id: string;
  from?: string;
  /** When the provider created it, epoch ms. */
  at?: number;
  /** The provider's own status word (queued, sent, delivered…). */
  status?: string;
}

/** A text someone sent to one of our numbers. */
export interface InboundText {
  id: string;
  /** The sender, E.164. */
  from: string;
  body: string;
  at: number;
}

export interface SmsClient {
  provider: SmsProviderId;
  /** The number (or Twilio Messaging Service) texts go out from, as shown to the firm. */
  from: string;
  /** Send one text. Throws the HTTP helper's errors, or OptOutError / NotMobileError. */
  send(to: string, body: string): Promise<SentText>;
  /**
   * Whether a text to `to` with this body was created at the provider since `since` (the
   * outbox asks before sending again after an uncertain failure). Null when the provider's
   * API cannot list sent texts: an uncertain send then waits for the firm. Texts whose
   * provider id is in `exclude` are another job's (the same words sent to the same number a
   * moment before): never taken for this one.
   */
  findSent:
    | ((
        to: string,
        since: number,
        body: string,
        exclude?: ReadonlySet<string>,
      ) => Promise<SentText | null>)
    | null;
  /** Texts received on our number since `since`, oldest first (STOP replies), when listable. */
  listInbound?: (since: number) => Promise<InboundText[]>;
}

export type SmsAvailability =
  | { ok: true; provider: SmsProviderId; from: string; client: SmsClient }
  | { ok: false; provider?: SmsProviderId; reason: string };

/** The provider refused because the recipient opted out (Twilio 21610). Final: never retried. */
export class OptOutError extends Error {
  override name = 'OptOutError';
  provider: SmsProviderId;
  code?: string;
  constructor(message: string, provider: SmsProviderId, code?: string) {
    super(message);
    this.provider = provider;
    this.code = code;
  }
}

/** The provider says the number cannot receive texts (a landline: Twilio 21614). Final. */
export class NotMobileError extends Error {
  override name = 'NotMobileError';
  provider: SmsProviderId;
  constructor(message: string, provider: SmsProviderId) {
    super(message);
    this.provider = provider;
  }
}

/** The provider refused the text for a reason the firm must fix (bad number, no permission). */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

/** What a provider factory receives: an authenticated API client and the SMS settings. */
export interface SmsFactoryInput<Config = unknown> {
  api: SourceClient;
  config: Config;
  settings: SmsSettings;
}

/** The firm's texting choices (Options → Texting). Non-secret. */
export interface SmsSettings {
  /** Which connected provider sends texts when several can. Default: the first that can. */
  provider?: SmsProviderId;
  /** Twilio: a number of the account (E.164) or a Messaging Service SID (MG…). */
  twilioFrom?: string;
  /** Aircall: the id of the SMS-enabled Aircall number to send from. */
  aircallNumberId?: string;
  /** Dialpad: the Dialpad number (E.164) to send from. */
  dialpadFrom?: string;
}

/** Keywords carriers and providers treat as an opt-out (Twilio's default list; CTIA). */
export const STOP_WORDS = new Set([
  'STOP',
  'STOPALL',
  'STOP ALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPTOUT',
  'OPT OUT',
  'REVOKE',
]);
/** Keywords that opt back in (Twilio's default list). */
export const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

export function keywordOf(body: string): string {
  return body
    .trim()
    .toUpperCase()
    .replace(/[.!\s]+$/g, '')
    .replace(/\s+/g, ' ');
}
