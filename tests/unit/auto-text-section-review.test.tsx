// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { DEFAULT_SETTINGS } from '@/utils/settings';

/**
 * Issue 8 review (accessibility): Options → Automatic text. A sending-hours error is read
 * out with its field (aria-describedby), not only shown in red beside it.
 */

vi.mock('@/components/hooks', () => ({ useFirmSettings: () => DEFAULT_SETTINGS }));

let root: Root;
let host: HTMLElement;
beforeEach(() => {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

function type(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  setter.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

const labelled = (text: string) => {
  const label = [...host.querySelectorAll('label')].find((l) => l.textContent === text)!;
  return host.querySelector<HTMLInputElement>(`[id="${label.htmlFor}"]`)!;
};

describe('sending hours that end before they start', () => {
  it('the error is the field’s description', async () => {
    const { AutoTextSection } = await import('@/components/options/AutoTextSection');
    await act(async () => root.render(<AutoTextSection />));
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    const until = labelled('until');
    await act(async () => type(labelled('Text only from'), '22:00'));
    await act(async () => type(until, '08:00'));
    const form = host.querySelector('form')!;
    await act(async () => {
      form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    const describedBy = until.getAttribute('aria-describedby');
    expect(until.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy).toBeTruthy();
    expect(host.querySelector(`[id="${describedBy}"]`)?.textContent).toMatch(
      /start of the sending hours must be before their end/i,
    );
  });
});
