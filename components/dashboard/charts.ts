import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import {
  WEEKDAY_LABELS,
  type ContactPeriodRow,
  type HeatCell,
  type MissedDayRow,
  type SourceRow,
  type StaffRow,
  type TimeToCallbackFigure,
} from '@/utils/metrics/types';
import { formatMinutes, formatRate } from './format';

/**
 * Chart specifications for Observable Plot, built from the engine's figures (already
 * aggregated: a chart draws at most a few hundred marks whatever the number of calls).
 * Colours are literal (SVG attributes do not read CSS variables).
 */
const BLUE = '#2f5bea';
const RED = '#c8261c';
const GREEN = '#127a43';
const AMBER = '#a65f00';
const MUTED = '#667085';
const WIDTH = 640;

/** A firm-local day ('YYYY-MM-DD') as a UTC date, so axis labels read that calendar day. */
export function dayDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export const CALLBACK_MARKS = [
  { minutes: 5, label: '5 min' },
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 h' },
];

export function timeToCallbackChart(figure: TimeToCallbackFigure): PlotOptions {
  const bins = figure.histogram;
  const lastEnd = bins.reduce((m, b) => Math.max(m, b.toMinutes ?? b.fromMinutes * 2), 1);
  return {
    width: WIDTH,
    height: 260,
    marginBottom: 40,
    x: {
      type: 'symlog',
      label: 'Minutes from first missed call to callback →',
      domain: [0, lastEnd],
      ticks: [0, 1, 5, 15, 60, 240, 1440].filter((t) => t <= lastEnd),
      tickFormat: (m: number) => (m === 0 ? '0' : m < 60 ? `${m} min` : `${Math.round(m / 60)} h`),
    },
    y: { label: '↑ Leads called back', grid: true },
    marks: [
      Plot.rectY(bins, {
        x1: 'fromMinutes',
        x2: (b: (typeof bins)[number]) => b.toMinutes ?? lastEnd,
        y: 'leads',
        fill: BLUE,
        insetLeft: 1,
        title: (b: (typeof bins)[number]) => `${b.label}: ${b.leads} leads`,
      }),
      Plot.ruleX(CALLBACK_MARKS, { x: 'minutes', stroke: RED, strokeDasharray: '4 3' }),
      Plot.text(CALLBACK_MARKS, {
        x: 'minutes',
        text: 'label',
        frameAnchor: 'top',
        dx: 4,
        textAnchor: 'start',
        fill: RED,
      }),
      Plot.ruleY([0]),
    ],
  };
}

export function contactRateChart(
  rows: readonly ContactPeriodRow[],
  goodAtLeast: number,
  needsWorkBelow: number,
  period: 'day' | 'week',
): PlotOptions {
  const points = rows.filter((r) => r.rate !== null);
  const thresholds = [
    { rate: goodAtLeast * 100, label: `good ≥ ${formatRate(goodAtLeast)}`, color: GREEN },
    { rate: needsWorkBelow * 100, label: `needs work < ${formatRate(needsWorkBelow)}`, color: RED },
  ];
  const statusColor = (r: ContactPeriodRow) =>
    r.status === 'good' ? GREEN : r.status === 'needs-work' ? RED : AMBER;
  return {
    width: WIDTH,
    height: 260,
    x: {
      type: 'utc',
      label: period === 'day' ? 'Day of first missed call' : 'Week of first missed call',
    },
    y: { label: '↑ Contact rate (%)', domain: [0, 100], grid: true },
    // The marks carry literal colours (status, thresholds).
    color: { type: 'identity' },
    marks: [
      Plot.ruleY(thresholds, { y: 'rate', stroke: 'color', strokeDasharray: '4 3' }),
      Plot.text(thresholds, {
        y: 'rate',
        text: 'label',
        frameAnchor: 'right',
        dy: -6,
        fill: 'color',
      }),
      Plot.line(points, {
        x: (r: ContactPeriodRow) => dayDate(r.period),
        y: (r: ContactPeriodRow) => (r.rate ?? 0) * 100,
        stroke: MUTED,
      }),
      Plot.dot(points, {
        x: (r: ContactPeriodRow) => dayDate(r.period),
        y: (r: ContactPeriodRow) => (r.rate ?? 0) * 100,
        fill: statusColor,
        r: 4,
        title: (r: ContactPeriodRow) =>
          `${r.period}: ${formatRate(r.rate)} (${r.reached} of ${r.attempted} reached)`,
      }),
    ],
  };
}

export function missedPerDayChart(rows: readonly MissedDayRow[]): PlotOptions {
  const spikes = rows.filter((r) => r.spike);
  return {
    width: WIDTH,
    height: 260,
    x: { type: 'band', label: null, tickFormat: (d: string) => d.slice(5) },
    y: { label: '↑ Missed calls', grid: true },
    color: { domain: ['normal', 'spike'], range: [BLUE, RED], legend: spikes.length > 0 },
    marks: [
      Plot.barY(rows, {
        x: 'day',
        y: 'missed',
        fill: (r: MissedDayRow) => (r.spike ? 'spike' : 'normal'),
        title: (r: MissedDayRow) =>
          `${r.day}: ${r.missed} missed${r.spike ? ' (spike)' : ''}${
            r.missedRate !== null ? `, ${formatRate(r.missedRate)} of inbound` : ''
          }`,
      }),
      Plot.text(spikes, { x: 'day', y: 'missed', text: () => 'spike', dy: -8, fill: RED }),
      Plot.ruleY([0]),
    ],
  };
}

export function missedRateChart(rows: readonly MissedDayRow[]): PlotOptions {
  const known = rows.filter((r) => r.missedRate !== null);
  return {
    width: WIDTH,
    height: 200,
    x: { type: 'band', label: null, tickFormat: (d: string) => d.slice(5) },
    y: { label: '↑ Missed of inbound (%)', domain: [0, 100], grid: true },
    marks: [
      Plot.barY(known, {
        x: 'day',
        y: (r: MissedDayRow) => (r.missedRate ?? 0) * 100,
        fill: AMBER,
        title: (r: MissedDayRow) =>
          `${r.day}: ${formatRate(r.missedRate)} (${r.missed} missed, ${r.answered ?? 0} answered)`,
      }),
      Plot.ruleY([0]),
    ],
  };
}

export function heatMapChart(cells: readonly HeatCell[], timeZone: string): PlotOptions {
  return {
    width: WIDTH + 120,
    height: 260,
    padding: 0.05,
    x: { type: 'band', label: `Hour of day (${timeZone}) →`, domain: range(24) },
    y: { type: 'band', label: null, domain: [...WEEKDAY_LABELS] },
    color: { type: 'linear', scheme: 'blues', legend: true, label: 'Missed calls' },
    marks: [
      Plot.cell(cells, {
        x: 'hour',
        y: (c: HeatCell) => WEEKDAY_LABELS[c.weekday],
        fill: 'missed',
        title: (c: HeatCell) => `${WEEKDAY_LABELS[c.weekday]} ${c.hour}:00: ${c.missed} missed`,
      }),
      Plot.text(
        cells.filter((c) => c.missed > 0),
        {
          x: 'hour',
          y: (c: HeatCell) => WEEKDAY_LABELS[c.weekday],
          text: 'missed',
          fill: 'black',
          fontSize: 9,
        },
      ),
    ],
  };
}

export function staffChart(rows: readonly StaffRow[], limitMinutes: number): PlotOptions {
  const withMedian = rows.filter((r) => r.medianMinutes !== null);
  return {
    width: WIDTH,
    height: Math.max(120, 40 + rows.length * 28),
    marginLeft: 130,
    x: { label: 'Median time to callback (min) →', grid: true },
    color: { type: 'identity' },
    y: { label: null, domain: rows.map((r) => r.name) },
    marks: [
      Plot.barX(withMedian, {
        y: 'name',
        x: 'medianMinutes',
        fill: (r: StaffRow) => ((r.medianBusinessMinutes ?? 0) > limitMinutes ? RED : BLUE),
        title: (r: StaffRow) =>
          `${r.name}: median ${formatMinutes(r.medianMinutes)}, ${r.leads} leads, ${r.pastLimit} past the limit`,
      }),
      Plot.ruleX([limitMinutes], { stroke: RED, strokeDasharray: '4 3' }),
      Plot.ruleX([0]),
    ],
  };
}

export function sourcesChart(rows: readonly SourceRow[]): PlotOptions {
  const name = (r: SourceRow) => r.source || 'No source';
  return {
    width: WIDTH,
    height: Math.max(120, 40 + rows.length * 28),
    marginLeft: 150,
    x: { label: 'Missed calls →', grid: true },
    y: { label: null, domain: rows.map(name) },
    color: {
      domain: ['good', 'watch', 'needs work', 'no attempts'],
      range: [GREEN, AMBER, RED, MUTED],
      legend: true,
      label: 'Contact rate',
    },
    marks: [
      Plot.barX(rows, {
        y: name,
        x: 'missedCalls',
        fill: (r: SourceRow) =>
          r.contactStatus === 'good'
            ? 'good'
            : r.contactStatus === 'needs-work'
              ? 'needs work'
              : r.contactStatus === 'ok'
                ? 'watch'
                : 'no attempts',
        title: (r: SourceRow) =>
          `${name(r)}: ${r.missedCalls} missed, contact rate ${formatRate(r.contactRate)}, median ${formatMinutes(r.medianMinutes)}`,
      }),
      Plot.ruleX([0]),
    ],
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
