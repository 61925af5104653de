import { useId, useRef, useState, type ChangeEvent } from 'react';
import { db } from '@/utils/db';
import { errorMessage } from '@/utils/errorMessage';
import { captureCalls } from '@/utils/queue/leads';
import { MAX_CALL_AGE_DAYS } from '@/utils/callLimits';
import { sendMessage } from '@/utils/messaging';
import { getSettings } from '@/utils/settings';
import {
  CSV_FORMATS,
  CSV_FORMAT_LABELS,
  ColumnMapping,
  MAPPABLE_FIELDS,
  dbImportLookups,
  detectFormat,
  errorReportCsv,
  importCsv,
  previewCsv,
  type CsvFormatId,
  type ImportProgress,
  type ImportReport,
} from '@/utils/capture/sources/csv';
import '../sources.css';

/** How many row errors the page lists; the download has them all. */
const SHOWN_ERRORS = 200;

interface Preview {
  file: File;
  header: string[];
  sample: string[][];
  detected: CsvFormatId;
  detectedMapping?: ColumnMapping;
}

type Draft = Partial<Record<keyof ColumnMapping, number>>;

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function progressText(p: ImportProgress): string {
  if (p.phase === 'reading') return `Reading the file… ${p.rowsRead.toLocaleString()} rows`;
  if (p.phase === 'storing')
    return `Storing calls… ${p.stored.toLocaleString()} of ${p.toStore.toLocaleString()}`;
  return 'Done.';
}

/**
 * Import call-log exports. Runs in this page, not the background: the page may open the
 * database itself (extension origin), so 100,000 rows never cross the message channel,
 * a service-worker restart cannot cut an import short, and history creates no
 * notifications. The badge is refreshed once at the end.
 */
export function CsvImportSection() {
  const headingId = useId();
  const fileId = useId();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [format, setFormat] = useState<CsvFormatId>('generic');
  const [draft, setDraft] = useState<Draft>({});
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setReport(null);
    setError(null);
    setProgress(null);
    if (!file) return setPreview(null);
    try {
      const { header, sample } = await previewCsv(file);
      if (header.length < 2) throw new Error('This file has no header row with column names.');
      const detected = detectFormat(header);
      setPreview({
        file,
        header,
        sample,
        detected: detected.format,
        detectedMapping: detected.mapping,
      });
      setFormat(detected.format);
      setDraft(detected.mapping ?? {});
    } catch (e) {
      setPreview(null);
      setError(`Could not read ${file.name}: ${errorMessage(e)}`);
    }
  };

  const chooseFormat = (next: CsvFormatId) => {
    setFormat(next);
    if (!preview) return;
    // A named format's own columns when the header matches it, else keep the user's choices.
    if (next === preview.detected && preview.detectedMapping) setDraft(preview.detectedMapping);
  };

  const mapping = ColumnMapping.safeParse(draft);

  const start = async () => {
    if (!preview || !mapping.success) return;
    setError(null);
    setReport(null);
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ phase: 'reading', fraction: 0, rowsRead: 0, stored: 0, toStore: 0 });
    try {
      const settings = await getSettings();
      const result = await importCsv(preview.file, {
        format,
        mapping: mapping.data,
        timeZone: settings.timeZone,
        defaultCountry: settings.defaultCountry,
        capture: (calls, unstoredProviderKeys) =>
          captureCalls(db, settings, calls, undefined, { unstoredProviderKeys }),
        lookups: dbImportLookups(db),
        onProgress: setProgress,
        signal: controller.signal,
      });
      setReport(result);
      await sendMessage('refreshBadge').catch(() => undefined);
    } catch (e) {
      setError(
        e instanceof DOMException && e.name === 'AbortError'
          ? 'Import cancelled. Calls stored so far stay; importing the file again adds only the rest.'
          : `Import failed: ${errorMessage(e)}`,
      );
      await sendMessage('refreshBadge').catch(() => undefined);
    } finally {
      abort.current = null;
      setProgress((p) => (p?.phase === 'done' ? p : null));
    }
  };

  const reset = () => {
    setPreview(null);
    setReport(null);
    setProgress(null);
    setError(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const downloadErrors = () => {
    if (!report) return;
    const url = URL.createObjectURL(
      new Blob([errorReportCsv(report.errors)], { type: 'text/csv' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = `${preview?.file.name.replace(/\.csv$/i, '') ?? 'import'}-errors.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const importing = progress !== null && progress.phase !== 'done';

  return (
    <section className="options-section" id="csv-import" aria-labelledby={headingId}>
      <header className="options-section-header">
        <h2 id={headingId}>Import a call log (CSV)</h2>
        <p className="options-section-description">
          Catch up on calls from an export: RingCentral call log, Aircall calls, Google Voice, or
          any CSV with a number and a time. Missed calls join the queue; answered ones close a
          caller’s open lead. Importing the same file again adds nothing.
        </p>
      </header>
      <div className="options-section-body">
        <div className="field options-narrow">
          <label htmlFor={fileId}>Call-log CSV file</label>
          <input
            id={fileId}
            ref={fileInput}
            type="file"
            accept=".csv,text/csv"
            disabled={importing}
            onChange={(e) => void onFile(e)}
          />
        </div>

        {preview ? (
          <div className="csv-setup">
            <div className="field options-narrow">
              <label htmlFor={`${fileId}-format`}>Format</label>
              <select
                id={`${fileId}-format`}
                value={format}
                disabled={importing}
                onChange={(e) => chooseFormat(e.target.value as CsvFormatId)}
              >
                {CSV_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {CSV_FORMAT_LABELS[f]}
                    {f === preview.detected && f !== 'generic' ? ' (detected)' : ''}
                  </option>
                ))}
              </select>
              <span className="options-hint">
                {preview.file.name}: {preview.header.length} columns, {fileSize(preview.file.size)}.
              </span>
            </div>
            {format === 'generic' || !preview.detectedMapping || format !== preview.detected ? (
              <fieldset className="options-group">
                <legend>Columns</legend>
                <div className="options-grid options-grid-3">
                  {MAPPABLE_FIELDS.map((field) => (
                    <div className="field" key={field.key}>
                      <label htmlFor={`${fileId}-${field.key}`}>
                        {field.label}
                        {field.required ? null : <span className="label-note"> (optional)</span>}
                      </label>
                      <select
                        id={`${fileId}-${field.key}`}
                        value={draft[field.key] ?? ''}
                        disabled={importing}
                        aria-invalid={
                          field.required && draft[field.key] === undefined ? true : undefined
                        }
                        onChange={(e) =>
                          setDraft({
                            ...draft,
                            [field.key]: e.target.value === '' ? undefined : Number(e.target.value),
                          })
                        }
                      >
                        <option value="">{field.required ? 'Choose a column…' : '(none)'}</option>
                        {preview.header.map((name, i) => (
                          <option key={i} value={i}>
                            {name || `Column ${i + 1}`}
                            {preview.sample[0]?.[i]
                              ? ` — e.g. ${preview.sample[0][i]!.slice(0, 30)}`
                              : ''}
                          </option>
                        ))}
                      </select>
                    </div>
                  ))}
                </div>
                <p className="options-hint">
                  Without a status column every row counts as a missed call. Dates without a time
                  zone are read in the firm’s time zone.
                </p>
              </fieldset>
            ) : null}
            <div className="input-row options-actions">
              <button
                type="button"
                className="primary"
                disabled={importing || !mapping.success}
                onClick={() => void start()}
              >
                Import
              </button>
              {importing ? (
                <button type="button" onClick={() => abort.current?.abort()}>
                  Cancel
                </button>
              ) : null}
              {!mapping.success ? (
                <span className="field-error">Choose the caller number and date columns.</span>
              ) : null}
            </div>
          </div>
        ) : null}

        {progress ? (
          <div className="csv-progress">
            <progress aria-label="Import progress" max={1} value={progress.fraction} />
            <span role="status">{progressText(progress)}</span>
          </div>
        ) : null}

        {error ? (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        ) : null}

        {report ? (
          <ImportReportView report={report} onDownload={downloadErrors} onAnother={reset} />
        ) : null}
      </div>
    </section>
  );
}

function ImportReportView({
  report,
  onDownload,
  onAnother,
}: {
  report: ImportReport;
  onDownload: () => void;
  onAnother: () => void;
}) {
  const n = (x: number) => x.toLocaleString();
  return (
    <div className="csv-report" aria-label="Import report">
      <p className="options-status-ok" data-testid="csv-summary">
        {n(report.rows)} rows read in {(report.durationMs / 1000).toFixed(1)} s: {n(report.added)}{' '}
        missed call(s) added, {n(report.duplicates)} already known.
      </p>
      <ul className="csv-report-counts">
        <li>{n(report.answeredClosed)} lead(s) closed: the caller got through later</li>
        <li>{n(report.answeredIgnored)} answered call(s) with no open lead (not stored)</li>
        {report.alreadyAnswered ? (
          <li>
            {n(report.alreadyAnswered)} missed call(s) not queued: the caller got through on an
            answered call, or was called back after it, and the lead is closed
          </li>
        ) : null}
        {report.history ? (
          <li>
            {n(report.history)} missed call(s) older than {MAX_CALL_AGE_DAYS} days kept as history
            (not queued)
          </li>
        ) : null}
        <li>{n(report.skippedOutbound)} outgoing call(s) skipped</li>
        {report.skippedOther ? (
          <li>{n(report.skippedOther)} row(s) that are not finished calls skipped</li>
        ) : null}
        <li>{n(report.errors.length)} row(s) with errors</li>
      </ul>
      {report.notes.length > 0 ? (
        <details className="csv-notes">
          <summary>{n(report.notes.length)} row(s) imported with a change</summary>
          <ol aria-label="Rows imported with a change">
            {report.notes.slice(0, SHOWN_ERRORS).map((e, i) => (
              <li key={i}>
                Line {e.line}: {e.reason}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {report.errors.length > 0 ? (
        <>
          <ol className="csv-errors" aria-label="Rows with errors">
            {report.errors.slice(0, SHOWN_ERRORS).map((e, i) => (
              <li key={i}>
                Line {e.line}: {e.reason}
              </li>
            ))}
          </ol>
          {report.errors.length > SHOWN_ERRORS ? (
            <p className="options-hint">
              First {SHOWN_ERRORS} of {n(report.errors.length)} shown; the download has them all.
            </p>
          ) : null}
        </>
      ) : null}
      <div className="input-row options-actions">
        {report.errors.length > 0 ? (
          <button type="button" onClick={onDownload}>
            Download error report (CSV)
          </button>
        ) : null}
        <button type="button" onClick={onAnother}>
          Import another file
        </button>
      </div>
    </div>
  );
}
