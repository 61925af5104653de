import { z } from 'zod';
import type { CallbackDeskDB } from '../db';
import { EmailAddress, type Attempt } from '../model';
import type { FirmSettings } from '../settings';
import { recordAttempt } from '../queue/leads';
import { enqueueAttemptSync } from '../crm/attemptSync';
import { EMAIL_KINDS, MAX_EMAIL_BODY, MAX_EMAIL_SUBJECT } from './email';

/**
 * Emails to callers, the background's part: an email the user opened in their mail is
 * recorded on the lead as an attempt (method email, outcome sent, with its subject, text
 * and address) and its CRM record is queued at once where the lead is linked (a HubSpot
 * email, a Clio EmailCommunication), through the outbox like every CRM write.
 */

export const EmailSentInput = z.object({
  leadId: z.string().min(1),
  kind: z.enum(EMAIL_KINDS),
  to: EmailAddress,
  subject: z
    .string()
    .trim()
    .min(1, 'Give the email a subject.')
    .max(MAX_EMAIL_SUBJECT, `Keep the subject under ${MAX_EMAIL_SUBJECT} characters.`),
  body: z
    .string()
    .trim()
    .min(1, 'The email has no text.')
    .max(MAX_EMAIL_BODY, 'The email is too long to log (20,000 characters at most).'),
  /** Set by the page once per click: a second message for the same click records nothing. */
  requestId: z.string().min(8).max(80),
});
export type EmailSentInput = z.input<typeof EmailSentInput>;

/** What the user reads when the input is refused: the first problem, in plain words. */
function refusal(error: z.ZodError): Error {
  const issue = error.issues[0];
  const field = issue?.path[0];
  if (field === 'to') return new Error(issue!.message);
  if (field === 'subject' || field === 'body') return new Error(issue!.message);
  return new Error('The email could not be recorded: reload the lead and try again.');
}

/**
 * Record an email the user opened in their mail. On an open lead it is a callback attempt
 * (the cadence moves on); on a closed one (the confirmation after the call that booked the
 * consultation) it is added to the lead's history without reopening it. The address is
 * kept on the lead. Returns the attempt and how many CRM records were queued.
 */
export async function recordEmailSent(
  db: CallbackDeskDB,
  settings: FirmSettings,
  input: unknown,
  now: number = Date.now(),
): Promise<{ attempt: Attempt; queued: number; duplicate: boolean }> {
  const parsed = EmailSentInput.safeParse(input);
  if (!parsed.success) throw refusal(parsed.error);
  const data = parsed.data;
  const id = `email-${data.requestId}`;
  const by = settings.currentStaffId;
  const { attempt, duplicate } = await db.transaction(
    'rw',
    db.leads,
    db.attempts,
    db.calls,
    async () => {
      const existing = await db.attempts.get(id);
      if (existing) return { attempt: existing, duplicate: true };
      const lead = await db.leads.get(data.leadId);
      if (!lead) throw new Error('This lead no longer exists.');
      const notes =
        data.kind === 'confirmation' ? 'Confirmation email' : 'Follow-up email (cadence)';
      let recorded: Attempt;
      if (lead.status === 'done') {
        recorded = { id, leadId: lead.id, method: 'email', outcome: 'sent', at: now, notes };
        if (by) recorded.by = by;
      } else {
        const { attempt: made } = await recordAttempt(
          db,
          settings,
          {
            leadId: lead.id,
            method: 'email',
            outcome: 'sent',
            notes,
            ...(by ? { by } : {}),
          },
          now,
        );
        await db.attempts.delete(made.id);
        recorded = { ...made, id };
      }
      const withMessage: Attempt = {
        ...recorded,
        message: data.body,
        subject: data.subject,
        to: data.to,
      };
      await db.attempts.put(withMessage);
      // The address the user just used is the lead's (asked for on the call).
      const current = await db.leads.get(lead.id);
      if (current && current.email !== data.to)
        await db.leads.put({ ...current, email: data.to, updatedAt: now });
      return { attempt: withMessage, duplicate: false };
    },
  );
  // Also for the same click again: the first may have stopped between the attempt and its
  // CRM record (the panel then asks to record it again). Queued once: the outbox keys it.
  const queued = await enqueueAttemptSync(db, data.leadId, attempt.id, { settings, now });
  return { attempt, queued, duplicate };
}
