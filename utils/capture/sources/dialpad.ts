import { z } from 'zod';
import type { CallReason, CallVoicemail, IncomingCall } from '../../model';
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
 * Dialpad: Bearer API key (Dialpad Admin → My Company → Authentication → API keys).
 * `GET /api/v2/call?started_after=<epoch ms>` with cursor paging. Inbound calls whose state
 * is `missed` or `voicemail` (and `abandoned`, which some accounts report for callers who
 * hung up in a queue) are missed calls. The list filters on start only (`started_after`),
 * and a call's final state comes when it ends, so every poll reads the last `lookbackMs` by
 * start again. An unfinished read carries on with Dialpad's page cursor next poll.
 */

export const DialpadCall = z.object({
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
  /**
   * Recordings of the call (Dialpad developer guide "Downloading Call Recordings": present
   * only when one exists; `recording_type` "voicemail" for a voicemail, with a
   * `https://dialpad.com/r/<id>` link that opens in Dialpad). Older records and call events
   * carry `voicemail_link` instead.
   */
  recording_details: z
    .array(
      z.object({
        id: z.union([z.string(), z.number()]).nullish(),
        recording_type: z.string().nullish(),
        url: z.string().nullish(),
        duration: z.number().nullish(),
      }),
    )
    .nullish(),
  voicemail_link: z.string().nullish(),
  /** Dialpad's transcript of the voicemail, when Dialpad AI made one. */
  transcription_text: z.string().nullish(),
});
export type DialpadCall = z.infer<typeof DialpadCall>;

export const DialpadCallsPage = z.object({
  /** Read one by one (readRecords): one bad record must not fail the page. */
  items: z.array(z.unknown()).default([]),
  cursor: z.string().nullish(),
});

const STATE_REASON: Record<string, CallReason> = {
  missed: 'no-answer',
  voicemail: 'voicemail',
  abandoned: 'abandoned',
};

/**
 * The voicemail of a Dialpad call: its link opens the recording in Dialpad (signed in there),
 * so nothing of ours is needed to play it; no token goes to the page.
 */
export function dialpadVoicemail(call: DialpadCall): CallVoicemail | undefined {
  const recording = call.recording_details?.find((r) => r.recording_type === 'voicemail');
  const url = text(recording?.url) ?? text(call.voicemail_link);
  const transcript = text(call.transcription_text)?.slice(0, 20_000);
  if (!url && !transcript) return undefined;
  const voicemail: CallVoicemail = { playback: 'provider-app' };
  if (url && /^https?:\/\//i.test(url)) voicemail.url = url;
  if (recording?.id !== undefined && recording.id !== null)
    voicemail.messageId = String(recording.id);
  if (transcript) {
    voicemail.transcript = transcript;
    voicemail.transcriptStatus = 'ready';
  }
  return voicemail;
}

export function mapDialpadCall(call: DialpadCall): IncomingCall | null {
  if (call.direction !== 'inbound') return null;
  const reason = STATE_REASON[call.state];
  if (!reason) return null;
  const startedAt = toEpochMs(call.date_started);
  if (startedAt === undefined) throw notATime('date_started', call.date_started);
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
    voicemail: dialpadVoicemail(call),
  };
}

const Config = z.object({});
const Credentials = z.object({ apiKey: z.string().trim().min(1, 'API key is required') });
type Config = z.infer<typeof Config>;
type Credentials = z.infer<typeof Credentials>;

const MAX_PAGES = 20;
/** Queue waits and long answered calls: a call's state is final up to this long after it started. */
const LOOKBACK_MS = 4 * HOUR_MS;

export const dialpadSource: CallSource<Config, Credentials> = {
  id: 'dialpad',
  label: 'Dialpad',
  provider: 'dialpad',
  capturePath: 'api',
  rule: 'Inbound calls in state missed, voicemail or abandoned; a voicemail opens in Dialpad, with its transcript when Dialpad made one.',
  lookbackMs: LOOKBACK_MS,
  readsBy: 'started',
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
  async fetchCalls(client, _config, since, resume): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    const unreadable: string[] = [];
    let cursor = typeof resume?.cursor === 'string' ? resume.cursor : undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let data: z.output<typeof DialpadCallsPage>;
      try {
        ({ data } = await client.call({
          path: '/api/v2/call',
          query: { started_after: since, limit: 50, cursor },
          schema: DialpadCallsPage,
        }));
      } catch (error) {
        if (cursor && stoppedByRateLimit(error, page))
          return { calls, complete: false, resume: { cursor }, unreadable };
        throw error;
      }
      const read = readRecords(
        data.items,
        DialpadCall,
        (raw, i) => `Dialpad call ${recordId(raw, 'call_id', i)}`,
        mapDialpadCall,
        unreadable,
      );
      calls.push(...read.filter((call) => call.startedAt >= since));
      if (!data.cursor || data.items.length === 0) return { calls, complete: true, unreadable };
      cursor = data.cursor;
    }
    return { calls, complete: false, resume: { cursor: cursor! }, unreadable };
  },
};
