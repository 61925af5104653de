import Papa from 'papaparse';
import type { MetricsCell, MetricsTable } from './types';

/**
 * Cells a spreadsheet would run as a formula: starting with = + - @, a tab or a carriage
 * return (OWASP's CSV injection list), or the full-width forms some spreadsheets also read as
 * operators. Papaparse's own `escapeFormulae: true` uses /^[=+\-@\t\r].*$/, which misses a
 * formula with a line break in it ("=HYPERLINK(…)\n…": `.` stops at the newline and `$` is
 * the end of the whole text), so this pattern has no `$`.
 */
export const CSV_FORMULA = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * CSV text of rows with a header line: a formula-looking text cell gets a leading apostrophe
 * (it opens as text, and the apostrophe shows what happened), numbers stay numbers (-3 is a
 * number, not a formula), booleans are yes/no, missing values empty. CRLF line ends and a
 * byte-order mark, so Excel reads it as UTF-8.
 */
export function rowsToCsv(
  columns: readonly { key: string; label: string }[],
  rows: readonly Record<string, MetricsCell | undefined>[],
): string {
  const data = rows.map((row) =>
    columns.map(({ key }) => {
      const cell = row[key];
      if (cell === null || cell === undefined) return '';
      if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
      return cell;
    }),
  );
  const body = Papa.unparse(
    { fields: columns.map((c) => c.label), data },
    { escapeFormulae: CSV_FORMULA, newline: '\r\n', quotes: false },
  );
  return `\ufeff${body}\r\n`;
}

export function tableToCsv(table: MetricsTable): string {
  return rowsToCsv(table.columns, table.rows);
}
