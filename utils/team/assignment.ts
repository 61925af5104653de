import type { Lead } from '../model';
import type { FirmSettings, SourceRule, StaffMember } from '../settings';
import { isAfterHours, isOnShift, onCallAt } from './onCall';

/**
 * Who calls a new lead back, and why (shown on the lead as "assigned to Sam: on call").
 * Pure: the same lead, settings, time and round-robin state always give the same answer, so
 * two browsers that saw the same calls agree (the shared queue's CRM task owner settles any
 * remaining disagreement).
 *
 * 1. An existing client → the responsible attorney / contact owner ("responsible attorney").
 * 2. A source rule naming a person → them ("source rule: Purchased leads").
 * 3. After hours (evenings, nights, weekends, holidays by the firm's calendar) → whoever is
 *    on call by the rota ("on call").
 * 4. In hours → round robin among intake staff on shift by their working hours, optionally
 *    only those who take the lead's practice area ("round robin").
 * Nobody fits (no staff, nobody on call): unassigned — the whole team sees it.
 */

export const REASON_ON_CALL = 'on call';
export const REASON_ROUND_ROBIN = 'round robin';
export const REASON_RESPONSIBLE = 'responsible attorney';
export const REASON_BY_HAND = 'assigned by hand';
export const REASON_CLAIMED = 'took it with Next callback';

export function sourceRuleReason(rule: Pick<SourceRule, 'source'>): string {
  return `source rule: ${rule.source}`;
}

/**
 * Durable round-robin state (one cursor row, written in the capture transaction): a counter
 * and, per staff member, the counter value of their last round-robin lead. The next lead
 * goes to whoever eligible waited longest; ties go by the order of the staff list.
 */
export interface RoundRobinState {
  seq: number;
  last: Record<string, number>;
}

export const EMPTY_ROUND_ROBIN: RoundRobinState = { seq: 0, last: {} };

export interface AssignmentChoice {
  assignee: string;
  reason: string;
}

export interface AssignmentResult {
  choice?: AssignmentChoice;
  /** The state after this assignment (unchanged unless round robin chose someone). */
  roundRobin: RoundRobinState;
}

export type AssignableLead = Pick<Lead, 'practiceArea' | 'existingClient'>;

function isMember(staff: readonly StaffMember[], id: string | undefined): id is string {
  return Boolean(id) && staff.some((m) => m.id === id);
}

/** Takes the practice area (a person with none listed takes every area). */
export function takesPracticeArea(member: StaffMember, practiceArea: string | undefined): boolean {
  if (!practiceArea || !member.practiceAreas?.length) return true;
  const wanted = practiceArea.trim().toLowerCase();
  return member.practiceAreas.some((a) => a.trim().toLowerCase() === wanted);
}

/** Intake staff on shift at `at` who may take this lead, in staff-list order. */
export function roundRobinPool(
  settings: FirmSettings,
  lead: AssignableLead,
  at: number,
): StaffMember[] {
  const onShift = settings.staff.filter(
    (m) => (m.role ?? 'intake') === 'intake' && isOnShift(m, settings, at),
  );
  if (!settings.roundRobinByPracticeArea) return onShift;
  return onShift.filter((m) => takesPracticeArea(m, lead.practiceArea));
}

/** The pool member who waited longest since their last round-robin lead. */
export function nextInRoundRobin(
  pool: readonly StaffMember[],
  state: RoundRobinState,
): StaffMember | undefined {
  let best: StaffMember | undefined;
  let bestLast = Infinity;
  for (const member of pool) {
    const last = state.last[member.id] ?? -1;
    if (last < bestLast) {
      best = member;
      bestLast = last;
    }
  }
  return best;
}

export function chooseAssignee(
  settings: FirmSettings,
  lead: AssignableLead,
  rule: SourceRule | undefined,
  at: number,
  roundRobin: RoundRobinState = EMPTY_ROUND_ROBIN,
): AssignmentResult {
  const { staff } = settings;
  if (isMember(staff, lead.existingClient?.ownerStaffId))
    return {
      choice: { assignee: lead.existingClient.ownerStaffId, reason: REASON_RESPONSIBLE },
      roundRobin,
    };
  if (rule && isMember(staff, rule.assignTo))
    return { choice: { assignee: rule.assignTo, reason: sourceRuleReason(rule) }, roundRobin };
  if (isAfterHours(settings, at)) {
    const onCall = onCallAt(settings, at);
    return {
      choice: onCall ? { assignee: onCall.staffId, reason: REASON_ON_CALL } : undefined,
      roundRobin,
    };
  }
  const next = nextInRoundRobin(roundRobinPool(settings, lead, at), roundRobin);
  if (!next) return { roundRobin };
  const seq = roundRobin.seq + 1;
  return {
    choice: { assignee: next.id, reason: REASON_ROUND_ROBIN },
    roundRobin: { seq, last: { ...roundRobin.last, [next.id]: seq } },
  };
}

/** "Sam: on call" — the assignee's name (an id no longer in the team shows as itself). */
export function describeAssignment(
  lead: Pick<Lead, 'assignee' | 'assignReason'>,
  staff: readonly StaffMember[],
): string | undefined {
  if (!lead.assignee) return undefined;
  const name = staff.find((m) => m.id === lead.assignee)?.name ?? lead.assignee;
  return lead.assignReason ? `${name}: ${lead.assignReason}` : name;
}

/** The round-robin cursor row's id in db.cursors. */
export const ROUND_ROBIN_CURSOR = 'team:round-robin';

export function parseRoundRobin(value: unknown): RoundRobinState {
  if (typeof value !== 'object' || !value) return EMPTY_ROUND_ROBIN;
  const { seq, last } = value as { seq?: unknown; last?: unknown };
  if (typeof seq !== 'number' || !Number.isFinite(seq) || typeof last !== 'object' || !last)
    return EMPTY_ROUND_ROBIN;
  const entries = Object.entries(last).filter(
    (e): e is [string, number] => typeof e[1] === 'number',
  );
  return { seq, last: Object.fromEntries(entries) };
}

/**
 * The capture hook: a lead just opened (or reopened by a new call after No contact) gets its
 * assignee and reason by the rules, and the emergency flag of its line. Mutates `lead`;
 * returns the round-robin state to store. A lead the rules give nobody keeps no assignee.
 */
export function assignLead(
  lead: Lead,
  settings: FirmSettings,
  rule: SourceRule | undefined,
  at: number,
  roundRobin: RoundRobinState,
): RoundRobinState {
  if (rule?.emergency) lead.emergency = true;
  delete lead.claimedBy;
  delete lead.claimedAt;
  if (settings.staff.length === 0) return roundRobin;
  const result = chooseAssignee(settings, lead, rule, at, roundRobin);
  if (result.choice) {
    lead.assignee = result.choice.assignee;
    lead.assignReason = result.choice.reason;
  } else {
    delete lead.assignee;
    delete lead.assignReason;
  }
  return result.roundRobin;
}
