/**
 * Shared pieces of the benchmarks: summary statistics, talking to the background the way
 * @webext-core/messaging does, and seed data. Benchmarks print figures; none asserts a time.
 */
import type { Page } from '@playwright/test';

declare const chrome: typeof import('wxt/browser').browser;

export interface Summary {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('No samples to summarise');
  return {
    runs: samples.length,
    medianMs: round(median(samples)),
    minMs: round(Math.min(...samples)),
    maxMs: round(Math.max(...samples)),
  };
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}

/** Send one protocol message from an extension page; throws the background's error. */
export async function sendFromPage<T>(page: Page, type: string, data?: unknown): Promise<T> {
  const reply = await page.evaluate(
    ([type, data]) =>
      chrome.runtime.sendMessage({
        id: Math.floor(Math.random() * 1e9),
        type,
        data,
        timestamp: Date.now(),
      }) as Promise<{ res?: unknown; err?: { message: string } } | undefined>,
    [type, data] as const,
  );
  if (!reply) throw new Error(`No reply to ${type}`);
  if (reply.err) throw new Error(`${type} failed: ${reply.err.message}`);
  return reply.res as T;
}

/**
 * A complete, valid FirmSettings value (WXT item 'local:firmSettings', version 1). New-call
 * notifications are off: seeding thousands of calls must not raise thousands of them.
 */
export const BENCH_SETTINGS = {
  firmName: 'Benchmark LLP',
  timeZone: 'America/New_York',
  defaultCountry: 'US',
  weeklyHours: [
    [],
    [{ open: '09:00', close: '17:00' }],
    [{ open: '09:00', close: '17:00' }],
    [{ open: '09:00', close: '17:00' }],
    [{ open: '09:00', close: '17:00' }],
    [{ open: '09:00', close: '17:00' }],
    [],
  ],
  holidays: [],
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
  sourceRules: [],
  practiceAreas: ['Personal injury', 'Criminal defense', 'Family law', 'Immigration'],
  sources: ['Google Ads – PI', 'Website', 'Referral', 'Yelp'],
  staff: [],
  notifyNewCalls: false,
  dedupeWindowSeconds: 120,
};

export async function saveBenchSettings(page: Page): Promise<void> {
  await page.evaluate(
    (settings) => chrome.storage.local.set({ firmSettings: settings, firmSettings$: { v: 1 } }),
    BENCH_SETTINGS,
  );
}

const AREA_CODES = ['212', '312', '415', '617', '713', '305', '404', '206', '303', '602'];
const NAMES = ['Maria Gonzalez', 'James O’Neill', 'Priya Raman', 'Omar Haddad', 'Grace Kim'];
const SOURCES = BENCH_SETTINGS.sources;
const AREAS = BENCH_SETTINGS.practiceAreas;

/** A distinct, valid US number per index (the line part is a permutation of 0…9999). */
export function benchPhone(index: number): string {
  const area = AREA_CODES[index % AREA_CODES.length]!;
  const exchange = 200 + (Math.floor(index / AREA_CODES.length) % 800);
  const line = String((index * 7919) % 10_000).padStart(4, '0');
  return `+1 ${area} ${exchange} ${line}`;
}

/** Missed calls from distinct callers over the past week, as the manual form reports them. */
export function benchCalls(from: number, count: number, now = Date.now()): unknown[] {
  const week = 7 * 24 * 60 * 60_000;
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      from: benchPhone(i),
      startedAt: now - 60_000 - ((i * 104_729) % week),
      callerName: i % 3 === 0 ? undefined : NAMES[i % NAMES.length],
      provider: 'bench',
      providerCallId: `bench-${i}`,
      capturePath: 'manual',
      source: SOURCES[i % SOURCES.length],
      practiceArea: AREAS[i % AREAS.length],
      reason: i % 4 === 0 ? 'voicemail' : 'no-answer',
    };
  });
}
