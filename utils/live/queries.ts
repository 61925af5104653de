import { z } from 'zod';
import type { AdapterHealthRecord, CallbackDeskDB } from '../db';
import type { Attempt, Lead, LeadTexts, MessageJob, MissedCall } from '../model';
import type { SyncJob } from '../crm/model';
import type { MetricsStrip } from '../metrics/types';
import { computeStrip } from '../metrics/figures';
import { loadStripData } from '../metrics/load';
import { getMetricsSettings } from '../metrics/settings';

/**
 * Every database read the sidebar app makes, by name. The app runs each one either as a
 * Dexie live query in its own page (side panel, sidebar tab) or, in the in-page dock whose
 * storage the browser may block, through the background (utils/live/server.ts). Naming
 * them keeps that second path a closed list: a frame can ask for these reads and no others.
 *
 * Results cross a runtime port as JSON, so they hold plain data only (numbers for times).
 */
interface NamedQuery<Args extends z.ZodType, Result> {
  args: Args;
  run: (db: CallbackDeskDB, args: z.output<Args>) => Promise<Result>;
}

const query = <Args extends z.ZodType, Result>(
  args: Args,
  run: (db: CallbackDeskDB, args: z.output<Args>) => Promise<Result>,
): NamedQuery<Args, Result> => ({ args, run });

const NoArgs = z.object({}).strict();
const ForLead = z.object({ leadId: z.string().min(1).max(200) }).strict();

export const QUERIES = {
  /**
   * The open queue in due order. Only open leads carry openDueAt, so this index walk skips
   * history. `limit` reads just the head of the queue: the app paints that first, then the
   * rest. `complete` says whether these are all the open leads.
   */
  openLeads: query(
    z.object({ limit: z.number().int().min(1).max(1_000).optional() }).strict(),
    async (db, { limit }): Promise<{ leads: Lead[]; complete: boolean }> => {
      const ordered = db.leads.orderBy('openDueAt');
      if (!limit) return { leads: await ordered.toArray(), complete: true };
      // One extra row tells whether the head is the whole queue.
      const head = await ordered.limit(limit + 1).toArray();
      return { leads: head.slice(0, limit), complete: head.length <= limit };
    },
  ),
  /**
   * Leads that ran through the follow-up cadence without contact, most recent first (the
   * queue's "No contact" filter). Read through the status index: no table scan.
   */
  noContactLeads: query(
    // `enabled: false` reads nothing: the queue subscribes only while the filter is on.
    z.object({ enabled: z.boolean().optional() }).strict(),
    async (db, { enabled }): Promise<Lead[]> => {
      if (enabled === false) return [];
      const leads = await db.leads.where('status').equals('no-contact').toArray();
      return leads.sort((a, b) => (b.noContactAt ?? b.updatedAt) - (a.noContactAt ?? a.updatedAt));
    },
  ),
  /** How many leads are at No contact (the count beside the filter), from the index keys. */
  noContactCount: query(NoArgs, (db): Promise<number> =>
    db.leads.where('status').equals('no-contact').count(),
  ),
  /** One lead; null when it does not exist (deleted sample data, a stale link). */
  lead: query(
    ForLead,
    async (db, { leadId }): Promise<Lead | null> => (await db.leads.get(leadId)) ?? null,
  ),
  /** The lead's missed calls, newest first. */
  leadCalls: query(ForLead, (db, { leadId }): Promise<MissedCall[]> =>
    db.calls.where('leadId').equals(leadId).reverse().sortBy('startedAt'),
  ),
  /** The lead's callback attempts, newest first. */
  leadAttempts: query(ForLead, (db, { leadId }): Promise<Attempt[]> =>
    db.attempts.where('leadId').equals(leadId).reverse().sortBy('at'),
  ),
  /** The lead's CRM outbox jobs (their state is the lead's sync status). */
  leadSyncJobs: query(
    ForLead,
    // The outbox table's record type is loose on purpose; utils/outbox/outbox.ts writes SyncJobs.
    async (db, { leadId }): Promise<SyncJob[]> =>
      (await db.outbox.where('leadId').equals(leadId).toArray()) as unknown as SyncJob[],
  ),
  /** The lead's texts (the message outbox), newest first, and whether its number opted out. */
  leadTexts: query(ForLead, async (db, { leadId }): Promise<LeadTexts> => {
    const [lead, rows] = await Promise.all([
      db.leads.get(leadId),
      db.messages.where('leadId').equals(leadId).toArray(),
    ]);
    const optOut = lead && !lead.noCallbackNumber ? await db.optOuts.get(lead.phoneKey) : undefined;
    const texts = (rows as unknown as MessageJob[]).sort((a, b) => b.createdAt - a.createdAt);
    return { texts, optOut: optOut ?? null };
  }),
  /**
   * The sidebar's strip for today (firm time): missed calls, today's leads called back within
   * 15 minutes, open leads overdue at `minute` (the caller's clock, so the count follows time).
   */
  metricsStrip: query(
    z.object({ minute: z.number().int().nonnegative() }).strict(),
    async (db, { minute }): Promise<MetricsStrip> => {
      const settings = await getMetricsSettings();
      const data = await loadStripData(db, minute, settings.firm.timeZone);
      return computeStrip(data, settings, minute);
    },
  ),
  /** Portal capture health, most recently seen site first. */
  adapterHealth: query(NoArgs, (db): Promise<AdapterHealthRecord[]> =>
    db.adapterHealth.orderBy('lastSeenAt').reverse().toArray(),
  ),
};

type Queries = typeof QUERIES;
export type QueryName = keyof Queries;
export type QueryArgs<N extends QueryName> = z.input<Queries[N]['args']>;
export type QueryResult<N extends QueryName> = Awaited<ReturnType<Queries[N]['run']>>;

export const QUERY_NAMES = Object.keys(QUERIES) as [QueryName, ...QueryName[]];

/** Run a named query with arguments already checked (by the caller's types or by zod). */
export function runQuery<N extends QueryName>(
  db: CallbackDeskDB,
  name: N,
  args: QueryArgs<N>,
): Promise<QueryResult<N>> {
  const entry = QUERIES[name] as unknown as NamedQuery<z.ZodType, QueryResult<N>>;
  return entry.run(db, args);
}

// ---- The port protocol between an embedded sidebar and the background ----

/** `runtime.connect` name of the live-data port. */
export const LIVE_DATA_PORT = 'live-data';

/** Subscriptions one page may hold at once: the app needs about six. */
export const MAX_SUBSCRIPTIONS_PER_PORT = 64;

/**
 * A client pings this often while it is shown: Chrome keeps an extension service worker
 * alive while messages flow on a port (an idle port lets it stop after ~30 s).
 */
export const LIVE_DATA_HEARTBEAT_MS = 20_000;

const SubscriptionId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const LiveDataRequest = z.discriminatedUnion('op', [
  z
    .object({
      op: z.literal('subscribe'),
      id: SubscriptionId,
      name: z.enum(QUERY_NAMES),
      args: z.unknown(),
    })
    .strict(),
  z.object({ op: z.literal('unsubscribe'), id: SubscriptionId }).strict(),
  z.object({ op: z.literal('ping') }).strict(),
]);
export type LiveDataRequest = z.input<typeof LiveDataRequest>;

/** A subscription the background may run: the name is in the registry, the args fit it. */
export type ValidSubscription = {
  [N in QueryName]: { id: number; name: N; args: QueryArgs<N> };
}[QueryName];

export type LiveDataCommand =
  | { op: 'subscribe'; subscription: ValidSubscription }
  | { op: 'unsubscribe'; id: number }
  | { op: 'ping' };

/**
 * Check a message from a live-data port. A rejected subscribe whose id could be read says
 * which subscription it was, so the page can show that one read as failed.
 */
export function parseLiveDataRequest(
  message: unknown,
): { ok: true; command: LiveDataCommand } | { ok: false; id?: number; error: string } {
  const envelope = LiveDataRequest.safeParse(message);
  if (!envelope.success) {
    const id = SubscriptionId.safeParse((message as { id?: unknown } | null)?.id);
    return {
      ok: false,
      ...(id.success ? { id: id.data } : {}),
      error: `Invalid live-data request: ${z.prettifyError(envelope.error)}`,
    };
  }
  const request = envelope.data;
  if (request.op !== 'subscribe') return { ok: true, command: request };
  const args = QUERIES[request.name].args.safeParse(request.args ?? {});
  if (!args.success) {
    return {
      ok: false,
      id: request.id,
      error: `Invalid arguments for ${request.name}: ${z.prettifyError(args.error)}`,
    };
  }
  const subscription = { id: request.id, name: request.name, args: args.data };
  return {
    ok: true,
    command: { op: 'subscribe', subscription: subscription as ValidSubscription },
  };
}

/** What the background posts back: each new result of a subscription, or why it stopped. */
export type LiveDataReply =
  { id: number; value: unknown } | { id: number; error: string } | { error: string };
