/**
 * `npm run bench`: build, then run every benchmark against the build and print the figures
 * (also written to bench-output/results.json). Nothing here asserts a time: a benchmark
 * that cannot run is reported and makes the exit code non-zero; slow figures do not.
 *
 * Targets, for reading the figures: queue first render < 150 ms median with 10,000 open
 * leads; overdue count < 20 ms over 100,000 calls; content scripts < 20 KB minified; a
 * 100,000-row CSV import without freezing the page (longest task well under a second).
 * The figures are wall-clock times on whatever machine runs this; a busy machine (see the
 * load average printed with them) makes them noisy, medians less so than maxima.
 *
 * Env: EXTENSION_DIR (default .output/chrome-mv3), CHROME_PATH, BENCH_OUTPUT_DIR.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumPath, EXTENSION_DIR } from '../e2e/fixtures.ts';
const OUT_DIR = path.resolve(process.env.BENCH_OUTPUT_DIR ?? 'bench-output');

// Each benchmark is imported when it runs, so one that fails to load cannot stop the rest.
const BENCHMARKS: { id: string; title: string; run: () => Promise<unknown> }[] = [
  {
    id: 'contentScriptSize',
    title: 'Content script size (bytes)',
    run: async () => (await import('./content-script-size.ts')).benchContentScriptSize(),
  },
  {
    id: 'injectionCost',
    title: 'CRM content script injection cost (ms)',
    run: async () => (await import('./injection-cost.ts')).benchInjectionCost(),
  },
  {
    id: 'overdueCount',
    title: 'Overdue count over 100,000 calls (ms)',
    run: async () => (await import('./overdue-count.ts')).benchOverdueCount(),
  },
  {
    id: 'queueRender',
    title: 'Queue first render, 100 vs 10,000 open leads (ms)',
    run: async () => (await import('./queue-render.ts')).benchQueueRender(),
  },
  {
    id: 'detectionLatency',
    title: 'Detection latency, portal row → badge (ms)',
    run: async () => (await import('./detection-latency.ts')).benchDetectionLatency(),
  },
  {
    id: 'csvImport',
    title: 'CSV import of 100,000 rows in the options page (time, peak heap, longest task)',
    run: async () => (await import('./csv-import.ts')).benchCsvImport(),
  },
  {
    id: 'autoText',
    title: 'Automatic text, portal row → SMS at the Twilio emulator (ms, with the debounce)',
    run: async () => (await import('./auto-text.ts')).benchAutoText(),
  },
  {
    id: 'dashboard',
    title: 'Dashboard over 100,000 missed calls: navigation → figures shown, longest task (ms)',
    run: async () => (await import('./dashboard.ts')).benchDashboard(),
  },
  {
    id: 'crmSync',
    title: 'CRM sync through the outbox to the HubSpot emulator',
    run: async () => (await import('./crm-sync.ts')).benchCrmSync(),
  },
  {
    id: 'metricsEngine',
    title:
      'Metrics engine: all figures over 100,000 missed calls, 300,000 attempts, 50,000 answered (ms)',
    run: async () => (await import('./metrics.ts')).benchMetrics(),
  },
  {
    id: 'sharedQueue',
    title: 'Shared queue through HubSpot tasks: 1, 10, 30 browsers, 500 calls in a working day',
    run: async () => (await import('./shared-queue.ts')).benchSharedQueue(),
  },
];

function chromiumVersion(): string {
  const binary = chromiumPath();
  if (!binary) return 'Playwright default';
  try {
    return execFileSync(binary, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return binary;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Print a benchmark's figures: plain numbers on one line, `{runs, medianMs, …}` as a table. */
function printFigures(value: unknown): void {
  const rows: Record<string, unknown> = {};
  const scalars: string[] = [];
  const walk = (v: unknown, key: string) => {
    const leaf = isRecord(v) && Object.values(v).every((x) => !isRecord(x));
    if (leaf || (!isRecord(v) && key === '')) rows[key || 'value'] = v;
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
    else scalars.push(`${key} ${String(v)}`);
  };
  walk(value, '');
  if (scalars.length > 0) console.log(`  ${scalars.join(' · ')}`);
  if (Object.keys(rows).length > 0) console.table(rows);
}

const results: Record<string, unknown> = {};
const failures: string[] = [];
const startedLoad = os.loadavg()[0]!;

for (const bench of BENCHMARKS) {
  console.log(`\n▶ ${bench.title}`);
  const started = performance.now();
  try {
    const figures = await bench.run();
    results[bench.id] = figures;
    printFigures(figures);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results[bench.id] = { error: message };
    failures.push(`${bench.id}: ${message.split('\n')[0]}`);
    console.log(`  could not run: ${message}`);
  }
  console.log(`  (${Math.round((performance.now() - started) / 100) / 10} s)`);
}

const report = {
  at: new Date().toISOString(),
  extensionDir: EXTENSION_DIR,
  environment: {
    chromium: chromiumVersion(),
    node: process.versions.node,
    cpus: os.cpus().length,
    loadAverage1m: { atStart: startedLoad, atEnd: os.loadavg()[0] },
  },
  results,
};
mkdirSync(OUT_DIR, { recursive: true });
const file = path.join(OUT_DIR, 'results.json');
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\n${report.environment.chromium}, ${report.environment.cpus} CPUs, load average ` +
    `${startedLoad.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}. Results: ${path.relative(process.cwd(), file)}`,
);
if (failures.length > 0) {
  console.log(`\n${failures.length} benchmark(s) could not run:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
