import type { CallbackDeskDB } from '../db';
import type { CrmSystem } from '../crm/model';
import type { Connector } from '../crm/connector';
import type { Lead, LiveCaller } from '../model';
import { CONSULTATION_OUTCOMES } from './attemptSummary';

/**
 * Dispositions read from the CRM (issue 10): a lead whose consultation was booked is
 * Retained once the CRM says its contact became a client — HubSpot lifecycle stage Customer
 * or a won deal, Clio a matter opened for the contact (Connector.clientOutcome) — and a new
 * caller answered live likewise (found by number). Staff's own disposition is never
 * overwritten, and "not retained" is never concluded from the CRM (no matter yet is no
 * answer). Asked when the dashboard refreshes and every 6 hours, a bounded number of
 * lookups each time (the connectors' rate limiters pace them).
 */

/** Lookups per refresh: well inside HubSpot's 100 per 10 s and Clio's 50 a minute. */
export const LOOKUPS_PER_REFRESH = 40;
/** A lead or caller is asked again at most this often. */
export const RECHECK_MS = 12 * 3_600_000;
/** How far back leads and callers are followed (a consultation turns into a client within weeks). */
export const FOLLOW_MS = 90 * 86_400_000;

export interface DispositionRefresh {
  checked: number;
  retained: number;
  /** Lookups that failed (the CRM refused or was unreachable): asked again next time. */
  failed: number;
}

type ConnectorFor = (system: CrmSystem) => Promise<Connector | null>;

function consultationBooked(lead: Lead): boolean {
  return (
    Boolean(lead.attemptSummary?.consultation) ||
    (lead.closeOutcome !== undefined && CONSULTATION_OUTCOMES.has(lead.closeOutcome))
  );
}

export async function refreshDispositions(
  db: CallbackDeskDB,
  systems: readonly CrmSystem[],
  connectorFor: ConnectorFor,
  now: number = Date.now(),
): Promise<DispositionRefresh> {
  const report: DispositionRefresh = { checked: 0, retained: 0, failed: 0 };
  if (systems.length === 0) return report;
  const connectors = new Map<CrmSystem, Connector>();
  for (const system of systems) {
    const connector = await connectorFor(system);
    if (connector?.clientOutcome) connectors.set(system, connector);
  }
  if (connectors.size === 0) return report;
  let budget = LOOKUPS_PER_REFRESH;

  // Leads: closed with a consultation booked, linked to a contact, no disposition yet.
  const leads = (await db.leads.where('status').equals('done').toArray()).filter(
    (l) =>
      l.disposition === undefined &&
      l.firstMissedAt >= now - FOLLOW_MS &&
      consultationBooked(l) &&
      (l.dispositionCheckedAt ?? 0) <= now - RECHECK_MS &&
      (l.crmLinks ?? []).some((link) => connectors.has(link.system)),
  );
  leads.sort((a, b) => (a.dispositionCheckedAt ?? 0) - (b.dispositionCheckedAt ?? 0));
  for (const lead of leads) {
    if (budget <= 0) break;
    let retained: { at?: number; system: CrmSystem } | null = null;
    let failed = false;
    for (const link of lead.crmLinks ?? []) {
      const connector = connectors.get(link.system);
      if (!connector || budget <= 0) continue;
      budget--;
      try {
        const outcome = await connector.clientOutcome!(link.contactId, lead.firstMissedAt);
        if (outcome.retained) {
          retained = {
            ...(outcome.at !== undefined ? { at: outcome.at } : {}),
            system: link.system,
          };
          break;
        }
      } catch {
        failed = true;
      }
    }
    report.checked++;
    if (failed && !retained) {
      report.failed++;
      continue; // not marked checked: asked again at the next refresh
    }
    await db.transaction('rw', db.leads, async () => {
      const current = await db.leads.get(lead.id);
      // Staff set one meanwhile: theirs stands.
      if (!current || current.disposition !== undefined) return;
      const next: Lead = { ...current, dispositionCheckedAt: now };
      if (retained) {
        next.disposition = 'retained';
        next.dispositionAt = retained.at ?? now;
        next.dispositionSource = retained.system;
      }
      await db.leads.put(next);
    });
    if (retained) report.retained++;
  }

  // New callers answered live: found by number, then the same question.
  const callers = (
    await db.liveCallers
      .where('answeredAt')
      .aboveOrEqual(now - FOLLOW_MS)
      .toArray()
  ).filter((c) => c.disposition === undefined && (c.checkedAt ?? 0) <= now - RECHECK_MS);
  callers.sort((a, b) => (a.checkedAt ?? 0) - (b.checkedAt ?? 0));
  for (const caller of callers) {
    if (budget <= 0) break;
    let retained: { at?: number; system: CrmSystem } | null = null;
    let failed = false;
    for (const [system, connector] of connectors) {
      if (budget <= 1) break;
      budget -= 2;
      try {
        const [contact] = await connector.findContactsByPhone(caller.phoneKey);
        if (!contact) continue;
        const outcome = await connector.clientOutcome!(contact.id, caller.answeredAt);
        if (outcome.retained) {
          retained = { ...(outcome.at !== undefined ? { at: outcome.at } : {}), system };
          break;
        }
      } catch {
        failed = true;
      }
    }
    report.checked++;
    if (failed && !retained) {
      report.failed++;
      continue; // not marked checked: the answered side stays "not known" until it is asked
    }
    const next: LiveCaller = { ...caller, checkedAt: now };
    if (retained) {
      next.disposition = 'retained';
      next.dispositionAt = retained.at ?? now;
      next.dispositionSource = retained.system;
      report.retained++;
    }
    await db.liveCallers.put(next);
  }
  return report;
}
