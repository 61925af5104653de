import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { CaptureResult, IncomingCall } from '@/utils/model';
import {
  dbImportLookups,
  detectFormat,
  errorReportCsv,
  importCsv,
  parseCallTime,
  previewCsv,
  rowToCall,
  statusMeaning,
  type ColumnMapping,
  type CsvFormatId,
} from '@/utils/capture/sources/csv';

const csv = (name: string) => readFileSync(path.join(__dirname, '../fixtures/csv', name), 'utf8');
const NY = 'America/New_York';
/** After the fixtures' calls (10 March 2026), so none of them is "in the future". */
const NOW = Date.UTC(2026, 2, 11, 12, 0, 0);

const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  sourceRules: [
    {
      id: 'ads',
      line: '(212) 555-0199',
      source: 'Google Ads – PI',
      practiceArea: 'Personal injury',
      priority: true,
    },
  ],
};

let db: CallbackDeskDB;
beforeEach(() => {
  db = new CallbackDeskDB(`csv-test-${Math.random()}`);
});

async function importFixture(
  text: string,
  format?: CsvFormatId,
  mapping?: ColumnMapping,
  into: CallbackDeskDB = db,
  lookups = false,
) {
  const { header } = await previewCsv(text);
  const detected = detectFormat(header);
  return importCsv(text, {
    lookups: lookups ? dbImportLookups(into) : undefined,
    format: format ?? detected.format,
    mapping: mapping ?? detected.mapping!,
    timeZone: settings.timeZone,
    defaultCountry: settings.defaultCountry,
    capture: (calls) => captureCalls(into, settings, calls, NOW),
    yieldToUi: async () => undefined,
    now: () => NOW,
  });
}

describe('dates and times in exports', () => {
  it('reads wall-clock times in the firm’s zone (DST included) and absolute times as given', () => {
    // 10 March 2026 is after the US switch to daylight time: New York is UTC-4.
    expect(parseCallTime('Tue 03/10/2026', '9:04:05 AM', NY, false)).toBe(
      Date.UTC(2026, 2, 10, 13, 4, 5),
    );
    expect(parseCallTime('03/05/2026 9:04 PM', undefined, NY, false)).toBe(
      Date.UTC(2026, 2, 6, 2, 4, 0),
    );
    expect(parseCallTime('2026-03-10 15:04:05', undefined, 'Europe/London', true)).toBe(
      Date.UTC(2026, 2, 10, 15, 4, 5),
    );
    expect(parseCallTime('2026-03-10T10:04:05.000-04:00', undefined, 'Asia/Tokyo', true)).toBe(
      Date.UTC(2026, 2, 10, 14, 4, 5),
    );
    expect(parseCallTime('2026-03-10T14:04:05Z', undefined, NY, false)).toBe(
      Date.UTC(2026, 2, 10, 14, 4, 5),
    );
    expect(parseCallTime('Mar 10, 2026 3:04 PM', undefined, NY, false)).toBe(
      Date.UTC(2026, 2, 10, 19, 4, 0),
    );
    expect(parseCallTime('1773151445', undefined, NY, false)).toBe(1773151445000);
  });

  it('reads 03/04 by the firm’s country unless one side is above 12', () => {
    expect(parseCallTime('03/04/2026 10:00', undefined, 'UTC', false)).toBe(
      Date.UTC(2026, 2, 4, 10),
    );
    expect(parseCallTime('03/04/2026 10:00', undefined, 'UTC', true)).toBe(
      Date.UTC(2026, 3, 3, 10),
    );
    expect(parseCallTime('25/04/2026 10:00', undefined, 'UTC', false)).toBe(
      Date.UTC(2026, 3, 25, 10),
    );
  });

  it('refuses impossible or unreadable times', () => {
    expect(parseCallTime('31/02/2026 10:10 AM', undefined, NY, false)).toBeUndefined();
    expect(parseCallTime('Tue 03/10/2026', '13/45/2026', NY, false)).toBeUndefined();
    expect(parseCallTime('yesterday', undefined, NY, false)).toBeUndefined();
    expect(parseCallTime('03/10/2026 13:00 PM', undefined, NY, false)).toBeUndefined();
  });
});

describe('status words', () => {
  it.each([
    ['Missed', 'no-answer'],
    ['No Answer', 'no-answer'],
    ['Voicemail', 'voicemail'],
    ['Left voicemail', 'voicemail'],
    ['Hang Up', 'abandoned'],
    ['abandoned_in_ivr', 'abandoned'],
    ['out_of_opening_hours', 'after-hours'],
    ['Busy', 'busy'],
    ['Accepted', 'answered'],
    ['Call connected', 'answered'],
    ['Received', 'answered'],
    ['Placed', 'outbound'],
    ['In Progress', 'skip'],
  ])('"%s" means %s', (word, meaning) => {
    expect(statusMeaning(word)).toBe(meaning);
  });

  it('does not guess at unknown words', () => {
    expect(statusMeaning('Teleported')).toBeUndefined();
  });
});

describe('format detection from the header row', () => {
  it('recognises each export and maps its columns', async () => {
    const rc = detectFormat((await previewCsv(csv('ringcentral-call-log.csv'))).header);
    expect(rc).toEqual({
      format: 'ringcentral',
      mapping: {
        number: 2,
        date: 7,
        time: 8,
        name: 3,
        status: 10,
        direction: 0,
        dialedLine: 4,
        id: 13,
      },
    });
    const aircall = detectFormat((await previewCsv(csv('aircall-export.csv'))).header);
    expect(aircall).toMatchObject({
      format: 'aircall',
      mapping: {
        id: 0,
        direction: 2,
        missedReason: 4,
        date: 5,
        answeredAt: 6,
        number: 9,
        dialedLine: 10,
      },
    });
    expect(aircall.mapping?.status).toBeUndefined();
    expect(detectFormat((await previewCsv(csv('google-voice-calls.csv'))).header)).toMatchObject({
      format: 'googlevoice',
      mapping: { name: 0, number: 1, status: 2, date: 3, dialedLine: 5 },
    });
    expect(detectFormat((await previewCsv(csv('generic-call-list.csv'))).header)).toMatchObject({
      format: 'generic',
      mapping: { number: 0, date: 1, status: 3, dialedLine: 4 },
    });
  });
});

describe('importing each format', () => {
  it('RingCentral: missed rows become leads, a later accepted call closes one, bad rows are reported by line', async () => {
    const report = await importFixture(csv('ringcentral-call-log.csv'));
    expect(report).toMatchObject({
      format: 'ringcentral',
      rows: 10,
      added: 4,
      answeredClosed: 1,
      answeredIgnored: 1,
      skippedOutbound: 1,
      errors: [
        { line: 7, reason: '"Tue 03/10/2026 13/45/2026" is not a date and time' },
        { line: 8, reason: 'caller number is empty' },
        { line: 9, reason: 'unknown status "Teleported"' },
      ],
    });
    const maria = await db.leads.where('phoneKey').equals('+14155550142').first();
    // Tagged by the source rule of the dialed line, and closed: she got through at 9:45.
    expect(maria).toMatchObject({
      source: 'Google Ads – PI',
      priority: true,
      status: 'done',
      closeOutcome: 'reached',
      name: 'GOMEZ MARIA',
    });
    expect(await db.leads.where('phoneKey').equals('+14155550143').first()).toMatchObject({
      status: 'open',
    });
    expect((await db.leads.toArray()).filter((l) => l.noCallbackNumber)).toHaveLength(1);
    const calls = await db.calls.toArray();
    expect(calls.every((c) => c.capturePath === 'csv' && c.provider === 'ringcentral')).toBe(true);
    expect(calls.find((c) => c.providerCallId === '404769762001')?.startedAt).toBe(
      Date.UTC(2026, 2, 10, 13, 4, 5),
    );
  });

  it('Aircall: missed_call_reason means missed, answered_at answered; quoted commas are fine', async () => {
    const report = await importFixture(csv('aircall-export.csv'));
    expect(report).toMatchObject({ added: 4, answeredClosed: 1, skippedOutbound: 1 });
    expect(report.errors.map((e) => e.line)).toEqual([7, 8]);
    expect(await db.leads.where('phoneKey').equals('+16465550188').first()).toMatchObject({
      name: 'Li, Wei',
    });
    // Aircall call ids are kept as they are, so the API poller's copy of a call is the same record.
    expect(await db.calls.where('providerKey').equals('aircall:812345603').first()).toMatchObject({
      reason: 'abandoned',
    });
    expect(await db.calls.where('providerKey').equals('aircall:812345602').first()).toMatchObject({
      reason: 'after-hours',
    });
  });

  it('Google Voice: Missed/Voicemail are missed, Received informs, Placed is skipped, blank lines do not shift line numbers', async () => {
    const report = await importFixture(csv('google-voice-calls.csv'));
    expect(report).toMatchObject({ added: 3, answeredIgnored: 1, skippedOutbound: 1 });
    expect(report.errors).toEqual([
      { line: 6, reason: '"not a time" is not a date and time' },
      { line: 7, reason: 'unknown status "Recorded"' },
    ]);
    expect(await db.leads.where('phoneKey').equals('+14155550154').first()).toMatchObject({
      name: 'Ann Lee',
    });
  });

  it('generic file with the user’s column mapping', async () => {
    const report = await importFixture(csv('generic-call-list.csv'), 'generic', {
      number: 0,
      date: 1,
      name: 2,
      status: 3,
      dialedLine: 4,
      id: 5,
    });
    expect(report).toMatchObject({ added: 2, answeredClosed: 1, answeredIgnored: 1 });
    expect(report.errors).toEqual([
      { line: 4, reason: '"31/02/2026 10:10 AM" is not a date and time' },
      { line: 7, reason: 'the call is in the future' },
    ]);
    expect(await db.leads.where('phoneKey').equals('+13055550101').first()).toMatchObject({
      status: 'done',
      name: 'Di Egan',
    });
    expect(await db.calls.where('providerKey').equals('csv:A-1002').first()).toMatchObject({
      reason: 'voicemail',
    });
  });

  it('re-importing the same file adds nothing', async () => {
    for (const name of [
      'ringcentral-call-log.csv',
      'aircall-export.csv',
      'google-voice-calls.csv',
    ]) {
      await importFixture(csv(name));
    }
    const leads = await db.leads.count();
    const calls = await db.calls.count();
    for (const name of [
      'ringcentral-call-log.csv',
      'aircall-export.csv',
      'google-voice-calls.csv',
    ]) {
      const again = await importFixture(csv(name));
      expect(again.added).toBe(0);
      expect(again.answeredClosed).toBe(0);
    }
    expect(await db.leads.count()).toBe(leads);
    expect(await db.calls.count()).toBe(calls);
  });

  it('the page’s bulk look-ups store exactly what checking call by call stores, and re-imports skip capture', async () => {
    const names = ['ringcentral-call-log.csv', 'aircall-export.csv', 'google-voice-calls.csv'];
    const fast = new CallbackDeskDB(`csv-fast-${Math.random()}`);
    const summary = async (d: CallbackDeskDB) => ({
      leads: (await d.leads.toArray())
        .map((l) => `${l.phoneKey.replace(/^nocallback:.*/, 'nocallback')}:${l.status}`)
        .sort(),
      calls: (await d.calls.toArray()).map((c) => `${c.providerKey}:${c.reason}`).sort(),
    });
    for (const name of names) {
      const slow = await importFixture(csv(name));
      const quick = await importFixture(csv(name), undefined, undefined, fast, true);
      expect(quick).toMatchObject({
        added: slow.added,
        answeredClosed: slow.answeredClosed,
        answeredIgnored: slow.answeredIgnored,
      });
    }
    expect(await summary(fast)).toEqual(await summary(db));
    let captured = 0;
    for (const name of names) {
      const { header } = await previewCsv(csv(name));
      const detected = detectFormat(header);
      const again = await importCsv(csv(name), {
        format: detected.format,
        mapping: detected.mapping!,
        timeZone: settings.timeZone,
        defaultCountry: settings.defaultCountry,
        capture: async (calls) => (
          (captured += calls.length),
          captureCalls(fast, settings, calls, NOW)
        ),
        lookups: dbImportLookups(fast),
        yieldToUi: async () => undefined,
        now: () => NOW,
      });
      expect(again.added).toBe(0);
    }
    // Only one row still reaches capture: Google Voice's 10:04 call from Maria is the call the
    // Aircall export has at the same moment; it was merged into that record, so its own key was
    // never stored, and capture recognises it again (same caller, same time).
    expect(captured).toBe(1);
  });

  it('gives rows without an id a stable one from the number and the time', () => {
    const ctx = {
      format: 'generic' as const,
      mapping: { number: 0, date: 1 },
      timeZone: NY,
      dayFirst: false,
      now: NOW,
    };
    const a = rowToCall(['(305) 555-0101', '03/10/2026 10:04 AM'], ctx);
    const b = rowToCall(['(305) 555-0101', '03/10/2026 10:04 AM'], ctx);
    expect(a).toEqual(b);
    expect(a).toMatchObject({
      call: {
        providerCallId: `row:3055550101:${Date.UTC(2026, 2, 10, 14, 4)}`,
        reason: 'no-answer',
      },
    });
  });

  it('writes the error report as a downloadable CSV', () => {
    expect(errorReportCsv([{ line: 7, reason: 'unknown status "A, B"' }])).toBe(
      'line,reason\r\n7,"unknown status ""A, B"""',
    );
  });
});

describe('100,000 rows', () => {
  it('streams in chunks, yields to the page between them, and reports bad rows by line', async () => {
    const lines = ['Caller,When,Outcome,Ref'];
    const start = Date.UTC(2026, 1, 1, 14, 0);
    for (let i = 0; i < 100_000; i++) {
      const bad = i % 10_000 === 4_999;
      const outcome = i % 3 === 0 ? 'answered' : 'missed';
      lines.push(
        `+1305${String(5_000_000 + (i % 25_000)).padStart(7, '0')},${bad ? 'n/a' : new Date(start + i * 20_000).toISOString()},${outcome},R${i}`,
      );
    }
    const text = lines.join('\n');
    let yields = 0;
    let captured = 0;
    let batches = 0;
    let largest = 0;
    const batchOf = new Map<string, number>();
    const report = await importCsv(text, {
      format: 'generic',
      mapping: { number: 0, date: 1, status: 2, id: 3 },
      timeZone: NY,
      defaultCountry: 'US',
      capture: async (calls) => {
        batches++;
        captured += calls.length;
        largest = Math.max(largest, calls.length);
        // Every caller's calls come in one batch.
        for (const c of calls) expect(batchOf.get(c.from) ?? batches).toBe(batches);
        for (const c of calls) batchOf.set(c.from, batches);
        return { added: [], duplicates: 0, answeredClosed: 0, ignored: 0, rejected: [] };
      },
      yieldToUi: async () => void yields++,
      now: () => NOW,
    });
    expect(report.rows).toBe(100_000);
    expect(report.errors).toHaveLength(10);
    expect(report.errors[0]).toEqual({ line: 5_001, reason: '"n/a" is not a date and time' });
    expect(captured).toBe(99_990);
    expect(largest).toBeLessThanOrEqual(250);
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(99_990 / 250));
    // Parsing happened chunk by chunk (≈5 MB in 256 KB chunks), the page got control back each time.
    expect(yields).toBeGreaterThanOrEqual(10 + batches);
  });
});

describe('storing a large file (issue 7, item 27)', () => {
  // Three callers ringing in turn, three times each: the way a busy day's export reads.
  const interleaved = () => {
    const lines = ['Caller,When,Outcome,Ref'];
    for (let round = 0; round < 3; round++)
      for (const caller of ['0101', '0102', '0103'])
        lines.push(
          `(305) 555-${caller},2026-03-10T1${round}:0${caller.at(-1)}:00Z,missed,R${round}-${caller}`,
        );
    return lines.join('\n');
  };
  const importInterleaved = (capture: (calls: IncomingCall[]) => Promise<CaptureResult>) =>
    importCsv(interleaved(), {
      format: 'generic',
      mapping: { number: 0, date: 1, status: 2, id: 3 },
      timeZone: settings.timeZone,
      defaultCountry: settings.defaultCountry,
      capture,
      lookups: dbImportLookups(db),
      batchSize: 3,
      yieldToUi: async () => undefined,
      now: () => NOW,
    });

  it('writes each caller’s lead once, with all of their calls', async () => {
    let leadWrites = 0;
    db.leads.hook('creating', () => void leadWrites++);
    db.leads.hook('updating', () => void leadWrites++);
    const report = await importInterleaved((calls) => captureCalls(db, settings, calls, NOW));
    expect(report.added).toBe(9);
    expect(leadWrites).toBe(3);
    const leads = await db.leads.toArray();
    expect(leads.map((l) => l.missedCount)).toEqual([3, 3, 3]);
  });

  it('a call the poller stored after the import looked is still recognised (same caller, same time)', async () => {
    const call = {
      from: '(305) 555-0101',
      startedAt: Date.UTC(2026, 2, 10, 14, 0),
      reason: 'no-answer' as const,
      provider: 'aircall',
      providerCallId: '77',
    };
    await captureCalls(db, settings, [{ ...call, capturePath: 'api' }], NOW);
    // The import looked before the poller stored it, so it tells capture the key is new.
    const result = await captureCalls(db, settings, [{ ...call, capturePath: 'csv' }], NOW, {
      unstoredProviderKeys: new Set(['aircall:77']),
    });
    expect(result).toMatchObject({ added: [], duplicates: 1 });
    expect(await db.calls.count()).toBe(1);
  });

  it('an import that stops part-way leaves each caller fully stored or not at all', async () => {
    let batches = 0;
    await expect(
      importInterleaved(async (calls) => {
        if (++batches === 2) throw new Error('disk full');
        return captureCalls(db, settings, calls, NOW);
      }),
    ).rejects.toThrow('disk full');
    const leads = await db.leads.toArray();
    expect(leads.length).toBeGreaterThan(0);
    for (const lead of leads) {
      expect(lead.missedCount).toBe(3);
      expect(await db.calls.where('leadId').equals(lead.id).count()).toBe(3);
    }
    // Importing again adds exactly the callers that were missing.
    const again = await importInterleaved((calls) => captureCalls(db, settings, calls, NOW));
    expect(again.added).toBe(9 - 3 * leads.length);
    expect(again.duplicates).toBe(3 * leads.length);
    expect((await db.leads.toArray()).map((l) => l.missedCount)).toEqual([3, 3, 3]);
  });
});

describe('rows a person would question (issue 7)', () => {
  const DAY = 86_400_000;
  const generic = (rows: string[]) =>
    importFixture(['Caller,When,Who,Outcome,Ref', ...rows].join('\n'), 'generic', {
      number: 0,
      date: 1,
      name: 2,
      status: 3,
      id: 4,
    });

  it('a call dated 1 January 1970 is refused with a clear reason and never reaches the queue', async () => {
    const report = await generic([
      '(305) 555-0101,1970-01-01T00:00:00Z,,missed,E-1',
      '(305) 555-0102,0000000000,,missed,E-2',
      '(305) 555-0103,2026-03-10T14:00:00Z,,missed,E-3',
    ]);
    expect(report.added).toBe(1);
    expect(report.errors).toEqual([
      {
        line: 2,
        reason: expect.stringMatching(/^the call is dated 31 Dec 1969, more than 2 years ago$/),
      },
      {
        line: 3,
        reason: expect.stringMatching(/^the call is dated 31 Dec 1969, more than 2 years ago$/),
      },
    ]);
    expect(await db.leads.count()).toBe(1);
  });

  it('history older than 90 days is imported as history: no lead is overdue for it', async () => {
    const old = new Date(NOW - 200 * DAY).toISOString();
    const report = await generic([`(305) 555-0104,${old},Old Caller,missed,H-1`]);
    expect(report).toMatchObject({ added: 0, history: 1, errors: [] });
    expect(await db.calls.count()).toBe(1);
    expect(await db.leads.where('status').anyOf('open', 'claimed').count()).toBe(0);
  });

  it('a caller name over 120 characters is shortened and the row imported, with a note', async () => {
    const long = 'Maria '.repeat(30).trim();
    const report = await generic([`(305) 555-0105,2026-03-10T14:00:00Z,${long},missed,N-1`]);
    expect(report).toMatchObject({ added: 1, errors: [] });
    expect(report.notes).toEqual([{ line: 2, reason: 'caller name shortened to 120 characters' }]);
    const lead = await db.leads.where('phoneKey').equals('+13055550105').first();
    expect(lead?.name).toHaveLength(120);
    expect(lead?.name?.endsWith('…')).toBe(true);
  });

  it('a field too long for the model is a plain reason, not schema text', async () => {
    const report = await generic([`${'5'.repeat(70)},2026-03-10T14:00:00Z,,missed,L-1`]);
    expect(report.errors).toEqual([
      { line: 2, reason: 'caller number is too long (at most 64 characters)' },
    ]);
  });
});
