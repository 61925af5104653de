import { describe, expect, it } from 'vitest';
import { patchLead, recordAttempt } from '@/utils/queue/leads';
import { readCursor, CURSOR_OVERLAP_MS, FULL_READ_PERIOD_MS } from '@/utils/team/sharedQueue';
import { parseSharedTask } from '@/utils/team/sharedTasks';
import { htmlToText } from '@/utils/crm/hubspot';
import { ClaimConflictError } from '@/utils/team/claim';
import { advance, browser, clio, hubspot, now, t0, useSharedWorld } from './sharedWorld';

useSharedWorld();

const openTasks = () =>
  hubspot.records('tasks').filter((t) => t.properties.hs_task_status !== 'COMPLETED');
const bodyOf = (t: { properties: Record<string, string> }) =>
  htmlToText(t.properties.hs_task_body ?? '');

describe('shared queue through HubSpot tasks', () => {
  it('a call captured in one browser becomes one task and appears in the other after one read', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    const contact = hubspot.seedContact({ firstname: 'Dana', phone: '+14155550134' });
    const leadId = await a.capture('+14155550134');
    await a.db.leads.update(leadId, {
      crmLinks: [{ system: 'hubspot', account: '77', contactId: contact.id }],
    });
    await a.pass();
    expect(hubspot.records('tasks')).toHaveLength(1);
    const task = hubspot.records('tasks')[0]!;
    // On the caller's contact, with our tokens in the body.
    expect(task.associations).toEqual([{ toType: 'contacts', toId: contact.id, typeId: 204 }]);
    expect(bodyOf(task)).toContain('ref cbdqueue cbdqc14155550134');

    const report = await b.pass();
    expect(report.added).toHaveLength(1);
    const [seen] = await b.leads();
    expect(seen).toMatchObject({ phone: '+14155550134', name: 'Dana Whitfield', status: 'open' });
    // B does not create a second task for the lead it read.
    await b.pass();
    expect(hubspot.records('tasks')).toHaveLength(1);
  });

  it('claimed elsewhere shows "claimed by Ben" here and leaves my claim', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    const [bLead] = await b.leads();
    const result = await b.claim(bLead!.id);
    expect(result.outcome).toBe('won');
    expect(openTasks()[0]!.properties.hubspot_owner_id).toBe('102');
    await a.pass();
    const [aLead] = await a.leads();
    expect(aLead).toMatchObject({ status: 'claimed', claimedBy: 'ben' });
    // A's own claim is refused at once, with the colleague's name.
    await expect(a.claim(aLead!.id)).rejects.toThrow(
      new ClaimConflictError(aLead!, 'Ben Okafor').message,
    );
  });

  it('closed elsewhere closes here; the body keeps the attempts so far', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    const [bLead] = await b.leads();
    await recordAttempt(
      b.db,
      b.settings,
      { leadId: bLead!.id, method: 'call', outcome: 'no-answer', by: 'ben' },
      now(),
    );
    await b.pass();
    expect(parseSharedTask(bodyOf(openTasks()[0]!)).attempts).toBe(1);
    expect(bodyOf(openTasks()[0]!)).toContain('Call · No answer · Ben Okafor');
    await patchLead(b.db, b.settings, { leadId: bLead!.id, status: 'done' }, now());
    await b.pass();
    expect(openTasks()).toHaveLength(0);
    await a.pass();
    const [aLead] = await a.leads();
    expect(aLead!.status).toBe('done');
  });

  it('two browsers capturing the same call at once end with one task: the lowest id, the other completed as its duplicate', async () => {
    // Both create before either's task is searchable (HubSpot's index lags).
    hubspot.options.searchLagMs = 30_000;
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    // The portal shows minutes only; the API gave seconds: the same caller all the same.
    await a.capture('+14155550134', t0);
    await b.capture('(415) 555-0134', t0 + 37_000);
    await a.pass();
    await b.pass();
    expect(hubspot.records('tasks')).toHaveLength(2);
    const [low, high] = hubspot.records('tasks').map((t) => t.id);
    advance(60_000);
    await a.pass();
    await b.pass();
    advance(60_000);
    await a.pass();
    await b.pass();
    const open = openTasks();
    expect(open.map((t) => t.id)).toEqual([low]);
    const dup = hubspot.records('tasks').find((t) => t.id === high)!;
    expect(bodyOf(dup)).toContain(`Duplicate of task ${low}`);
    // Both browsers keep their lead open, on the kept task.
    for (const x of [a, b]) {
      const leads = await x.leads();
      expect(leads).toHaveLength(1);
      expect(leads[0]!.status).toBe('open');
      expect((await x.db.sharedTasks.toArray()).map((r) => r.taskId)).toEqual([low]);
    }
  });

  it('a claim made before this browser read the create race goes to the task kept', async () => {
    hubspot.options.searchLagMs = 30_000;
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await b.capture('+14155550134');
    await a.capture('+14155550134');
    await b.pass();
    await a.pass();
    const [low, high] = hubspot.records('tasks').map((t) => t.id);
    advance(60_000);
    await b.pass(); // B keeps the lowest id and completes A's task as its duplicate
    expect(openTasks().map((t) => t.id)).toEqual([low]);
    const [aLead] = await a.leads();
    const result = await a.claim(aLead!.id);
    expect(result.outcome).toBe('won');
    const kept = hubspot.records('tasks').find((t) => t.id === low)!;
    expect(parseSharedTask(bodyOf(kept)).claim?.staffId).toBe('ana');
    expect(kept.properties.hubspot_owner_id).toBe('101');
    expect(hubspot.records('tasks').find((t) => t.id === high)!.properties.hs_task_status).toBe(
      'COMPLETED',
    );
  });

  it('two claims at once: one wins, the other is told who has it', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    const [aLead] = await a.leads();
    const [bLead] = await b.leads();
    const [ra, rb] = await Promise.all([a.claim(aLead!.id), b.claim(bLead!.id)]);
    const outcomes = [ra.outcome, rb.outcome].sort();
    expect(outcomes).toEqual(['lost', 'won']);
    const loser = ra.outcome === 'lost' ? ra : rb;
    const winner = ra.outcome === 'won' ? 'ana' : 'ben';
    expect(loser.outcome === 'lost' && loser.message).toBe(
      `${winner === 'ana' ? 'Ana Lopez' : 'Ben Okafor'} claimed this a moment ago.`,
    );
    // Everyone converges on the winner.
    advance(60_000);
    await a.pass();
    await b.pass();
    expect((await a.leads())[0]!.claimedBy).toBe(winner);
    expect((await b.leads())[0]!.claimedBy).toBe(winner);
    expect(parseSharedTask(bodyOf(openTasks()[0]!)).claim?.staffId).toBe(winner);
  });

  it('a task modified while the search index lags is read on a later pass (the cursor overlaps)', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await b.pass(); // B has read once: its cursor is set
    hubspot.options.searchLagMs = 3 * 60_000;
    await a.capture('+14155550134');
    await a.pass();
    advance(60_000);
    expect((await b.pass()).added).toHaveLength(0); // not searchable yet
    advance(60_000);
    // Something else changes meanwhile and is indexed: B's cursor moves on it.
    hubspot.options.searchLagMs = 0;
    await a.capture('+14155550199');
    await a.pass();
    await b.pass();
    expect((await b.leads()).map((l) => l.phone)).toEqual(['+14155550199']);
    advance(2 * 60_000);
    const report = await b.pass();
    expect(report.added).toHaveLength(1);
    expect((await b.leads()).map((l) => l.phone).sort()).toEqual(['+14155550134', '+14155550199']);
    const cursor = await readCursor(b.db, 'hubspot');
    expect(cursor.changedSince).toBeLessThanOrEqual(now() - CURSOR_OVERLAP_MS + 60_000);
  });

  it('a task deleted in HubSpot: the lead stays in this queue and leaves the shared one', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    hubspot.deleteRecord('tasks', hubspot.records('tasks')[0]!.id);
    advance(FULL_READ_PERIOD_MS + CURSOR_OVERLAP_MS);
    const report = await b.pass();
    expect(report.deleted).toBe(1);
    const [lead] = await b.leads();
    expect(lead!.status).toBe('open');
    const [row] = await b.db.sharedTasks.toArray();
    expect(row!.deletedAt).toBeDefined();
    // Nothing is re-created behind the firm's back.
    await b.pass();
    expect(hubspot.records('tasks')).toHaveLength(0);
  });

  it('connected to another HubSpot portal, the leads are shared again there and read from its start', async () => {
    const a = await browser('a', 'ana');
    await a.capture('+14155550134');
    await a.pass();
    expect(hubspot.records('tasks')).toHaveLength(1);
    hubspot.reset(); // the other portal has none of our tasks
    // The same browser (its database), now connected to portal 88.
    const moved = await browser('a', 'ana', 'hubspot', { account: '88', db: a.db });
    await moved.pass();
    expect(hubspot.records('tasks')).toHaveLength(1);
    const rows = await a.db.sharedTasks.toArray();
    expect(rows.map((r) => r.account)).toEqual(['88']);
    expect((await readCursor(a.db, 'hubspot')).account).toBe('88');
  });

  it('a 429 on read backs off (Retry-After / window, with jitter) and sends nothing until then', async () => {
    const a = await browser('a', 'ana');
    await a.pass();
    hubspot.faults.push({ kind: '429', match: /tasks\/search/, times: 3 });
    const report = await a.pass();
    expect(report.rateLimited).toBe(true);
    const cursor = await readCursor(a.db, 'hubspot');
    expect(cursor.nextReadAfter).toBeGreaterThan(now());
    const before = hubspot.log.length;
    expect((await a.pass()).skipped).toBe('backoff');
    expect(hubspot.log.length).toBe(before);
    advance(cursor.nextReadAfter! - now() + 1);
    expect((await a.pass()).skipped).toBeUndefined();
  });
});

describe('shared queue through Clio tasks', () => {
  it('two claims at once: If-Match with the etag makes the later one fail (412) and it is told', async () => {
    const a = await browser('a', 'ana', 'clio');
    const b = await browser('b', 'ben', 'clio');
    await a.capture('+14155550134');
    await a.pass();
    expect(clio.tasks).toHaveLength(1);
    await b.pass();
    const [aLead] = await a.leads();
    const [bLead] = await b.leads();
    expect(bLead).toMatchObject({ phone: '+14155550134' });
    const [ra, rb] = await Promise.all([a.claim(aLead!.id), b.claim(bLead!.id)]);
    expect([ra.outcome, rb.outcome].sort()).toEqual(['lost', 'won']);
    expect(clio.log.some((r) => r.status === 412)).toBe(true);
    const winner = ra.outcome === 'won' ? 'ana' : 'ben';
    expect(String(clio.tasks[0]!.assignee.id)).toBe(winner === 'ana' ? '345001' : '345002');
  });

  it('reads only tasks updated since the cursor (updated_since) and closes what was closed elsewhere', async () => {
    const a = await browser('a', 'ana', 'clio');
    const b = await browser('b', 'ben', 'clio');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    const [aLead] = await a.leads();
    await patchLead(a.db, a.settings, { leadId: aLead!.id, status: 'done' }, now());
    await a.pass();
    expect(clio.tasks[0]!.status).toBe('complete');
    advance(30_000);
    await b.pass();
    expect((await b.leads())[0]!.status).toBe('done');
  });
});
