import { z } from 'zod';
import { AttemptMethod, Outcome, type Lead, type LeadCrmLink } from '../model';

/** The CRMs Callback Desk writes to. */
export const CRM_SYSTEMS = ['hubspot', 'clio'] as const;
export const CrmSystem = z.enum(CRM_SYSTEMS);
export type CrmSystem = z.infer<typeof CrmSystem>;

export const CRM_LABELS: Record<CrmSystem, string> = { hubspot: 'HubSpot', clio: 'Clio' };

/**
 * What one outbox job writes. `complete` closes the follow-up task of an earlier attempt
 * once a newer attempt is synced (an update, safe to repeat). `text` and `email` log a text
 * or email attempt on the contact (HubSpot communication / email, Clio communication).
 */
export const SYNC_KINDS = [
  'contact',
  'call',
  'note',
  'task',
  'complete',
  'text',
  'email',
  'shared',
  'sharedUpdate',
] as const;
export const SyncKind = z.enum(SYNC_KINDS);
export type SyncKind = z.infer<typeof SyncKind>;

/**
 * queued → syncing (request on its way, `sentAt` saved first) → synced | queued (retry) |
 * failed (needs the user: bad data, lost connection, too many tries).
 */
export const SYNC_STATES = ['queued', 'syncing', 'synced', 'failed'] as const;
export const SyncState = z.enum(SYNC_STATES);
export type SyncState = z.infer<typeof SyncState>;

export const ContactPayload = z.object({
  kind: z.literal('contact'),
  /** E.164. */
  phone: z.string().regex(/^\+\d{6,15}$/),
  firstName: z.string().max(120).optional(),
  lastName: z.string().max(120).optional(),
  source: z.string().max(80).optional(),
  practiceArea: z.string().max(80).optional(),
  /** Staff member who owns the new contact (mapped to a CRM owner at send time). */
  staffId: z.string().max(120).optional(),
  /** Also post a Clio Grow Lead Inbox lead (Clio only, when an inbox token is set). */
  growLead: z.boolean().optional(),
});
export type ContactPayload = z.infer<typeof ContactPayload>;

export const CallPayload = z.object({
  kind: z.literal('call'),
  at: z.number().int().nonnegative(),
  method: AttemptMethod,
  outcome: Outcome,
  title: z.string().max(500),
  body: z.string().max(60_000),
  /** The caller's number (E.164) — we called them back. */
  toNumber: z.string().max(40),
  /** The firm line that received the missed call, when known. */
  fromNumber: z.string().max(40).optional(),
  staffId: z.string().max(120).optional(),
});
export type CallPayload = z.infer<typeof CallPayload>;

export const NotePayload = z.object({
  kind: z.literal('note'),
  at: z.number().int().nonnegative(),
  subject: z.string().max(500),
  body: z.string().max(60_000),
  staffId: z.string().max(120).optional(),
});
export type NotePayload = z.infer<typeof NotePayload>;

export const TaskPayload = z.object({
  kind: z.literal('task'),
  dueAt: z.number().int().nonnegative(),
  subject: z.string().max(500),
  body: z.string().max(60_000),
  priority: z.enum(['high', 'normal', 'low']),
  staffId: z.string().max(120).optional(),
});
export type TaskPayload = z.infer<typeof TaskPayload>;

export const CompletePayload = z.object({
  kind: z.literal('complete'),
  /** The CRM id of the follow-up task to complete (its task job's remoteId). */
  taskId: z.string().min(1).max(40),
  /** The task job that created it. */
  taskJobId: z.string().min(1),
  staffId: z.string().max(120).optional(),
});
export type CompletePayload = z.infer<typeof CompletePayload>;

/**
 * The lead's one task in the firm's shared queue (utils/team/sharedTasks.ts renders it).
 * Created only after a search for `dedupeToken` finds no open task (another browser may
 * have made it): the lowest id found is adopted instead.
 */
export const SharedTaskPayload = z.object({
  kind: z.literal('shared'),
  /** Our lead key (from the call: provider call id, or caller + time). */
  key: z.string().min(1).max(200),
  /** One search token every browser derives the same way for this caller / call. */
  dedupeToken: z.string().regex(/^[a-z0-9]{4,80}$/),
  subject: z.string().max(500),
  /** Plain text, marker line included. */
  body: z.string().max(60_000),
  dueAt: z.number().int().nonnegative(),
  priority: z.enum(['high', 'normal', 'low']),
  /** Owner / assignee (the claimer or the assignee), mapped to a CRM user at send time. */
  staffId: z.string().max(120).optional(),
});
export type SharedTaskPayload = z.infer<typeof SharedTaskPayload>;

/** A change to a shared-queue task: claim (owner), attempts so far (body), done. */
export const SharedUpdatePayload = z.object({
  kind: z.literal('sharedUpdate'),
  taskId: z.string().min(1).max(40),
  op: z.enum(['claim', 'body', 'close', 'duplicate']),
  subject: z.string().max(500).optional(),
  body: z.string().max(60_000).optional(),
  done: z.boolean().optional(),
  /** Clio: the etag the change was based on (If-Match; 412 when someone changed it since). */
  etag: z.string().max(200).optional(),
  staffId: z.string().max(120).optional(),
});
export type SharedUpdatePayload = z.infer<typeof SharedUpdatePayload>;

/** Kinds that change an existing record (safe to repeat; never looked up, never batched). */
export function isUpdateKind(kind: SyncKind): boolean {
  return kind === 'complete' || kind === 'sharedUpdate';
}

/** Kinds of the shared queue: they attach to the contact when the lead has one, never wait. */
export function isSharedKind(kind: SyncKind): boolean {
  return kind === 'shared' || kind === 'sharedUpdate';
}

/** A text message sent to the caller (by staff, or the automatic text-back). */
export const TextPayload = z.object({
  kind: z.literal('text'),
  at: z.number().int().nonnegative(),
  /** Headline on the record (Clio subject; HubSpot shows the body only). */
  subject: z.string().max(500),
  /** The message as sent, then the attempt's facts. */
  body: z.string().max(60_000),
  /** The caller's number (E.164) the text went to. */
  toNumber: z.string().max(40),
  automatic: z.boolean(),
  staffId: z.string().max(120).optional(),
});
export type TextPayload = z.infer<typeof TextPayload>;

/** An email sent to the caller (the confirmation, or the cadence's email step). */
export const EmailPayload = z.object({
  kind: z.literal('email'),
  at: z.number().int().nonnegative(),
  subject: z.string().max(500),
  /** The email as sent (plain text). */
  body: z.string().max(60_000),
  /** The address it went to. */
  to: z.string().max(254),
  /** The staff member's address, when known (the sender in the CRM's email headers). */
  from: z.string().max(254).optional(),
  automatic: z.boolean(),
  staffId: z.string().max(120).optional(),
});
export type EmailPayload = z.infer<typeof EmailPayload>;

export const SyncPayload = z.discriminatedUnion('kind', [
  ContactPayload,
  CallPayload,
  NotePayload,
  TaskPayload,
  CompletePayload,
  TextPayload,
  EmailPayload,
  SharedTaskPayload,
  SharedUpdatePayload,
]);
export type SyncPayload = z.infer<typeof SyncPayload>;

/** One durable CRM write in the outbox (db.outbox). */
export const SyncJob = z.object({
  id: z.string().min(1),
  /** `${attemptId}:${system}:${kind}` (contact: `${leadId}:${system}:contact@${account}`); unique. */
  idempotencyKey: z.string().min(1),
  system: CrmSystem,
  kind: SyncKind,
  /**
   * The account (accountKeyOf) the job was queued for. Its contact id and any record it
   * refers to live there: sent with another account's connection, the job is re-matched.
   */
  account: z.string().optional(),
  leadId: z.string().min(1),
  attemptId: z.string().optional(),
  payload: SyncPayload,
  state: SyncState,
  tries: z.number().int().nonnegative(),
  nextTryAt: z.number(),
  lastError: z.string().optional(),
  lastErrorAt: z.number().optional(),
  /** Set (and saved) just before a create request leaves. */
  sentAt: z.number().optional(),
  /** The drainer run that sent it; another run finding it 'syncing' knows that run died. */
  sentBy: z.string().optional(),
  /**
   * The drain that marked it `syncing` (several drains may run in one worker, one at a time
   * holding the lease): only that drain records the answer, and once it has ended without
   * doing so, the job is recovered (looked up) at once.
   */
  claim: z.string().optional(),
  /** When a lookup last found nothing for it: a drain taken over leaves its lookups usable. */
  checkedAt: z.number().optional(),
  /**
   * An earlier request may have created the record (timeout, dropped connection, 5xx,
   * or the worker died before saving the answer): look it up before creating again.
   */
  maybeCreated: z.boolean(),
  /** When the uncertainty arose; lookups wait for the CRM's search index to catch up. */
  uncertainAt: z.number().optional(),
  /** Waiting on something only the user can give (a contact to attach to). */
  waitingFor: z.enum(['contact']).optional(),
  contactId: z.string().optional(),
  remoteId: z.string().optional(),
  remoteUrl: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  syncedAt: z.number().optional(),
});
export type SyncJob = z.infer<typeof SyncJob>;

/** A contact as a CRM returns it, reduced to what matching and display need. */
export interface CrmContact {
  id: string;
  name: string;
  /** Numbers exactly as the CRM stores them. */
  phones: string[];
  email?: string;
  url?: string;
  /** HubSpot `lifecyclestage` ("customer": a client) — utils/team/existingClient.ts. */
  lifecycleStage?: string;
  /** HubSpot `hubspot_owner_id`: the contact owner. */
  ownerId?: string;
  /** Clio `is_client`. */
  isClient?: boolean;
}

/**
 * Whether a contact became a client (the lead's disposition, read by the metrics,
 * utils/metrics/disposition.ts): HubSpot lifecycle stage Customer or a won deal; Clio a
 * matter opened for the contact.
 */
export interface CrmClientOutcome {
  retained: boolean;
  /** When, as far as the CRM says. */
  at?: number;
  /** In words, for the lead ("HubSpot: deal won", "Clio matter 00012-Smith opened"). */
  reason: string;
}

/** A Clio matter of a contact (its client): a contact with one is a client. */
export interface CrmMatter {
  id: string;
  displayNumber?: string;
  status?: string;
  /** Clio user id of the responsible attorney. */
  responsibleAttorneyId?: string;
}

/** A CRM user who can own calls and tasks (HubSpot owner, Clio user). */
export interface CrmUser {
  id: string;
  name: string;
  email?: string;
}

/** The account a connection acts as. */
export interface CrmAccount {
  /** HubSpot portal (hub) id, Clio user id. */
  id: string;
  name: string;
  email?: string;
  /**
   * Which records this connection sees (accountKeyOf): HubSpot the portal (hub) id (or, for
   * a private app whose portal id nobody entered, `owners:<lowest owner id>` — owner ids
   * are unique across portals), Clio `<region>:<firm account id>`. Connections saved before
   * keys existed have none: their `id` serves (HubSpot portal id, Clio user id).
   */
  key?: string;
}

/** The key links and jobs record: contact ids are only meaningful within it. */
export function accountKeyOf(account: Pick<CrmAccount, 'id' | 'key'>): string {
  return account.key ?? account.id;
}

/** Where a created record lives in the CRM. */
export interface RemoteRef {
  id: string;
  url?: string;
  /** Created, but something secondary went wrong (shown with the synced state). */
  warning?: string;
}

/** A job the drainer hands to a connector, with what it resolved at send time. */
export interface SendItem {
  job: SyncJob;
  contactId: string;
  /** CRM owner/user id for the staff member, when mapped. */
  ownerId?: string;
  /** The job's unique marker, written into the record so a lookup can find it. */
  marker: string;
}

/** The unique token written into every record we create (one word for search tokenizers). */
export function markerFor(job: Pick<SyncJob, 'id'>): string {
  return `cbd${job.id.replace(/[^a-zA-Z0-9]/g, '').toLowerCase()}`;
}

/**
 * A contact is created once per lead, CRM and account (a contact made in one HubSpot portal
 * is not in another); records of an attempt once per attempt and CRM.
 */
export function idempotencyKey(
  ref: { attemptId?: string; leadId: string },
  system: CrmSystem,
  kind: SyncKind,
  account?: string,
): string {
  return kind === 'contact'
    ? `${ref.leadId}:${system}:contact${account ? `@${account}` : ''}`
    : `${ref.attemptId ?? ref.leadId}:${system}:${kind}`;
}

// ---------------------------------------------------------------------------------------
// Types the message protocol (utils/messaging.ts) and the connectors share.

export const CLIO_REGIONS = ['us', 'eu', 'ca', 'au'] as const;
export const ClioRegion = z.enum(CLIO_REGIONS);
export type ClioRegion = z.infer<typeof ClioRegion>;

/** The CRM contact a lead is linked to (one per CRM and account). */
export type CrmLink = LeadCrmLink;

/**
 * The lead's contact in `system` for the connected account. A link recorded for another
 * account, or before accounts were recorded, does not count: the lead is matched again.
 */
export function crmLinkOf(
  lead: Pick<Lead, 'crmLinks'> | undefined,
  system: CrmSystem,
  account: string | undefined,
): CrmLink | undefined {
  return lead?.crmLinks?.find((l) => l.system === system && l.account === account);
}

/** The lead's links with `link` as its contact in that CRM and account (replacing the old). */
export function withCrmLink(lead: Pick<Lead, 'crmLinks'>, link: CrmLink): CrmLink[] {
  return [
    ...(lead.crmLinks ?? []).filter(
      (l) => !(l.system === link.system && l.account === link.account),
    ),
    link,
  ];
}

export interface TokenSession {
  current(): Promise<string>;
  /**
   * A 401 came back for `rejected`. Returns a token worth one more try (someone already
   * refreshed, or a refresh now worked), or null when only reconnecting can help.
   */
  afterUnauthorized(rejected: string): Promise<string | null>;
}

/**
 * What the pages may know about the CRM connections — never tokens (those are in
 * db.secrets). Written by the background on connect, disconnect and when a token is
 * refused; the options page and the sync panel watch it.
 */
export interface CrmConnectionInfo {
  system: CrmSystem;
  auth: 'private-app' | 'oauth';
  account: CrmAccount;
  region?: ClioRegion;
  portalId?: string;
  connectedAt: number;
  /** Set when the CRM refused the token: the user must reconnect. */
  problem?: string;
}

export type MatchResult =
  | { kind: 'linked'; link: CrmLink }
  | { kind: 'choose'; candidates: CrmContact[] }
  | { kind: 'none'; canCreate: boolean };
