import type { DashboardFigures } from './figuresProtocol';

/**
 * The last figures computed for each dashboard view, kept in the extension's localStorage
 * (same origin as its database; no caller names or numbers are in them), so reopening a view
 * shows them at once — marked with their time and "updating" — while the worker computes
 * the current ones. A handful of views are kept, the most recent first.
 */
const STORAGE_KEY = 'dashboard:lastFigures';
const KEPT_VIEWS = 6;
/** Older figures are not shown while updating: too likely to mislead. */
const MAX_AGE_MS = 7 * 86_400_000;

interface Entry {
  view: string;
  figures: DashboardFigures;
}

function readAll(): Entry[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Entry[]) : [];
  } catch {
    return [];
  }
}

export function cachedFigures(view: string, now: number): DashboardFigures | null {
  const entry = readAll().find((e) => e.view === view);
  if (!entry || typeof entry.figures?.computedAt !== 'number') return null;
  return now - entry.figures.computedAt <= MAX_AGE_MS ? entry.figures : null;
}

export function saveFigures(view: string, figures: DashboardFigures): void {
  const entries = [{ view, figures }, ...readAll().filter((e) => e.view !== view)].slice(
    0,
    KEPT_VIEWS,
  );
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(entries));
  } catch {
    // Storage full or refused: the figures are just not kept for next time.
    localStorage.removeItem(STORAGE_KEY);
  }
}
