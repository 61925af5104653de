/**
 * `npm run bench`: build, then run every benchmark against the build and print the figures
 * (also written to bench-output/results.json). Nothing here asserts a time: a benchmark
 * that cannot run is reported and makes the exit code non-zero; slow figures do not.
 *
 * Targets, for reading the figures: queue first render < 150 ms median with 10,000 open
 * leads; overdue count < 20 ms over 100,000 calls; content scripts < 20 KB minified.
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
    id: 'crmSync',
    title: 'CRM sync through the outbox to the HubSpot emulator',
    run: async () => (await import('./crm-sync.ts')).benchCrmSync(),
  },
];

function chromiumVersion(): string {
  const binary = chromiumPath();
  if (!binary) return 'Playwright default';
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return binary;
  }
}

/** Nested `{runs, medianMs, …}` objects as table rows keyed by their path. */
function rowsOf(value: unknown, prefix = ''): Record<string, unknown> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [`${prefix}${i}`, v]));
  if (typeof value !== 'object' || value === null) return { [prefix || 'value']: value };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.every(([, v]) => typeof v !== 'object' || v === null)) return { [prefix]: value };
  const rows: Record<string, unknown> = {};
  const scalars: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    if (typeof v === 'object' && v !== null)
      Object.assign(rows, rowsOf(v, prefix ? `${prefix}.${key}` : key));
    else scalars[key] = v;
  }
  if (Object.keys(scalars).length > 0) rows[prefix || '(figures)'] = scalars;
  return rows;
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
    console.table(rowsOf(figures));
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
