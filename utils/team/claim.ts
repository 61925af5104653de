import type { CallbackDeskDB } from '../db';
import type { Lead } from '../model';
import { REASON_CLAIMED } from './assignment';
import { pickNextCallback } from './nextCallback';

/**
 * Claiming a lead: "I am calling this one back". Local side (this browser's database); the
 * shared queue (utils/team/shared*.ts) carries a claim to the CRM task and may find it lost
 * to a colleague's claim made a moment earlier elsewhere.
 */

/** A lead someone else took first: its message is what the user reads. */
export class ClaimConflictError extends Error {
  readonly lead: Lead;
  constructor(lead: Lead, who: string) {
    super(`${who} claimed this a moment ago.`);
    this.lead = lead;
    this.name = 'ClaimConflictError';
  }
}

export interface ClaimOptions {
  now?: number;
  /** Staff id → display name, for the conflict message. */
  nameOf?: (staffIdOrLabel: string) => string;
}

/** The claim on a lead, as written: status claimed, by whom and when; mine if nobody's. */
export function withClaim(lead: Lead, staffId: string, now: number): Lead {
  const next: Lead = { ...lead, status: 'claimed', claimedBy: staffId, claimedAt: now };
  next.updatedAt = now;
  if (!next.assignee) {
    next.assignee = staffId;
    next.assignReason = REASON_CLAIMED;
  }
  return next;
}

function openIndexed(lead: Lead): Lead {
  lead.openDueAt = lead.dueAt;
  lead.openOverdueAt = lead.overdueAt;
  return lead;
}

/**
 * Claim one lead for `staffId`. Claiming one's own claim again is harmless; a lead claimed
 * by someone else throws ClaimConflictError; a closed lead cannot be claimed.
 */
export async function claimLead(
  db: CallbackDeskDB,
  leadId: string,
  staffId: string,
  options: ClaimOptions = {},
): Promise<Lead> {
  const now = options.now ?? Date.now();
  return db.transaction('rw', db.leads, async () => {
    const lead = await db.leads.get(leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    if (lead.status === 'done' || lead.status === 'no-contact')
      throw new Error('This lead is closed: reopen it to call back.');
    if (lead.claimedBy && lead.claimedBy !== staffId)
      throw new ClaimConflictError(lead, options.nameOf?.(lead.claimedBy) ?? lead.claimedBy);
    if (lead.claimedBy === staffId && lead.status === 'claimed') return lead;
    const next = openIndexed(withClaim(lead, staffId, now));
    await db.leads.put(next);
    return next;
  });
}

/** Give a claim back: the lead is open for anyone again (its assignee stays). */
export async function releaseClaim(
  db: CallbackDeskDB,
  leadId: string,
  staffId: string,
  now: number = Date.now(),
): Promise<Lead> {
  return db.transaction('rw', db.leads, async () => {
    const lead = await db.leads.get(leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    if (lead.claimedBy !== staffId) return lead;
    const next: Lead = { ...lead, updatedAt: now };
    delete next.claimedBy;
    delete next.claimedAt;
    if (next.status === 'claimed') next.status = 'open';
    await db.leads.put(next.status === 'open' ? openIndexed(next) : next);
    return next;
  });
}

/**
 * Take the next callback: the most urgent unclaimed lead that is mine or nobody's, claimed
 * for me in the same transaction (two presses at once never take the same lead). Undefined
 * when there is none.
 */
export async function takeNextCallback(
  db: CallbackDeskDB,
  staffId: string,
  now: number = Date.now(),
): Promise<Lead | undefined> {
  return db.transaction('rw', db.leads, async () => {
    const open = await db.leads.where('openDueAt').aboveOrEqual(-Infinity).toArray();
    const lead = pickNextCallback(open, staffId);
    if (!lead) return undefined;
    const next = openIndexed(withClaim(lead, staffId, now));
    await db.leads.put(next);
    return next;
  });
}
