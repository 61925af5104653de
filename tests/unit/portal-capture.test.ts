// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { healthWarning, mergeHealth, recordAdapterHealth } from '@/utils/capture/health';
import { observePage, type ObserverContext } from '@/utils/capture/adapters/observe';
import { parsePortalTime } from '@/utils/capture/adapters/time';
import { CallbackDeskDB } from '@/utils/db';
import type { IncomingCall } from '@/utils/model';
import {
  batches,
  createPortalSession,
  healthReport,
  markSent,
  PORTAL_LOOKBACK_MS,
  unsentCalls,
} from '@/utils/capture/portalSession';

/** Tuesday 2026-12-08, 3:00 PM in New York. */
const NOW = Date.parse('2026-12-08T15:00:00-05:00');
const NY = 'America/New_York';

describe('parsePortalTime', () => {
  // Portals show times in the browser's zone: the test browser is in `zone`.
  let savedZone: string | undefined;
  beforeEach(() => {
    savedZone = process.env.TZ;
    process.env.TZ = NY;
  });
  afterEach(() => {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  });
  const at = (text: string, now = NOW, zone = NY) => {
    process.env.TZ = zone;
    const parsed = parsePortalTime(text, now);
    process.env.TZ = NY;
    return parsed && { iso: new Date(parsed.at).toISOString(), dayOnly: parsed.dayOnly };
  };
  const exact = (iso: string) => ({ iso: new Date(iso).toISOString(), dayOnly: false });

  it.each([
    ['2026-12-08T14:14:07-05:00', '2026-12-08T14:14:07-05:00'],
    ['2026-12-08T19:14:07.000Z', '2026-12-08T14:14:07-05:00'],
    // No offset: the portal's wall clock.
    ['2026-12-08 14:14:07', '2026-12-08T14:14:07-05:00'],
    ['1796757247000', '2026-12-08T14:14:07-05:00'],
    ['just now', '2026-12-08T15:00:00-05:00'],
    ['3 min ago', '2026-12-08T14:57:00-05:00'],
    ['45 sec ago', '2026-12-08T14:59:15-05:00'],
    ['2:14 PM', '2026-12-08T14:14:00-05:00'],
    ['2:14\u202fPM', '2026-12-08T14:14:00-05:00'],
    ['Today 9:05 am', '2026-12-08T09:05:00-05:00'],
    ['Today at 12:30 PM', '2026-12-08T12:30:00-05:00'],
    ['12:10 AM', '2026-12-08T00:10:00-05:00'],
    ['14:40', '2026-12-08T14:40:00-05:00'],
    ['Yesterday 5:52 PM', '2026-12-07T17:52:00-05:00'],
    ['Yesterday, 11:02 PM', '2026-12-07T23:02:00-05:00'],
    ['Mon 4:20 PM', '2026-12-07T16:20:00-05:00'],
    ['Tuesday 8:00 AM', '2026-12-01T08:00:00-05:00'],
    ['Dec 8, 2:14 PM', '2026-12-08T14:14:00-05:00'],
    ['Dec 08, 2026 02:14:07 PM', '2026-12-08T14:14:07-05:00'],
    ['Tue, Dec 8, 2026 2:14:07 PM', '2026-12-08T14:14:07-05:00'],
    ['Tuesday, December 8, 2026 at 2:14 PM', '2026-12-08T14:14:00-05:00'],
    ['8 Dec 2026 14:14', '2026-12-08T14:14:00-05:00'],
    ['12/08/2026 02:14 PM', '2026-12-08T14:14:00-05:00'],
    ['12/8/26, 2:14 PM', '2026-12-08T14:14:00-05:00'],
    ['25.11.2026 09:30', '2026-11-25T09:30:00-05:00'],
    ['2:14 PM EST', '2026-12-08T14:14:00-05:00'],
    // A year-less date after today is last year's.
    ['Dec 20, 9:00 AM', '2025-12-20T09:00:00-05:00'],
  ])('%s', (text, iso) => {
    expect(at(text)).toEqual(exact(iso));
  });

  it('hours ago is too coarse to capture: it would drift into phantom repeat calls', () => {
    expect(at('2h')).toEqual({ iso: '2026-12-08T18:00:00.000Z', dayOnly: true });
    expect(at('an hour ago')?.dayOnly).toBe(true);
  });

  it('a clock time later than now is yesterday (a list read just after midnight)', () => {
    const justAfterMidnight = Date.parse('2026-12-08T00:03:00-05:00');
    expect(at('11:58 PM', justAfterMidnight)).toEqual(exact('2026-12-07T23:58:00-05:00'));
  });

  it('follows the portal’s time zone, across a DST change', () => {
    expect(at('Today 2:14 PM', NOW, 'Europe/London')).toEqual(exact('2026-12-08T14:14:00Z'));
    const afterSpringForward = Date.parse('2026-03-09T12:00:00-04:00');
    expect(at('Yesterday 1:30 AM', afterSpringForward)).toEqual(exact('2026-03-08T01:30:00-05:00'));
  });

  it('reads a wall time a DST change skips or repeats the way Date does', () => {
    // 2:30 AM never showed on New York clocks on 2026-03-08: it lands past the gap.
    expect(at('2026-03-08 02:30')).toEqual(exact('2026-03-08T03:30:00-04:00'));
    // 1:30 AM showed twice on 2026-11-01 (and in London on 2026-10-25): the first one.
    expect(at('2026-11-01 01:30')).toEqual(exact('2026-11-01T01:30:00-04:00'));
    expect(at('Oct 25, 1:30 AM', NOW, 'Europe/London')).toEqual(exact('2026-10-25T01:30:00+01:00'));
    expect(at('Mar 8, 1:59 AM')).toEqual(exact('2026-03-08T01:59:00-05:00'));
    expect(at('Mar 8, 3:00 AM')).toEqual(exact('2026-03-08T03:00:00-04:00'));
  });

  it('flags day-only times instead of inventing an hour', () => {
    expect(at('Yesterday')?.dayOnly).toBe(true);
    expect(at('Dec 1')?.dayOnly).toBe(true);
    expect(at('3 days ago')?.dayOnly).toBe(true);
  });

  it.each(['', 'Missed', '13:75', '31/31/2026 2:00 PM', 'Feb 30, 2:00 PM', '(415) 555-0132'])(
    'rejects %j',
    (text) => {
      expect(parsePortalTime(text, NOW)).toBeNull();
    },
  );
});

describe('portal session', () => {
  const call = (
    from: string,
    minutesAgo: number,
    extra: Partial<IncomingCall> = {},
  ): IncomingCall => ({
    from,
    startedAt: NOW - minutesAgo * 60_000,
    reason: 'no-answer',
    provider: 'ringcentral',
    capturePath: 'portal',
    ...extra,
  });

  it('sends each call once per page, oldest first, and not history older than a day', () => {
    const session = createPortalSession();
    const page = [call('+14155550132', 2), call('+16465550187', 30), call('+13125550176', 25 * 60)];
    const first = unsentCalls(session, page, NOW);
    expect(first.map((c) => c.from)).toEqual(['+16465550187', '+14155550132']);
    markSent(session, first);
    expect(unsentCalls(session, page, NOW)).toEqual([]);
    // A new row, and a known call whose status turned into a voicemail: both are news.
    const next = [
      ...page,
      call('+17185550199', 0),
      call('+14155550132', 2, { reason: 'voicemail' }),
    ];
    expect(unsentCalls(session, next, NOW).map((c) => `${c.from} ${c.reason}`)).toEqual([
      '+14155550132 voicemail',
      '+17185550199 no-answer',
    ]);
    expect(PORTAL_LOOKBACK_MS).toBe(86_400_000);
  });

  it('keys by provider id when the page shows one', () => {
    const session = createPortalSession();
    markSent(session, [call('(415) 555-0132', 3, { providerCallId: 'A1' })]);
    // The same call re-rendered with a re-read relative time: still the same call.
    expect(
      unsentCalls(session, [call('+1 415-555-0132', 4, { providerCallId: 'A1' })], NOW),
    ).toEqual([]);
  });

  it('batches large pages', () => {
    expect(batches(Array.from({ length: 250 }, (_, i) => i)).map((b) => b.length)).toEqual([
      100, 100, 50,
    ]);
  });

  it('reports health only when something changed, as deltas', () => {
    const session = createPortalSession();
    const clean = { calls: [], rowsSeen: 5, rowsRead: 5, misses: [] };
    expect(healthReport(session, 'ringcentral', clean, NOW)).toEqual({
      adapterId: 'ringcentral',
      rowsSeen: 5,
      rowsRead: 5,
      misses: [],
      ok: true,
    });
    expect(healthReport(session, 'ringcentral', clean, NOW + 1000)).toBeNull();
    const grew = {
      calls: [],
      rowsSeen: 6,
      rowsRead: 5,
      misses: ['time: no readable call time (1 row)'],
    };
    expect(healthReport(session, 'ringcentral', grew, NOW + 2000)).toEqual({
      adapterId: 'ringcentral',
      rowsSeen: 1,
      rowsRead: 0,
      misses: ['time: no readable call time (1 row)'],
      ok: false,
    });
    // The same miss on more rows is not a new miss.
    const worse = { ...grew, rowsSeen: 6, misses: ['time: no readable call time (2 rows)'] };
    expect(healthReport(session, 'ringcentral', worse, NOW + 3000)).toBeNull();
    // A heartbeat keeps "last success" fresh on a page that keeps reading cleanly.
    expect(
      healthReport(session, 'ringcentral', { ...clean, rowsSeen: 6, rowsRead: 6 }, NOW + 4000)?.ok,
    ).toBe(true);
    expect(
      healthReport(session, 'ringcentral', { ...clean, rowsSeen: 6, rowsRead: 6 }, NOW + 5000),
    ).toBeNull();
    expect(
      healthReport(
        session,
        'ringcentral',
        { ...clean, rowsSeen: 6, rowsRead: 6 },
        NOW + 6 * 60_000,
      ),
    ).toMatchObject({
      rowsSeen: 0,
      ok: true,
    });
  });
});

describe('adapter health', () => {
  it('accumulates per adapter and host, and keeps the latest problem until a clean read', async () => {
    const db = new CallbackDeskDB(`health-${Math.random()}`);
    const base = { adapterId: 'ringcentral', misses: [] as string[] };
    await recordAdapterHealth(
      db,
      'app.ringcentral.com',
      { ...base, rowsSeen: 12, rowsRead: 12, ok: true },
      NOW,
    );
    await recordAdapterHealth(
      db,
      'app.ringcentral.com',
      {
        ...base,
        rowsSeen: 2,
        rowsRead: 0,
        misses: ['status: no missed/answered cue (2 rows)'],
        ok: false,
      },
      NOW + 1000,
    );
    const record = await db.adapterHealth.get('ringcentral@app.ringcentral.com');
    expect(record).toEqual({
      id: 'ringcentral@app.ringcentral.com',
      adapterId: 'ringcentral',
      host: 'app.ringcentral.com',
      rowsSeen: 14,
      rowsRead: 12,
      selectorMisses: 1,
      lastSuccessAt: NOW,
      lastSeenAt: NOW + 1000,
      lastError: 'status: no missed/answered cue (2 rows)',
    });
    const healed = mergeHealth(
      record,
      { ...base, rowsSeen: 1, rowsRead: 1, ok: true },
      'app.ringcentral.com',
      NOW + 2000,
    );
    expect(healed.lastError).toBeUndefined();
    expect(healed.lastSuccessAt).toBe(NOW + 2000);
    db.close();
  });

  it('warns when rows are seen but none read, on misses, and when clean reads stopped', () => {
    const record = {
      id: 'ringcentral@app.ringcentral.com',
      adapterId: 'ringcentral',
      host: 'app.ringcentral.com',
      rowsSeen: 12,
      rowsRead: 0,
      selectorMisses: 0,
      lastSeenAt: NOW,
    };
    expect(healthWarning(record, 'RingCentral', NOW)).toBe(
      'RingCentral: 12 rows seen, 0 read — the page may have changed; calls are not being captured.',
    );
    const fine = { ...record, rowsRead: 12, lastSuccessAt: NOW };
    expect(healthWarning(fine, 'RingCentral', NOW)).toBeNull();
    expect(
      healthWarning({ ...fine, lastSuccessAt: NOW - 2 * 86_400_000 }, 'RingCentral', NOW),
    ).toMatch(/no clean read of app\.ringcentral\.com in the last day/);
    // Not seen lately (the tab is closed): nothing to warn about.
    expect(
      healthWarning(
        { ...fine, lastSuccessAt: NOW - 3 * 86_400_000, lastSeenAt: NOW - 2 * 86_400_000 },
        'RingCentral',
        NOW,
      ),
    ).toBeNull();
    expect(
      healthWarning(
        { ...fine, selectorMisses: 3, lastError: 'time: no readable call time (1 row)' },
        'RingCentral',
        NOW,
      ),
    ).toBe(
      'RingCentral: time: no readable call time (1 row) (3 misses so far) — some calls may be skipped.',
    );
  });
});

describe('observePage', () => {
  let invalidate: () => void;
  let ctx: ObserverContext;
  beforeEach(() => {
    document.body.innerHTML = '<ul id="calls"></ul>';
    const target = new EventTarget();
    ctx = {
      onInvalidated: (cb) => {
        target.addEventListener('invalid', cb);
        return () => target.removeEventListener('invalid', cb);
      },
      addEventListener: (win, type, handler) => win.addEventListener(type, handler),
    };
    invalidate = () => target.dispatchEvent(new Event('invalid'));
  });
  afterEach(() => invalidate());

  const waitFor = (predicate: () => boolean) =>
    vi.waitFor(() => expect(predicate()).toBe(true), { timeout: 2000, interval: 5 });

  it('reads once at start, then once per burst of row insertions', async () => {
    const reads: string[] = [];
    const list = document.getElementById('calls')!;
    observePage(ctx, () => reads.push(`${list.children.length} rows`), { debounceMs: 30 });
    await waitFor(() => reads.length === 1);
    for (let i = 0; i < 5; i++)
      list.append(Object.assign(document.createElement('li'), { textContent: `call ${i}` }));
    await waitFor(() => reads.length === 2);
    expect(reads).toEqual(['0 rows', '5 rows']);
  });

  it('follows SPA navigation and stops with the content script', async () => {
    const reasons: string[] = [];
    observePage(ctx, () => reasons.push(location.hash), { debounceMs: 10 });
    await waitFor(() => reasons.length === 1);
    // A navigation that changes nothing in the page still reads it again.
    window.dispatchEvent(new Event('wxt:locationchange'));
    await waitFor(() => reasons.length === 2);
    invalidate();
    // A second observer, started after the first was invalidated, shows when the change has
    // been delivered: by then the first would have fired too, had it still been listening.
    const witness: string[] = [];
    observePage(ctx, () => witness.push('read'), { debounceMs: 10 });
    await waitFor(() => witness.length === 1);
    document.getElementById('calls')!.append(document.createElement('li'));
    await waitFor(() => witness.length === 2);
    expect(reasons).toHaveLength(2);
  });

  it('is not starved by a page that never stops changing', async () => {
    const reasons: string[] = [];
    observePage(ctx, () => reasons.push('read'), { debounceMs: 100, maxWaitMs: 150 });
    await waitFor(() => reasons.length === 1);
    const clock = document.createElement('span');
    document.body.append(clock);
    const ticker = setInterval(() => (clock.textContent = String(Date.now())), 20);
    try {
      await waitFor(() => reasons.length >= 2);
    } finally {
      clearInterval(ticker);
    }
  });
});
