import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { setupMessageHandlers } from '@/utils/handlers';
import { removeAllListeners } from '@/utils/messaging';
import type { Lead } from '@/utils/model';
import { contentScriptAt, deliver, ownPage } from './messageWorld';

/**
 * Adversarial review (issue 10): the metrics' messages — survey answers, the CRM disposition
 * refresh, a lead's disposition — are taken only from Callback Desk's own pages; a portal
 * page's content script is refused before anything is written, and a rating outside 1–5 is
 * told in words.
 */
const portal = contentScriptAt('https://service.ringcentral.com/call-log', 4);
const NOW = Date.now();
const lead: Lead = {
  id: 'L1',
  phoneKey: '+12125550143',
  phone: '+12125550143',
  rawNumber: '(212) 555-0143',
  noCallbackNumber: false,
  priority: false,
  status: 'done',
  firstMissedAt: NOW - 3_600_000,
  lastMissedAt: NOW - 3_600_000,
  missedCount: 1,
  dueAt: NOW,
  overdueAt: NOW,
  attemptCount: 1,
  closedAt: NOW - 60_000,
  closeOutcome: 'consultation-booked',
  createdAt: NOW - 3_600_000,
  updatedAt: NOW - 60_000,
};

beforeEach(async () => {
  removeAllListeners();
  await db.delete();
  await db.open();
  setupMessageHandlers();
  await db.leads.put(lead);
});

describe('metrics messages from a content script', () => {
  const messages: [string, unknown][] = [
    ['saveSurvey', { leadId: 'L1', rating: 5, feltValued: true }],
    ['getSurvey', { leadId: 'L1' }],
    ['refreshDispositions', undefined],
    ['patchLead', { leadId: 'L1', disposition: 'retained' }],
  ];
  for (const [type, data] of messages) {
    it(`${type} is refused and writes nothing`, async () => {
      const reply = await deliver(type, data, portal);
      expect(reply.err?.message).toBe('Rejected: only Callback Desk pages may do this.');
      expect(await db.surveys.count()).toBe(0);
      expect((await db.leads.get('L1'))?.disposition).toBeUndefined();
    });
  }

  it('from the sidebar, a rating of 0, 6 or 4.5 is told in words and nothing is saved; 5 is saved', async () => {
    for (const rating of [0, 6, 4.5, '5']) {
      const reply = await deliver('saveSurvey', { leadId: 'L1', rating }, ownPage());
      expect(reply.err?.message).toBe('Rating: choose 1 to 5.');
    }
    expect(await db.surveys.count()).toBe(0);
    const ok = await deliver('saveSurvey', { leadId: 'L1', rating: 5 }, ownPage());
    expect(ok.res).toMatchObject({ leadId: 'L1', rating: 5 });
  });
});
