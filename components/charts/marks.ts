import * as Plot from '@observablehq/plot';
import { formatCount } from '../format';

/**
 * Chart helpers in Observable Plot's own style: each returns options or an array of marks, so a
 * chart is `{...contextChart({...}), marks: [...labelledRule(...), ...seriesLines(...)]}` rather
 * than the same 40 lines of options rebuilt per chart.
 */

/** Plot styling that follows the page theme (text in the current colour, no background). */
export const plotStyle = {
  background: 'transparent',
  color: 'currentColor',
  fontSize: '12px',
  overflow: 'visible',
} as const;

/** `options` without the keys whose value is undefined (so Plot's own defaults apply). */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}

export interface ContextChartOptions {
  height: number;
  /** Label of the log x axis (context length). */
  xLabel?: string;
  /** The y scale (label, type, domain …); grid lines are on unless it says otherwise. */
  y: Plot.ScaleOptions;
  color?: Plot.ScaleOptions;
  title?: string;
  marginLeft?: number;
  marginTop?: number;
}

/** Options of a chart over context length: themed, log x axis, y grid. Add `marks`. */
export function contextChart(options: ContextChartOptions): Plot.PlotOptions {
  const { height, xLabel = 'context length n (tokens) →', y, color, title } = options;
  return defined({
    style: plotStyle,
    height,
    marginLeft: options.marginLeft ?? 56,
    marginTop: options.marginTop,
    title,
    x: { type: 'log', label: xLabel } as Plot.ScaleOptions,
    y: { grid: true, ...y },
    color,
  });
}

export interface LabelledRuleOptions {
  /** Where the label starts (the left end of the x domain). */
  x: number;
  stroke?: string;
  strokeOpacity?: number;
}

/** A dashed horizontal rule at `y` (a capacity, a ridge, a target) with its label above it. */
export function labelledRule(
  y: number,
  label: string,
  options: LabelledRuleOptions,
): Plot.Markish[] {
  const { x, stroke, strokeOpacity } = options;
  return [
    Plot.ruleY(
      [y],
      defined({ stroke: stroke ?? 'currentColor', strokeOpacity, strokeDasharray: '6 4' }),
    ),
    Plot.text(
      [y],
      defined({
        x,
        y: (d: number) => d,
        text: () => label,
        textAnchor: 'start' as const,
        dy: -7,
        fill: stroke,
      }),
    ),
  ];
}

export interface SeriesLinesOptions<T> {
  x?: Plot.ChannelValueSpec;
  y: Plot.ChannelValueSpec;
  /** The series key (a legend entry per value); default the points' `label`. */
  stroke?: Plot.ChannelValue;
  strokeWidth?: number | ((d: T) => number);
  curve?: Plot.CurveName;
  /** How the tip prints a y value (x prints as a token count). */
  yFormat: (y: number) => string;
}

/** One line per series over context length, with a tip that names the point. */
export function seriesLines<T>(data: readonly T[], options: SeriesLinesOptions<T>): Plot.Markish[] {
  const { x = 'contextLength', y, stroke = 'label', strokeWidth = 2, curve, yFormat } = options;
  return [
    Plot.line(
      data as T[],
      defined({
        x,
        y,
        stroke,
        strokeWidth: strokeWidth as Plot.ChannelValue,
        curve,
        tip: { format: { x: (n: number) => formatCount(n), y: yFormat } },
      }),
    ),
  ];
}
