import { describe, expect, it } from 'vitest';
import {
  cadenceHint,
  closesByDefault,
  formatElapsed,
  methodsDoneInStep,
  suggestedMethod,
} from '@/utils/queue/attemptForm';
import type { Cadence } from '@/utils/settings';

describe('attempt form defaults', () => {
  it('closes by default on an outcome that ends the callback', () => {
    expect(closesByDefault('consultation-booked')).toBe(true);
    expect(closesByDefault('reached')).toBe(true);
    expect(closesByDefault('wrong-number')).toBe(true);
  });

  it('keeps the lead open after an unanswered attempt, the last step too (it goes to No contact)', () => {
    expect(closesByDefault('no-answer')).toBe(false);
    expect(closesByDefault('left-voicemail')).toBe(false);
    expect(closesByDefault('sent')).toBe(false);
    expect(closesByDefault('')).toBe(false);
  });

  it('suggests the cadence method and says which step this is', () => {
    expect(suggestedMethod(0)).toBe('call');
    expect(suggestedMethod(2)).toBe('email');
    expect(suggestedMethod(5)).toBe('call');
    expect(cadenceHint(0)).toBe('Step 1 of 3: call now');
    expect(cadenceHint(1)).toBe('Step 2 of 3: call again, leave a voicemail, send a text');
    expect(cadenceHint(2)).toBe(
      'Step 3 of 3: send a follow-up email (last step: without contact the lead moves to No contact)',
    );
    expect(cadenceHint(3)).toMatch(/^All 3 steps of the cadence are done/);
  });

  it('follows the firm’s own cadence', () => {
    const cadence: Cadence = {
      steps: [
        { methods: ['text', 'call'], from: 'first-call', delayMinutes: 0 },
        { methods: ['email'], from: 'first-call', delayMinutes: 120 },
      ],
    };
    expect(suggestedMethod(0, cadence)).toBe('text');
    expect(cadenceHint(0, cadence)).toBe('Step 1 of 2: send a text, call now');
  });

  it('an automatic text already sent in this step moves the suggestion on to the call', () => {
    const done = methodsDoneInStep(
      [
        { method: 'text', at: 200, automatic: true },
        { method: 'call', at: 50 },
      ],
      100,
    );
    expect(done).toEqual(['text']);
    const cadence: Cadence = {
      steps: [{ methods: ['text', 'call'], from: 'first-call', delayMinutes: 0 }],
    };
    expect(suggestedMethod(0, cadence, done)).toBe('call');
  });

  it('shows the call timer as m:ss, with hours past an hour', () => {
    expect(formatElapsed(7_400)).toBe('0:07');
    expect(formatElapsed(765_000)).toBe('12:45');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5)).toBe('0:00');
  });
});
