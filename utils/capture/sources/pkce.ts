import { z } from 'zod';

/**
 * OAuth 2 authorization code with PKCE (RFC 7636), the pure parts: an extension cannot keep
 * a client secret, so the verifier proves the token request comes from whoever started the
 * sign-in. The browser part (identity.launchWebAuthFlow) lives in connections.ts.
 */

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A URL-safe random string of `bytes` random bytes (43 characters for 32 bytes). */
export function randomToken(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** `code_challenge` for a verifier: BASE64URL(SHA-256(verifier)). */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface PkceStart {
  verifier: string;
  challenge: string;
  /** Anti-CSRF value echoed back on the redirect. */
  state: string;
}

export async function startPkce(): Promise<PkceStart> {
  const verifier = randomToken(48);
  return { verifier, challenge: await s256Challenge(verifier), state: randomToken(16) };
}

export function authorizeUrl(
  endpoint: string,
  params: {
    clientId: string;
    redirectUri: string;
    challenge: string;
    state: string;
    scope?: string;
  },
): string {
  const url = new URL(endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (params.scope) url.searchParams.set('scope', params.scope);
  return url.toString();
}

export class OAuthError extends Error {
  override name = 'OAuthError';
}

/** The code from the provider's redirect, after checking `state`; provider errors become OAuthError. */
export function codeFromRedirect(redirectUrl: string, expectedState: string): string {
  const url = new URL(redirectUrl);
  // Some providers answer in the fragment.
  const params =
    url.searchParams.has('code') || url.searchParams.has('error')
      ? url.searchParams
      : new URLSearchParams(url.hash.slice(1));
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new OAuthError(
      error === 'access_denied'
        ? 'Sign-in was cancelled or access was denied.'
        : `Sign-in failed: ${description ?? error}`,
    );
  }
  if (params.get('state') !== expectedState)
    throw new OAuthError('Sign-in failed: the answer did not match this sign-in (state).');
  const code = params.get('code');
  if (!code) throw new OAuthError('Sign-in failed: no authorization code came back.');
  return code;
}

export const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token_expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const OAuthTokens = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().optional(),
  /** Epoch ms when the access token expires. */
  expiresAt: z.number().optional(),
  refreshExpiresAt: z.number().optional(),
});
export type OAuthTokens = z.infer<typeof OAuthTokens>;

/** Tokens to store; keeps the old refresh token when the provider does not rotate it. */
export function tokensFrom(
  response: TokenResponse,
  now: number,
  previous?: OAuthTokens,
): OAuthTokens {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    expiresAt: response.expires_in ? now + response.expires_in * 1000 : undefined,
    refreshExpiresAt: response.refresh_token_expires_in
      ? now + response.refresh_token_expires_in * 1000
      : response.refresh_token
        ? undefined
        : previous?.refreshExpiresAt,
  };
}

/** Refresh a minute early so a request never goes out with a token that dies on the way. */
export function tokenExpiresSoon(tokens: OAuthTokens, now: number, marginMs = 60_000): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - marginMs <= now;
}
