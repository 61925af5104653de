import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CSV_FORMULA, rowsToCsv } from '@/utils/metrics/csv';

const columns = [
  { key: 'source', label: 'Source' },
  { key: 'leads', label: 'Leads' },
  { key: 'ok', label: 'Reached' },
];

/** Read the CSV back as a spreadsheet parser would: rows of cells. */
function parse(csv: string): string[][] {
  return Papa.parse<string[]>(csv.replace(/^\ufeff/, ''), { skipEmptyLines: true }).data;
}

describe('metrics CSV export', () => {
  it('neutralises cells a spreadsheet would run as a formula', () => {
    const hostile = [
      '=HYPERLINK("http://evil.example","Click")',
      '+1-555-0100',
      '-2+3',
      '@SUM(A1:A9)',
      '\t=1+1',
      '\r=1+1',
      '=1+1\nsecond line', // a formula with a line break inside
      '＝1+1', // full-width equals sign
    ];
    const csv = rowsToCsv(
      columns,
      hostile.map((source) => ({ source, leads: 1, ok: true })),
    );
    const rows = parse(csv);
    expect(rows[0]).toEqual(['Source', 'Leads', 'Reached']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(hostile.map((h) => `'${h}`));
    for (const row of rows.slice(1)) expect(row.slice(1)).toEqual(['1', 'yes']);
  });

  it('keeps numbers as numbers (a negative number is no formula) and ordinary text as it is', () => {
    const csv = rowsToCsv(columns, [
      { source: 'Google Ads – PI', leads: -3, ok: false },
      { source: 'Referral, "friend"', leads: 2.5, ok: null },
      { source: 'a = b', leads: null },
    ]);
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parse(csv).slice(1)).toEqual([
      ['Google Ads – PI', '-3', 'no'],
      ['Referral, "friend"', '2.5', ''],
      ['a = b', '', ''],
    ]);
  });

  it("papaparse's own escapeFormulae misses a formula with a line break (why CSV_FORMULA exists)", () => {
    const cell = '=1+1\nx';
    const library = Papa.unparse([[cell]], { escapeFormulae: true });
    expect(library).not.toContain("'=");
    expect(Papa.unparse([[cell]], { escapeFormulae: CSV_FORMULA })).toContain("'=");
  });
});
