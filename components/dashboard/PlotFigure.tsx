import { useEffect, useRef } from 'react';
import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';

/**
 * One Observable Plot chart. Plot builds the SVG from the data with DOM calls (labels and
 * tooltips as text content), so nothing from the data is ever parsed as markup; the node is
 * attached as it is. The chart is labelled for assistive technology; its numbers are in the
 * table beside it.
 */
export function PlotFigure({ options, label }: { options: PlotOptions; label: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = Plot.plot({ ...options, ariaLabel: label });
    holder.current?.replaceChildren(chart);
    return () => chart.remove();
  }, [options, label]);
  return <div className="plot-holder" ref={holder} />;
}
