import type { CallbackDeskDB } from '../db';
import type { Attempt, CallStat, Lead, LiveCaller, MissedCall, SurveyAnswer } from '../model';
import { FirmClock, MS } from './time';
import type {
  MetricsAttempt,
  MetricsCall,
  MetricsData,
  MetricsFilters,
  MetricsLead,
  MetricsRange,
  MetricsResult,
} from './types';

/** Spike norms look at the same weekday in each of the 4 weeks before a day. */
export const NORM_WEEKS = 4;

/**
 * What to read for a date range: the range itself plus the 4 weeks before it (the spike
 * rule's norm). A day boundary in the firm's zone, so a DST change inside is exact.
 */
export function loadRangeFor(
  filters: Pick<MetricsFilters, 'from' | 'to'>,
  timeZone: string,
): MetricsRange {
  const clock = new FirmClock(timeZone);
  return { from: clock.startOfDay(clock.dayOf(filters.from) - 7 * NORM_WEEKS), to: filters.to };
}

/**
 * Every lead and call object gets the same properties in the same order (absent ones
 * undefined), so the figures' loops over 100,000 of them stay on the engine's fast path.
 */
function toLead(l: Lead): MetricsLead {
  return {
    id: l.id,
    status: l.status,
    source: l.source,
    practiceArea: l.practiceArea,
    assignee: l.assignee,
    noCallbackNumber: l.noCallbackNumber,
    firstMissedAt: l.firstMissedAt,
    dueAt: l.dueAt,
    overdueAt: l.overdueAt,
    closedAt: l.closedAt,
    closeOutcome: l.closeOutcome,
    answeredLaterAt: l.answeredLaterAt,
    noContactAt: l.noContactAt,
    existingClient: Boolean(l.existingClient),
    disposition: l.disposition,
    dispositionAt: l.dispositionAt,
    attemptCount: l.attemptCount ?? 0,
    attemptSummary: l.attemptSummary,
  };
}

function toCall(c: MissedCall): MetricsCall {
  return {
    leadId: c.leadId,
    startedAt: c.startedAt,
    capturePath: c.capturePath,
    alsoSeenBy: c.alsoSeenBy?.length ? c.alsoSeenBy : undefined,
    source: c.source,
    dialedLine: c.dialedLine,
  };
}

function toAttempt(a: Attempt): MetricsAttempt {
  const attempt: MetricsAttempt = {
    leadId: a.leadId,
    method: a.method,
    at: a.at,
    outcome: a.outcome,
  };
  if (a.by !== undefined) attempt.by = a.by;
  if (a.automatic) attempt.automatic = true;
  return attempt;
}

/** Above this many leads to look up one by one, one read of the whole table is faster. */
const BULK_GET_LIMIT = 2_000;

/** One IndexedDB request as a promise (resolved while its transaction is still active). */
function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * What one read of a time span found: missed calls by start time, the leads whose first
 * missed call is in it (by first missed call), and the other leads the figures need (open
 * ones, callers whose lead began earlier), each list in index order.
 */
interface Part {
  range: MetricsRange;
  calls: MetricsCall[];
  /** Lead ids of `calls`, in call order. */
  callLeadIds: string[];
  rangeLeads: MetricsLead[];
  /** Leads read by id or status (whatever their first missed call). */
  otherLeads: Map<string, MetricsLead>;
}

interface ReadOptions {
  /** Also the answered counts, live callers, surveys, earliest call and legacy attempts. */
  everything: boolean;
}

interface Extras {
  callStats: CallStat[];
  liveCallers: LiveCaller[];
  surveys: SurveyAnswer[];
  earliestCallAt: number | null;
  attempts: MetricsAttempt[];
}

/**
 * One read-only transaction over the stores needed, with plain IndexedDB `getAll` over index
 * ranges, every request issued at once (no per-record work in Dexie): the records are then
 * cut down to the fields the figures use.
 */
async function readPart(
  db: CallbackDeskDB,
  range: MetricsRange,
  options: ReadOptions,
  known: ReadonlyMap<string, MetricsLead> = new Map(),
): Promise<{ part: Part; extras: Extras | null }> {
  if (!db.isOpen()) await db.open();
  const idb = db.backendDB();
  const stores = options.everything
    ? ['calls', 'leads', 'attempts', 'callStats', 'liveCallers', 'surveys']
    : ['calls', 'leads'];
  const tx = idb.transaction(stores, 'readonly');
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('The read was aborted'));
  });
  // A failed request rejects its own promise first; this one is awaited at the end.
  done.catch(() => undefined);
  const span = IDBKeyRange.bound(range.from, range.to, false, true);
  const calls = tx.objectStore('calls');
  const leads = tx.objectStore('leads');
  const rawCallsP = request<MissedCall[]>(calls.index('startedAt').getAll(span));
  const rangeLeadsP = request<Lead[]>(leads.index('firstMissedAt').getAll(span));
  const openP = options.everything
    ? Promise.all([
        request<Lead[]>(leads.index('status').getAll('claimed')),
        request<Lead[]>(leads.index('status').getAll('open')),
      ])
    : Promise.resolve([[], []] as Lead[][]);
  let extrasP: Promise<[CallStat[], LiveCaller[], SurveyAnswer[], MissedCall[]]> | null = null;
  if (options.everything) {
    // Day labels around the range (the counts are kept per firm-local day).
    const fromDay = FirmClock.label(Math.floor((range.from - MS.DAY) / MS.DAY));
    const toDay = FirmClock.label(Math.floor((range.to + MS.DAY) / MS.DAY));
    extrasP = Promise.all([
      request<CallStat[]>(
        tx.objectStore('callStats').index('day').getAll(IDBKeyRange.bound(fromDay, toDay)),
      ),
      request<LiveCaller[]>(tx.objectStore('liveCallers').index('answeredAt').getAll(span)),
      request<SurveyAnswer[]>(
        tx.objectStore('surveys').index('at').getAll(IDBKeyRange.lowerBound(range.from)),
      ),
      request<MissedCall[]>(calls.index('startedAt').getAll(null, 1)),
    ]);
  }
  const [rawCalls, rawRangeLeads, [claimed, open]] = await Promise.all([
    rawCallsP,
    rangeLeadsP,
    openP,
  ]);
  const part: Part = {
    range,
    calls: [],
    callLeadIds: [],
    rangeLeads: rawRangeLeads.map(toLead),
    otherLeads: new Map(),
  };
  const inRange = new Set<string>();
  for (const l of part.rangeLeads) inRange.add(l.id);
  for (const l of claimed!) if (!inRange.has(l.id)) part.otherLeads.set(l.id, toLead(l));
  for (const l of open!) if (!inRange.has(l.id)) part.otherLeads.set(l.id, toLead(l));
  for (const c of rawCalls) {
    if (c.reason === 'answered') continue;
    part.calls.push(toCall(c));
    part.callLeadIds.push(c.leadId);
  }
  // Callers whose lead began before the range (they rang again in it).
  const missing: string[] = [];
  for (const id of new Set(part.callLeadIds)) {
    if (inRange.has(id) || part.otherLeads.has(id)) continue;
    const seen = known.get(id);
    if (seen) part.otherLeads.set(id, seen);
    else missing.push(id);
  }
  if (missing.length > BULK_GET_LIMIT) {
    const wanted = new Set(missing);
    for (const l of await request<Lead[]>(leads.getAll()))
      if (wanted.has(l.id)) part.otherLeads.set(l.id, toLead(l));
  } else if (missing.length > 0) {
    const found = await Promise.all(missing.map((id) => request<Lead | undefined>(leads.get(id))));
    for (const l of found) if (l) part.otherLeads.set(l.id, toLead(l));
  }
  let extras: Extras | null = null;
  if (extrasP) {
    const [callStats, liveCallers, surveys, first] = await extrasP;
    // Leads from before attempt summaries: their attempts.
    const legacy = new Set<string>();
    for (const l of part.rangeLeads) if (l.attemptCount && !l.attemptSummary) legacy.add(l.id);
    for (const l of part.otherLeads.values())
      if (l.attemptCount && !l.attemptSummary) legacy.add(l.id);
    let attempts: MetricsAttempt[] = [];
    const store = tx.objectStore('attempts');
    if (legacy.size > BULK_GET_LIMIT) {
      attempts = (
        await request<Attempt[]>(store.index('at').getAll(IDBKeyRange.lowerBound(range.from)))
      )
        .filter((a) => legacy.has(a.leadId))
        .map(toAttempt);
    } else if (legacy.size > 0) {
      const lists = await Promise.all(
        [...legacy].sort().map((id) => request<Attempt[]>(store.index('leadId').getAll(id))),
      );
      attempts = lists.flat().map(toAttempt);
    }
    extras = {
      callStats,
      liveCallers,
      surveys,
      earliestCallAt: first[0]?.startedAt ?? null,
      attempts,
    };
  }
  await done;
  return { part, extras };
}

/**
 * The figures' data from the parts read: calls in start order, the leads whose first missed
 * call is in the range in index order, then the others (open leads, earlier callers) by first
 * missed call — one order whatever the parts, so the figures do not depend on how it was read.
 */
function assemble(parts: Part[], extras: Extras): MetricsData {
  const sorted = [...parts].sort((a, b) => a.range.from - b.range.from);
  const range = { from: sorted[0]!.range.from, to: sorted[sorted.length - 1]!.range.to };
  const leads: MetricsLead[] = [];
  const ids = new Set<string>();
  for (const p of sorted) {
    for (const l of p.rangeLeads) {
      if (ids.has(l.id)) continue;
      ids.add(l.id);
      leads.push(l);
    }
  }
  const others = new Map<string, MetricsLead>();
  for (const p of sorted) for (const [id, l] of p.otherLeads) if (!ids.has(id)) others.set(id, l);
  const rest = [...others.values()].sort(
    (a, b) => a.firstMissedAt - b.firstMissedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  for (const l of rest) leads.push(l);
  const calls = sorted.length === 1 ? sorted[0]!.calls : sorted.flatMap((p) => p.calls);
  return {
    range,
    leads,
    calls,
    attempts: extras.attempts,
    callStats: extras.callStats,
    liveCallers: extras.liveCallers,
    surveys: extras.surveys,
    earliestCallAt: extras.earliestCallAt,
    loadedAt: Date.now(),
  };
}

/**
 * Read what the figures need for a range (usually loadRangeFor(filters)): the missed calls
 * that started in it (answered ones are not missed calls), the leads whose first missed call
 * is in it, the leads of its other calls, every lead still open, the answered-call counts of
 * its days, the new callers answered live and the survey answers. Attempts are read only for
 * leads without an attempt summary (written before version 8). Index reads; one read-only
 * transaction.
 */
export async function loadMetricsData(
  db: CallbackDeskDB,
  range: MetricsRange,
): Promise<MetricsData> {
  const { part, extras } = await readPart(db, range, { everything: true });
  return assemble([part], extras!);
}

/**
 * The dashboard's read in two steps. `first` reads the range shown: its figures, all but the
 * spike norms (no day has a norm yet). `complete` then reads the 4 weeks before it (missed
 * calls and their leads only: the answered counts, live callers and surveys of those weeks
 * are in no figure of the range) and gives the data loadMetricsData(loadRangeFor(range))
 * gives, so the figures computed from it are the same.
 */
export function phasedMetricsData(
  db: CallbackDeskDB,
  range: MetricsRange,
  timeZone: string,
): { first: Promise<MetricsData>; complete: Promise<MetricsData> } {
  const first = readPart(db, range, { everything: true });
  const complete = first.then(async ({ part, extras }) => {
    const full = loadRangeFor(range, timeZone);
    if (full.from >= range.from) return assemble([part], extras!);
    const known = new Map(part.otherLeads);
    for (const l of part.rangeLeads) known.set(l.id, l);
    const before = await readPart(
      db,
      { from: full.from, to: range.from },
      { everything: false },
      known,
    );
    return assemble([before.part, part], extras!);
  });
  return { first: first.then(({ part, extras }) => assemble([part], extras!)), complete };
}

/**
 * loadMetricsData through Dexie's queries, for a liveQuery (the sidebar strip): Dexie sees
 * which rows it read and runs it again when one changes (plain IndexedDB reads it cannot see).
 * The strip reads today only.
 */
async function loadObserved(db: CallbackDeskDB, range: MetricsRange): Promise<MetricsData> {
  return db.transaction(
    'r',
    [db.calls, db.leads, db.attempts, db.callStats, db.liveCallers, db.surveys],
    async () => {
      // Day labels around the range (the counts are kept per firm-local day).
      const fromDay = FirmClock.label(Math.floor((range.from - MS.DAY) / MS.DAY));
      const toDay = FirmClock.label(Math.floor((range.to + MS.DAY) / MS.DAY));
      const [rawCalls, openLeads, rangeLeads, callStats, liveCallers, surveys, earliest] =
        await Promise.all([
          db.calls.where('startedAt').between(range.from, range.to, true, false).toArray(),
          db.leads.where('status').anyOf('open', 'claimed').toArray(),
          db.leads.where('firstMissedAt').between(range.from, range.to, true, false).toArray(),
          db.callStats.where('day').between(fromDay, toDay, true, true).toArray(),
          db.liveCallers.where('answeredAt').between(range.from, range.to, true, false).toArray(),
          db.surveys.where('at').aboveOrEqual(range.from).toArray(),
          db.calls.orderBy('startedAt').first(),
        ]);
      const calls: MetricsCall[] = [];
      const leadIds = new Set<string>();
      for (const c of rawCalls) {
        if (c.reason === 'answered') continue;
        calls.push(toCall(c));
        leadIds.add(c.leadId);
      }
      const leads = new Map<string, MetricsLead>();
      for (const l of openLeads) leads.set(l.id, toLead(l));
      for (const l of rangeLeads) if (!leads.has(l.id)) leads.set(l.id, toLead(l));
      // Callers whose lead began before the range (they rang again in it).
      const missing = [...leadIds].filter((id) => !leads.has(id));
      if (missing.length > BULK_GET_LIMIT) {
        const wanted = new Set(missing);
        for (const l of await db.leads.toArray()) if (wanted.has(l.id)) leads.set(l.id, toLead(l));
      } else if (missing.length > 0) {
        for (const l of await db.leads.bulkGet(missing)) if (l) leads.set(l.id, toLead(l));
      }
      // Leads from before attempt summaries: their attempts.
      const legacy = new Set<string>();
      for (const l of leads.values()) if (l.attemptCount && !l.attemptSummary) legacy.add(l.id);
      let attempts: MetricsAttempt[] = [];
      if (legacy.size > BULK_GET_LIMIT) {
        attempts = (await db.attempts.where('at').aboveOrEqual(range.from).toArray())
          .filter((a) => legacy.has(a.leadId))
          .map(toAttempt);
      } else if (legacy.size > 0) {
        attempts = (
          await db.attempts
            .where('leadId')
            .anyOf([...legacy])
            .toArray()
        ).map(toAttempt);
      }
      return {
        range,
        leads: [...leads.values()],
        calls,
        attempts,
        callStats,
        liveCallers,
        surveys,
        earliestCallAt: earliest?.startedAt ?? null,
        loadedAt: Date.now(),
      };
    },
  );
}

/** What the sidebar strip needs: today's calls and attempts, and every open lead. */
export async function loadStripData(
  db: CallbackDeskDB,
  now: number,
  timeZone: string,
): Promise<MetricsData> {
  const clock = new FirmClock(timeZone);
  const start = clock.startOfDay(clock.dayOf(now));
  return loadObserved(db, { from: start, to: now + MS.MINUTE });
}

/**
 * Figures computed from the first step of phasedMetricsData: a day whose 4 weeks before
 * were not all read yet has no norm and no spike until the complete read (its norm would
 * count fewer weeks). Later days of a long range keep theirs: those weeks were read.
 */
export function withPendingNorms<R extends Pick<MetricsResult, 'missedCalls'>>(
  result: R,
  readFrom: number,
  timeZone: string,
): R & { normsPendingDays: number } {
  const clock = new FirmClock(timeZone);
  const firstFinal = clock.dayOf(readFrom) + 7 * NORM_WEEKS;
  let pending = 0;
  const byDay = result.missedCalls.byDay.map((row) => {
    if (FirmClock.dayOfLabel(row.day) >= firstFinal) return row;
    pending++;
    return { ...row, norm: null, spike: false };
  });
  return {
    ...result,
    missedCalls: { ...result.missedCalls, byDay, spikes: byDay.filter((d) => d.spike) },
    normsPendingDays: pending,
  };
}
