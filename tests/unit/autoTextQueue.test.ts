import { describe, expect, it } from 'vitest';
import type { Lead } from '@/utils/model';
import { sortByDue } from '@/utils/queue/queueView';

const NOW = Date.parse('2026-06-10T17:00:00Z');
const MIN = 60_000;

function lead(id: string, overrides: Partial<Lead> = {}): Lead {
  return {
    id,
    phoneKey: `+1415555${id.length}${id.charCodeAt(0)}`,
    phone: '+14155550100',
    rawNumber: '(415) 555-0100',
    noCallbackNumber: false,
    priority: false,
    status: 'open',
    firstMissedAt: NOW - 30 * MIN,
    lastMissedAt: NOW - 30 * MIN,
    missedCount: 1,
    dueAt: NOW,
    overdueAt: NOW + 10 * MIN,
    attemptCount: 0,
    createdAt: NOW - 30 * MIN,
    updatedAt: NOW - 30 * MIN,
    ...overrides,
  };
}

describe('the queue and "No auto-text sent"', () => {
  const flag = { at: NOW - 20 * MIN, callId: 'c', reason: 'captured-late' as const };

  it('puts callers the automatic text missed first, so staff text them first', () => {
    const overdue = lead('overdue', { dueAt: NOW - 10 * MIN, overdueAt: NOW - 5 * MIN });
    const missedText = lead('missed-text', { dueAt: NOW + 30 * MIN, noAutoText: flag });
    const due = lead('due');
    expect(sortByDue([due, overdue, missedText]).map((l) => l.id)).toEqual([
      'missed-text',
      'overdue',
      'due',
    ]);
  });

  it('once someone made an attempt after the flag, the lead takes its usual place', () => {
    const texted = lead('texted', {
      dueAt: NOW + 30 * MIN,
      noAutoText: flag,
      lastAttemptAt: NOW - 5 * MIN,
      attemptCount: 1,
    });
    const due = lead('due');
    expect(sortByDue([texted, due]).map((l) => l.id)).toEqual(['due', 'texted']);
  });
});
