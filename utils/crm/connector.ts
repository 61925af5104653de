import type { z } from 'zod';
import {
  AuthError,
  request,
  type HttpResponse,
  type LimiterStore,
  type RequestOptions,
} from '../http';
import {
  CRM_LABELS,
  type CrmAccount,
  type CrmContact,
  type CrmClientOutcome,
  type CrmMatter,
  type CrmSystem,
  type CrmUser,
  type RemoteRef,
  type SendItem,
  type SyncKind,
} from './model';
import type { TokenSession } from './model';

/**
 * One CRM behind one interface. Connectors only talk to the CRM (through utils/http.ts);
 * the outbox decides when, how often and in what order. Creates are never retried inside
 * a connector: only the outbox, which remembers what it sent, may repeat a write.
 */
export interface Connector {
  readonly system: CrmSystem;
  /**
   * How long after an uncertain create the CRM's lookups can be trusted (HubSpot's search
   * index lags a few seconds behind writes).
   */
  readonly lookupSettleMs: number;
  /**
   * How long after an uncertain create a lookup that finds nothing is not yet trusted: the
   * outbox looks again, backing off, until then (HubSpot's search index can lag minutes).
   */
  readonly lookupPatienceMs?: number;
  /** The account this connection sees (accountKeyOf); jobs and links record it. */
  readonly accountKey?: string;
  /** Most records of one kind a single create request carries (1 = no batch endpoint). */
  readonly maxBatch: number;

  whoAmI(): Promise<CrmAccount>;
  /** Owners (HubSpot) / users (Clio) that calls and tasks can be assigned to. */
  listUsers(): Promise<CrmUser[]>;
  /** Contacts that may have the number; the caller filters exact matches (matching.ts). */
  findContactsByPhone(e164: string): Promise<CrmContact[]>;
  /** Clio: the contact's matters as client (existing-client check, utils/team/existingClient.ts). */
  clientMatters?(contactId: string): Promise<CrmMatter[]>;
  /**
   * Did the contact become a client on or after `since` (a lead's first missed call)? The
   * lead's disposition for the metrics (utils/metrics/disposition.ts). A read: safe to repeat.
   */
  clientOutcome?(contactId: string, since: number): Promise<CrmClientOutcome>;
  createContact(item: SendItem): Promise<RemoteRef & { name: string }>;
  logCall(item: SendItem): Promise<RemoteRef>;
  addNote(item: SendItem): Promise<RemoteRef>;
  createTask(item: SendItem): Promise<RemoteRef>;
  /** Mark an earlier follow-up task complete (an update: safe to repeat). */
  completeTask(item: SendItem): Promise<RemoteRef>;
  /** Log a text message sent to the contact (HubSpot communication, Clio communication). */
  logText(item: SendItem): Promise<RemoteRef>;
  /** Log an email sent to the contact (HubSpot email, Clio EmailCommunication). */
  logEmail(item: SendItem): Promise<RemoteRef>;
  /**
   * Create several records of one kind in one request. A job in neither `created` nor
   * `rejected` has an unknown fate (look it up before trying again).
   */
  createMany?(kind: Exclude<SyncKind, 'contact'>, items: SendItem[]): Promise<BatchOutcome>;
  /**
   * The CRM contact a contact job would create, if it exists already (made by someone else,
   * or by an earlier request of ours whose answer was lost): the exact phone matches.
   */
  matchContact(item: SendItem): Promise<ContactMatch>;
  /**
   * Find records an earlier, unanswered request may have created, by the job's marker
   * (HubSpot) or external property (Clio), texts and emails included. Job id → record;
   * missing = not created.
   */
  findExisting(items: SendItem[]): Promise<Map<string, RemoteRef>>;
  /** The contact's page in the CRM's web app. */
  contactUrl(contactId: string): string | undefined;
  /**
   * Whether the contact is still there (false only when the CRM says it is not: 404). Asked
   * after a record attached to it was refused: a contact deleted under the lead's link.
   */
  contactExists?(contactId: string): Promise<boolean>;

  // The shared queue (utils/team/shared*.ts): one task per lead, read by every browser.
  /**
   * Tasks carrying `token` (one word in the body), changed after `changedSince` (epoch ms)
   * when given, oldest change first, one page at a time (`after` from the previous page).
   */
  searchSharedTasks?(query: SharedTaskQuery): Promise<SharedTaskPage>;
  /** One task as it is now; null when it was deleted (404). */
  readSharedTask?(taskId: string): Promise<SharedTaskRecord | null>;
  /** Outbox kind `shared`: search for an open task with the dedupe token, else create. */
  createSharedTask?(item: SendItem): Promise<RemoteRef>;
  /** Outbox kind `sharedUpdate`: claim, new body, close (a PATCH: safe to repeat). */
  updateSharedTask?(item: SendItem): Promise<RemoteRef>;
}

export interface SharedTaskQuery {
  token: string;
  changedSince?: number;
  /** Only tasks not completed. */
  openOnly?: boolean;
  after?: string;
  limit?: number;
}

/** A shared-queue task as the CRM has it now. */
export interface SharedTaskRecord {
  id: string;
  subject: string;
  /** Plain text (HubSpot's HTML body read back as text). */
  body: string;
  done: boolean;
  /** HubSpot owner id / Clio assignee user id. */
  ownerId?: string;
  ownerName?: string;
  /** When the CRM last changed it (epoch ms): the read cursor moves on this. */
  updatedAt: number;
  /** Clio's etag (If-Match on the next change); HubSpot has none. */
  etag?: string;
  dueAt?: number;
}

export interface SharedTaskPage {
  tasks: SharedTaskRecord[];
  /** More changed tasks: ask again with this. */
  next?: string;
}

/** Clio refused a change made against an old etag (412): someone changed the task first. */
export const PRECONDITION_FAILED = 'changed-by-someone-else';

/** Contacts with a contact job's number: none, exactly one, or several to choose from. */
export type ContactMatch =
  | { kind: 'none' }
  | { kind: 'single'; ref: RemoteRef & { name: string } }
  | { kind: 'several'; count: number };

export function contactMatchOf(candidates: CrmContact[]): ContactMatch {
  const [first] = candidates;
  if (!first) return { kind: 'none' };
  if (candidates.length > 1) return { kind: 'several', count: candidates.length };
  return {
    kind: 'single',
    ref: { id: first.id, name: first.name, ...(first.url ? { url: first.url } : {}) },
  };
}

/** The answer to a batch create, per job. */
export interface BatchOutcome {
  /** Job id → the record created for it. */
  created: Map<string, RemoteRef>;
  /** Job id → why the CRM refused that record ("400: …"); nothing was created for it. */
  rejected: Map<string, string>;
  /** Refusals the answer did not tie to a record, each as "400: …". */
  unattributed: string[];
}

/** What every connector needs from its surroundings; tests and the benchmark inject these. */
export interface ConnectorDeps {
  session: TokenSession;
  limiterStore: LimiterStore;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Longest in-process wait for a rate limit before giving the job back to the outbox. */
  maxWaitMs?: number;
  timeoutMs?: number;
}

/**
 * The token was refused, refreshing did not help (or is impossible for a private-app
 * token): only the user can fix it. The outbox fails the system's jobs with this message.
 */
export class ReconnectError extends Error {
  override name = 'ReconnectError';
  system: CrmSystem;
  constructor(system: CrmSystem, message: string) {
    super(message);
    this.system = system;
  }
}

/**
 * The stored connection now acts in another account than the one this connector was made
 * for (the user connected another HubSpot portal or Clio account meanwhile): nothing was
 * sent. Contact ids of the old account mean nothing (or someone else) in the new one, so
 * the outbox puts the jobs back to be matched in the new account.
 */
export class AccountChangedError extends Error {
  override name = 'AccountChangedError';
  system: CrmSystem;
  constructor(system: CrmSystem) {
    super(`${CRM_LABELS[system]} was connected to another account meanwhile.`);
    this.system = system;
  }
}

/** The one message for a token only reconnecting can fix (the options page keys on it). */
export function reconnect(system: CrmSystem): ReconnectError {
  return new ReconnectError(
    system,
    `Reconnect ${CRM_LABELS[system]}: it no longer accepts the saved token.`,
  );
}

/**
 * One request to a CRM with the session's access token, for every caller that holds the
 * CRM connection (sync, matching, call-log polling). A 401 is never processed, so one
 * refresh and one more try are safe even for creates; a second 401, or a token that cannot
 * be refreshed, is for the user to fix (ReconnectError).
 */
export async function sessionRequest<S extends z.ZodType>(
  system: CrmSystem,
  deps: ConnectorDeps,
  options: Omit<RequestOptions<S>, 'fetch' | 'now' | 'sleep' | 'random'>,
): Promise<HttpResponse<z.output<S>>> {
  const send = (token: string) =>
    request({
      ...options,
      headers: { ...options.headers, Authorization: `Bearer ${token}` },
      maxWaitMs: options.maxWaitMs ?? deps.maxWaitMs,
      timeoutMs: options.timeoutMs ?? deps.timeoutMs,
      fetch: deps.fetch,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
    });
  const token = await deps.session.current();
  try {
    return await send(token);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const fresh = await deps.session.afterUnauthorized(token);
    if (!fresh) throw reconnect(system);
    try {
      return await send(fresh);
    } catch (again) {
      throw again instanceof AuthError ? reconnect(system) : again;
    }
  }
}

export function createRecord(connector: Connector, item: SendItem): Promise<RemoteRef> {
  switch (item.job.kind) {
    case 'contact':
      return connector.createContact(item);
    case 'call':
      return connector.logCall(item);
    case 'note':
      return connector.addNote(item);
    case 'task':
      return connector.createTask(item);
    case 'complete':
      return connector.completeTask(item);
    case 'text':
      return connector.logText(item);
    case 'email':
      return connector.logEmail(item);
    case 'shared':
      if (!connector.createSharedTask) throw new Error('This CRM has no shared queue.');
      return connector.createSharedTask(item);
    case 'sharedUpdate':
      if (!connector.updateSharedTask) throw new Error('This CRM has no shared queue.');
      return connector.updateSharedTask(item);
  }
}
