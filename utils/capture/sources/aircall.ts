import { z } from 'zod';
import { basicAuth } from '../../http';
import { RateLimitError } from '../../http';
import type { CallReason, CallVoicemail, IncomingCall } from '../../model';
import { voicemailSettled } from './voicemail';
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
  type SourceClient,
  type StoredCalls,
} from './types';

/**
 * Aircall: Basic auth with the API id and token from Aircall's dashboard (Integrations &
 * API). `GET /v1/calls?from=<unix s>&order=asc`, 50 per page. A call is missed when
 * `missed_call_reason` is set; a finished inbound call with `answered_at` was answered.
 * `from` filters on the call's start (Aircall has no "changed since"), and a call's outcome
 * is known only once it is `done` — after the queue wait or the conversation — so every poll
 * reads the last `lookbackMs` by start again. Oldest first: an unfinished read carries on
 * from the newest start it reached.
 */

export const AircallCall = z.object({
  id: z.union([z.number(), z.string()]),
  direction: z.string(),
  status: z.string(),
  missed_call_reason: z.string().nullish(),
  started_at: z.union([z.number(), z.string()]),
  answered_at: z.union([z.number(), z.string()]).nullish(),
  raw_digits: z.string().nullish(),
  voicemail: z.string().nullish(),
  number: z.object({ digits: z.string().nullish(), name: z.string().nullish() }).nullish(),
  contact: z
    .object({
      first_name: z.string().nullish(),
      last_name: z.string().nullish(),
      company_name: z.string().nullish(),
    })
    .nullish(),
  user: z.object({ name: z.string().nullish() }).nullish(),
});
export type AircallCall = z.infer<typeof AircallCall>;

export const AircallCallsPage = z.object({
  /** Read one by one (readRecords): one bad record must not fail the page. */
  calls: z.array(z.unknown()),
  meta: z
    .object({
      next_page_link: z.string().nullish(),
      current_page: z.number().nullish(),
      total: z.number().nullish(),
    })
    .nullish(),
});

const REASONS: Record<string, CallReason> = {
  out_of_opening_hours: 'after-hours',
  short_abandoned: 'abandoned',
  abandoned_in_ivr: 'abandoned',
  abandoned_in_classic: 'abandoned',
  no_available_agent: 'no-answer',
  agents_did_not_answer: 'no-answer',
};

/** One Aircall call → IncomingCall, or null when it is outbound or not finished yet. */
export function mapAircallCall(call: AircallCall): IncomingCall | null {
  if (call.direction !== 'inbound') return null;
  // Until "done" the outcome is unknown; the poller's look-back reads it again later.
  if (call.status !== 'done' && !call.missed_call_reason) return null;
  const startedAt = toEpochMs(call.started_at);
  if (startedAt === undefined) throw notATime('started_at', call.started_at);
  let reason: CallReason;
  if (call.missed_call_reason) {
    reason = call.voicemail ? 'voicemail' : (REASONS[call.missed_call_reason] ?? 'no-answer');
  } else if (call.answered_at) {
    reason = 'answered';
  } else {
    reason = call.voicemail ? 'voicemail' : 'no-answer';
  }
  const contactName = [call.contact?.first_name, call.contact?.last_name].filter(Boolean).join(' ');
  return {
    from: text(call.raw_digits) ?? 'Anonymous',
    startedAt,
    callerName: text(contactName) ?? text(call.contact?.company_name),
    dialedLine: text(call.number?.digits),
    reason,
    provider: 'aircall',
    providerCallId: String(call.id),
    capturePath: 'api',
    agent: text(call.user?.name),
    // A pre-signed, short-lived link (below): stored to say a recording exists; each play
    // asks Aircall for a fresh one.
    voicemail: text(call.voicemail)
      ? { url: text(call.voicemail), playback: 'fresh-link' }
      : undefined,
  };
}

/**
 * Aircall AI's transcription of a call or voicemail: `GET /v1/calls/:id/transcription`
 * (Aircall REST, "Retrieve a transcription"; listed as the `aircall_get_call_transcription`
 * tool at glama.ai, "GET /calls/{id}/transcription"). The answer is
 * `{transcription: {id, call_id, type: "call" | "voicemail", content: {language,
 * utterances: [{start_time, end_time, text, participant_type}]}}}`; 404 until it is ready
 * or when the company has no Aircall AI.
 */
export const AircallTranscription = z.object({
  transcription: z.object({
    type: z.string().nullish(),
    content: z
      .union([
        z.string(),
        z.object({
          utterances: z.array(z.object({ text: z.string().nullish() })).nullish(),
        }),
      ])
      .nullish(),
  }),
});

/** The transcript's text, utterances joined in order. */
export function aircallTranscriptText(body: z.infer<typeof AircallTranscription>): string {
  const content = body.transcription.content;
  if (typeof content === 'string') return content.trim();
  return (content?.utterances ?? [])
    .map((u) => u.text?.trim() ?? '')
    .filter(Boolean)
    .join(' ');
}

/**
 * How long Aircall's voicemail link works: "the direct URL of a voicemail (mp3 file) for
 * this Call. This link is valid for 1 hour only" (Aircall's Call object; `voicemail_short_url`
 * 3 hours), quoted in an Aircall webhook DTO type found with the code search.
 */
const VOICEMAIL_LINK_SECONDS = 3600;

/** A transcript still missing this long after the call will not come (no Aircall AI). */
const TRANSCRIPT_WAIT_MS = 2 * HOUR_MS;
/** Transcription reads per poll, within Aircall's 60 a minute. */
const MAX_TRANSCRIPT_LOOKUPS = 5;

async function lookUpTranscripts(
  client: SourceClient,
  calls: IncomingCall[],
  stored: StoredCalls | undefined,
): Promise<void> {
  const wanted = calls.filter((c) => c.voicemail?.url && c.providerCallId);
  if (wanted.length === 0) return;
  const held = stored ? await stored(wanted.map((c) => c.providerCallId!)) : new Map();
  const todo = wanted
    .filter((c) => !voicemailSettled(held.get(c.providerCallId!)?.voicemail))
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, MAX_TRANSCRIPT_LOOKUPS);
  for (const call of todo) {
    const voicemail: CallVoicemail = { ...call.voicemail! };
    try {
      const { data } = await client.call({
        path: `/v1/calls/${encodeURIComponent(call.providerCallId!)}/transcription`,
        schema: AircallTranscription,
        retries: 0,
      });
      const transcript = aircallTranscriptText(data).slice(0, 20_000);
      voicemail.transcriptStatus = transcript ? 'ready' : 'none';
      if (transcript) voicemail.transcript = transcript;
    } catch (error) {
      if (error instanceof RateLimitError) return;
      const status = (error as { status?: number }).status;
      if (status !== 404 && status !== 403) continue;
      voicemail.transcriptStatus =
        client.now - call.startedAt > TRANSCRIPT_WAIT_MS ? 'none' : 'pending';
    }
    call.voicemail = voicemail;
  }
}

const Config = z.object({});
const Credentials = z.object({
  apiId: z.string().trim().min(1, 'API ID is required'),
  apiToken: z.string().trim().min(1, 'API token is required'),
});
type Config = z.infer<typeof Config>;
type Credentials = z.infer<typeof Credentials>;

/** Pages read per poll (50 calls each) before leaving the rest for the next poll. */
const MAX_PAGES = 20;
/** Queue waits and long answered calls: a call's outcome is known up to this long after it started. */
const LOOKBACK_MS = 4 * HOUR_MS;

export const aircallSource: CallSource<Config, Credentials> = {
  id: 'aircall',
  label: 'Aircall',
  provider: 'aircall',
  capturePath: 'api',
  rule: 'Inbound calls with a missed-call reason (no agent, not answered, abandoned, out of hours); voicemail when one was left. Answered calls close open leads.',
  lookbackMs: LOOKBACK_MS,
  readsBy: 'started',
  fields: [
    {
      key: 'apiId',
      label: 'API ID',
      kind: 'secret',
      help: 'Aircall dashboard → Integrations & API → API keys.',
    },
    { key: 'apiToken', label: 'API token', kind: 'secret' },
  ],
  auth: 'fields',
  configSchema: Config,
  credentialsSchema: Credentials,
  defaultBaseUrl: () => 'https://api.aircall.io',
  // Aircall allows 60 requests per minute per company.
  rateLimit: { max: 60, intervalMs: 60_000 },
  rateLimitKey: () => 'aircall',
  authHeaders: (c) => ({ Authorization: basicAuth(c.apiId, c.apiToken) }),
  async test(client) {
    await client.call({ path: '/v1/ping', schema: z.unknown(), retries: 0 });
    const { data } = await client.call({
      path: '/v1/calls',
      query: { per_page: 1 },
      schema: AircallCallsPage,
      retries: 0,
    });
    return `Connected to Aircall (${data.meta?.total ?? data.calls.length} calls on record).`;
  },
  async fetchCalls(client, _config, since, resume, stored): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    const unreadable: string[] = [];
    // Oldest first: an unfinished read carries on from the newest start it reached.
    const from = typeof resume?.from === 'number' ? resume.from : since;
    let lastStart = from;
    for (let page = 1; page <= MAX_PAGES; page++) {
      let data: z.output<typeof AircallCallsPage>;
      try {
        ({ data } = await client.call({
          path: '/v1/calls',
          query: { from: Math.floor(from / 1000), order: 'asc', per_page: 50, page },
          schema: AircallCallsPage,
        }));
      } catch (error) {
        if (stoppedByRateLimit(error, page - 1))
          return { calls, complete: false, resume: { from: lastStart }, unreadable };
        throw error;
      }
      for (const raw of data.calls) {
        const start = toEpochMs((raw as { started_at?: number | string } | null)?.started_at);
        if (start !== undefined) lastStart = Math.max(lastStart, start);
      }
      calls.push(
        ...readRecords(
          data.calls,
          AircallCall,
          (raw, i) => `Aircall call ${recordId(raw, 'id', i)}`,
          mapAircallCall,
          unreadable,
        ),
      );
      if (!data.meta?.next_page_link || data.calls.length === 0) {
        await lookUpTranscripts(client, calls, stored);
        return { calls, complete: true, unreadable };
      }
    }
    await lookUpTranscripts(client, calls, stored);
    return { calls, complete: false, resume: { from: lastStart }, unreadable };
  },
  /**
   * The call's `voicemail` URL is a direct, pre-signed link valid for an hour only
   * (VOICEMAIL_LINK_SECONDS): it plays in the page without our credentials, but the one read
   * at capture may have expired, so each play asks for a fresh one: `GET /v1/calls/:id`.
   */
  async voicemailAudio(client, _config, call) {
    const { data } = await client.call({
      path: `/v1/calls/${encodeURIComponent(call.providerCallId)}`,
      schema: z.object({ call: z.object({ voicemail: z.string().nullish() }) }),
    });
    const url = text(data.call.voicemail);
    if (!url || !/^https?:\/\//i.test(url))
      throw new Error('Aircall no longer has a recording for this voicemail.');
    return { kind: 'link', url, expiresInSeconds: VOICEMAIL_LINK_SECONDS };
  },
};
