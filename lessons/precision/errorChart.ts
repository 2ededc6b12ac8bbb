import * as Plot from '@observablehq/plot';
import { roundingErrorEstimate, type StorageFormat } from '../../engine';
import { contextChart, seriesColors, seriesLines } from '../../components/charts/marks';
import { fmt } from './common';
import type { ToyPrecision } from './toy';

const F32 = 'float32, measured';
const F16 = 'float16, measured';
const F32_RULE = 'cond × u, float32';
const F16_RULE = 'cond × u, float16';
const FLOOR = 1e-9;
const CEILING = 10;

/** Powers of ten from lo to hi (one tick per decade). */
const decades = (lo: number, hi: number) =>
  Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));

/** One legend entry: a line sample in the series' colour, solid (measured) or dashed (rule). */
export interface LegendEntry {
  label: string;
  color: string;
  dashed: boolean;
}

/** Dash pattern of the rule-of-thumb lines, in the chart and in its legend. */
export const RULE_DASH = '4 4';

/** The chart's legend: measured lines solid, the rule of thumb dashed, float16 once revealed. */
export function errorLegend(withF16: boolean): LegendEntry[] {
  const f32 = seriesColors.slim;
  const f16 = seriesColors['v-first'];
  return [
    { label: F32, color: f32, dashed: false },
    ...(withF16 ? [{ label: F16, color: f16, dashed: false }] : []),
    { label: F32_RULE, color: f32, dashed: true },
    ...(withF16 ? [{ label: F16_RULE, color: f16, dashed: true }] : []),
  ];
}

/**
 * Error against cond(W_K), log-log: the measured float32 (and, once revealed, float16) error of
 * V rebuilt from K, the rule of thumb cond × u dashed, the slider's W_K as dots.
 */
export function errorChart(sweep: readonly ToyPrecision[], index: number, withF16: boolean) {
  type Point = { cond: number; err: number; label: string };
  const measured = (f: 'f32KtoV' | 'f16KtoV', label: string): Point[] =>
    sweep
      .filter((p) => Number.isFinite(p.row[f]))
      .map((p) => ({ cond: p.row.condK, err: Math.max(p.row[f], FLOOR), label }));
  const rule = (format: StorageFormat, label: string): Point[] =>
    sweep.map((p) => ({
      cond: p.row.condK,
      err: Math.min(roundingErrorEstimate(p.row.condK, format), CEILING),
      label,
    }));
  const f32 = measured('f32KtoV', F32);
  const f16 = withF16 ? measured('f16KtoV', F16) : [];
  const here = sweep[index].row;
  const dots = [
    { cond: here.condK, err: Math.max(here.f32KtoV, FLOOR), label: F32 },
    ...(withF16 && Number.isFinite(here.f16KtoV)
      ? [{ cond: here.condK, err: Math.max(here.f16KtoV, FLOOR), label: F16 }]
      : []),
  ];
  // Plot's own legend draws colour swatches only, alike for a solid and a dashed line of one
  // colour: the lesson draws errorLegend's line samples instead.
  const legend = errorLegend(withF16);
  const domain = legend.map((e) => e.label);
  const range = legend.map((e) => e.color);
  const chart = contextChart({
    height: 280,
    xLabel: 'cond(W_K) →',
    y: { type: 'log', label: '↑ relative error of V', domain: [FLOOR, CEILING] },
    yUnit: 'count',
    color: { legend: false, domain, range },
  });
  const tip = (d: Point) =>
    `${d.label}: relative error ${fmt(d.err)} at cond(W_K) = ${fmt(d.cond)}.`;
  return {
    ...chart,
    marginRight: 24,
    // A tick every second decade: five labels fit a phone's width.
    x: { ...chart.x, grid: true, ticks: decades(0, 8).filter((_, i) => i % 2 === 0) },
    y: { ...chart.y, ticks: decades(-9, 1) },
    marks: [
      ...[rule('float32', F32_RULE), ...(withF16 ? [rule('float16', F16_RULE)] : [])].map((r) =>
        Plot.line(r, { x: 'cond', y: 'err', stroke: 'label', strokeDasharray: RULE_DASH }),
      ),
      ...seriesLines([...f32, ...f16], { x: 'cond', y: 'err', tip }),
      Plot.dot(dots, { x: 'cond', y: 'err', r: 5, fill: 'label', stroke: 'currentColor' }),
    ],
  };
}
