import { describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE, DEFAULT_SETTINGS, FirmSettings, parseSettings } from '@/utils/settings';
import { fieldErrorsOf } from '@/utils/fieldErrors';
import { normalizeCadence, summarizeCadence } from '@/components/options/CadenceEditor';

/** The cadence in the firm's settings: its default, repairs of broken values, and the errors Options shows. */
const rule = {
  id: 'ads',
  line: '+18005550100',
  source: 'Google Ads – PI',
  priority: true,
  sla: { targetMinutes: 2 },
};

function errorsOf(value: unknown) {
  const parsed = FirmSettings.safeParse(value);
  return parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
}

describe('cadence settings', () => {
  it('settings saved before the cadence existed get today’s behaviour', () => {
    const { cadence, ...old } = DEFAULT_SETTINGS;
    void cadence;
    expect(parseSettings(old).cadence).toEqual(DEFAULT_CADENCE);
    expect(summarizeCadence(DEFAULT_CADENCE)).toBe(
      '1. Call — when the missed call is due (callback windows); ' +
        '2. Call + voicemail + text — 1 h of business time after the previous attempt; ' +
        '3. Email — 24 h after the first missed call',
    );
  });

  it('a broken cadence falls back to the default and keeps the other settings', () => {
    const parsed = parseSettings({
      ...DEFAULT_SETTINGS,
      firmName: 'Kept LLP',
      cadence: { steps: [{ methods: ['fax'] }] },
    });
    expect(parsed.cadence).toEqual(DEFAULT_CADENCE);
    expect(parsed.firmName).toBe('Kept LLP');
  });

  it('a source rule with a broken cadence keeps the rule (and its windows), without that cadence', () => {
    const parsed = parseSettings({
      ...DEFAULT_SETTINGS,
      sourceRules: [
        { ...rule, cadence: { steps: [] } },
        { ...rule, id: 'b', line: '+18005550101' },
      ],
    });
    expect(parsed.sourceRules).toHaveLength(2);
    expect(parsed.sourceRules[0]).toMatchObject({ id: 'ads', sla: { targetMinutes: 2 } });
    expect(parsed.sourceRules[0]!.cadence).toBeUndefined();
  });

  it('says what is wrong next to the step, in words', () => {
    const errors = errorsOf({
      ...DEFAULT_SETTINGS,
      cadence: {
        steps: [
          { methods: ['call'], from: 'first-call', delayMinutes: 0 },
          { methods: [], from: 'previous-attempt', delayMinutes: Number.NaN },
          { methods: ['email', 'email'], from: 'first-call', delayMinutes: 600 },
        ],
      },
    });
    expect(errors['cadence.steps.1.methods']).toBe('Choose at least one method.');
    expect(errors['cadence.steps.1.delayMinutes']).toBe('Enter a number.');
    expect(errors['cadence.steps.2.methods']).toBe('A method is listed twice.');
    // Steps timed from the first missed call must come in order (checked once each step is valid).
    const order = errorsOf({
      ...DEFAULT_SETTINGS,
      cadence: {
        steps: [
          { methods: ['call'], from: 'first-call', delayMinutes: 0 },
          { methods: ['email'], from: 'first-call', delayMinutes: 600 },
          { methods: ['text'], from: 'first-call', delayMinutes: 300 },
        ],
      },
    });
    expect(order['cadence.steps.2.delayMinutes']).toBe(
      'Must be later than step 2 (600 minutes after the first missed call).',
    );
    expect(errorsOf({ ...DEFAULT_SETTINGS, cadence: { steps: [] } })['cadence.steps']).toBe(
      'The cadence needs at least one step.',
    );
    const tooLong = errorsOf({
      ...DEFAULT_SETTINGS,
      cadence: { steps: [{ methods: ['call'], from: 'previous-attempt', delayMinutes: 99_999 }] },
    });
    expect(tooLong['cadence.steps.0.delayMinutes']).toBe('Must be at most 10080.');
  });

  it('a source rule’s own cadence is checked the same way, under its rule', () => {
    const errors = errorsOf({
      ...DEFAULT_SETTINGS,
      sourceRules: [
        { ...rule, cadence: { steps: [{ methods: [], from: 'first-call', delayMinutes: 0 }] } },
      ],
    });
    expect(errors['sourceRules.0.cadence.steps.0.methods']).toBe('Choose at least one method.');
  });

  it('the first step is always the missed call’s own due time', () => {
    expect(
      normalizeCadence({
        steps: [{ methods: ['call'], from: 'previous-attempt', delayMinutes: 30 }],
      }),
    ).toEqual({ steps: [{ methods: ['call'], from: 'first-call', delayMinutes: 0 }] });
  });
});
