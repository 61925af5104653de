import { z } from 'zod';
import type { CallbackDeskDB } from '../db';
import type { CrmSystem } from './model';

/**
 * CRM credentials live only in db.secrets (the extension's own IndexedDB: the background
 * and extension pages read it, content scripts cannot). Disconnect deletes the row.
 */

const Account = z.object({ id: z.string(), name: z.string(), email: z.string().optional() });

export const CLIO_REGIONS = ['us', 'eu', 'ca', 'au'] as const;
export const ClioRegion = z.enum(CLIO_REGIONS);
export type ClioRegion = z.infer<typeof ClioRegion>;

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
export interface TokenSession {
  current(): Promise<string>;
  /**
   * A 401 came back for `rejected`. Returns a token worth one more try (someone already
   * refreshed, or a refresh now worked), or null when only reconnecting can help.
   */
  afterUnauthorized(rejected: string): Promise<string | null>;
}

/** Refresh this long before expiry, so a request never leaves with a dying token. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

type OAuthCredentials = {
  auth: 'oauth';
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
};

/**
 * A session over stored credentials. `refresh` exchanges the refresh token (vendor
 * specific); it throws when the refresh token is no longer accepted.
 */
export function storedSession<S extends CrmSystem>(
  db: CallbackDeskDB,
  system: S,
  refresh: (
    credentials: CredentialsBySystem[S] & OAuthCredentials,
  ) => Promise<CredentialsBySystem[S]>,
  now: () => number = Date.now,
): TokenSession {
  const load = async () => {
    const credentials = await readCredentials(db, system);
    if (!credentials)
      throw new Error(`${system === 'hubspot' ? 'HubSpot' : 'Clio'} is not connected.`);
    return credentials;
  };
  const tokenOf = (c: CredentialsBySystem[S]) =>
    c.auth === 'private-app' ? c.token : c.accessToken;
  const doRefresh = async (c: CredentialsBySystem[S] & OAuthCredentials) => {
    const next = await refresh(c);
    await writeCredentials(db, system, next, now());
    return tokenOf(next);
  };
  return {
    async current() {
      const credentials = await load();
      if (
        credentials.auth === 'oauth' &&
        credentials.expiresAt - now() < REFRESH_BEFORE_EXPIRY_MS
      ) {
        return doRefresh(credentials as CredentialsBySystem[S] & OAuthCredentials);
      }
      return tokenOf(credentials);
    },
    async afterUnauthorized(rejected) {
      const credentials = await load();
      if (tokenOf(credentials) !== rejected) return tokenOf(credentials);
      if (credentials.auth !== 'oauth') return null;
      try {
        return await doRefresh(credentials as CredentialsBySystem[S] & OAuthCredentials);
      } catch {
        return null;
      }
    },
  };
}
