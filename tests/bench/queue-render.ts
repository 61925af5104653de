/**
 * First render of the callback queue: time from navigating to the sidebar page to the first
 * queue row in the DOM (and the next animation frame), with 100 open leads (baseline) and
 * with 10,000, in the same browser. Leads are stored through the real capture path
 * (captureCalls messages, 5,000 at a time), so each has its open-queue index fields.
 * Prints figures; asserts nothing (target: median < 150 ms with 10,000 leads).
 *
 * Run alone: `npm run build && node tests/bench/queue-render.ts` (EXTENSION_DIR to point at
 * another build). tests/bench/run-bench.ts calls benchQueueRender().
 */
import type { BrowserContext, Page } from '@playwright/test';
import { pathToFileURL } from 'node:url';
import { launchWithExtension, serviceWorkerOf } from '../e2e/fixtures.ts';
import {
  benchCalls,
  ratio,
  saveBenchSettings,
  sendFromPage,
  summarize,
  type Summary,
} from './benchKit.ts';

const RUNS = 9;
const WARMUP = 2;
const BATCH = 5_000;
/** The queue table's rows (components/QueueTable.tsx): virtualised, one per open lead. */
export const QUEUE_ROW = 'table[aria-label="Callback queue"] tbody tr[data-lead-id]';

/** The header counts: shown once the whole queue (not just its first rows) has been read. */
export const QUEUE_COUNTS = 'header p.counts';

declare global {
  interface Window {
    __firstQueueRow?: { inDom: number; nextFrame: number };
    __wholeQueue?: number;
  }
}

/**
 * Installed before any page script: note when the first queue row enters the DOM, and when
 * the whole queue is in (the app paints the head of the queue first, then reads the rest).
 */
function watchFirstRow([rowSelector, countsSelector]: readonly [string, string]) {
  const observer = new MutationObserver(() => {
    if (!window.__firstQueueRow && !rowSeen && document.querySelector(rowSelector)) {
      rowSeen = true;
      const inDom = performance.now();
      requestAnimationFrame(() => {
        window.__firstQueueRow = { inDom, nextFrame: performance.now() };
      });
    }
    if (document.querySelector(countsSelector)) {
      window.__wholeQueue = performance.now();
      observer.disconnect();
    }
  });
  let rowSeen = false;
  observer.observe(document, { childList: true, subtree: true });
}

async function seedLeads(page: Page, from: number, count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const calls = benchCalls(from + done, Math.min(BATCH, count - done));
    const result = await sendFromPage<{ added: unknown[]; rejected: unknown[] }>(
      page,
      'captureCalls',
      calls,
    );
    if (result.rejected.length > 0 || result.added.length !== calls.length) {
      throw new Error(`Seeding stored ${result.added.length} of ${calls.length} calls`);
    }
  }
}

interface RenderFigures {
  inDom: Summary;
  nextFrame: Summary;
  /** Navigation → the whole queue read and counted (header counts shown). */
  wholeQueue: Summary;
}

async function measureRender(context: BrowserContext, url: string): Promise<RenderFigures> {
  const page = await context.newPage();
  // The dock and the side panel are both about 400 px wide.
  await page.setViewportSize({ width: 400, height: 900 });
  await page.addInitScript(watchFirstRow, [QUEUE_ROW, QUEUE_COUNTS] as const);
  const inDom: number[] = [];
  const nextFrame: number[] = [];
  const wholeQueue: number[] = [];
  try {
    for (let run = 0; run < WARMUP + RUNS; run++) {
      await page.goto(url);
      const handle = await page.waitForFunction(() => window.__firstQueueRow, null, {
        timeout: 60_000,
      });
      const times = (await handle.jsonValue())!;
      const whole = await page.waitForFunction(() => window.__wholeQueue, null, {
        timeout: 60_000,
      });
      if (run >= WARMUP) {
        inDom.push(times.inDom);
        nextFrame.push(times.nextFrame);
        wholeQueue.push((await whole.jsonValue())!);
      }
    }
  } finally {
    await page.close();
  }
  return {
    inDom: summarize(inDom),
    nextFrame: summarize(nextFrame),
    wholeQueue: summarize(wholeQueue),
  };
}

/**
 * For reading the render figures: how long the browser takes just to read every open lead
 * in due order (the index walk the queue's live query does), with plain IndexedDB.
 */
async function measureReadOpenLeads(page: Page): Promise<Summary> {
  const samples = await page.evaluate(
    ([runs, warmup]) =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('callback-desk');
        open.onerror = () => reject(open.error);
        open.onsuccess = async () => {
          const db = open.result;
          const times: number[] = [];
          for (let run = 0; run < warmup + runs; run++) {
            const t = performance.now();
            await new Promise<void>((done, fail) => {
              const request = db
                .transaction('leads', 'readonly')
                .objectStore('leads')
                .index('openDueAt')
                .getAll();
              request.onsuccess = () => done();
              request.onerror = () => fail(request.error);
            });
            if (run >= warmup) times.push(performance.now() - t);
          }
          db.close();
          resolve(times);
        };
      }),
    [RUNS, WARMUP] as const,
  );
  return summarize(samples);
}

export interface QueueRenderResult {
  baseline: RenderFigures & { openLeads: number };
  large: RenderFigures & { openLeads: number };
  /** Reading the 10,000 open leads alone (no rendering), for comparison. */
  readOpenLeads: Summary;
  /** Median first-frame time with 10,000 leads over the median with 100. */
  ratio: number;
  seedSeconds: number;
}

export async function benchQueueRender(): Promise<QueueRenderResult> {
  const context = await launchWithExtension();
  try {
    const id = (await serviceWorkerOf(context)).url().split('/')[2]!;
    const seeder = await context.newPage();
    await seeder.goto(`chrome-extension://${id}/options.html`);
    await saveBenchSettings(seeder);
    const sidebar = `chrome-extension://${id}/sidebar.html`;

    await seedLeads(seeder, 0, 100);
    const baseline = await measureRender(context, sidebar);

    const seedStarted = performance.now();
    await seedLeads(seeder, 100, 9_900);
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    const large = await measureRender(context, sidebar);
    const readOpenLeads = await measureReadOpenLeads(seeder);

    return {
      baseline: { openLeads: 100, ...baseline },
      large: { openLeads: 10_000, ...large },
      readOpenLeads,
      ratio: ratio(large.nextFrame.medianMs, baseline.nextFrame.medianMs),
      seedSeconds,
    };
  } finally {
    await context.close();
  }
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const result = await benchQueueRender();
  console.log('Queue first render (navigation → first row), ms:');
  console.table({
    '100 leads: row in DOM': result.baseline.inDom,
    '100 leads: next frame': result.baseline.nextFrame,
    '10,000 leads: row in DOM': result.large.inDom,
    '10,000 leads: next frame': result.large.nextFrame,
    '100 leads: whole queue read and counted': result.baseline.wholeQueue,
    '10,000 leads: whole queue read and counted': result.large.wholeQueue,
    '10,000 leads: IndexedDB read only': result.readOpenLeads,
  });
  console.log(`ratio 10,000 / 100 (next frame medians): ${result.ratio}`);
  console.log(`seeding 9,900 leads through captureCalls took ${result.seedSeconds} s`);
}
