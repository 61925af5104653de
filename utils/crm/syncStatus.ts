import type { SyncJob } from './model';
import { coveredByLegacyNote } from './records';

/** One line of truth per lead and CRM, for the sync panel: nothing may look fine when it is not. */
export type LeadSyncStatus =
  | { state: 'none' }
  /** Attempts recorded since the last sync (or never synced). */
  | { state: 'unsent'; unsent: number }
  | { state: 'waiting'; message: string; total: number }
  | { state: 'queued'; done: number; total: number; nextTryAt: number; note?: string }
  | { state: 'syncing'; done: number; total: number }
  | { state: 'failed'; reason: string; failed: number; total: number }
  | { state: 'synced'; total: number; syncedAt: number; url?: string; warning?: string };

/**
 * Summarise a lead's jobs for one CRM. `expectedKeys` are the idempotency keys a sync
 * would produce now (utils/crm/records.ts): keys without a job are unsent attempts.
 */
export function summarizeSync(
  jobs: SyncJob[],
  expectedKeys: string[],
  label = 'CRM',
): LeadSyncStatus {
  const known = new Set(jobs.map((j) => j.idempotencyKey));
  const unsent = expectedKeys.filter((k) => !known.has(k) && !coveredByLegacyNote(k, known)).length;
  if (jobs.length === 0) return unsent > 0 ? { state: 'unsent', unsent } : { state: 'none' };
  const total = jobs.length;
  const done = jobs.filter((j) => j.state === 'synced').length;
  const failed = jobs.filter((j) => j.state === 'failed');
  if (failed.length > 0) {
    return {
      state: 'failed',
      reason: failed[0]!.lastError ?? 'Unknown error',
      failed: failed.length,
      total,
    };
  }
  if (jobs.some((j) => j.state === 'syncing')) return { state: 'syncing', done, total };
  const waiting = jobs.find((j) => j.state === 'queued' && j.waitingFor === 'contact');
  // Records wait for a contact that is on its way (created, or looked up after a lost
  // answer): that is not a question for the user.
  const creating = jobs.some(
    (j) => j.kind === 'contact' && j.state === 'queued' && j.waitingFor !== 'contact',
  );
  if (waiting && creating)
    return { state: 'waiting', message: `Creating the ${label} contact…`, total };
  if (waiting)
    return { state: 'waiting', message: waiting.lastError ?? 'Waiting for the contact.', total };
  const queued = jobs.filter((j) => j.state === 'queued');
  if (queued.length > 0) {
    const next = queued.reduce((a, b) => (a.nextTryAt <= b.nextTryAt ? a : b));
    return {
      state: 'queued',
      done,
      total,
      nextTryAt: next.nextTryAt,
      ...(next.lastError ? { note: next.lastError } : {}),
    };
  }
  if (unsent > 0) return { state: 'unsent', unsent };
  const last = jobs.reduce((a, b) => ((a.syncedAt ?? 0) >= (b.syncedAt ?? 0) ? a : b));
  const warning = jobs.find((j) => j.lastError)?.lastError;
  return {
    state: 'synced',
    total,
    syncedAt: last.syncedAt ?? last.updatedAt,
    ...(last.remoteUrl ? { url: last.remoteUrl } : {}),
    ...(warning ? { warning } : {}),
  };
}

/**
 * When to look a caller up again after a lookup failed (offline, 429, a 5xx): on its own,
 * backing off like every outbox job — 5 s, 10 s, 20 s … up to 5 minutes, with jitter so
 * open panels do not retry together. `failures` counts from 1.
 */
export function lookupRetryDelay(failures: number, random: () => number = Math.random): number {
  const exp = Math.min(5 * 60_000, 5_000 * 2 ** Math.max(0, Math.min(failures - 1, 20)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
