import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorsUnder, fieldErrorsOf } from '@/utils/fieldErrors';
import { errorMessage } from '@/utils/errorMessage';
import { AttemptInput, IncomingCall, LeadPatch } from '@/utils/model';
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

describe('errors from the background, as the UI shows them', () => {
  /** What a failed sendMessage throws for a ZodError in a handler: its message, JSON. */
  const thrown = (schema: z.ZodType, value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) throw new Error('expected a failure');
    return new Error(result.error.message);
  };
  const ZOD_WORDING = /invalid input|expected \w+, received|too (big|small)|invalid option/i;

  it('are sentences in the user’s words, never zod’s wording', () => {
    const patch = errorMessage(
      thrown(LeadPatch, { leadId: 'L1', status: 'archived', practiceArea: 'x'.repeat(81) }),
    );
    expect(patch).not.toMatch(ZOD_WORDING);
    expect(patch).toBe(
      'Status: choose one of the listed options. Practice area: at most 80 characters.',
    );
    const attempt = errorMessage(thrown(AttemptInput, { leadId: 'L1', method: 'call' }));
    expect(attempt).toBe('Outcome: choose one of the listed options.');
    const call = errorMessage(thrown(z.array(IncomingCall), [{ from: '555', provider: 'x' }]));
    expect(call).not.toMatch(ZOD_WORDING);
    expect(call).toMatch(/^Time of the call: /);
  });

  it('field messages fall back to a plain sentence for zod’s own wording', () => {
    const result = z.object({ kind: z.enum(['a', 'b']) }).safeParse({ kind: 'c' });
    expect(fieldErrorsOf(result.error!.issues)).toEqual({
      kind: 'Choose one of the listed options.',
    });
  });
});
