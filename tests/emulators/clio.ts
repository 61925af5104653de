import { randomUUID } from 'node:crypto';
import { OpenApiValidator, specFiles, type SpecErratum } from './openapi.ts';
import {
  bearer,
  RollingWindow,
  startEmulatorServer,
  type EmuRequest,
  type EmuResponse,
  type EmulatorServer,
  type VendorHandler,
} from './server.ts';

/**
 * A local Clio Manage API v4 (users, contacts, communications, notes, tasks) plus the
 * OAuth token endpoint and the Clio Grow Lead Inbox, on 127.0.0.1. Requests and responses
 * are validated against Clio's published OpenAPI documents. Behaviour follows
 * the vendors' published docs (collected in the team's api-facts.md): `fields=` selects what comes back (only id and etag
 * without it), X-API-VERSION is echoed, 50 requests a minute per token with
 * X-RateLimit-* headers and Retry-After on 429, contact query is a substring match on
 * numbers exactly as they were typed, external_properties filters on communications.
 * Matters (GET /matters.json, filters client_id and status) are served from Clio's public
 * docs only and are NOT spec-validated: no matters spec is published in tests/specs.
 */

export const CLIO_API_VERSION = '4.0.13';
const MATTER_STATUSES = ['open', 'pending', 'closed'];
/** GET /api/v4/matters.json: served without a spec (see ClioMatter). */
const isMattersList = (req: { method: string; fullPath: string }) =>
  req.method === 'GET' && req.fullPath === '/api/v4/matters.json';
const BASE = '/api/v4';

/**
 * The notes document lists `matter` as required for every Note, while the same field's
 * description says it is "Required only if the Note type is Matter" (and `contact` only
 * for Contact notes). A Contact note cannot carry a real matter, so the requirement is
 * made conditional exactly as described; everything else stays as published.
 */
export const CLIO_ERRATA: SpecErratum[] = [
  {
    docId: 'clio-notes-api-openapi.yml',
    why: 'Note#create: matter/contact required only for their own note type (per field descriptions)',
    apply(doc) {
      const post = (
        doc.paths as Record<
          string,
          Record<
            string,
            { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }
          >
        >
      )['/notes.json']!.post!;
      for (const media of Object.values(post.requestBody.content)) {
        const data = (media.schema.properties as Record<string, Record<string, unknown>>).data!;
        data.required = ['type'];
        data.allOf = [
          {
            if: { properties: { type: { const: 'Contact' } }, required: ['type'] },
            then: { required: ['contact'] },
          },
          {
            if: { properties: { type: { const: 'Matter' } }, required: ['type'] },
            then: { required: ['matter'] },
          },
        ];
      }
    },
  },
];

export interface ClioUser {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: string;
  enabled: boolean;
  time_zone: string;
  /** The firm's Clio account (User.account in the users spec); users of one firm share it. */
  account?: { id: number; name: string };
}

export interface ClioPhoneNumber {
  id: number;
  number: string;
  name: 'Work' | 'Personal' | 'Other';
  primary: boolean;
}

export interface ClioContact {
  id: number;
  type: 'Person' | 'Company';
  name: string;
  first_name?: string;
  last_name?: string;
  phone_numbers: ClioPhoneNumber[];
  /** Clio sets it once the contact is a client on a matter. */
  is_client?: boolean;
  created_at: string;
  updated_at: string;
}

export interface ClioCommunication {
  id: number;
  type: 'PhoneCommunication' | 'EmailCommunication';
  subject: string;
  body: string;
  received_at: string;
  senders: { id: number; type: 'Person' | 'Company' | 'User'; name: string }[];
  receivers: { id: number; type: 'Person' | 'Company' | 'User'; name: string }[];
  external_properties: { id: number; name: string; value: string }[];
  created_at: string;
  updated_at: string;
}

export interface ClioNote {
  id: number;
  type: 'Contact' | 'Matter';
  subject: string;
  detail: string;
  detail_text_type: 'plain_text' | 'rich_text';
  date: string;
  contact?: { id: number; name: string };
  created_at: string;
  updated_at: string;
}

export interface ClioTask {
  id: number;
  name: string;
  description: string;
  priority: 'High' | 'Normal' | 'Low';
  status: string;
  due_at?: string;
  assignee: { id: number; type: 'User'; name: string };
  created_at: string;
  updated_at: string;
  /**
   * The task's version (ETags, https://docs.developers.clio.com/api-docs/etags): a new one
   * on every change; a PATCH with a stale If-Match answers 412 Precondition Failed.
   */
  etag?: string;
}

/**
 * A matter (GET /api/v4/matters.json). NOT spec-validated: Clio publishes no matters
 * OpenAPI document we hold (tests/specs/clio has none); shape and filters follow the public
 * docs — https://docs.developers.clio.com/guides/clio-manage/matters/ (status open / pending /
 * closed; client, responsible_attorney by id; list filters client_id, status) and
 * https://docs.developers.clio.com/api-reference/#tag/Matters/operation/Matter#index.
 */
export interface ClioMatter {
  id: number;
  display_number: string;
  description: string;
  status: 'open' | 'pending' | 'closed';
  client: { id: number; name: string };
  responsible_attorney?: { id: number; name: string };
  created_at: string;
  updated_at: string;
}

export interface GrowLead {
  inbox_lead_token: string;
  from_first: string;
  from_last: string;
  from_message: string;
  from_source: string;
  referring_url: string;
  from_phone?: string;
  from_email?: string;
}

export interface ClioEmulatorOptions {
  port?: number;
  /** Requests per window per token (Clio: 50 a minute at peak). */
  rateLimit?: { max: number; intervalMs: number };
  oauthClients?: { clientId: string; clientSecret: string }[];
  accessTokenTtlSeconds?: number;
  users?: ClioUser[];
  growInboxToken?: string;
  /** The firm account every user belongs to unless a user names its own. */
  account?: { id: number; name: string };
}

export interface ClioEmulator extends EmulatorServer {
  options: Required<Omit<ClioEmulatorOptions, 'port'>>;
  contacts: ClioContact[];
  communications: ClioCommunication[];
  notes: ClioNote[];
  tasks: ClioTask[];
  matters: ClioMatter[];
  growLeads: GrowLead[];
  /** A matter with `clientId` as its client (makes the contact a client: is_client). */
  seedMatter(input: {
    clientId: number;
    status?: ClioMatter['status'];
    responsibleAttorneyId?: number;
  }): ClioMatter;
  seedContact(contact: { first_name: string; last_name: string; numbers: string[] }): ClioContact;
  issueAuthCode(clientId: string, redirectUri: string): string;
  /** A valid access token without the OAuth dance (for connector tests). */
  grantToken(): { access_token: string; refresh_token: string };
  expireAccessTokens(): void;
  reset(): void;
}

const DEFAULT_USERS: ClioUser[] = [
  {
    id: 345001,
    name: 'Ana Lopez',
    first_name: 'Ana',
    last_name: 'Lopez',
    email: 'ana@firm.example',
    enabled: true,
    time_zone: 'Eastern Time (US & Canada)',
  },
  {
    id: 345002,
    name: 'Ben Okafor',
    first_name: 'Ben',
    last_name: 'Okafor',
    email: 'ben@firm.example',
    enabled: true,
    time_zone: 'Eastern Time (US & Canada)',
  },
];

/** Parses Clio's `fields` syntax: "id,name,phone_numbers{number,name}". */
export function parseFields(text: string): Map<string, Map<string, unknown> | null> {
  const root = new Map<string, Map<string, unknown> | null>();
  const stack = [root];
  let token = '';
  const flush = () => {
    if (token.trim()) stack[stack.length - 1]!.set(token.trim(), null);
    token = '';
  };
  for (const ch of text) {
    if (ch === ',') flush();
    else if (ch === '{') {
      const child = new Map<string, Map<string, unknown> | null>();
      stack[stack.length - 1]!.set(token.trim(), child);
      token = '';
      stack.push(child);
    } else if (ch === '}') {
      flush();
      stack.pop();
      if (stack.length === 0) throw new Error('unbalanced braces in fields');
    } else token += ch;
  }
  flush();
  if (stack.length !== 1) throw new Error('unbalanced braces in fields');
  return root;
}

function project(value: unknown, fields: Map<string, unknown> | null): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, fields));
  if (!value || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const wanted =
    fields ??
    new Map([
      ['id', null],
      ['etag', null],
    ]);
  const out: Record<string, unknown> = {};
  for (const [key, sub] of wanted) {
    if (!(key in source) || source[key] === undefined) continue;
    out[key] = sub ? project(source[key], sub as Map<string, unknown>) : source[key];
  }
  return out;
}

function clioError(status: number, type: string, message: string): EmuResponse {
  return {
    status,
    body: { error: { type, message } },
    contentType: 'application/json; charset=utf-8',
  };
}

const RESPONSE_TYPE = 'application/json; charset=utf-8';

export async function startClioEmulator(options: ClioEmulatorOptions = {}): Promise<ClioEmulator> {
  const opts: ClioEmulator['options'] = {
    rateLimit: options.rateLimit ?? { max: 50, intervalMs: 60_000 },
    oauthClients: options.oauthClients ?? [
      { clientId: 'clio-emulator-client', clientSecret: 'clio-emulator-secret' },
    ],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 30 * 24 * 3600,
    users: options.users ?? DEFAULT_USERS,
    growInboxToken: options.growInboxToken ?? 'grow-inbox-token',
    account: options.account ?? { id: 7_700_001, name: 'Whitfield & Lopez LLP' },
  };
  const validator = new OpenApiValidator(specFiles('clio'), CLIO_ERRATA);
  const limiter = new RollingWindow(opts.rateLimit.max, opts.rateLimit.intervalMs);
  const contacts: ClioContact[] = [];
  const communications: ClioCommunication[] = [];
  const notes: ClioNote[] = [];
  const tasks: ClioTask[] = [];
  const matters: ClioMatter[] = [];
  const growLeads: GrowLead[] = [];
  let nextId = 7_000_001;
  const authCodes = new Map<string, { clientId: string; redirectUri: string }>();
  const accessTokens = new Map<string, { expiresAt: number; userId: number }>();
  const refreshTokens = new Map<string, { clientId: string }>();

  const iso = () => new Date().toISOString();
  const etag = () => `"${randomUUID().replace(/-/g, '')}"`;
  // A record that keeps its version (tasks) answers with it; the others get a fresh one.
  const withEtag = <T extends object>(record: T) => ({ etag: etag(), ...record });

  function participantName(p: {
    id: number;
    type: string;
  }): { id: number; type: 'Person' | 'Company' | 'User'; name: string } | null {
    if (p.type === 'User') {
      const user = opts.users.find((u) => u.id === p.id);
      return user ? { id: user.id, type: 'User', name: user.name } : null;
    }
    const contact = contacts.find((c) => c.id === p.id);
    return contact ? { id: contact.id, type: contact.type, name: contact.name } : null;
  }

  function list(req: EmuRequest, records: object[]): EmuResponse {
    const limit = Math.min(Number(req.query.get('limit') ?? 200), 200);
    const fields = parseFields(req.query.get('fields') ?? 'id,etag');
    const page = records.slice(0, limit);
    return {
      status: 200,
      contentType: RESPONSE_TYPE,
      body: {
        data: page.map((r) => project(withEtag(r), fields)),
        meta: { paging: {}, records: records.length },
      },
    };
  }

  function show(req: EmuRequest, record: object, status = 200): EmuResponse {
    const fields = parseFields(req.query.get('fields') ?? 'id,etag');
    return {
      status,
      contentType: RESPONSE_TYPE,
      body: { data: project(withEtag(record), fields) },
    };
  }

  function createContact(body: Record<string, unknown>): ClioContact | string {
    const data = body.data as Record<string, unknown>;
    const numbers = (data.phone_numbers ?? []) as {
      number?: string;
      name?: string;
      default_number?: boolean;
    }[];
    const first = String(data.first_name ?? '');
    const last = String(data.last_name ?? '');
    const name = String(data.name ?? `${first} ${last}`.trim());
    if (!name) return "name can't be blank";
    const now = iso();
    const contact: ClioContact = {
      id: nextId++,
      type: data.type === 'Company' ? 'Company' : 'Person',
      name,
      first_name: first || undefined,
      last_name: last || undefined,
      // Clio keeps numbers as typed; a Mobile/Home entry reads back as "Personal".
      phone_numbers: numbers.map((n, i) => ({
        id: nextId++,
        number: String(n.number ?? ''),
        name: n.name === 'Work' ? 'Work' : n.name === 'Other' || !n.name ? 'Other' : 'Personal',
        primary: Boolean(n.default_number ?? i === 0),
      })),
      created_at: now,
      updated_at: now,
    };
    contacts.push(contact);
    return contact;
  }

  function contactView(contact: ClioContact): object {
    const primary = contact.phone_numbers.find((p) => p.primary) ?? contact.phone_numbers[0];
    return {
      ...contact,
      primary_phone_number: primary?.number,
      phone_numbers: contact.phone_numbers.map(withEtag),
    };
  }

  const vendor: VendorHandler = {
    basePath: BASE,
    validator,
    windows: [limiter],
    authenticate(req, op) {
      if (!op && !isMattersList(req)) return null;
      const token = bearer(req);
      const access = token ? accessTokens.get(token) : undefined;
      if (!access || access.expiresAt <= Date.now()) {
        return clioError(
          401,
          'Unauthorized',
          access ? 'The access token has expired' : 'Invalid access token',
        );
      }
      return null;
    },
    rateLimit(req, op) {
      if (!op && !isMattersList(req)) return { headers: {} };
      const now = req.at;
      const taken = limiter.take(bearer(req) ?? 'anonymous', now);
      const headers: Record<string, string> = {
        'X-RateLimit-Limit': String(limiter.max),
        'X-RateLimit-Remaining': String(taken.remaining),
        'X-RateLimit-Reset': String(
          Math.ceil((now + (taken.ok ? limiter.intervalMs : taken.retryAfterMs)) / 1000),
        ),
        'X-API-VERSION': CLIO_API_VERSION,
      };
      if (!taken.ok) {
        return {
          reject: {
            ...clioError(
              429,
              'RateLimited',
              `Rate limit exceeded. Retry in ${Math.ceil(taken.retryAfterMs / 1000)} seconds.`,
            ),
            headers: {
              ...headers,
              'Retry-After': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))),
            },
          },
          headers,
        };
      }
      return { headers };
    },
    faultResponse(kind) {
      if (kind === '429') {
        return {
          ...clioError(429, 'RateLimited', 'Rate limit exceeded. Retry in 2 seconds.'),
          headers: {
            'Retry-After': '2',
            'X-RateLimit-Limit': String(limiter.max),
            'X-RateLimit-Remaining': '0',
          },
        };
      }
      if (kind === '401') return clioError(401, 'Unauthorized', 'The access token has expired');
      return clioError(500, 'InternalServerError', 'Something went wrong');
    },
    contract(req, op) {
      if (!op && !isMattersList(req)) return [];
      const problems: string[] = [];
      if (req.headers['x-api-version'] !== CLIO_API_VERSION) {
        problems.push(
          `X-API-VERSION must be pinned to ${CLIO_API_VERSION} (got ${String(req.headers['x-api-version'])})`,
        );
      }
      if (!req.query.get('fields'))
        problems.push('every request names its fields= (Clio returns only id and etag otherwise)');
      return problems;
    },
    unspecified(req) {
      if (isMattersList(req)) {
        // Not spec-validated (no matters spec published in tests/specs): the filters the
        // docs list for GET /matters.json that we use, checked by hand.
        const errors: string[] = [];
        const clientId = req.query.get('client_id');
        if (clientId !== null && !/^\d+$/.test(clientId))
          errors.push('client_id must be an integer');
        const status = req.query.get('status');
        if (status !== null && !status.split(',').every((x) => MATTER_STATUSES.includes(x)))
          errors.push('status must be open, pending or closed (comma-separated)');
        const limit = req.query.get('limit');
        if (limit !== null && !(Number(limit) >= 1 && Number(limit) <= 200))
          errors.push('limit must be 1-200');
        return { known: true, errors };
      }
      if (req.fullPath === '/oauth/token' && req.method === 'POST') {
        const body = (req.body ?? {}) as Record<string, string>;
        const errors: string[] = [];
        if (!req.contentType.startsWith('application/x-www-form-urlencoded'))
          errors.push('token request must be form-encoded');
        for (const key of ['client_id', 'client_secret', 'grant_type'])
          if (!body[key]) errors.push(`${key} is required`);
        if (body.grant_type === 'authorization_code' && (!body.code || !body.redirect_uri))
          errors.push('code and redirect_uri are required');
        if (body.grant_type === 'refresh_token' && !body.refresh_token)
          errors.push('refresh_token is required');
        return { known: true, errors };
      }
      if (req.fullPath === '/inbox_leads' && req.method === 'POST') {
        const body = (req.body ?? {}) as {
          inbox_lead_token?: unknown;
          inbox_lead?: Record<string, unknown>;
        };
        const errors: string[] = [];
        if (typeof body.inbox_lead_token !== 'string') errors.push('inbox_lead_token is required');
        for (const key of [
          'from_first',
          'from_last',
          'from_message',
          'from_source',
          'referring_url',
        ]) {
          if (typeof body.inbox_lead?.[key] !== 'string')
            errors.push(`inbox_lead.${key} is required`);
        }
        return { known: true, errors };
      }
      return { known: false, errors: [] };
    },
    handle(req, op, params) {
      if (req.fullPath === '/oauth/token')
        return oauthToken((req.body ?? {}) as Record<string, string>);
      if (req.fullPath === '/inbox_leads') {
        const body = req.body as {
          inbox_lead_token: string;
          inbox_lead: Omit<GrowLead, 'inbox_lead_token'>;
        };
        if (body?.inbox_lead_token !== opts.growInboxToken)
          return { status: 401, body: { error: 'Invalid inbox lead token' } };
        growLeads.push({ inbox_lead_token: body.inbox_lead_token, ...body.inbox_lead });
        return { status: 201, body: { inbox_lead: { id: nextId++ } } };
      }
      if (isMattersList(req)) {
        const clientId = req.query.get('client_id');
        const statuses = req.query.get('status')?.split(',');
        return list(
          req,
          matters.filter(
            (m) =>
              (!clientId || String(m.client.id) === clientId) &&
              (!statuses || statuses.includes(m.status)),
          ),
        );
      }
      if (!op) return clioError(404, 'NotFound', 'Not found');
      let fieldsOk = true;
      try {
        parseFields(req.query.get('fields') ?? '');
      } catch {
        fieldsOk = false;
      }
      if (!fieldsOk) return clioError(400, 'BadRequest', 'fields is malformed');
      const token = bearer(req)!;
      const me = opts.users.find((u) => u.id === accessTokens.get(token)?.userId) ?? opts.users[0]!;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const data = (body.data ?? {}) as Record<string, unknown>;
      const now = iso();
      // Tasks keep the server's clock (a test on virtual time sets it): updated_since reads it.
      const clockIso = new Date(req.at).toISOString();
      switch (`${req.method} ${op.template}`) {
        case 'GET /users/who_am_i.json':
          return show(req, { ...me, account: me.account ?? opts.account });
        case 'GET /users.json':
          return list(
            req,
            opts.users.filter((u) => req.query.get('enabled') !== 'true' || u.enabled),
          );
        case 'GET /contacts.json': {
          const q = (req.query.get('query') ?? '').toLowerCase();
          const hits = contacts.filter(
            (c) =>
              !q ||
              c.name.toLowerCase().includes(q) ||
              c.phone_numbers.some((p) => p.number.toLowerCase().includes(q)),
          );
          return list(req, hits.map(contactView));
        }
        case 'GET /contacts/{id}.json': {
          const contact = contacts.find((c) => c.id === Number(params.id));
          return contact
            ? show(req, contactView(contact))
            : clioError(404, 'NotFound', 'Contact not found');
        }
        case 'POST /contacts.json': {
          const created = createContact(body);
          return typeof created === 'string'
            ? clioError(422, 'UnprocessableEntity', created)
            : show(req, contactView(created), 201);
        }
        case 'GET /communications.json': {
          const name = req.query.get('external_property_name');
          const value = req.query.get('external_property_value');
          const type = req.query.get('type');
          const contactId = req.query.get('contact_id');
          const hits = communications.filter(
            (c) =>
              (!type || c.type === type) &&
              (!name ||
                c.external_properties.some(
                  (p) => p.name === name && (value === null || p.value === value),
                )) &&
              (!contactId ||
                [...c.senders, ...c.receivers].some(
                  (p) => p.type !== 'User' && String(p.id) === contactId,
                )),
          );
          return list(req, hits);
        }
        case 'POST /communications.json': {
          const senders = ((data.senders ?? []) as { id: number; type: string }[]).map(
            participantName,
          );
          const receivers = ((data.receivers ?? []) as { id: number; type: string }[]).map(
            participantName,
          );
          if (senders.includes(null) || receivers.includes(null))
            return clioError(422, 'UnprocessableEntity', 'A sender or receiver does not exist');
          const external = (data.external_properties ?? []) as { name: string; value: string }[];
          if (external.length > 5)
            return clioError(422, 'UnprocessableEntity', 'At most 5 external_properties');
          const receivedAt = Date.parse(String(data.received_at));
          if (Number.isNaN(receivedAt))
            return clioError(422, 'UnprocessableEntity', 'received_at is not a date-time');
          const record: ClioCommunication = {
            id: nextId++,
            type: data.type as ClioCommunication['type'],
            subject: String(data.subject),
            body: String(data.body),
            received_at: new Date(receivedAt).toISOString(),
            senders: senders as ClioCommunication['senders'],
            receivers: receivers as ClioCommunication['receivers'],
            external_properties: external.map((p) => ({
              id: nextId++,
              name: p.name,
              value: p.value,
            })),
            created_at: now,
            updated_at: now,
          };
          communications.push(record);
          return show(req, record, 201);
        }
        case 'GET /notes.json': {
          const contactId = req.query.get('contact_id');
          const q = (req.query.get('query') ?? '').toLowerCase();
          const hits = notes.filter(
            (n) =>
              n.type === req.query.get('type') &&
              (!contactId || String(n.contact?.id) === contactId) &&
              (!q || n.subject.toLowerCase().includes(q) || n.detail.toLowerCase().includes(q)),
          );
          return list(req, hits);
        }
        case 'POST /notes.json': {
          const contact = contacts.find(
            (c) => c.id === (data.contact as { id?: number } | undefined)?.id,
          );
          if (data.type !== 'Contact' || !contact)
            return clioError(422, 'UnprocessableEntity', 'Contact must exist');
          const record: ClioNote = {
            id: nextId++,
            type: 'Contact',
            subject: String(data.subject ?? ''),
            detail: String(data.detail ?? ''),
            detail_text_type: data.detail_text_type === 'rich_text' ? 'rich_text' : 'plain_text',
            date: String(data.date ?? now.slice(0, 10)),
            contact: { id: contact.id, name: contact.name },
            created_at: now,
            updated_at: now,
          };
          notes.push(record);
          return show(req, record, 201);
        }
        case 'GET /tasks.json': {
          const q = (req.query.get('query') ?? '').toLowerCase();
          const assignee = req.query.get('assignee_id');
          // Task#index: status, and updated_since ("updated_at after a specific time", ISO-8601).
          const status = req.query.get('status');
          const since = req.query.get('updated_since');
          const sinceAt = since === null ? undefined : Date.parse(since);
          if (sinceAt !== undefined && Number.isNaN(sinceAt))
            return clioError(400, 'BadRequest', 'updated_since is not an ISO-8601 timestamp');
          const hits = tasks.filter(
            (t) =>
              (!q || t.name.toLowerCase().includes(q) || t.description.toLowerCase().includes(q)) &&
              (!assignee || String(t.assignee.id) === assignee) &&
              (!status || t.status === status) &&
              (sinceAt === undefined || Date.parse(t.updated_at) > sinceAt),
          );
          return list(req, hits);
        }
        case 'GET /tasks/{id}.json': {
          const task = tasks.find((t) => t.id === Number(params.id));
          if (!task) return clioError(404, 'NotFound', 'Task not found');
          return { ...show(req, task), headers: { ETag: task.etag ?? '' } };
        }
        case 'POST /tasks.json': {
          const assignee = data.assignee as { id: number; type: string };
          const user =
            assignee?.type === 'User' ? opts.users.find((u) => u.id === assignee.id) : undefined;
          if (!user)
            return clioError(422, 'UnprocessableEntity', 'Assignee must be an existing user');
          const dueAt = data.due_at === undefined ? undefined : Date.parse(String(data.due_at));
          if (dueAt !== undefined && Number.isNaN(dueAt))
            return clioError(422, 'UnprocessableEntity', 'due_at is invalid');
          const record: ClioTask = {
            id: nextId++,
            name: String(data.name),
            description: String(data.description),
            priority: (data.priority as ClioTask['priority']) ?? 'Normal',
            status: String(data.status ?? 'pending'),
            due_at: dueAt === undefined ? undefined : new Date(dueAt).toISOString().slice(0, 10),
            assignee: { id: user.id, type: 'User', name: user.name },
            created_at: clockIso,
            updated_at: clockIso,
            etag: etag(),
          };
          tasks.push(record);
          return show(req, record, 201);
        }
        case 'PATCH /tasks/{id}.json': {
          // Clio tasks/{id}.json PATCH: only the fields sent change (spec: Task update).
          const task = tasks.find((t) => t.id === Number(params.id));
          if (!task) return clioError(404, 'NotFound', 'Task not found');
          // Optimistic concurrency (Task#update IF-MATCH; ETags doc): a stale etag changes
          // nothing and answers 412 Precondition Failed.
          const ifMatch = req.headers['if-match'];
          if (typeof ifMatch === 'string' && ifMatch !== task.etag)
            return clioError(412, 'PreconditionFailed', 'The resource has been modified');
          if (data.assignee !== undefined) {
            const wanted = data.assignee as { id?: number; type?: string };
            const user =
              wanted?.type === 'User' ? opts.users.find((u) => u.id === wanted.id) : undefined;
            if (!user)
              return clioError(422, 'UnprocessableEntity', 'Assignee must be an existing user');
            task.assignee = { id: user.id, type: 'User', name: user.name };
          }
          if (data.status !== undefined) {
            const allowed = ['pending', 'in_progress', 'in_review', 'complete'];
            if (!allowed.includes(String(data.status)))
              return clioError(422, 'UnprocessableEntity', 'status is not valid');
            task.status = String(data.status);
          }
          if (data.description !== undefined) task.description = String(data.description);
          if (data.name !== undefined) task.name = String(data.name);
          task.updated_at = clockIso;
          task.etag = etag();
          return { ...show(req, task), headers: { ETag: task.etag } };
        }
        default:
          return clioError(
            404,
            'NotFound',
            `The emulator does not implement ${req.method} ${op.template}`,
          );
      }
    },
  };

  function oauthToken(body: Record<string, string>): EmuResponse {
    const client = opts.oauthClients.find((c) => c.clientId === body.client_id);
    if (!client || client.clientSecret !== body.client_secret) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      };
    }
    let refreshToken: string | undefined;
    if (body.grant_type === 'authorization_code') {
      const code = authCodes.get(body.code ?? '');
      if (!code || code.clientId !== client.clientId || code.redirectUri !== body.redirect_uri) {
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'The authorization code is invalid' },
        };
      }
      authCodes.delete(body.code!);
      refreshToken = `clio-refresh-${randomUUID()}`;
      refreshTokens.set(refreshToken, { clientId: client.clientId });
    } else if (body.grant_type === 'refresh_token') {
      if (refreshTokens.get(body.refresh_token ?? '')?.clientId !== client.clientId) {
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'The refresh token is invalid' },
        };
      }
    } else {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    const accessToken = `clio-access-${randomUUID()}`;
    accessTokens.set(accessToken, {
      expiresAt: Date.now() + opts.accessTokenTtlSeconds * 1000,
      userId: opts.users[0]!.id,
    });
    // Clio's refresh answer carries no new refresh token: the old one stays valid.
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: opts.accessTokenTtlSeconds,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
      },
    };
  }

  const server = await startEmulatorServer(vendor, options.port ?? 0);
  const emulator: ClioEmulator = Object.assign(server, {
    options: opts,
    contacts,
    communications,
    notes,
    tasks,
    matters,
    growLeads,
    seedMatter(input: {
      clientId: number;
      status?: ClioMatter['status'];
      responsibleAttorneyId?: number;
    }) {
      const client = contacts.find((c) => c.id === input.clientId);
      if (!client) throw new Error(`No contact ${input.clientId}`);
      const attorney = opts.users.find((u) => u.id === input.responsibleAttorneyId);
      const now = iso();
      const matter: ClioMatter = {
        id: nextId++,
        display_number: `${String(matters.length + 1).padStart(5, '0')}-${client.last_name ?? client.name}`,
        description: `${client.name} matter`,
        status: input.status ?? 'open',
        client: { id: client.id, name: client.name },
        ...(attorney ? { responsible_attorney: { id: attorney.id, name: attorney.name } } : {}),
        created_at: now,
        updated_at: now,
      };
      matters.push(matter);
      client.is_client = true;
      return matter;
    },
    seedContact(input: { first_name: string; last_name: string; numbers: string[] }) {
      const created = createContact({
        data: {
          type: 'Person',
          first_name: input.first_name,
          last_name: input.last_name,
          phone_numbers: input.numbers.map((number) => ({ number, name: 'Work' })),
        },
      });
      return created as ClioContact;
    },
    issueAuthCode(clientId: string, redirectUri: string) {
      const code = `clio-code-${randomUUID()}`;
      authCodes.set(code, { clientId, redirectUri });
      return code;
    },
    grantToken() {
      const access = `clio-access-${randomUUID()}`;
      const refresh = `clio-refresh-${randomUUID()}`;
      accessTokens.set(access, {
        expiresAt: Date.now() + opts.accessTokenTtlSeconds * 1000,
        userId: opts.users[0]!.id,
      });
      refreshTokens.set(refresh, { clientId: opts.oauthClients[0]!.clientId });
      return { access_token: access, refresh_token: refresh };
    },
    expireAccessTokens() {
      for (const t of accessTokens.values()) t.expiresAt = 0;
    },
    reset() {
      contacts.length = 0;
      communications.length = 0;
      notes.length = 0;
      tasks.length = 0;
      matters.length = 0;
      growLeads.length = 0;
      limiter.reset();
      server.violations.length = 0;
      server.log.length = 0;
      server.faults.length = 0;
    },
  });
  return emulator;
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 8788);
  const emulator = await startClioEmulator({ port });
  emulator.seedContact({ first_name: 'Dana', last_name: 'Whitfield', numbers: ['(415) 555-0134'] });
  const token = emulator.grantToken();
  console.log(`Clio emulator on ${emulator.url} (access token: ${token.access_token})`);
}
