import { z } from 'zod';
import {
  HttpError,
  rateLimiter,
  type LimiterStore,
  type RateLimitPolicy,
  type RateLimiter,
} from '../http';
import type { Outcome } from '../model';
import { nationalDigits } from '../phone';
import type { CountryCode } from 'libphonenumber-js';
import {
  contactMatchOf,
  sessionRequest,
  type BatchOutcome,
  type Connector,
  type ConnectorDeps,
  type ContactMatch,
  type SharedTaskPage,
  type SharedTaskQuery,
  type SharedTaskRecord,
} from './connector';
import { filterCandidates } from './matching';
import type {
  CrmAccount,
  CrmClientOutcome,
  CrmContact,
  CrmUser,
  RemoteRef,
  SendItem,
  SyncKind,
} from './model';
import { codeGrant, refreshOAuthTokens, tokenGrant, type OAuthHttpDeps } from './oauth';
import { markerLine, textToHtml } from './records';
import type { HubSpotCredentials } from './tokens';

export const HUBSPOT_API = 'https://api.hubapi.com';
export const HUBSPOT_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';
export const HUBSPOT_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.owners.read',
];

/**
 * Private apps get 100 requests per rolling 10 s (Free/Starter; more on higher tiers, the
 * X-HubSpot-RateLimit-* headers correct us), OAuth apps 110; search 5 per second.
 */
export const HUBSPOT_LIMITS = {
  privateApp: { max: 100, intervalMs: 10_000 },
  oauth: { max: 110, intervalMs: 10_000 },
  search: { max: 5, intervalMs: 1_000 },
} satisfies Record<string, RateLimitPolicy>;

/** One account's budgets, shared by every caller: the outbox, matching, call-log polling. */
export interface HubSpotBudgets {
  general: RateLimiter;
  search: RateLimiter;
}

export function hubSpotBudgets(
  store: LimiterStore,
  auth: 'private-app' | 'oauth',
  limits?: { general: RateLimitPolicy; search: RateLimitPolicy },
): HubSpotBudgets {
  return {
    general: rateLimiter(
      'hubspot',
      limits?.general ?? (auth === 'oauth' ? HUBSPOT_LIMITS.oauth : HUBSPOT_LIMITS.privateApp),
      store,
    ),
    search: rateLimiter('hubspot-search', limits?.search ?? HUBSPOT_LIMITS.search, store),
  };
}

/** Every request counts against the general limit; searches also against the search limit. */
export function hubSpotLimitersFor(budgets: HubSpotBudgets, path: string): RateLimiter[] {
  return path.endsWith('/search') ? [budgets.general, budgets.search] : [budgets.general];
}

/** HubSpot's default call outcome GUIDs (hs_call_disposition). */
export const HUBSPOT_DISPOSITIONS = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  leftLiveMessage: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  leftVoicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  noAnswer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrongNumber: '17b47fee-58de-441e-a44c-c6300d46f273',
} as const;

/**
 * Association type ids (HUBSPOT_DEFINED) from an engagement to its contact: call 194, note
 * 202, task 204, communication (SMS) 81, email 198 — HubSpot's table of default association
 * type ids (https://developers.hubspot.com/docs/api/crm/associations, "Activity to object").
 */
export const TO_CONTACT_ASSOCIATION = {
  call: 194,
  note: 202,
  task: 204,
  text: 81,
  email: 198,
} as const;

type EngagementKind = Exclude<SyncKind, 'contact' | 'complete' | 'shared' | 'sharedUpdate'>;
const ENGAGEMENT_KINDS: readonly EngagementKind[] = ['call', 'note', 'task', 'text', 'email'];
const OBJECT_PATH: Record<EngagementKind, string> = {
  call: 'calls',
  note: 'notes',
  task: 'tasks',
  // communications.v3.json: SMS / WhatsApp / LinkedIn messages logged on a record.
  text: 'communications',
  email: 'emails',
};
/** Where the marker goes (and is searched for with CONTAINS_TOKEN). */
const BODY_PROPERTY: Record<EngagementKind, string> = {
  call: 'hs_call_body',
  note: 'hs_note_body',
  task: 'hs_task_body',
  text: 'hs_communication_body',
  email: 'hs_email_text',
};

/**
 * HubSpot's calculated, normalised copies of `phone` / `mobilephone` (national digits): the
 * typed properties hold the number as entered, so `EQ` on them finds one spelling only.
 */
export const HUBSPOT_SEARCHABLE_PHONE_PROPERTIES = [
  'hs_searchable_calculated_phone_number',
  'hs_searchable_calculated_mobile_number',
] as const;

/** hs_call_status and disposition for our outcome of an outbound callback. */
export function callOutcome(outcome: Outcome): { status: string; disposition?: string } {
  switch (outcome) {
    case 'no-answer':
      return { status: 'NO_ANSWER', disposition: HUBSPOT_DISPOSITIONS.noAnswer };
    case 'left-voicemail':
      return { status: 'COMPLETED', disposition: HUBSPOT_DISPOSITIONS.leftVoicemail };
    case 'wrong-number':
      return { status: 'COMPLETED', disposition: HUBSPOT_DISPOSITIONS.wrongNumber };
    case 'sent':
      return { status: 'COMPLETED' };
    default:
      return { status: 'COMPLETED', disposition: HUBSPOT_DISPOSITIONS.connected };
  }
}

// Property values can be null in HubSpot answers; everything beyond `id` is optional.
const HsObject = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()).default({}),
  objectWriteTraceId: z.string().optional(),
});
type HsObject = z.infer<typeof HsObject>;
/** A contact read with `associations=deals` (contacts.v3.json: SimplePublicObjectWithAssociations). */
const ContactWithDeals = HsObject.extend({
  associations: z
    .record(z.string(), z.object({ results: z.array(z.object({ id: z.string() })) }))
    .optional(),
});
const SearchAnswer = z.object({
  total: z.number().optional(),
  results: z.array(HsObject),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
const BatchAnswer = z.object({
  status: z.string().optional(),
  results: z.array(HsObject),
  errors: z.array(z.unknown()).optional(),
});
/** StandardError of a 207 batch answer; only what we read of it. */
const BatchError = z.object({
  status: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
  category: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
});
const OwnersAnswer = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      email: z.string().nullish(),
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
      archived: z.boolean().optional(),
      type: z.string().optional(),
    }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
export const HubSpotTokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
  hub_id: z.number().optional(),
});

/** What a shared-queue read asks of each task (tasks.v3.json: search, getById). */
const SHARED_TASK_PROPERTIES = [
  'hs_task_subject',
  'hs_task_body',
  'hs_task_status',
  'hubspot_owner_id',
  'hs_timestamp',
  'hs_lastmodifieddate',
];

/** HubSpot renders task bodies as HTML: read ours back as the text we wrote. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function timeOf(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(n) ? undefined : n;
}

export function sharedTaskOf(r: HsObject): SharedTaskRecord {
  const p = r.properties;
  const dueAt = timeOf(p.hs_timestamp);
  return {
    id: r.id,
    subject: p.hs_task_subject ?? '',
    body: htmlToText(p.hs_task_body ?? ''),
    done: p.hs_task_status === 'COMPLETED',
    ...(p.hubspot_owner_id ? { ownerId: p.hubspot_owner_id } : {}),
    updatedAt: timeOf(p.hs_lastmodifieddate) ?? 0,
    ...(dueAt !== undefined ? { dueAt } : {}),
  };
}

export interface HubSpotOptions {
  portalId?: string;
  /** accountKeyOf the connection (recorded on links and jobs). */
  accountKey?: string;
  auth: 'private-app' | 'oauth';
  /** How the firm's numbers are written without a country code. */
  defaultCountry?: CountryCode;
  /** Override the documented limits (a benchmark against a scaled emulator). */
  limits?: { general: RateLimitPolicy; search: RateLimitPolicy };
}

function contactName(properties: Record<string, string | null>): string {
  const name = [properties.firstname, properties.lastname].filter(Boolean).join(' ').trim();
  return (
    name || properties.email || properties.phone || properties.mobilephone || 'Unnamed contact'
  );
}

export class HubSpotConnector implements Connector {
  readonly system = 'hubspot' as const;
  readonly lookupSettleMs = 10_000;
  /** New records can take minutes to become searchable: keep looking that long. */
  readonly lookupPatienceMs = 5 * 60_000;
  readonly maxBatch = 100;
  readonly accountKey: string | undefined;
  private readonly deps: ConnectorDeps;
  private readonly options: HubSpotOptions;
  private readonly budgets: HubSpotBudgets;

  constructor(deps: ConnectorDeps, options: HubSpotOptions) {
    this.deps = deps;
    this.options = options;
    this.accountKey = options.accountKey;
    this.budgets = hubSpotBudgets(deps.limiterStore, options.auth, options.limits);
  }

  private async call<S extends z.ZodType>(init: {
    method: 'GET' | 'POST' | 'PATCH';
    path: string;
    query?: Record<string, string | number | readonly string[]>;
    json?: unknown;
    schema: S;
    /** Safe to repeat on 5xx/network errors (reads and searches). */
    idempotent: boolean;
  }): Promise<z.output<S>> {
    const answer = await sessionRequest('hubspot', this.deps, {
      url: `${HUBSPOT_API}${init.path}`,
      method: init.method,
      query: init.query,
      json: init.json,
      schema: init.schema,
      limiters: hubSpotLimitersFor(this.budgets, init.path),
      idempotent: init.idempotent,
      retries: init.idempotent ? 2 : 0,
    });
    return answer.data;
  }

  contactUrl(contactId: string): string | undefined {
    return this.options.portalId
      ? `https://app.hubspot.com/contacts/${this.options.portalId}/record/0-1/${contactId}`
      : undefined;
  }

  async whoAmI(): Promise<CrmAccount> {
    // A private app cannot ask which portal it is in: the portal id entered with the token
    // says it; without one, the owners (unique across portals) tell portals apart.
    return hubspotAccount(
      this.options.portalId,
      this.options.portalId ? [] : await this.listUsers(),
    );
  }

  async listUsers(): Promise<CrmUser[]> {
    const users: CrmUser[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const answer = await this.call({
        method: 'GET',
        path: '/crm/v3/owners',
        query: { limit: 100, ...(after ? { after } : {}) },
        schema: OwnersAnswer,
        idempotent: true,
      });
      for (const owner of answer.results) {
        if (owner.archived) continue;
        const name =
          [owner.firstName, owner.lastName].filter(Boolean).join(' ') ||
          owner.email ||
          `Owner ${owner.id}`;
        users.push({ id: owner.id, name, ...(owner.email ? { email: owner.email } : {}) });
      }
      after = answer.paging?.next?.after;
      if (!after) break;
    }
    return users;
  }

  async findContactsByPhone(e164: string): Promise<CrmContact[]> {
    // `phone` holds the number as typed; HubSpot's calculated copies hold its national
    // digits whatever the spelling. OR = separate filter groups. Hits are confirmed by
    // normalising phone / mobilephone (filterCandidates).
    const digits = nationalDigits(e164);
    const answer = await this.call({
      method: 'POST',
      path: '/crm/v3/objects/contacts/search',
      json: {
        filterGroups: HUBSPOT_SEARCHABLE_PHONE_PROPERTIES.map((propertyName) => ({
          filters: [{ propertyName, operator: 'EQ', value: digits }],
        })),
        // lifecyclestage and owner: a customer is an existing client (utils/team/existingClient.ts).
        properties: [
          'firstname',
          'lastname',
          'email',
          'phone',
          'mobilephone',
          'lifecyclestage',
          'hubspot_owner_id',
        ],
        limit: 20,
        after: '0',
        sorts: [],
      },
      schema: SearchAnswer,
      idempotent: true,
    });
    return filterCandidates(
      answer.results.map((r) => this.toContact(r)),
      e164,
      this.options.defaultCountry ?? 'US',
    );
  }

  /**
   * The contact became a customer: lifecycle stage `customer` (set on or after `since`, when
   * HubSpot says when: `hs_lifecyclestage_customer_date`), or one of its deals is won
   * (`hs_is_closed_won`, closed on or after `since`). Two reads at most: the contact with its
   * deal associations (GET /crm/v3/objects/contacts/{id}, contacts.v3.json), then the deals
   * (POST /crm/v3/objects/deals/batch/read).
   */
  async clientOutcome(contactId: string, since: number): Promise<CrmClientOutcome> {
    const contact = await this.call({
      method: 'GET',
      path: `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}`,
      query: {
        properties: 'lifecyclestage,hs_lifecyclestage_customer_date',
        associations: 'deals',
      },
      schema: ContactWithDeals,
      idempotent: true,
    });
    // A day's grace: dates without a time, and clocks.
    const after = (iso: string | null | undefined) => {
      const at = iso ? Date.parse(iso) : NaN;
      return Number.isNaN(at) ? { ok: true } : { ok: at >= since - 86_400_000, at };
    };
    if (contact.properties.lifecyclestage === 'customer') {
      const when = after(contact.properties.hs_lifecyclestage_customer_date);
      if (when.ok)
        return {
          retained: true,
          ...(when.at !== undefined ? { at: when.at } : {}),
          reason: 'HubSpot: lifecycle stage Customer',
        };
    }
    const dealIds = (contact.associations?.deals?.results ?? []).map((d) => d.id).slice(0, 100);
    if (dealIds.length > 0) {
      const deals = await this.call({
        method: 'POST',
        path: '/crm/v3/objects/deals/batch/read',
        json: {
          inputs: dealIds.map((id) => ({ id })),
          properties: ['hs_is_closed_won', 'closedate', 'dealname'],
        },
        schema: z.object({ results: z.array(HsObject) }),
        idempotent: true,
      });
      for (const deal of deals.results) {
        if (deal.properties.hs_is_closed_won !== 'true') continue;
        const when = after(deal.properties.closedate);
        if (!when.ok) continue;
        const name = deal.properties.dealname ? ` "${deal.properties.dealname}"` : '';
        return {
          retained: true,
          ...(when.at !== undefined ? { at: when.at } : {}),
          reason: `HubSpot: deal${name} won`,
        };
      }
    }
    return { retained: false, reason: 'HubSpot: not a customer, no won deal' };
  }

  private toContact(r: HsObject): CrmContact {
    const p = r.properties;
    return {
      id: r.id,
      name: contactName(p),
      phones: [p.phone, p.mobilephone].filter((x): x is string => Boolean(x)),
      ...(p.email ? { email: p.email } : {}),
      ...(this.contactUrl(r.id) ? { url: this.contactUrl(r.id) } : {}),
      ...(p.lifecyclestage ? { lifecycleStage: p.lifecyclestage } : {}),
      ...(p.hubspot_owner_id ? { ownerId: p.hubspot_owner_id } : {}),
    };
  }

  async createContact(item: SendItem): Promise<RemoteRef & { name: string }> {
    const payload = item.job.payload;
    if (payload.kind !== 'contact') throw new Error('not a contact job');
    const properties: Record<string, string> = {
      phone: payload.phone,
      lifecyclestage: 'lead',
      hs_lead_status: 'NEW',
      ...(payload.firstName ? { firstname: payload.firstName } : {}),
      ...(payload.lastName ? { lastname: payload.lastName } : {}),
      ...(item.ownerId ? { hubspot_owner_id: item.ownerId } : {}),
    };
    const created = await this.call({
      method: 'POST',
      path: '/crm/v3/objects/contacts',
      json: { properties, associations: [] },
      schema: HsObject,
      idempotent: false,
    });
    return {
      id: created.id,
      name: contactName(created.properties),
      url: this.contactUrl(created.id),
    };
  }

  /** The create input for an engagement, associated inline with its contact. */
  engagementInput(item: SendItem): { properties: Record<string, string>; associations: unknown[] } {
    const { payload } = item.job;
    const owner: Record<string, string> = item.ownerId ? { hubspot_owner_id: item.ownerId } : {};
    const withMarker = (text: string) =>
      `${textToHtml(text)}<br><br>${textToHtml(markerLine(item.marker))}`;
    let properties: Record<string, string>;
    let typeId: number;
    switch (payload.kind) {
      case 'call': {
        const outcome = callOutcome(payload.outcome);
        typeId = TO_CONTACT_ASSOCIATION.call;
        properties = {
          hs_timestamp: String(payload.at),
          hs_call_title: payload.title,
          hs_call_body: withMarker(payload.body),
          hs_call_direction: 'OUTBOUND',
          hs_call_status: outcome.status,
          ...(outcome.disposition ? { hs_call_disposition: outcome.disposition } : {}),
          hs_call_to_number: payload.toNumber,
          ...(payload.fromNumber ? { hs_call_from_number: payload.fromNumber } : {}),
          ...owner,
        };
        break;
      }
      case 'note':
        typeId = TO_CONTACT_ASSOCIATION.note;
        properties = {
          hs_timestamp: String(payload.at),
          hs_note_body: `<strong>${textToHtml(payload.subject)}</strong><br>${withMarker(payload.body)}`,
          ...owner,
        };
        break;
      case 'task':
        typeId = TO_CONTACT_ASSOCIATION.task;
        properties = {
          hs_timestamp: String(payload.dueAt),
          hs_task_subject: payload.subject,
          hs_task_body: withMarker(payload.body),
          hs_task_type: 'CALL',
          hs_task_status: 'NOT_STARTED',
          hs_task_priority:
            payload.priority === 'high' ? 'HIGH' : payload.priority === 'low' ? 'LOW' : 'MEDIUM',
          ...owner,
        };
        break;
      case 'text':
        // Communications guide (developers.hubspot.com/docs/api/crm/communications): the
        // channel SMS, logged_from must be CRM, the body, and hs_timestamp on the timeline.
        typeId = TO_CONTACT_ASSOCIATION.text;
        properties = {
          hs_timestamp: String(payload.at),
          hs_communication_channel_type: 'SMS',
          hs_communication_logged_from: 'CRM',
          hs_communication_body: withMarker(payload.body),
          ...owner,
        };
        break;
      case 'email':
        // Email engagement guide (developers.hubspot.com/docs/api/crm/email): hs_timestamp is
        // required; direction EMAIL = sent to the contact; hs_email_headers (a JSON string)
        // fills the read-only from/to properties shown on the timeline.
        typeId = TO_CONTACT_ASSOCIATION.email;
        properties = {
          hs_timestamp: String(payload.at),
          hs_email_direction: 'EMAIL',
          hs_email_status: 'SENT',
          hs_email_subject: payload.subject,
          hs_email_text: `${payload.body}\n\n${markerLine(item.marker)}`,
          hs_email_headers: JSON.stringify({
            from: payload.from ? { email: payload.from } : {},
            to: payload.to ? [{ email: payload.to }] : [],
            cc: [],
            bcc: [],
          }),
          ...owner,
        };
        break;
      default:
        throw new Error('only calls, notes, tasks, texts and emails are created as engagements');
    }
    return {
      properties,
      associations: [
        {
          to: { id: item.contactId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
        },
      ],
    };
  }

  private async createOne(kind: EngagementKind, item: SendItem): Promise<RemoteRef> {
    const created = await this.call({
      method: 'POST',
      path: `/crm/v3/objects/${OBJECT_PATH[kind]}`,
      json: this.engagementInput(item),
      schema: HsObject,
      idempotent: false,
    });
    return { id: created.id, url: this.contactUrl(item.contactId) };
  }

  logCall(item: SendItem): Promise<RemoteRef> {
    return this.createOne('call', item);
  }

  addNote(item: SendItem): Promise<RemoteRef> {
    return this.createOne('note', item);
  }

  createTask(item: SendItem): Promise<RemoteRef> {
    return this.createOne('task', item);
  }

  /** POST /crm/v3/objects/communications (communications.v3.json: create). */
  logText(item: SendItem): Promise<RemoteRef> {
    return this.createOne('text', item);
  }

  /** POST /crm/v3/objects/emails (emails.v3.json: create). */
  logEmail(item: SendItem): Promise<RemoteRef> {
    return this.createOne('email', item);
  }

  /** PATCH hs_task_status COMPLETED (tasks spec: PATCH /crm/v3/objects/tasks/{taskId}). */
  async completeTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'complete') throw new Error('not a complete job');
    try {
      await this.call({
        method: 'PATCH',
        path: `/crm/v3/objects/tasks/${encodeURIComponent(payload.taskId)}`,
        json: { properties: { hs_task_status: 'COMPLETED' } },
        schema: HsObject,
        idempotent: true,
      });
    } catch (error) {
      // Someone deleted the task in HubSpot: there is nothing left open.
      if (error instanceof HttpError && error.status === 404)
        return {
          id: payload.taskId,
          warning: 'The earlier follow-up task was deleted in HubSpot.',
        };
      throw error;
    }
    const url = item.contactId ? this.contactUrl(item.contactId) : undefined;
    return { id: payload.taskId, ...(url ? { url } : {}) };
  }

  /** Complete several earlier tasks in one request (tasks spec: batch/update). */
  private async completeMany(items: SendItem[]): Promise<BatchOutcome> {
    const taskOf = (item: SendItem) =>
      item.job.payload.kind === 'complete' ? item.job.payload.taskId : '';
    const answer = await this.call({
      method: 'POST',
      path: '/crm/v3/objects/tasks/batch/update',
      json: {
        inputs: items.map((item) => ({
          id: taskOf(item),
          properties: { hs_task_status: 'COMPLETED' },
        })),
      },
      schema: BatchAnswer,
      idempotent: true,
    });
    const done = new Set(answer.results.map((r) => r.id));
    const created = new Map<string, RemoteRef>();
    for (const item of items) {
      if (!done.has(taskOf(item))) continue;
      const url = item.contactId ? this.contactUrl(item.contactId) : undefined;
      created.set(item.job.id, { id: taskOf(item), ...(url ? { url } : {}) });
    }
    return { created, rejected: new Map(), unattributed: [] };
  }

  async createMany(kind: Exclude<SyncKind, 'contact'>, items: SendItem[]): Promise<BatchOutcome> {
    if (kind === 'complete') return this.completeMany(items);
    // Shared-queue tasks search before they create: one at a time (the outbox never batches them).
    if (kind === 'shared' || kind === 'sharedUpdate')
      throw new Error('shared-queue tasks are not created in batches');
    const answer = await this.call({
      method: 'POST',
      path: `/crm/v3/objects/${OBJECT_PATH[kind]}/batch/create`,
      json: {
        inputs: items.map((item) => ({
          ...this.engagementInput(item),
          objectWriteTraceId: item.job.id,
        })),
      },
      schema: BatchAnswer,
      idempotent: false,
    });
    // Result order is not guaranteed: match by trace id, else by the marker in the body.
    const byId = new Map(items.map((item) => [item.job.id, item]));
    const found = new Map<string, RemoteRef>();
    for (const result of answer.results) {
      const item =
        (result.objectWriteTraceId ? byId.get(result.objectWriteTraceId) : undefined) ??
        items.find((i) => (result.properties[BODY_PROPERTY[kind]] ?? '').includes(i.marker));
      if (item) found.set(item.job.id, { id: result.id, url: this.contactUrl(item.contactId) });
    }
    // A 207 lists the inputs it refused in `errors` (StandardError). The spec gives no input
    // index; the trace id we sent comes back in the error's context when HubSpot can tell.
    const rejected = new Map<string, string>();
    const unattributed: string[] = [];
    for (const raw of answer.errors ?? []) {
      const parsed = BatchError.safeParse(raw);
      const error = parsed.success ? parsed.data : {};
      // Per-input errors carry "error" as their status, not always an HTTP code.
      const status = /^\d{3}$/.test(String(error.status ?? '')) ? `${String(error.status)}: ` : '';
      const message = `${status}${error.message ?? error.category ?? 'refused'}`;
      const ids = (error.context?.objectWriteTraceId ?? []).filter(
        (id) => byId.has(id) && !found.has(id),
      );
      if (ids.length === 0) unattributed.push(message);
      for (const id of ids) rejected.set(id, message);
    }
    return { created: found, rejected, unattributed };
  }

  // -------------------------------------------------------------------------------------
  // The shared queue: one task per lead, found by the tokens in its body.

  /**
   * POST /crm/v3/objects/tasks/search (tasks.v3.json): our token in hs_task_body
   * (CONTAINS_TOKEN), modified after the cursor (hs_lastmodifieddate GT), oldest change
   * first so the cursor can move on page by page.
   */
  async searchSharedTasks(query: SharedTaskQuery): Promise<SharedTaskPage> {
    const filters: { propertyName: string; operator: string; value: string }[] = [
      { propertyName: 'hs_task_body', operator: 'CONTAINS_TOKEN', value: query.token },
    ];
    if (query.changedSince !== undefined)
      filters.push({
        propertyName: 'hs_lastmodifieddate',
        operator: 'GT',
        value: String(Math.max(0, Math.floor(query.changedSince))),
      });
    if (query.openOnly)
      filters.push({ propertyName: 'hs_task_status', operator: 'NEQ', value: 'COMPLETED' });
    const answer = await this.call({
      method: 'POST',
      path: '/crm/v3/objects/tasks/search',
      json: {
        filterGroups: [{ filters }],
        properties: SHARED_TASK_PROPERTIES,
        sorts: ['hs_lastmodifieddate'],
        limit: Math.min(query.limit ?? 100, 200),
        after: query.after ?? '0',
      },
      schema: SearchAnswer,
      idempotent: true,
    });
    const next = answer.paging?.next?.after;
    return { tasks: answer.results.map(sharedTaskOf), ...(next ? { next } : {}) };
  }

  /** GET /crm/v3/objects/tasks/{taskId} (tasks.v3.json: getById); null on 404. */
  async readSharedTask(taskId: string): Promise<SharedTaskRecord | null> {
    try {
      const answer = await this.call({
        method: 'GET',
        path: `/crm/v3/objects/tasks/${encodeURIComponent(taskId)}`,
        query: { properties: SHARED_TASK_PROPERTIES.join(',') },
        schema: HsObject,
        idempotent: true,
      });
      return sharedTaskOf(answer);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * Search before create: an open task with the same dedupe token (made by a colleague's
   * browser, or by our own request whose answer was lost) is adopted — the lowest id, the
   * one every browser keeps — instead of making a second one.
   */
  async createSharedTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'shared') throw new Error('not a shared-queue task job');
    const found = await this.searchSharedTasks({ token: payload.dedupeToken, openOnly: true });
    const lowest = found.tasks.map((t) => t.id).sort(compareIds)[0];
    if (lowest) return { id: lowest, ...this.urlFor(item) };
    const created = await this.call({
      method: 'POST',
      path: '/crm/v3/objects/tasks',
      json: {
        properties: {
          hs_timestamp: String(payload.dueAt),
          hs_task_subject: payload.subject,
          hs_task_body: textToHtml(payload.body),
          hs_task_type: 'CALL',
          hs_task_status: 'NOT_STARTED',
          hs_task_priority:
            payload.priority === 'high' ? 'HIGH' : payload.priority === 'low' ? 'LOW' : 'MEDIUM',
          ...(item.ownerId ? { hubspot_owner_id: item.ownerId } : {}),
        },
        // On the caller's contact when the lead has one (association type 204, task→contact).
        associations: item.contactId
          ? [
              {
                to: { id: item.contactId },
                types: [
                  {
                    associationCategory: 'HUBSPOT_DEFINED',
                    associationTypeId: TO_CONTACT_ASSOCIATION.task,
                  },
                ],
              },
            ]
          : [],
      },
      schema: HsObject,
      idempotent: false,
    });
    return { id: created.id, ...this.urlFor(item) };
  }

  private urlFor(item: SendItem): { url?: string } {
    const url = item.contactId ? this.contactUrl(item.contactId) : undefined;
    return url ? { url } : {};
  }

  /**
   * PATCH /crm/v3/objects/tasks/{taskId}. HubSpot has no etag: a claim is written, then
   * read back after `claimSettleMs` — whatever the task says then is the claim everyone
   * sees (utils/team/sharedClaim.ts decides who won from that read).
   */
  async updateSharedTask(item: SendItem): Promise<RemoteRef> {
    const payload = item.job.payload;
    if (payload.kind !== 'sharedUpdate') throw new Error('not a shared-queue update job');
    const properties: Record<string, string> = {
      ...(payload.subject !== undefined ? { hs_task_subject: payload.subject } : {}),
      ...(payload.body !== undefined ? { hs_task_body: textToHtml(payload.body) } : {}),
      ...(payload.done ? { hs_task_status: 'COMPLETED' } : {}),
      ...(payload.op === 'claim' && item.ownerId ? { hubspot_owner_id: item.ownerId } : {}),
    };
    try {
      await this.call({
        method: 'PATCH',
        path: `/crm/v3/objects/tasks/${encodeURIComponent(payload.taskId)}`,
        json: { properties },
        schema: HsObject,
        idempotent: true,
      });
    } catch (error) {
      if (error instanceof HttpError && error.status === 404)
        return { id: payload.taskId, warning: 'The shared task was deleted in HubSpot.' };
      throw error;
    }
    return { id: payload.taskId, ...this.urlFor(item) };
  }

  /** GET /crm/v3/objects/contacts/{contactId} (contacts spec: getById); 404 when deleted. */
  async contactExists(contactId: string): Promise<boolean> {
    try {
      await this.call({
        method: 'GET',
        path: `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}`,
        query: { properties: 'hs_object_id' },
        schema: HsObject,
        idempotent: true,
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
    return contactMatchOf(
      filterCandidates(
        await this.findContactsByPhone(payload.phone),
        payload.phone,
        this.options.defaultCountry ?? 'US',
      ),
    );
  }

  async findExisting(items: SendItem[]): Promise<Map<string, RemoteRef>> {
    const found = new Map<string, RemoteRef>();
    for (const item of items.filter((i) => i.job.kind === 'contact')) {
      // Only a single match can be the one we made; several are for the user to choose.
      const match = await this.matchContact(item);
      if (match.kind === 'single') found.set(item.job.id, match.ref);
    }
    // A shared-queue task: any open task with its dedupe token (ours or a colleague's).
    for (const item of items) {
      const payload = item.job.payload;
      if (payload.kind !== 'shared') continue;
      const page = await this.searchSharedTasks({ token: payload.dedupeToken, openOnly: true });
      const lowest = page.tasks.map((t) => t.id).sort(compareIds)[0];
      if (lowest) found.set(item.job.id, { id: lowest, ...this.urlFor(item) });
    }
    // Each object has its own search (POST /crm/v3/objects/{calls,notes,tasks,communications,
    // emails}/search in their specs); the marker is one token of the body.
    for (const kind of ENGAGEMENT_KINDS) {
      const ofKind = items.filter((i) => i.job.kind === kind);
      const property = BODY_PROPERTY[kind];
      // Five filter groups (OR) per search: HubSpot allows at most five.
      for (let i = 0; i < ofKind.length; i += 5) {
        const chunk = ofKind.slice(i, i + 5);
        const answer = await this.call({
          method: 'POST',
          path: `/crm/v3/objects/${OBJECT_PATH[kind]}/search`,
          json: {
            filterGroups: chunk.map((item) => ({
              filters: [{ propertyName: property, operator: 'CONTAINS_TOKEN', value: item.marker }],
            })),
            properties: [property],
            limit: 100,
            after: '0',
            sorts: [],
          },
          schema: SearchAnswer,
          idempotent: true,
        });
        for (const item of chunk) {
          const hit = answer.results.find((r) =>
            (r.properties[property] ?? '').includes(item.marker),
          );
          if (hit) found.set(item.job.id, { id: hit.id, url: this.contactUrl(item.contactId) });
        }
      }
    }
    return found;
  }
}

/** CRM ids are numbers written as text: the lowest is the shorter, then the smaller. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The account a HubSpot connection acts in. Its key (accountKeyOf) is the portal id; a
 * private app whose portal id was not entered is told apart by its lowest owner id (owner
 * ids are unique across portals).
 */
export function hubspotAccount(portalId: string | undefined, owners: CrmUser[]): CrmAccount {
  if (portalId) return { id: portalId, name: `HubSpot account ${portalId}`, key: portalId };
  const lowest = owners
    .map((o) => o.id)
    .sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
  return { id: '', name: 'HubSpot account', ...(lowest ? { key: `owners:${lowest}` } : {}) };
}

// ---------------------------------------------------------------------------------------
// OAuth with the firm's own HubSpot app

export function hubspotAuthorizeUrl(params: {
  clientId: string;
  redirectUri: string;
  state: string;
}): string {
  const url = new URL(HUBSPOT_AUTHORIZE_URL);
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
  url.searchParams.set('state', params.state);
  return url.toString();
}

const HUBSPOT_TOKEN_URL = `${HUBSPOT_API}/oauth/v3/token`;

/** Exchange the authorization code (POST /oauth/v3/token, form-encoded, with the secret). */
export async function exchangeHubSpotCode(
  params: { clientId: string; clientSecret: string; code: string; redirectUri: string },
  deps: OAuthHttpDeps = {},
): Promise<Omit<Extract<HubSpotCredentials, { auth: 'oauth' }>, 'account' | 'connectedAt'>> {
  const now = (deps.now ?? Date.now)();
  const data = await tokenGrant(HUBSPOT_TOKEN_URL, HubSpotTokenAnswer, codeGrant(params), deps);
  return {
    auth: 'oauth',
    clientId: params.clientId,
    clientSecret: params.clientSecret,
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    expiresAt: now + data.expires_in * 1000,
    ...(data.hub_id !== undefined ? { portalId: String(data.hub_id) } : {}),
  };
}

/** A new access token from the refresh token (HubSpot access tokens last 30 minutes). */
export function refreshHubSpotToken(
  credentials: Extract<HubSpotCredentials, { auth: 'oauth' }>,
  deps: OAuthHttpDeps = {},
): Promise<HubSpotCredentials> {
  return refreshOAuthTokens(HUBSPOT_TOKEN_URL, HubSpotTokenAnswer, credentials, deps);
}
