import type { CallbackDeskDB } from '../db';
import type { Attempt, Lead, MissedCall } from '../model';
import { FirmClock, MS } from './time';
import type {
  MetricsAttempt,
  MetricsCall,
  MetricsData,
  MetricsFilters,
  MetricsLead,
  MetricsRange,
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

/**
 * Read what the figures need for a range (usually loadRangeFor(filters)): the missed calls
 * that started in it (answered ones are not missed calls), the leads whose first missed call
 * is in it, the leads of its other calls, every lead still open, the answered-call counts of its days, the new callers answered live
 * and the survey answers. Attempts are read only for leads without an attempt summary
 * (written before version 8): those made since the range started (a lead's attempts all come
 * after its first missed call). Index reads; one read-only transaction.
 */
export async function loadMetricsData(
  db: CallbackDeskDB,
  range: MetricsRange,
): Promise<MetricsData> {
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
  return loadMetricsData(db, { from: start, to: now + MS.MINUTE });
}
