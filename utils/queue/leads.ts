import Dexie from 'dexie';
import type { CountryCode } from 'libphonenumber-js';
import type { CallbackDeskDB } from '../db';
import { callKeyOf, isNewsForStoredCall, isSameCall, mergeSighting } from './dedupe';
import { mergeVoicemail, voicemailOf } from '../capture/sources/voicemail';
import {
  AttemptInput,
  CLOSING_OUTCOMES,
  IncomingCall,
  LeadPatch,
  type Attempt,
  type Lead,
  type MissedCall,
  type ParsedIncomingCall,
} from '../model';
import { cadenceOf, nextAttemptDue, roundStartOf, stepsDoneOf } from './cadence';
import { normalizePhone, type NormalizedPhone } from '../phone';
import { computeDue, windowsFor } from './sla';
import type { FirmSettings, SlaWindows, SourceRule } from '../settings';
import { ANSWERED_KEPT_MS, checkCallTime, describeCallIssue, type CallIssue } from '../callLimits';
import { countAnsweredCalls, type AnsweredForStats } from '../metrics/callStats';
import { withAttempt } from '../metrics/attemptSummary';
import {
  assignLead,
  parseRoundRobin,
  REASON_BY_HAND,
  ROUND_ROBIN_CURSOR,
} from '../team/assignment';
import type { AnsweredCall, CapturedCall, CaptureResult } from '../model';

export type { CapturedCall, CaptureResult };

/** Caller-ID strings that are not a name. */
const NOT_A_NAME = /^(wireless caller|unknown|anonymous|restricted|private|[+\d\s().-]+)$/i;

/**
 * normalizePhone, remembered: parsing a number takes libphonenumber a few microseconds, and
 * an import or a poll sees the same callers and lines again and again. Bounded.
 */
const phoneMemo = new Map<string, NormalizedPhone>();
export function normalizeCaller(raw: string, country: CountryCode): NormalizedPhone {
  const key = `${country}|${raw}`;
  let normalized = phoneMemo.get(key);
  if (!normalized) {
    normalized = normalizePhone(raw, country);
    if (phoneMemo.size >= 50_000) phoneMemo.clear();
    phoneMemo.set(key, normalized);
  }
  return normalized;
}

/** Source rules keyed by their normalised line, for matching a call's dialled number. */
export function sourceRuleMatcher(
  settings: FirmSettings,
): (dialedLine: string | undefined) => SourceRule | undefined {
  const country = settings.defaultCountry as CountryCode;
  const byLine = new Map<string, SourceRule>();
  for (const rule of settings.sourceRules) {
    const e164 = normalizePhone(rule.line, country).e164;
    if (e164 && !byLine.has(e164)) byLine.set(e164, rule);
  }
  return (dialedLine) => {
    if (!dialedLine || byLine.size === 0) return undefined;
    const dialed = normalizeCaller(dialedLine, country).e164;
    return dialed ? byLine.get(dialed) : undefined;
  };
}

export function sourceRuleFor(
  settings: FirmSettings,
  dialedLine: string | undefined,
): SourceRule | undefined {
  return sourceRuleMatcher(settings)(dialedLine);
}

function openIndexes(lead: Lead): Lead {
  // Only leads waiting for a callback carry the open-queue indexes: closed and No contact
  // leads are neither listed in the queue nor counted overdue by the badge.
  if (lead.status !== 'open' && lead.status !== 'claimed') {
    delete lead.openDueAt;
    delete lead.openOverdueAt;
  } else {
    lead.openDueAt = lead.dueAt;
    lead.openOverdueAt = lead.overdueAt;
  }
  return lead;
}

type ValidCall = ParsedIncomingCall & {
  phoneKey: string | null;
  normalized: NormalizedPhone;
  index: number;
  /** A CSV call older than 90 days: stored as history, never queued. */
  history: boolean;
};

/** "field: sentence" per problem, so the manual form can put each next to its field. */
function describeIssues(error: { issues: readonly CallIssue[] }): string {
  return error.issues
    .map((i) => `${i.path.map(String).join('.') || 'call'}: ${describeCallIssue(i)}`)
    .join('; ');
}

export interface CaptureHints {
  /**
   * Provider keys the caller looked up just before and found on no stored call (a CSV
   * import checks the whole file at once): capture does not look them up again. A call
   * another path stores meanwhile is still caught as the same caller within the window.
   */
  unstoredProviderKeys?: ReadonlySet<string>;
}

/**
 * Store missed calls: validate, normalise, drop duplicates (same provider id, or the same
 * caller within the dedupe window, also across paths), attach repeat calls to the caller's
 * open lead, or open a new lead with its due times. One transaction per call batch, so a
 * failure writes nothing of the batch. Everything the batch needs is read with three
 * indexed queries up front and written with two bulk writes, so large imports stay fast.
 */
export async function captureCalls(
  db: CallbackDeskDB,
  settings: FirmSettings,
  input: unknown[],
  now: number = Date.now(),
  hints: CaptureHints = {},
): Promise<CaptureResult> {
  const result: CaptureResult = {
    added: [],
    duplicates: 0,
    answeredClosed: 0,
    ignored: 0,
    rejected: [],
  };
  const country = settings.defaultCountry as CountryCode;
  const windowMs = settings.dedupeWindowSeconds * 1000;
  const ruleFor = sourceRuleMatcher(settings);

  const valid: ValidCall[] = [];
  input.forEach((raw, index) => {
    const parsed = IncomingCall.safeParse(raw);
    if (!parsed.success) {
      result.rejected.push({ index, error: describeIssues(parsed.error) });
      return;
    }
    const time = checkCallTime(parsed.data.startedAt, now, {
      history: parsed.data.capturePath === 'csv',
      timeZone: settings.timeZone,
    });
    if (!time.ok) {
      result.rejected.push({ index, error: `startedAt: ${time.reason}` });
      return;
    }
    const normalized = normalizeCaller(parsed.data.from, country);
    valid.push({
      ...parsed.data,
      phoneKey: normalized.e164,
      normalized,
      index,
      history: time.history,
    });
  });
  if (valid.length === 0) return result;
  const keepAnsweredFrom = now - Math.max(ANSWERED_KEPT_MS, windowMs);

  // callStats, answeredSeen, liveCallers: answered calls counted for the metrics.
  const tables = [db.leads, db.calls, db.answeredCalls, db.cursors, db.callStats];
  await db.transaction('rw', [...tables, db.answeredSeen, db.liveCallers], async () => {
    // Team assignment (utils/team/assignment.ts): round robin's state is one cursor row,
    // read and written in this transaction, so two captures at once never share a turn.
    const roundRobinRow = settings.staff.length
      ? await db.cursors.get(ROUND_ROBIN_CURSOR)
      : undefined;
    const roundRobinBefore = parseRoundRobin(roundRobinRow?.cursor);
    let roundRobin = roundRobinBefore;
    const providerKeys = [
      ...new Set(
        valid
          .map(callKeyOf)
          .filter((k): k is string => k !== undefined && !hints.unstoredProviderKeys?.has(k)),
      ),
    ];
    const phoneKeys = [...new Set(valid.map((c) => c.phoneKey).filter((k) => k !== null))];
    // Answered calls new to the desk, counted for the metrics (utils/metrics/callStats.ts).
    const answeredForStats: AnsweredForStats[] = [];
    const forStats = (call: ValidCall, key: string | undefined, newCaller: boolean) => {
      const line = call.dialedLine
        ? (normalizeCaller(call.dialedLine, country).e164 ?? call.dialedLine)
        : '';
      answeredForStats.push({
        key: key ?? `${call.phoneKey}:${call.startedAt}`,
        startedAt: call.startedAt,
        line,
        source: call.source ?? ruleFor(call.dialedLine)?.source ?? '',
        path: call.capturePath,
        ...(newCaller && call.phoneKey ? { newCallerPhoneKey: call.phoneKey } : {}),
      });
    };
    const [knownByProvider, knownNearby, callerLeads, answeredBefore] = await Promise.all([
      findByProviderKeys(providerKeys),
      findNearby(valid, windowMs),
      findCallerLeads(phoneKeys),
      // Every caller's (answered ones too: another sighting of an answered call is not
      // counted again in the metrics).
      readAll<AnsweredCall>('answeredCalls', 'phoneKey', phoneKeys),
    ]);

    // The batch's working set; it sees its own additions, so a duplicate inside the batch is
    // caught (and merged) exactly like one already stored.
    const callsByProviderKey = new Map<string, MissedCall>();
    const callsByPhone = new Map<string, MissedCall[]>();
    const remember = (c: MissedCall) => {
      if (c.providerKey) callsByProviderKey.set(c.providerKey, c);
      const list = callsByPhone.get(c.phoneKey);
      if (list) list.push(c);
      else callsByPhone.set(c.phoneKey, [c]);
    };
    // One object per stored call, so merges into it from several sightings all land.
    const knownById = new Map([...knownByProvider, ...knownNearby].map((c) => [c.id, c]));
    for (const c of knownById.values()) remember(c);
    const openLeadByPhone = new Map<string, Lead>();
    // Every lead of the batch's callers, closed ones too, as last saved in the batch.
    const leadsByPhone = new Map<string, Map<string, Lead>>();
    const rememberLead = (lead: Lead) => {
      const leads = leadsByPhone.get(lead.phoneKey);
      if (leads) leads.set(lead.id, lead);
      else leadsByPhone.set(lead.phoneKey, new Map([[lead.id, lead]]));
    };
    for (const lead of callerLeads) {
      rememberLead(lead);
      // A caller's lead in the queue wins over one left at No contact (which a new call
      // reopens when it has no lead in the queue).
      const known = openLeadByPhone.get(lead.phoneKey);
      if (lead.status !== 'done' && (!known || known.status === 'no-contact'))
        openLeadByPhone.set(lead.phoneKey, lead);
    }
    // Answered calls that closed no lead (stored, and seen in this batch), per caller.
    const answeredByPhone = new Map<string, AnsweredCall[]>();
    const rememberAnswered = (a: AnsweredCall) => {
      const list = answeredByPhone.get(a.phoneKey);
      if (list) list.push(a);
      else answeredByPhone.set(a.phoneKey, [a]);
    };
    for (const a of answeredBefore) if (a.startedAt >= keepAnsweredFrom) rememberAnswered(a);
    const newAnswered = new Map<string, AnsweredCall>();
    const deletedAnswered = new Set<string>();
    const changedCalls = new Map<string, MissedCall>();
    const changedLeads = new Map<string, Lead>();
    const saveLead = (lead: Lead) => {
      changedLeads.set(lead.id, openIndexes(lead));
      rememberLead(lead);
      if (lead.status === 'done') openLeadByPhone.delete(lead.phoneKey);
      else openLeadByPhone.set(lead.phoneKey, lead);
    };
    const saveCall = (c: MissedCall) => {
      changedCalls.set(c.id, c);
      remember(c);
    };

    for (const call of valid) {
      const providerKey = callKeyOf(call);
      const known =
        (providerKey ? callsByProviderKey.get(providerKey) : undefined) ??
        (call.phoneKey
          ? callsByPhone.get(call.phoneKey)?.find((c) => isSameCall(c, call, windowMs))
          : undefined);
      if (known) {
        result.duplicates++;
        const merged: MissedCall = { ...known, alsoSeenBy: mergeSighting(known, call.capturePath) };
        if (!merged.callerName && call.callerName) merged.callerName = call.callerName;
        if (!merged.dialedLine && call.dialedLine) merged.dialedLine = call.dialedLine;
        // The record changed since it was first read: e.g. Aircall ends a call as
        // out_of_opening_hours (or abandoned, busy) and its voicemail appears later.
        if (isNewsForStoredCall(known.reason, call.reason)) merged.reason = call.reason;
        // A voicemail's transcript or recording read late attaches to the call it belongs to.
        const voicemail = mergeVoicemail(known.voicemail, voicemailOf(call));
        if (voicemail) merged.voicemail = voicemail;
        const changed =
          merged.alsoSeenBy !== known.alsoSeenBy ||
          merged.callerName !== known.callerName ||
          merged.dialedLine !== known.dialedLine ||
          merged.reason !== known.reason ||
          merged.voicemail !== known.voicemail;
        // A plain re-read (an import run twice) writes nothing.
        if (changed) {
          Object.assign(known, merged);
          changedCalls.set(known.id, known);
        }
        continue;
      }
      if (call.reason !== 'answered' && call.phoneKey && !call.history) {
        // The caller was already reached after this call (it was back-filled by an import
        // or a late poll, or it is the missed leg of a group call someone answered): it
        // joins that closed lead as history, without reopening it. A genuinely new call
        // (after the contact) opens or joins a lead as usual.
        const reachedLead = closedLeadReachedAfter(
          leadsByPhone.get(call.phoneKey)?.values(),
          call.startedAt,
          windowMs,
        );
        if (reachedLead) {
          const name =
            call.callerName && !NOT_A_NAME.test(call.callerName) ? call.callerName : undefined;
          const source = call.source ?? ruleFor(call.dialedLine)?.source;
          saveLead(
            withDefined(
              {
                ...reachedLead,
                missedCount: reachedLead.missedCount + 1,
                lastMissedAt: Math.max(reachedLead.lastMissedAt, call.startedAt),
                firstMissedAt: Math.min(reachedLead.firstMissedAt, call.startedAt),
                updatedAt: now,
              },
              {
                name: reachedLead.name ?? name,
                source: reachedLead.source ?? source,
                practiceArea: reachedLead.practiceArea ?? call.practiceArea,
              },
            ),
          );
          saveCall(toMissedCall({ ...call, source }, reachedLead.id, reachedLead.phoneKey, now));
          result.alreadyAnswered = (result.alreadyAnswered ?? 0) + 1;
          continue;
        }
      }
      const openLead = call.phoneKey ? openLeadByPhone.get(call.phoneKey) : undefined;

      if (call.reason === 'answered') {
        // A caller who got through later needs no callback: close their lead and say why.
        // "Later" allows the dedupe window: a group call's answered leg may be logged as
        // starting a moment before the missed leg of the same call.
        if (openLead && openLead.lastMissedAt <= call.startedAt + windowMs) {
          saveCall(toMissedCall(call, openLead.id, openLead.phoneKey, now));
          saveLead({
            ...openLead,
            status: 'done',
            closedAt: now,
            closeOutcome: 'reached',
            answeredLaterAt: call.startedAt,
            updatedAt: now,
          });
          result.answeredClosed++;
          // A lead opened only by a leg of this very call (a group ring whose missed leg was
          // read first) is no earlier contact: the caller is new, as when the answered leg
          // comes first (utils/metrics/figures.ts leaves such a lead out).
          const onlyThisCall =
            Math.abs(openLead.firstMissedAt - call.startedAt) <= windowMs &&
            (leadsByPhone.get(openLead.phoneKey)?.size ?? 0) <= 1;
          forStats(call, providerKey, onlyThisCall);
        } else {
          result.ignored++;
          // Counted unless it is another sighting of an answered call of this caller.
          const sighting = call.phoneKey
            ? answeredByPhone
                .get(call.phoneKey)
                ?.some((a) => Math.abs(a.startedAt - call.startedAt) <= windowMs)
            : false;
          if (!sighting) {
            forStats(call, providerKey, Boolean(call.phoneKey && !leadsByPhone.has(call.phoneKey)));
          }
          // Kept a while, so a missed leg of the same call arriving after it is not queued.
          if (call.phoneKey && call.startedAt >= keepAnsweredFrom) {
            const answered = withDefined<AnsweredCall>(
              {
                id: providerKey ?? `${call.phoneKey}:${call.startedAt}`,
                phoneKey: call.phoneKey,
                startedAt: call.startedAt,
                provider: call.provider,
                capturePath: call.capturePath,
                capturedAt: now,
              },
              { providerCallId: call.providerCallId, agent: call.agent },
            );
            newAnswered.set(answered.id, answered);
            rememberAnswered(answered);
          }
        }
        continue;
      }

      // The caller already got through on a call at (or within the window before) this
      // one's start: the same end state as when the missed call arrives first and the
      // answered one closes its lead.
      const gotThrough =
        !openLead && call.phoneKey
          ? answeredByPhone
              .get(call.phoneKey)
              ?.filter((a) => a.startedAt + windowMs >= call.startedAt)
              .sort((a, b) => a.startedAt - b.startedAt)[0]
          : undefined;

      const { normalized } = call;
      const rule = ruleFor(call.dialedLine);
      const source = call.source ?? rule?.source;
      const practiceArea = call.practiceArea ?? rule?.practiceArea;
      const name =
        call.callerName && !NOT_A_NAME.test(call.callerName) ? call.callerName : undefined;
      const due = computeDue(settings, windowsFor(settings.sla, rule), call.startedAt);
      const callId = crypto.randomUUID();
      let lead: Lead;
      if (openLead) {
        lead = withDefined(
          {
            ...openLead,
            missedCount: openLead.missedCount + 1,
            lastMissedAt: Math.max(openLead.lastMissedAt, call.startedAt),
            firstMissedAt: Math.min(openLead.firstMissedAt, call.startedAt),
            priority: openLead.priority || Boolean(rule?.priority),
            updatedAt: now,
          },
          {
            name: openLead.name ?? name,
            source: openLead.source ?? source,
            practiceArea: openLead.practiceArea ?? practiceArea,
          },
        );
        // A repeat call never pushes the deadline back, but it can pull it in: a caller who
        // rings again while waiting for the cadence's next attempt is due again now. A call
        // that started before the last attempt (back-filled by an import or a late poll) was
        // already answered by that attempt, and history is history: neither moves it.
        const pullsIn = !call.history && call.startedAt > (openLead.lastAttemptAt ?? -Infinity);
        if (pullsIn && openLead.status === 'no-contact') {
          // The caller rang again after the cadence went by without contact: the lead is
          // back in the queue, due like a new missed call, and the cadence starts again.
          lead.status = 'open';
          lead.dueAt = due.dueAt;
          lead.overdueAt = due.overdueAt;
          lead.cadenceRound = {
            attemptsBefore: openLead.attemptCount,
            firstCallAt: call.startedAt,
          };
          delete lead.noContactAt;
          roundRobin = assignLead(lead, settings, rule, now, roundRobin);
        } else if (pullsIn) {
          lead.dueAt = Math.min(lead.dueAt, due.dueAt);
          lead.overdueAt = Math.min(lead.overdueAt, due.overdueAt);
        }
      } else {
        lead = {
          id: crypto.randomUUID(),
          phoneKey: normalized.e164 ?? `nocallback:${callId}`,
          phone: normalized.e164,
          rawNumber: call.from,
          noCallbackNumber: normalized.e164 === null,
          priority: Boolean(rule?.priority),
          status: 'open',
          firstMissedAt: call.startedAt,
          lastMissedAt: call.startedAt,
          missedCount: 1,
          dueAt: due.dueAt,
          overdueAt: due.overdueAt,
          attemptCount: 0,
          createdAt: now,
          updatedAt: now,
        };
        withDefined(lead, { extension: normalized.extension, name, source, practiceArea });
        if (gotThrough) {
          Object.assign(lead, {
            status: 'done',
            closedAt: now,
            closeOutcome: 'reached',
            answeredLaterAt: gotThrough.startedAt,
          } satisfies Partial<Lead>);
        } else if (call.history) {
          // Too old to call back: kept for the record, closed, never in the queue.
          Object.assign(lead, { status: 'done', closedAt: now } satisfies Partial<Lead>);
        } else {
          roundRobin = assignLead(lead, settings, rule, now, roundRobin);
        }
      }
      saveLead(lead);
      saveCall(toMissedCall({ ...call, source }, lead.id, lead.phoneKey, now, callId));
      if (!openLead && gotThrough) {
        // The answered call joins the lead, as it does when it arrives second.
        saveCall(
          withDefined<MissedCall>(
            {
              id: crypto.randomUUID(),
              leadId: lead.id,
              phoneKey: lead.phoneKey,
              provider: gotThrough.provider,
              startedAt: gotThrough.startedAt,
              reason: 'answered',
              capturePath: gotThrough.capturePath,
              capturedAt: now,
            },
            {
              providerCallId: gotThrough.providerCallId,
              providerKey: gotThrough.providerCallId
                ? `${gotThrough.provider}:${gotThrough.providerCallId}`
                : undefined,
              agent: gotThrough.agent,
            },
          ),
        );
        newAnswered.delete(gotThrough.id);
        deletedAnswered.add(gotThrough.id);
        answeredByPhone.set(
          lead.phoneKey,
          (answeredByPhone.get(lead.phoneKey) ?? []).filter((a) => a !== gotThrough),
        );
        result.alreadyAnswered = (result.alreadyAnswered ?? 0) + 1;
        continue;
      }
      if (call.history) {
        result.history = (result.history ?? 0) + 1;
        continue;
      }
      result.added.push({
        leadId: lead.id,
        callId,
        newLead: !openLead,
        display: normalized.display,
        callerName: name,
        startedAt: call.startedAt,
        source,
        practiceArea,
      });
    }
    // The three stores' writes are issued together, so the batch waits for IndexedDB once
    // rather than once per store (each store's own writes stay in order).
    const writeAnswered = async () => {
      if (newAnswered.size > 0) await db.answeredCalls.bulkPut([...newAnswered.values()]);
      if (deletedAnswered.size > 0) await db.answeredCalls.bulkDelete([...deletedAnswered]);
      if (newAnswered.size > 0 || answeredBefore.length > 0)
        await db.answeredCalls.where('startedAt').below(keepAnsweredFrom).delete();
    };
    await Promise.all([
      db.leads.bulkPut([...changedLeads.values()]),
      db.calls.bulkPut([...changedCalls.values()]),
      writeAnswered(),
      countAnsweredCalls(db, answeredForStats, settings.timeZone, now),
      roundRobin !== roundRobinBefore
        ? db.cursors.put({ ...roundRobinRow, sourceId: ROUND_ROBIN_CURSOR, cursor: roundRobin })
        : undefined,
    ]);
  });
  return result;
}

/**
 * The batch's reads, as plain IndexedDB requests in the capture transaction: one small
 * indexed query per call or caller, all issued at once so IndexedDB pipelines them, and
 * settled together. (Through Dexie's query builder each query costs several promises and
 * zone switches, which dominated large imports.)
 */

export function readAll<T>(
  store: string,
  index: string,
  queries: readonly (IDBValidKey | IDBKeyRange)[],
): Promise<T[]> {
  if (queries.length === 0) return Dexie.Promise.resolve([]);
  const trans = Dexie.currentTransaction;
  if (!trans) throw new Error('readAll runs inside a Dexie transaction');
  const source = trans.idbtrans.objectStore(store).index(index);
  return new Dexie.Promise<T[]>((resolve, reject) => {
    const results: T[][] = [];
    let pending = queries.length;
    queries.forEach((query, i) => {
      const request = source.getAll(query);
      request.onsuccess = () => {
        results[i] = request.result as T[];
        if (--pending === 0) resolve(results.flat());
      };
      request.onerror = () => reject(request.error);
    });
  });
}

function findByProviderKeys(keys: string[]): Promise<MissedCall[]> {
  return readAll<MissedCall>('calls', 'providerKey', keys);
}

async function findNearby(calls: readonly ValidCall[], windowMs: number): Promise<MissedCall[]> {
  const callable = calls.filter((c) => c.phoneKey !== null);
  if (callable.length === 0) return [];
  // One query per caller, over the stretch their calls in the batch cover (a CSV import
  // hands over all of a caller's calls at once); the matching itself is per call.
  const span = new Map<string, [number, number]>();
  for (const c of callable) {
    const s = span.get(c.phoneKey!);
    if (s) {
      s[0] = Math.min(s[0], c.startedAt);
      s[1] = Math.max(s[1], c.startedAt);
    } else span.set(c.phoneKey!, [c.startedAt, c.startedAt]);
  }
  return readAll<MissedCall>(
    'calls',
    '[phoneKey+startedAt]',
    [...span].map(([phoneKey, [from, to]]) =>
      IDBKeyRange.bound([phoneKey, from - windowMs], [phoneKey, to + windowMs]),
    ),
  );
}

/** Every lead of these callers, closed ones too (a late call may belong to one). */
function findCallerLeads(phoneKeys: string[]): Promise<Lead[]> {
  return readAll<Lead>('leads', 'phoneKey', phoneKeys);
}

/**
 * Does a closed lead already answer a missed call that started at `startedAt`? Yes when its
 * caller was reached after that call: they got through on an answered call (the one that
 * closed the lead; a missed leg of the same group call may be logged a moment after it, so
 * within the dedupe window after too), or the desk's attempt that closed the lead came
 * after it. Leads closed by hand or kept as history were not reached. Returns when the
 * caller was reached, or undefined.
 */
function reachedAfter(lead: Lead, startedAt: number, windowMs: number): number | undefined {
  if (lead.status !== 'done') return undefined;
  const contacts: number[] = [];
  if (lead.answeredLaterAt !== undefined && startedAt <= lead.answeredLaterAt + windowMs)
    contacts.push(lead.answeredLaterAt);
  if (
    lead.closeOutcome !== undefined &&
    lead.lastAttemptAt !== undefined &&
    startedAt < lead.lastAttemptAt
  )
    contacts.push(lead.lastAttemptAt);
  return contacts.length > 0 ? Math.min(...contacts) : undefined;
}

/** The closed lead whose caller was reached soonest after a missed call, if any. */
function closedLeadReachedAfter(
  leads: Iterable<Lead> | undefined,
  startedAt: number,
  windowMs: number,
): Lead | undefined {
  let best: { lead: Lead; at: number } | undefined;
  for (const lead of leads ?? []) {
    const at = reachedAfter(lead, startedAt, windowMs);
    if (at !== undefined && (!best || at < best.at)) best = { lead, at };
  }
  return best?.lead;
}

function toMissedCall(
  call: ParsedIncomingCall,
  leadId: string,
  phoneKey: string,
  now: number,
  id: string = crypto.randomUUID(),
): MissedCall {
  const stored: MissedCall = {
    id,
    leadId,
    phoneKey,
    provider: call.provider,
    startedAt: call.startedAt,
    reason: call.reason,
    capturePath: call.capturePath,
    capturedAt: now,
  };
  const providerKey = callKeyOf({
    ...call,
    phoneKey: phoneKey.startsWith('nocallback:') ? null : phoneKey,
  });
  return withDefined(stored, {
    providerCallId: call.providerCallId,
    providerKey,
    dialedLine: call.dialedLine,
    callerName: call.callerName,
    agent: call.agent,
    source: call.source,
    voicemail: voicemailOf(call),
  });
}

/**
 * `target` with those of `fields` that have a value: a stored record leaves absent fields
 * out rather than storing them as undefined (a large import clones and writes tens of
 * thousands of records, and every stored key costs).
 */
function withDefined<T extends object>(target: T, fields: Partial<T>): T {
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) target[key] = value as T[typeof key];
  }
  return target;
}

/**
 * The SLA windows a lead is held to through its whole cadence: the firm's, tightened by the
 * source rule of any line its calls came in on (as at capture), or else by a rule of the
 * lead's source. Several rules: the tightest of each window.
 */
export function leadWindows(
  settings: FirmSettings,
  lead: Pick<Lead, 'source'>,
  calls: readonly Pick<MissedCall, 'dialedLine' | 'reason'>[],
): SlaWindows {
  const ruleFor = sourceRuleMatcher(settings);
  let rules = calls
    .filter((c) => c.reason !== 'answered')
    .map((c) => ruleFor(c.dialedLine))
    .filter((r): r is SourceRule => r !== undefined);
  if (rules.length === 0 && lead.source)
    rules = settings.sourceRules.filter((r) => r.source === lead.source && r.sla);
  if (rules.length === 0) return settings.sla;
  return rules
    .map((r) => windowsFor(settings.sla, r))
    .reduce((a, b) => ({
      targetMinutes: Math.min(a.targetMinutes, b.targetMinutes),
      limitMinutes: Math.min(a.limitMinutes, b.limitMinutes),
      afterHoursMinutes: Math.min(a.afterHoursMinutes, b.afterHoursMinutes),
    }));
}

async function windowsOfLead(db: CallbackDeskDB, settings: FirmSettings, lead: Lead) {
  if (settings.sourceRules.length === 0) return settings.sla;
  return leadWindows(settings, lead, await db.calls.where('leadId').equals(lead.id).toArray());
}

/**
 * Record a callback attempt. A closing outcome (reached, booked, …) or an explicit close
 * ends the lead; otherwise the next step of the lead's cadence sets the new due time. After
 * the last step without contact the lead moves to No contact (out of the queue, not
 * overdue), unless staff chose to keep it open (`close: false`): then it is due again like
 * a fresh call. An automatic text (`automatic`) is recorded but is no callback attempt: it
 * moves neither the cadence nor the due time.
 */
export async function recordAttempt(
  db: CallbackDeskDB,
  settings: FirmSettings,
  input: unknown,
  now: number = Date.now(),
): Promise<{ attempt: Attempt; lead: Lead }> {
  const data = AttemptInput.parse(input);
  if (data.automatic) {
    return recordAutomaticText(db, {
      leadId: data.leadId,
      notes: data.notes,
      at: now,
      ...(data.by ? { by: data.by } : {}),
    });
  }
  return db.transaction('rw', db.leads, db.attempts, db.calls, async () => {
    const lead = await db.leads.get(data.leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    if (lead.status === 'done')
      throw new Error('This lead is already closed. Reopen it to record another attempt.');
    const attempt: Attempt = withDefined<Attempt>(
      {
        id: crypto.randomUUID(),
        leadId: lead.id,
        method: data.method,
        outcome: data.outcome,
        at: now,
      },
      {
        by: data.by,
        notes: data.notes?.trim() || undefined,
        durationSeconds: data.durationSeconds,
      },
    );
    await db.attempts.add(attempt);
    const next: Lead = {
      ...lead,
      attemptCount: lead.attemptCount + 1,
      lastAttemptAt: now,
      firstAttemptAt: lead.firstAttemptAt ?? now,
      // What the metrics read instead of every attempt (utils/metrics/attemptSummary.ts).
      attemptSummary: withAttempt(lead.attemptSummary, attempt, lead.overdueAt),
      updatedAt: now,
    };
    const sla = await windowsOfLead(db, settings, lead);
    const nextDue =
      lead.status === 'no-contact'
        ? null
        : nextAttemptDue(
            settings,
            sla,
            stepsDoneOf(next),
            now,
            roundStartOf(lead),
            cadenceOf(settings, lead.source),
          );
    const close = data.close ?? CLOSING_OUTCOMES.includes(data.outcome);
    if (close) {
      next.status = 'done';
      next.closedAt = now;
      next.closeOutcome = data.outcome;
      delete next.noContactAt;
    } else if (nextDue) {
      next.dueAt = nextDue.dueAt;
      next.overdueAt = nextDue.overdueAt;
    } else if (data.close === false && lead.status !== 'no-contact') {
      // Kept open past the cadence's end: due again like a fresh call, not overdue forever.
      const due = computeDue(settings, sla, now);
      next.dueAt = due.dueAt;
      next.overdueAt = due.overdueAt;
    } else {
      // The cadence went by without contact: No contact, until the caller rings again.
      next.status = 'no-contact';
      next.noContactAt = lead.noContactAt ?? now;
    }
    await db.leads.put(openIndexes(next));
    return { attempt, lead: next };
  });
}

/**
 * Record a text the desk sent by itself (the automatic text-back). It shows on the lead as
 * the cadence's text, but it is no callback attempt: attemptCount, firstAttemptAt and the
 * due time stay as they are, so it never satisfies step 1.
 */
export async function recordAutomaticText(
  db: CallbackDeskDB,
  input: {
    leadId: string;
    at: number;
    notes?: string;
    outcome?: Attempt['outcome'];
    /** The staff member the desk sent it for (settings.currentStaffId), if any. */
    by?: string;
  },
): Promise<{ attempt: Attempt; lead: Lead }> {
  return db.transaction('rw', db.leads, db.attempts, async () => {
    const lead = await db.leads.get(input.leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    const attempt = withDefined<Attempt>(
      {
        id: crypto.randomUUID(),
        leadId: lead.id,
        method: 'text',
        outcome: input.outcome ?? 'sent',
        at: input.at,
        automatic: true,
      },
      { notes: input.notes?.trim() || undefined, by: input.by },
    );
    await db.attempts.add(attempt);
    return { attempt, lead };
  });
}

/** Assign, claim, reopen or close a lead, or correct its tags. */
export async function patchLead(
  db: CallbackDeskDB,
  settings: FirmSettings,
  input: unknown,
  now: number = Date.now(),
): Promise<Lead> {
  const patch = LeadPatch.parse(input);
  return db.transaction('rw', db.leads, db.calls, async () => {
    const lead = await db.leads.get(patch.leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    const next: Lead = { ...lead, updatedAt: now };
    if (patch.assignee !== undefined && patch.assignee !== (lead.assignee ?? null)) {
      next.assignee = patch.assignee ?? undefined;
      // Chosen by a person, not by the rules (utils/team/assignment.ts).
      if (patch.assignee) next.assignReason = REASON_BY_HAND;
      else delete next.assignReason;
    }
    if (patch.practiceArea !== undefined) next.practiceArea = patch.practiceArea ?? undefined;
    if (patch.source !== undefined) next.source = patch.source ?? undefined;
    if (patch.name !== undefined) next.name = patch.name ?? undefined;
    if (patch.email !== undefined) next.email = patch.email ?? undefined;
    // The final disposition, set by staff (the CRM's reading never overrides it).
    if (patch.disposition !== undefined && patch.disposition !== (lead.disposition ?? null)) {
      if (patch.disposition === null) {
        delete next.disposition;
        delete next.dispositionAt;
        delete next.dispositionSource;
      } else {
        next.disposition = patch.disposition;
        next.dispositionAt = now;
        next.dispositionSource = 'staff';
      }
    }
    if (patch.status && patch.status !== lead.status) {
      if (patch.status === 'done') {
        next.status = 'done';
        next.closedAt = now;
      } else if (patch.status === 'no-contact') {
        next.status = 'no-contact';
        next.noContactAt = now;
      } else {
        if (lead.status === 'done' || lead.status === 'no-contact') {
          // Reopened: the callback is due again from now.
          const due = computeDue(settings, await windowsOfLead(db, settings, lead), now);
          next.dueAt = due.dueAt;
          next.overdueAt = due.overdueAt;
          delete next.closedAt;
          delete next.closeOutcome;
        }
        if (lead.status === 'no-contact') {
          // Trying again after No contact: the cadence starts again at step 1.
          next.cadenceRound = { attemptsBefore: lead.attemptCount, firstCallAt: now };
          delete next.noContactAt;
        }
        next.status = patch.status;
      }
    }
    // A claim says who is calling back; giving it up (back to open, or closing) clears it.
    if (next.status === 'claimed' && next.assignee && next.claimedBy !== next.assignee) {
      next.claimedBy = next.assignee;
      next.claimedAt = now;
    } else if (next.status !== 'claimed' && next.claimedBy && patch.status === 'open') {
      delete next.claimedBy;
      delete next.claimedAt;
    }
    await db.leads.put(openIndexes(next));
    return next;
  });
}

/** Open leads whose limit has passed. Counted from the open-lead index: no table scan. */
export function countOverdue(db: CallbackDeskDB, now: number): Promise<number> {
  return db.leads.where('openOverdueAt').belowOrEqual(now).count();
}

/** Leads that ran through the cadence without contact (the queue's No contact count). */
export function countNoContact(db: CallbackDeskDB): Promise<number> {
  return db.leads.where('status').equals('no-contact').count();
}

/** Open leads that will become overdue within `withinMs`. */
export function countDueSoon(db: CallbackDeskDB, now: number, withinMs: number): Promise<number> {
  return db.leads
    .where('openOverdueAt')
    .between(now, now + withinMs, false, true)
    .count();
}

/**
 * Recompute due times after the firm's hours, holidays or SLA windows changed. Only open
 * leads nobody has tried yet: their due time comes from their missed calls and the source
 * rule of the line each call came in on (as at capture); once someone has made an attempt,
 * the cadence owns the next due time. Returns how many leads changed.
 */
export async function recomputeOpenDueTimes(
  db: CallbackDeskDB,
  settings: FirmSettings,
  now: number = Date.now(),
): Promise<{ updated: number }> {
  return db.transaction('rw', db.leads, db.calls, async () => {
    const open = await db.leads.where('status').anyOf('open', 'claimed').toArray();
    let updated = 0;
    for (const lead of open) {
      if (lead.attemptCount > 0) continue;
      const calls = (await db.calls.where('leadId').equals(lead.id).toArray()).filter(
        (c) => c.reason !== 'answered',
      );
      const dues = calls.length
        ? calls.map((c) =>
            computeDue(
              settings,
              windowsFor(settings.sla, sourceRuleFor(settings, c.dialedLine)),
              c.startedAt,
            ),
          )
        : [computeDue(settings, settings.sla, lead.firstMissedAt)];
      const due = dues.reduce((a, b) => (b.dueAt < a.dueAt ? b : a));
      if (due.dueAt === lead.dueAt && due.overdueAt === lead.overdueAt) continue;
      await db.leads.put(
        openIndexes({ ...lead, dueAt: due.dueAt, overdueAt: due.overdueAt, updatedAt: now }),
      );
      updated++;
    }
    return { updated };
  });
}
