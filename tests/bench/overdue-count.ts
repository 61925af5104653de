/**
 * Overdue count over a large database: 100,000 stored calls from 30,000 callers (leads),
 * 40 % of them still open. Times, in an extension page, the query the badge runs
 * (countOverdue: a count over the open-lead index `openOverdueAt <= now`) against a
 * baseline full-table scan and filter, in the same process; and the badge's whole refresh
 * in the service worker (refreshBadge message round trip).
 * Prints figures; asserts nothing (target: overdue count median < 20 ms).
 *
 * The rows are written with plain IndexedDB in the shape utils/queue/leads.ts stores (captureCalls
 * would take minutes for 100,000 calls and exercise nothing this benchmark measures).
 *
 * Run alone: `npm run build && node tests/bench/overdue-count.ts`.
 * tests/bench/run-bench.ts calls benchOverdueCount().
 */
import type { Page } from '@playwright/test';
import { pathToFileURL } from 'node:url';
import { launchWithExtension, serviceWorkerOf } from '../e2e/fixtures.ts';
import {
  benchPhone,
  ratio,
  saveBenchSettings,
  sendFromPage,
  summarize,
  type Summary,
} from './benchKit.ts';

const RUNS = 15;
const WARMUP = 3;
const LEADS = 30_000;
/**
 * Chromium's IndexedDB backend keeps flushing and compacting for a few seconds after the
 * 130,000-row seed; timed right away, the same query runs several times slower. The figures
 * are for a settled database, which is what the badge queries all day.
 */
const SETTLE_MS = 8_000;
const CALLS = 100_000;

/** Open the extension's database as the background created it (no version: no upgrade). */
async function waitForDatabase(page: Page): Promise<void> {
  // Any message wakes the worker, which opens the database at start-up (badge refresh).
  await sendFromPage(page, 'refreshBadge');
  await page.waitForFunction(async () => {
    const dbs = await indexedDB.databases();
    return dbs.some((db) => db.name === 'callback-desk' && (db.version ?? 0) > 1);
  });
}

/** 30,000 leads (40 % open, a third of those overdue) and 100,000 calls, in one transaction. */
function seedInPage([leadCount, callCount, phones]: [number, number, string[]]) {
  return new Promise<{ open: number; overdue: number }>((resolve, reject) => {
    const now = Date.now();
    const request = indexedDB.open('callback-desk');
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction(['leads', 'calls'], 'readwrite');
      const leads = tx.objectStore('leads');
      const calls = tx.objectStore('calls');
      let open = 0;
      let overdue = 0;
      for (let i = 0; i < leadCount; i++) {
        const status = i % 10 < 6 ? 'done' : i % 10 < 9 ? 'open' : 'claimed';
        const lastMissedAt = now - ((i * 7_919) % (7 * 24 * 3_600_000));
        // Due times from two hours ago to two hours ahead, so about a third are overdue.
        const overdueAt = now - 2 * 3_600_000 + ((i * 104_729) % (6 * 3_600_000));
        const lead: Record<string, unknown> = {
          id: `lead-${i}`,
          phoneKey: phones[i],
          phone: phones[i],
          rawNumber: phones[i],
          noCallbackNumber: false,
          name: i % 3 ? `Caller ${i}` : undefined,
          source: ['Website', 'Referral', 'Yelp'][i % 3],
          practiceArea: ['Personal injury', 'Family law'][i % 2],
          priority: i % 17 === 0,
          status,
          firstMissedAt: lastMissedAt - 3_600_000,
          lastMissedAt,
          missedCount: 0,
          dueAt: overdueAt - 10 * 60_000,
          overdueAt,
          attemptCount: status === 'done' ? 1 : 0,
          createdAt: lastMissedAt - 3_600_000,
          updatedAt: now,
        };
        if (status === 'done') {
          lead.closedAt = now - 60_000;
          lead.closeOutcome = 'reached';
        } else {
          lead.openDueAt = lead.dueAt;
          lead.openOverdueAt = overdueAt;
          open++;
          if (overdueAt <= now) overdue++;
        }
        leads.put(lead);
      }
      for (let c = 0; c < callCount; c++) {
        const i = c % leadCount;
        calls.put({
          id: `call-${c}`,
          leadId: `lead-${i}`,
          phoneKey: phones[i],
          provider: 'bench',
          providerCallId: `bench-${c}`,
          providerKey: `bench:bench-${c}`,
          startedAt: now - c * 6_000,
          reason: 'no-answer',
          capturePath: 'api',
          capturedAt: now,
        });
      }
      tx.oncomplete = () => {
        db.close();
        resolve({ open, overdue });
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/**
 * Time the index count, then the baseline scan, each run in its own read transaction. Not
 * interleaved: the scan's 30,000 deserialised rows would leave garbage for the next count.
 */
function timeCountsInPage([runs, warmup]: [number, number]) {
  return new Promise<{ indexed: number[]; scan: number[]; count: number }>((resolve, reject) => {
    const request = indexedDB.open('callback-desk');
    request.onerror = () => reject(request.error);
    request.onsuccess = async () => {
      const db = request.result;
      const leads = () => db.transaction('leads', 'readonly').objectStore('leads');
      const asPromise = <T>(r: IDBRequest<T>) =>
        new Promise<T>((ok, fail) => {
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      // What Dexie's where('openOverdueAt').belowOrEqual(now).count() does.
      const viaIndex = (now: number) =>
        asPromise(leads().index('openOverdueAt').count(IDBKeyRange.upperBound(now)));
      const viaScan = async (now: number) =>
        (await asPromise(leads().getAll())).filter(
          (lead: { status: string; overdueAt: number }) =>
            lead.status !== 'done' && lead.overdueAt <= now,
        ).length;
      // One instant for every run, so both ways answer the same question.
      const now = Date.now();
      const time = async (count: (now: number) => Promise<number>) => {
        const samples: number[] = [];
        let result = -1;
        for (let run = 0; run < warmup + runs; run++) {
          const t = performance.now();
          result = await count(now);
          if (run >= warmup) samples.push(performance.now() - t);
        }
        return { samples, result };
      };
      const indexed = await time(viaIndex);
      const scan = await time(viaScan);
      db.close();
      // Both ways must agree, or the benchmark would be timing different questions.
      if (indexed.result !== scan.result) {
        reject(new Error(`Index count ${indexed.result} differs from scan ${scan.result}`));
        return;
      }
      resolve({ indexed: indexed.samples, scan: scan.samples, count: indexed.result });
    };
  });
}

export interface OverdueCountResult {
  storedCalls: number;
  leads: number;
  openLeads: number;
  overdue: number;
  countOverdueIndex: Summary;
  fullScanBaseline: Summary;
  /** Median scan time over median index time. */
  speedup: number;
  refreshBadgeRoundTrip: Summary;
}

export async function benchOverdueCount(): Promise<OverdueCountResult> {
  const context = await launchWithExtension();
  try {
    const id = (await serviceWorkerOf(context)).url().split('/')[2]!;
    const page = await context.newPage();
    await page.goto(`chrome-extension://${id}/options.html`);
    await saveBenchSettings(page);
    await waitForDatabase(page);
    const phones = Array.from({ length: LEADS }, (_, i) => benchPhone(i).replace(/ /g, ''));
    const seeded = await page.evaluate(seedInPage, [LEADS, CALLS, phones] as [
      number,
      number,
      string[],
    ]);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    const times = await page.evaluate(timeCountsInPage, [RUNS, WARMUP] as [number, number]);

    const roundTrips: number[] = [];
    for (let run = 0; run < WARMUP + RUNS; run++) {
      const ms = await page.evaluate(async () => {
        const t = performance.now();
        await chrome.runtime.sendMessage({ id: 1, type: 'refreshBadge', timestamp: Date.now() });
        return performance.now() - t;
      });
      if (run >= WARMUP) roundTrips.push(ms);
    }

    const indexed = summarize(times.indexed);
    const scan = summarize(times.scan);
    return {
      storedCalls: CALLS,
      leads: LEADS,
      openLeads: seeded.open,
      overdue: times.count,
      countOverdueIndex: indexed,
      fullScanBaseline: scan,
      speedup: ratio(scan.medianMs, indexed.medianMs),
      refreshBadgeRoundTrip: summarize(roundTrips),
    };
  } finally {
    await context.close();
  }
}

declare const chrome: typeof import('wxt/browser').browser;

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const result = await benchOverdueCount();
  console.log(
    `Overdue count: ${result.storedCalls.toLocaleString('en-US')} calls, ` +
      `${result.leads.toLocaleString('en-US')} leads (${result.openLeads} open, ${result.overdue} overdue), ms:`,
  );
  console.table({
    'countOverdue (index)': result.countOverdueIndex,
    'full scan + filter (baseline)': result.fullScanBaseline,
    'refreshBadge round trip': result.refreshBadgeRoundTrip,
  });
  console.log(`index is ${result.speedup}× faster than the scan (medians)`);
}
