import { z } from 'zod';
import type { CallReason, IncomingCall } from '../../model';
import { HttpError, RateLimitError } from '../../http';
import {
  describeRecordIssues,
  recordId,
  stoppedByRateLimit,
  text,
  toEpochMs,
  notATime,
  UnreadableRecord,
  type CrmCallLog,
  type FetchResult,
  type HeldCall,
  type PageResume,
} from './types';
import { isNewsForStoredCall } from '../../queue/dedupe';

/**
 * Clio Manage phone communications. Clio has no "missed" flag: it holds what people and
 * phone integrations logged. The rule (shown in Options):
 * - inbound: some sender is a contact (Person/Company) and no sender is a firm User;
 * - missed: the subject or body says so — "missed", "voicemail"/"voice mail", "no answer",
 *   "unanswered", "abandoned", "hung up" (voicemail wins when it is mentioned);
 * - other inbound phone communications are calls someone took: they close a caller's open
 *   lead when they came later (the caller got through);
 * - entries carrying one of our own external properties are ours (CRM sync) and skipped.
 * The caller's number is the first phone number in the subject/body (integrations write
 * "Missed call from +1 555…"), else the sender contact's default number (one lookup, for
 * answered entries too: they close the caller's lead only with the caller's number).
 * Read by `updated_since` (when an entry was logged or changed: integrations and people log
 * calls late, sometimes hours after), for calls received in the last `MAX_LOG_DELAY_MS`
 * (an edit of an older entry is not a new call). An entry that cannot be read (its contact
 * was deleted or is hidden from this user) is skipped and reported; the rest is read.
 * Read with the Clio connection's token, region and rate-limit budget.
 */

const Participant = z.object({
  id: z.number().nullish(),
  type: z.string().nullish(),
  identifier: z.string().nullish(),
  secondary_identifier: z.string().nullish(),
});

export const ClioCommunication = z.object({
  id: z.number(),
  type: z.string().nullish(),
  subject: z.string().nullish(),
  body: z.string().nullish(),
  received_at: z.string().nullish(),
  date: z.string().nullish(),
  senders: z.array(Participant).nullish(),
  receivers: z.array(Participant).nullish(),
  external_properties: z
    .array(z.object({ name: z.string().nullish(), value: z.string().nullish() }))
    .nullish(),
});
export type ClioCommunication = z.infer<typeof ClioCommunication>;

export const ClioCommunicationsPage = z.object({
  /** Read one by one: one bad entry must not fail the page. */
  data: z.array(z.unknown()),
  meta: z.object({ paging: z.object({ next: z.string().nullish() }).nullish() }).nullish(),
});

const ClioContact = z.object({
  data: z.object({
    id: z.number(),
    name: z.string().nullish(),
    phone_numbers: z
      .array(z.object({ number: z.string().nullish(), default_number: z.boolean().nullish() }))
      .nullish(),
  }),
});

const CONTACT_TYPES = new Set(['Person', 'Company', 'Contact']);
const MISSED = /\b(missed|no[- ]answer|unanswered|abandoned|hung up)\b/i;
const VOICEMAIL = /\bvoice ?mail\b/i;
/** Our CRM sync tags what it writes with an external property named like this (callback_desk_id). */
const OWN_PROPERTY = /^callback[-_ ]?desk/i;
/** A phone number as people type it: optional +, 7–15 digits with spaces, dots, dashes, brackets. */
const PHONE_IN_TEXT = /(?:\+\d|\(\d|\b\d)[\d\s().-]{5,18}\d\b/g;

/** First phone-number-looking token in a text (normalised later by captureCalls). */
export function phoneInText(value: string | null | undefined): string | undefined {
  for (const match of (value ?? '').matchAll(PHONE_IN_TEXT)) {
    const digits = match[0].replace(/\D/g, '');
    if (digits.length >= 7 && digits.length <= 15 && !/^\d{4}[-.]\d{2}[-.]\d{2}/.test(match[0]))
      return match[0].trim();
  }
  return undefined;
}

export interface ClioCallMapping {
  call: IncomingCall;
  /** Set when the number must come from the sender contact (none in the text). */
  contactId?: number;
}

/**
 * A phone communication → IncomingCall (or null when outbound / ours). When the text has no
 * number, `from` is the contact's name until the caller's number is looked up.
 */
export function mapClioCommunication(comm: ClioCommunication): ClioCallMapping | null {
  if (comm.type && comm.type !== 'PhoneCommunication') return null;
  if (comm.external_properties?.some((p) => OWN_PROPERTY.test(p.name ?? ''))) return null;
  const senders = comm.senders ?? [];
  const contact = senders.find((s) => CONTACT_TYPES.has(s.type ?? ''));
  if (!contact || senders.some((s) => s.type === 'User')) return null;
  const startedAt = toEpochMs(comm.received_at ?? comm.date);
  if (startedAt === undefined) throw notATime('received_at', comm.received_at);
  const words = `${comm.subject ?? ''}\n${comm.body ?? ''}`;
  let reason: CallReason = 'answered';
  if (VOICEMAIL.test(words)) reason = 'voicemail';
  else if (MISSED.test(words)) reason = 'no-answer';
  const number = phoneInText(comm.subject) ?? phoneInText(comm.body);
  const receiver = (comm.receivers ?? []).find((r) => r.type === 'User');
  return {
    call: {
      from: number ?? '',
      startedAt,
      callerName: text(contact.identifier),
      reason,
      provider: 'clio',
      providerCallId: String(comm.id),
      capturePath: 'crm',
      agent: text(receiver?.identifier),
    },
    contactId: number ? undefined : (contact.id ?? undefined),
  };
}

const MAX_PAGES = 10;
const FIELDS =
  'id,type,subject,body,received_at,date,updated_at,senders{id,type,identifier,secondary_identifier},receivers{id,type,identifier},external_properties{name,value}';
/** Entries logged (or changed) this long after the call are still read as calls. */
export const MAX_LOG_DELAY_MS = 7 * 86_400_000;
/** Clock skew between Clio's `updated_at` and ours: each poll reads this far back again. */
const LOOKBACK_MS = 10 * 60_000;
const FIRST_PAGE = '/api/v4/communications.json';

/** Why a contact lookup failed, for the health line; undefined when it should just throw. */
function unreadableContact(error: unknown, contactId: number): string | undefined {
  if (!(error instanceof HttpError) || error instanceof RateLimitError) return undefined;
  if (error.status === 404 || error.status === 410)
    return `its sender contact ${contactId} was deleted (Clio answered ${error.status})`;
  if (error.status === 403)
    return `its sender contact ${contactId} is hidden from this Clio user (Clio answered 403)`;
  return undefined;
}

export const clioCallLog: CrmCallLog = {
  id: 'clio-calls',
  label: 'Clio call log',
  provider: 'clio',
  capturePath: 'crm',
  crm: 'clio',
  rule: 'Inbound phone communications (from a contact) whose subject or body says missed, voicemail, no answer, unanswered, abandoned or hung up. Other inbound phone communications close open leads (the caller got through).',
  lookbackMs: LOOKBACK_MS,
  readsBy: 'changed',
  async fetchCalls(client, since, resume, stored): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    const unreadable: string[] = [];
    // Where an unfinished read stopped: a page link ('' = the first page) and how many of
    // its entries were done (a lookup ran into the rate limit half-way through a page).
    let path = typeof resume?.page === 'string' && resume.page ? resume.page : FIRST_PAGE;
    let query: Record<string, string | number> | undefined =
      path === FIRST_PAGE
        ? {
            type: 'PhoneCommunication',
            updated_since: new Date(since).toISOString(),
            received_since: new Date(since - MAX_LOG_DELAY_MS).toISOString(),
            fields: FIELDS,
            order: 'id(asc)',
            limit: 200,
          }
        : undefined;
    let skip = typeof resume?.skip === 'number' ? resume.skip : 0;
    // The id of the entry to carry on from (entries come in id order): an entry deleted
    // meanwhile before that point must not shift the read past one not yet read.
    let fromId = typeof resume?.fromId === 'number' ? resume.fromId : undefined;
    const here = (done: number, entries?: readonly unknown[]): PageResume => {
      const at: PageResume = { page: path === FIRST_PAGE ? '' : path, skip: done };
      const id = (entries?.[done] as { id?: unknown } | undefined)?.id;
      if (typeof id === 'number') at.fromId = id;
      else if (!entries && fromId !== undefined) at.fromId = fromId;
      return at;
    };
    // One lookup per distinct contact without a number in the text.
    const numbers = new Map<number, string | undefined>();
    const gone = new Map<number, string>();
    let known = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      let data: z.output<typeof ClioCommunicationsPage>;
      try {
        ({ data } = await client.call({ path, query, schema: ClioCommunicationsPage }));
      } catch (error) {
        if (stoppedByRateLimit(error, page))
          return { calls, complete: false, resume: here(skip), unreadable, known };
        throw error;
      }
      if (fromId !== undefined) {
        const from = fromId;
        const at = data.data.findIndex((raw) => {
          const id = (raw as { id?: unknown } | null)?.id;
          return typeof id === 'number' && id >= from;
        });
        skip = at < 0 ? data.data.length : at;
        fromId = undefined;
      }
      // Entries the desk holds already (the window re-reads them) need no contact lookup;
      // one edited since (the voicemail came in) still goes on, with the caller it had.
      const held = stored
        ? await stored(data.data.map((raw, i) => recordId(raw, 'id', i)))
        : new Map<string, HeldCall>();
      for (let i = skip; i < data.data.length; i++) {
        const raw = data.data[i];
        const heldCall = held.get(recordId(raw, 'id', i));
        const label = `Clio communication ${recordId(raw, 'id', i)}`;
        const parsed = ClioCommunication.safeParse(raw);
        if (!parsed.success) {
          unreadable.push(`${label}: ${describeRecordIssues(parsed.error)}`);
          continue;
        }
        let mapped: ClioCallMapping | null;
        try {
          mapped = mapClioCommunication(parsed.data);
        } catch (error) {
          if (!(error instanceof UnreadableRecord)) throw error;
          unreadable.push(`${label}: ${error.message}`);
          continue;
        }
        if (!mapped) continue;
        if (heldCall) {
          if (!isNewsForStoredCall(heldCall.reason, mapped.call.reason)) {
            known++;
            continue;
          }
          if (mapped.contactId !== undefined) {
            calls.push({ ...mapped.call, from: heldCall.phone ?? 'Unknown' });
            continue;
          }
        }
        const contactId = mapped.contactId;
        if (contactId === undefined) {
          if (mapped.call.from) calls.push(mapped.call);
          continue;
        }
        if (gone.has(contactId)) {
          unreadable.push(`${label}: ${gone.get(contactId)!}`);
          continue;
        }
        if (!numbers.has(contactId)) {
          try {
            const { data: contact } = await client.call({
              path: `/api/v4/contacts/${contactId}.json`,
              query: { fields: 'id,name,phone_numbers{number,default_number}' },
              schema: ClioContact,
            });
            const phones = contact.data.phone_numbers ?? [];
            // Free text: people write notes after the number ("… (mobile, after 5pm)").
            const typed = text((phones.find((p) => p.default_number) ?? phones[0])?.number);
            numbers.set(contactId, phoneInText(typed) ?? typed);
          } catch (error) {
            const why = unreadableContact(error, contactId);
            if (why) {
              gone.set(contactId, why);
              unreadable.push(`${label}: ${why}`);
              continue;
            }
            // Out of budget half-way through the page: carry on from this entry next poll.
            if (error instanceof RateLimitError)
              return { calls, complete: false, resume: here(i, data.data), unreadable, known };
            throw error;
          }
        }
        const number = numbers.get(contactId);
        // A contact without any number cannot be called back: keep it as "no callback number"
        // (an answered entry without a number closes nothing).
        if (number || mapped.call.reason !== 'answered')
          calls.push({ ...mapped.call, from: number ?? 'Unknown' });
      }
      skip = 0;
      const next = data.meta?.paging?.next;
      if (!next || data.data.length === 0) return { calls, complete: true, unreadable, known };
      path = next;
      query = undefined;
    }
    return { calls, complete: false, resume: here(0), unreadable, known };
  },
};
