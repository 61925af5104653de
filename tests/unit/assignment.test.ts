import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls } from '@/utils/queue/leads';
import {
  chooseAssignee,
  describeAssignment,
  EMPTY_ROUND_ROBIN,
  type RoundRobinState,
} from '@/utils/team/assignment';
import { DEFAULT_SETTINGS, type FirmSettings, type SourceRule } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';

const NY = 'America/New_York';
// Wednesday 9 December 2026.
const at = (h: number, m = 0, day = 9) => new TZDate(2026, 11, day, h, m, NY).getTime();

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  timeZone: NY,
  staff: [
    { id: 'ana', name: 'Ana Lopez', role: 'intake', practiceAreas: ['Personal injury'] },
    {
      id: 'ben',
      name: 'Ben Ruiz',
      role: 'intake',
      // Afternoons only.
      workingHours: [[], ...Array(5).fill([{ open: '13:00', close: '17:00' }]), []],
    },
    { id: 'cy', name: 'Cy Moss', role: 'intake', practiceAreas: ['Family law'] },
    { id: 'sam', name: 'Sam Carter', role: 'attorney' },
    { id: 'pat', name: 'Pat Lee', role: 'intake' },
  ],
  onCall: { handover: '08:00', weekly: Array(7).fill('sam'), swaps: [] },
};

function assignMany(s: FirmSettings, count: number, time: number, practiceArea?: string) {
  let state: RoundRobinState = EMPTY_ROUND_ROBIN;
  const picks: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = chooseAssignee(s, { practiceArea }, undefined, time, state);
    picks.push(result.choice?.assignee ?? '-');
    state = result.roundRobin;
  }
  return picks;
}

describe('chooseAssignee', () => {
  it('after hours: whoever is on call, with the reason "on call"', () => {
    const night = chooseAssignee(settings, {}, undefined, at(21));
    expect(night.choice).toEqual({ assignee: 'sam', reason: 'on call' });
    expect(describeAssignment({ assignee: 'sam', assignReason: 'on call' }, settings.staff)).toBe(
      'Sam Carter: on call',
    );
    // Saturday afternoon, and nobody on call: unassigned (the whole team sees it).
    expect(chooseAssignee(settings, {}, undefined, at(15, 0, 12)).choice?.assignee).toBe('sam');
    const nobody = { ...settings, onCall: { ...settings.onCall!, weekly: Array(7).fill(null) } };
    expect(chooseAssignee(nobody, {}, undefined, at(21)).choice).toBeUndefined();
  });

  it('in hours: round robin among intake staff on shift, skipping people off shift and attorneys', () => {
    // 10:00: Ben works afternoons, Sam is an attorney.
    expect(assignMany(settings, 6, at(10))).toEqual(['ana', 'cy', 'pat', 'ana', 'cy', 'pat']);
    // 14:00: Ben is on shift too.
    expect(assignMany(settings, 4, at(14))).toEqual(['ana', 'ben', 'cy', 'pat']);
  });

  it('whoever joins the shift is next: the person who waited longest goes first', () => {
    let state = EMPTY_ROUND_ROBIN;
    for (let i = 0; i < 3; i++)
      state = chooseAssignee(settings, {}, undefined, at(10), state).roundRobin;
    expect(chooseAssignee(settings, {}, undefined, at(13, 5), state).choice?.assignee).toBe('ben');
  });

  it('by practice area (a setting): only those who take the area; people listing none take all', () => {
    const byArea = { ...settings, roundRobinByPracticeArea: true };
    expect(assignMany(byArea, 4, at(10), 'Family law')).toEqual(['cy', 'pat', 'cy', 'pat']);
    expect(assignMany(byArea, 2, at(10), 'Personal injury')).toEqual(['ana', 'pat']);
    // Without the setting the area does not matter.
    expect(assignMany(settings, 2, at(10), 'Family law')).toEqual(['ana', 'cy']);
  });

  it('a source rule naming a person wins, in hours and after', () => {
    const rule: SourceRule = {
      id: 'r',
      line: '8005550100',
      source: 'Purchased leads',
      priority: false,
      assignTo: 'pat',
    };
    const inHours = chooseAssignee(settings, {}, rule, at(10));
    expect(inHours.choice).toEqual({ assignee: 'pat', reason: 'source rule: Purchased leads' });
    expect(inHours.roundRobin).toBe(EMPTY_ROUND_ROBIN); // nobody's turn is used up
    expect(chooseAssignee(settings, {}, rule, at(22)).choice?.assignee).toBe('pat');
    // A rule naming someone no longer in the team falls back to the rules.
    expect(chooseAssignee(settings, {}, { ...rule, assignTo: 'gone' }, at(22)).choice?.reason).toBe(
      'on call',
    );
  });

  it('an existing client goes to the responsible attorney', () => {
    const choice = chooseAssignee(
      settings,
      { existingClient: { system: 'clio', reason: 'Clio client', ownerStaffId: 'sam' } },
      undefined,
      at(10),
    ).choice;
    expect(choice).toEqual({ assignee: 'sam', reason: 'responsible attorney' });
  });
});

describe('assignment at capture', () => {
  let db: CallbackDeskDB;
  beforeEach(async () => {
    db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
    await db.open();
  });
  afterEach(async () => {
    await db.delete();
  });

  const call = (
    from: string,
    startedAt: number,
    extra: Partial<IncomingCall> = {},
  ): IncomingCall => ({
    from,
    startedAt,
    provider: 'ringcentral',
    capturePath: 'portal',
    reason: 'no-answer',
    ...extra,
  });

  it('a missed call after hours is assigned to the on-call person with the reason', async () => {
    await captureCalls(db, settings, [call('(212) 555-0143', at(21))], at(21, 1));
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ assignee: 'sam', assignReason: 'on call' });
  });

  it('two captures at once never give the same turn twice; the turn survives a restart', async () => {
    await Promise.all([
      captureCalls(db, settings, [call('(212) 555-0101', at(10))], at(10)),
      captureCalls(db, settings, [call('(212) 555-0102', at(10))], at(10)),
      captureCalls(db, settings, [call('(212) 555-0103', at(10))], at(10)),
    ]);
    const assignees = (await db.leads.toArray()).map((l) => l.assignee).sort();
    expect(assignees).toEqual(['ana', 'cy', 'pat']);
    db.close();
    await db.open();
    await captureCalls(db, settings, [call('(212) 555-0104', at(10, 5))], at(10, 5));
    const fourth = await db.leads.where('phoneKey').equals('+12125550104').first();
    expect(fourth?.assignee).toBe('ana');
  });

  it('an emergency line marks the lead; a repeat call keeps the assignee', async () => {
    const emergency: FirmSettings = {
      ...settings,
      sourceRules: [
        { id: 'e', line: '(800) 555-0199', source: 'Jail calls', priority: true, emergency: true },
      ],
    };
    await captureCalls(
      db,
      emergency,
      [call('(212) 555-0143', at(10), { dialedLine: '800-555-0199' })],
      at(10),
    );
    await captureCalls(db, emergency, [call('(212) 555-0143', at(10, 30))], at(10, 30));
    const leads = await db.leads.toArray();
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      emergency: true,
      assignee: 'ana',
      assignReason: 'round robin',
    });
  });

  it('with no staff set up nothing is assigned', async () => {
    await captureCalls(db, DEFAULT_SETTINGS, [call('(212) 555-0143', at(21))], at(21));
    const [lead] = await db.leads.toArray();
    expect(lead?.assignee).toBeUndefined();
  });
});
