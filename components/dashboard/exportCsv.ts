import { rowsToCsv } from '@/utils/metrics/csv';

/**
 * CSV text of a table's rows, through the metrics engine's writer: a text cell a spreadsheet
 * would run as a formula (= + - @, tab, carriage return, their full-width forms: a source
 * named `=HYPERLINK(…)`) gets a leading apostrophe, so it opens as text; numbers stay
 * numbers; a byte-order mark first, so Excel reads the file as UTF-8.
 */
export function tableCsv(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const columns = headers.map((label, index) => ({ key: String(index), label }));
  return rowsToCsv(
    columns,
    rows.map((row) => Object.fromEntries(row.map((cell, index) => [String(index), cell]))),
  );
}

/** Start a download of the rows as `<name>.csv`. */
export function downloadCsv(
  name: string,
  headers: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): void {
  downloadCsvText(name, tableCsv(headers, rows));
}

/** Start a download of CSV text (from tableCsv) as `<name>.csv`. */
export function downloadCsvText(name: string, csv: string): void {
  const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${name.replace(/[^\w.-]+/g, '-')}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
