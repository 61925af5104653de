import type { CapturePath, MissedCall } from './model';

/** What dedupe needs to know about a call. */
export interface CallIdentity {
  phoneKey: string | null;
  provider: string;
  providerCallId?: string;
  startedAt: number;
}

export function providerKeyOf(call: Pick<CallIdentity, 'provider' | 'providerCallId'>): string | undefined {
  return call.providerCallId ? `${call.provider}:${call.providerCallId}` : undefined;
}

/**
 * Is `incoming` the same call as `known`? Either the provider's own id matches, or the
 * same caller (callable number) within the window: a call seen by two paths, or a group
 * call rung to several agents, each of whom logs it as missed.
 * Callers with no callback number can only match by provider id: two anonymous calls a
 * minute apart may be two different people.
 */
export function isSameCall(known: CallIdentity, incoming: CallIdentity, windowMs: number): boolean {
  const a = providerKeyOf(known);
  if (a && a === providerKeyOf(incoming)) return true;
  if (!known.phoneKey || !incoming.phoneKey || known.phoneKey !== incoming.phoneKey) return false;
  return Math.abs(known.startedAt - incoming.startedAt) <= windowMs;
}

/** Collapse duplicates inside one batch (e.g. a CSV with the same row twice), keeping order. */
export function dedupeBatch<T extends CallIdentity>(calls: T[], windowMs: number): { unique: T[]; duplicates: number } {
  const unique: T[] = [];
  const byCaller = new Map<string, T[]>();
  const byProviderKey = new Set<string>();
  let duplicates = 0;
  for (const call of calls) {
    const key = providerKeyOf(call);
    if (key && byProviderKey.has(key)) {
      duplicates++;
      continue;
    }
    const sameCaller = call.phoneKey ? (byCaller.get(call.phoneKey) ?? []) : [];
    if (sameCaller.some((known) => isSameCall(known, call, windowMs))) {
      duplicates++;
      continue;
    }
    if (key) byProviderKey.add(key);
    if (call.phoneKey) byCaller.set(call.phoneKey, [...sameCaller, call]);
    unique.push(call);
  }
  return { unique, duplicates };
}

/** Record that another path saw a stored call (for the "seen by" hint and metrics). */
export function mergeSighting(stored: MissedCall, path: CapturePath): MissedCall['alsoSeenBy'] {
  if (stored.capturePath === path || stored.alsoSeenBy?.includes(path)) return stored.alsoSeenBy;
  return [...(stored.alsoSeenBy ?? []), path];
}
