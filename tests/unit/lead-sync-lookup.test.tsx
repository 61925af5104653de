// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Lead } from '@/utils/model';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { lookupRetryDelay } from '@/utils/crm/syncStatus';

/**
 * Issue 7, "What the user sees when sync struggles": a contact lookup that failed (offline,
 * 429) is tried again on its own, backing off, instead of waiting for "Try again".
 */

const sendMessage = vi.fn();
vi.mock('@/utils/messaging', () => ({ sendMessage: (...args: unknown[]) => sendMessage(...args) }));
vi.mock('@/components/useStorageItem', () => ({
  useStorageItem: () => ({
    hubspot: {
      system: 'hubspot',
      auth: 'private-app',
      account: { id: '77', name: 'HubSpot account 77', key: '77' },
      portalId: '77',
      connectedAt: 0,
    },
  }),
}));
vi.mock('@/components/hooks', () => ({ useFirmSettings: () => DEFAULT_SETTINGS }));
vi.mock('@/components/useLiveData', () => ({ useLiveData: () => [] }));

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
  dueAt: now,
  overdueAt: now,
  attemptCount: 0,
  createdAt: now,
  updatedAt: now,
} as Lead;

let root: Root;
let host: HTMLElement;
beforeEach(() => {
  vi.useFakeTimers({ now });
  sendMessage.mockReset();
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
  vi.useRealTimers();
});

describe('contact lookup in the sync panel', () => {
  it('backs off 5 s, 10 s, 20 s … up to 5 minutes, with jitter', () => {
    expect([1, 2, 3, 4].map((n) => lookupRetryDelay(n, () => 1))).toEqual([
      5_000, 10_000, 20_000, 40_000,
    ]);
    expect(lookupRetryDelay(1, () => 0)).toBe(2_500);
    expect(lookupRetryDelay(30, () => 1)).toBe(5 * 60_000);
  });

  it('tries a failed lookup again on its own, and shows the answer when it comes', async () => {
    const { LeadSyncPanel } = await import('@/components/LeadSyncPanel');
    sendMessage
      .mockRejectedValueOnce(new Error('api.hubapi.com reported its rate limit.'))
      .mockRejectedValueOnce(new Error('Could not reach api.hubapi.com.'))
      .mockResolvedValueOnce({ kind: 'none', canCreate: true });
    await act(async () => root.render(<LeadSyncPanel lead={lead} />));
    expect(host.textContent).toContain('Could not look the caller up in HubSpot');
    expect(host.textContent).toContain('Trying again on its own at');
    expect(sendMessage).toHaveBeenCalledTimes(1);
    // Nobody clicks anything: the lookup runs again after the backoff, then again.
    await act(async () => vi.advanceTimersByTime(5_000));
    expect(sendMessage).toHaveBeenCalledTimes(2);
    await act(async () => vi.advanceTimersByTime(10_000));
    expect(sendMessage).toHaveBeenCalledTimes(3);
    expect(host.textContent).toContain('No HubSpot contact has this number.');
    expect(host.textContent).not.toContain('Could not look the caller up');
  });
});
