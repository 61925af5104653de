import { TZDate } from '@date-fns/tz';
import type { CallbackDeskDB } from '../db';
import { nextAttemptDue } from './cadence';
import { captureCalls, patchLead, recordAttempt, sourceRuleFor } from './leads';
import type { AttemptMethod, CapturePath, CallReason, IncomingCall, Outcome } from '../model';
import { computeDue, isOpenAt, windowsFor } from './sla';
import { DEFAULT_SETTINGS, type FirmSettings } from '../settings';
import { seededRandom } from '../prng';

/**
 * Sample data for onboarding: a realistic week of missed calls so a new user sees the queue,
 * badge and history working before connecting anything. Every sample call carries the
 * provider "sample", so the sample (and only the sample) can be deleted again.
 */
export const SAMPLE_PROVIDER = 'sample';
export const SAMPLE_PROVIDER_KEY_PREFIX = `${SAMPLE_PROVIDER}:`;
export const SAMPLE_LEAD_COUNT = 50;
const DEFAULT_SEED = 20_261_126;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HISTORY_DAYS = 7;

export type SampleEvent =
  | { kind: 'call'; at: number; lead: number; call: IncomingCall }
  | {
      kind: 'attempt';
      at: number;
      lead: number;
      method: AttemptMethod;
      outcome: Outcome;
      by?: string;
      notes?: string;
    }
  /** Staff closing a lead that left no number to call back. */
  | { kind: 'close'; at: number; lead: number };

export interface SamplePlan {
  /** In time order: replaying them in order gives the history the queue would have seen. */
  events: SampleEvent[];
  leadCount: number;
  /** Leads planned to be open and past their limit at `now`. */
  overdueLeads: number[];
}

const FIRST_NAMES = (
  'Maria James Aisha Robert Linh Carlos Emily DeShawn Priya Michael Sofia Kevin Fatima Brian ' +
  'Mei Jose Rachel Tyrone Olga Daniel Hannah Luis Grace Ahmed Jessica Marcus Ana Patrick Yuki ' +
  'Andre'
).split(' ');
const LAST_NAMES = (
  'Lopez Johnson Rahman Miller Nguyen Rivera Walsh Brooks Patel Thompson Garcia Kim Haddad ' +
  'O’Connor Chen Martinez Goldberg Washington Petrov Schmidt Murphy Santos Lee Ali Davis ' +
  'Coleman Ferreira Byrne Tanaka Jackson'
).split(' ');
/** Area codes of big US metros; 555-0100…0199 is reserved for fiction in every one of them. */
const AREA_CODES = '212 312 415 617 713 305 602 404 206 303 214 702'.split(' ');

const NOTES: Partial<Record<Outcome, string[]>> = {
  reached: [
    'Spoke with caller; wants to think it over, will call back.',
    'Caller had a question about an existing matter; passed to paralegal.',
  ],
  'consultation-booked': [
    'Booked a free consultation for Thursday 2 pm.',
    'Consult booked for tomorrow morning; sent intake form.',
    'Booked video consult; caller sending police report.',
  ],
  retained: ['Signed engagement letter during the call.'],
  'not-a-fit': [
    'Outside our practice areas; referred to a colleague.',
    'Matter is in another state; gave bar referral number.',
  ],
  'wrong-number': ['Wrong number: was trying to reach a dentist.'],
  'left-voicemail': ['Left voicemail with callback number, said it twice.'],
  'no-answer': ['Rang out, no voicemail box set up.'],
  sent: ['Sent follow-up email with booking link.', 'Texted: sorry we missed you, reply to book.'],
};

const CLOSE_ON_FIRST: Outcome[] = [
  'consultation-booked',
  'consultation-booked',
  'reached',
  'reached',
  'retained',
  'not-a-fit',
  'wrong-number',
];

interface Caller {
  from: string;
  callerName?: string;
}

/** Local wall-clock time in the firm's zone, as an instant. */
function localTime(
  timeZone: string,
  base: number,
  daysBack: number,
  hour: number,
  minute: number,
): number {
  const day = new TZDate(base, timeZone);
  return new TZDate(
    day.getFullYear(),
    day.getMonth(),
    day.getDate() - daysBack,
    hour,
    minute,
    timeZone,
  ).getTime();
}

/**
 * Plan a week of sample history ending at `now`: ~50 leads over the past 7 days with varied
 * sources and practice areas, repeat callers, voicemails, anonymous and malformed caller IDs,
 * callbacks with realistic delays (most closed), and a few open leads, some already overdue
 * whatever the time and day `now` is. Pure: same seed, settings and `now` give the same plan.
 */
export function planSampleData(
  settings: FirmSettings,
  now: number,
  seed: number = DEFAULT_SEED,
): SamplePlan {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number) => min + random() * (max - min);
  const chance = (p: number) => random() < p;

  const sources = settings.sources.length ? settings.sources : DEFAULT_SETTINGS.sources;
  const practiceAreas = settings.practiceAreas.length
    ? settings.practiceAreas
    : DEFAULT_SETTINGS.practiceAreas;
  // Attempts are signed with staff ids, as the attempt form does; unsigned when there is no team.
  const staff: (string | undefined)[] = settings.staff.length
    ? settings.staff.map((s) => s.id)
    : [undefined];
  // A repeat call closer than the dedupe window would rightly be merged into the first one.
  const repeatGap = Math.max(4 * MINUTE, (settings.dedupeWindowSeconds + 60) * 1000);
  const earliest = now - HISTORY_DAYS * DAY;
  const latest = now - MINUTE;

  const callers = makeCallers(random, pick);
  const events: SampleEvent[] = [];
  let callSeq = 0;
  let leadSeq = 0;

  const lineFor = (source: string, index: number): string => {
    const rule = settings.sourceRules.find((r) => r.source === source);
    return rule?.line ?? `(800) 555-01${String(10 + (index % 80)).padStart(2, '0')}`;
  };

  /** Weighted: the first sources in the list (paid ads, website) bring most calls. */
  const pickSource = () =>
    sources[Math.min(sources.length - 1, Math.floor(random() ** 1.6 * sources.length))]!;

  const reasonAt = (at: number): CallReason =>
    !isOpenAt(settings, at)
      ? chance(0.5)
        ? 'voicemail'
        : 'after-hours'
      : chance(0.35)
        ? 'voicemail'
        : 'no-answer';

  const dueOf = (at: number, source: string) =>
    computeDue(
      settings,
      windowsFor(settings.sla, sourceRuleFor(settings, lineFor(source, sources.indexOf(source)))),
      at,
    );

  /** Plan a lead's calls: the first at `at`, then repeat calls before `until` when `repeats` > 0. */
  const addLead = (
    caller: Caller,
    at: number,
    source: string,
    opts: { repeats: number; until: number },
  ) => {
    const lead = leadSeq++;
    const rule = settings.sourceRules.find((r) => r.source === source);
    const practiceArea = rule?.practiceArea ?? (chance(0.9) ? pick(practiceAreas) : undefined);
    const capturePath: CapturePath = chance(0.65) ? 'portal' : chance(0.8) ? 'api' : 'manual';
    const times = [at];
    for (let i = 0; i < opts.repeats; i++) {
      const next = times[times.length - 1]! + repeatGap + between(0, 40) * MINUTE;
      if (next >= opts.until || next > latest) break;
      times.push(next);
    }
    for (const time of times) {
      events.push({
        kind: 'call',
        at: time,
        lead,
        call: {
          from: caller.from,
          callerName: caller.callerName,
          startedAt: Math.round(time),
          dialedLine: lineFor(source, sources.indexOf(source)),
          reason: reasonAt(time),
          provider: SAMPLE_PROVIDER,
          providerCallId: `sample-${seed}-${callSeq++}`,
          capturePath,
          source,
          practiceArea,
        },
      });
    }
    return { lead, lastCallAt: times[times.length - 1]! };
  };

  const attempt = (lead: number, at: number, method: AttemptMethod, outcome: Outcome) => {
    const notes = chance(0.7) ? NOTES[outcome] : undefined;
    events.push({
      kind: 'attempt',
      at,
      lead,
      method,
      outcome,
      by: pick(staff),
      notes: notes && pick(notes),
    });
  };

  /** A call time in the past week, mostly in business hours of open days, before `before`. */
  const historyTime = (before: number): number => {
    for (let tries = 0; tries < 50; tries++) {
      const daysBack = Math.floor(between(0, HISTORY_DAYS));
      const noon = localTime(settings.timeZone, now, daysBack, 12, 0);
      const openDay = isOpenAt(settings, noon);
      if (!openDay && chance(0.6)) continue;
      const hour = openDay && chance(0.8) ? between(9, 17) : between(7, 22);
      const at = localTime(
        settings.timeZone,
        now,
        daysBack,
        Math.floor(hour),
        Math.floor((hour % 1) * 60),
      );
      if (at > earliest && at < before) return at + Math.floor(between(0, 59)) * 1000;
    }
    return earliest + between(0, before - earliest);
  };

  let callerIndex = 0;
  const nextCaller = () => callers[callerIndex++]!;

  // Open and overdue, whatever `now` is: walk back from the wanted age until the firm's own
  // rules say the limit has passed (a Monday 8 am run finds Friday afternoon calls).
  const overdueLeads: number[] = [];
  const isOverdue = (at: number, source: string) => dueOf(at, source).overdueAt <= now - MINUTE;
  for (const age of [22 * MINUTE, 47 * MINUTE, 2.2 * HOUR, 5 * HOUR, 27 * HOUR]) {
    const source = pickSource();
    let at = now - age;
    while (at > earliest && !isOverdue(at, source)) at -= 15 * MINUTE;
    if (at <= earliest) continue;
    // Spread them out, but only where the rules agree it is still overdue (the limit is not
    // monotonic in the call time: 8:59 before a 9:00 opening is due later than 9:00).
    const spread = at - between(0, 50) * MINUTE;
    if (spread > earliest && isOverdue(spread, source)) at = spread;
    // Only the first call decides the limit (repeats cannot push it later), so repeats are safe.
    const planned = addLead(nextCaller(), at, source, {
      repeats: chance(0.4) ? 1 : 0,
      until: latest,
    });
    overdueLeads.push(planned.lead);
  }

  // Just missed: the queue shows them counting down (in hours) or due at the next opening.
  const recent = { repeats: 0, until: latest };
  addLead(nextCaller(), now - 3 * MINUTE - between(0, 60) * 1000, pickSource(), recent);
  addLead(nextCaller(), now - 9 * MINUTE - between(0, 60) * 1000, pickSource(), recent);
  addLead({ from: 'Anonymous', callerName: 'Anonymous' }, now - 2 * MINUTE, pickSource(), recent);

  // Tried once, no luck yet: the cadence sets their next attempt.
  for (let i = 0; i < 3; i++) {
    const at = now - between(70, 200) * MINUTE;
    const firstTry = at + between(3, 12) * MINUTE;
    const planned = addLead(nextCaller(), at, pickSource(), { repeats: 0, until: firstTry });
    if (firstTry <= latest)
      attempt(planned.lead, firstTry, 'call', chance(0.5) ? 'no-answer' : 'left-voicemail');
  }

  // The week's history: most called back and closed, following the three-attempt cadence.
  const closedEarly: { caller: Caller; closedAt: number }[] = [];
  // No callback number: staff can only close these (each call is its own lead, so no repeats).
  const noNumber: Caller[] = [
    { from: 'Restricted' },
    { from: '555-01', callerName: 'WIRELESS CALLER' },
  ];
  const historyCallers: Caller[] = [...noNumber];
  const historyCount = SAMPLE_LEAD_COUNT - leadSeq - 2;
  while (historyCallers.length < historyCount) historyCallers.push(nextCaller());
  for (const caller of historyCallers) {
    const at = historyTime(now - 3 * HOUR);
    const source = pickSource();
    let tryAt = Math.max(at + 2 * MINUTE, dueOf(at, source).dueAt + between(-4, 30) * MINUTE);
    const planned = addLead(caller, at, source, {
      repeats: noNumber.includes(caller) || !chance(0.2) ? 0 : chance(0.5) ? 2 : 1,
      until: tryAt,
    });
    tryAt = Math.max(tryAt, planned.lastCallAt + MINUTE);
    if (tryAt > latest) continue;
    if (noNumber.includes(caller)) {
      events.push({ kind: 'close', at: tryAt, lead: planned.lead });
      continue;
    }
    const fate = random();
    if (fate < 0.5) {
      attempt(planned.lead, tryAt, 'call', pick(CLOSE_ON_FIRST));
      closedEarly.push({ caller, closedAt: tryAt });
      continue;
    }
    attempt(planned.lead, tryAt, 'call', chance(0.5) ? 'no-answer' : 'left-voicemail');
    const second = nextAttemptDue(settings, settings.sla, 1, tryAt, at);
    const secondAt = second && second.dueAt + between(0, 25) * MINUTE;
    if (!secondAt || secondAt > latest) continue;
    if (fate < 0.8) {
      attempt(planned.lead, secondAt, 'call', chance(0.7) ? 'consultation-booked' : 'reached');
      continue;
    }
    attempt(planned.lead, secondAt, 'voicemail', 'left-voicemail');
    const third = nextAttemptDue(settings, settings.sla, 2, secondAt, at);
    const thirdAt = third && third.dueAt + between(0, 40) * MINUTE;
    if (thirdAt && thirdAt <= latest) attempt(planned.lead, thirdAt, 'email', 'sent');
  }

  // Returning callers: reached earlier in the week, calling again about something new.
  for (const { caller, closedAt } of closedEarly
    .filter((c) => c.closedAt < now - 2 * DAY)
    .slice(0, 2)) {
    const at = between(closedAt + DAY, now - 3 * HOUR);
    const source = pickSource();
    const planned = addLead(caller, at, source, recent);
    const tryAt = Math.max(at + 2 * MINUTE, dueOf(at, source).dueAt + between(0, 10) * MINUTE);
    if (tryAt <= latest) attempt(planned.lead, tryAt, 'call', 'consultation-booked');
  }
  // Top up when an unusual calendar left fewer returning callers than planned.
  while (leadSeq < SAMPLE_LEAD_COUNT) {
    const at = historyTime(now - 3 * HOUR);
    addLead(nextCaller(), at, pickSource(), recent);
  }

  events.sort((a, b) => a.at - b.at);
  return {
    events: events.map((e) => ({ ...e, at: Math.round(e.at) })),
    leadCount: leadSeq,
    overdueLeads,
  };
}

function makeCallers(random: () => number, pick: <T>(items: readonly T[]) => T): Caller[] {
  const callers: Caller[] = [];
  const used = new Set<string>();
  while (callers.length < SAMPLE_LEAD_COUNT + 10) {
    const area = pick(AREA_CODES);
    const line = String(100 + Math.floor(random() * 100)).padStart(4, '0');
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    // Distinct numbers and names: two different "Patrick Kim"s would read as a bug.
    if (used.has(area + line) || used.has(first + last)) continue;
    used.add(area + line).add(first + last);
    // Numbers arrive in every format portals and CSVs use; caller ID is often carrier CNAM.
    const from = pick([
      `(${area}) 555-${line}`,
      `${area}-555-${line}`,
      `+1 ${area} 555 ${line}`,
      `1${area}555${line}`,
    ]);
    const style = random();
    const callerName =
      style < 0.45
        ? `${last.toUpperCase()} ${first.toUpperCase()}`
        : style < 0.75
          ? `${first} ${last}`
          : style < 0.88
            ? 'WIRELESS CALLER'
            : undefined;
    callers.push({ from, callerName });
  }
  // One caller from abroad (Ofcom's drama range, never assigned).
  callers.splice(12, 0, { from: '+44 20 7946 0321', callerName: 'Oliver Bennett' });
  return callers;
}

export interface SampleLoadResult {
  leads: number;
  calls: number;
  attempts: number;
}

/**
 * Replace any earlier sample with a fresh one ending at `now`. Written through the same
 * capture and attempt code as real calls, each at its own time, so due times, cadence and
 * history are exactly what the queue would have recorded live. No notifications: this
 * writes to the database directly, not through the background's capture handler.
 */
export async function loadSampleData(
  db: CallbackDeskDB,
  settings: FirmSettings,
  now: number = Date.now(),
  seed?: number,
): Promise<SampleLoadResult> {
  await deleteSampleData(db);
  const plan = planSampleData(settings, now, seed);
  const leadIds = new Map<number, string>();
  const closed = new Set<number>();
  const result: SampleLoadResult = { leads: 0, calls: 0, attempts: 0 };
  for (const event of plan.events) {
    // The capture path notices a call a few seconds after it rings.
    const seenAt = Math.min(now, event.at + 5_000);
    if (event.kind === 'call') {
      const captured = await captureCalls(db, settings, [event.call], seenAt);
      const added = captured.added[0];
      if (!added) continue;
      if (!leadIds.has(event.lead)) result.leads++;
      leadIds.set(event.lead, added.leadId);
      result.calls++;
      continue;
    }
    const leadId = leadIds.get(event.lead);
    if (!leadId || closed.has(event.lead)) continue;
    if (event.kind === 'close') {
      await patchLead(db, settings, { leadId, status: 'done' }, event.at);
      closed.add(event.lead);
      continue;
    }
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: event.method, outcome: event.outcome, by: event.by, notes: event.notes },
      event.at,
    );
    result.attempts++;
    if (lead.status === 'done') closed.add(event.lead);
  }
  return result;
}

/** How many leads the stored sample holds (0 when none is loaded). */
export async function countSampleLeads(db: CallbackDeskDB): Promise<number> {
  const calls = await db.calls
    .where('providerKey')
    .startsWith(SAMPLE_PROVIDER_KEY_PREFIX)
    .toArray();
  return new Set(calls.map((c) => c.leadId)).size;
}

/**
 * Delete the sample and nothing else: sample calls, and the leads, attempts and queued CRM
 * writes of leads that only sample calls made. A lead that also has real calls keeps them
 * (its counts are recomputed from what is left).
 */
export async function deleteSampleData(
  db: CallbackDeskDB,
): Promise<{ leads: number; calls: number }> {
  return db.transaction('rw', [db.leads, db.calls, db.attempts, db.outbox], async () => {
    const sampleCalls = await db.calls
      .where('providerKey')
      .startsWith(SAMPLE_PROVIDER_KEY_PREFIX)
      .toArray();
    const leadIds = [...new Set(sampleCalls.map((c) => c.leadId))];
    await db.calls.bulkDelete(sampleCalls.map((c) => c.id));
    let leads = 0;
    for (const leadId of leadIds) {
      const remaining = await db.calls.where('leadId').equals(leadId).sortBy('startedAt');
      const missed = remaining.filter((c) => c.reason !== 'answered');
      if (missed.length === 0) {
        await db.attempts.where('leadId').equals(leadId).delete();
        await db.outbox.where('leadId').equals(leadId).delete();
        await db.leads.delete(leadId);
        leads++;
        continue;
      }
      await db.leads.update(leadId, {
        missedCount: missed.length,
        firstMissedAt: missed[0]!.startedAt,
        lastMissedAt: missed[missed.length - 1]!.startedAt,
      });
    }
    return { leads, calls: sampleCalls.length };
  });
}
