import { describe, expect, it } from 'vitest';
import { nextCursor, readCursor, unreadableWarning } from '@/utils/capture/sources/poller';
import { skippedRecords } from '@/utils/capture/health';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 2, 4, 14, 0);

describe('poll cursor', () => {
  it('the first poll reads the last day; a finished read re-reads the source’s window next time', () => {
    expect(readCursor(undefined, t0)).toEqual({ since: t0 - 24 * HOUR });
    const next = nextCursor({ since: t0 - 24 * HOUR }, t0, 4 * HOUR, { complete: true });
    expect(next).toEqual({ since: t0 - 4 * HOUR });
  });

  it('an unfinished read keeps `since` and its resume point; polls carry on until the window is covered', () => {
    const first = nextCursor({ since: t0 - 24 * HOUR }, t0, 4 * HOUR, {
      complete: false,
      resume: { until: t0 - 10 * HOUR },
    });
    expect(first).toEqual({
      since: t0 - 24 * HOUR,
      sweep: { startedAt: t0, resume: { until: t0 - 10 * HOUR }, polls: 1 },
    });
    const second = nextCursor(first, t0 + 60_000, 4 * HOUR, {
      complete: false,
      resume: { until: t0 - 20 * HOUR },
    });
    expect(second.sweep).toEqual({ startedAt: t0, resume: { until: t0 - 20 * HOUR }, polls: 2 });
    // Done: the window is read again from 4 hours before the sweep began (calls that
    // arrived during the sweep are in it).
    expect(nextCursor(second, t0 + 120_000, 4 * HOUR, { complete: true })).toEqual({
      since: t0 - 4 * HOUR,
    });
  });

  it('a stored cursor of the earlier shape ({ since }) still reads', () => {
    expect(readCursor({ cursor: { since: t0 - 15 * 60_000 } }, t0)).toEqual({
      since: t0 - 15 * 60_000,
    });
  });
});

describe('records that could not be read', () => {
  it('are counted once however often the window reads them, and stay on the health line for a day', () => {
    const line = 'RingCentral call rc-1: startTime is missing';
    let cursor = nextCursor({ since: t0 }, t0, HOUR, { complete: true, unreadable: [line] });
    cursor = nextCursor(cursor, t0 + 60_000, HOUR, { complete: true, unreadable: [line] });
    expect(unreadableWarning(cursor)).toBe(
      `1 record could not be read: ${line}. The rest were read.`,
    );
    cursor = nextCursor(cursor, t0 + 2 * 60_000, HOUR, {
      complete: true,
      unreadable: ['Aircall call 7: direction is missing'],
    });
    expect(unreadableWarning(cursor)).toBe(
      '2 records could not be read: Aircall call 7: direction is missing (and 1 more). The rest were read.',
    );
    // Options lists them on the source's health, newest first.
    expect(skippedRecords({ cursor })).toEqual(['Aircall call 7: direction is missing', line]);
    cursor = nextCursor(cursor, t0 + 25 * HOUR, HOUR, { complete: true });
    expect(unreadableWarning(cursor)).toBeUndefined();
  });
});
