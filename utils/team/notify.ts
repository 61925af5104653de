import type { CallbackDeskDB } from '../db';
import type { CapturedCall, Lead } from '../model';
import type { FirmSettings } from '../settings';
import { describeAssignment } from './assignment';
import { currentStaffOf } from './identity';
import { staffOnDuty } from './onCall';

/**
 * Which new calls this browser announces, and how. With a team and a known user: the user's
 * own leads ("Assigned to you"), leads nobody has, and emergency-line calls while the user is
 * on duty (on shift, or on call after hours) — those stay on screen until acted on. Leads
 * assigned to colleagues are counted in the queue and badge, not announced. Without a team
 * (or with nobody chosen for this browser) every call is announced as before.
 */
export interface CallNotice {
  title: string;
  /** Replaces the practice area line. */
  context?: string;
  emergency?: boolean;
}

export function noticeFor(
  lead: Lead | undefined,
  settings: FirmSettings,
  me: string | undefined,
  now: number,
): CallNotice | null {
  if (!lead) return { title: 'Missed call' };
  const assigned = describeAssignment(lead, settings.staff);
  const context = assigned ? `Assigned to ${assigned}` : undefined;
  if (lead.emergency) {
    // Nobody on duty (no one on call tonight, or before anyone's shift): everyone hears it —
    // an emergency is never quieter than an ordinary call.
    const duty = staffOnDuty(settings, now);
    const onDuty = !me || lead.assignee === me || duty.includes(me) || duty.length === 0;
    return onDuty ? { title: 'Emergency line', emergency: true, context } : null;
  }
  const label = lead.existingClient ? 'Existing client' : 'Missed call';
  if (!me || settings.staff.length === 0)
    return context ? { title: label, context } : { title: label };
  if (lead.assignee === me)
    return {
      title: lead.existingClient ? 'Existing client assigned to you' : 'Assigned to you',
      context: [lead.assignReason, lead.practiceArea].filter(Boolean).join(' · ') || undefined,
    };
  if (!lead.assignee) return { title: label };
  return null;
}

export async function callNotificationPlan(
  db: CallbackDeskDB,
  settings: FirmSettings,
  calls: readonly CapturedCall[],
  now: number,
): Promise<Map<string, CallNotice | null>> {
  const me = currentStaffOf(settings);
  const leads = await db.leads.bulkGet([...new Set(calls.map((c) => c.leadId))]);
  const byId = new Map(leads.filter((l): l is Lead => Boolean(l)).map((l) => [l.id, l]));
  return new Map(calls.map((c) => [c.callId, noticeFor(byId.get(c.leadId), settings, me, now)]));
}

/** New leads for `me`: open, not claimed, nobody has tried them yet. */
export function countAssignedToMe(db: CallbackDeskDB, me: string): Promise<number> {
  return db.leads
    .where('status')
    .equals('open')
    .filter((l) => l.assignee === me && !l.claimedBy && l.attemptCount === 0)
    .count();
}
