// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactElement } from 'react';
import type { Lead, MissedCall } from '@/utils/model';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { firmClock } from '@/utils/displayTime';

const RLO = '\u202E';
const now = Date.UTC(2026, 2, 4, 15, 0);
const lead: Lead = {
  id: 'L1',
  phoneKey: '+12125550101',
  phone: '+12125550101',
  rawNumber: '(212) 555-0101',
  noCallbackNumber: false,
  name: `${RLO}Mallory`,
  source: 'Google Ads',
  practiceArea: 'Family law',
  priority: true,
  status: 'open',
  firstMissedAt: now - 20 * 60_000,
  lastMissedAt: now - 20 * 60_000,
  missedCount: 1,
  dueAt: now + 5 * 60_000,
  overdueAt: now + 15 * 60_000,
  attemptCount: 0,
  createdAt: now,
  updatedAt: now,
};
const call: MissedCall = {
  id: 'C1',
  leadId: 'L1',
  phoneKey: lead.phoneKey,
  provider: 'ringcentral',
  startedAt: lead.firstMissedAt,
  dialedLine: `${RLO}+12125550199`,
  callerName: `${RLO}Mallory`,
  agent: `${RLO}Front desk`,
  reason: 'no-answer',
  capturePath: 'portal',
  capturedAt: now,
};

vi.mock('@/components/useLiveData', () => ({
  useLiveData: (name: string) =>
    name === 'lead' ? lead : name === 'leadCalls' ? [call] : name === 'leadAttempts' ? [] : null,
}));
vi.mock('@/components/LeadSyncPanel', () => ({ LeadSyncPanel: () => null }));

const { CallerCell, DueCell } = await import('@/components/QueueTable');
const { LeadDetail } = await import('@/components/LeadDetail');

function render(element: ReactElement): Document {
  const doc = document.implementation.createHTMLDocument('t');
  doc.body.innerHTML = renderToStaticMarkup(element);
  return doc;
}

/**
 * Every piece of text holding a bidi override sits in an isolate (<bdi> or dir="auto") that
 * holds nothing but that caller-supplied text: the override cannot reach the words around it.
 */
function expectIsolated(doc: Document): number {
  const walker = doc.createTreeWalker(doc.body, 4 /* NodeFilter.SHOW_TEXT */);
  let found = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent?.includes(RLO)) continue;
    found++;
    const isolate = node.parentElement?.closest('bdi, [dir="auto"]');
    expect(isolate, `"${node.textContent}" is isolated`).toBeTruthy();
    expect(isolate!.textContent).toBe(node.textContent);
  }
  return found;
}

describe('caller-supplied text is isolated from the text around it', () => {
  it('in the queue row', () => {
    const doc = render(<CallerCell lead={lead} defaultCountry="US" />);
    expect(expectIsolated(doc)).toBe(1);
    expect(doc.body.textContent).toContain('(212) 555-0101');
  });

  it('in the lead heading, the call button and the call history', () => {
    const doc = render(
      <LeadDetail
        leadId="L1"
        settings={{ ...DEFAULT_SETTINGS, timeZone: 'America/New_York' }}
        clock={firmClock('America/New_York', 'en-US')}
        now={now}
        onBack={() => undefined}
      />,
    );
    // Heading, caller ID line, dialled line, agent.
    expect(expectIsolated(doc)).toBe(4);
    expect(doc.querySelector('h2')?.textContent).toBe(`${RLO}Mallory`);
  });
});

describe('the time under "Due" says what it is', () => {
  const clock = firmClock('America/New_York', 'en-US');
  it('before the target: the target time', () => {
    const doc = render(<DueCell lead={lead} now={now} clock={clock} />);
    const sub = doc.querySelector('.cell-sub')!;
    expect(sub.textContent).toBe('due 10:05 AM');
    expect(sub.getAttribute('aria-label')).toBe('Call back by 10:05 AM');
    expect(sub.getAttribute('title')).toMatch(/^Call back by .*10:05.*; overdue after .*10:15/);
  });

  it('past the target: the limit', () => {
    const doc = render(<DueCell lead={lead} now={now + 10 * 60_000} clock={clock} />);
    expect(doc.querySelector('.cell-sub')!.textContent).toBe('limit 10:15 AM');
  });
});
