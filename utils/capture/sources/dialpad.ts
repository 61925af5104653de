import { z } from 'zod';
import type { CallReason, IncomingCall } from '../../model';
import { text, toEpochMs, type CallSource, type FetchResult } from './types';

/**
 * Dialpad: Bearer API key (Dialpad Admin → My Company → Authentication → API keys).
 * `GET /api/v2/call?started_after=<epoch ms>` with cursor paging. Inbound calls whose state
 * is `missed` or `voicemail` (and `abandoned`, which some accounts report for callers who
 * hung up in a queue) are missed calls.
 */

const DialpadCall = z.object({
  call_id: z.union([z.string(), z.number()]),
  direction: z.string(),
  state: z.string(),
  date_started: z.union([z.string(), z.number()]).nullish(),
  external_number: z.string().nullish(),
  internal_number: z.string().nullish(),
  contact: z.object({ name: z.string().nullish(), phone: z.string().nullish() }).nullish(),
  target: z
    .object({ name: z.string().nullish(), phone: z.string().nullish(), type: z.string().nullish() })
    .nullish(),
});
export type DialpadCall = z.infer<typeof DialpadCall>;

export const DialpadCallsPage = z.object({
  items: z.array(DialpadCall).default([]),
  cursor: z.string().nullish(),
});

const STATE_REASON: Record<string, CallReason> = {
  missed: 'no-answer',
  voicemail: 'voicemail',
  abandoned: 'abandoned',
};

export function mapDialpadCall(call: DialpadCall): IncomingCall | null {
  if (call.direction !== 'inbound') return null;
  const reason = STATE_REASON[call.state];
  if (!reason) return null;
  const startedAt = toEpochMs(call.date_started);
  if (startedAt === undefined) return null;
  const name = text(call.contact?.name);
  return {
    from: text(call.external_number) ?? text(call.contact?.phone) ?? 'Anonymous',
    startedAt,
    callerName: name,
    dialedLine: text(call.internal_number) ?? text(call.target?.phone),
    reason,
    provider: 'dialpad',
    providerCallId: String(call.call_id),
    capturePath: 'api',
    agent: call.target?.type === 'user' ? text(call.target.name) : undefined,
  };
}

const Config = z.object({});
const Credentials = z.object({ apiKey: z.string().trim().min(1, 'API key is required') });
type Config = z.infer<typeof Config>;
type Credentials = z.infer<typeof Credentials>;

const MAX_PAGES = 20;

export const dialpadSource: CallSource<Config, Credentials> = {
  id: 'dialpad',
  label: 'Dialpad',
  provider: 'dialpad',
  capturePath: 'api',
  rule: 'Inbound calls in state missed, voicemail or abandoned.',
  fields: [
    {
      key: 'apiKey',
      label: 'API key',
      kind: 'secret',
      help: 'Dialpad Admin → My Company → Authentication → API keys.',
    },
  ],
  auth: 'fields',
  configSchema: Config,
  credentialsSchema: Credentials,
  defaultBaseUrl: () => 'https://dialpad.com',
  // Dialpad allows 20 requests per second per company; a poller needs far less.
  rateLimit: { max: 20, intervalMs: 1_000 },
  rateLimitKey: () => 'dialpad',
  authHeaders: (c) => ({ Authorization: `Bearer ${c.apiKey}` }),
  async test(client) {
    const { data } = await client.call({
      path: '/api/v2/company',
      schema: z.object({ name: z.string().nullish() }),
      retries: 0,
    });
    return `Connected to Dialpad${data.name ? ` (${data.name})` : ''}.`;
  },
  async fetchCalls(client, _config, since): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { data } = await client.call({
        path: '/api/v2/call',
        query: { started_after: since, limit: 50, cursor },
        schema: DialpadCallsPage,
      });
      for (const raw of data.items) {
        const call = mapDialpadCall(raw);
        if (call && call.startedAt >= since) calls.push(call);
      }
      if (!data.cursor || data.items.length === 0) return { calls, complete: true };
      cursor = data.cursor;
    }
    return { calls, complete: false };
  },
};
