import { describe, expect, it } from 'vitest';
import { buildSyncDrafts } from '@/utils/crm/records';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { Attempt, Lead } from '@/utils/model';

/**
 * The CRM follow-up task follows the lead's cadence: its step after the callback attempts
 * (automatic texts are none), its source's cadence, the due time recording scheduled, and
 * no task once the lead is at No contact.
 */
const T0 = Date.UTC(2026, 2, 4, 15);
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sourceRules: [
    {
      id: 'ads',
      line: '+18005550100',
      source: 'Google Ads – PI',
      priority: true,
      cadence: {
        steps: [
          { methods: ['call'], from: 'first-call', delayMinutes: 0 },
          { methods: ['text', 'call'], from: 'previous-attempt', delayMinutes: 15 },
        ],
      },
    },
  ],
};

function lead(patch: Partial<Lead>): Lead {
  return {
    id: 'lead-1',
    phoneKey: '+12125550143',
    phone: '+12125550143',
    rawNumber: '(212) 555-0143',
    noCallbackNumber: false,
    priority: false,
    status: 'open',
    firstMissedAt: T0,
    lastMissedAt: T0,
    missedCount: 1,
    dueAt: T0 + 3_600_000,
    overdueAt: T0 + 4_500_000,
    attemptCount: 1,
    createdAt: T0,
    updatedAt: T0,
    ...patch,
  };
}

const attempt = (id: string, at: number, patch: Partial<Attempt> = {}): Attempt => ({
  id,
  leadId: 'lead-1',
  method: 'call',
  outcome: 'no-answer',
  at,
  ...patch,
});

const tasks = (l: Lead, attempts: Attempt[]) =>
  buildSyncDrafts({ system: 'hubspot', lead: l, attempts, settings }).filter(
    (d) => d.kind === 'task',
  );

describe('the CRM follow-up task', () => {
  it('an automatic text does not move it on: after one callback it is step 2, due when the lead is', () => {
    const l = lead({ attemptCount: 1, dueAt: T0 + 3_700_000 });
    const [task] = tasks(l, [
      attempt('auto', T0 + 30_000, { method: 'text', outcome: 'sent', automatic: true }),
      attempt('a1', T0 + 100_000),
    ]);
    expect(task?.payload).toMatchObject({
      kind: 'task',
      dueAt: T0 + 3_700_000,
      subject: expect.stringContaining('attempt 2 of 3'),
    });
  });

  it('follows the source’s own cadence', () => {
    const l = lead({ source: 'Google Ads – PI' });
    const [task] = tasks(l, [attempt('a1', T0 + 100_000)]);
    expect(task?.payload).toMatchObject({ subject: expect.stringContaining('attempt 2 of 2') });
    expect(JSON.stringify(task?.payload)).toContain('Send a text, call again');
  });

  it('none for a lead at No contact', () => {
    const l = lead({ source: 'Google Ads – PI', status: 'no-contact', attemptCount: 2 });
    expect(tasks(l, [attempt('a1', T0 + 100_000), attempt('a2', T0 + 1_000_000)])).toEqual([]);
  });

  it('the call note counts the attempt against the lead’s own cadence (2 steps, not the default 3)', () => {
    const l = lead({ source: 'Google Ads – PI' });
    const drafts = buildSyncDrafts({
      system: 'hubspot',
      lead: l,
      attempts: [attempt('a1', T0 + 100_000)],
      settings,
    });
    const text = JSON.stringify(drafts.filter((d) => d.kind === 'note' || d.kind === 'call'));
    expect(text).toContain('Callback attempt 1 of 2');
    expect(text).not.toContain('of 3');
  });
});
