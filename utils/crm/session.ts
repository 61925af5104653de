import type { CallbackDeskDB } from '../db';
import { refreshClioToken } from './clio';
import { refreshHubSpotToken } from './hubspot';
import type { CrmSystem } from './model';
import { storedSession, type TokenSession } from './tokens';

/**
 * The connected CRM's token as every caller uses it (sync, matching, call-log polling):
 * refreshed before it expires and once after a 401, and stored at once, since HubSpot
 * rotates refresh tokens.
 */
export function crmSession(
  db: CallbackDeskDB,
  system: CrmSystem,
  /** `account`: serve only this account (accountKeyOf); see storedSession. */
  deps: { fetch?: typeof fetch; now?: () => number; account?: string } = {},
): TokenSession {
  return system === 'hubspot'
    ? storedSession(db, 'hubspot', (c) => refreshHubSpotToken(c, deps), deps.now, deps.account)
    : storedSession(db, 'clio', (c) => refreshClioToken(c, deps), deps.now, deps.account);
}
