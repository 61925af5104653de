import { describe, expect, it } from 'vitest';
import type { Lead } from '@/utils/model';
import {
  callerLines,
  describeCounts,
  filterQueue,
  hashWithoutLead,
  isFreshFocus,
  leadIdFromHash,
  NO_FILTER,
  queueCounts,
  sortByDue,
  sourcesIn,
  staffName,
  telHref,
} from '@/utils/queue/queueView';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 4, 15, 0);

function lead(id: string, overrides: Partial<Lead> = {}): Lead {
  const dueAt = overrides.dueAt ?? NOW + 5 * MIN;
  const overdueAt = overrides.overdueAt ?? dueAt + 10 * MIN;
  return {
    id,
    phoneKey: '+12125550143',
    phone: '+12125550143',
    rawNumber: '(212) 555-0143',
    noCallbackNumber: false,
    priority: false,
    status: 'open',
    firstMissedAt: dueAt - 5 * MIN,
    lastMissedAt: dueAt - 5 * MIN,
    missedCount: 1,
    dueAt,
    overdueAt,
    openDueAt: dueAt,
    openOverdueAt: overdueAt,
    attemptCount: 0,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

const overdue = lead('overdue', { dueAt: NOW - 20 * MIN, source: 'Yelp', assignee: 'maria' });
const late = lead('late', { dueAt: NOW - 2 * MIN, source: 'Website' });
const due = lead('due', { dueAt: NOW + 3 * MIN, source: 'Yelp', assignee: 'sam' });
const onContact = lead('crm', {
  dueAt: NOW + 30 * MIN,
  crmLinks: [{ system: 'hubspot', contactId: '51' }],
});
const queue = [overdue, late, due, onContact];

describe('filterQueue', () => {
  const scope = { now: NOW, currentStaffId: 'maria' };

  it('returns the queue itself when nothing is filtered', () => {
    expect(filterQueue(queue, NO_FILTER, scope)).toBe(queue);
  });

  it('"overdue only" keeps leads past their limit, not those merely late', () => {
    const rows = filterQueue(queue, { ...NO_FILTER, overdueOnly: true }, scope);
    expect(rows.map((l) => l.id)).toEqual(['overdue']);
  });

  it('an overdue lead becomes so exactly at its limit', () => {
    const atLimit = { ...scope, now: due.overdueAt };
    expect(filterQueue([due], { ...NO_FILTER, overdueOnly: true }, atLimit)).toHaveLength(1);
    const before = { ...scope, now: due.overdueAt - 1 };
    expect(filterQueue([due], { ...NO_FILTER, overdueOnly: true }, before)).toHaveLength(0);
  });

  it('filters by source tag', () => {
    const rows = filterQueue(queue, { ...NO_FILTER, source: 'Yelp' }, scope);
    expect(rows.map((l) => l.id)).toEqual(['overdue', 'due']);
  });

  it('"mine" keeps leads assigned to the current staff member', () => {
    const rows = filterQueue(queue, { ...NO_FILTER, mine: true }, scope);
    expect(rows.map((l) => l.id)).toEqual(['overdue']);
    const sams = filterQueue(
      queue,
      { ...NO_FILTER, mine: true },
      { ...scope, currentStaffId: 'sam' },
    );
    expect(sams.map((l) => l.id)).toEqual(['due']);
  });

  it('"mine" with nobody chosen as the current staff member matches nothing', () => {
    const rows = filterQueue(queue, { ...NO_FILTER, mine: true }, { now: NOW });
    expect(rows).toEqual([]);
  });

  it('combines filters', () => {
    const rows = filterQueue(
      queue,
      { ...NO_FILTER, overdueOnly: true, source: 'Yelp', mine: true },
      scope,
    );
    expect(rows.map((l) => l.id)).toEqual(['overdue']);
    const none = filterQueue(
      queue,
      { ...NO_FILTER, overdueOnly: true, source: 'Website', mine: false },
      scope,
    );
    expect(none).toEqual([]);
  });

  it('scopes to the CRM contact open around the dock', () => {
    const rows = filterQueue(queue, NO_FILTER, { ...scope, contactId: '51' });
    expect(rows.map((l) => l.id)).toEqual(['crm']);
    expect(filterQueue(queue, NO_FILTER, { ...scope, contactId: '99' })).toEqual([]);
  });
});

describe('sortByDue', () => {
  it('puts the earliest callback target first', () => {
    expect(sortByDue([onContact, due, overdue, late]).map((l) => l.id)).toEqual([
      'overdue',
      'late',
      'due',
      'crm',
    ]);
  });

  it('breaks ties by limit, then priority, then who waited longest', () => {
    const base = { dueAt: NOW, overdueAt: NOW + 10 * MIN };
    const tighter = lead('tighter', { ...base, overdueAt: NOW + 5 * MIN });
    const priority = lead('priority', { ...base, priority: true });
    const older = lead('older', { ...base, firstMissedAt: NOW - 60 * MIN });
    const newer = lead('newer', { ...base, firstMissedAt: NOW - 10 * MIN });
    expect(sortByDue([newer, older, priority, tighter]).map((l) => l.id)).toEqual([
      'tighter',
      'priority',
      'older',
      'newer',
    ]);
  });

  it('gives a total order, so equal leads keep a stable place', () => {
    const a = lead('a');
    const b = lead('b');
    expect(sortByDue([b, a]).map((l) => l.id)).toEqual(['a', 'b']);
    expect(sortByDue([a, b]).map((l) => l.id)).toEqual(['a', 'b']);
  });

  it('does not change its input', () => {
    const input = [due, overdue];
    sortByDue(input);
    expect(input.map((l) => l.id)).toEqual(['due', 'overdue']);
  });
});

describe('counts and sources', () => {
  it('counts open, overdue and late leads', () => {
    const counts = queueCounts(queue, NOW);
    expect(counts).toEqual({ open: 4, overdue: 1, late: 1 });
    expect(describeCounts(counts)).toBe('4 open · 1 overdue');
  });

  it('ignores closed leads', () => {
    const closed = lead('closed', { status: 'done', dueAt: NOW - 60 * MIN });
    expect(queueCounts([closed, due], NOW)).toEqual({ open: 1, overdue: 0, late: 0 });
  });

  it('lists each source once, alphabetically', () => {
    expect(sourcesIn(queue)).toEqual(['Website', 'Yelp']);
  });
});

describe('caller display', () => {
  it('shows the name over the formatted number', () => {
    expect(callerLines(lead('x', { name: 'Dana Whitfield' }), 'US')).toEqual({
      title: 'Dana Whitfield',
      subtitle: '(212) 555-0143',
      noCallbackNumber: false,
    });
  });

  it('shows the formatted number when there is no name, international for other countries', () => {
    expect(callerLines(lead('x'), 'US').title).toBe('(212) 555-0143');
    expect(callerLines(lead('x', { phone: '+442079460958' }), 'US').title).toBe('+44 20 7946 0958');
    expect(callerLines(lead('x', { extension: '12' }), 'US').title).toBe('(212) 555-0143 ext. 12');
  });

  it('flags callers with no callback number and shows what caller ID said', () => {
    const anonymous = lead('x', { phone: null, rawNumber: 'Anonymous', noCallbackNumber: true });
    expect(callerLines(anonymous, 'US')).toEqual({ title: 'Anonymous', noCallbackNumber: true });
    const blank = lead('y', { phone: null, rawNumber: '  ', noCallbackNumber: true });
    expect(callerLines(blank, 'US').title).toBe('Unknown caller');
  });

  it('dials E.164, with the extension as RFC 3966 says', () => {
    expect(telHref(lead('x'))).toBe('tel:+12125550143');
    expect(telHref(lead('x', { extension: '12' }))).toBe('tel:+12125550143;ext=12');
    expect(telHref(lead('x', { phone: null }))).toBeNull();
  });

  it('names staff members, and shows an unknown id as it is', () => {
    const staff = [{ id: 'maria', name: 'Maria Lopez' }];
    expect(staffName(staff, 'maria')).toBe('Maria Lopez');
    expect(staffName(staff, 'gone')).toBe('gone');
    expect(staffName(staff, undefined)).toBeUndefined();
  });
});

describe('focus requests', () => {
  it('reads the lead id from the hash, next to a page context', () => {
    expect(leadIdFromHash('#lead=abc-123')).toBe('abc-123');
    expect(leadIdFromHash('#ctx=%7B%7D&lead=abc%2D1')).toBe('abc-1');
    expect(leadIdFromHash('#ctx=%7B%7D')).toBeNull();
    expect(leadIdFromHash('#lead=%E0%A4%A')).toBeNull();
    expect(leadIdFromHash('')).toBeNull();
  });

  it('drops only the lead from the hash', () => {
    expect(hashWithoutLead('#ctx=x&lead=1')).toBe('#ctx=x');
    expect(hashWithoutLead('#lead=1')).toBe('');
  });

  it('acts on a notification click only while it is fresh', () => {
    expect(isFreshFocus({ leadId: 'a', at: NOW - 5_000 }, NOW)).toBe(true);
    expect(isFreshFocus({ leadId: 'a', at: NOW - 10 * MIN }, NOW)).toBe(false);
    expect(isFreshFocus(null, NOW)).toBe(false);
  });
});
