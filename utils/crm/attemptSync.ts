import type { CallbackDeskDB } from '../db';
import type { Attempt } from '../model';
import type { FirmSettings } from '../settings';
import { enqueueDrafts } from '../outbox/outbox';
import { accountKeyOf, CRM_SYSTEMS, crmLinkOf, type CrmSystem } from './model';
import { attemptDrafts, type SyncDraft } from './records';
import { readCredentials } from './tokens';

/** Attempts that reach the CRM on their own, without a click on Sync. */
const SENT_BY_THE_DESK: readonly Attempt['method'][] = ['text', 'email'];

/**
 * A text or email just sent (by staff or the automatic text-back) goes to the CRM at once:
 * for every connected CRM in which the lead is already linked to a contact (in the account
 * connected now), the attempt's record (a HubSpot communication or email, a Clio
 * communication) is queued in the outbox. Where the lead is not linked yet, nothing is
 * queued: the next one-click Sync matches or creates the contact and sends it then, under
 * the same idempotency key (so it is never written twice).
 *
 * Returns how many jobs were added; the caller kicks the drain (kickOutbox in
 * utils/crm/background.ts). Safe to call twice for one attempt.
 */
export async function enqueueAttemptSync(
  db: CallbackDeskDB,
  leadId: string,
  attemptId: string,
  options: { settings: FirmSettings; now?: number; systems?: readonly CrmSystem[] },
): Promise<number> {
  const now = options.now ?? Date.now();
  const { settings } = options;
  const [lead, attempt] = await Promise.all([db.leads.get(leadId), db.attempts.get(attemptId)]);
  if (!lead || !attempt || attempt.leadId !== leadId) return 0;
  if (!SENT_BY_THE_DESK.includes(attempt.method)) return 0;
  const drafts: SyncDraft[] = [];
  let attempts: Attempt[] | undefined;
  for (const system of options.systems ?? CRM_SYSTEMS) {
    const credentials = await readCredentials(db, system);
    if (!credentials) continue;
    const account = accountKeyOf(credentials.account);
    if (!crmLinkOf(lead, system, account)) continue;
    // The same numbering as the one-click Sync (buildSyncDrafts): automatic texts are no
    // callback attempt, every other attempt before this one is.
    attempts ??= await db.attempts.where('leadId').equals(leadId).toArray();
    const callbackNumber = attempt.automatic
      ? 0
      : attempts.filter((a) => !a.automatic && a.at <= attempt.at).length;
    drafts.push(
      ...attemptDrafts({
        system,
        lead,
        attempt,
        callbackNumber,
        settings,
        account,
      }),
    );
  }
  if (drafts.length === 0) return 0;
  const keys = drafts.map((d) => d.idempotencyKey);
  const before = await db.outbox.where('idempotencyKey').anyOf(keys).count();
  await enqueueDrafts(db, drafts, now);
  return drafts.length - before;
}
