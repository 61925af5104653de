import { TZDate } from '@date-fns/tz';
import { EMAIL_ADDRESS_HINT, EmailAddress, type Attempt, type Lead } from '../model';
import type { EmailCompose, FirmSettings } from '../settings';
import { nextStepOf } from '../queue/cadence';

/**
 * Emails to callers, the pure part: which email a lead is due (the confirmation after a
 * callback, the cadence's follow-up), the address check, and the compose link that opens
 * the email in the firm's own mail — Gmail, Outlook on the web, or the computer's mail app.
 * The extension never sends email itself: staff send it from their own mailbox, and the
 * desk records it (an attempt, logged on the CRM contact through the outbox).
 */

export const EMAIL_KINDS = ['confirmation', 'cadence'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** The template each email renders (utils/workflow/templates.ts, renderForLead). */
export const EMAIL_TEMPLATE = {
  confirmation: 'email.confirmation',
  cadence: 'email.cadence',
} as const satisfies Record<EmailKind, string>;

export const COMPOSER_LABELS: Record<EmailCompose, string> = {
  gmail: 'Gmail',
  outlook: 'Outlook on the web',
  mailto: 'your mail app',
};

/** The firm's choice, `mailto` when none was made (it works with any mail app). */
export function composerOf(settings: Pick<FirmSettings, 'emailCompose'>): EmailCompose {
  return settings.emailCompose ?? 'mailto';
}

export type AddressCheck = { ok: true; address: string } | { ok: false; error: string };

/**
 * The caller's address as typed on the call: one address, checked (EmailAddress), with a
 * message that says what is wrong — never the validator's own words.
 */
export function checkEmailAddress(text: string): AddressCheck {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'Enter the caller’s email address.' };
  if (!trimmed.includes('@'))
    return { ok: false, error: `An email address has an @ in it. ${EMAIL_ADDRESS_HINT}` };
  if (/[\s,;]/.test(trimmed))
    return {
      ok: false,
      error: 'Enter one address only, without spaces, commas or semicolons.',
    };
  const parsed = EmailAddress.safeParse(trimmed);
  return parsed.success
    ? { ok: true, address: parsed.data }
    : { ok: false, error: EMAIL_ADDRESS_HINT };
}

/** A subject is one line: line breaks (a header injection in a mail link) become spaces. */
export function oneLine(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** The longest subject and text the desk records of an email (emailService's EmailSentInput). */
export const MAX_EMAIL_SUBJECT = 300;
export const MAX_EMAIL_BODY = 20_000;

/**
 * Why an email cannot be opened as it stands, in plain words, or null. It is what recording
 * it would refuse, asked before the email opens: an email the caller gets must show on the lead.
 */
export function emailProblem(subject: string, body: string): string | null {
  const line = oneLine(subject);
  const text = body.trim();
  if (!line) return 'Give the email a subject.';
  if (line.length > MAX_EMAIL_SUBJECT)
    return `The subject is too long (${line.length.toLocaleString('en-US')} characters; at most ${MAX_EMAIL_SUBJECT}). Shorten it.`;
  if (!text) return 'The email has no text.';
  if (text.length > MAX_EMAIL_BODY)
    return `The email is too long (${text.length.toLocaleString('en-US')} characters; at most ${MAX_EMAIL_BODY.toLocaleString('en-US')}). Shorten it.`;
  return null;
}

/** Percent-encode a mailto address, keeping the @ (RFC 6068 §2: addr-spec, pct-encoded). */
function mailtoAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return `${encodeURIComponent(address.slice(0, at))}@${encodeURIComponent(address.slice(at + 1))}`;
}

export interface ComposeInput {
  to: string;
  subject: string;
  body: string;
}

/**
 * The link that opens the email, filled in, in the firm's mail. Every value is
 * percent-encoded with encodeURIComponent (spaces as %20, never "+", which Outlook's deep
 * link shows as a plus once sign-in redirects it), the subject is one line, and the address
 * is checked first, so nothing the caller said or a page showed can add a recipient, a
 * header or another parameter.
 *
 * - Gmail: `https://mail.google.com/mail/?view=cm&fs=1&to=…&su=…&body=…` (view=cm is the
 *   compose view, fs=1 full screen, su the subject; Gmail's own links and the long-standing
 *   Stack Overflow answer "URL to compose a message in Gmail", which notes that the
 *   parameters follow RFC 6068's mailto fields).
 * - Outlook on the web: `https://outlook.office.com/mail/deeplink/compose?to=…&subject=…&body=…`
 *   (Microsoft Tech Community, "Outlook deeplink for email compose replaces spaces with +",
 *   2024: encode spaces as %20).
 * - mailto: RFC 6068 — `mailto:addr?subject=…&body=…`, line breaks in the body as %0D%0A.
 */
export function composeUrl(composer: EmailCompose, input: ComposeInput): string {
  const check = checkEmailAddress(input.to);
  if (!check.ok) throw new Error(check.error);
  const subject = oneLine(input.subject);
  const body = input.body.replace(/\r\n?/g, '\n');
  const q = (pairs: [string, string][]) =>
    pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  switch (composer) {
    case 'gmail':
      return `https://mail.google.com/mail/?${q([
        ['view', 'cm'],
        ['fs', '1'],
        ['to', check.address],
        ['su', subject],
        ['body', body],
      ])}`;
    case 'outlook':
      return `https://outlook.office.com/mail/deeplink/compose?${q([
        ['to', check.address],
        ['subject', subject],
        ['body', body],
      ])}`;
    case 'mailto':
      return `mailto:${mailtoAddress(check.address)}?${q([
        ['subject', subject],
        ['body', body.replace(/\n/g, '\r\n')],
      ])}`;
  }
}

/**
 * Beyond this length some mail apps and Outlook's deep link (about 2,000 characters) cut
 * the link: the panel says so and offers to copy the text.
 */
export const SAFE_URL_LENGTH = 2_000;

/**
 * The emails a lead is due, in the order the lead detail offers them: the cadence's email
 * step while the lead is open and its next step includes an email ("Send follow-up email"),
 * and the confirmation once a callback attempt (a call, not an automatic text) was made.
 */
export function emailsDue(
  settings: Pick<FirmSettings, 'cadence' | 'sourceRules'>,
  lead: Pick<Lead, 'attemptCount' | 'cadenceRound' | 'source' | 'status' | 'noCallbackNumber'>,
  attempts: readonly Pick<Attempt, 'method' | 'automatic'>[],
): EmailKind[] {
  const due: EmailKind[] = [];
  if (nextStepOf(settings, lead)?.methods.includes('email')) due.push('cadence');
  const called = attempts.some(
    (a) => !a.automatic && (a.method === 'call' || a.method === 'voicemail'),
  );
  if (called) due.push('confirmation');
  return due;
}

export const EMAIL_BUTTON_LABELS: Record<EmailKind, string> = {
  confirmation: 'Send confirmation email',
  cadence: 'Send follow-up email',
};

/** `YYYY-MM-DDTHH:mm` (a datetime-local input) in the firm's zone → epoch ms, or null. */
export function parseLocalDateTime(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const at = new TZDate(y, mo - 1, d, h, mi, timeZone).getTime();
  return Number.isFinite(at) ? at : null;
}
