import type { z } from 'zod';
import type { CrmSystem } from '../../crm/model';
import {
  RateLimitError,
  type RateLimitPolicy,
  type RequestOptions,
  type HttpResponse,
} from '../../http';
import type { CallReason, CallVoicemail, IncomingCall, VoicemailAudio } from '../../model';

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
  /**
   * A non-JSON answer (a voicemail's audio, a text/plain transcript) from a path below the
   * base URL, authenticated like `call` (never from another origin: the token stays on the
   * API's host). Only connected clients have it.
   */
  download?(path: string): Promise<Download>;
}

/** A media or text answer: its bytes and content type. */
export interface Download {
  bytes: ArrayBuffer;
  mimeType: string;
}

export interface FetchResult {
  calls: IncomingCall[];
  /**
   * False when a page cap (or the API's rate limit) stopped reading early. The poller keeps
   * `resume` and passes it back on the next poll, which carries on from there (and so on,
   * poll after poll, until the whole window has been read).
   */
  complete: boolean;
  /** Where to carry on (JSON-safe, source-specific: a time, a page link, a page cursor). */
  resume?: PageResume;
  /**
   * Records the API sent that could not be read (schema, a time that is not a time, a
   * contact that is gone): one line each, for the source's health. The rest were read.
   */
  unreadable?: string[];
  /** Records skipped because the desk holds them already (`StoredCalls`): read, not new. */
  known?: number;
}

/** What the desk holds of a call it stored before: its outcome and the caller's number. */
export interface HeldCall {
  reason: CallReason;
  /** The caller's E.164 number; absent for a caller with no callback number. */
  phone?: string;
  /** The voicemail stored with it: a source skips lookups for one already complete. */
  voicemail?: CallVoicemail;
}

/**
 * Which of these provider call ids the desk holds already (a re-read window meets them again),
 * and what it holds: a source can skip extra requests for them (Clio's contact lookups) and
 * still pass on a record that changed since (a voicemail left after the call was logged).
 */
export type StoredCalls = (providerCallIds: string[]) => Promise<Map<string, HeldCall>>;

/** A source's resume point: plain data, stored in the cursor row between polls. */
export type PageResume = Record<string, string | number>;

/** Thrown by a mapper for one record it cannot read; the poll skips it and reports it. */
export class UnreadableRecord extends Error {
  override name = 'UnreadableRecord';
}

/** `field "value" is not a time`, the value cut to 40 characters (it came from the API). */
export function notATime(field: string, value: unknown): UnreadableRecord {
  if (value === null || value === undefined || value === '')
    return new UnreadableRecord(`${field} is missing`);
  const shown = String(value);
  return new UnreadableRecord(
    `${field} "${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}" is not a time`,
  );
}

/** One line per zod issue, in words (never raw zod text): "startTime is missing". */
export function describeRecordIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 2)
    .map((issue) => {
      const field = issue.path.join('.') || 'the record';
      return issue.code === 'invalid_type' && /received undefined|received null/.test(issue.message)
        ? `${field} is missing`
        : `${field} is not valid`;
    })
    .join(', ');
}

/**
 * Read a page's records one by one: a record that fails its schema (or that `map` cannot
 * read) is skipped and described in `unreadable`, and the rest of the page still counts.
 * `label` names a record for the user ("RingCentral call rc-1").
 */
export function readRecords<R, T>(
  raw: readonly unknown[],
  schema: z.ZodType<R>,
  label: (raw: unknown, index: number) => string,
  map: (record: R) => T | null,
  unreadable: string[],
): T[] {
  const out: T[] = [];
  raw.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      unreadable.push(`${label(item, index)}: ${describeRecordIssues(parsed.error)}`);
      return;
    }
    try {
      const mapped = map(parsed.data);
      if (mapped !== null) out.push(mapped);
    } catch (error) {
      if (!(error instanceof UnreadableRecord)) throw error;
      unreadable.push(`${label(item, index)}: ${error.message}`);
    }
  });
  return out;
}

/** A record's id for messages, whatever shape it came in. */
export function recordId(raw: unknown, key: string, index: number): string {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
  return typeof id === 'string' || typeof id === 'number'
    ? String(id)
    : `#${index + 1} of its page`;
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
  /**
   * Every poll reads again this far back before the previous poll, on the source's own time
   * axis (`readsBy`): records appear or change late (a caller who waited in a queue, a long
   * answered call, an entry logged hours later), and this is how late they may come.
   */
  lookbackMs: number;
  /**
   * What the read is filtered on: `started` (the call's start; the API offers nothing
   * else, so `lookbackMs` must cover the longest real delay) or `changed` (when the record
   * appeared or changed; `lookbackMs` only covers clock skew and search-index lag).
   */
  readsBy: 'started' | 'changed';
}

/**
 * A CRM's own call log, read through the CRM connection (utils/capture/sources/crmCallLog.ts): no
 * credentials of its own, so it has nothing to connect — only a switch.
 */
export interface CrmCallLog extends PolledLog {
  capturePath: 'crm';
  crm: CrmSystem;
  /**
   * Calls whose records changed at or after `since` (epoch ms), mapped to IncomingCall;
   * `resume` carries on from where an earlier, unfinished read of the same window stopped.
   */
  fetchCalls(
    client: SourceClient,
    since: number,
    resume?: PageResume,
    stored?: StoredCalls,
  ): Promise<FetchResult>;
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
  /**
   * Calls that started at or after `since` (epoch ms), mapped to IncomingCall; `resume`
   * carries on from where an earlier, unfinished read of the same window stopped.
   */
  fetchCalls(
    client: SourceClient,
    config: Config,
    since: number,
    resume?: PageResume,
    stored?: StoredCalls,
  ): Promise<FetchResult>;
  /**
   * The recording of a call's voicemail for the lead detail, fetched by the background with
   * the source's credentials (utils/capture/sources/voicemailAudio.ts): the audio itself, or
   * a fresh pre-signed link. Sources whose recordings open in their own app have none.
   */
  voicemailAudio?(
    client: SourceClient,
    config: Config,
    call: { providerCallId: string; voicemail: CallVoicemail },
  ): Promise<VoicemailAudio>;
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

/**
 * A page after the first ran into the rate limit (ours or the API's): keep what was read and
 * carry on from there next poll, rather than throwing the pages away and reading them again.
 */
export function stoppedByRateLimit(error: unknown, pagesRead: number): boolean {
  return pagesRead > 0 && error instanceof RateLimitError;
}

/** Hours in ms, for the sources' look-back windows. */
export const HOUR_MS = 3_600_000;
