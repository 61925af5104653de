import Papa from 'papaparse';

/**
 * CSV text of a table's rows. Text cells that a spreadsheet would run as a formula (starting
 * with = + - @, tab or carriage return: a source named `=HYPERLINK(…)`) get a leading
 * apostrophe, so they open as text; numbers stay numbers. A byte-order mark first, so Excel
 * reads the file as UTF-8 ("Google Ads – PI" stays whole).
 */
export function tableCsv(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const body = Papa.unparse(
    { fields: [...headers], data: rows.map((row) => row.map((cell) => cell ?? '')) },
    { escapeFormulae: true, newline: '\r\n' },
  );
  return `\ufeff${body}\r\n`;
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
