import { describe, expect, it } from 'vitest';
import { readCursor } from '@/utils/team/sharedQueue';
import { advance, browser, hubspot, now, useSharedWorld } from './sharedWorld';

/**
 * Review of issue 9: a browser that could not reach the CRM for an hour (laptop offline,
 * Wi-Fi down) must catch up soon after it is back — not sit out a 30-minute backoff while
 * colleagues' leads and claims go unseen (the Refresh button is refused while it waits).
 */
useSharedWorld();

describe('back after an hour offline', () => {
  it('reads the shared queue again within a few minutes of coming back', async () => {
    const a = await browser('a', 'ana');
    const b = await browser('b', 'ben');
    await a.pass();
    hubspot.faults.push({ kind: 'drop', match: /tasks\/search/, times: 10_000 });
    // An hour of alarms, once a minute, every read failing.
    for (let minute = 0; minute < 60; minute++) {
      advance(60_000);
      await a.pass();
    }
    hubspot.faults.length = 0;
    // Meanwhile a colleague captured a call.
    await b.capture('+14155550134');
    await b.pass();
    const back = now();
    let seenAfter: number | undefined;
    for (let minute = 0; minute < 40 && seenAfter === undefined; minute++) {
      advance(60_000);
      const report = await a.pass();
      if (report.added.length > 0) seenAfter = now() - back;
    }
    const cursor = await readCursor(a.db, 'hubspot');
    expect(cursor.failures ?? 0).toBe(0);
    expect(seenAfter).toBeDefined();
    expect(seenAfter!).toBeLessThanOrEqual(6 * 60_000);
  });
});
