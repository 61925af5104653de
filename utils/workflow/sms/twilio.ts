import { z } from 'zod';
import { HttpError } from '../../http';
import { toEpochMs } from '../../capture/sources/types';
import {
  NotMobileError,
  OptOutError,
  RefusedError,
  type InboundText,
  type SentText,
  type SmsClient,
  type SmsFactoryInput,
} from './types';

/**
 * Twilio Programmable Messaging (spec: tests/specs/twilio/api_v2010.messages-calls.json;
 * https://www.twilio.com/docs/messaging/api/message-resource).
 *
 * - Send: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `Body`
 *   and `From` (a number of the account) or `MessagingServiceSid` (MG…). The answer is the
 *   Message resource (`sid` SM…). A POST create is not idempotent: never repeated blindly.
 * - Sending number: the firm's choice in Options, else the first of the account's numbers
 *   (`GET …/IncomingPhoneNumbers.json`) whose `capabilities.sms` is true.
 * - Lookup: `GET …/Messages.json?To=…&From=…`, newest first (the list is ordered by
 *   date_created). Not filtered by `DateSent`: a message still queued at Twilio has no
 *   date_sent yet and would be missed; the creation time and the body are compared here.
 * - Opt-out: error 21610 "Attempt to send to unsubscribed recipient"
 *   (https://www.twilio.com/docs/api/errors/21610) means the number replied STOP; 21614
 *   "'To' number is not a valid mobile number" (https://www.twilio.com/docs/api/errors/21614).
 * - STOP replies: `GET …/Messages.json?To=<our number>` lists texts received on it.
 */

const Config = z.object({ accountSid: z.string() });
type Config = z.infer<typeof Config>;

const TwilioMessage = z.object({
  sid: z.string(),
  from: z.string().nullish(),
  to: z.string().nullish(),
  body: z.string().nullish(),
  status: z.string().nullish(),
  direction: z.string().nullish(),
  date_created: z.string().nullish(),
  messaging_service_sid: z.string().nullish(),
});
type TwilioMessage = z.infer<typeof TwilioMessage>;

const MessagesPage = z.object({
  messages: z.array(z.unknown()).default([]),
  next_page_uri: z.string().nullish(),
});

const NumbersPage = z.object({
  incoming_phone_numbers: z
    .array(
      z.object({
        phone_number: z.string().nullish(),
        capabilities: z.object({ sms: z.boolean().nullish() }).partial().nullish(),
      }),
    )
    .default([]),
});

/** Pages a lookup reads at most (newest first; 50 a page). */
const LOOKUP_PAGES = 4;

function readMessages(raw: unknown[]): TwilioMessage[] {
  return raw.flatMap((r) => {
    const parsed = TwilioMessage.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
}

function twilioCode(error: unknown): number | undefined {
  if (!(error instanceof HttpError)) return undefined;
  const code = (error.body as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Same text, whatever line endings or trailing space the provider kept. */
export function sameBody(a: string | null | undefined, b: string): boolean {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n').trim();
  return norm(a ?? '') === norm(b);
}

/** The sending number, or null with no SMS-capable number on the account. */
export async function twilioSender(input: SmsFactoryInput<Config>): Promise<string | null> {
  const chosen = input.settings.twilioFrom?.trim();
  if (chosen) return chosen;
  const { data } = await input.api.call({
    path: `/2010-04-01/Accounts/${encodeURIComponent(input.config.accountSid)}/IncomingPhoneNumbers.json`,
    query: { PageSize: 50 },
    schema: NumbersPage,
    retries: 1,
  });
  const number = data.incoming_phone_numbers.find((n) => n.capabilities?.sms && n.phone_number);
  return number?.phone_number ?? null;
}

export function twilioSmsClient(input: SmsFactoryInput<Config>, from: string): SmsClient {
  const { api } = input;
  const base = `/2010-04-01/Accounts/${encodeURIComponent(input.config.accountSid)}/Messages.json`;
  const viaService = /^MG[0-9a-fA-F]{32}$/.test(from);

  async function list(query: Record<string, string | number>, since: number) {
    const out: TwilioMessage[] = [];
    let path = base;
    let q: Record<string, string | number> | undefined = { ...query, PageSize: 50 };
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const { data } = await api.call({ path, query: q, schema: MessagesPage });
      const rows = readMessages(data.messages);
      out.push(...rows);
      const oldest = rows.at(-1);
      const oldestAt = toEpochMs(oldest?.date_created);
      if (!data.next_page_uri || (oldestAt !== undefined && oldestAt < since)) break;
      path = data.next_page_uri;
      q = undefined;
    }
    return out.filter((m) => (toEpochMs(m.date_created) ?? 0) >= since);
  }

  return {
    provider: 'twilio',
    from,
    async send(to, body): Promise<SentText> {
      try {
        const { data } = await api.call({
          path: base,
          method: 'POST',
          form: viaService
            ? { To: to, MessagingServiceSid: from, Body: body }
            : { To: to, From: from, Body: body },
          schema: TwilioMessage,
          // A create: the outbox decides about any repeat, after a lookup.
          retries: 0,
          idempotent: false,
        });
        return {
          id: data.sid,
          from: data.from ?? from,
          at: toEpochMs(data.date_created),
          status: data.status ?? undefined,
        };
      } catch (error) {
        const code = twilioCode(error);
        if (code === 21610)
          throw new OptOutError(
            'Twilio: this number replied STOP (unsubscribed recipient, error 21610).',
            'twilio',
            '21610',
          );
        if (code === 21614)
          throw new NotMobileError(
            'Twilio: this number cannot receive texts (not a mobile number, error 21614).',
            'twilio',
          );
        if (code === 21211)
          throw new RefusedError('Twilio: this is not a valid phone number (error 21211).');
        throw error;
      }
    },
    async findSent(to, since, body, exclude) {
      // A minute of slack for the difference between our clock and Twilio's.
      const rows = await list(viaService ? { To: to } : { To: to, From: from }, since - 60_000);
      const found = rows.find(
        (m) => m.direction !== 'inbound' && sameBody(m.body, body) && !exclude?.has(m.sid),
      );
      return found
        ? {
            id: found.sid,
            from: found.from ?? from,
            at: toEpochMs(found.date_created),
            status: found.status ?? undefined,
          }
        : null;
    },
    listInbound: viaService
      ? undefined
      : async (since): Promise<InboundText[]> => {
          const rows = await list({ To: from }, since);
          return rows
            .filter((m) => m.direction === 'inbound' && m.from)
            .map((m) => ({
              id: m.sid,
              from: m.from!,
              body: m.body ?? '',
              at: toEpochMs(m.date_created) ?? since,
            }))
            .reverse();
        },
  };
}

export function isTwilioConfig(config: unknown): config is Config {
  return Config.safeParse(config).success;
}
