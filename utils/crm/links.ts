import type { CallbackDeskDB } from '../db';
import type { Lead } from '../model';
import { enqueueDrafts, releaseWaitingJobs } from '../outbox/outbox';
import { crmLinkOf, withCrmLink, type CrmLink, type CrmSystem, type SyncJob } from './model';
import { taskCompletionDrafts } from './records';

/**
 * A lead's links to CRM contacts and what hangs on them, in the database: linking (one link
 * per CRM and account), and the follow-up tasks newer attempts make stale.
 */

/** Link the lead to its contact in that CRM and account; records waiting for it can go. */
export async function linkLead(
  db: CallbackDeskDB,
  leadId: string,
  link: CrmLink,
  now: number = Date.now(),
): Promise<void> {
  await db.transaction('rw', db.leads, async () => {
    const lead = await db.leads.get(leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    await db.leads.put({ ...lead, crmLinks: withCrmLink(lead, link), updatedAt: now });
  });
  await releaseWaitingJobs(db, leadId, link.system, now);
}

/**
 * The contact another lead of the same caller (same number) has in that CRM and account:
 * the same person. Found in the database, so a contact made moments ago counts even before
 * the CRM's search shows it.
 */
export async function callerLinkOf(
  db: CallbackDeskDB,
  lead: Pick<Lead, 'id' | 'phone' | 'phoneKey'>,
  system: CrmSystem,
  account: string | undefined,
): Promise<CrmLink | undefined> {
  if (!lead.phone) return undefined;
  const siblings = await db.leads.where('phoneKey').equals(lead.phoneKey).toArray();
  return siblings
    .filter((s) => s.id !== lead.id && s.phone === lead.phone)
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map((s) => crmLinkOf(s, system, account))
    .find((l) => l !== undefined);
}

/**
 * Queue the completion of follow-up tasks that newer attempts superseded, for these leads
 * (see taskCompletionDrafts). Returns how many completions were queued.
 */
export async function enqueueTaskCompletions(
  db: CallbackDeskDB,
  leadIds: Iterable<string>,
  now: number = Date.now(),
): Promise<number> {
  const drafts = [];
  for (const leadId of new Set(leadIds)) {
    const [jobs, attempts] = await Promise.all([
      db.outbox.where('leadId').equals(leadId).toArray() as unknown as Promise<SyncJob[]>,
      db.attempts.where('leadId').equals(leadId).toArray(),
    ]);
    drafts.push(...taskCompletionDrafts(jobs, attempts));
  }
  if (drafts.length === 0) return 0;
  await enqueueDrafts(db, drafts, now);
  return drafts.length;
}

/** Leads whose records were synced since `since` (their older tasks may now be stale). */
export async function leadsSyncedSince(db: CallbackDeskDB, since: number): Promise<string[]> {
  const synced = (await db.outbox
    .where('state')
    .equals('synced')
    .filter((row) => Number((row as unknown as SyncJob).syncedAt ?? 0) >= since)
    .toArray()) as unknown as SyncJob[];
  return [...new Set(synced.filter((j) => j.kind !== 'complete').map((j) => j.leadId))];
}

/**
 * Leads with records of `system` still to send whose link is not in `account`: after the
 * user connected another portal or account, these are matched there again.
 */
export async function leadsToRematch(
  db: CallbackDeskDB,
  system: CrmSystem,
  account: string,
): Promise<string[]> {
  const pending = (
    (await db.outbox.where('state').anyOf('queued', 'failed').toArray()) as unknown as SyncJob[]
  ).filter((j) => j.system === system && j.kind !== 'complete');
  const leadIds = [...new Set(pending.map((j) => j.leadId))];
  const leads = await db.leads.bulkGet(leadIds);
  return leads
    .filter(
      (lead) => lead && !lead.crmLinks?.some((l) => l.system === system && l.account === account),
    )
    .map((lead) => lead!.id);
}

/**
 * After connecting `account`: records waiting for a contact whose lead already has one
 * there (they were queued under another account, then the user connected this one back)
 * go at once. Returns how many leads' records were released.
 */
export async function releaseLinkedWaiting(
  db: CallbackDeskDB,
  system: CrmSystem,
  account: string,
  now: number = Date.now(),
): Promise<number> {
  const waiting = (
    (await db.outbox.where('state').equals('queued').toArray()) as unknown as SyncJob[]
  ).filter((j) => j.system === system && j.waitingFor === 'contact');
  const leads = await db.leads.bulkGet([...new Set(waiting.map((j) => j.leadId))]);
  let released = 0;
  for (const lead of leads) {
    if (!lead || !crmLinkOf(lead, system, account)) continue;
    await releaseWaitingJobs(db, lead.id, system, now);
    released++;
  }
  return released;
}
