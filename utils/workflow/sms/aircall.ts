import { z } from 'zod';
import type { SentText, SmsClient, SmsFactoryInput } from './types';

/**
 * Aircall, where the plan includes the Messaging API
 * (https://developer.aircall.io/docs/messaging: "not available for all subscription plans").
 *
 * - Send "in agent conversation" (no number configuration needed; the text shows in the
 *   Aircall app so agents can continue it): `POST /v1/numbers/{number_id}/messages/native/send`
 *   with JSON `{ to, body }` (https://developer.aircall.io/docs/messaging). The firm picks
 *   the SMS-enabled number (its id from `GET /v1/numbers`) in Options.
 * - Aircall has no endpoint that lists sent messages (they are reported by webhooks only),
 *   so `findSent` is null: after an uncertain failure the outbox does not send again on its
 *   own, it asks the firm to check in Aircall before Retry.
 */

const AircallMessage = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).nullish(),
    status: z.string().nullish(),
  })
  .passthrough();

export function aircallSmsClient(
  input: SmsFactoryInput,
  numberId: string,
  from: string,
): SmsClient {
  return {
    provider: 'aircall',
    from,
    async send(to, body): Promise<SentText> {
      const { data } = await input.api.call({
        path: `/v1/numbers/${encodeURIComponent(numberId)}/messages/native/send`,
        method: 'POST',
        json: { to, body },
        schema: AircallMessage,
        retries: 0,
        idempotent: false,
      });
      return { id: data.id ?? `aircall:${Date.now()}`, from, status: data.status ?? undefined };
    },
    findSent: null,
  };
}
