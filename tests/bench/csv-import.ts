/**
 * CSV import of 100,000 rows through the Options page of the built extension, the way a
 * user does it (file input → Import): wall time, rows per second, the page's peak JS heap
 * (CDP Performance.getMetrics, sampled every 100 ms), and how responsive the page stayed
 * (longest main-thread task and the longest gap between animation frames while importing).
 * Then the same file again (every row a duplicate). Prints figures; asserts nothing.
 *
 * The file is an Aircall-style export: 35 % missed, 55 % answered, 10 % outgoing, 20,000
 * distinct callers over 30 days, 1 row in 1,000 with an unreadable date.
 *
 * Run alone: `npm run build && node tests/bench/csv-import.ts` (EXTENSION_DIR for another
 * build). tests/bench/run-bench.ts calls benchCsvImport().
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CDPSession, Page } from '@playwright/test';
import { launchWithExtension, serviceWorkerOf } from '../e2e/fixtures.ts';

export interface CsvImportFigures {
  rows: number;
  fileMB: number;
  firstImport: ImportRun;
  reImport: ImportRun;
}

interface ImportRun {
  wallMs: number;
  rowsPerSecond: number;
  added: string;
  peakHeapMB: number;
  heapBeforeMB: number;
  longestTaskMs: number;
  longestFrameGapMs: number;
}

export function aircallExport(rows: number, now = Date.now()): string {
  const lines = [
    'id,direction,status,missed_call_reason,started_at,answered_at,ended_at,from,to,contact name',
  ];
  const reasons = [
    'agents_did_not_answer',
    'no_available_agent',
    'abandoned_in_ivr',
    'out_of_opening_hours',
    'short_abandoned',
  ];
  const span = 30 * 24 * 60 * 60_000;
  for (let i = 0; i < rows; i++) {
    const at = now - span + Math.floor((i / rows) * span);
    const kind = i % 20;
    const outbound = kind >= 18;
    const missed = kind < 7;
    const caller = `+1212${String(5_000_000 + ((i * 7919) % 20_000)).padStart(7, '0')}`;
    const started = i % 1000 === 999 ? 'not-a-date' : new Date(at).toISOString();
    lines.push(
      [
        9_000_000 + i,
        outbound ? 'outbound' : 'inbound',
        'done',
        missed && !outbound ? reasons[i % reasons.length] : '',
        started,
        missed || outbound ? '' : new Date(at + 4_000).toISOString(),
        new Date(at + 60_000).toISOString(),
        caller,
        '+12125550100',
        i % 3 === 0 ? `Caller ${i % 20_000}` : '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function heapMB(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  return Math.round((used / 1024 / 1024) * 10) / 10;
}

async function importOnce(
  page: Page,
  cdp: CDPSession,
  file: string,
  rows: number,
): Promise<ImportRun> {
  const section = page.locator('#csv-import');
  if (await section.getByRole('button', { name: 'Import another file' }).isVisible()) {
    await section.getByRole('button', { name: 'Import another file' }).click();
  }
  await section.getByLabel('Call-log CSV file').setInputFiles(file);
  await section.getByRole('button', { name: 'Import' }).waitFor();
  await cdp.send('HeapProfiler.collectGarbage');
  const heapBeforeMB = await heapMB(cdp);
  // Watch the main thread from inside the page: long tasks and gaps between frames.
  await page.evaluate(() => {
    const w = window as unknown as {
      __bench: { longestTask: number; longestGap: number; stop: boolean };
    };
    w.__bench = { longestTask: 0, longestGap: 0, stop: false };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        w.__bench.longestTask = Math.max(w.__bench.longestTask, entry.duration);
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const frame = (t: number) => {
      w.__bench.longestGap = Math.max(w.__bench.longestGap, t - last);
      last = t;
      if (!w.__bench.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  let peak = heapBeforeMB;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await heapMB(cdp).catch(() => 0));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const started = performance.now();
  await section.getByRole('button', { name: 'Import' }).click();
  const summary = section.getByTestId('csv-summary');
  await summary.waitFor({ timeout: 15 * 60_000 });
  const wallMs = performance.now() - started;
  sampling = false;
  await sampler;
  const watch = await page.evaluate(() => {
    const w = window as unknown as {
      __bench: { longestTask: number; longestGap: number; stop: boolean };
    };
    w.__bench.stop = true;
    return w.__bench;
  });
  const text = (await summary.textContent()) ?? '';
  return {
    wallMs: Math.round(wallMs),
    rowsPerSecond: Math.round(rows / (wallMs / 1000)),
    added: /: (.*)\.$/.exec(text)?.[1] ?? text,
    peakHeapMB: peak,
    heapBeforeMB,
    longestTaskMs: Math.round(watch.longestTask),
    longestFrameGapMs: Math.round(watch.longestGap),
  };
}

export async function benchCsvImport(rows = 100_000): Promise<CsvImportFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'csv-bench-'));
  const file = path.join(dir, 'aircall-100k.csv');
  writeFileSync(file, aircallExport(rows));
  const context = await launchWithExtension();
  try {
    const worker = await serviceWorkerOf(context);
    const extensionId = worker.url().split('/')[2]!;
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/options.html`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const firstImport = await importOnce(page, cdp, file, rows);
    const reImport = await importOnce(page, cdp, file, rows);
    return {
      rows,
      fileMB: Math.round((statSync(file).size / 1024 / 1024) * 10) / 10,
      firstImport,
      reImport,
    };
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const figures = await benchCsvImport(Number(process.env.CSV_BENCH_ROWS ?? 100_000));
  console.log(`CSV import of ${figures.rows.toLocaleString()} rows (${figures.fileMB} MB):`);
  console.table({
    'first import': figures.firstImport,
    're-import (all duplicates)': figures.reImport,
  });
}
