/**
 * Detection latency: from a new missed-call row appearing in a phone-portal page to the
 * toolbar badge showing it. The RingCentral fixture page is served at its real address
 * (context.route), a row is inserted the way the app inserts one, and the service worker's
 * badge is polled every 10 ms. Prints figures; asserts nothing (target: median < 1 s).
 *
 * Run alone: `npm run build && node tests/bench/detection-latency.ts` (EXTENSION_DIR to
 * point at another build). tests/bench/run-bench.ts calls benchDetectionLatency().
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchWithExtension, serviceWorkerOf } from '../e2e/fixtures.ts';
import {
  insertRowInPage,
  RINGCENTRAL_HEADER,
  ringcentralRowHtml,
} from '../demo/ringcentralMarkup.ts';

declare const chrome: typeof import('wxt/browser').browser;

const RUNS = 15;
const POLL_MS = 10;
const TIMEOUT_MS = 10_000;
const allDay = [{ open: '00:00', close: '23:59' }];

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function benchDetectionLatency(): Promise<Record<string, number>> {
  const page = readFileSync(path.resolve('tests/fixtures/portals/ringcentral/empty.html'), 'utf8');
  const context = await launchWithExtension();
  try {
    const sw = await serviceWorkerOf(context);
    // Open around the clock, so each call (20 minutes old) is overdue and moves the badge.
    await sw.evaluate(
      (settings) => chrome.storage.local.set({ firmSettings: settings, firmSettings$: { v: 1 } }),
      {
        firmName: 'Benchmark LLP',
        timeZone: 'UTC',
        defaultCountry: 'US',
        weeklyHours: Array.from({ length: 7 }, () => allDay),
        holidays: [],
        sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 5 },
        sourceRules: [],
        practiceAreas: [],
        sources: [],
        staff: [],
        notifyNewCalls: true,
        dedupeWindowSeconds: 120,
      },
    );
    await context.route('https://app.ringcentral.com/**', (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: page }),
    );
    const portal = await context.newPage();
    await portal.goto('https://app.ringcentral.com/phone/calls/all');
    await portal.locator(RINGCENTRAL_HEADER).waitFor();

    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const suffix = String(10 + i).padStart(2, '0');
      const row = ringcentralRowHtml({
        id: `BENCH${Date.now()}${i}`,
        name: `Bench Caller ${i + 1}`,
        number: `(415) 555-01${suffix}`,
        at: Date.now() - 20 * 60_000,
        kind: 'missed',
      });
      const expected = String(i + 1);
      const started = performance.now();
      await portal.evaluate(insertRowInPage, row);
      for (;;) {
        const text = await sw.evaluate(() => chrome.action.getBadgeText({}));
        if (text === expected) break;
        if (performance.now() - started > TIMEOUT_MS) {
          throw new Error(`Badge still "${text}" ${TIMEOUT_MS} ms after row ${i + 1} appeared`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      latencies.push(performance.now() - started);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms);
    return {
      runs: RUNS,
      medianMs: round(percentile(sorted, 50)),
      p90Ms: round(percentile(sorted, 90)),
      minMs: round(sorted[0]!),
      maxMs: round(sorted.at(-1)!),
    };
  } finally {
    await context.close();
  }
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const figures = await benchDetectionLatency();
  console.log('Detection latency (new portal row → toolbar badge), ms:');
  console.table(figures);
}
