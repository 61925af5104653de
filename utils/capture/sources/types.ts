import type { z } from 'zod';
import type { CrmSystem } from '../../crm/model';
import type { RateLimitPolicy, RequestOptions, HttpResponse } from '../../http';
import type { IncomingCall } from '../../model';

/**
 * Ids of what we poll — phone providers' APIs, then CRM call logs; also the keys of
 * connections, secrets and cursors.
 */
export const SOURCE_IDS = [
  'ringcentral',
  'aircall',
  'twilio',
  'dialpad',
  'hubspot-calls',
  'clio-calls',
] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

/** One input of a provider's connection form. Secrets go to db.secrets, the rest to storage. */
export interface ConnectionField {
  key: string;
  label: string;
  /** `secret`: stored only in the extension's IndexedDB, shown as a password field. */
  kind: 'config' | 'secret';
  placeholder?: string;
  help?: string;
  options?: readonly { value: string; label: string }[];
  optional?: boolean;
}

/** A request to the provider's API: the path is relative to the connection's base URL. */
export type SourceRequest<S extends z.ZodType> = Omit<
  RequestOptions<S>,
  'url' | 'limiters' | 'fetch' | 'now'
> & {
  /** Path below the base URL, or an absolute URL on the same origin (paging links). */
  path: string;
};

/** What a source gets to talk to its API: auth, base URL and rate limits already applied. */
export interface SourceClient {
  baseUrl: string;
  call<S extends z.ZodType>(req: SourceRequest<S>): Promise<HttpResponse<z.output<S>>>;
  now: number;
}

export interface FetchResult {
  calls: IncomingCall[];
  /**
   * False when a page cap stopped reading early. The poller then keeps the cursor at
   * `resumeFrom` (oldest-first APIs) or where it was, so the rest is read next time.
   */
  complete: boolean;
  resumeFrom?: number;
}

/** What every polled call log says about itself. */
interface PolledLog {
  id: SourceId;
  label: string;
  /** `provider` of the IncomingCalls it produces (also the dedupe key prefix). */
  provider: string;
  capturePath: 'api' | 'crm';
  /** One sentence for the options page: what counts as a missed call here. */
  rule: string;
}

/**
 * A CRM's own call log, read through the CRM connection (utils/capture/sources/crmCallLog.ts): no
 * credentials of its own, so it has nothing to connect — only a switch.
 */
export interface CrmCallLog extends PolledLog {
  capturePath: 'crm';
  crm: CrmSystem;
  /** Calls that started at or after `since` (epoch ms), mapped to IncomingCall. */
  fetchCalls(client: SourceClient, since: number): Promise<FetchResult>;
}

/** A phone provider's API with its own credentials: one file per provider, listed in registry.ts. */
export interface CallSource<
  Config = Record<string, string>,
  Credentials = unknown,
> extends PolledLog {
  capturePath: 'api';
  fields: readonly ConnectionField[];
  /** `fields`: everything is typed in; `oauth-pkce`: a browser sign-in (launchWebAuthFlow). */
  auth: 'fields' | 'oauth-pkce';
  configSchema: z.ZodType<Config>;
  credentialsSchema: z.ZodType<Credentials>;
  defaultBaseUrl(config: Config): string;
  /** Shared budget with anything else calling this API with these credentials. */
  rateLimit: RateLimitPolicy;
  rateLimitKey(config: Config): string;
  /** Headers that authenticate a request. */
  authHeaders(credentials: Credentials, config: Config): Record<string, string>;
  /**
   * New credentials after a 401 or before expiry (OAuth refresh). `client` sends no
   * Authorization header. Sources without it leave a 401 for the user to fix.
   */
  refresh?(client: SourceClient, credentials: Credentials, config: Config): Promise<Credentials>;
  /** Browser sign-in (auth `oauth-pkce`): where to send the user, and the code exchange. */
  oauth?: {
    authorizeUrl(
      baseUrl: string,
      config: Config,
      params: { redirectUri: string; challenge: string; state: string },
    ): string;
    /** `client` sends no Authorization header. */
    exchange(
      client: SourceClient,
      config: Config,
      params: { code: string; verifier: string; redirectUri: string },
    ): Promise<Credentials>;
  };
  /** Is a refresh due before the next request (token about to expire)? */
  needsRefresh?(credentials: Credentials, now: number): boolean;
  /** A real, cheap call that proves the credentials work; resolves with what to tell the user. */
  test(client: SourceClient, config: Config): Promise<string>;
  /** Calls that started at or after `since` (epoch ms), mapped to IncomingCall. */
  fetchCalls(client: SourceClient, config: Config, since: number): Promise<FetchResult>;
}

/** Parse a time the APIs send (ISO, RFC 2822, epoch s/ms as number or string) to epoch ms. */
export function toEpochMs(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    // Epoch seconds until 2286 are < 1e10; epoch ms are larger.
    return n < 1e10 ? Math.round(n * 1000) : Math.round(n);
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Keep only non-empty trimmed strings. */
export function text(value: string | null | undefined): string | undefined {
  const t = value?.trim();
  return t ? t : undefined;
}
