import { useEffect, useMemo, useState } from 'react';
import { browser } from '#imports';
import type { MetricsFilters, MetricsSettings } from '@/utils/metrics/types';
import { getMetricsSettings } from '@/utils/metrics/settings';
import { useFirmSettings } from '../hooks';
import { FilterBar, type FilterChoices } from './FilterBar';
import { Figures } from './Figures';
import { WeeklyReview } from './WeeklyReview';
import { useDashboardQuery } from './useDashboardQuery';
import { useFiguresWorker, useMetrics } from './useMetrics';
import { formatQuery, isoDayOf, resolveRange, type DashboardQuery } from './urlState';

/** The metrics settings (firm calendar + metrics preferences), re-read when either changes. */
function useMetricsSettings(): MetricsSettings | null {
  const firm = useFirmSettings();
  const [settings, setSettings] = useState<MetricsSettings | null>(null);
  useEffect(() => {
    if (!firm) return;
    let active = true;
    void getMetricsSettings().then((next) => {
      if (active) setSettings(next);
    });
    return () => {
      active = false;
    };
  }, [firm]);
  return settings;
}

export function filtersOf(query: DashboardQuery, start: number, end: number): MetricsFilters {
  return {
    from: start,
    to: end,
    ...(query.source ? { source: [query.source] } : {}),
    ...(query.practiceArea ? { practiceArea: [query.practiceArea] } : {}),
    ...(query.staff ? { staffId: [query.staff] } : {}),
    ...(query.capturePath ? { capturePath: [query.capturePath] } : {}),
  };
}

/**
 * The office manager's page: one date range and filter bar (kept in the URL) drives every
 * figure, computed in a worker from the extension's own database. `?view=weekly` is the
 * printable weekly review.
 */
export function DashboardApp() {
  const [query, setQuery] = useDashboardQuery();
  const firm = useFirmSettings();
  const settings = useMetricsSettings();
  // Figures are computed as of when the view was chosen (or Refresh was clicked).
  const [now, setNow] = useState(() => Date.now());
  const timeZone = settings?.firm.timeZone ?? firm?.timeZone ?? 'UTC';
  const range = useMemo(() => resolveRange(query, now, timeZone), [query, now, timeZone]);
  const filters = useMemo(
    () => (settings ? filtersOf(query, range.start, range.end) : null),
    [query, range, settings],
  );
  const weekly = query.view === 'weekly';
  const worker = useFiguresWorker();
  const metrics = useMetrics(worker, weekly ? null : filters, settings, now, formatQuery(query));

  const choices = useMemo<FilterChoices>(() => {
    const sources = new Set(firm?.sources ?? []);
    for (const rule of firm?.sourceRules ?? []) sources.add(rule.source);
    for (const row of metrics.result?.sources ?? []) if (row.source) sources.add(row.source);
    const areas = new Set(firm?.practiceAreas ?? []);
    for (const area of metrics.result?.practiceAreas ?? []) areas.add(area);
    return {
      sources: [...sources].sort((a, b) => a.localeCompare(b)),
      practiceAreas: [...areas].sort((a, b) => a.localeCompare(b)),
      staff: firm?.staff ?? [],
    };
  }, [firm, metrics.result]);

  useEffect(() => {
    document.title = weekly ? 'Weekly review — Callback Desk' : 'Dashboard — Callback Desk';
  }, [weekly]);

  const change = (next: DashboardQuery) => {
    // A new range is read as of now; a filter on the same range reuses the worker's read.
    if (next.preset !== query.preset || next.from !== query.from || next.to !== query.to)
      setNow(Date.now());
    setQuery(next);
  };
  const link = (view: DashboardQuery['view']) =>
    `?${new URLSearchParams({ ...(view === 'weekly' ? { view } : {}), range: query.preset }).toString()}`;
  const fileStem = `${isoDayOf(range.start, timeZone)}_${isoDayOf(range.end - 1, timeZone)}`;

  return (
    <main className="dashboard">
      <header className="dashboard-header">
        <div>
          <h1>{weekly ? 'Weekly review' : 'Dashboard'}</h1>
          <p className="muted">{firm?.firmName?.trim() || 'Callback Desk'}</p>
        </div>
        <nav className="dashboard-nav" aria-label="Dashboard pages">
          <a
            href={link('dashboard')}
            aria-current={weekly ? undefined : 'page'}
            onClick={(e) => {
              e.preventDefault();
              change({ ...query, view: 'dashboard' });
            }}
          >
            Figures
          </a>
          <a
            href={link('weekly')}
            aria-current={weekly ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              change({ ...query, view: 'weekly' });
            }}
          >
            Weekly review
          </a>
          <button
            type="button"
            className="link-button"
            onClick={() => void browser.runtime.openOptionsPage()}
          >
            Settings
          </button>
        </nav>
      </header>
      {weekly ? (
        settings ? (
          <WeeklyReview settings={settings} now={now} worker={worker} />
        ) : (
          <p className="metrics-loading muted" aria-busy="true">
            Loading…
          </p>
        )
      ) : (
        <>
          <FilterBar
            query={query}
            onChange={change}
            choices={choices}
            rangeLabel={range.label}
            now={now}
            timeZone={timeZone}
          />
          <div className="dashboard-status" aria-live="polite">
            {metrics.error ? (
              <p className="notice notice-error" role="alert">
                {metrics.error}
              </p>
            ) : metrics.busy ? (
              <p className="muted" aria-busy="true">
                {metrics.saved && metrics.result
                  ? `Showing the figures of ${new Intl.DateTimeFormat(undefined, {
                      timeZone,
                      weekday: 'short',
                      hour: 'numeric',
                      minute: '2-digit',
                    }).format(metrics.result.computedAt)}; updating them to now…`
                  : metrics.result
                    ? 'Updating the figures…'
                    : 'Computing the figures…'}
              </p>
            ) : metrics.result ? (
              <p className="muted">
                Figures as of{' '}
                {new Intl.DateTimeFormat(undefined, {
                  timeZone,
                  hour: 'numeric',
                  minute: '2-digit',
                }).format(metrics.result.computedAt)}{' '}
                ({timeZone}).{' '}
                <button type="button" className="link-button" onClick={() => setNow(Date.now())}>
                  Refresh
                </button>
              </p>
            ) : null}
          </div>
          {metrics.result && settings && (
            <div
              aria-busy={metrics.busy}
              className="dashboard-figures"
              data-computed-at={metrics.result.computedAt}
              data-saved={metrics.saved || undefined}
              data-load-ms={metrics.timing?.loadMs}
              data-compute-ms={metrics.timing?.computeMs}
            >
              <Figures
                result={metrics.result}
                settings={settings}
                fileStem={fileStem}
                worker={worker}
              />
            </div>
          )}
        </>
      )}
    </main>
  );
}
