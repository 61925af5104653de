import { describe, expect, it } from 'vitest';
import { releaseClaim } from '@/utils/team/claim';
import { parseSharedTask } from '@/utils/team/sharedTasks';
import { htmlToText } from '@/utils/crm/hubspot';
import { advance, browser, hubspot, useSharedWorld } from './sharedWorld';

/**
 * Review of issue 9: "Give it back" in one browser must reach the others through the task —
 * else the lead stays "claimed by Ana" everywhere and nobody else can ever claim it.
 */
useSharedWorld();

const taskBody = () => htmlToText(hubspot.records('tasks')[0]!.properties.hs_task_body ?? '');

describe('a claim given back elsewhere', () => {
  it('A gives the lead back: the task no longer names A, B sees it unclaimed and can claim it', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.capture('+14155550134');
    await a.pass();
    await b.pass();
    const [aLead] = await a.leads();
    expect((await a.claim(aLead!.id)).outcome).toBe('won');
    advance(60_000);
    await b.pass();
    expect((await b.leads())[0]).toMatchObject({ status: 'claimed', claimedBy: 'ana' });

    await releaseClaim(a.db, aLead!.id, 'ana');
    advance(60_000);
    await a.pass();
    expect(parseSharedTask(taskBody()).claim).toBeUndefined();
    advance(60_000);
    await b.pass();
    const [bLead] = await b.leads();
    expect(bLead).toMatchObject({ status: 'open' });
    expect(bLead!.claimedBy).toBeUndefined();
    expect((await b.claim(bLead!.id)).outcome).toBe('won');
    expect(parseSharedTask(taskBody()).claim?.staffId).toBe('ben');
  });
});
