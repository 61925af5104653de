import type { FirmSettings, StaffMember } from '../settings';
import type { CrmSystem, CrmUser } from '../crm/model';

/**
 * Who uses this browser. Chosen in Options → Team ("This browser is…"), or taken from the CRM
 * connection: Clio's `users/who_am_i` is the person who connected; HubSpot's owner with the
 * user's email (owners API). The "Mine" filter, notifications and the badge follow it.
 */

/** This browser's staff member, when chosen and still in the team. */
export function currentStaffOf(
  settings: Pick<FirmSettings, 'currentStaffId' | 'staff'>,
): string | undefined {
  const id = settings.currentStaffId;
  return id && settings.staff.some((m) => m.id === id) ? id : undefined;
}

/**
 * The staff member who is this CRM user: their own CRM user id (staff list), then the CRM
 * connection's staff mapping (Options → CRM), then the same email address.
 */
export function staffForCrmUser(
  staff: readonly StaffMember[],
  system: CrmSystem,
  crmUserId: string | undefined,
  mapping: Record<string, string> = {},
  crmUserEmail?: string,
): string | undefined {
  if (crmUserId) {
    const own = staff.find((m) => m.crmUserIds?.[system] === crmUserId);
    if (own) return own.id;
    const mapped = Object.entries(mapping).find(
      ([staffId, userId]) => userId === crmUserId && staff.some((m) => m.id === staffId),
    );
    if (mapped) return mapped[0];
  }
  const email = crmUserEmail?.trim().toLowerCase();
  return email ? staff.find((m) => m.email?.trim().toLowerCase() === email)?.id : undefined;
}

/** The HubSpot owner with this email (owners are listed on connect and on refresh). */
export function ownerByEmail(owners: readonly CrmUser[], email: string): CrmUser | undefined {
  const wanted = email.trim().toLowerCase();
  return wanted ? owners.find((o) => o.email?.trim().toLowerCase() === wanted) : undefined;
}

export interface IdentityAnswer {
  system: CrmSystem;
  /** The CRM user this browser's connection (or email) points to. */
  user?: CrmUser;
  /** Our staff member who is that user. */
  staffId?: string;
  /** What to tell the user. */
  message: string;
}

export function describeIdentity(
  system: CrmSystem,
  user: CrmUser | undefined,
  staff: readonly StaffMember[],
  staffId: string | undefined,
): IdentityAnswer {
  const label = system === 'hubspot' ? 'HubSpot' : 'Clio';
  if (!user)
    return {
      system,
      message:
        system === 'hubspot'
          ? 'No HubSpot owner has that email address. Check it, or refresh the owners under CRM.'
          : 'Clio did not say who is connected. Reconnect Clio and try again.',
    };
  if (!staffId)
    return {
      system,
      user,
      message: `${label} says you are ${user.name}${user.email ? ` (${user.email})` : ''}, who is not in the staff list. Add them (same email, or their ${label} user id) and try again.`,
    };
  const name = staff.find((m) => m.id === staffId)?.name ?? staffId;
  return { system, user, staffId, message: `${label} says you are ${name}.` };
}
