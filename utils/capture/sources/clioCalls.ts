import { z } from 'zod';
import type { CallReason, IncomingCall } from '../../model';
import { text, toEpochMs, type CrmCallLog, type FetchResult } from './types';

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
 * "Missed call from +1 555…"), else the sender contact's default number (one lookup).
 * Read with the Clio connection's token, region and rate-limit budget.
 */

const Participant = z.object({
  id: z.number().nullish(),
  type: z.string().nullish(),
  identifier: z.string().nullish(),
  secondary_identifier: z.string().nullish(),
});

const ClioCommunication = z.object({
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
  data: z.array(ClioCommunication),
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
  if (startedAt === undefined) return null;
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
  'id,type,subject,body,received_at,date,senders{id,type,identifier,secondary_identifier},receivers{id,type,identifier},external_properties{name,value}';

export const clioCallLog: CrmCallLog = {
  id: 'clio-calls',
  label: 'Clio call log',
  provider: 'clio',
  capturePath: 'crm',
  crm: 'clio',
  rule: 'Inbound phone communications (from a contact) whose subject or body says missed, voicemail, no answer, unanswered, abandoned or hung up. Other inbound phone communications close open leads (the caller got through).',
  async fetchCalls(client, since): Promise<FetchResult> {
    const calls: IncomingCall[] = [];
    const needNumber: ClioCallMapping[] = [];
    let path = '/api/v4/communications.json';
    let query: Record<string, string | number> | undefined = {
      type: 'PhoneCommunication',
      received_since: new Date(since).toISOString(),
      fields: FIELDS,
      order: 'received_at(asc)',
      limit: 200,
    };
    let complete = false;
    let newest = since;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { data } = await client.call({ path, query, schema: ClioCommunicationsPage });
      for (const comm of data.data) {
        // Every entry read moves the resume point, not only the calls we keep: a run of
        // pages with only outbound or our own entries must not be read again next time.
        newest = Math.max(newest, toEpochMs(comm.received_at ?? comm.date) ?? newest);
        const mapped = mapClioCommunication(comm);
        if (!mapped || mapped.call.startedAt < since) continue;
        if (mapped.contactId !== undefined && mapped.call.reason !== 'answered')
          needNumber.push(mapped);
        else if (mapped.call.from) calls.push(mapped.call);
      }
      const next = data.meta?.paging?.next;
      if (!next || data.data.length === 0) {
        complete = true;
        break;
      }
      path = next;
      query = undefined;
    }
    // One lookup per distinct contact without a number in the text.
    const numbers = new Map<number, string | undefined>();
    for (const mapped of needNumber) {
      const id = mapped.contactId!;
      if (!numbers.has(id)) {
        const { data } = await client.call({
          path: `/api/v4/contacts/${id}.json`,
          query: { fields: 'id,name,phone_numbers{number,default_number}' },
          schema: ClioContact,
        });
        const phones = data.data.phone_numbers ?? [];
        numbers.set(id, text((phones.find((p) => p.default_number) ?? phones[0])?.number));
      }
      const number = numbers.get(id);
      // A contact without any number cannot be called back: keep it as "no callback number".
      calls.push({ ...mapped.call, from: number ?? 'Unknown' });
    }
    return complete ? { calls, complete } : { calls, complete, resumeFrom: newest };
  },
};
