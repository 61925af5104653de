import type { CapturePath, MissedCall } from './model';

/** What dedupe needs to know about a call. */
export interface CallIdentity {
  phoneKey: string | null;
  provider: string;
  providerCallId?: string;
  startedAt: number;
}

export function providerKeyOf(
  call: Pick<CallIdentity, 'provider' | 'providerCallId'>,
): string | undefined {
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

/** Record that another path saw a stored call (for the "seen by" hint and metrics). */
export function mergeSighting(stored: MissedCall, path: CapturePath): MissedCall['alsoSeenBy'] {
  if (stored.capturePath === path || stored.alsoSeenBy?.includes(path)) return stored.alsoSeenBy;
  return [...(stored.alsoSeenBy ?? []), path];
}
