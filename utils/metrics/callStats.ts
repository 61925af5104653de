import type { CallbackDeskDB } from '../db';
import type { CallStat, CapturePath, LiveCaller } from '../model';
import { FirmClock } from './time';

/**
 * Answered inbound calls, counted for the metrics (missed-call rate, new callers answered
 * live) inside the capture transaction (utils/queue/leads.ts). Each answered call is counted
 * once: capture hands over only calls that are new to it (not a re-read of a stored call, not
 * another leg or sighting of an answered call of the same caller within the dedupe window),
 * and the fingerprint of each call's key is kept (`answeredSeen`) so a re-read after the
 * answered call itself was dropped (a CSV imported again next month) does not count it again.
 */
export interface AnsweredForStats {
  /** The call's key: the provider's call id, or the caller and start time. */
  key: string;
  startedAt: number;
  /** E.164 of the dialled line, else as given, else ''. */
  line: string;
  source: string;
  path: CapturePath;
  /** The caller's number, when the desk had no lead for it (a new caller answered live). */
  newCallerPhoneKey?: string;
}

/** Fingerprints are kept as long as a CSV import may reach back (2 years) and a day more. */
export const ANSWERED_SEEN_KEPT_MS = 731 * 86_400_000;

/** FNV-1a, 53 bits, as hex: a fingerprint of the key (the number itself is not kept). */
export function answeredFingerprint(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 7);
  }
  return (
    ((h2 >>> 0) & 0x1fffff).toString(16).padStart(6, '0') + (h1 >>> 0).toString(16).padStart(8, '0')
  );
}

/**
 * Count answered calls. Runs inside the caller's transaction, which must include
 * db.callStats, db.answeredSeen and db.liveCallers.
 */
export async function countAnsweredCalls(
  db: CallbackDeskDB,
  calls: readonly AnsweredForStats[],
  timeZone: string,
  now: number,
): Promise<number> {
  if (calls.length === 0) return 0;
  const fps = calls.map((c) => answeredFingerprint(c.key));
  const newKeys = [
    ...new Set(calls.map((c) => c.newCallerPhoneKey).filter((k) => k !== undefined)),
  ];
  const [seen, live] = await Promise.all([
    db.answeredSeen.bulkGet(fps),
    newKeys.length
      ? db.liveCallers.bulkGet(newKeys)
      : Promise.resolve([] as (LiveCaller | undefined)[]),
  ]);
  const known = new Set(fps.filter((_, i) => seen[i] !== undefined));
  const knownLive = new Set(live.flatMap((l) => (l ? [l.phoneKey] : [])));
  const clock = new FirmClock(timeZone);
  const deltas = new Map<string, CallStat>();
  const newSeen: { fp: string; at: number }[] = [];
  const newLive: LiveCaller[] = [];
  calls.forEach((call, i) => {
    const fp = fps[i]!;
    if (known.has(fp)) return;
    known.add(fp);
    newSeen.push({ fp, at: call.startedAt });
    const day = clock.label(clock.dayOf(call.startedAt));
    const hour = clock.hourOf(call.startedAt);
    const id = `${day}|${hour}|${call.line}|${call.source}|${call.path}`;
    let row = deltas.get(id);
    if (!row) {
      row = {
        id,
        day,
        hour,
        line: call.line,
        source: call.source,
        path: call.path,
        answered: 0,
        answeredNew: 0,
      };
      deltas.set(id, row);
    }
    row.answered++;
    const phoneKey = call.newCallerPhoneKey;
    if (phoneKey !== undefined && !knownLive.has(phoneKey)) {
      knownLive.add(phoneKey);
      row.answeredNew++;
      newLive.push({ phoneKey, answeredAt: call.startedAt, source: call.source, path: call.path });
    }
  });
  if (newSeen.length === 0) return 0;
  const stored = await db.callStats.bulkGet([...deltas.keys()]);
  const rows = [...deltas.values()].map((delta, i) => {
    const before = stored[i];
    return before
      ? {
          ...before,
          answered: before.answered + delta.answered,
          answeredNew: before.answeredNew + delta.answeredNew,
        }
      : delta;
  });
  await Promise.all([
    db.callStats.bulkPut(rows),
    db.answeredSeen.bulkPut(newSeen),
    newLive.length ? db.liveCallers.bulkPut(newLive) : undefined,
    db.answeredSeen
      .where('at')
      .below(now - ANSWERED_SEEN_KEPT_MS)
      .delete(),
  ]);
  return newSeen.length;
}
