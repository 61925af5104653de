import { useId, type ReactNode } from 'react';
import type { PlotOptions } from '@observablehq/plot';
import { FIGURE_HELP, type FigureId } from '@/utils/metrics/types';
import { PlotFigure } from './PlotFigure';

/** A figure's definition, exactly as computed, one click away. */
export function FigureHelp({
  id,
  label = 'How this is counted',
}: {
  id: FigureId;
  label?: string;
}) {
  return (
    <details className="figure-help">
      <summary>{label}</summary>
      <p>{FIGURE_HELP[id].text}</p>
    </details>
  );
}

/**
 * One figure: its title, its definition, the chart and, beside it, the table with the same
 * numbers (and their CSV export). `wide` puts the table under the chart (heat map).
 */
export function FigureSection({
  id,
  help = [id],
  title = FIGURE_HELP[id].title,
  summary,
  chart,
  table,
  wide = false,
}: {
  id: FigureId;
  help?: FigureId[];
  title?: string;
  summary?: ReactNode;
  /** The chart and its caption (also its accessible name). */
  chart?: { options: PlotOptions; caption: string } | null;
  table: ReactNode;
  wide?: boolean;
}) {
  const headingId = useId();
  return (
    <section className="dashboard-figure" aria-labelledby={headingId} data-figure={id}>
      <h2 id={headingId}>{title}</h2>
      {help.map((helpId) => (
        <FigureHelp
          key={helpId}
          id={helpId}
          label={help.length > 1 ? `How “${FIGURE_HELP[helpId].title}” is counted` : undefined}
        />
      ))}
      {summary}
      <div
        className="dashboard-figure-body"
        style={wide ? { gridTemplateColumns: '1fr' } : undefined}
      >
        {chart && (
          <figure className="figure-chart">
            <PlotFigure options={chart.options} label={chart.caption} />
            <figcaption className="muted">{chart.caption}</figcaption>
          </figure>
        )}
        {table}
      </div>
    </section>
  );
}
