import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, patchLead, recordAttempt } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';

/**
 * A priority source's tighter windows (source rules in Options) hold for the whole cadence:
 * its second and third attempts, and a reopened lead, are held to them too.
 */
const NY = 'America/New_York';
const at = (h: number, m = 0, day = 4) => new TZDate(2026, 2, day, h, m, NY).getTime(); // Wed
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
  sourceRules: [
    {
      id: 'ads',
      line: '(800) 555-0100',
      source: 'Google Ads – PI',
      priority: true,
      sla: { targetMinutes: 2, limitMinutes: 5, afterHoursMinutes: 20 },
    },
  ],
};

let db: CallbackDeskDB;
beforeEach(async () => {
  db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

async function priorityLead(): Promise<string> {
  const { added } = await captureCalls(
    db,
    settings,
    [
      {
        from: '(212) 555-0143',
        startedAt: at(10),
        dialedLine: '1-800-555-0100',
        provider: 'ringcentral',
        capturePath: 'portal',
      },
    ],
    at(10, 1),
  );
  return added[0]!.leadId;
}

describe('cadence windows of a priority source', () => {
  it('the second attempt is held to the source’s tighter limit', async () => {
    const leadId = await priorityLead();
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'call', outcome: 'no-answer' },
      at(10, 1),
    );
    expect(lead.dueAt).toBe(at(11, 1));
    // 5 minutes after the due time (the source's limit), not the firm's 15.
    expect(lead.overdueAt).toBe(at(11, 6));
  });

  it('the third attempt is held to the source’s tighter window', async () => {
    const leadId = await priorityLead();
    await recordAttempt(db, settings, { leadId, method: 'call', outcome: 'no-answer' }, at(10, 1));
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId, method: 'text', outcome: 'sent' },
      at(11, 1),
    );
    expect(lead.dueAt).toBe(at(10, 0, 5));
    expect(lead.overdueAt).toBe(at(10, 20, 5));
  });

  it('a reopened priority lead is due within the source’s target', async () => {
    const leadId = await priorityLead();
    await patchLead(db, settings, { leadId, status: 'done' }, at(10, 2));
    const lead = await patchLead(db, settings, { leadId, status: 'open' }, at(13));
    expect(lead.dueAt).toBe(at(13, 2));
    expect(lead.overdueAt).toBe(at(13, 5));
  });

  it('a lead of an ordinary line keeps the firm’s windows', async () => {
    const { added } = await captureCalls(
      db,
      settings,
      [
        {
          from: '(212) 555-0144',
          startedAt: at(10),
          provider: 'ringcentral',
          capturePath: 'portal',
        },
      ],
      at(10, 1),
    );
    const { lead } = await recordAttempt(
      db,
      settings,
      { leadId: added[0]!.leadId, method: 'call', outcome: 'no-answer' },
      at(10, 1),
    );
    expect(lead.overdueAt).toBe(at(11, 16));
  });
});
