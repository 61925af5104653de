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
import { text, toEpochMs, type CallSource, type FetchResult } from './types';

/**
 * RingCentral call log. Sign-in is OAuth 2 with PKCE in the browser (the firm registers a
 * "client-side web app" in the RingCentral developer console, adds our redirect URL, and
 * enters its client id here); access tokens live 1 h and are refreshed with the refresh
 * token (7 days, rotated on every refresh). Call log: `GET /restapi/v1.0/account/~/
 * extension/~/call-log?type=Voice&direction=Inbound&view=Simple&dateFrom=<ISO>`, newest
 * first, in the "Heavy" group (10 requests per user per minute).
 */

const Party = z
  .object({
    phoneNumber: z.string().nullish(),
    name: z.string().nullish(),
    extensionNumber: z.string().nullish(),
  })
  .nullish();

const RingCentralRecord = z.object({
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
  records: z.array(RingCentralRecord),
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
  if (startedAt === undefined) return null;
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

const PER_PAGE = 250;
const MAX_PAGES = 8;

export const ringCentralSource: CallSource<Config, OAuthTokens> = {
  id: 'ringcentral',
  label: 'RingCentral',
  provider: 'ringcentral',
  capturePath: 'api',
  rule: 'Inbound voice calls with result Missed, No Answer, Rejected, Voicemail, Hang Up or Busy. Accepted calls close open leads.',
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
  async fetchCalls(client, config, since): Promise<FetchResult> {
    const path =
      config.scope === 'account'
        ? '/restapi/v1.0/account/~/call-log'
        : '/restapi/v1.0/account/~/extension/~/call-log';
    const calls: IncomingCall[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data } = await client.call({
        path,
        query: {
          type: 'Voice',
          direction: 'Inbound',
          view: 'Simple',
          dateFrom: new Date(since).toISOString(),
          perPage: PER_PAGE,
          page,
        },
        schema: RingCentralCallLog,
      });
      for (const record of data.records) {
        const call = mapRingCentralRecord(record);
        if (call) calls.push(call);
      }
      if (!data.navigation?.nextPage || data.records.length < PER_PAGE)
        return { calls, complete: true };
    }
    return { calls, complete: false };
  },
};
