import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import {
  describeError,
  HttpError,
  request,
  rateLimiter,
  sameOriginUrl,
  type LimiterStore,
  type RateLimitPolicy,
  type RateLimiter,
} from '../http';
import { formatPhone } from '../phone';
import {
  contactMatchOf,
  PRECONDITION_FAILED,
  sessionRequest,
  type Connector,
  type ConnectorDeps,
  type ContactMatch,
  type SharedTaskPage,
  type SharedTaskQuery,
  type SharedTaskRecord,
} from './connector';
import { filterCandidates, phoneQueryFormats } from './matching';
import type {
  CrmAccount,
  CrmClientOutcome,
  CrmContact,
  CrmMatter,
  CrmUser,
  RemoteRef,
  SendItem,
} from './model';
import { codeGrant, refreshOAuthTokens, tokenGrant, type OAuthHttpDeps } from './oauth';
import { markerLine } from './records';
import type { ClioCredentials, ClioRegion } from './tokens';

/** Clio Manage API minor version, pinned so answers keep the shape we validate. */
export const CLIO_API_VERSION = '4.0.13';

export const CLIO_HOSTS: Record<ClioRegion, string> = {
  us: 'app.clio.com',
  eu: 'eu.app.clio.com',
  ca: 'ca.app.clio.com',
  au: 'au.app.clio.com',
};

export const CLIO_GROW_HOSTS: Record<ClioRegion, string> = {
  us: 'grow.clio.com',
  eu: 'eu.grow.clio.com',
  ca: 'ca.grow.clio.com',
  au: 'au.grow.clio.com',
};

export const CLIO_REGION_LABELS: Record<ClioRegion, string> = {
  us: 'United States (app.clio.com)',
  eu: 'Europe (eu.app.clio.com)',
  ca: 'Canada (ca.app.clio.com)',
  au: 'Australia (au.app.clio.com)',
};

/** 50 requests a minute per token at peak (more off-peak; the headers tell). */
export const CLIO_LIMIT: RateLimitPolicy = { max: 50, intervalMs: 60_000 };

/** The region's Clio Manage origin (the API lives under /api/v4). */
export function clioOrigin(region: ClioRegion): string {
  return `https://${CLIO_HOSTS[region]}`;
}

/**
 * The connected user's budget, shared by every caller (the outbox, matching, call-log
 * polling): Clio counts requests per token, and a token belongs to one user in one region.
 */
export function clioLimiter(
  store: LimiterStore,
  region: ClioRegion,
  userId: string,
  limit: RateLimitPolicy = CLIO_LIMIT,
): RateLimiter {
  return rateLimiter(`clio:${region}:${userId}`, limit, store);
}

/** The external property that carries our idempotency key on a communication we log. */
export const CLIO_EXTERNAL_PROPERTY = 'callback_desk_id';

type ClioCommunicationType = 'PhoneCommunication' | 'EmailCommunication';

const Participant = z.object({
  id: z.number(),
  type: z.string().optional(),
  name: z.string().optional(),
});
const ClioUserRow = z.object({
  id: z.number(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  enabled: z.boolean().nullish(),
  /** The firm's account (users spec: User.account); users of one firm see the same contacts. */
  account: z.object({ id: z.number() }).nullish(),
});
const ClioContactRow = z.object({
  id: z.number(),
  name: z.string().nullish(),
  phone_numbers: z.array(z.object({ number: z.string().nullish() })).nullish(),
  is_client: z.boolean().nullish(),
});
/** A matter as GET /matters.json answers it (https://docs.developers.clio.com/guides/clio-manage/matters/). */
const ClioMatterRow = z.object({
  id: z.number(),
  display_number: z.string().nullish(),
  status: z.string().nullish(),
  responsible_attorney: z.object({ id: z.number() }).nullish(),
});
const Show = <T extends z.ZodType>(data: T) => z.object({ data });
const List = <T extends z.ZodType>(data: T) =>
  z.object({
    data: z.array(data),
    meta: z
      .object({ paging: z.object({ next: z.string().optional() }).partial().optional() })
      .partial()
      .optional(),
  });
const IdRow = z.object({ id: z.number() });
const TextRow = z.object({
  id: z.number(),
  detail: z.string().nullish(),
  description: z.string().nullish(),
});
/** A task as the shared queue reads it (tasks spec: Task fields). */
const SharedTaskRow = z.object({
  id: z.number(),
  etag: z.string().nullish(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  due_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  assignee: z.object({ id: z.number(), name: z.string().nullish() }).nullish(),
});
const SHARED_TASK_FIELDS = 'id,etag,name,description,status,due_at,updated_at,assignee{id,name}';

function sharedTaskOfRow(row: z.infer<typeof SharedTaskRow>): SharedTaskRecord {
  const updated = row.updated_at ? Date.parse(row.updated_at) : NaN;
  const due = row.due_at ? Date.parse(row.due_at) : NaN;
  return {
    id: String(row.id),
    subject: row.name ?? '',
    body: row.description ?? '',
    done: row.status === 'complete',
    ...(row.assignee ? { ownerId: String(row.assignee.id) } : {}),
    ...(row.assignee?.name ? { ownerName: row.assignee.name } : {}),
    updatedAt: Number.isNaN(updated) ? 0 : updated,
    ...(row.etag ? { etag: row.etag } : {}),
    ...(Number.isNaN(due) ? {} : { dueAt: due }),
  };
}

export const ClioTokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
});

export interface ClioOptions {
  region: ClioRegion;
  /** The connected user: sender of phone logs and assignee when no staff mapping applies. */
  userId: string;
  defaultCountry?: CountryCode;
  limit?: RateLimitPolicy;
  growInboxToken?: string;
  /** accountKeyOf the connection (recorded on links and jobs). */
  accountKey?: string;
}

export class ClioConnector implements Connector {
  readonly system = 'clio' as const;
  readonly lookupSettleMs = 3_000;
  /** Clio has no batch create: one request per record. */
  readonly maxBatch = 1;
  readonly accountKey: string | undefined;
  private readonly deps: ConnectorDeps;
  private readonly options: ClioOptions;
  private readonly limiter: RateLimiter;
  readonly host: string;

  constructor(deps: ConnectorDeps, options: ClioOptions) {
    this.deps = deps;
    this.options = options;
    this.accountKey = options.accountKey;
    this.host = CLIO_HOSTS[options.region];
    this.limiter = clioLimiter(deps.limiterStore, options.region, options.userId, options.limit);
  }

  private get base(): string {
    return `${clioOrigin(this.options.region)}/api/v4`;
  }

  private async call<S extends z.ZodType>(init: {
    method: 'GET' | 'POST' | 'PATCH';
    path: string;
    /** Clio answers only id and etag without it, so every request names its fields. */
    fields: string;
    query?: Record<string, string | number | boolean | undefined>;
    json?: unknown;
    schema: S;
    headers?: Record<string, string>;
  }): Promise<z.output<S>> {
    // A PATCH sets fields to given values: repeating it changes nothing.
    const idempotent = init.method === 'GET' || init.method === 'PATCH';
    const url = init.path.startsWith('https://')
      ? sameOriginUrl(init.path, this.base).toString()
      : `${this.base}${init.path}`;
    const answer = await sessionRequest('clio', this.deps, {
      url,
      method: init.method,
      query: init.path.startsWith('https://') ? undefined : { ...init.query, fields: init.fields },
      json: init.json,
      schema: init.schema,
      headers: { 'X-API-VERSION': CLIO_API_VERSION, ...init.headers },
      limiters: [this.limiter],
      idempotent,
      retries: idempotent ? 2 : 0,
    });
    return answer.data;
  }

  contactUrl(contactId: string): string {
    return `https://${this.host}/nc/#/contacts/${contactId}`;
  }

  async whoAmI(): Promise<CrmAccount> {
    const answer = await this.call({
      method: 'GET',
      path: '/users/who_am_i.json',
      fields: 'id,name,email,account{id}',
      schema: Show(ClioUserRow),
    });
    const firm = answer.data.account?.id;
    return {
      id: String(answer.data.id),
      name: answer.data.name ?? `Clio user ${answer.data.id}`,
      ...(answer.data.email ? { email: answer.data.email } : {}),
      key:
        firm !== undefined
          ? `${this.options.region}:${firm}`
          : `${this.options.region}:user:${answer.data.id}`,
    };
  }

  async listUsers(): Promise<CrmUser[]> {
    const users: CrmUser[] = [];
    let path = '/users.json';
    for (let page = 0; page < 20; page++) {
      const answer = await this.call({
        method: 'GET',
        path,
        fields: 'id,name,email,enabled',
        query: { enabled: true, limit: 200 },
        schema: List(ClioUserRow),
      });
      for (const u of answer.data) {
        if (u.enabled === false) continue;
        users.push({
          id: String(u.id),
          name: u.name ?? `User ${u.id}`,
          ...(u.email ? { email: u.email } : {}),
        });
      }
      const next = answer.meta?.paging?.next;
      if (!next) break;
      path = next;
    }
    return users;
  }

  private toContact(row: z.infer<typeof ClioContactRow>): CrmContact {
    return {
      id: String(row.id),
      name: row.name ?? `Contact ${row.id}`,
      phones: (row.phone_numbers ?? []).map((p) => p.number ?? '').filter(Boolean),
      url: this.contactUrl(String(row.id)),
      ...(typeof row.is_client === 'boolean' ? { isClient: row.is_client } : {}),
    };
  }

  /**
   * The contact's open and pending matters as client, with the responsible attorney
   * (GET /matters.json?client_id=…&status=open,pending; Clio's matters guide). One request.
   */
  /**
   * A matter opened for the contact (as client) on or after `since`'s day: the lead was
   * retained. Clio's Matter has `open_date` (a date); any status counts, a matter closed
   * since included. GET /matters.json?client_id=…, newest first. One request.
   */
  async clientOutcome(contactId: string, since: number): Promise<CrmClientOutcome> {
    const answer = await this.call({
      method: 'GET',
      path: '/matters.json',
      fields: 'id,display_number,open_date',
      query: { client_id: contactId, order: 'id(desc)', limit: 20 },
      schema: List(
        z.object({
          id: z.number(),
          display_number: z.string().nullish(),
          open_date: z.string().nullish(),
        }),
      ),
    });
    // open_date is a date: a day's grace either way of the zone.
    const sinceDay = new Date(since - 86_400_000).toISOString().slice(0, 10);
    const opened = answer.data.find((m) => m.open_date && m.open_date >= sinceDay);
    if (!opened) return { retained: false, reason: 'Clio: no matter opened since the call' };
    const at = Date.parse(`${opened.open_date}T12:00:00Z`);
    return {
      retained: true,
      ...(Number.isNaN(at) ? {} : { at }),
      reason: `Clio: matter ${opened.display_number ?? opened.id} opened`,
    };
  }

  async clientMatters(contactId: string): Promise<CrmMatter[]> {
    const answer = await this.call({
      method: 'GET',
      path: '/matters.json',
      fields: 'id,display_number,status,responsible_attorney{id}',
      query: { client_id: contactId, status: 'open,pending', limit: 20 },
      schema: List(ClioMatterRow),
    });
    return answer.data.map((m) => ({
      id: String(m.id),
      ...(m.display_number ? { displayNumber: m.display_number } : {}),
      ...(m.status ? { status: m.status } : {}),
      ...(m.responsible_attorney
        ? { responsibleAttorneyId: String(m.responsible_attorney.id) }
        : {}),
    }));
  }

  async findContactsByPhone(e164: string): Promise<CrmContact[]> {
    // Clio keeps numbers as typed and searches by substring: ask in each common spelling,
    // stopping at the first that finds a contact really having the number (each costs a
    // request of the 50 a minute).
    const country = this.options.defaultCountry ?? 'US';
    for (const query of phoneQueryFormats(e164)) {
      const answer = await this.call({
        method: 'GET',
        path: '/contacts.json',
        fields: 'id,name,phone_numbers{number},is_client',
        query: { query, limit: 50 },
        schema: List(ClioContactRow),
      });
      const confirmed = filterCandidates(
        answer.data.map((row) => this.toContact(row)),
        e164,
        country,
      );
      if (confirmed.length > 0) return confirmed;
    }
    return [];
  }

  async createContact(item: SendItem): Promise<RemoteRef & { name: string }> {
    const payload = item.job.payload;
    if (payload.kind !== 'contact') throw new Error('not a contact job');
    const country = this.options.defaultCountry ?? 'US';
    const name =
      [payload.firstName, payload.lastName].filter(Boolean).join(' ') ||
      `Caller ${formatPhone(payload.phone, country)}`;
    const answer = await this.call({
      method: 'POST',
      path: '/contacts.json',
      fields: 'id,name',
      json: {
        data: {
          type: 'Person',
          name,
          first_name: payload.firstName ?? 'Caller',
          last_name: payload.lastName ?? formatPhone(payload.phone, country),
          phone_numbers: [{ number: payload.phone, name: 'Mobile', default_number: true }],
        },
      },
      schema: Show(ClioContactRow),
    });
    const created = {
      id: String(answer.data.id),
      name: answer.data.name ?? name,
      url: this.contactUrl(String(answer.data.id)),
    };
    if (payload.growLead && this.options.growInboxToken) {
      // The contact exists now; a Grow failure must not make the outbox create it again.
      try {
        await this.postGrowLead(item, name);
      } catch (error) {
        return {
          ...created,
          warning: `Contact created, but Clio Grow did not take the lead: ${describeError(error)}`,
        };
      }
    }
    return created;
  }

  /** Clio Grow's Lead Inbox (write-only): the lead with its source tag. */
  private async postGrowLead(item: SendItem, name: string): Promise<void> {
    const payload = item.job.payload;
    if (payload.kind !== 'contact') return;
    await request({
      url: `https://${CLIO_GROW_HOSTS[this.options.region]}/inbox_leads`,
      method: 'POST',
      json: {
        inbox_lead_token: this.options.growInboxToken,
        inbox_lead: {
          from_first: payload.firstName ?? name,
          from_last: payload.lastName ?? '',
          from_message: [
            'Missed call',
            payload.practiceArea ? `Practice area: ${payload.practiceArea}` : '',
          ]
            .filter(Boolean)
            .join(' — '),
          from_source: payload.source ?? 'Missed call',
          from_phone: payload.phone,
          referring_url: 'https://callback-desk.invalid/missed-call',
        },
      },
      retries: 0,
      fetch: this.deps.fetch,
      now: this.deps.now,
      timeoutMs: this.deps.timeoutMs,
    });
  }

  /**
   * A communication on the contact (communications spec: POST /communications.json; type,
   * subject, body and received_at required), tagged with our idempotency key as an external
   * property so a lookup finds it after a lost answer. We reached out: the firm user sends,
   * the contact receives.
   */
  private async logCommunication(
    item: SendItem,
    record: { type: ClioCommunicationType; subject: string; body: string; at: number },
  ): Promise<RemoteRef> {
    const answer = await this.call({
      method: 'POST',
      path: '/communications.json',
      fields: 'id',
      json: {
        data: {
          type: record.type,
          subject: record.subject,
          body: `${record.body}\n\n${markerLine(item.marker)}`,
          received_at: new Date(record.at).toISOString(),
          senders: [{ id: Number(item.ownerId ?? this.options.userId), type: 'User' }],
          receivers: [{ id: Number(item.contactId), type: 'Contact' }],
          external_properties: [{ name: CLIO_EXTERNAL_PROPERTY, value: item.job.idempotencyKey }],
        },
      },
      schema: Show(IdRow),
    });
    return { id: String(answer.data.id), url: this.contactUrl(item.contactId) };
  }

  logCall(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'call') throw new Error('not a call job');
    return this.logCommunication(item, {
      type: 'PhoneCommunication',
      subject: payload.title,
      body: payload.body,
      at: payload.at,
    });
  }

  /**
   * Clio Manage has two communication types only (PhoneCommunication, EmailCommunication in
   * the communications spec): a text message is logged as a PhoneCommunication whose subject
   * says it was a text (our own call-log poller skips it by its external property).
   */
  logText(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'text') throw new Error('not a text job');
    return this.logCommunication(item, {
      type: 'PhoneCommunication',
      subject: payload.subject,
      body: payload.body,
      at: payload.at,
    });
  }

  logEmail(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'email') throw new Error('not an email job');
    return this.logCommunication(item, {
      type: 'EmailCommunication',
      subject: payload.subject,
      body: payload.to ? `To: ${payload.to}\n\n${payload.body}` : payload.body,
      at: payload.at,
    });
  }

  async addNote(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'note') throw new Error('not a note job');
    const answer = await this.call({
      method: 'POST',
      path: '/notes.json',
      fields: 'id',
      json: {
        data: {
          type: 'Contact',
          contact: { id: Number(item.contactId) },
          subject: payload.subject,
          detail: `${payload.body}\n\n${markerLine(item.marker)}`,
          detail_text_type: 'plain_text',
          date: new Date(payload.at).toISOString().slice(0, 10),
        },
      },
      schema: Show(IdRow),
    });
    return { id: String(answer.data.id), url: this.contactUrl(item.contactId) };
  }

  async createTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'task') throw new Error('not a task job');
    // Clio tasks cannot link to a contact: the caller and number are in the text.
    const answer = await this.call({
      method: 'POST',
      path: '/tasks.json',
      fields: 'id',
      json: {
        data: {
          name: payload.subject,
          description: `${payload.body}\nContact: ${this.contactUrl(item.contactId)}\n\n${markerLine(item.marker)}`,
          assignee: { id: Number(item.ownerId ?? this.options.userId), type: 'User' },
          due_at: new Date(payload.dueAt).toISOString(),
          priority:
            payload.priority === 'high' ? 'High' : payload.priority === 'low' ? 'Low' : 'Normal',
          status: 'pending',
        },
      },
      schema: Show(IdRow),
    });
    return { id: String(answer.data.id), url: this.contactUrl(item.contactId) };
  }

  /** Clio tasks/{id}.json PATCH with status "complete" (tasks spec: Task update). */
  async completeTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'complete') throw new Error('not a complete job');
    try {
      await this.call({
        method: 'PATCH',
        path: `/tasks/${encodeURIComponent(payload.taskId)}.json`,
        fields: 'id,status',
        json: { data: { status: 'complete' } },
        schema: Show(IdRow),
      });
    } catch (error) {
      // Someone deleted the task in Clio: there is nothing left open.
      if (error instanceof HttpError && error.status === 404)
        return { id: payload.taskId, warning: 'The earlier follow-up task was deleted in Clio.' };
      throw error;
    }
    return {
      id: payload.taskId,
      ...(item.contactId ? { url: this.contactUrl(item.contactId) } : {}),
    };
  }

  // -------------------------------------------------------------------------------------
  // The shared queue: one task per lead, assigned to whoever claimed it.

  /**
   * GET /tasks.json (tasks spec: Task#index): `query` (wildcard over name and description)
   * for our token, `updated_since` for the read cursor, `status=pending` for open ones.
   * Pages follow meta.paging.next.
   */
  async searchSharedTasks(query: SharedTaskQuery): Promise<SharedTaskPage> {
    const answer = await this.call({
      method: 'GET',
      path: query.after ?? '/tasks.json',
      fields: SHARED_TASK_FIELDS,
      query: {
        query: query.token,
        limit: Math.min(query.limit ?? 200, 200),
        ...(query.changedSince !== undefined
          ? { updated_since: new Date(query.changedSince).toISOString() }
          : {}),
        ...(query.openOnly ? { status: 'pending' } : {}),
      },
      schema: List(SharedTaskRow),
    });
    const tasks = answer.data
      .map(sharedTaskOfRow)
      // `query` is a wildcard: keep the tasks that carry the whole token.
      .filter((t) =>
        t.body
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .includes(query.token),
      );
    const next = answer.meta?.paging?.next;
    return { tasks, ...(next ? { next } : {}) };
  }

  /** GET /tasks/{id}.json (tasks spec: Task#show), with its etag; null on 404. */
  async readSharedTask(taskId: string): Promise<SharedTaskRecord | null> {
    try {
      const answer = await this.call({
        method: 'GET',
        path: `/tasks/${encodeURIComponent(taskId)}.json`,
        fields: SHARED_TASK_FIELDS,
        schema: Show(SharedTaskRow),
      });
      return sharedTaskOfRow(answer.data);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return null;
      throw error;
    }
  }

  /** Search before create: an open task with the dedupe token is adopted (lowest id). */
  async createSharedTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'shared') throw new Error('not a shared-queue task job');
    const found = await this.searchSharedTasks({ token: payload.dedupeToken, openOnly: true });
    const lowest = found.tasks.map((t) => Number(t.id)).sort((a, b) => a - b)[0];
    const url = item.contactId ? { url: this.contactUrl(item.contactId) } : {};
    if (lowest !== undefined) return { id: String(lowest), ...url };
    // Clio tasks cannot link to a contact: the contact's page is in the description.
    const answer = await this.call({
      method: 'POST',
      path: '/tasks.json',
      fields: 'id',
      json: {
        data: {
          name: payload.subject,
          description: item.contactId
            ? `${payload.body}\nContact: ${this.contactUrl(item.contactId)}`
            : payload.body,
          assignee: { id: Number(item.ownerId ?? this.options.userId), type: 'User' },
          due_at: new Date(payload.dueAt).toISOString(),
          priority:
            payload.priority === 'high' ? 'High' : payload.priority === 'low' ? 'Low' : 'Normal',
          status: 'pending',
        },
      },
      schema: Show(IdRow),
    });
    return { id: String(answer.data.id), ...url };
  }

  /**
   * PATCH /tasks/{id}.json (tasks spec: Task#update). With the etag it was based on, the
   * change carries If-Match: a task someone changed since answers 412 Precondition Failed
   * (Clio's optimistic concurrency, https://docs.developers.clio.com/api-docs/etags) and
   * nothing is written — for a claim, that someone claimed it first.
   */
  async updateSharedTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'sharedUpdate') throw new Error('not a shared-queue update job');
    const data: Record<string, unknown> = {
      ...(payload.subject !== undefined ? { name: payload.subject } : {}),
      ...(payload.body !== undefined ? { description: payload.body } : {}),
      ...(payload.done ? { status: 'complete' } : {}),
      ...(payload.op === 'claim' && item.ownerId
        ? { assignee: { id: Number(item.ownerId), type: 'User' } }
        : {}),
    };
    try {
      await this.call({
        method: 'PATCH',
        path: `/tasks/${encodeURIComponent(payload.taskId)}.json`,
        fields: 'id,etag',
        json: { data },
        schema: Show(IdRow),
        ...(payload.etag ? { headers: { 'IF-MATCH': payload.etag } } : {}),
      });
    } catch (error) {
      if (error instanceof HttpError && error.status === 404)
        return { id: payload.taskId, warning: 'The shared task was deleted in Clio.' };
      if (error instanceof HttpError && error.status === 412)
        return { id: payload.taskId, warning: PRECONDITION_FAILED };
      throw error;
    }
    return { id: payload.taskId };
  }

  /** GET /contacts/{id}.json (contacts spec: Contact show); 404 when deleted. */
  async contactExists(contactId: string): Promise<boolean> {
    try {
      await this.call({
        method: 'GET',
        path: `/contacts/${encodeURIComponent(contactId)}.json`,
        fields: 'id',
        schema: Show(IdRow),
      });
      return true;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return false;
      throw error;
    }
  }

  async matchContact(item: SendItem): Promise<ContactMatch> {
    const payload = item.job.payload;
    if (payload.kind !== 'contact') throw new Error('not a contact job');
    return contactMatchOf(await this.findContactsByPhone(payload.phone));
  }

  async findExisting(items: SendItem[]): Promise<Map<string, RemoteRef>> {
    const found = new Map<string, RemoteRef>();
    for (const item of items) {
      const { job } = item;
      const payload = job.payload;
      if (payload.kind === 'contact') {
        // Only a single match can be the one we made; several are for the user to choose.
        const match = await this.matchContact(item);
        if (match.kind === 'single') found.set(job.id, match.ref);
        continue;
      }
      // Completing a task is an update: it is simply sent again.
      if (payload.kind === 'complete' || payload.kind === 'sharedUpdate') continue;
      if (payload.kind === 'shared') {
        const page = await this.searchSharedTasks({ token: payload.dedupeToken, openOnly: true });
        const lowest = page.tasks.map((t) => Number(t.id)).sort((a, b) => a - b)[0];
        if (lowest !== undefined)
          found.set(job.id, {
            id: String(lowest),
            ...(item.contactId ? { url: this.contactUrl(item.contactId) } : {}),
          });
        continue;
      }
      let hit: { id: number } | undefined;
      if (payload.kind === 'call' || payload.kind === 'text' || payload.kind === 'email') {
        // Communications list filter external_property_name/value (communications spec).
        const answer = await this.call({
          method: 'GET',
          path: '/communications.json',
          fields: 'id',
          query: {
            type: payload.kind === 'email' ? 'EmailCommunication' : 'PhoneCommunication',
            external_property_name: CLIO_EXTERNAL_PROPERTY,
            external_property_value: job.idempotencyKey,
            limit: 5,
          },
          schema: List(Participant.pick({ id: true })),
        });
        hit = answer.data[0];
      } else if (payload.kind === 'note') {
        const answer = await this.call({
          method: 'GET',
          path: '/notes.json',
          fields: 'id,detail',
          query: {
            type: 'Contact',
            contact_id: Number(item.contactId),
            query: item.marker,
            limit: 5,
          },
          schema: List(TextRow),
        });
        hit = answer.data.find((n) => (n.detail ?? '').includes(item.marker));
      } else {
        const answer = await this.call({
          method: 'GET',
          path: '/tasks.json',
          fields: 'id,description',
          query: { query: item.marker, limit: 5 },
          schema: List(TextRow),
        });
        hit = answer.data.find((t) => (t.description ?? '').includes(item.marker));
      }
      if (hit) found.set(job.id, { id: String(hit.id), url: this.contactUrl(item.contactId) });
    }
    return found;
  }
}

// ---------------------------------------------------------------------------------------
// OAuth with the firm's own Clio app (one per region)

export function clioAuthorizeUrl(params: {
  region: ClioRegion;
  clientId: string;
  redirectUri: string;
  state: string;
}): string {
  const url = new URL(`${clioOrigin(params.region)}/oauth/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('state', params.state);
  return url.toString();
}

const clioTokenUrl = (region: ClioRegion) => `${clioOrigin(region)}/oauth/token`;

export async function exchangeClioCode(
  params: {
    region: ClioRegion;
    clientId: string;
    clientSecret: string;
    code: string;
    redirectUri: string;
  },
  deps: OAuthHttpDeps = {},
): Promise<Omit<ClioCredentials, 'account' | 'connectedAt'>> {
  const now = (deps.now ?? Date.now)();
  const data = await tokenGrant(
    clioTokenUrl(params.region),
    ClioTokenAnswer,
    codeGrant(params),
    deps,
  );
  if (!data.refresh_token) throw new Error('Clio did not return a refresh token.');
  return {
    auth: 'oauth',
    region: params.region,
    clientId: params.clientId,
    clientSecret: params.clientSecret,
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    expiresAt: now + data.expires_in * 1000,
  };
}

/** Clio's refresh answer has no new refresh token: the old one stays valid. */
export function refreshClioToken(
  credentials: ClioCredentials,
  deps: OAuthHttpDeps = {},
): Promise<ClioCredentials> {
  return refreshOAuthTokens(clioTokenUrl(credentials.region), ClioTokenAnswer, credentials, deps);
}
