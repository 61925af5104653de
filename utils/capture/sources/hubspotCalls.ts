import { z } from 'zod';
import { HUBSPOT_DISPOSITIONS } from '../../crm/hubspot';
import type { CallReason, IncomingCall } from '../../model';
import {
  readRecords,
  recordId,
  stoppedByRateLimit,
  text,
  toEpochMs,
  notATime,
  type CrmCallLog,
  type FetchResult,
} from './types';

/**
 * HubSpot call records logged by the firm's phone integration (or by hand): inbound calls
 * with an unanswered status. `POST /crm/v3/objects/calls/search`, filtered on direction,
 * status and `hs_lastmodifieddate >= cursor` (when the record was logged or changed:
 * integrations and people log calls late, sometimes hours after the call) for calls of the
 * last `MAX_LOG_DELAY_MS` (an edit of an older record is not a new call), sorted by
 * `hs_lastmodifieddate` so an unfinished read resumes from the newest it reached. With the
 * HubSpot connection's token and search budget. Completed inbound calls are not read: HubSpot logs our own callbacks too, and
 * only a provider's call log can say reliably that a caller got through.
 */

export const HUBSPOT_UNANSWERED_STATUSES = ['NO_ANSWER', 'BUSY', 'FAILED', 'CANCELED'] as const;
const PROPERTIES = [
  'hs_timestamp',
  'hs_lastmodifieddate',
  'hs_call_direction',
  'hs_call_status',
  'hs_call_disposition',
  'hs_call_from_number',
  'hs_call_to_number',
  'hs_call_title',
  'hubspot_owner_id',
];

export const HubSpotCall = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullish()),
});
export type HubSpotCall = z.infer<typeof HubSpotCall>;

export const HubSpotCallSearchPage = z.object({
  /** Read one by one (readRecords): one bad record must not fail the page. */
  results: z.array(z.unknown()),
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
  if (startedAt === undefined) throw notATime('hs_timestamp', p.hs_timestamp);
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

/** Records logged (or changed) this long after the call are still read as calls. */
export const MAX_LOG_DELAY_MS = 7 * 86_400_000;
/**
 * New and changed records take seconds, sometimes minutes, to reach HubSpot's search index:
 * each poll searches this far back again.
 */
const LOOKBACK_MS = 15 * 60_000;

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
          { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(since) },
          {
            propertyName: 'hs_timestamp',
            operator: 'GTE',
            value: String(since - MAX_LOG_DELAY_MS),
          },
        ],
      },
    ],
    properties: PROPERTIES,
    sorts: ['hs_lastmodifieddate'],
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
  lookbackMs: LOOKBACK_MS,
  readsBy: 'changed',
  async fetchCalls(client, since, resume): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    const unreadable: string[] = [];
    // Sorted by hs_lastmodifieddate: an unfinished read carries on from the newest it reached
    // (a new search, so HubSpot's 10,000-results cap per search never stops it).
    let from = typeof resume?.from === 'number' ? resume.from : since;
    let after: string | undefined;
    let newest = from;
    // Each page is a new search from the newest change read so far: `after` is an offset, and
    // a record read on an earlier page that changes meanwhile moves to the end, shifting the
    // one behind it onto the page already read. The offset goes on only while a whole page
    // changed at that same time. Records met twice are read once.
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      let data: z.output<typeof HubSpotCallSearchPage>;
      try {
        ({ data } = await client.call({
          path: '/crm/v3/objects/calls/search',
          method: 'POST',
          json: hubSpotCallSearch(from, after),
          schema: HubSpotCallSearchPage,
          // A search changes nothing: safe to repeat.
          idempotent: true,
        }));
      } catch (error) {
        if (stoppedByRateLimit(error, page))
          return { calls, complete: false, resume: { from: newest }, unreadable };
        throw error;
      }
      const fresh = data.results.filter((raw, i) => {
        const id = recordId(raw, 'id', i);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      for (const raw of data.results) {
        const modified = (raw as { properties?: Record<string, unknown> } | null)?.properties
          ?.hs_lastmodifieddate;
        const at = toEpochMs(typeof modified === 'string' ? modified : undefined);
        if (at !== undefined) newest = Math.max(newest, at);
      }
      calls.push(
        ...readRecords(
          fresh,
          HubSpotCall,
          (raw, i) => `HubSpot call ${recordId(raw, 'id', i)}`,
          mapHubSpotCall,
          unreadable,
        ),
      );
      const next = data.paging?.next?.after;
      if (!next || data.results.length === 0) return { calls, complete: true, unreadable };
      if (newest > from) {
        from = newest;
        after = undefined;
      } else after = next;
    }
    return { calls, complete: false, resume: { from: newest }, unreadable };
  },
};
