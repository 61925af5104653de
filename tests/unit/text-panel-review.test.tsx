// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Lead } from '@/utils/model';
import { firmClock } from '@/utils/displayTime';

/**
 * Issue 8 review (adversarial + accessibility): the lead's text panel. A caller whose name
 * is markup or a template tag gets it back as text in the message; a message over the limit
 * says so in the field's own description (why Send is off), for screen readers too.
 */

const sendMessage = vi.fn();
vi.mock('@/utils/messaging', () => ({ sendMessage: (...args: unknown[]) => sendMessage(...args) }));
vi.mock('@/components/useLiveData', () => ({ useLiveData: () => ({ texts: [], optOut: null }) }));

const now = Date.UTC(2026, 2, 4, 15, 0);
const lead = {
  id: 'L1',
  phoneKey: '+14155550134',
  phone: '+14155550134',
  rawNumber: '(415) 555-0134',
  noCallbackNumber: false,
  name: '<img src=x onerror=alert(1)>',
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
  sendMessage.mockReset();
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

async function open(body: string) {
  sendMessage.mockResolvedValue({
    canSend: { ok: true, provider: 'twilio', providerLabel: 'Twilio', from: '+12125550100' },
    body,
    to: lead.phone,
  });
  const { TextPanel } = await import('@/components/TextPanel');
  await act(async () => {
    root.render(<TextPanel lead={lead} clock={firmClock('America/New_York', 'en-US')} now={now} />);
  });
  return host.querySelector('textarea')!;
}

describe('the text panel', () => {
  it('keeps a hostile name as text in the message', async () => {
    const textarea = await open(
      'Hi <img src=x onerror=alert(1)> {{firmName}}, sorry we missed you.',
    );
    expect(textarea.value).toBe(
      'Hi <img src=x onerror=alert(1)> {{firmName}}, sorry we missed you.',
    );
    expect(host.querySelector('img')).toBeNull();
  });

  it('a message over the limit: Send is off and the field says why', async () => {
    const textarea = await open('x'.repeat(1_200));
    const send = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Send text')!;
    expect(send.disabled).toBe(true);
    expect(textarea.getAttribute('aria-invalid')).toBe('true');
    const describedBy = textarea.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    expect(host.querySelector(`[id="${describedBy}"]`)?.textContent).toContain(
      '1200 / 1000 characters',
    );
  });
});
