import { isOpen, type Lead } from '../model';
import { compareByDue } from '../queue/queueView';

/**
 * "Next callback": the most urgent lead waiting for a callback that nobody has taken yet and
 * that is mine or nobody's. Urgency is the queue's own order (compareByDue: callers the
 * automatic text missed first, then the earliest target, the harder limit, priority, the
 * longest wait). Callers with no callback number cannot be called: they are skipped.
 * Pure, so it is table-tested.
 */
export function isUnclaimed(lead: Pick<Lead, 'status' | 'claimedBy'>): boolean {
  return lead.status === 'open' && !lead.claimedBy;
}

export function isNextCallbackCandidate(lead: Lead, me: string): boolean {
  return (
    isOpen(lead) &&
    isUnclaimed(lead) &&
    !lead.noCallbackNumber &&
    (lead.assignee === undefined || lead.assignee === me)
  );
}

export function pickNextCallback(leads: Iterable<Lead>, me: string): Lead | undefined {
  let best: Lead | undefined;
  for (const lead of leads) {
    if (!isNextCallbackCandidate(lead, me)) continue;
    if (!best || compareByDue(lead, best) < 0) best = lead;
  }
  return best;
}
