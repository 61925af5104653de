import { describe, expect, it } from 'vitest';
import { recordAttempt } from '@/utils/queue/leads';
import { parseSharedTask } from '@/utils/team/sharedTasks';
import { htmlToText } from '@/utils/crm/hubspot';
import { browser, hubspot, now, useSharedWorld } from './sharedWorld';

/**
 * Review of issue 9: a colleague's attempt (or close) written before their browser read my
 * claim must not erase the claim from the task — else a third colleague reads no claim and
 * claims the caller I am already calling.
 */
useSharedWorld();

const taskBody = () => htmlToText(hubspot.records('tasks')[0]!.properties.hs_task_body ?? '');

describe('an attempt recorded elsewhere keeps the claim on the task', () => {
  it('HubSpot: B records an attempt before it has read A’s claim; the task still shows A’s claim', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    const [aLead] = await a.leads();
    expect((await a.claim(aLead!.id)).outcome).toBe('won');
    expect(parseSharedTask(taskBody()).claim?.staffId).toBe('ana');
    // B has not read since: its lead shows no claim. It records an attempt, then publishes.
    const [bLead] = await b.leads();
    expect(bLead!.claimedBy).toBeUndefined();
    await recordAttempt(
      b.db,
      b.settings,
      { leadId: bLead!.id, method: 'call', outcome: 'no-answer', by: 'ben' },
      now(),
    );
    await b.pass();
    const facts = parseSharedTask(taskBody());
    expect(facts.attempts).toBe(1);
    expect(facts.claim?.staffId).toBe('ana');
    // And B, having read, shows the claim too.
    const [after] = await b.leads();
    expect(after!.claimedBy).toBe('ana');
  });
});
