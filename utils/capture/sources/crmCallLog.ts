import type { CallbackDeskDB } from '../../db';
import { dbLimiterStore, type LimiterStore, type RateLimiter } from '../../http';
import { resolveApiUrl } from './connections';
import type { SourceClient } from './types';
import { CLIO_API_VERSION, clioLimiter, clioOrigin } from '../../crm/clio';
import { sessionRequest, type ConnectorDeps } from '../../crm/connector';
import { HUBSPOT_API, hubSpotBudgets, hubSpotLimitersFor } from '../../crm/hubspot';
import type { CrmSystem } from '../../crm/model';
import { crmSession } from '../../crm/session';
import { readCredentials } from '../../crm/tokens';

/**
 * How a CRM's call log (utils/sources/hubspotCalls.ts, clioCalls.ts) is read: through the
 * CRM connection — the same token, refreshed before expiry and once after a 401, and the
 * same rate-limit budgets as sync and matching — so a firm connects each CRM once.
 */
export interface CrmCallLogAccess {
  client: SourceClient;
  /** Every budget the call log's requests count against (for "next poll"). */
  limiters: RateLimiter[];
}

export interface CrmCallLogDeps {
  fetch?: typeof fetch;
  now?: () => number;
  limiterStore?: LimiterStore;
}

/** Access to a connected CRM's call log, or null when that CRM is not connected. */
export async function crmCallLogAccess(
  db: CallbackDeskDB,
  system: CrmSystem,
  deps: CrmCallLogDeps = {},
): Promise<CrmCallLogAccess | null> {
  const now = deps.now ?? Date.now;
  const store = deps.limiterStore ?? dbLimiterStore(db);
  let baseUrl: string;
  let limiters: RateLimiter[];
  let limitersFor: (path: string) => RateLimiter[];
  let headers: Record<string, string> = {};
  if (system === 'hubspot') {
    const credentials = await readCredentials(db, 'hubspot');
    if (!credentials) return null;
    baseUrl = HUBSPOT_API;
    const budgets = hubSpotBudgets(store, credentials.auth);
    limiters = [budgets.general, budgets.search];
    limitersFor = (path) => hubSpotLimitersFor(budgets, path);
  } else {
    const credentials = await readCredentials(db, 'clio');
    if (!credentials) return null;
    baseUrl = clioOrigin(credentials.region);
    limiters = [clioLimiter(store, credentials.region, credentials.account.id)];
    limitersFor = () => limiters;
    headers = { 'X-API-VERSION': CLIO_API_VERSION };
  }
  const connectorDeps: ConnectorDeps = {
    session: crmSession(db, system, deps),
    limiterStore: store,
    fetch: deps.fetch,
    now,
  };
  return {
    limiters,
    client: {
      baseUrl,
      now: now(),
      call: ({ path, ...req }) =>
        sessionRequest(system, connectorDeps, {
          ...req,
          url: resolveApiUrl(baseUrl, path),
          headers: { ...req.headers, ...headers },
          limiters: limitersFor(path),
        }),
    },
  };
}
