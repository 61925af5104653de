import { z } from 'zod';
import { HttpError } from '../../http';
import { toEpochMs } from '../../capture/sources/types';
import { sameBody } from './twilio';
import {
  OptOutError,
  RefusedError,
  type InboundText,
  type SentText,
  type SmsClient,
  type SmsFactoryInput,
} from './types';

/**
 * RingCentral SMS (https://developers.ringcentral.com/guide/messaging/sms/sending-sms;
 * API reference "createSMSMessage", "listExtensionPhoneNumbers", "listMessages").
 *
 * - Sending number: `GET /restapi/v1.0/account/~/extension/~/phone-number` lists the
 *   extension's numbers; one whose `features` include `SmsSender` may send SMS.
 * - Send: `POST /restapi/v1.0/account/~/extension/~/sms` with JSON
 *   `{ from: { phoneNumber }, to: [{ phoneNumber }], text }` (text up to 1,000 characters).
 *   The answer is the message record (`id`, `messageStatus`, `creationTime`).
 * - Lookup: the message store, `GET …/extension/~/message-store?messageType=SMS&
 *   direction=Outbound&dateFrom=<ISO>&phoneNumber=<to>`; an SMS record's `subject` is its
 *   text (https://developers.ringcentral.com/guide/messaging/message-store).
 * - STOP replies: the same list with `direction=Inbound`.
 * - Opt-outs: RingCentral documents the recipient's opt-out as a record status
 *   (OptOut, https://developers.ringcentral.com/guide/messaging/sms/sms-errors); a send
 *   refused with an error whose code or message says "opt" out is taken as one.
 * - The RingCentral app needs the "SMS" permission besides "Read Call Log"; without it the
 *   send is refused with 403 (InsufficientPermissions), shown on the lead as it is.
 */

const PhoneNumbers = z.object({
  records: z
    .array(
      z.object({
        phoneNumber: z.string().nullish(),
        features: z.array(z.string()).nullish(),
      }),
    )
    .default([]),
});

const RcMessage = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  direction: z.string().nullish(),
  type: z.string().nullish(),
  subject: z.string().nullish(),
  messageStatus: z.string().nullish(),
  creationTime: z.string().nullish(),
  from: z.object({ phoneNumber: z.string().nullish() }).nullish(),
  to: z.array(z.object({ phoneNumber: z.string().nullish() })).nullish(),
});
type RcMessage = z.infer<typeof RcMessage>;

const MessageList = z.object({
  records: z.array(z.unknown()).default([]),
  navigation: z.object({ nextPage: z.object({ uri: z.string() }).nullish() }).nullish(),
});

const EXT = '/restapi/v1.0/account/~/extension/~';
const LOOKUP_PAGES = 3;

export async function ringCentralSender(input: SmsFactoryInput): Promise<string | null> {
  const { data } = await input.api.call({
    path: `${EXT}/phone-number`,
    query: { perPage: 100 },
    schema: PhoneNumbers,
    retries: 1,
  });
  const sender = data.records.find((r) => r.phoneNumber && r.features?.includes('SmsSender'));
  return sender?.phoneNumber ?? null;
}

function isOptOut(error: HttpError): boolean {
  const body = error.body as { errorCode?: unknown; message?: unknown } | null;
  const words = `${String(body?.errorCode ?? '')} ${String(body?.message ?? '')}`.toLowerCase();
  return /opt(ed)?[ -]?out|unsubscribed/.test(words);
}

export function ringCentralSmsClient(input: SmsFactoryInput, from: string): SmsClient {
  const { api } = input;

  async function list(direction: 'Outbound' | 'Inbound', since: number, phoneNumber?: string) {
    const out: RcMessage[] = [];
    for (let page = 1; page <= LOOKUP_PAGES; page++) {
      const { data } = await api.call({
        path: `${EXT}/message-store`,
        query: {
          messageType: 'SMS',
          direction,
          dateFrom: new Date(since).toISOString(),
          phoneNumber,
          perPage: 100,
          page,
        },
        schema: MessageList,
      });
      for (const raw of data.records) {
        const parsed = RcMessage.safeParse(raw);
        if (parsed.success) out.push(parsed.data);
      }
      if (!data.navigation?.nextPage) break;
    }
    return out;
  }

  return {
    provider: 'ringcentral',
    from,
    async send(to, body): Promise<SentText> {
      try {
        const { data } = await api.call({
          path: `${EXT}/sms`,
          method: 'POST',
          json: { from: { phoneNumber: from }, to: [{ phoneNumber: to }], text: body },
          schema: RcMessage,
          retries: 0,
          idempotent: false,
        });
        return {
          id: data.id,
          from,
          at: toEpochMs(data.creationTime),
          status: data.messageStatus ?? undefined,
        };
      } catch (error) {
        if (error instanceof HttpError && error.status >= 400 && error.status < 500) {
          if (isOptOut(error))
            throw new OptOutError('RingCentral: this number opted out of texts.', 'ringcentral');
          if (error.status === 403)
            throw new RefusedError(
              `RingCentral refused the text (${error.message || 'no permission'}). The RingCentral app needs the SMS permission and the number the SMS feature.`,
            );
        }
        throw error;
      }
    },
    async findSent(to, since, body, exclude) {
      const rows = await list('Outbound', since - 60_000, to);
      const found = rows.find(
        (m) =>
          (m.to ?? []).some((t) => t.phoneNumber === to) &&
          sameBody(m.subject, body) &&
          !exclude?.has(m.id),
      );
      return found
        ? {
            id: found.id,
            from,
            at: toEpochMs(found.creationTime),
            status: found.messageStatus ?? undefined,
          }
        : null;
    },
    async listInbound(since): Promise<InboundText[]> {
      const rows = await list('Inbound', since);
      return rows
        .filter((m) => m.from?.phoneNumber)
        .map((m) => ({
          id: m.id,
          from: m.from!.phoneNumber!,
          body: m.subject ?? '',
          at: toEpochMs(m.creationTime) ?? since,
        }))
        .sort((a, b) => a.at - b.at);
    },
  };
}
