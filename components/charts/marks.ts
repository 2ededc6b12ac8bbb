import * as Plot from '@observablehq/plot';
import { units } from '../../roofline';
import { formatBytes, formatCount, formatEnUs } from '../format';

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

/**
 * What an axis measures, so its ticks print in that unit: 'bytes' → "200 MB", "10 TB" (never
 * "0.2" on a GB axis or "10G GB"); 'ops-per-second' → "100 GOPS", "2 POPS"; 'count' (tokens, OPs
 * per byte, batches, condition numbers) → "0.5", "10,000", "10⁹" (never "1G"); 'ratio' → "1.5×".
 */
export type TickUnit = 'bytes' | 'ops-per-second' | 'count' | 'ratio';

const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

function superscript(n: number): string {
  const digits = String(Math.abs(n))
    .split('')
    .map((c) => SUPERSCRIPTS[Number(c)])
    .join('');
  return n < 0 ? `⁻${digits}` : digits;
}

/** A plain number for a tick: 0.25, 10,000, 10⁹, 2.5·10⁻⁴ (three significant digits at most). */
function plainTick(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e-3 && a < 1e6) return formatEnUs(Number(v.toPrecision(3)));
  let e = Math.floor(Math.log10(a));
  let m = Number((v / 10 ** e).toPrecision(3));
  if (Math.abs(m) >= 10) [m, e] = [m / 10, e + 1];
  const sign = m < 0 ? '−' : '';
  const mantissa = Math.abs(m) === 1 ? '' : `${Math.abs(m)}·`;
  return `${sign}${mantissa}10${superscript(e)}`;
}

/** Prints one tick value in `unit`; non-finite values print nothing (see TickUnit). */
export function formatTick(value: number, unit: TickUnit): string {
  if (!Number.isFinite(value)) return '';
  switch (unit) {
    case 'bytes':
      return formatBytes(value);
    case 'ops-per-second': {
      const s = units.siScale(value);
      return `${Number(s.value.toPrecision(3))} ${s.prefix}OPS`;
    }
    case 'ratio':
      return `${plainTick(value)}×`;
    case 'count':
      return plainTick(value);
  }
}

/**
 * Tick format for an axis in `unit`. On a log axis Plot still thins the labels (only 1, 2, 5 …
 * of each decade where they would crowd), so the function can be used on any scale.
 */
export function tickFormat(unit: TickUnit): (value: number) => string {
  return (value) => formatTick(value, unit);
}

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
  /** The unit of the y ticks (see TickUnit); x ticks are token counts. */
  yUnit: TickUnit;
  color?: Plot.ScaleOptions;
  title?: string;
  marginLeft?: number;
  marginTop?: number;
}

/** Options of a chart over context length: themed, log x axis, y grid. Add `marks`. */
export function contextChart(options: ContextChartOptions): Plot.PlotOptions {
  const { height, xLabel = 'context length n (tokens) →', y, yUnit, color, title } = options;
  return defined({
    style: plotStyle,
    height,
    marginLeft: options.marginLeft ?? 56,
    marginTop: options.marginTop,
    title,
    x: { type: 'log', label: xLabel, tickFormat: tickFormat('count') } as Plot.ScaleOptions,
    y: { grid: true, tickFormat: tickFormat(yUnit), ...y },
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
  /** The tip of a point, one sentence ("standard KV-cache: 12.3 GB at 4,096 tokens."). */
  tip: (d: T) => string;
}

/**
 * Tip options shared by the charts: text wraps at `lineWidth` ems instead of running off the
 * chart, and Plot's pointer follows touch as well as the mouse, so a tap shows the tip. 14 ems
 * (about 170 px) keeps a tip inside a 390 px phone's chart wherever the point is: Plot puts it on
 * the side that fits, or centred on the point when neither side does.
 */
export const tipOptions = { lineWidth: 14 } as const;

/** One line per series over context length, with a tip that says the point in a sentence. */
export function seriesLines<T>(data: readonly T[], options: SeriesLinesOptions<T>): Plot.Markish[] {
  const { x = 'contextLength', y, stroke = 'label', strokeWidth = 2, curve, tip } = options;
  return [
    Plot.line(
      data as T[],
      defined({
        x,
        y,
        stroke,
        // One series per stroke value, said explicitly: Plot infers z from the stroke and warns
        // ("implicit z channel has high cardinality") while a series has only a point or two.
        z: stroke,
        strokeWidth: strokeWidth as Plot.ChannelValue,
        curve,
        title: tip as (d: unknown) => string,
        tip: tipOptions,
      }),
    ),
  ];
}

/** "4,096 tokens" (the x of a context chart, in a tip sentence). */
export function tokens(n: number): string {
  return `${formatCount(n)} token${n === 1 ? '' : 's'}`;
}

/**
 * Series colours, the same in every chart of the app (standard KV-cache red, slim blue wherever
 * they are drawn: explorer, lessons, Playground) and at least 3:1 against both themes'
 * backgrounds (white and #0f172a).
 */
export const seriesColors = {
  weights: '#8c8c8c',
  kv: '#e45756',
  slim: '#4c78a8',
  'x-cache': '#54a24b',
  'e-cache': '#b279a2',
  'v-first': '#f58518',
  'k-first': '#4c78a8',
  capacity: '#c2410c',
} as const;
