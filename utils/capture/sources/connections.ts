import { browser, storage } from '#imports';
import { z } from 'zod';
import { db as defaultDb, type CallbackDeskDB } from '../../db';
import {
  AuthError,
  dbLimiterStore,
  HttpError,
  rateLimiter,
  request,
  sameOriginUrl,
  type LimiterStore,
} from '../../http';
import { requestHostAccess } from '../../permissions';
import { codeFromRedirect, startPkce } from './pkce';
import { CRM_CALL_LOGS, crmCallLogById, sourceById, type AnyCallSource } from './registry';
import type { SourceClient, SourceId } from './types';

/**
 * Which sources are connected and how (non-secret: enabled, client ids, account SID, base
 * URL). Credentials and tokens are never here: they live in `db.secrets`, which only the
 * background and extension pages open. A CRM call log's entry is only its switch
 * (`enabled`): the CRM connection authenticates it.
 */
export const SourceConnection = z.object({
  enabled: z.boolean(),
  /** "Advanced: API base URL" — a regional or self-hosted endpoint; default the vendor's host. */
  baseUrl: z.string().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  connectedAt: z.number(),
  /** What the connection test said (account name), shown in Options. */
  account: z.string().optional(),
});
export type SourceConnection = z.infer<typeof SourceConnection>;

export const secretKey = (id: string) => `source:${id}`;

/**
 * Version 2: the HubSpot and Clio call logs use the CRM connections instead of a token of
 * their own. Each keeps its switch (a firm that had it on finds it on once the CRM is
 * connected); its own base URL, region and account are dropped.
 */
export function sourceConnectionsV2(v1: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(v1)) {
    if (!crmCallLogById(id)) {
      out[id] = value;
      continue;
    }
    const old = value as Partial<SourceConnection> | null;
    out[id] = {
      enabled: old?.enabled === true,
      config: {},
      connectedAt: typeof old?.connectedAt === 'number' ? old.connectedAt : 0,
    };
  }
  return out;
}

/** The v2 upgrade, and the call logs' own tokens are forgotten (nothing reads them any more). */
export async function upgradeSourceConnectionsToV2(
  v1: Record<string, unknown>,
  db: CallbackDeskDB,
): Promise<Record<string, unknown>> {
  await db.secrets.bulkDelete(CRM_CALL_LOGS.map((log) => secretKey(log.id)));
  return sourceConnectionsV2(v1);
}

export const sourceConnectionsItem = storage.defineItem<Record<string, SourceConnection>>(
  'local:sourceConnections',
  {
    fallback: {},
    version: 2,
    migrations: {
      2: (v1: Record<string, unknown>) => upgradeSourceConnectionsToV2(v1, defaultDb),
    },
  },
);

/** Stored connections, each validated; a corrupt entry is dropped rather than crashing the poller. */
export async function getConnections(): Promise<Partial<Record<SourceId, SourceConnection>>> {
  const raw = await sourceConnectionsItem.getValue();
  const out: Partial<Record<SourceId, SourceConnection>> = {};
  for (const [id, value] of Object.entries(raw ?? {})) {
    const parsed = SourceConnection.safeParse(value);
    if (parsed.success && (sourceById(id) || crmCallLogById(id))) out[id as SourceId] = parsed.data;
  }
  return out;
}

/**
 * An API base URL a user typed: https anywhere, or plain http only on this machine (local
 * emulators and test doubles). No query or fragment; no trailing slash.
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error('The API base URL is not a valid URL (e.g. https://api.example.com).');
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error('The API base URL must use https:// (plain http:// only for 127.0.0.1).');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('The API base URL must not contain credentials, a query or a fragment.');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The host permission that covers a base URL (match patterns ignore the port). */
export function originPattern(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

export function effectiveBaseUrl(
  source: AnyCallSource,
  connection: Pick<SourceConnection, 'baseUrl' | 'config'>,
  config: unknown,
): string {
  return connection.baseUrl ? normalizeBaseUrl(connection.baseUrl) : source.defaultBaseUrl(config);
}

/** `path` below the base URL, or an absolute paging link that must stay on the API's origin. */
export function resolveApiUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return sameOriginUrl(path, baseUrl).toString();
  return `${baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
}

export async function readCredentials(
  db: CallbackDeskDB,
  source: AnyCallSource,
): Promise<unknown | undefined> {
  const row = await db.secrets.get(secretKey(source.id));
  if (!row) return undefined;
  const parsed = source.credentialsSchema.safeParse(row.value);
  return parsed.success ? parsed.data : undefined;
}

export async function saveCredentials(
  db: CallbackDeskDB,
  id: SourceId,
  credentials: unknown,
): Promise<void> {
  await db.secrets.put({ key: secretKey(id), value: credentials, updatedAt: Date.now() });
}

export interface ClientDeps {
  db: CallbackDeskDB;
  /** The credentials being tried are not stored yet (connecting). */
  unsaved?: boolean;
  fetch?: typeof fetch;
  now?: () => number;
  limiterStore?: LimiterStore;
}

/** A client without credentials (OAuth token endpoints). */
export function anonymousClient(
  source: AnyCallSource,
  baseUrl: string,
  config: unknown,
  deps: ClientDeps,
): SourceClient {
  const now = deps.now ?? Date.now;
  const limiter = rateLimiter(
    source.rateLimitKey(config),
    source.rateLimit,
    deps.limiterStore ?? dbLimiterStore(deps.db),
  );
  return {
    baseUrl,
    now: now(),
    call: (req) =>
      request({
        ...req,
        url: resolveApiUrl(baseUrl, req.path),
        limiters: [limiter],
        fetch: deps.fetch,
        now,
      }),
  };
}

function withSourceRefreshLock<T>(id: SourceId, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks ? locks.request(`source-refresh:${id}`, fn) : fn();
}

/**
 * A client that authenticates every request, refreshes OAuth tokens before they expire and
 * once after a 401, and stores refreshed tokens at once (a refresh token may be single-use).
 */
export function connectedClient(
  source: AnyCallSource,
  baseUrl: string,
  config: unknown,
  initialCredentials: unknown,
  deps: ClientDeps,
): SourceClient {
  const now = deps.now ?? Date.now;
  const anonymous = anonymousClient(source, baseUrl, config, deps);
  let credentials = initialCredentials;
  /**
   * Refreshes of one source never overlap (an alarm poll and "Poll now", say): RingCentral
   * rotates refresh tokens, so a second refresh with the same token would fail. Inside the
   * lock the stored tokens are read again: if another poll refreshed meanwhile, use its.
   */
  const refresh = (afterRejection: boolean) =>
    withSourceRefreshLock(source.id, async () => {
      if (deps.unsaved) {
        // Connecting: these credentials are not stored yet, so there is nothing to reconcile.
        credentials = await source.refresh!({ ...anonymous, now: now() }, credentials, config);
        return;
      }
      const stored = await readCredentials(deps.db, source);
      if (stored === undefined) throw new Error(`${source.label} was disconnected.`);
      if (JSON.stringify(stored) !== JSON.stringify(credentials)) {
        credentials = stored;
        if (afterRejection || !source.needsRefresh?.(credentials, now())) return;
      }
      const next = await source.refresh!({ ...anonymous, now: now() }, credentials, config);
      // Disconnected while the refresh was in flight: do not bring the tokens back.
      if (!(await deps.db.secrets.get(secretKey(source.id))))
        throw new Error(`${source.label} was disconnected.`);
      credentials = next;
      await saveCredentials(deps.db, source.id, credentials);
    });
  return {
    baseUrl,
    now: now(),
    async call(req) {
      if (source.refresh && source.needsRefresh?.(credentials, now())) await refresh(false);
      const send = () =>
        anonymous.call({
          ...req,
          headers: { ...req.headers, ...source.authHeaders(credentials, config) },
        });
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof AuthError) || !source.refresh) throw error;
        await refresh(true);
        return send();
      }
    },
    // Voicemail audio and text transcripts (not JSON): only below the API's own origin, so
    // the token never goes anywhere else; refreshed like `call`. User-initiated or a few per
    // poll, so it takes no rate-limit slot.
    async download(path) {
      if (source.refresh && source.needsRefresh?.(credentials, now())) await refresh(false);
      const url = resolveApiUrl(baseUrl, path);
      const get = () =>
        (deps.fetch ?? globalThis.fetch.bind(globalThis))(url, {
          headers: source.authHeaders(credentials, config),
        });
      let response = await get();
      if (response.status === 401 && source.refresh) {
        await refresh(true);
        response = await get();
      }
      if (!response.ok) {
        throw new HttpError(`${source.label} answered ${response.status} for the recording.`, {
          status: response.status,
          method: 'GET',
          url,
          retryable: response.status >= 500 || response.status === 429,
        });
      }
      return {
        bytes: await response.arrayBuffer(),
        mimeType: response.headers.get('content-type') ?? '',
      };
    },
  };
}

export class ConnectError extends Error {
  override name = 'ConnectError';
  fieldErrors: Record<string, string>;
  constructor(message: string, fieldErrors: Record<string, string> = {}) {
    super(message);
    this.fieldErrors = fieldErrors;
  }
}

function parseFields(
  source: AnyCallSource,
  form: Record<string, string>,
): { config: unknown; credentials: unknown } {
  const pick = (kind: 'config' | 'secret') =>
    Object.fromEntries(
      source.fields
        .filter((f) => f.kind === kind)
        .map((f) => [f.key, form[f.key] ?? ''])
        .filter(([, v]) => v !== '' || kind === 'secret'),
    );
  const fieldErrors: Record<string, string> = {};
  const config = source.configSchema.safeParse(pick('config'));
  if (!config.success)
    for (const issue of config.error.issues)
      fieldErrors[String(issue.path[0] ?? '')] ??= issue.message;
  let credentials: unknown;
  if (source.auth === 'fields') {
    const creds = source.credentialsSchema.safeParse(pick('secret'));
    if (!creds.success)
      for (const issue of creds.error.issues)
        fieldErrors[String(issue.path[0] ?? '')] ??= issue.message;
    else credentials = creds.data;
  }
  if (Object.keys(fieldErrors).length > 0)
    throw new ConnectError('Check the highlighted fields.', fieldErrors);
  return { config: config.success ? config.data : undefined, credentials };
}

/**
 * Connect a source from the Options form. Call straight from the click handler: the host
 * permission request needs the user's gesture. Checks the credentials with a real API call
 * before saving anything; keeps an existing cursor so a reconnect neither repeats nor skips.
 */
export async function connectSource(
  db: CallbackDeskDB,
  id: SourceId,
  form: Record<string, string>,
  baseUrlOverride: string,
): Promise<string> {
  const source = sourceById(id);
  if (!source) throw new ConnectError(`Unknown source ${id}.`);
  const { config, credentials: typed } = parseFields(source, form);
  let baseUrl: string;
  try {
    baseUrl = baseUrlOverride.trim()
      ? normalizeBaseUrl(baseUrlOverride)
      : source.defaultBaseUrl(config);
  } catch (error) {
    throw new ConnectError((error as Error).message, { baseUrl: (error as Error).message });
  }
  const host = new URL(baseUrl).host;
  if (!(await requestHostAccess([originPattern(baseUrl)]))) {
    throw new ConnectError(
      `Callback Desk needs your permission to reach ${host}. Click Connect again and choose Allow.`,
    );
  }
  let credentials = typed;
  if (source.auth === 'oauth-pkce' && source.oauth) {
    const pkce = await startPkce();
    const redirectUri = browser.identity.getRedirectURL();
    const responseUrl = await browser.identity.launchWebAuthFlow({
      url: source.oauth.authorizeUrl(baseUrl, config, {
        redirectUri,
        challenge: pkce.challenge,
        state: pkce.state,
      }),
      interactive: true,
    });
    if (!responseUrl) throw new ConnectError('Sign-in was cancelled.');
    const code = codeFromRedirect(responseUrl, pkce.state);
    credentials = await source.oauth.exchange(
      anonymousClient(source, baseUrl, config, { db }),
      config,
      {
        code,
        verifier: pkce.verifier,
        redirectUri,
      },
    );
  }
  const account = await source.test(
    connectedClient(source, baseUrl, config, credentials, { db, unsaved: true }),
    config,
  );
  await saveCredentials(db, source.id, credentials);
  const all = await sourceConnectionsItem.getValue();
  await sourceConnectionsItem.setValue({
    ...all,
    [id]: {
      enabled: true,
      baseUrl: baseUrlOverride.trim() ? baseUrl : undefined,
      config: (config ?? {}) as Record<string, unknown>,
      connectedAt: Date.now(),
      account,
    },
  });
  return account;
}

/** "Test connection" for a saved connection: one real, read-only API call. */
export async function testSource(db: CallbackDeskDB, id: SourceId): Promise<string> {
  const source = sourceById(id);
  const connection = (await getConnections())[id];
  if (!source || !connection) throw new Error('Not connected.');
  const config = source.configSchema.parse(connection.config);
  const credentials = await readCredentials(db, source);
  if (credentials === undefined)
    throw new Error('The saved credentials are missing. Connect again.');
  const baseUrl = effectiveBaseUrl(source, connection, config);
  return source.test(connectedClient(source, baseUrl, config, credentials, { db }), config);
}

/** Forget a source for good: its credentials, its cursor and status, its connection entry. */
export async function disconnectSource(db: CallbackDeskDB, id: SourceId): Promise<void> {
  await db.transaction('rw', db.secrets, db.cursors, async () => {
    await db.secrets.delete(secretKey(id));
    await db.cursors.delete(id);
  });
  const { [id]: _removed, ...rest } = await sourceConnectionsItem.getValue();
  await sourceConnectionsItem.setValue(rest);
}

/**
 * Pause or resume polling without forgetting credentials. A CRM call log has nothing to
 * connect: switching it on the first time adds it.
 */
export async function setSourceEnabled(id: SourceId, enabled: boolean): Promise<void> {
  const all = await sourceConnectionsItem.getValue();
  const current = all[id];
  if (current) {
    await sourceConnectionsItem.setValue({ ...all, [id]: { ...current, enabled } });
  } else if (crmCallLogById(id)) {
    await sourceConnectionsItem.setValue({
      ...all,
      [id]: { enabled, config: {}, connectedAt: Date.now() },
    });
  }
}
