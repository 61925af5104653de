import { z } from 'zod';
import { HUBSPOT_DISPOSITIONS } from '../../crm/hubspot';
import type { CallReason, IncomingCall } from '../../model';
import { text, toEpochMs, type CrmCallLog, type FetchResult } from './types';

/**
 * HubSpot call records logged by the firm's phone integration (or by hand): inbound calls
 * with an unanswered status. `POST /crm/v3/objects/calls/search`, filtered on direction,
 * status and `hs_timestamp >= cursor`, with the HubSpot connection's token and search
 * budget. Completed inbound calls are not read: HubSpot logs our own callbacks too, and
 * only a provider's call log can say reliably that a caller got through.
 */

export const HUBSPOT_UNANSWERED_STATUSES = ['NO_ANSWER', 'BUSY', 'FAILED', 'CANCELED'] as const;
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
  if (p.hs_call_disposition === HUBSPOT_DISPOSITIONS.leftVoicemail) reason = 'voicemail';
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

/** Search results stop at 10,000 per query; 20 pages of 100 is far more than a minute of calls. */
const MAX_PAGES = 20;

export const hubSpotCallLog: CrmCallLog = {
  id: 'hubspot-calls',
  label: 'HubSpot call log',
  provider: 'hubspot',
  capturePath: 'crm',
  crm: 'hubspot',
  rule: 'Inbound HubSpot call records with status No answer, Busy, Failed or Canceled (voicemail when the disposition is "Left voicemail").',
  async fetchCalls(client, since): Promise<FetchResult> {
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
