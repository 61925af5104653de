import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { OpenApiValidator, specFiles } from './openapi.ts';
import {
  bearer,
  RollingWindow,
  startEmulatorServer,
  type EmuResponse,
  type EmulatorServer,
  type VendorHandler,
} from './server.ts';

/**
 * A local HubSpot CRM (contacts, calls, notes, tasks, owners, OAuth token endpoint) on
 * 127.0.0.1. Every request and response is validated against HubSpot's published OpenAPI
 * documents; behaviour follows the vendors' published docs (collected in the team's api-facts.md): rolling 10-second limit with
 * the X-HubSpot-RateLimit-* headers, a separate search limit, records that become
 * searchable a little (or, with `searchLagMs`, a long time) after they are written, inline
 * associations with fixed type ids, batch create and update of up to 100.
 *
 * Phone numbers (api-facts.md, "Contact by phone"): `phone` and `mobilephone` keep the
 * number exactly as typed, and `EQ` on them compares that text, so "(415) 555-0134" is not
 * found by "4155550134". HubSpot keeps calculated, read-only copies for search:
 * `hs_searchable_calculated_phone_number` / `..._mobile_number` (national digits) and
 * `..._international_phone_number` / `..._international_mobile_number` (country code +
 * national digits), computed here with libphonenumber in the portal's country.
 */

export type ObjectType = 'contacts' | 'calls' | 'notes' | 'tasks' | 'communications' | 'emails';
const OBJECT_TYPES: ObjectType[] = [
  'contacts',
  'calls',
  'notes',
  'tasks',
  'communications',
  'emails',
];

export interface HubSpotRecord {
  id: string;
  type: ObjectType;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Records appear in search results only from this time (index lag). */
  searchableAt: number;
  objectWriteTraceId?: string;
  associations: { toType: ObjectType; toId: string; typeId: number }[];
}

export interface HubSpotOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
}

export interface HubSpotEmulatorOptions {
  port?: number;
  /** The 10-second rolling limit (scale intervalMs down for a quick benchmark). */
  rateLimit?: { max: number; intervalMs: number };
  /** Searches allowed per `searchIntervalMs` (HubSpot: 5 per second). */
  searchPerSecond?: number;
  searchIntervalMs?: number;
  /** How long a new record takes to become searchable. */
  searchLagMs?: number;
  privateAppTokens?: string[];
  oauthClients?: { clientId: string; clientSecret: string }[];
  accessTokenTtlSeconds?: number;
  owners?: HubSpotOwner[];
  portalId?: number;
  /** The portal's default country, used to read numbers typed without a country code. */
  country?: CountryCode;
}

export const CALL_DISPOSITIONS = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  leftLiveMessage: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  leftVoicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  noAnswer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrongNumber: '17b47fee-58de-441e-a44c-c6300d46f273',
};

/** Writable properties we accept per object (HubSpot rejects unknown property names). */
const PROPERTIES: Record<
  ObjectType,
  Record<
    string,
    readonly string[] | 'text' | 'timestamp' | 'number' | 'owner' | 'disposition' | 'headers'
  >
> = {
  contacts: {
    firstname: 'text',
    lastname: 'text',
    email: 'text',
    phone: 'text',
    mobilephone: 'text',
    company: 'text',
    hubspot_owner_id: 'owner',
    lifecyclestage: [
      'subscriber',
      'lead',
      'marketingqualifiedlead',
      'salesqualifiedlead',
      'opportunity',
      'customer',
      'evangelist',
      'other',
    ],
    hs_lead_status: [
      'NEW',
      'OPEN',
      'IN_PROGRESS',
      'OPEN_DEAL',
      'UNQUALIFIED',
      'ATTEMPTED_TO_CONTACT',
      'CONNECTED',
      'BAD_TIMING',
    ],
  },
  calls: {
    hs_timestamp: 'timestamp',
    hs_call_title: 'text',
    hs_call_body: 'text',
    hs_call_direction: ['INBOUND', 'OUTBOUND'],
    hs_call_status: [
      'BUSY',
      'CALLING_CRM_USER',
      'CANCELED',
      'COMPLETED',
      'CONNECTING',
      'FAILED',
      'IN_PROGRESS',
      'NO_ANSWER',
      'QUEUED',
      'RINGING',
    ],
    hs_call_disposition: 'disposition',
    hs_call_from_number: 'text',
    hs_call_to_number: 'text',
    hs_call_duration: 'number',
    hubspot_owner_id: 'owner',
  },
  notes: {
    hs_timestamp: 'timestamp',
    hs_note_body: 'text',
    hubspot_owner_id: 'owner',
  },
  tasks: {
    hs_timestamp: 'timestamp',
    hs_task_subject: 'text',
    hs_task_body: 'text',
    hs_task_type: ['CALL', 'EMAIL', 'TODO'],
    hs_task_status: ['NOT_STARTED', 'COMPLETED', 'IN_PROGRESS', 'WAITING', 'DEFERRED'],
    hs_task_priority: ['NONE', 'LOW', 'MEDIUM', 'HIGH'],
    hubspot_owner_id: 'owner',
  },
  // Communications guide (developers.hubspot.com/docs/api/crm/communications): the channel
  // is one of WHATS_APP, LINKEDIN_MESSAGE, SMS; logged_from "must be set to CRM".
  communications: {
    hs_timestamp: 'timestamp',
    hs_communication_channel_type: ['WHATS_APP', 'LINKEDIN_MESSAGE', 'SMS'],
    hs_communication_logged_from: ['CRM'],
    hs_communication_body: 'text',
    hubspot_owner_id: 'owner',
  },
  // Email engagement guide (developers.hubspot.com/docs/api/crm/email): direction, status,
  // subject, text/html bodies, and hs_email_headers, a JSON-escaped string from which the
  // read-only from/to properties are filled.
  emails: {
    hs_timestamp: 'timestamp',
    hs_email_direction: ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL'],
    hs_email_status: ['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT'],
    hs_email_subject: 'text',
    hs_email_text: 'text',
    hs_email_html: 'text',
    hs_email_headers: 'headers',
    hubspot_owner_id: 'owner',
  },
};

/** The read-only properties HubSpot fills from hs_email_headers (email guide). */
function emailHeaderProperties(headers: string): Record<string, string> {
  const parsed = JSON.parse(headers) as {
    from?: { email?: string; firstName?: string; lastName?: string };
    to?: { email?: string }[];
  };
  const to = (parsed.to ?? []).map((t) => t.email).filter(Boolean);
  return {
    ...(parsed.from?.email ? { hs_email_from_email: parsed.from.email } : {}),
    ...(to.length ? { hs_email_to_email: to.join(';') } : {}),
  };
}

/** hs_email_headers must be a JSON object whose from/to/cc/bcc hold addresses. */
function headersProblem(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'hs_email_headers is not valid JSON';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return 'hs_email_headers must be a JSON object';
  const h = parsed as Record<string, unknown>;
  for (const list of ['to', 'cc', 'bcc']) {
    const value = h[list];
    if (value === undefined) continue;
    if (
      !Array.isArray(value) ||
      value.some((v) => typeof (v as { email?: unknown })?.email !== 'string')
    )
      return `hs_email_headers.${list} must be a list of { email }`;
  }
  return null;
}

/** The HUBSPOT_DEFINED association type id from each engagement to a contact. */
const TO_CONTACT_TYPE_ID: Partial<Record<ObjectType, number>> = {
  calls: 194,
  notes: 202,
  tasks: 204,
  // HubSpot's default association type ids, "Activity to object" table
  // (developers.hubspot.com/docs/api/crm/associations): communication → contact 81,
  // email → contact 198.
  communications: 81,
  emails: 198,
};
const OBJECT_TYPE_IDS: Record<string, ObjectType> = {
  '0-1': 'contacts',
  '0-48': 'calls',
  '0-46': 'notes',
  '0-27': 'tasks',
  '0-18': 'communications',
  '0-49': 'emails',
};

const DEFAULT_OWNERS: HubSpotOwner[] = [
  { id: '101', email: 'ana@firm.example', firstName: 'Ana', lastName: 'Lopez', userId: 9001 },
  { id: '102', email: 'ben@firm.example', firstName: 'Ben', lastName: 'Okafor', userId: 9002 },
];

export interface HubSpotEmulator extends EmulatorServer {
  records(type: ObjectType): HubSpotRecord[];
  /** Objects of `type` associated with the contact. */
  associatedWith(contactId: string, type: ObjectType): HubSpotRecord[];
  seedContact(properties: Record<string, string>): HubSpotRecord;
  /** A call record as the firm's phone integration logs it (hs_timestamp in epoch ms). */
  seedCall(properties: Record<string, string>): HubSpotRecord;
  /** Someone deletes (archives) a record in HubSpot: later reads answer 404. */
  deleteRecord(type: ObjectType, id: string): void;
  /** An authorization code as app.hubspot.com would hand to the redirect URI. */
  issueAuthCode(clientId: string, redirectUri: string): string;
  /** Make every OAuth access token expire now (refresh tokens stay valid). */
  expireAccessTokens(): void;
  revokePrivateAppToken(token: string): void;
  options: Required<Omit<HubSpotEmulatorOptions, 'port'>>;
  reset(): void;
}

function digits(text: string): string {
  return text.replace(/\D/g, '');
}

/** HubSpot matches phone numbers on area code + local number, ignoring formatting. */
function nationalPhoneDigits(stored: string): string {
  const d = digits(stored);
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
}

/** The calculated, read-only phone properties HubSpot derives from `phone` / `mobilephone`. */
export const CALCULATED_PHONE_PROPERTIES = {
  phone: [
    'hs_searchable_calculated_phone_number',
    'hs_searchable_calculated_international_phone_number',
  ],
  mobilephone: [
    'hs_searchable_calculated_mobile_number',
    'hs_searchable_calculated_international_mobile_number',
  ],
} as const;
const CALCULATED = new Set<string>(Object.values(CALCULATED_PHONE_PROPERTIES).flat());

/** [national digits, country code + national digits] of a number as typed. */
function calculatedPhone(typed: string, country: CountryCode): [string, string] {
  const parsed = parsePhoneNumberFromString(typed, country);
  if (parsed)
    return [parsed.nationalNumber, `${parsed.countryCallingCode}${parsed.nationalNumber}`];
  const d = nationalPhoneDigits(typed);
  return [d, d];
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9@._+-]+/)
    .filter(Boolean);
}

function error(
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): EmuResponse {
  return {
    status,
    body: { status: 'error', message, correlationId: randomUUID(), category, ...extra },
  };
}

export async function startHubSpotEmulator(
  options: HubSpotEmulatorOptions = {},
): Promise<HubSpotEmulator> {
  const opts: HubSpotEmulator['options'] = {
    rateLimit: options.rateLimit ?? { max: 100, intervalMs: 10_000 },
    searchPerSecond: options.searchPerSecond ?? 5,
    searchIntervalMs: options.searchIntervalMs ?? 1000,
    searchLagMs: options.searchLagMs ?? 0,
    privateAppTokens: options.privateAppTokens ?? ['pat-na1-emulator-token'],
    oauthClients: options.oauthClients ?? [
      { clientId: 'emulator-client', clientSecret: 'emulator-secret' },
    ],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
    owners: options.owners ?? DEFAULT_OWNERS,
    portalId: options.portalId ?? 4_242_424,
    country: options.country ?? 'US',
  };
  const validator = new OpenApiValidator(specFiles('hubspot'));
  const objects = new Map<ObjectType, Map<string, HubSpotRecord>>(
    OBJECT_TYPES.map((t) => [t, new Map()]),
  );
  let nextId = 5_000;
  const revoked = new Set<string>();
  const authCodes = new Map<string, { clientId: string; redirectUri: string }>();
  const accessTokens = new Map<string, { expiresAt: number; refreshToken: string }>();
  const refreshTokens = new Map<string, { clientId: string }>();
  const general = new RollingWindow(opts.rateLimit.max, opts.rateLimit.intervalMs);
  const search = new RollingWindow(opts.searchPerSecond, opts.searchIntervalMs);

  function ownerExists(id: string): boolean {
    return opts.owners.some((o) => o.id === id);
  }

  function checkProperties(type: ObjectType, properties: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(properties)) {
      const rule = PROPERTIES[type][name];
      if (type === 'contacts' && CALCULATED.has(name)) {
        problems.push(`Property "${name}" is a read-only calculated property`);
        continue;
      }
      if (!rule) {
        problems.push(`Property "${name}" does not exist`);
        continue;
      }
      const text = String(value);
      if (Array.isArray(rule) && !rule.includes(text))
        problems.push(`${text} was not one of the allowed options for ${name}`);
      if (
        rule === 'timestamp' &&
        Number.isNaN(/^\d+$/.test(text) ? Number(text) : Date.parse(text))
      ) {
        problems.push(`${name}: ${text} is not a valid timestamp`);
      }
      if (rule === 'number' && !/^\d+(\.\d+)?$/.test(text))
        problems.push(`${name}: ${text} is not a number`);
      if (rule === 'owner' && !ownerExists(text)) problems.push(`${text} is not a valid owner id`);
      if (rule === 'headers') {
        const problem = headersProblem(text);
        if (problem) problems.push(problem);
      }
      if (rule === 'disposition' && !Object.values(CALL_DISPOSITIONS).includes(text)) {
        problems.push(`${text} is not a valid call disposition`);
      }
    }
    if (type !== 'contacts' && !('hs_timestamp' in properties))
      problems.push('hs_timestamp is required');
    return problems;
  }

  interface CreateInput {
    properties: Record<string, string>;
    associations?: {
      to: { id: string };
      types: { associationCategory: string; associationTypeId: number }[];
    }[];
    objectWriteTraceId?: string;
  }

  function checkInput(type: ObjectType, input: CreateInput): string[] {
    const problems = checkProperties(type, input.properties ?? {});
    for (const assoc of input.associations ?? []) {
      for (const spec of assoc.types ?? []) {
        const expected = TO_CONTACT_TYPE_ID[type];
        if (spec.associationCategory !== 'HUBSPOT_DEFINED' || spec.associationTypeId !== expected) {
          problems.push(
            `association type ${spec.associationCategory}/${spec.associationTypeId} is not valid from ${type} to contacts`,
          );
        }
      }
      if (!objects.get('contacts')!.has(String(assoc.to?.id)))
        problems.push(`contact ${String(assoc.to?.id)} does not exist`);
    }
    return problems;
  }

  function create(type: ObjectType, input: CreateInput, now: number): HubSpotRecord {
    const id = String(nextId++);
    const iso = new Date(now).toISOString();
    const record: HubSpotRecord = {
      id,
      type,
      properties: { ...input.properties },
      createdAt: iso,
      updatedAt: iso,
      searchableAt: now + opts.searchLagMs,
      objectWriteTraceId: input.objectWriteTraceId,
      associations: (input.associations ?? []).map((a) => ({
        toType: 'contacts',
        toId: String(a.to.id),
        typeId: a.types[0]!.associationTypeId,
      })),
    };
    if (type !== 'contacts' && /^\d+$/.test(record.properties.hs_timestamp ?? '')) {
      record.properties.hs_timestamp = new Date(
        Number(record.properties.hs_timestamp),
      ).toISOString();
    }
    if (type === 'contacts') calculate(record);
    if (type === 'emails' && record.properties.hs_email_headers)
      Object.assign(record.properties, emailHeaderProperties(record.properties.hs_email_headers));
    objects.get(type)!.set(id, record);
    return record;
  }

  /** HubSpot recomputes the searchable phone copies whenever phone / mobilephone change. */
  function calculate(record: HubSpotRecord): void {
    for (const [source, [national, international]] of Object.entries(CALCULATED_PHONE_PROPERTIES)) {
      const typed = record.properties[source];
      if (typed) {
        const [n, i] = calculatedPhone(typed, opts.country);
        record.properties[national] = n;
        record.properties[international] = i;
      } else {
        delete record.properties[national];
        delete record.properties[international];
      }
    }
  }

  /** PATCH / batch update: the given properties change; the search index catches up later. */
  function updateRecord(
    type: ObjectType,
    id: string,
    properties: Record<string, string>,
    now: number,
  ): HubSpotRecord | string {
    const record = objects.get(type)!.get(id);
    if (!record) return `Object ${id} not found`;
    const problems = checkProperties(type, properties).filter(
      (p) => p !== 'hs_timestamp is required',
    );
    if (problems.length) return problems.join('; ');
    Object.assign(record.properties, properties);
    if (type === 'contacts') calculate(record);
    record.updatedAt = new Date(now).toISOString();
    record.searchableAt = Math.max(record.searchableAt, now + opts.searchLagMs);
    return record;
  }

  function publicObject(record: HubSpotRecord, only?: string[]): Record<string, unknown> {
    const defaults: Record<string, string> = {
      hs_object_id: record.id,
      hs_createdate: record.createdAt,
      hs_lastmodifieddate: record.updatedAt,
      ...(record.type === 'contacts'
        ? { createdate: record.createdAt, lastmodifieddate: record.updatedAt }
        : {}),
    };
    const properties =
      only && only.length
        ? Object.fromEntries(
            only.filter((p) => p in record.properties).map((p) => [p, record.properties[p]!]),
          )
        : record.properties;
    return {
      id: record.id,
      properties: { ...defaults, ...properties },
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      archived: false,
      ...(record.objectWriteTraceId ? { objectWriteTraceId: record.objectWriteTraceId } : {}),
    };
  }

  interface Filter {
    propertyName: string;
    operator: string;
    value?: string;
    values?: string[];
    highValue?: string;
  }

  function propertyValue(record: HubSpotRecord, name: string): string | undefined {
    if (name === 'associations.contact')
      return record.associations.map((a) => a.toId).join(' ') || undefined;
    if (name === 'hs_object_id') return record.id;
    // Every object has these (CRM search docs: default properties, filterable and sortable).
    if (name === 'hs_lastmodifieddate') return record.updatedAt;
    if (name === 'hs_createdate') return record.createdAt;
    return record.properties[name];
  }

  function comparable(name: string, value: string): number | string {
    if (name === 'hs_timestamp' || name.endsWith('date')) {
      const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
      return Number.isNaN(n) ? value : n;
    }
    return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value.toLowerCase();
  }

  function filterMatches(record: HubSpotRecord, f: Filter): boolean {
    const actual = propertyValue(record, f.propertyName);
    const eq = (expected: string): boolean => {
      if (actual === undefined) return false;
      if (f.propertyName === 'associations.contact') return actual.split(' ').includes(expected);
      // `phone` / `mobilephone` compare the text as typed (the default rule below); the
      // calculated copies hold digits only, so only digits can equal them.
      if (CALCULATED.has(f.propertyName)) return actual === expected.trim();
      return comparable(f.propertyName, actual) === comparable(f.propertyName, expected);
    };
    const containsToken = (expected: string): boolean => {
      if (actual === undefined) return false;
      const pattern = expected.toLowerCase();
      if (pattern.includes('*')) {
        const re = new RegExp(
          `^${pattern
            .split('*')
            .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        );
        return tokens(actual).some((t) => re.test(t));
      }
      return tokens(actual).includes(pattern);
    };
    const cmp = (
      expected: string | undefined,
      test: (a: number | string, b: number | string) => boolean,
    ): boolean =>
      actual !== undefined &&
      expected !== undefined &&
      test(comparable(f.propertyName, actual), comparable(f.propertyName, expected));
    switch (f.operator) {
      case 'EQ':
        return eq(f.value ?? '');
      case 'NEQ':
        return !eq(f.value ?? '');
      case 'IN':
        return (f.values ?? []).some(eq);
      case 'NOT_IN':
        return !(f.values ?? []).some(eq);
      case 'CONTAINS_TOKEN':
        return containsToken(f.value ?? '');
      case 'NOT_CONTAINS_TOKEN':
        return !containsToken(f.value ?? '');
      case 'HAS_PROPERTY':
        return actual !== undefined && actual !== '';
      case 'NOT_HAS_PROPERTY':
        return actual === undefined || actual === '';
      case 'GT':
        return cmp(f.value, (a, b) => a > b);
      case 'GTE':
        return cmp(f.value, (a, b) => a >= b);
      case 'LT':
        return cmp(f.value, (a, b) => a < b);
      case 'LTE':
        return cmp(f.value, (a, b) => a <= b);
      case 'BETWEEN':
        return cmp(f.value, (a, b) => a >= b) && cmp(f.highValue, (a, b) => a <= b);
      default:
        return false;
    }
  }

  const DEFAULT_SEARCHABLE: Record<ObjectType, string[]> = {
    contacts: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'],
    calls: ['hs_call_title', 'hs_call_body'],
    notes: ['hs_note_body'],
    tasks: ['hs_task_subject', 'hs_task_body'],
    communications: ['hs_communication_body'],
    emails: ['hs_email_subject', 'hs_email_text'],
  };

  function doSearch(type: ObjectType, body: Record<string, unknown>, now: number): EmuResponse {
    const groups = (body.filterGroups ?? []) as { filters: Filter[] }[];
    const filterCount = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
    if (groups.length > 5 || groups.some((g) => (g.filters?.length ?? 0) > 6) || filterCount > 18) {
      return error(
        400,
        'VALIDATION_ERROR',
        'Too many filter groups or filters (at most 5 groups, 6 filters each, 18 in all).',
      );
    }
    const limit = Number(body.limit ?? 10);
    if (limit > 200) return error(400, 'VALIDATION_ERROR', 'limit must be at most 200');
    const query = typeof body.query === 'string' ? body.query.toLowerCase().trim() : '';
    const all = [...objects.get(type)!.values()].filter((r) => r.searchableAt <= now);
    const hits = all.filter((record) => {
      const byFilters =
        groups.length === 0 ||
        groups.some((g) => (g.filters ?? []).every((f) => filterMatches(record, f)));
      const byQuery =
        !query ||
        DEFAULT_SEARCHABLE[type].some((p) => {
          const value = record.properties[p];
          if (!value) return false;
          if (p === 'phone' || p === 'mobilephone')
            return nationalPhoneDigits(value) === digits(query);
          return tokens(value).some((t) => t.startsWith(query));
        });
      return byFilters && byQuery;
    });
    // sorts: property names, ascending (the spec's string form; "-name" sorts descending).
    for (const sort of [...((body.sorts ?? []) as unknown[])].reverse()) {
      if (typeof sort !== 'string') continue;
      const desc = sort.startsWith('-');
      const name = desc ? sort.slice(1) : sort;
      const value = (r: HubSpotRecord) => comparable(name, propertyValue(r, name) ?? '');
      hits.sort((x, y) => {
        const [a, b] = [value(x), value(y)];
        return (a < b ? -1 : a > b ? 1 : 0) * (desc ? -1 : 1);
      });
    }
    const offset = Number(body.after ?? 0) || 0;
    const page = hits.slice(offset, offset + limit);
    const properties = Array.isArray(body.properties) ? (body.properties as string[]) : [];
    return {
      status: 200,
      body: {
        total: hits.length,
        results: page.map((r) => publicObject(r, properties)),
        ...(offset + limit < hits.length
          ? { paging: { next: { after: String(offset + limit) } } }
          : {}),
      },
    };
  }

  const vendor: VendorHandler = {
    basePath: '',
    validator,
    windows: [general, search],
    authenticate(req, op) {
      if (req.path === '/oauth/v3/token') return null;
      if (!op) return null;
      const token = bearer(req);
      if (!token)
        return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
      if (opts.privateAppTokens.includes(token) && !revoked.has(token)) return null;
      const access = accessTokens.get(token);
      if (access && access.expiresAt > Date.now()) return null;
      if (access) {
        return error(
          401,
          'EXPIRED_AUTHENTICATION',
          'The OAuth token used to make this call expired.',
        );
      }
      return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    },
    rateLimit(req, op) {
      if (!op || req.path === '/oauth/v3/token') return { headers: {} };
      const key = bearer(req) ?? 'anonymous';
      const now = req.at;
      if (req.path.endsWith('/search')) {
        const s = search.take(key, now);
        if (!s.ok) {
          return {
            reject: error(429, 'RATE_LIMITS', 'You have reached your secondly limit.', {
              errorType: 'RATE_LIMIT',
              policyName: 'SECONDLY',
            }),
            headers: {},
          };
        }
      }
      const taken = general.take(key, now);
      const headers = {
        'X-HubSpot-RateLimit-Max': String(general.max),
        'X-HubSpot-RateLimit-Remaining': String(taken.remaining),
        'X-HubSpot-RateLimit-Interval-Milliseconds': String(general.intervalMs),
        'X-HubSpot-RateLimit-Daily': '250000',
        'X-HubSpot-RateLimit-Daily-Remaining': '249000',
      };
      if (!taken.ok) {
        return {
          reject: {
            ...error(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
              errorType: 'RATE_LIMIT',
              policyName: 'TEN_SECONDLY_ROLLING',
              groupName: 'api-calls',
            }),
            headers,
          },
          headers,
        };
      }
      return { headers };
    },
    faultResponse(kind) {
      if (kind === '429') {
        return {
          ...error(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
            errorType: 'RATE_LIMIT',
            policyName: 'TEN_SECONDLY_ROLLING',
            groupName: 'api-calls',
          }),
          headers: {
            'X-HubSpot-RateLimit-Max': String(general.max),
            'X-HubSpot-RateLimit-Remaining': '0',
            'X-HubSpot-RateLimit-Interval-Milliseconds': String(general.intervalMs),
          },
        };
      }
      if (kind === '401')
        return error(
          401,
          'EXPIRED_AUTHENTICATION',
          'The OAuth token used to make this call expired.',
        );
      return error(500, 'INTERNAL_ERROR', 'internal error');
    },
    handle(req, op, params) {
      // The server's clock (a test on virtual time sets it): writes and the search index.
      const now = req.at;
      if (!op) return error(404, 'OBJECT_NOT_FOUND', 'Not found');
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (req.path === '/oauth/v3/token') return oauthToken(body);
      if (req.path === '/crm/v3/owners' && req.method === 'GET') {
        const email = req.query.get('email');
        const limit = Number(req.query.get('limit') ?? 100);
        const offset = Number(req.query.get('after') ?? 0) || 0;
        const list = opts.owners.filter(
          (o) => !email || o.email.toLowerCase() === email.toLowerCase(),
        );
        const page = list.slice(offset, offset + limit);
        return {
          status: 200,
          body: {
            results: page.map((o) => ({
              id: o.id,
              email: o.email,
              firstName: o.firstName,
              lastName: o.lastName,
              userId: o.userId,
              type: 'PERSON',
              archived: false,
              createdAt: '2024-01-02T03:04:05.000Z',
              updatedAt: '2024-01-02T03:04:05.000Z',
            })),
            ...(offset + limit < list.length
              ? { paging: { next: { after: String(offset + limit) } } }
              : {}),
          },
        };
      }
      const m = /^\/crm\/v3\/objects\/([^/]+)(?:\/(.*))?$/.exec(req.path);
      const type = (m && (OBJECT_TYPE_IDS[m[1]!] ?? m[1])) as ObjectType | undefined;
      if (!type || !objects.has(type))
        return error(404, 'OBJECT_NOT_FOUND', `Unknown object type ${m?.[1]}`);
      const rest = m?.[2];
      if (req.method === 'POST' && !rest) {
        const problems = checkInput(type, body as unknown as CreateInput);
        if (problems.length) return error(400, 'VALIDATION_ERROR', problems.join('; '));
        return {
          status: 201,
          body: publicObject(create(type, body as unknown as CreateInput, now)),
        };
      }
      if (req.method === 'POST' && rest === 'batch/create') {
        const inputs = (body.inputs ?? []) as CreateInput[];
        if (inputs.length > 100)
          return error(400, 'VALIDATION_ERROR', 'Batch size must be at most 100.');
        const problems = inputs.flatMap((input, i) =>
          checkInput(type, input).map((p) => `inputs[${i}]: ${p}`),
        );
        // HubSpot rejects the whole batch when an input is invalid.
        if (problems.length) return error(400, 'VALIDATION_ERROR', problems.join('; '));
        const started = new Date(now).toISOString();
        const created = inputs.map((input) => create(type, input, now));
        // Result order is not guaranteed by HubSpot; reversing it keeps clients honest.
        return {
          status: 201,
          body: {
            status: 'COMPLETE',
            results: created.reverse().map((r) => publicObject(r)),
            startedAt: started,
            completedAt: new Date().toISOString(),
          },
        };
      }
      if (req.method === 'POST' && rest === 'search') return doSearch(type, body, now);
      if (req.method === 'PATCH' && rest && !rest.includes('/')) {
        const properties = (body.properties ?? {}) as Record<string, string>;
        const updated = updateRecord(type, rest, properties, now);
        if (typeof updated === 'string')
          return updated.endsWith('not found')
            ? error(404, 'OBJECT_NOT_FOUND', updated)
            : error(400, 'VALIDATION_ERROR', updated);
        return { status: 200, body: publicObject(updated) };
      }
      if (req.method === 'POST' && rest === 'batch/update') {
        const inputs = (body.inputs ?? []) as { id: string; properties: Record<string, string> }[];
        if (inputs.length > 100)
          return error(400, 'VALIDATION_ERROR', 'Batch size must be at most 100.');
        const missing = inputs.filter((i) => !objects.get(type)!.has(String(i.id)));
        // HubSpot refuses the whole batch when a record does not exist or a value is invalid.
        if (missing.length)
          return error(
            400,
            'VALIDATION_ERROR',
            `Objects not found: ${missing.map((i) => i.id).join(', ')}`,
          );
        const problems = inputs.flatMap((input, i) =>
          checkProperties(type, input.properties ?? {})
            .filter((p) => p !== 'hs_timestamp is required')
            .map((p) => `inputs[${i}]: ${p}`),
        );
        if (problems.length) return error(400, 'VALIDATION_ERROR', problems.join('; '));
        const started = new Date(now).toISOString();
        const updated = inputs.map(
          (input) =>
            updateRecord(type, String(input.id), input.properties ?? {}, now) as HubSpotRecord,
        );
        return {
          status: 200,
          body: {
            status: 'COMPLETE',
            results: updated.map((r) => publicObject(r)),
            startedAt: started,
            completedAt: new Date().toISOString(),
          },
        };
      }
      if (req.method === 'GET' && rest && !rest.includes('/')) {
        const record = objects.get(type)!.get(params[Object.keys(params)[0]!] ?? rest);
        if (!record) return error(404, 'OBJECT_NOT_FOUND', 'Object not found.');
        const wanted = req.query.getAll('properties').flatMap((p) => p.split(','));
        return { status: 200, body: publicObject(record, wanted) };
      }
      return error(404, 'OBJECT_NOT_FOUND', 'This emulator does not implement that operation.');
    },
    contract(req) {
      if (req.path.startsWith('/crm/') && req.method === 'POST' && req.path.endsWith('/search')) {
        const body = req.body as
          { filterGroups?: { filters?: { propertyName: string; value?: string }[] }[] } | undefined;
        const notDigits = body?.filterGroups?.some((g) =>
          g.filters?.some((f) => CALCULATED.has(f.propertyName) && !/^\d+$/.test(f.value ?? '')),
        );
        // The calculated properties hold digits only: "+1415…" or "(415)…" can never match.
        if (notDigits) return ['calculated phone properties must be searched with digits only'];
      }
      return [];
    },
  };

  function oauthToken(body: Record<string, unknown>): EmuResponse {
    const client = opts.oauthClients.find((c) => c.clientId === body.client_id);
    if (!client || client.clientSecret !== body.client_secret) {
      return error(400, 'BAD_CLIENT_ID', 'missing or unknown client id / secret', {
        status: 'BAD_CLIENT_ID',
      });
    }
    let refreshToken: string;
    if (body.grant_type === 'authorization_code') {
      const code = authCodes.get(String(body.code));
      if (!code || code.clientId !== client.clientId || code.redirectUri !== body.redirect_uri) {
        return error(400, 'BAD_AUTH_CODE', 'auth code not found or redirect_uri mismatch', {
          status: 'BAD_AUTH_CODE',
        });
      }
      authCodes.delete(String(body.code));
      refreshToken = `refresh-${randomUUID()}`;
      refreshTokens.set(refreshToken, { clientId: client.clientId });
    } else if (body.grant_type === 'refresh_token') {
      refreshToken = String(body.refresh_token);
      if (refreshTokens.get(refreshToken)?.clientId !== client.clientId) {
        return error(400, 'BAD_REFRESH_TOKEN', 'missing or unknown refresh token', {
          status: 'BAD_REFRESH_TOKEN',
        });
      }
    } else {
      return error(400, 'BAD_GRANT_TYPE', 'unsupported grant_type', { status: 'BAD_GRANT_TYPE' });
    }
    const accessToken = `access-${randomUUID()}`;
    accessTokens.set(accessToken, {
      expiresAt: Date.now() + opts.accessTokenTtlSeconds * 1000,
      refreshToken,
    });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        refresh_token: refreshToken,
        expires_in: opts.accessTokenTtlSeconds,
        token_type: 'bearer',
        token_use: 'access_token',
        hub_id: opts.portalId,
      },
    };
  }

  const server = await startEmulatorServer(vendor, options.port ?? 0);
  const emulator: HubSpotEmulator = Object.assign(server, {
    options: opts,
    records: (type: ObjectType) => [...objects.get(type)!.values()],
    associatedWith: (contactId: string, type: ObjectType) =>
      [...objects.get(type)!.values()].filter((r) =>
        r.associations.some((a) => a.toId === contactId),
      ),
    seedContact: (properties: Record<string, string>) =>
      create('contacts', { properties }, server.clock() - opts.searchLagMs),
    seedCall: (properties: Record<string, string>) =>
      create('calls', { properties }, server.clock() - opts.searchLagMs),
    deleteRecord: (type: ObjectType, id: string) => {
      objects.get(type)!.delete(id);
    },
    issueAuthCode(clientId: string, redirectUri: string) {
      const code = `code-${randomUUID()}`;
      authCodes.set(code, { clientId, redirectUri });
      return code;
    },
    expireAccessTokens() {
      for (const t of accessTokens.values()) t.expiresAt = 0;
    },
    revokePrivateAppToken(token: string) {
      revoked.add(token);
    },
    reset() {
      for (const map of objects.values()) map.clear();
      revoked.clear();
      opts.searchLagMs = options.searchLagMs ?? 0;
      opts.country = options.country ?? 'US';
      general.reset();
      search.reset();
      server.violations.length = 0;
      server.log.length = 0;
      server.faults.length = 0;
    },
  });
  return emulator;
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 8787);
  const emulator = await startHubSpotEmulator({ port });
  emulator.seedContact({ firstname: 'Dana', lastname: 'Whitfield', phone: '(415) 555-0134' });
  console.log(
    `HubSpot emulator on ${emulator.url} (private-app token: ${emulator.options.privateAppTokens[0]})`,
  );
}
