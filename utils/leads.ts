import type { CountryCode } from 'libphonenumber-js';
import type { CallbackDeskDB } from './db';
import { isSameCall, mergeSighting, providerKeyOf } from './dedupe';
import {
  AttemptInput,
  CLOSING_OUTCOMES,
  IncomingCall,
  LeadPatch,
  type Attempt,
  type Lead,
  type MissedCall,
  type ParsedIncomingCall,
} from './model';
import { nextAttemptDue } from './cadence';
import { normalizePhone } from './phone';
import { computeDue, windowsFor } from './sla';
import type { FirmSettings, SourceRule } from './settings';

export interface CapturedCall {
  leadId: string;
  callId: string;
  newLead: boolean;
  /** Display data for the notification. */
  display: string;
  callerName?: string;
  startedAt: number;
  source?: string;
  practiceArea?: string;
}

export interface CaptureResult {
  added: CapturedCall[];
  duplicates: number;
  /** Answered calls that closed an open lead (the caller got through). */
  answeredClosed: number;
  /** Answered calls that concerned no open lead: nothing to store. */
  ignored: number;
  rejected: { index: number; error: string }[];
}

/** Caller-ID strings that are not a name. */
const NOT_A_NAME = /^(wireless caller|unknown|anonymous|restricted|private|[+\d\s().-]+)$/i;

export function sourceRuleFor(
  settings: FirmSettings,
  dialedLine: string | undefined,
): SourceRule | undefined {
  if (!dialedLine) return undefined;
  const country = settings.defaultCountry as CountryCode;
  const dialed = normalizePhone(dialedLine, country).e164;
  if (!dialed) return undefined;
  return settings.sourceRules.find((rule) => normalizePhone(rule.line, country).e164 === dialed);
}

function openIndexes(lead: Lead): Lead {
  if (lead.status === 'done') {
    delete lead.openDueAt;
    delete lead.openOverdueAt;
  } else {
    lead.openDueAt = lead.dueAt;
    lead.openOverdueAt = lead.overdueAt;
  }
  return lead;
}

/**
 * Store missed calls: validate, normalise, drop duplicates (same provider id, or the same
 * caller within the dedupe window, also across paths), attach repeat calls to the caller's
 * open lead, or open a new lead with its due times. One transaction per call batch, so a
 * failure writes nothing of the batch.
 */
export async function captureCalls(
  db: CallbackDeskDB,
  settings: FirmSettings,
  input: unknown[],
  now: number = Date.now(),
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

  const valid: (ParsedIncomingCall & { phoneKey: string | null; index: number })[] = [];
  input.forEach((raw, index) => {
    const parsed = IncomingCall.safeParse(raw);
    if (!parsed.success) {
      result.rejected.push({
        index,
        error: parsed.error.issues
          .map((i) => `${i.path.join('.') || 'call'}: ${i.message}`)
          .join('; '),
      });
      return;
    }
    if (parsed.data.startedAt > now + 5 * 60_000) {
      result.rejected.push({ index, error: 'startedAt: the call is in the future' });
      return;
    }
    valid.push({ ...parsed.data, phoneKey: normalizePhone(parsed.data.from, country).e164, index });
  });

  // Calls are checked one by one inside the transaction, which sees its own writes, so a
  // duplicate within the batch is caught (and merged) exactly like one already stored.
  await db.transaction('rw', db.leads, db.calls, async () => {
    for (const call of valid) {
      const providerKey = providerKeyOf(call);
      const sameProviderCall = providerKey
        ? await db.calls.where('providerKey').equals(providerKey).first()
        : undefined;
      const nearby = call.phoneKey
        ? await db.calls
            .where('[phoneKey+startedAt]')
            .between(
              [call.phoneKey, call.startedAt - windowMs],
              [call.phoneKey, call.startedAt + windowMs],
              true,
              true,
            )
            .toArray()
        : [];
      const known = sameProviderCall ?? nearby.find((c) => isSameCall(c, call, windowMs));
      if (known) {
        result.duplicates++;
        const alsoSeenBy = mergeSighting(known, call.capturePath);
        const upgrade: Partial<MissedCall> = { alsoSeenBy };
        if (!known.callerName && call.callerName) upgrade.callerName = call.callerName;
        if (!known.dialedLine && call.dialedLine) upgrade.dialedLine = call.dialedLine;
        if (known.reason === 'no-answer' && call.reason === 'voicemail')
          upgrade.reason = 'voicemail';
        await db.calls.update(known.id, upgrade);
        continue;
      }
      const openLead = call.phoneKey
        ? ((await db.leads.where('[phoneKey+status]').equals([call.phoneKey, 'open']).first()) ??
          (await db.leads.where('[phoneKey+status]').equals([call.phoneKey, 'claimed']).first()))
        : undefined;

      if (call.reason === 'answered') {
        // A caller who got through later needs no callback: close their lead and say why.
        if (openLead && openLead.lastMissedAt < call.startedAt) {
          await storeCall(db, call, openLead.id, now);
          await db.leads.put(
            openIndexes({
              ...openLead,
              status: 'done',
              closedAt: now,
              closeOutcome: 'reached',
              answeredLaterAt: call.startedAt,
              updatedAt: now,
            }),
          );
          result.answeredClosed++;
        } else {
          result.ignored++;
        }
        continue;
      }

      const normalized = normalizePhone(call.from, country);
      const rule = sourceRuleFor(settings, call.dialedLine);
      const source = call.source ?? rule?.source;
      const practiceArea = call.practiceArea ?? rule?.practiceArea;
      const name =
        call.callerName && !NOT_A_NAME.test(call.callerName) ? call.callerName : undefined;
      let lead: Lead;
      let newLead = false;
      const callId = crypto.randomUUID();
      if (openLead) {
        lead = {
          ...openLead,
          missedCount: openLead.missedCount + 1,
          lastMissedAt: Math.max(openLead.lastMissedAt, call.startedAt),
          firstMissedAt: Math.min(openLead.firstMissedAt, call.startedAt),
          name: openLead.name ?? name,
          source: openLead.source ?? source,
          practiceArea: openLead.practiceArea ?? practiceArea,
          priority: openLead.priority || Boolean(rule?.priority),
          updatedAt: now,
        };
        // A repeat call never pushes the deadline back; an earlier-reported call can pull it in.
        const due = computeDue(settings, windowsFor(settings.sla, rule), call.startedAt);
        if (lead.attemptCount === 0 && due.dueAt < lead.dueAt) {
          lead.dueAt = due.dueAt;
          lead.overdueAt = due.overdueAt;
        }
      } else {
        newLead = true;
        const due = computeDue(settings, windowsFor(settings.sla, rule), call.startedAt);
        lead = {
          id: crypto.randomUUID(),
          phoneKey: normalized.e164 ?? `nocallback:${callId}`,
          phone: normalized.e164,
          extension: normalized.extension,
          rawNumber: call.from,
          noCallbackNumber: normalized.e164 === null,
          name,
          source,
          practiceArea,
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
      }
      await db.leads.put(openIndexes(lead));
      await storeCall(db, { ...call, source }, lead.id, now, callId, lead.phoneKey);
      result.added.push({
        leadId: lead.id,
        callId,
        newLead,
        display: normalized.display,
        callerName: name,
        startedAt: call.startedAt,
        source,
        practiceArea,
      });
    }
  });
  return result;
}

async function storeCall(
  db: CallbackDeskDB,
  call: ParsedIncomingCall & { phoneKey: string | null },
  leadId: string,
  now: number,
  id: string = crypto.randomUUID(),
  phoneKey: string = call.phoneKey ?? `nocallback:${id}`,
): Promise<void> {
  await db.calls.add({
    id,
    leadId,
    phoneKey,
    provider: call.provider,
    providerCallId: call.providerCallId,
    providerKey: providerKeyOf(call),
    startedAt: call.startedAt,
    dialedLine: call.dialedLine,
    callerName: call.callerName,
    reason: call.reason,
    capturePath: call.capturePath,
    agent: call.agent,
    source: call.source,
    capturedAt: now,
  });
}

/**
 * Record a callback attempt. A closing outcome (reached, booked, …) or an explicit close
 * ends the lead; otherwise the next attempt of the cadence sets the new due time, and the
 * lead closes when the cadence is complete.
 */
export async function recordAttempt(
  db: CallbackDeskDB,
  settings: FirmSettings,
  input: unknown,
  now: number = Date.now(),
): Promise<{ attempt: Attempt; lead: Lead }> {
  const data = AttemptInput.parse(input);
  return db.transaction('rw', db.leads, db.attempts, async () => {
    const lead = await db.leads.get(data.leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    if (lead.status === 'done')
      throw new Error('This lead is already closed. Reopen it to record another attempt.');
    const attempt: Attempt = {
      id: crypto.randomUUID(),
      leadId: lead.id,
      method: data.method,
      outcome: data.outcome,
      at: now,
      by: data.by,
      notes: data.notes?.trim() || undefined,
    };
    await db.attempts.add(attempt);
    const attemptCount = lead.attemptCount + 1;
    const next: Lead = {
      ...lead,
      attemptCount,
      lastAttemptAt: now,
      firstAttemptAt: lead.firstAttemptAt ?? now,
      updatedAt: now,
    };
    const nextDue = nextAttemptDue(settings, settings.sla, attemptCount, now, lead.firstMissedAt);
    const close = data.close ?? (CLOSING_OUTCOMES.includes(data.outcome) || nextDue === null);
    if (close) {
      next.status = 'done';
      next.closedAt = now;
      next.closeOutcome = data.outcome;
    } else if (nextDue) {
      next.dueAt = nextDue.dueAt;
      next.overdueAt = nextDue.overdueAt;
    }
    await db.leads.put(openIndexes(next));
    return { attempt, lead: next };
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
  return db.transaction('rw', db.leads, async () => {
    const lead = await db.leads.get(patch.leadId);
    if (!lead) throw new Error('This lead no longer exists.');
    const next: Lead = { ...lead, updatedAt: now };
    if (patch.assignee !== undefined) next.assignee = patch.assignee ?? undefined;
    if (patch.practiceArea !== undefined) next.practiceArea = patch.practiceArea ?? undefined;
    if (patch.source !== undefined) next.source = patch.source ?? undefined;
    if (patch.name !== undefined) next.name = patch.name ?? undefined;
    if (patch.status && patch.status !== lead.status) {
      if (patch.status === 'done') {
        next.status = 'done';
        next.closedAt = now;
      } else {
        if (lead.status === 'done') {
          // Reopened: the callback is due again from now.
          const due = computeDue(settings, settings.sla, now);
          next.dueAt = due.dueAt;
          next.overdueAt = due.overdueAt;
          delete next.closedAt;
          delete next.closeOutcome;
        }
        next.status = patch.status;
      }
    }
    await db.leads.put(openIndexes(next));
    return next;
  });
}

/** Open leads whose limit has passed. Counted from the open-lead index: no table scan. */
export function countOverdue(db: CallbackDeskDB, now: number): Promise<number> {
  return db.leads.where('openOverdueAt').belowOrEqual(now).count();
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
