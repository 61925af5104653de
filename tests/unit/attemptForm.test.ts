import { describe, expect, it } from 'vitest';
import { cadenceHint, closesByDefault, suggestedMethod } from '@/utils/queue/attemptForm';

describe('attempt form defaults', () => {
  it('closes by default on an outcome that ends the callback', () => {
    expect(closesByDefault('consultation-booked', 0)).toBe(true);
    expect(closesByDefault('reached', 0)).toBe(true);
    expect(closesByDefault('wrong-number', 1)).toBe(true);
  });

  it('keeps the lead open after an unanswered attempt, until the cadence ends', () => {
    expect(closesByDefault('no-answer', 0)).toBe(false);
    expect(closesByDefault('left-voicemail', 1)).toBe(false);
    expect(closesByDefault('sent', 2)).toBe(true);
    expect(closesByDefault('', 0)).toBe(false);
  });

  it('suggests the cadence method and says which attempt this is', () => {
    expect(suggestedMethod(0)).toBe('call');
    expect(suggestedMethod(2)).toBe('email');
    expect(suggestedMethod(5)).toBe('call');
    expect(cadenceHint(0)).toBe('Attempt 1 of 3: call now');
    expect(cadenceHint(1)).toBe('Attempt 2 of 3: call again, leave a voicemail, send a text');
    expect(cadenceHint(3)).toMatch(/^All 3 attempts of the cadence are done/);
  });
});
