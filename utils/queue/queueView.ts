import type { CountryCode } from 'libphonenumber-js';
import { isOpen, needsTextFirst, type Lead } from '../model';
import { formatPhone } from '../phone';
import type { StaffMember } from '../settings';

/** What the user narrowed the queue to. `source` '' means every source. */
export interface QueueFilter {
  overdueOnly: boolean;
  source: string;
  mine: boolean;
  /** Show the leads that ran through the cadence without contact instead of the queue. */
  noContact: boolean;
  /**
   * Show the callers who are clients already (utils/team/existingClient.ts) instead of the
   * leads: they are not leads, so the default view leaves them out, but they are called back.
   */
  existingClients?: boolean;
}

export const NO_FILTER: QueueFilter = {
  overdueOnly: false,
  source: '',
  mine: false,
  noContact: false,
};

/** Facts the filter depends on that are not the user's choice. */
export interface QueueScope {
  now: number;
  /** Staff member using this browser (settings.currentStaffId). */
  currentStaffId?: string;
  /** CRM contact open on the page around the dock: only that contact's leads. */
  contactId?: string;
}

/** Past its limit and still waiting in the queue (closed and No contact leads never are). */
export function isOverdue(lead: Pick<Lead, 'overdueAt' | 'status'>, now: number): boolean {
  return isOpen(lead) && now >= lead.overdueAt;
}

/**
 * The queue's rows after the user's filters. "Mine" with nobody chosen as the current
 * staff member matches nothing: the UI says why instead of silently showing everyone.
 */
export function filterQueue(
  leads: readonly Lead[],
  filter: QueueFilter,
  scope: QueueScope,
): readonly Lead[] {
  const { source, mine, noContact } = filter;
  // No contact leads are never overdue: that filter does not apply to them.
  const overdueOnly = filter.overdueOnly && !noContact;
  const { now, currentStaffId, contactId } = scope;
  // Existing clients: only under their own filter (on a CRM contact's page, with the rest).
  const clients = contactId ? undefined : Boolean(filter.existingClients);
  const anyClient = clients === false && leads.some((lead) => lead.existingClient);
  if (!overdueOnly && !source && !mine && !contactId && !clients && !anyClient) return leads;
  if (mine && !currentStaffId) return [];
  return leads.filter(
    (lead) =>
      (clients === undefined || Boolean(lead.existingClient) === clients) &&
      (!overdueOnly || isOverdue(lead, now)) &&
      (!source || lead.source === source) &&
      (!mine || isMine(lead, currentStaffId!)) &&
      (!contactId || Boolean(lead.crmLinks?.some((l) => l.contactId === contactId))),
  );
}

/**
 * Mine: claimed by me, or assigned to me and not claimed by someone else (a colleague who
 * took it — here or in another browser through the shared queue — has it now).
 */
export function isMine(lead: Pick<Lead, 'assignee' | 'claimedBy'>, me: string): boolean {
  return lead.claimedBy ? lead.claimedBy === me : lead.assignee === me;
}

/** Callers in the open queue who are clients already (their own filter's count). */
export function countExistingClients(leads: readonly Lead[]): number {
  let count = 0;
  for (const lead of leads) if (lead.existingClient && isOpen(lead)) count++;
  return count;
}

export function hasActiveFilter(filter: QueueFilter): boolean {
  return (
    filter.overdueOnly ||
    filter.source !== '' ||
    filter.mine ||
    filter.noContact ||
    Boolean(filter.existingClients)
  );
}

/**
 * Queue order: callers the automatic text missed come first (marked "No auto-text sent":
 * staff text them first, until someone makes an attempt); then earliest callback target
 * first; on a tie the harder limit, then priority sources, then whoever has waited longest.
 * The id makes the order total, so rows never swap places between renders.
 */
export function compareByDue(a: Lead, b: Lead): number {
  return (
    Number(needsTextFirst(b) !== undefined) - Number(needsTextFirst(a) !== undefined) ||
    a.dueAt - b.dueAt ||
    a.overdueAt - b.overdueAt ||
    Number(b.priority) - Number(a.priority) ||
    a.firstMissedAt - b.firstMissedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Sorted copy. The open-lead index already yields due order, so this is a near-linear pass. */
export function sortByDue(leads: readonly Lead[]): Lead[] {
  return [...leads].sort(compareByDue);
}

export interface QueueCounts {
  open: number;
  overdue: number;
  /** Past the target but not yet past the limit. */
  late: number;
}

export function queueCounts(leads: readonly Lead[], now: number): QueueCounts {
  const counts: QueueCounts = { open: 0, overdue: 0, late: 0 };
  for (const lead of leads) {
    if (!isOpen(lead)) continue;
    counts.open++;
    if (now >= lead.overdueAt) counts.overdue++;
    else if (now >= lead.dueAt) counts.late++;
  }
  return counts;
}

/** "12 open · 3 overdue". */
export function describeCounts(counts: QueueCounts): string {
  return `${counts.open} open · ${counts.overdue} overdue`;
}

/** Source tags present in the queue, for the source filter, alphabetically. */
export function sourcesIn(leads: readonly Lead[]): string[] {
  const seen = new Set<string>();
  for (const lead of leads) if (lead.source) seen.add(lead.source);
  return [...seen].sort((a, b) => a.localeCompare(b));
}

/** Display name of a staff id; an id no longer in the team shows as itself. */
export function staffName(
  staff: readonly StaffMember[],
  id: string | undefined,
): string | undefined {
  if (!id) return undefined;
  return staff.find((member) => member.id === id)?.name ?? id;
}

export interface CallerLines {
  /** Name when known, otherwise the number as the firm writes it. */
  title: string;
  /** The number under a name; absent when the title already is the number. */
  subtitle?: string;
  noCallbackNumber: boolean;
}

export function callerLines(
  lead: Pick<Lead, 'name' | 'phone' | 'extension' | 'rawNumber' | 'noCallbackNumber'>,
  defaultCountry: string,
): CallerLines {
  const number = lead.phone
    ? formatPhone(lead.phone, defaultCountry as CountryCode) +
      (lead.extension ? ` ext. ${lead.extension}` : '')
    : lead.rawNumber.trim() || 'Unknown caller';
  if (lead.name)
    return { title: lead.name, subtitle: number, noCallbackNumber: lead.noCallbackNumber };
  return { title: number, noCallbackNumber: lead.noCallbackNumber };
}

/** `tel:` URI (RFC 3966) for click-to-dial, or null when there is nothing to dial. */
export function telHref(lead: Pick<Lead, 'phone' | 'extension'>): string | null {
  if (!lead.phone) return null;
  return `tel:${lead.phone}${lead.extension ? `;ext=${encodeURIComponent(lead.extension)}` : ''}`;
}

/** The lead a link asked for: `#lead=<id>` (possibly next to `ctx=`). */
export function leadIdFromHash(hash: string): string | null {
  const match = /(?:^#|&)lead=([^&]+)/.exec(hash);
  if (!match) return null;
  try {
    const id = decodeURIComponent(match[1] ?? '').trim();
    return id && id.length <= 100 ? id : null;
  } catch {
    return null;
  }
}

/** The hash with its `lead=` part removed (after the user leaves that lead). */
export function hashWithoutLead(hash: string): string {
  const parts = hash
    .replace(/^#/, '')
    .split('&')
    .filter((part) => part && !part.startsWith('lead='));
  return parts.length ? `#${parts.join('&')}` : '';
}

/**
 * A notification click is a request to open a lead now; a value left in storage from an
 * earlier click must not reopen that lead every time the sidebar loads.
 */
export const FOCUS_FRESH_MS = 60_000;

export function isFreshFocus(
  focus: { leadId: string; at: number } | null | undefined,
  now: number,
): focus is { leadId: string; at: number } {
  return Boolean(focus?.leadId) && now - (focus?.at ?? 0) <= FOCUS_FRESH_MS;
}
