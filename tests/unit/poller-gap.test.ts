import { describe, expect, it } from 'vitest';
import { skippedCallsWarning } from '@/utils/capture/sources/poller';

describe('skippedCallsWarning', () => {
  const since = Date.UTC(2026, 2, 4, 14, 0);
  it('says which calls a capped newest-first poll could not reach', () => {
    const warning = skippedCallsWarning(
      {
        complete: false,
        calls: [{ startedAt: since + 3_600_000 }, { startedAt: since + 7_200_000 }],
      },
      since,
    );
    expect(warning).toBe(
      'More calls than one poll reads: calls between 2026-03-04T14:00:00.000Z and ' +
        '2026-03-04T15:00:00.000Z were not read. Import a call-log CSV for that period to fill the gap.',
    );
  });
  it('is silent when the poll read everything or knows where to resume', () => {
    expect(skippedCallsWarning({ complete: true, calls: [] }, since)).toBeUndefined();
    expect(
      skippedCallsWarning({ complete: false, resumeFrom: since + 1, calls: [] }, since),
    ).toBeUndefined();
  });
});
