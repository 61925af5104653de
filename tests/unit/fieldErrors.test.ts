import { describe, expect, it } from 'vitest';
import { errorsUnder, fieldErrorsOf } from '@/utils/fieldErrors';
import { DEFAULT_SETTINGS, FirmSettings } from '@/utils/settings';

function errorsFor(change: Partial<FirmSettings> | Record<string, unknown>) {
  const result = FirmSettings.safeParse({ ...DEFAULT_SETTINGS, ...change });
  return result.success ? {} : fieldErrorsOf(result.error.issues);
}

describe('fieldErrorsOf', () => {
  it('puts a readable message on each settings field', () => {
    expect(
      errorsFor({ sla: { targetMinutes: Number.NaN, limitMinutes: 2.5, afterHoursMinutes: 0 } }),
    ).toEqual({
      'sla.targetMinutes': 'Enter a number.',
      'sla.limitMinutes': 'Enter a whole number.',
      'sla.afterHoursMinutes': 'Must be at least 1.',
    });
    expect(errorsFor({ staff: [{ id: 's1', name: '  ' }] })).toEqual({
      'staff.0.name': 'Required.',
    });
  });

  it('explains the cross-field rules: limit before target, closing before opening, overlaps', () => {
    expect(
      errorsFor({ sla: { targetMinutes: 20, limitMinutes: 15, afterHoursMinutes: 60 } }),
    ).toEqual({
      'sla.limitMinutes': 'Limit must be at least the target.',
    });
    const monday = [
      { open: '09:00', close: '13:00' },
      { open: '12:00', close: '08:00' },
    ];
    const errors = errorsFor({
      weeklyHours: DEFAULT_SETTINGS.weeklyHours.map((d, i) => (i === 1 ? monday : d)),
    });
    expect(errors['weeklyHours.1.1']).toBe('Opening must be before closing.');
    expect(errorsUnder(errors, 'weeklyHours.1')).toContain('Opening must be before closing.');
    const overlapping = errorsFor({
      weeklyHours: DEFAULT_SETTINGS.weeklyHours.map((d, i) =>
        i === 2
          ? [
              { open: '09:00', close: '13:00' },
              { open: '12:00', close: '17:00' },
            ]
          : d,
      ),
    });
    expect(overlapping).toEqual({ 'weeklyHours.2': 'Opening hours overlap.' });
  });
});
