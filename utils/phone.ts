import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface NormalizedPhone {
  /** E.164 without extension, or null when the caller left no callable number. */
  e164: string | null;
  extension?: string;
  /** Human display: national format for the default country, international otherwise. */
  display: string;
  /** Why there is no callable number. */
  problem?: 'anonymous' | 'malformed';
}

const ANONYMOUS =
  /^(anonymous|unknown|restricted|private|blocked|unavailable|no caller id|withheld|caller id blocked|anonym)/i;

/** Normalise a caller number to E.164 (default country from settings), keeping extensions. */
export function normalizePhone(raw: string, defaultCountry: CountryCode = 'US'): NormalizedPhone {
  const text = (raw ?? '').trim();
  if (text === '' || ANONYMOUS.test(text)) {
    return {
      e164: null,
      display: text === '' ? 'Unknown caller' : titleCase(text),
      problem: 'anonymous',
    };
  }
  // "tel:" links and sip-ish forms show up in portal markup.
  const cleaned = text.replace(/^tel:/i, '').replace(/^sip:/i, '').replace(/@.*$/, '');
  const parsed =
    parsePhoneNumberFromString(cleaned, defaultCountry) ??
    (/^\d{11,15}$/.test(cleaned) ? parsePhoneNumberFromString('+' + cleaned) : undefined);
  if (!parsed || !parsed.isPossible()) {
    return { e164: null, display: text, problem: 'malformed' };
  }
  const e164 = parsed.number;
  const display =
    parsed.country === defaultCountry ? parsed.formatNational() : parsed.formatInternational();
  // libphonenumber's formatters already append " ext. N".
  return parsed.ext ? { e164, extension: parsed.ext, display } : { e164, display };
}

/** Display form of a stored E.164 number. */
export function formatPhone(e164: string, defaultCountry: CountryCode = 'US'): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === defaultCountry ? parsed.formatNational() : parsed.formatInternational();
}

/** The national significant digits (what HubSpot search wants: area code + local number). */
export function nationalDigits(e164: string): string {
  return parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.replace(/\D/g, '');
}

function titleCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}
