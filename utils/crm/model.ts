import { z } from 'zod';
import { AttemptMethod, Outcome, type Lead } from '../model';

/** The CRMs Callback Desk writes to. */
export const CRM_SYSTEMS = ['hubspot', 'clio'] as const;
export const CrmSystem = z.enum(CRM_SYSTEMS);
export type CrmSystem = z.infer<typeof CrmSystem>;

export const CRM_LABELS: Record<CrmSystem, string> = { hubspot: 'HubSpot', clio: 'Clio' };

/** What one outbox job writes. */
export const SYNC_KINDS = ['contact', 'call', 'note', 'task'] as const;
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

export const SyncPayload = z.discriminatedUnion('kind', [
  ContactPayload,
  CallPayload,
  NotePayload,
  TaskPayload,
]);
export type SyncPayload = z.infer<typeof SyncPayload>;

/** One durable CRM write in the outbox (db.outbox). */
export const SyncJob = z.object({
  id: z.string().min(1),
  /** `${attemptId}:${system}:${kind}` (contact: `${leadId}:${system}:contact`); unique. */
  idempotencyKey: z.string().min(1),
  system: CrmSystem,
  kind: SyncKind,
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
  /**
   * The drain that marked it `syncing` (several drains may run in one worker, one at a time
   * holding the lease): only that drain records the answer, and once it has ended without
   * doing so, the job is recovered (looked up) at once.
   */
  claim: z.string().optional(),
  /** When a lookup last found nothing for it: a drain taken over leaves its lookups usable. */
  checkedAt: z.number().optional(),
export interface CrmContact {
  id: string;
  name: string;
  /** Numbers exactly as the CRM stores them. */
  phones: string[];
  email?: string;
  url?: string;
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

export function idempotencyKey(
  ref: { attemptId?: string; leadId: string },
  system: CrmSystem,
  kind: SyncKind,
): string {
  return kind === 'contact'
    ? `${ref.leadId}:${system}:contact`
    : `${ref.attemptId ?? ref.leadId}:${system}:${kind}`;
}

// ---------------------------------------------------------------------------------------
// Types the message protocol (utils/messaging.ts) and the connectors share.

export const CLIO_REGIONS = ['us', 'eu', 'ca', 'au'] as const;
export const ClioRegion = z.enum(CLIO_REGIONS);
export type ClioRegion = z.infer<typeof ClioRegion>;

/** The CRM contact a lead is linked to. */
export type CrmLink = NonNullable<Lead['crm']>;

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
