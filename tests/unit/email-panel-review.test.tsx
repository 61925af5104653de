// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Attempt, Lead } from '@/utils/model';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import { EMPTY_STORED_TEMPLATES, type StoredTemplates } from '@/utils/workflow/templates';
import { EmailSentInput } from '@/utils/workflow/emailService';

/**
 * Issue 8 review (adversarial): the email panel never opens an email in the firm's mail
 * that the desk then refuses to record (too long a subject or text) — the caller would get
 * the email while the lead shows none, and "Record it as sent" would fail every time.
 */

const sendMessage = vi.fn();
vi.mock('@/utils/messaging', () => ({ sendMessage: (...args: unknown[]) => sendMessage(...args) }));
let stored: StoredTemplates = EMPTY_STORED_TEMPLATES;
vi.mock('@/components/useStorageItem', () => ({ useStorageItem: () => stored }));
vi.mock('@/components/useLiveData', () => ({ useLiveData: () => [] }));

const now = Date.UTC(2026, 2, 4, 15, 0);
const settings: FirmSettings = { ...DEFAULT_SETTINGS, emailCompose: 'gmail' };
const lead: Lead = {
  id: 'L1',
  phoneKey: '+14155550134',
  phone: '+14155550134',
  rawNumber: '(415) 555-0134',
  noCallbackNumber: false,
  name: 'Dana Whitfield',
  email: 'dana@example.com',
  priority: false,
  status: 'done',
  firstMissedAt: now - 3_600_000,
  lastMissedAt: now - 3_600_000,
  missedCount: 1,
  dueAt: now,
  overdueAt: now,
  attemptCount: 1,
  createdAt: now,
  updatedAt: now,
} as Lead;
const attempts: Attempt[] = [
  { id: 'a1', leadId: 'L1', method: 'call', outcome: 'reached', at: now - 60_000 } as Attempt,
];

let root: Root;
let host: HTMLElement;
beforeEach(() => {
  sendMessage.mockReset();
  sendMessage.mockResolvedValue({ attemptId: 'x', queued: 0 });
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
  stored = EMPTY_STORED_TEMPLATES;
});

async function openConfirmation() {
  const { EmailPanel } = await import('@/components/EmailPanel');
  await act(async () => {
    root.render(<EmailPanel lead={lead} attempts={attempts} settings={settings} now={now} />);
  });
  const button = [...host.querySelectorAll('button')].find(
    (b) => b.textContent === 'Send confirmation email',
  )!;
  await act(async () => button.click());
  return [...host.querySelectorAll('a')].find((a) => a.textContent?.startsWith('Open in'))!;
}

describe('an email the desk could not record is not opened', () => {
  it('a text longer than the log takes: no link, a plain reason, nothing recorded', async () => {
    // The firm's template is well within the editor's 20,000 characters; its values make it longer.
    stored = {
      ...EMPTY_STORED_TEMPLATES,
      alternativeContact: `write to us at intake@example.com ${'or visit our office '.repeat(13)}`,
      templates: { 'email.confirmation': 'You can also {{alternativeContact}}.\n'.repeat(80) },
    };
    const open = await openConfirmation();
    const body = host.querySelector('textarea')!.value;
    expect(EmailSentInput.safeParse({ ...valid, body }).success).toBe(false);
    expect(open.getAttribute('href')).toBeNull();
    expect(open.getAttribute('aria-disabled')).toBe('true');
    await act(async () => open.click());
    expect(sendMessage).not.toHaveBeenCalled();
    expect(host.textContent).toContain('The email is too long');
  });

  it('a subject longer than the log takes: no link, a plain reason', async () => {
    stored = {
      ...EMPTY_STORED_TEMPLATES,
      templates: { 'email.confirmation.subject': `Your call with {{firmName}} ${'x'.repeat(300)}` },
    };
    const open = await openConfirmation();
    expect(open.getAttribute('href')).toBeNull();
    await act(async () => open.click());
    expect(sendMessage).not.toHaveBeenCalled();
    expect(host.textContent).toContain('The subject is too long');
  });

  it('says why the email cannot open before anyone clicks, and ties the reason to the link', async () => {
    stored = {
      ...EMPTY_STORED_TEMPLATES,
      templates: { 'email.confirmation.subject': `Your call with {{firmName}} ${'x'.repeat(300)}` },
    };
    const open = await openConfirmation();
    const describedBy = open.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    expect(host.querySelector(`[id="${describedBy}"]`)?.textContent).toContain(
      'The subject is too long',
    );
  });

  it('a normal confirmation still opens and is recorded', async () => {
    const open = await openConfirmation();
    // happy-dom would follow the link; the browser opens Gmail.
    document.addEventListener('click', (e) => e.preventDefault());
    expect(open.getAttribute('href')).toMatch(/^https:\/\/mail\.google\.com\/mail\/\?view=cm/);
    await act(async () => open.click());
    expect(sendMessage).toHaveBeenCalledWith(
      'recordEmailSent',
      expect.objectContaining({ leadId: 'L1', to: 'dana@example.com' }),
    );
  });
});

const valid = {
  leadId: 'L1',
  kind: 'confirmation',
  to: 'dana@example.com',
  subject: 'Thanks',
  body: 'Hello',
  requestId: 'req-12345678',
};
