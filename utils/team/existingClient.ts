import type { ExistingClientTag, Lead } from '../model';
import type { StaffMember } from '../settings';
import type { CrmContact, CrmMatter, CrmSystem } from '../crm/model';
import { staffForCrmUser } from './identity';

/**
 * Existing clients are not leads. A caller whose number is a CRM contact that is a client —
 * Clio: `is_client`, or an open / pending matter with them as client; HubSpot: lifecycle
 * stage "customer" — is tagged "existing client", goes to the responsible attorney (Clio:
 * the matter's responsible attorney) or the contact owner (HubSpot), mapped to our staff
 * through their CRM user ids, and stays out of the lead view and lead metrics while still
 * being called back. Pure: contacts in, a tag out.
 */

/** What the CRM says about one contact the caller's number matched. */
export interface ClientFacts {
  system: CrmSystem;
  contact: CrmContact;
  /** Clio only: the contact's open and pending matters as client. */
  matters?: CrmMatter[];
}

export interface ClientVerdict {
  system: CrmSystem;
  contactId: string;
  reason: string;
  /** CRM user id of the responsible attorney / contact owner. */
  crmOwnerId?: string;
}

/** HubSpot's internal value of the "Customer" lifecycle stage. */
export const HUBSPOT_CUSTOMER_STAGE = 'customer';

export function clientVerdict(facts: ClientFacts): ClientVerdict | undefined {
  const { system, contact } = facts;
  if (system === 'hubspot') {
    if (contact.lifecycleStage?.trim().toLowerCase() !== HUBSPOT_CUSTOMER_STAGE) return undefined;
    return {
      system,
      contactId: contact.id,
      reason: 'HubSpot lifecycle stage: customer',
      ...(contact.ownerId ? { crmOwnerId: contact.ownerId } : {}),
    };
  }
  const matter = facts.matters?.find((m) => m.responsibleAttorneyId) ?? facts.matters?.[0];
  if (matter) {
    return {
      system,
      contactId: contact.id,
      reason: `Clio matter ${matter.displayNumber ?? matter.id}`,
      ...(matter.responsibleAttorneyId ? { crmOwnerId: matter.responsibleAttorneyId } : {}),
    };
  }
  if (contact.isClient) return { system, contactId: contact.id, reason: 'Clio client' };
  return undefined;
}

/** The tag for a caller from the facts about every contact their number matched. */
export function existingClientTag(
  facts: readonly ClientFacts[],
  staff: readonly StaffMember[],
  mapping: Partial<Record<CrmSystem, Record<string, string>>> = {},
): ExistingClientTag | undefined {
  const verdicts = facts.map(clientVerdict).filter((v): v is ClientVerdict => Boolean(v));
  // A verdict naming someone on our staff is the most useful one.
  const routed = verdicts
    .map((v) => ({
      v,
      staffId: staffForCrmUser(staff, v.system, v.crmOwnerId, mapping[v.system]),
    }))
    .sort((a, b) => Number(Boolean(b.staffId)) - Number(Boolean(a.staffId)))[0];
  if (!routed) return undefined;
  return {
    system: routed.v.system,
    reason: routed.v.reason,
    ...(routed.staffId ? { ownerStaffId: routed.staffId } : {}),
  };
}

/** Not a lead: kept out of the lead view and lead metrics (still called back). */
export function isExistingClient(lead: Pick<Lead, 'existingClient'>): boolean {
  return Boolean(lead.existingClient);
}
