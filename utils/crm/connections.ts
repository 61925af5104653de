import { storage } from '#imports';
import type { StaffMember } from '../settings';
import type { CrmConnectionInfo, CrmSystem, CrmUser } from './model';

export type { CrmConnectionInfo };

export type CrmConnections = Partial<Record<CrmSystem, CrmConnectionInfo>>;

export const crmConnectionsItem = storage.defineItem<CrmConnections>('local:crmConnections', {
  fallback: {},
  version: 1,
});

/**
 * The CRM refused its token (a sync, or call-log polling): CRM connections shows why and
 * asks to reconnect. Connecting again replaces the entry, which clears it.
 */
export async function noteCrmProblem(system: CrmSystem, problem: string): Promise<void> {
  const connections = await crmConnectionsItem.getValue();
  const info = connections[system];
  if (!info || info.problem === problem) return;
  await crmConnectionsItem.setValue({ ...connections, [system]: { ...info, problem } });
}

/** CRM owners/users as last listed, for the staff mapping table. */
export const crmUsersItem = storage.defineItem<Partial<Record<CrmSystem, CrmUser[]>>>(
  'local:crmUsers',
  {
    fallback: {},
    version: 1,
  },
);

/** staff id → CRM owner/user id, per CRM: whose name goes on calls and tasks. */
export type StaffMapping = Partial<Record<CrmSystem, Record<string, string>>>;

export const crmStaffMapItem = storage.defineItem<StaffMapping>('local:crmStaffMap', {
  fallback: {},
  version: 1,
});

/**
 * Map staff to CRM users by email, for staff not mapped yet (a choice the user made is
 * never overwritten). Mappings to users that no longer exist are dropped.
 */
export function autoMapStaff(
  staff: StaffMember[],
  users: CrmUser[],
  existing: Record<string, string> = {},
): Record<string, string> {
  const ids = new Set(users.map((u) => u.id));
  const next: Record<string, string> = {};
  for (const member of staff) {
    const current = existing[member.id];
    if (current && ids.has(current)) {
      next[member.id] = current;
      continue;
    }
    const email = member.email?.trim().toLowerCase();
    const match = email ? users.find((u) => u.email?.trim().toLowerCase() === email) : undefined;
    if (match) next[member.id] = match.id;
  }
  return next;
}
