import { z } from 'zod';
import type { CallReason, IncomingCall } from '../model';
import { text, toEpochMs, type CallSource, type FetchResult } from './types';

/**
 * HubSpot call records logged by the firm's phone integration (or by hand): inbound calls
 * with an unanswered status. `POST /crm/v3/objects/calls/search`, filtered on direction,
 * status and `hs_timestamp >= cursor`. Private-app token for now; OAuth arrives with the
 * CRM connection. Completed inbound calls are not read: HubSpot logs our own callbacks
 * too, and only a provider's call log can say reliably that a caller got through.
 */

export const HUBSPOT_UNANSWERED_STATUSES = ['NO_ANSWER', 'BUSY', 'FAILED', 'CANCELED'] as const;
/** HubSpot's default "Left voicemail" disposition. */
const DISPOSITION_VOICEMAIL = 'b2cf5968-551e-4856-9783-52b3da59a7d0';

const PROPERTIES = [
  'hs_timestamp',
  'hs_call_direction',
  'hs_call_status',
  'hs_call_disposition',
  'hs_call_from_number',
  'hs_call_to_number',
  'hs_call_title',
  'hubspot_owner_id',
];

const HubSpotCall = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullish()),
});
export type HubSpotCall = z.infer<typeof HubSpotCall>;

export const HubSpotCallSearchPage = z.object({
  results: z.array(HubSpotCall),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

const STATUS_REASON: Record<string, CallReason> = {
  NO_ANSWER: 'no-answer',
  BUSY: 'busy',
  FAILED: 'no-answer',
  CANCELED: 'abandoned',
};

export function mapHubSpotCall(call: HubSpotCall): IncomingCall | null {
  const p = call.properties;
  if (p.hs_call_direction !== 'INBOUND') return null;
  const status = p.hs_call_status ?? '';
  let reason = STATUS_REASON[status];
  if (!reason) return null;
  if (p.hs_call_disposition === DISPOSITION_VOICEMAIL) reason = 'voicemail';
  const startedAt = toEpochMs(p.hs_timestamp);
  if (startedAt === undefined) return null;
  return {
    from: text(p.hs_call_from_number) ?? 'Anonymous',
    startedAt,
    dialedLine: text(p.hs_call_to_number),
    reason,
    provider: 'hubspot',
    providerCallId: call.id,
    capturePath: 'crm',
  };
}

/** The search body for one page (HubSpot's spec requires every field, `after` included). */
export function hubSpotCallSearch(since: number, after: string | undefined) {
  return {
    filterGroups: [
      {
        filters: [
          { propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' },
          {
            propertyName: 'hs_call_status',
            operator: 'IN',
            values: [...HUBSPOT_UNANSWERED_STATUSES],
          },
          { propertyName: 'hs_timestamp', operator: 'GTE', value: String(since) },
        ],
      },
    ],
    properties: PROPERTIES,
    sorts: ['hs_timestamp'],
    limit: 100,
    after: after ?? '0',
  };
}

const Config = z.object({});
const Credentials = z.object({ token: z.string().trim().min(1, 'Private-app token is required') });
type Config = z.infer<typeof Config>;
type Credentials = z.infer<typeof Credentials>;

/** Search results stop at 10,000 per query; 20 pages of 100 is far more than a minute of calls. */
const MAX_PAGES = 20;

export const hubSpotCallsSource: CallSource<Config, Credentials> = {
  id: 'hubspot-calls',
  label: 'HubSpot call log',
  provider: 'hubspot',
  capturePath: 'crm',
  rule: 'Inbound HubSpot call records with status No answer, Busy, Failed or Canceled (voicemail when the disposition is "Left voicemail").',
  fields: [
    {
      key: 'token',
      label: 'Private-app token',
      kind: 'secret',
      placeholder: 'pat-…',
      help: 'HubSpot → Settings → Integrations → Private apps. The app needs read access to contacts (HubSpot reads call records with it).',
    },
  ],
  auth: 'fields',
  configSchema: Config,
  credentialsSchema: Credentials,
  defaultBaseUrl: () => 'https://api.hubapi.com',
  // Search is limited to 5 requests per second per account, shared with CRM matching.
  rateLimit: { max: 5, intervalMs: 1_000 },
  rateLimitKey: () => 'hubspot-search',
  authHeaders: (c) => ({ Authorization: `Bearer ${c.token}` }),
  async test(client) {
    await client.call({
      path: '/crm/v3/objects/calls',
      query: { limit: 1, properties: 'hs_timestamp' },
      schema: z.object({ results: z.array(z.unknown()) }),
      retries: 0,
    });
    return 'Connected to HubSpot: call records are readable.';
  },
  async fetchCalls(client, _config, since): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    let after: string | undefined;
    let newest = since;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { data } = await client.call({
        path: '/crm/v3/objects/calls/search',
        method: 'POST',
        json: hubSpotCallSearch(since, after),
        schema: HubSpotCallSearchPage,
        // A search changes nothing: safe to repeat.
        idempotent: true,
      });
      for (const raw of data.results) {
        newest = Math.max(newest, toEpochMs(raw.properties.hs_timestamp) ?? newest);
        const call = mapHubSpotCall(raw);
        if (call) calls.push(call);
      }
      const next = data.paging?.next?.after;
      if (!next || data.results.length === 0) return { calls, complete: true };
      after = next;
    }
    // Sorted by hs_timestamp ascending: carry on from the newest seen.
    return { calls, complete: false, resumeFrom: newest };
  },
};
