import { z } from 'zod';
import { basicAuth } from '../../http';
import type { CallReason, IncomingCall } from '../../model';
import {
  HOUR_MS,
  readRecords,
  recordId,
  stoppedByRateLimit,
  text,
  toEpochMs,
  notATime,
  type CallSource,
  type FetchResult,
} from './types';

/**
 * Twilio Programmable Voice: Basic auth with the Account SID and auth token.
 * `GET /2010-04-01/Accounts/{Sid}/Calls.json?StartTime>=YYYY-MM-DD` lists calls newest
 * first (the filter only takes a UTC date), with RFC 2822 times and `next_page_uri` paging.
 * One listing with all statuses rather than one per status: a single request per poll.
 * The inbound leg's status tells the outcome: no-answer, busy, canceled (the caller hung
 * up while it rang). "completed" is not proof a person answered (TwiML voicemail also
 * completes), so it never closes a lead. The list filters on start (or end) dates only, and a
 * call's final status comes when it ends (a caller may wait a long time in a <Queue>), so every
 * poll reads the last `lookbackMs` by start again, 1,000 a page (Twilio's maximum). An
 * unfinished read carries on from its `next_page_uri` next poll (Twilio's page token points
 * at a call, so calls arriving meanwhile do not shift it).
 *
 * Voicemail: Twilio's Call resource has none (spec tests/specs/twilio: no voicemail field);
 * a "voicemail" on Twilio is a Recording the firm's own TwiML (<Record>) made, on a call
 * that then ends "completed", which this source never reads as missed. So the lead says
 * plainly that voicemail is not available from Twilio (utils/capture/sources/voicemail.ts).
 */

export const TwilioCall = z.object({
  sid: z.string(),
  from: z.string().nullish(),
  to: z.string().nullish(),
  status: z.string(),
  direction: z.string(),
  start_time: z.string().nullish(),
  date_created: z.string().nullish(),
  caller_name: z.string().nullish(),
});
export type TwilioCall = z.infer<typeof TwilioCall>;

export const TwilioCallsPage = z.object({
  /** Read one by one (readRecords): one bad record must not fail the page. */
  calls: z.array(z.unknown()),
  next_page_uri: z.string().nullish(),
});

const STATUS_REASON: Record<string, CallReason> = {
  'no-answer': 'no-answer',
  busy: 'busy',
  canceled: 'abandoned',
};

/** Twilio shows withheld caller ID as this pseudo-number or as text. */
const TWILIO_ANONYMOUS = new Set([
  '+266696687',
  '+7378742833',
  '+2562533',
  '+86282452253',
  'anonymous',
  'unknown',
  'restricted',
]);

export function mapTwilioCall(call: TwilioCall): IncomingCall | null {
  if (call.direction !== 'inbound') return null;
  const reason = STATUS_REASON[call.status];
  if (!reason) return null;
  const startedAt = toEpochMs(call.start_time ?? call.date_created);
  if (startedAt === undefined) throw notATime('start_time', call.start_time ?? call.date_created);
  const from = text(call.from);
  return {
    from: !from || TWILIO_ANONYMOUS.has(from.toLowerCase()) ? 'Anonymous' : from,
    startedAt,
    callerName: text(call.caller_name),
    dialedLine: text(call.to),
    reason,
    provider: 'twilio',
    providerCallId: call.sid,
    capturePath: 'api',
  };
}

const Config = z.object({
  accountSid: z
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'Account SID starts with AC followed by 32 hex characters'),
});
const Credentials = z.object({ authToken: z.string().trim().min(1, 'Auth token is required') });
type Config = z.infer<typeof Config>;
type Credentials = z.infer<typeof Credentials>;

const MAX_PAGES = 10;
/** Twilio's largest page. */
const PAGE_SIZE = 1000;
/** Queue waits and long answered calls: a call's status is final up to this long after it started. */
const LOOKBACK_MS = 4 * HOUR_MS;

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const twilioSource: CallSource<Config, Credentials> = {
  id: 'twilio',
  label: 'Twilio',
  provider: 'twilio',
  capturePath: 'api',
  rule: 'Inbound calls whose status is no-answer, busy or canceled (caller hung up while ringing).',
  lookbackMs: LOOKBACK_MS,
  readsBy: 'started',
  fields: [
    {
      key: 'accountSid',
      label: 'Account SID',
      kind: 'config',
      placeholder: 'AC…',
      help: 'Twilio Console → Account info.',
    },
    { key: 'authToken', label: 'Auth token', kind: 'secret' },
  ],
  auth: 'fields',
  configSchema: Config,
  credentialsSchema: Credentials,
  defaultBaseUrl: () => 'https://api.twilio.com',
  // Twilio does not publish a read limit; stay far below its concurrency limits.
  rateLimit: { max: 30, intervalMs: 60_000 },
  rateLimitKey: (config) => `twilio:${config.accountSid}`,
  authHeaders: (c, config) => ({ Authorization: basicAuth(config.accountSid, c.authToken) }),
  async test(client, config) {
    const { data } = await client.call({
      path: `/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}.json`,
      schema: z.object({ friendly_name: z.string().nullish(), status: z.string().nullish() }),
      retries: 0,
    });
    return `Connected to Twilio account ${data.friendly_name ?? config.accountSid}${data.status && data.status !== 'active' ? ` (${data.status})` : ''}.`;
  },
  async fetchCalls(client, config, since, resume): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    const unreadable: string[] = [];
    let path = `/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Calls.json`;
    let query: Record<string, string | number> | undefined = {
      'StartTime>': utcDate(since),
      PageSize: PAGE_SIZE,
    };
    // An unfinished read carries on from the page link it stopped at.
    if (typeof resume?.page === 'string') {
      path = resume.page;
      query = undefined;
    }
    for (let page = 0; page < MAX_PAGES; page++) {
      let data: z.output<typeof TwilioCallsPage>;
      try {
        ({ data } = await client.call({ path, query, schema: TwilioCallsPage }));
      } catch (error) {
        if (!query && stoppedByRateLimit(error, page))
          return { calls, complete: false, resume: { page: path }, unreadable };
        throw error;
      }
      let reachedOlder = false;
      const recent = data.calls.filter((raw) => {
        const r = raw as { start_time?: string | null; date_created?: string | null } | null;
        const startedAt = toEpochMs(r?.start_time ?? r?.date_created);
        if (startedAt !== undefined && startedAt < since) {
          reachedOlder = true;
          return false;
        }
        return true;
      });
      calls.push(
        ...readRecords(
          recent,
          TwilioCall,
          (raw, i) => `Twilio call ${recordId(raw, 'sid', i)}`,
          mapTwilioCall,
          unreadable,
        ),
      );
      // Newest first: once a page reaches calls older than the cursor, the rest are older too.
      if (reachedOlder || !data.next_page_uri) return { calls, complete: true, unreadable };
      path = data.next_page_uri;
      query = undefined;
    }
    return { calls, complete: false, resume: { page: path }, unreadable };
  },
};
