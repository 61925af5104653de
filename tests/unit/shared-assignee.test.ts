import { describe, expect, it } from 'vitest';
import { browser, useSharedWorld } from './sharedWorld';

/**
 * Review of issue 9: a colleague's lead read from the shared queue keeps who it went to and
 * why, and an existing client stays an existing client — not re-assigned by this browser's
 * own round robin (two people would each see it as theirs) nor shown as a new lead.
 */
useSharedWorld();

describe('a lead read from a colleague keeps its assignment and its client tag', () => {
  it('B shows the lead as A assigned it (Ben, the responsible attorney) and as an existing client', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    const leadId = await a.capture('+14155550134');
    await a.db.leads.update(leadId, {
      assignee: 'ben',
      assignReason: 'responsible attorney',
      existingClient: { system: 'hubspot', reason: 'HubSpot lifecycle stage: customer' },
    });
    await a.pass();
    await b.pass();
    const [seen] = await b.leads();
    expect(seen).toMatchObject({
      assignee: 'ben',
      assignReason: 'responsible attorney',
      existingClient: { system: 'hubspot', reason: 'HubSpot lifecycle stage: customer' },
    });
  });

  it('a round-robin lead of Ana’s stays Ana’s in Ben’s browser', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    const leadId = await a.capture('+14155550135');
    await a.db.leads.update(leadId, { assignee: 'ana', assignReason: 'round robin' });
    await a.pass();
    await b.pass();
    const [seen] = await b.leads();
    expect(seen).toMatchObject({ assignee: 'ana', assignReason: 'round robin' });
    expect(seen!.existingClient).toBeUndefined();
  });
});
