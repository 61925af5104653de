import { z } from 'zod';
import type { CallReason, CallVoicemail, IncomingCall } from '../../model';
import {
  authorizeUrl,
  OAuthError,
  OAuthTokens,
  TokenResponse,
  tokenExpiresSoon,
  tokensFrom,
} from './pkce';
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
import { ApiError } from '../../http';
import { base64OfBytes, voicemailSettled } from './voicemail';

/**
 * RingCentral call log. Sign-in is OAuth 2 with PKCE in the browser (the firm registers a
 * "client-side web app" in the RingCentral developer console, adds our redirect URL, and
 * enters its client id here); access tokens live 1 h and are refreshed with the refresh
 * token (7 days, rotated on every refresh). Call log: `GET /restapi/v1.0/account/~/
 * extension/~/call-log?type=Voice&direction=Inbound&view=Simple&dateFrom=<ISO>`, newest
 * first, in the "Heavy" group (10 requests per user per minute). The call log can only be
 * filtered by start time (`dateFrom`/`dateTo`), and a record appears when the call ends: a
 * caller who waited in a queue, or an answered call that lasted an hour, shows up that long
 * after its start. So every poll reads the last `lookbackMs` by start time again (1,000
 * records a page, RingCentral's maximum: one request for most firms). A read that did not
 * reach the cursor resumes next poll from the oldest start it reached (`dateTo`).
 */

const Party = z
  .object({
    phoneNumber: z.string().nullish(),
    name: z.string().nullish(),
    extensionNumber: z.string().nullish(),
  })
  .nullish();

export const RingCentralRecord = z.object({
  id: z.string(),
  sessionId: z.string().nullish(),
  startTime: z.string(),
  direction: z.string().nullish(),
  type: z.string().nullish(),
  result: z.string().nullish(),
  from: Party,
  to: Party,
  extension: z.object({ id: z.union([z.string(), z.number()]).nullish() }).nullish(),
  /**
   * "Linked message (Fax/Voicemail)": `{id, type, uri}` (RingCentral API definitions,
   * CallLogRecordMessage — ringcentral/RingCentral.Net Definitions/CallLogRecordMessage.cs).
   * A voicemail left on the call has type "VoiceMail" and the message store's URI.
   */
  message: z
    .object({
      id: z.union([z.string(), z.number()]),
      type: z.string().nullish(),
      uri: z.string().nullish(),
    })
    .nullish(),
});
export type RingCentralRecord = z.infer<typeof RingCentralRecord>;

export const RingCentralCallLog = z.object({
  /** Read one by one (readRecords): one bad record must not fail the page. */
  records: z.array(z.unknown()),
  navigation: z.object({ nextPage: z.object({ uri: z.string() }).nullish() }).nullish(),
});

/** RingCentral `result` values and what they mean for a callback; others (in progress, blocked…) are skipped. */
const RESULT_REASON: Record<string, CallReason> = {
  missed: 'no-answer',
  'no answer': 'no-answer',
  rejected: 'no-answer',
  voicemail: 'voicemail',
  'hang up': 'abandoned',
  abandoned: 'abandoned',
  busy: 'busy',
  accepted: 'answered',
  'call connected': 'answered',
};

export function mapRingCentralRecord(record: RingCentralRecord): IncomingCall | null {
  if (record.direction && record.direction !== 'Inbound') return null;
  if (record.type && record.type !== 'Voice') return null;
  const reason = RESULT_REASON[(record.result ?? '').trim().toLowerCase()];
  if (!reason) return null;
  const startedAt = toEpochMs(record.startTime);
  if (startedAt === undefined) throw notATime('startTime', record.startTime);
  const name = text(record.from?.name);
  return {
    from: text(record.from?.phoneNumber) ?? name ?? 'Anonymous',
    startedAt,
    callerName: name,
    dialedLine: text(record.to?.phoneNumber),
    reason,
    provider: 'ringcentral',
    providerCallId: record.id,
    capturePath: 'api',
    agent: text(record.to?.name),
    voicemail:
      record.message?.type === 'VoiceMail'
        ? { messageId: String(record.message.id), playback: 'background' }
        : undefined,
  };
}

/**
 * A voicemail in RingCentral's message store (`GET …/message-store/{messageId}`; the gist
 * "grokify/dc136d4db50fb5cec8cc097b36dc8d2f" shows a real record; the RingCentral guide
 * "Voicemail Message Event" lists `vmTranscriptionStatus`): attachments of type
 * `AudioRecording` (`uri`, `contentType` audio/mpeg, `vmDuration` seconds) and
 * `AudioTranscription` (`uri`, text/plain). `availability` Deleted/Purged: the audio is gone.
 */
const RingCentralAttachment = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  uri: z.string().nullish(),
  type: z.string().nullish(),
  contentType: z.string().nullish(),
  vmDuration: z.number().nullish(),
});
export const RingCentralVoicemailMessage = z.object({
  id: z.union([z.string(), z.number()]),
  type: z.string().nullish(),
  availability: z.string().nullish(),
  vmTranscriptionStatus: z.string().nullish(),
  attachments: z.array(RingCentralAttachment).nullish(),
});
export type RingCentralVoicemailMessage = z.infer<typeof RingCentralVoicemailMessage>;

/**
 * `vmTranscriptionStatus` values (RingCentral API reference, GetMessageInfoResponse:
 * NotAvailable, InProgress, TimedOut, Completed, CompletedPartially, Failed, Unknown).
 */
const TRANSCRIPTION_STATUS: Record<string, CallVoicemail['transcriptStatus']> = {
  completed: 'ready',
  completedpartially: 'ready',
  inprogress: 'pending',
  notavailable: 'none',
  timedout: 'failed',
  failed: 'failed',
};

/** A content URI's path on the API host: the token is sent to the API's own origin only. */
export function ringCentralContentPath(uri: string): string | undefined {
  const url = URL.parse(uri, 'https://platform.ringcentral.com');
  // Attachment URIs may name media.ringcentral.com; the same path is served by the API
  // host the connection uses (and the emulator), so the token never leaves that origin.
  return url && url.pathname.startsWith('/restapi/') ? `${url.pathname}${url.search}` : undefined;
}

/** The most a transcript keeps (utils/model.ts CallVoicemail). */
const MAX_TRANSCRIPT = 20_000;

/** One message store record → the call's voicemail; fetches the transcript once it is done. */
export async function readRingCentralVoicemail(
  client: SourceClient,
  message: RingCentralVoicemailMessage,
): Promise<CallVoicemail> {
  const attachments = message.attachments ?? [];
  const audio = attachments.find((a) => a.type === 'AudioRecording');
  const transcription = attachments.find((a) => a.type === 'AudioTranscription');
  const gone = /^(deleted|purged)$/i.test(message.availability ?? '');
  const voicemail: CallVoicemail = {
    messageId: String(message.id),
    playback: 'background',
  };
  if (audio?.uri && !gone) voicemail.url = audio.uri;
  if (typeof audio?.vmDuration === 'number' && audio.vmDuration >= 0)
    voicemail.durationSeconds = Math.round(audio.vmDuration);
  let status =
    TRANSCRIPTION_STATUS[(message.vmTranscriptionStatus ?? '').toLowerCase()] ??
    (transcription ? 'ready' : 'none');
  if (status === 'ready') {
    const path = transcription?.uri ? ringCentralContentPath(transcription.uri) : undefined;
    if (!path || !client.download) status = 'none';
    else {
      const { bytes } = await client.download(path);
      const text = new TextDecoder().decode(bytes).trim();
      if (text) voicemail.transcript = text.slice(0, MAX_TRANSCRIPT);
      else status = 'none';
    }
  }
  voicemail.transcriptStatus = status;
  return voicemail;
}

/** Message-store reads per poll: within the 10 a minute, after the call log's own pages. */
const MAX_VOICEMAIL_LOOKUPS = 3;
/** A voicemail message is created after the greeting, within this long of the call's start. */
const VOICEMAIL_AFTER_CALL_MS = 30 * 60_000;

/** A message-store list entry: the message, plus who left it and when (to match a call). */
const RingCentralListedVoicemail = RingCentralVoicemailMessage.extend({
  from: z.object({ phoneNumber: z.string().nullish() }).nullish(),
  creationTime: z.string().nullish(),
});

const digits = (value: string | null | undefined) => (value ?? '').replace(/\D/g, '');

/**
 * Fill in the voicemails of this read's calls that the desk does not hold complete yet
 * (a transcript comes minutes after the call: later polls, re-reading the window, fill it
 * in). Newest first. A call-log record links its message (`message.id`/`uri`): that message
 * is read. A voicemail call without the link is matched in the extension's message store
 * (`GET …/extension/~/message-store?messageType=VoiceMail&dateFrom=…`, one request) by the
 * caller's number and a creation time within half an hour after the call started. A message
 * gone from the store (404) leaves the call with no recording; the rate limit stops the
 * lookups until the next poll.
 */
async function lookUpVoicemails(
  client: SourceClient,
  calls: IncomingCall[],
  messageUris: Map<string, string>,
  stored: StoredCalls | undefined,
  unreadable: string[],
): Promise<void> {
  const wanted = calls.filter(
    (c) => c.providerCallId && (c.voicemail?.messageId || c.reason === 'voicemail'),
  );
  if (wanted.length === 0) return;
  const held = stored ? await stored(wanted.map((c) => c.providerCallId!)) : new Map();
  const todo = wanted
    .filter((c) => !voicemailSettled(held.get(c.providerCallId!)?.voicemail))
    .sort((a, b) => b.startedAt - a.startedAt);
  const linked = todo.filter((c) => c.voicemail?.messageId).slice(0, MAX_VOICEMAIL_LOOKUPS);
  const unlinked = todo.filter((c) => !c.voicemail?.messageId);
  try {
    for (const call of linked) {
      const id = call.voicemail!.messageId!;
      const path =
        messageUris.get(call.providerCallId!) ??
        `/restapi/v1.0/account/~/extension/~/message-store/${encodeURIComponent(id)}`;
      try {
        const { data } = await client.call({
          path,
          schema: RingCentralVoicemailMessage,
          retries: 0,
        });
        call.voicemail = await readRingCentralVoicemail(client, data);
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
        call.voicemail = { messageId: id, playback: 'background', transcriptStatus: 'none' };
      }
    }
    if (unlinked.length > 0) await matchInMessageStore(client, unlinked);
  } catch (error) {
    // A busy or failing message store is asked again next poll (the call is stored already).
    if (error instanceof ApiError && error.retryable) return;
    // Not transient (the app lacks the Read Messages permission, say): the firm must know.
    unreadable.push(`RingCentral voicemails: ${(error as Error).message}`);
  }
}

async function matchInMessageStore(client: SourceClient, calls: IncomingCall[]): Promise<void> {
  const from = Math.min(...calls.map((c) => c.startedAt));
  const { data } = await client.call({
    path: '/restapi/v1.0/account/~/extension/~/message-store',
    query: {
      messageType: 'VoiceMail',
      dateFrom: new Date(from - 60_000).toISOString(),
      perPage: 100,
    },
    schema: z.object({ records: z.array(z.unknown()).default([]) }),
    retries: 0,
  });
  const pool = data.records
    .map((raw) => RingCentralListedVoicemail.safeParse(raw))
    .filter((r) => r.success)
    .map((r) => r.data);
  for (const call of calls) {
    const caller = digits(call.from);
    if (!caller) continue;
    const match = pool
      .filter((m) => {
        const at = toEpochMs(m.creationTime);
        return (
          digits(m.from?.phoneNumber) === caller &&
          at !== undefined &&
          at >= call.startedAt - 60_000 &&
          at <= call.startedAt + VOICEMAIL_AFTER_CALL_MS
        );
      })
      .sort((a, b) => toEpochMs(a.creationTime)! - toEpochMs(b.creationTime)!)[0];
    if (!match) {
      // Long past the time its message would have been created: it is in no mailbox this
      // connection reads (another extension's, or deleted). Settled, so no further lists.
      if (client.now - call.startedAt > VOICEMAIL_AFTER_CALL_MS + 5 * 60_000)
        call.voicemail = { transcriptStatus: 'none' };
      continue;
    }
    pool.splice(pool.indexOf(match), 1);
    call.voicemail = await readRingCentralVoicemail(client, match);
  }
}

const Config = z.object({
  clientId: z.string().trim().min(1, 'Client ID is required'),
  scope: z.enum(['extension', 'account']).default('extension'),
});
type Config = z.infer<typeof Config>;

/** RingCentral's largest call-log page. */
const PER_PAGE = 1000;
/** Pages per poll: within the Heavy group's 10 a minute, with room for a token refresh. */
const MAX_PAGES = 6;
/** Queue waits and long answered calls: records appear up to this long after the call started. */
const LOOKBACK_MS = 4 * HOUR_MS;

export const ringCentralSource: CallSource<Config, OAuthTokens> = {
  id: 'ringcentral',
  label: 'RingCentral',
  provider: 'ringcentral',
  capturePath: 'api',
  rule: 'Inbound voice calls with result Missed, No Answer, Rejected, Voicemail, Hang Up or Busy. Accepted calls close open leads.',
  lookbackMs: LOOKBACK_MS,
  readsBy: 'started',
  fields: [
    {
      key: 'clientId',
      label: 'Client ID',
      kind: 'config',
      help: 'From your RingCentral app (client-side web app, auth code with PKCE, permissions Read Call Log and Read Messages — the latter for voicemails and their transcripts). Add the redirect URL shown below to the app.',
    },
    {
      key: 'scope',
      label: 'Calls to read',
      kind: 'config',
      options: [
        { value: 'extension', label: 'My extension' },
        { value: 'account', label: 'Whole account (admin)' },
      ],
    },
  ],
  auth: 'oauth-pkce',
  configSchema: Config,
  credentialsSchema: OAuthTokens,
  defaultBaseUrl: () => 'https://platform.ringcentral.com',
  rateLimit: { max: 10, intervalMs: 60_000 },
  rateLimitKey: (config) => `ringcentral:${config.clientId}`,
  authHeaders: (tokens) => ({ Authorization: `Bearer ${tokens.accessToken}` }),
  needsRefresh: (tokens, now) => Boolean(tokens.refreshToken) && tokenExpiresSoon(tokens, now),
  oauth: {
    authorizeUrl: (baseUrl, config, p) =>
      authorizeUrl(new URL('/restapi/oauth/authorize', baseUrl).toString(), {
        clientId: config.clientId,
        redirectUri: p.redirectUri,
        challenge: p.challenge,
        state: p.state,
      }),
    async exchange(client, config, p) {
      const { data } = await client.call({
        path: '/restapi/oauth/token',
        method: 'POST',
        form: {
          grant_type: 'authorization_code',
          code: p.code,
          redirect_uri: p.redirectUri,
          client_id: config.clientId,
          code_verifier: p.verifier,
        },
        schema: TokenResponse,
        retries: 0,
      });
      return tokensFrom(data, client.now);
    },
  },
  async refresh(client, tokens, config) {
    if (!tokens.refreshToken)
      throw new OAuthError('RingCentral sign-in expired. Connect again to sign in.');
    if (tokens.refreshExpiresAt !== undefined && tokens.refreshExpiresAt <= client.now) {
      throw new OAuthError(
        'RingCentral sign-in expired (no poll for a week). Connect again to sign in.',
      );
    }
    const { data } = await client.call({
      path: '/restapi/oauth/token',
      method: 'POST',
      form: {
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
        client_id: config.clientId,
      },
      schema: TokenResponse,
      // A refresh token is single-use: never send it twice.
      retries: 0,
    });
    return tokensFrom(data, client.now, tokens);
  },
  async test(client) {
    const { data } = await client.call({
      path: '/restapi/v1.0/account/~/extension/~',
      schema: z.object({ name: z.string().nullish(), extensionNumber: z.string().nullish() }),
      retries: 0,
    });
    return `Signed in to RingCentral as ${data.name ?? 'this extension'}${data.extensionNumber ? ` (ext. ${data.extensionNumber})` : ''}.`;
  },
  async fetchCalls(client, config, since, resume, stored): Promise<FetchResult> {
    const messageUris = new Map<string, string>();
    const path =
      config.scope === 'account'
        ? '/restapi/v1.0/account/~/call-log'
        : '/restapi/v1.0/account/~/extension/~/call-log';
    const calls: IncomingCall[] = [];
    const unreadable: string[] = [];
    // Newest first: an unfinished read carries on from the oldest start it reached. Calls of
    // that same second may be on the next page, and RingCentral does not say whether dateTo
    // is inclusive: the read goes on from a second above it (what is read twice is dropped).
    const until = typeof resume?.until === 'number' ? resume.until : undefined;
    let oldest = until ?? client.now;
    for (let page = 1; page <= MAX_PAGES; page++) {
      let data: z.output<typeof RingCentralCallLog>;
      try {
        ({ data } = await client.call({
          path,
          query: {
            type: 'Voice',
            direction: 'Inbound',
            view: 'Simple',
            dateFrom: new Date(since).toISOString(),
            dateTo: until === undefined ? undefined : new Date(until + 1_000).toISOString(),
            perPage: PER_PAGE,
            page,
          },
          schema: RingCentralCallLog,
        }));
      } catch (error) {
        if (stoppedByRateLimit(error, page - 1))
          return { calls, complete: false, resume: { until: oldest }, unreadable };
        throw error;
      }
      for (const raw of data.records) {
        const r = raw as { startTime?: string; id?: string; message?: { uri?: string } } | null;
        const start = toEpochMs(r?.startTime);
        if (start !== undefined) oldest = Math.min(oldest, start);
        if (r?.id && typeof r.message?.uri === 'string') messageUris.set(r.id, r.message.uri);
      }
      calls.push(
        ...readRecords(
          data.records,
          RingCentralRecord,
          (raw, i) => `RingCentral call ${recordId(raw, 'id', i)}`,
          mapRingCentralRecord,
          unreadable,
        ),
      );
      if (!data.navigation?.nextPage || data.records.length < PER_PAGE) {
        await lookUpVoicemails(client, calls, messageUris, stored, unreadable);
        return { calls, complete: true, unreadable };
      }
    }
    await lookUpVoicemails(client, calls, messageUris, stored, unreadable);
    return { calls, complete: false, resume: { until: oldest }, unreadable };
  },
  /** The audio needs the token: the background fetches it and hands the page its bytes. */
  async voicemailAudio(client, _config, call) {
    const path = call.voicemail.url ? ringCentralContentPath(call.voicemail.url) : undefined;
    if (!path || !client.download)
      throw new Error('RingCentral gave no recording for this voicemail.');
    const { bytes, mimeType } = await client.download(path);
    // The page plays it from a blob: URL of the extension's origin: only ever an audio type
    // (a text/html or SVG answer would open as an extension page from "Open audio in new tab").
    const type = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
    return {
      kind: 'bytes',
      base64: base64OfBytes(bytes),
      mimeType: /^audio\/[\w.+-]+$/.test(type) ? type : 'audio/mpeg',
    };
  },
};
