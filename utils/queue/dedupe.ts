import type { CallReason, CapturePath, MissedCall } from '../model';

/** What dedupe needs to know about a call. */
export interface CallIdentity {
  phoneKey: string | null;
  provider: string;
  providerCallId?: string;
  startedAt: number;
  reason?: CallReason;
  /** What the caller ID showed ("Anonymous", a malformed number). */
  from?: string;
}

export function providerKeyOf(
  call: Pick<CallIdentity, 'provider' | 'providerCallId'>,
): string | undefined {
  return call.providerCallId ? `${call.provider}:${call.providerCallId}` : undefined;
}

/**
 * The key a call is stored and found under when its caller is not enough to recognise it:
 * the provider's own id, or, for a caller with no callback number and no provider id, the
 * provider, what the caller ID showed and the exact start time — so re-reading the same portal row or CSV line does
 * not open another "no callback number" lead.
 */
export function callKeyOf(call: CallIdentity): string | undefined {
  return (
    providerKeyOf(call) ??
    (call.phoneKey === null
      ? `${call.provider}:nocallback:${(call.from ?? '').trim().toLowerCase()}:${call.startedAt}`
      : undefined)
  );
}

/**
 * Is `incoming` the same call as `known`? Either the provider's own id matches, or the
 * same caller (callable number) within the window: a call seen by two paths, or a group
 * call rung to several agents, each of whom logs it as missed.
 * Callers with no callback number can only match by provider id: two anonymous calls a
 * minute apart may be two different people. An answered call is never the same as a missed
 * one nearby: it is the caller's redial getting through (or another agent picking up), and
 * it must be able to close the lead.
 */
export function isSameCall(known: CallIdentity, incoming: CallIdentity, windowMs: number): boolean {
  const a = providerKeyOf(known);
  if (a && a === providerKeyOf(incoming)) return true;
  if (!known.phoneKey || !incoming.phoneKey || known.phoneKey !== incoming.phoneKey) return false;
  if ((known.reason === 'answered') !== (incoming.reason === 'answered')) return false;
  return Math.abs(known.startedAt - incoming.startedAt) <= windowMs;
}

/**
 * Does a new reading of a stored call say more than the stored one? A record read again
 * after it changed: the caller's voicemail came in after the call was first logged as
 * missed (no answer, after hours, hung up, busy). Anything else read again is the same call.
 */
export function isNewsForStoredCall(stored: CallReason, incoming: CallReason | undefined): boolean {
  return incoming === 'voicemail' && stored !== 'voicemail' && stored !== 'answered';
}

/** Record that another path saw a stored call (for the "seen by" hint and metrics). */
export function mergeSighting(stored: MissedCall, path: CapturePath): MissedCall['alsoSeenBy'] {
  if (stored.capturePath === path || stored.alsoSeenBy?.includes(path)) return stored.alsoSeenBy;
  return [...(stored.alsoSeenBy ?? []), path];
}
