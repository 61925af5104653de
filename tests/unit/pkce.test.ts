import { describe, expect, it } from 'vitest';
import {
  OAuthError,
  authorizeUrl,
  codeFromRedirect,
  randomToken,
  s256Challenge,
  startPkce,
  tokenExpiresSoon,
  tokensFrom,
} from '@/utils/capture/sources/pkce';
import { ringCentralSource } from '@/utils/capture/sources/ringcentral';
import {
  normalizeBaseUrl,
  originPattern,
  resolveApiUrl,
} from '@/utils/capture/sources/connections';

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636, appendix B', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes URL-safe verifiers of legal length, different every time', async () => {
    const a = await startPkce();
    const b = await startPkce();
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.state).not.toBe(b.state);
    expect(a.challenge).toBe(await s256Challenge(a.verifier));
    expect(randomToken(32)).toHaveLength(43);
  });

  it('builds RingCentral’s authorize URL on the configured base', () => {
    const url = new URL(
      ringCentralSource.oauth!.authorizeUrl(
        'https://platform.ringcentral.com',
        { clientId: 'abc', scope: 'extension' },
        {
          redirectUri: 'https://extid.chromiumapp.org/',
          challenge: 'CH',
          state: 'ST',
        },
      ),
    );
    expect(url.origin + url.pathname).toBe(
      'https://platform.ringcentral.com/restapi/oauth/authorize',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'abc',
      redirect_uri: 'https://extid.chromiumapp.org/',
      state: 'ST',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
    });
    expect(
      authorizeUrl('https://x.test/auth', {
        clientId: 'c',
        redirectUri: 'r',
        challenge: 'h',
        state: 's',
        scope: 'ReadCallLog',
      }),
    ).toContain('scope=ReadCallLog');
  });

  it('accepts the redirect only with the right state, and explains provider errors', () => {
    expect(codeFromRedirect('https://id.chromiumapp.org/?code=C0DE&state=S1', 'S1')).toBe('C0DE');
    expect(codeFromRedirect('https://id.chromiumapp.org/#code=C0DE&state=S1', 'S1')).toBe('C0DE');
    expect(() =>
      codeFromRedirect('https://id.chromiumapp.org/?code=C0DE&state=EVIL', 'S1'),
    ).toThrow(/did not match/);
    expect(() =>
      codeFromRedirect('https://id.chromiumapp.org/?error=access_denied&state=S1', 'S1'),
    ).toThrow(/cancelled or access was denied/);
    expect(() =>
      codeFromRedirect(
        'https://id.chromiumapp.org/?error=unauthorized_client&error_description=Unknown+client+id',
        'S1',
      ),
    ).toThrow(OAuthError);
  });

  it('turns token answers into stored tokens, keeping a refresh token the provider did not rotate', () => {
    const now = 1_000_000;
    const first = tokensFrom(
      {
        access_token: 'a1',
        refresh_token: 'r1',
        expires_in: 3600,
        refresh_token_expires_in: 604800,
      },
      now,
    );
    expect(first).toEqual({
      accessToken: 'a1',
      refreshToken: 'r1',
      expiresAt: now + 3_600_000,
      refreshExpiresAt: now + 604_800_000,
    });
    expect(tokensFrom({ access_token: 'a2', expires_in: 3600 }, now + 10, first)).toMatchObject({
      refreshToken: 'r1',
      refreshExpiresAt: first.refreshExpiresAt,
    });
    expect(tokenExpiresSoon(first, now + 3_600_000 - 61_000)).toBe(false);
    expect(tokenExpiresSoon(first, now + 3_600_000 - 59_000)).toBe(true);
  });
});

describe('API base URL setting', () => {
  it('takes https anywhere and plain http only on this machine', () => {
    expect(normalizeBaseUrl('https://api.aircall.io/')).toBe('https://api.aircall.io');
    expect(normalizeBaseUrl(' http://127.0.0.1:4010/aircall/ ')).toBe(
      'http://127.0.0.1:4010/aircall',
    );
    expect(() => normalizeBaseUrl('http://api.aircall.io')).toThrow(/https/);
    expect(() => normalizeBaseUrl('https://user:pw@api.aircall.io')).toThrow(/credentials/);
    expect(() => normalizeBaseUrl('aircall')).toThrow(/not a valid URL/);
  });

  it('asks for the host permission of the base URL, whatever the port', () => {
    expect(originPattern('http://127.0.0.1:4010/aircall')).toBe('http://127.0.0.1/*');
    expect(originPattern('https://eu.app.clio.com')).toBe('https://eu.app.clio.com/*');
  });

  it('joins paths below the base and refuses paging links to another host', () => {
    expect(resolveApiUrl('http://127.0.0.1:4010/rc', '/restapi/v1.0/x')).toBe(
      'http://127.0.0.1:4010/rc/restapi/v1.0/x',
    );
    expect(
      resolveApiUrl(
        'https://app.clio.com',
        'https://app.clio.com/api/v4/communications.json?page_token=2',
      ),
    ).toBe('https://app.clio.com/api/v4/communications.json?page_token=2');
    expect(() => resolveApiUrl('https://app.clio.com', 'https://attacker.example/api')).toThrow(
      /another host/,
    );
  });
});
