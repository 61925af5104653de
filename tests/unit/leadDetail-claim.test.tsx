// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Lead } from '@/utils/model';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import { firmClock } from '@/utils/displayTime';

/**
 * Review of issue 9: the lead's Claim button goes through the shared claim (`claimLead`
 * message), so the loser of a claim race is told at once, not a pass later.
 */

const sendMessage = vi.fn();
vi.mock('@/utils/messaging', () => ({ sendMessage: (...args: unknown[]) => sendMessage(...args) }));
vi.mock('@/components/useStorageItem', () => ({ useStorageItem: () => ({}) }));
// The lead's other panels are not under test here.
for (const panel of ['TextPanel', 'EmailPanel', 'LeadSyncPanel', 'ScriptPanel', 'VoicemailPanel'])
  vi.doMock(`@/components/${panel}`, () => ({ [panel]: () => null }));
vi.mock('@/components/hooks', () => ({ useFirmSettings: () => DEFAULT_SETTINGS }));

const now = Date.UTC(2026, 2, 4, 15, 0);
const lead: Lead = {
  id: 'L1',
  phoneKey: '+14155550134',
  phone: '+14155550134',
  rawNumber: '(415) 555-0134',
  noCallbackNumber: false,
  name: 'Dana Whitfield',
  priority: false,
  status: 'open',
  firstMissedAt: now,
  lastMissedAt: now,
  missedCount: 1,
  dueAt: now + 300_000,
  overdueAt: now + 900_000,
  attemptCount: 0,
  createdAt: now,
  updatedAt: now,
} as Lead;
vi.mock('@/components/useLiveData', () => ({
  useLiveData: (key: string) => (key === 'lead' ? lead : []),
}));

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  staff: [
    { id: 'ana', name: 'Ana Lopez' },
    { id: 'sam', name: 'Sam Carter' },
  ],
  currentStaffId: 'ana',
} as FirmSettings;

let root: Root;
let host: HTMLElement;
beforeEach(() => {
  sendMessage.mockReset();
  sendMessage.mockResolvedValue(undefined);
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

async function renderAndClaim() {
  const { LeadDetail } = await import('@/components/LeadDetail');
  await act(async () =>
    root.render(
      <LeadDetail
        leadId="L1"
        settings={settings}
        clock={firmClock('UTC')}
        now={now}
        onBack={() => undefined}
      />,
    ),
  );
  const claim = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Claim');
  expect(claim).toBeDefined();
  await act(async () => claim!.click());
}

describe('Claim on the lead', () => {
  it('claims through the shared claim (claimLead), not a local patch', async () => {
    await renderAndClaim();
    const kinds = sendMessage.mock.calls.map((c) => c[0]);
    expect(kinds).toContain('claimLead');
    expect(kinds).not.toContain('patchLead');
    expect(sendMessage).toHaveBeenCalledWith('claimLead', { leadId: 'L1' });
    expect(host.textContent).toContain('Claimed by Ana Lopez.');
  });

  it('tells the loser of a claim race at once who has it', async () => {
    sendMessage.mockImplementation((kind: string) =>
      kind === 'claimLead'
        ? Promise.reject(new Error('Sam Carter claimed this a moment ago.'))
        : Promise.resolve(undefined),
    );
    await renderAndClaim();
    const alert = host.querySelector('[role="alert"]');
    expect(alert?.textContent).toBe('Sam Carter claimed this a moment ago.');
  });
});
