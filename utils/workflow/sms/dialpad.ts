import { z } from 'zod';
import { toEpochMs } from '../../capture/sources/types';
import type { SentText, SmsClient, SmsFactoryInput } from './types';

/**
 * Dialpad (https://developers.dialpad.com/reference/smssend): `POST /api/v2/sms` with JSON
 * `{ to_numbers: [to], text, from_number }` sends as the user or group that owns
 * `from_number` (the number the firm chose in Options). The answer is the SMS record (`id`,
 * `created_date`, `message_status`). Dialpad's API has no list of sent texts, so `findSent`
 * is null: after an uncertain failure the outbox asks the firm to check in Dialpad before
 * Retry rather than sending twice.
 */

const DialpadSms = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).nullish(),
    created_date: z.union([z.string(), z.number()]).nullish(),
    message_status: z.string().nullish(),
  })
  .passthrough();

export function dialpadSmsClient(input: SmsFactoryInput, from: string): SmsClient {
  return {
    provider: 'dialpad',
    from,
    async send(to, body): Promise<SentText> {
      const { data } = await input.api.call({
        path: '/api/v2/sms',
        method: 'POST',
        json: { to_numbers: [to], text: body, from_number: from },
        schema: DialpadSms,
        retries: 0,
        idempotent: false,
      });
      return {
        id: data.id ?? `dialpad:${Date.now()}`,
        from,
        at: toEpochMs(data.created_date),
        status: data.message_status ?? undefined,
      };
    },
    findSent: null,
  };
}
