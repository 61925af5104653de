import { describe, expect, it } from 'vitest';
import { formatPhone, nationalDigits, normalizePhone } from '@/utils/phone';

describe('normalizePhone', () => {
  it.each([
    ['(212) 555-0143', '+12125550143', '(212) 555-0143'],
    ['212.555.0143', '+12125550143', '(212) 555-0143'],
    ['+1 212 555 0143', '+12125550143', '(212) 555-0143'],
    ['1-212-555-0143', '+12125550143', '(212) 555-0143'],
    ['tel:+12125550143', '+12125550143', '(212) 555-0143'],
    ['12125550143', '+12125550143', '(212) 555-0143'],
    ['+44 20 7946 0958', '+442079460958', '+44 20 7946 0958'],
    ['+52 55 1234 5678', '+525512345678', '+52 55 1234 5678'],
  ])('%s → %s', (raw, e164, display) => {
    expect(normalizePhone(raw, 'US')).toEqual({ e164, display });
  });

  it('keeps extensions', () => {
    expect(normalizePhone('(212) 555-0143 ext. 27', 'US')).toEqual({
      e164: '+12125550143',
      extension: '27',
      display: '(212) 555-0143 ext. 27',
    });
    expect(normalizePhone('212-555-0143 x9', 'US').extension).toBe('9');
  });

  it.each(['Anonymous', 'UNKNOWN', 'Restricted', 'Private number', 'Blocked', ''])(
    '%j has no callback number but is kept',
    (raw) => {
      const result = normalizePhone(raw, 'US');
      expect(result.e164).toBeNull();
      expect(result.problem).toBe('anonymous');
      expect(result.display.length).toBeGreaterThan(0);
    },
  );

  it.each(['12', 'call me', '555-01', '+999 123'])('%j is malformed, never a crash', (raw) => {
    const result = normalizePhone(raw, 'US');
    expect(result).toMatchObject({ e164: null, problem: 'malformed', display: raw });
  });

  it('uses the default country for national numbers', () => {
    expect(normalizePhone('020 7946 0958', 'GB').e164).toBe('+442079460958');
    expect(normalizePhone('020 7946 0958', 'GB').display).toBe('020 7946 0958');
  });
});

describe('formatting helpers', () => {
  it('formats stored numbers', () => {
    expect(formatPhone('+12125550143')).toBe('(212) 555-0143');
    expect(formatPhone('+442079460958')).toBe('+44 20 7946 0958');
  });
  it('gives national digits for CRM search', () => {
    expect(nationalDigits('+12125550143')).toBe('2125550143');
  });
});
