import type { z } from 'zod';
import { request } from '../http';
import type { ConnectorDeps } from './connector';

/**
 * OAuth 2 with the firm's own CRM app, as HubSpot and Clio both do it: a form-encoded POST
 * to the token endpoint with the app's secret in the body. Never retried: an authorization
 * code works once, and so may a refresh token.
 */

export type OAuthHttpDeps = Pick<ConnectorDeps, 'fetch' | 'now' | 'timeoutMs'>;

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

export async function tokenGrant<S extends z.ZodType<TokenAnswer>>(
  tokenUrl: string,
  schema: S,
  form: Record<string, string>,
  deps: OAuthHttpDeps,
): Promise<z.output<S>> {
  const answer = await request({
    url: tokenUrl,
    method: 'POST',
    form,
    schema,
    retries: 0,
    fetch: deps.fetch,
    now: deps.now,
    timeoutMs: deps.timeoutMs,
  });
  return answer.data;
}

/** The form that trades the sign-in redirect's code for tokens. */
export function codeGrant(params: {
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
}): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    client_id: params.clientId,
    client_secret: params.clientSecret,
    redirect_uri: params.redirectUri,
    code: params.code,
  };
}

/**
 * New access token from the refresh token. A CRM that rotates refresh tokens (HubSpot)
 * sends the next one; one that does not (Clio) leaves the stored one valid.
 */
export async function refreshOAuthTokens<
  C extends { clientId: string; clientSecret: string; refreshToken: string },
>(
  tokenUrl: string,
  schema: z.ZodType<TokenAnswer>,
  credentials: C,
  deps: OAuthHttpDeps,
): Promise<C & { accessToken: string; expiresAt: number }> {
  const now = (deps.now ?? Date.now)();
  const data = await tokenGrant(
    tokenUrl,
    schema,
    {
      grant_type: 'refresh_token',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: credentials.refreshToken,
    },
    deps,
  );
  return {
    ...credentials,
    accessToken: data.access_token,
    refreshToken: data.refresh_token ?? credentials.refreshToken,
    expiresAt: now + data.expires_in * 1000,
  };
}
