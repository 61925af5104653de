import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Lead } from '../model';
import { nationalDigits, normalizePhone } from '../phone';
import {
  crmLinkOf,
  type ContactPayload,
  type CrmContact,
  type CrmLink,
  type CrmSystem,
} from './model';

/** A link a lead keeps to its CRM contact (Lead.crmLinks: one per CRM and account). */
export type { CrmLink };

/**
 * What to do about a lead's CRM contact:
 * - linked: the user (or an earlier single match) already decided — never ask again;
 * - single: exactly one contact has the number — link it;
 * - choose: several contacts share the number — ask once, then remember;
 * - none: offer to create one, carrying the lead's source and practice area.
 */
export type MatchDecision =
  | { kind: 'linked'; link: CrmLink }
  | { kind: 'single'; contact: CrmContact }
  | { kind: 'choose'; candidates: CrmContact[] }
  | { kind: 'none'; draft: ContactPayload | null };

/** True when a number as the CRM stored it is the same line as the lead's E.164 number. */
export function samePhone(stored: string, e164: string, country: CountryCode): boolean {
  return normalizePhone(stored, country).e164 === e164;
}

/**
 * CRM searches are fuzzy (substring or token matches): keep only contacts that really
 * have the number, once each, in the order the CRM gave them.
 */
export function filterCandidates(
  contacts: CrmContact[],
  e164: string,
  country: CountryCode,
): CrmContact[] {
  const seen = new Set<string>();
  return contacts.filter((c) => {
    if (seen.has(c.id) || !c.phones.some((p) => samePhone(p, e164, country))) return false;
    seen.add(c.id);
    return true;
  });
}

/** `account`: the connected account (accountKeyOf); links made in another do not count. */
export function decideMatch(
  lead: Pick<Lead, 'crmLinks' | 'phone' | 'name' | 'source' | 'practiceArea' | 'assignee'>,
  system: CrmSystem,
  found: CrmContact[],
  country: CountryCode,
  account?: string,
): MatchDecision {
  const link = crmLinkOf(lead, system, account);
  if (link) return { kind: 'linked', link };
  if (!lead.phone) return { kind: 'none', draft: null };
  const candidates = filterCandidates(found, lead.phone, country);
  if (candidates.length === 1) return { kind: 'single', contact: candidates[0]! };
  if (candidates.length > 1) return { kind: 'choose', candidates };
  return { kind: 'none', draft: contactDraft(lead) };
}

export function linkFor(system: CrmSystem, contact: CrmContact, account?: string): CrmLink {
  return {
    system,
    ...(account !== undefined ? { account } : {}),
    contactId: contact.id,
    name: contact.name,
    ...(contact.url ? { url: contact.url } : {}),
  };
}

/** "Dana M. Whitfield" → first "Dana M.", last "Whitfield"; one word is a first name. */
export function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return {};
  if (words.length === 1) return { firstName: words[0] };
  return { firstName: words.slice(0, -1).join(' '), lastName: words[words.length - 1] };
}

/** The contact to create for a lead nobody in the CRM has yet. */
export function contactDraft(
  lead: Pick<Lead, 'phone' | 'name' | 'source' | 'practiceArea' | 'assignee'>,
): ContactPayload | null {
  if (!lead.phone) return null;
  return {
    kind: 'contact',
    phone: lead.phone,
    ...splitName(lead.name),
    ...(lead.source ? { source: lead.source } : {}),
    ...(lead.practiceArea ? { practiceArea: lead.practiceArea } : {}),
    ...(lead.assignee ? { staffId: lead.assignee } : {}),
  };
}

/**
 * The spellings to query a CRM that stores numbers as typed and searches by substring
 * (Clio). Each costs a request, so they are chosen to cover the common ways people type
 * a number: digits only (also inside +1…), the local part with a dash (inside "(415)
 * 555-0134" and "415-555-0134"), spaced and dotted groups.
 */
export function phoneQueryFormats(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return [e164];
  const national = nationalDigits(e164);
  const formats = [national];
  if (parsed.countryCallingCode === '1' && national.length === 10) {
    const [area, exchange, line] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
    formats.push(
      `${exchange}-${line}`,
      `${area} ${exchange} ${line}`,
      `${area}.${exchange}.${line}`,
    );
  } else {
    formats.push(parsed.formatNational(), parsed.formatInternational().replace(/^\+\d+\s*/, ''));
  }
  return [...new Set(formats)];
}
