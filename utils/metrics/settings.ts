import { z } from 'zod';
import { storage } from '#imports';
import { getSettings, type FirmSettings } from '../settings';
import type { MetricsPrefs, MetricsSettings } from './types';

/** 0.8 and 0.6 unless the firm changes them (Options › Metrics). */
export const DEFAULT_METRICS_PREFS: MetricsPrefs = {
  goodAtLeast: 0.8,
  needsWorkBelow: 0.6,
  costPerLead: {},
  currency: 'USD',
};

const share = z
  .number({ error: 'a percentage from 0 to 100' })
  .min(0, 'a percentage from 0 to 100')
  .max(1, 'a percentage from 0 to 100');

/** The firm's metrics settings, validated (errors are written for the options form). */
const PrefsFields = z.object({
  goodAtLeast: share,
  needsWorkBelow: share,
  costPerLead: z.record(
    z.string().trim().min(1).max(80),
    z
      .number({ error: 'an amount such as 45 or 12.50' })
      .min(0, 'an amount of 0 or more')
      .max(1_000_000, 'at most 1,000,000'),
  ),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'a three-letter currency code such as USD'),
});
export const MetricsPrefsSchema = PrefsFields.refine((p) => p.needsWorkBelow <= p.goodAtLeast, {
  message: '"Needs work below" cannot be above "good at or above".',
  path: ['needsWorkBelow'],
});

export const metricsPrefsItem = storage.defineItem<MetricsPrefs>('local:metricsPrefs', {
  fallback: DEFAULT_METRICS_PREFS,
  version: 1,
});

/** A stored value read back: a broken field falls back to its default, the rest is kept. */
export function parseMetricsPrefs(value: unknown): MetricsPrefs {
  const merged = { ...DEFAULT_METRICS_PREFS, ...(typeof value === 'object' && value ? value : {}) };
  const parsed = MetricsPrefsSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const repaired: Record<string, unknown> = { ...DEFAULT_METRICS_PREFS };
  const shape = PrefsFields.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape & string)[]) {
    const field = shape[key].safeParse((merged as Record<string, unknown>)[key]);
    if (field.success && field.data !== undefined) repaired[key] = field.data;
  }
  const again = MetricsPrefsSchema.safeParse(repaired);
  return again.success
    ? again.data
    : { ...(repaired as unknown as MetricsPrefs), goodAtLeast: 0.8, needsWorkBelow: 0.6 };
}

export async function getMetricsPrefs(): Promise<MetricsPrefs> {
  return parseMetricsPrefs(await metricsPrefsItem.getValue());
}

/** Validate and save; throws a ZodError whose messages are written for the form. */
export async function saveMetricsPrefs(next: MetricsPrefs): Promise<MetricsPrefs> {
  const parsed = MetricsPrefsSchema.parse(next);
  await metricsPrefsItem.setValue(parsed);
  return parsed;
}

/** What computeMetrics needs: the prefs plus the firm's calendar and staff. */
export function metricsSettingsOf(prefs: MetricsPrefs, firm: FirmSettings): MetricsSettings {
  return {
    ...prefs,
    firm: {
      firmName: firm.firmName,
      timeZone: firm.timeZone,
      weeklyHours: firm.weeklyHours,
      holidays: firm.holidays,
      staff: firm.staff.map((s) => ({ id: s.id, name: s.name })),
      limitMinutes: firm.sla.limitMinutes,
      dedupeWindowSeconds: firm.dedupeWindowSeconds,
    },
  };
}

export async function getMetricsSettings(): Promise<MetricsSettings> {
  const [prefs, firm] = await Promise.all([getMetricsPrefs(), getSettings()]);
  return metricsSettingsOf(prefs, firm);
}
