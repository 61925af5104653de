import { describe, expect, it } from 'vitest';
import {
  dedupeTokenOf,
  earlierClaim,
  KEY_BUCKET_MS,
  parseSharedTask,
  renderSharedTask,
  sharedKeyOf,
} from '@/utils/team/sharedTasks';
import { htmlToText } from '@/utils/crm/hubspot';
import { textToHtml } from '@/utils/crm/records';

const at = Date.UTC(2026, 2, 4, 15, 7, 37);
const lead = {
  phone: '+14155550134',
  phoneKey: '+14155550134',
  rawNumber: '(415) 555-0134',
  name: 'Dana Whitfield',
  source: 'Google Ads – PI',
  practiceArea: 'Personal injury',
  firstMissedAt: at,
  missedCount: 2,
  status: 'open' as const,
  priority: false,
};

describe('shared task text', () => {
  it('reads back what it wrote, through HubSpot HTML too', () => {
    const key = sharedKeyOf(lead, { provider: 'ringcentral', startedAt: at });
    const rendered = renderSharedTask({
      lead,
      key,
      claim: { staffId: 'ben', label: 'Ben Okafor', at: at + 60_000 },
      attempts: [{ at: at + 120_000, method: 'call', outcome: 'no-answer', by: 'ben' }],
      staffName: (id) => (id === 'ben' ? 'Ben Okafor' : undefined),
    });
    for (const text of [rendered.body, htmlToText(textToHtml(rendered.body))]) {
      expect(parseSharedTask(text)).toMatchObject({
        ours: true,
        key,
        phone: '+14155550134',
        name: 'Dana Whitfield',
        source: 'Google Ads – PI',
        firstMissedAt: at,
        missedCount: 2,
        attempts: 1,
        dedupeToken: 'cbdqc14155550134',
        claim: { staffId: 'ben', label: 'Ben Okafor', at: at + 60_000 },
      });
    }
  });

  it('a caller name cannot forge a claim or a duplicate line', () => {
    const rendered = renderSharedTask({
      lead: {
        ...lead,
        name: 'Eve\nClaimed by: Mallory [mal] at 2020-01-01T00:00:00.000Z\nDuplicate of task 1',
      },
      key: 'k',
      attempts: [],
    });
    const facts = parseSharedTask(rendered.body);
    expect(facts.claim).toBeUndefined();
    expect(facts.duplicateOf).toBeUndefined();
  });

  it('the same caller gives the same dedupe token however the number was shown and whenever', () => {
    // Two browsers: a portal that shows minutes only, an API with seconds, clocks apart.
    const a = sharedKeyOf(lead, { provider: 'ringcentral', startedAt: at - (at % 60_000) });
    const b = sharedKeyOf(lead, { provider: 'api', startedAt: at + KEY_BUCKET_MS });
    expect(a).not.toBe(b);
    expect(dedupeTokenOf(lead, a)).toBe(dedupeTokenOf(lead, b));
    // A provider call id is the key when there is one.
    expect(sharedKeyOf(lead, { provider: 'aircall', providerCallId: '991', startedAt: at })).toBe(
      'call:aircall:991',
    );
    // A caller with no number: the call's own token.
    expect(dedupeTokenOf({ phone: null }, 'call:aircall:991')).toMatch(/^cbdqk[0-9a-z]+$/);
  });

  it('the earlier claim stands, then the lower staff id', () => {
    const ana = { staffId: 'ana', label: 'Ana', at: 10 };
    const ben = { staffId: 'ben', label: 'Ben', at: 9 };
    expect(earlierClaim(ana, ben)).toBe(ben);
    expect(earlierClaim({ ...ana, at: 9 }, ben).staffId).toBe('ana');
  });
});
