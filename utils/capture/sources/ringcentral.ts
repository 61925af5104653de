import { z } from 'zod';
import type { CallReason, IncomingCall } from '../../model';
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
} from './types';

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
  };
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
      help: 'From your RingCentral app (client-side web app, auth code with PKCE, permission Read Call Log). Add the redirect URL shown below to the app.',
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
  async fetchCalls(client, config, since, resume): Promise<FetchResult> {
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
        const start = toEpochMs((raw as { startTime?: string } | null)?.startTime);
        if (start !== undefined) oldest = Math.min(oldest, start);
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
      if (!data.navigation?.nextPage || data.records.length < PER_PAGE)
        return { calls, complete: true, unreadable };
    }
    return { calls, complete: false, resume: { until: oldest }, unreadable };
  },
};
