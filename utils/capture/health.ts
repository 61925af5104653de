import type { AdapterHealthRecord, CallbackDeskDB, CursorRecord } from '../db';

const DAY = 86_400_000;
const HOUR = 3_600_000;

import { AdapterHealthReport } from '../model';

export { AdapterHealthReport };

export function healthId(adapterId: string, host: string): string {
  return `${adapterId}@${host}`;
}

/** Fold a report into the stored record (pure). */
export function mergeHealth(
  existing: AdapterHealthRecord | undefined,
  report: AdapterHealthReport,
  host: string,
  now: number,
): AdapterHealthRecord {
  const record: AdapterHealthRecord = {
    id: healthId(report.adapterId, host),
    adapterId: report.adapterId,
    host,
    rowsSeen: (existing?.rowsSeen ?? 0) + report.rowsSeen,
    rowsRead: (existing?.rowsRead ?? 0) + report.rowsRead,
    selectorMisses: (existing?.selectorMisses ?? 0) + report.misses.length,
    lastSeenAt: now,
  };
  const lastSuccessAt = report.ok ? now : existing?.lastSuccessAt;
  if (lastSuccessAt !== undefined) record.lastSuccessAt = lastSuccessAt;
  // The latest problem stays visible until a clean read replaces it.
  const lastError =
    report.error ?? report.misses[0] ?? (report.ok ? undefined : existing?.lastError);
  if (lastError !== undefined) record.lastError = lastError;
  return record;
}

export async function recordAdapterHealth(
  db: CallbackDeskDB,
  host: string,
  report: AdapterHealthReport,
  now: number = Date.now(),
): Promise<AdapterHealthRecord> {
  return db.transaction('rw', db.adapterHealth, async () => {
    const id = healthId(report.adapterId, host);
    const record = mergeHealth(await db.adapterHealth.get(id), report, host, now);
    await db.adapterHealth.put(record);
    return record;
  });
}

/**
 * Why an adapter needs attention, in words for the health panel, or null when it is fine:
 * rows seen but none read, selector misses, or no clean read in a day while the page was
 * open recently. `label` is the adapter's display name.
 */
export function healthWarning(
  record: AdapterHealthRecord,
  label: string,
  now: number,
): string | null {
  if (record.rowsSeen > 0 && record.rowsRead === 0) {
    return `${label}: ${record.rowsSeen} rows seen, 0 read — the page may have changed; calls are not being captured.`;
  }
  const seenRecently = now - record.lastSeenAt < HOUR;
  if (seenRecently && (record.lastSuccessAt === undefined || now - record.lastSuccessAt > DAY)) {
    return `${label}: no clean read of ${record.host} in the last day — calls may be missed.`;
  }
  // Misses accumulate as a count; the warning lasts until a clean read clears lastError.
  if (record.lastError) {
    return `${label}: ${record.lastError} (${record.selectorMisses} misses so far) — some calls may be skipped.`;
  }
  return null;
}

/**
 * API sources: the records a poller skipped because they could not be read (newest first,
 * one line each, kept a day by utils/capture/sources/poller.ts), for the source's health.
 */
export function skippedRecords(record: Pick<CursorRecord, 'cursor'> | undefined): string[] {
  const list = (record?.cursor as { unreadable?: unknown } | undefined)?.unreadable;
  if (!Array.isArray(list)) return [];
  return list
    .map((u) => (u && typeof u === 'object' ? (u as { text?: unknown }).text : undefined))
    .filter((t): t is string => typeof t === 'string')
    .reverse();
}

/**
 * API sources: "Catching up …" while a read that one poll could not finish carries on over
 * the next polls (utils/capture/sources/poller.ts keeps its resume point), else undefined.
 */
export function catchingUp(record: Pick<CursorRecord, 'cursor'> | undefined): string | undefined {
  const cursor = record?.cursor as { since?: unknown; sweep?: { polls?: unknown } } | undefined;
  if (!cursor?.sweep || typeof cursor.since !== 'number') return undefined;
  const polls = typeof cursor.sweep.polls === 'number' ? cursor.sweep.polls : 1;
  return `Catching up: reading calls since ${new Date(cursor.since).toLocaleString()}, ${polls} ${polls === 1 ? 'poll' : 'polls'} so far`;
}
