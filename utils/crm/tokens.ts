import { z } from 'zod';
import type { CallbackDeskDB } from '../db';
import { HttpError } from '../http';
import { AccountChangedError, reconnect, ReconnectError } from './connector';
import { accountKeyOf, CRM_LABELS, ClioRegion, type CrmSystem, type TokenSession } from './model';

/**
 * CRM credentials live only in db.secrets (the extension's own IndexedDB: the background
 * and extension pages read it, content scripts cannot). Disconnect deletes the row.
 */

const Account = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().optional(),
  /** accountKeyOf (utils/crm/model.ts): which records the connection sees. */
  key: z.string().optional(),
});

export { CLIO_REGIONS, ClioRegion } from './model';

const OAuthApp = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });

export const HubSpotCredentials = z.discriminatedUnion('auth', [
  z.object({
    auth: z.literal('private-app'),
    token: z.string().min(8),
    /** Account (portal) id, for links to records; HubSpot does not tell a private app. */
    portalId: z.string().regex(/^\d+$/).optional(),
    account: Account,
    connectedAt: z.number(),
  }),
  OAuthApp.extend({
    auth: z.literal('oauth'),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1),
    expiresAt: z.number(),
    portalId: z.string().regex(/^\d+$/).optional(),
    account: Account,
    connectedAt: z.number(),
  }),
]);
export type HubSpotCredentials = z.infer<typeof HubSpotCredentials>;

export const ClioCredentials = OAuthApp.extend({
  auth: z.literal('oauth'),
  region: ClioRegion,
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresAt: z.number(),
  account: Account,
  connectedAt: z.number(),
  /** Clio Grow Lead Inbox token (optional): new leads also land in Grow's inbox. */
  growInboxToken: z.string().min(1).optional(),
});
export type ClioCredentials = z.infer<typeof ClioCredentials>;

export interface CredentialsBySystem {
  hubspot: HubSpotCredentials;
  clio: ClioCredentials;
}

const SCHEMAS = { hubspot: HubSpotCredentials, clio: ClioCredentials } as const;

export function secretKey(system: CrmSystem): string {
  return `crm:${system}`;
}

export async function readCredentials<S extends CrmSystem>(
  db: CallbackDeskDB,
  system: S,
): Promise<CredentialsBySystem[S] | null> {
  const row = await db.secrets.get(secretKey(system));
  if (!row) return null;
  const parsed = SCHEMAS[system].safeParse(row.value);
  return parsed.success ? (parsed.data as CredentialsBySystem[S]) : null;
}

export async function writeCredentials<S extends CrmSystem>(
  db: CallbackDeskDB,
  system: S,
  credentials: CredentialsBySystem[S],
  now: number = Date.now(),
): Promise<void> {
  const value = SCHEMAS[system].parse(credentials);
  await db.secrets.put({ key: secretKey(system), value, updatedAt: now });
}

export async function forgetCredentials(db: CallbackDeskDB, system: CrmSystem): Promise<void> {
  await db.secrets.delete(secretKey(system));
}

/** Access tokens for a connector: fresh before expiry, refreshed once after a 401. */
export type { TokenSession };

/** Refresh this long before expiry, so a request never leaves with a dying token. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

type OAuthCredentials = {
  auth: 'oauth';
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
};

/**
 * Refreshes of one CRM's token never overlap, across every drain, poll and page of the
 * extension: HubSpot rotates refresh tokens, so two refreshes with the same token would
 * leave one caller with a token that is already spent.
 */
function withRefreshLock<T>(system: CrmSystem, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks ? locks.request(`crm-refresh:${system}`, fn) : fn();
}

/**
 * A session over stored credentials. `refresh` exchanges the refresh token (vendor
 * specific); it throws when the refresh token is no longer accepted. With `account`
 * (accountKeyOf), the session serves that account only: once the user has connected
 * another one, it throws AccountChangedError instead of handing out the new token.
 */
export function storedSession<S extends CrmSystem>(
  db: CallbackDeskDB,
  system: S,
  refresh: (
    credentials: CredentialsBySystem[S] & OAuthCredentials,
  ) => Promise<CredentialsBySystem[S]>,
  now: () => number = Date.now,
  account?: string,
): TokenSession {
  const load = async () => {
    const credentials = await readCredentials(db, system);
    if (!credentials)
      throw new Error(`${system === 'hubspot' ? 'HubSpot' : 'Clio'} is not connected.`);
    if (account !== undefined && accountKeyOf(credentials.account) !== account)
      throw new AccountChangedError(system);
    return credentials;
  };
  const tokenOf = (c: CredentialsBySystem[S]) =>
    c.auth === 'private-app' ? c.token : c.accessToken;
  const expiring = (c: CredentialsBySystem[S]) =>
    c.auth === 'oauth' && c.expiresAt - now() < REFRESH_BEFORE_EXPIRY_MS;
  /**
   * Refresh under the lock, unless `stillNeeded` says another holder already did (the
   * credentials are read again inside the lock). The answer is saved only if the stored
   * row still holds the refresh token we spent: a disconnect or reconnect meanwhile wins.
   */
  const refreshLocked = (stillNeeded: (c: CredentialsBySystem[S]) => boolean) =>
    withRefreshLock(system, async () => {
      const credentials = await load();
      if (credentials.auth !== 'oauth' || !stillNeeded(credentials)) return tokenOf(credentials);
      const spent = credentials as CredentialsBySystem[S] & OAuthCredentials;
      let next: CredentialsBySystem[S];
      try {
        next = await refresh(spent);
      } catch (error) {
        // The token endpoint refuses the refresh token (revoked, app uninstalled): only
        // reconnecting helps. Anything else (network, 5xx) may pass: the caller retries.
        if (error instanceof HttpError && (error.status === 400 || error.status === 401))
          throw reconnect(system);
        throw error;
      }
      return db.transaction('rw', db.secrets, async () => {
        const stored = await readCredentials(db, system);
        if (!stored) throw new Error(`${CRM_LABELS[system]} is not connected.`);
        if (stored.auth !== 'oauth' || stored.refreshToken !== spent.refreshToken)
          return tokenOf(stored);
        await writeCredentials(db, system, next, now());
        return tokenOf(next);
      });
    });
  return {
    async current() {
      const credentials = await load();
      return expiring(credentials) ? refreshLocked(expiring) : tokenOf(credentials);
    },
    async afterUnauthorized(rejected) {
      const credentials = await load();
      if (tokenOf(credentials) !== rejected) return tokenOf(credentials);
      if (credentials.auth !== 'oauth') return null;
      try {
        return await refreshLocked((c) => tokenOf(c) === rejected);
      } catch (error) {
        if (error instanceof ReconnectError) return null;
        throw error;
      }
    },
  };
}
