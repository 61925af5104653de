/**
 * Automatic text latency: from a missed-call row appearing on the RingCentral portal page to
 * the text's send request arriving at the Twilio emulator, through capture, the automatic
 * text's debounce and decision, the message outbox and Twilio's Messages API. The debounce
 * is deliberate (it lets a second leg or the answered leg of the same call land first), so
 * it is printed beside the figures along with the time beyond it. Prints; asserts nothing
 * (target: under 2 s beyond the debounce).
 *
 * Run alone: `npm run build && npx node tests/bench/auto-text.ts` (EXTENSION_DIR for another
 * build; AUTO_TEXT_DEBOUNCE_S for another debounce, 5–40, default 5).
 * tests/bench/run-bench.ts calls benchAutoText().
 */
import { pathToFileURL } from 'node:url';
import { launchWithExtension, serviceWorkerOf } from '../e2e/fixtures.ts';
import {
  AUTO_TEXT_ON,
  connectTwilio,
  openPortal,
  setAutoText,
  setFirmSettings,
  showMissedCall,
} from '../e2e/autoTextKit.ts';

const RUNS = 15;
const POLL_MS = 10;
const TIMEOUT_MS = 60_000;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function benchAutoText(): Promise<Record<string, number>> {
  const debounceSeconds = Number(process.env.AUTO_TEXT_DEBOUNCE_S ?? 5);
  const context = await launchWithExtension();
  let close = async () => undefined as unknown;
  try {
    const sw = await serviceWorkerOf(context);
    const extensionId = sw.url().split('/')[2]!;
    await setFirmSettings(sw);
    const { twilio } = await connectTwilio(context, extensionId);
    close = () => twilio.close();
    // Sending all day, so the caller's quiet hours never hold a run.
    await setAutoText(sw, { ...AUTO_TEXT_ON, debounceSeconds });
    const portal = await openPortal(context);

    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // A new number each run: one automatic text per number per 24 hours.
      const number = `(415) 555-02${String(10 + i).padStart(2, '0')}`;
      const before = twilio.sms.sent.length;
      const started = Date.now();
      await showMissedCall(portal, { id: `BENCH-AUTO-${started}-${i}`, number });
      for (;;) {
        const text = twilio.sms.sent[before];
        if (text) {
          latencies.push(text.at - started);
          break;
        }
        if (Date.now() - started > TIMEOUT_MS)
          throw new Error(`No text at the emulator ${TIMEOUT_MS} ms after call ${i + 1} appeared`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
    if (twilio.sms.violations.length > 0)
      throw new Error(`Twilio spec violations: ${JSON.stringify(twilio.sms.violations)}`);
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = percentile(sorted, 50);
    return {
      runs: RUNS,
      debounceMs: debounceSeconds * 1000,
      medianMs: Math.round(median),
      medianBeyondDebounceMs: Math.round(median - debounceSeconds * 1000),
      p90Ms: Math.round(percentile(sorted, 90)),
      minMs: Math.round(sorted[0]!),
      maxMs: Math.round(sorted.at(-1)!),
    };
  } finally {
    await context.close();
    await close();
  }
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const figures = await benchAutoText();
  console.log(
    `Automatic text (missed call on the portal page → SMS request at the Twilio emulator), ms, debounce ${figures.debounceMs} ms:`,
  );
  console.table(figures);
}
