/**
 * Lesson 2's conditioning sweep: the default W_K with row 4 slid toward row 2 in quarter decades,
 * and the chart of V's float32 reconstruction error against cond(W_K).
 */
import * as Plot from '@observablehq/plot';
import { contextChart, seriesLines } from '../../components/charts/marks';
import { formatNumber } from '../../components/format';
import { DEFAULT_WEIGHTS } from '../common/toyData';
import { conditioningSweep, type ConditioningPoint } from '../common/inversion';

/** The conditioning slider moves log10 ε in quarter decades from 1 down to 1e-9. */
export const EPS_STEPS = Array.from({ length: 37 }, (_, i) => -i / 4);
/** float32 unit roundoff 2^-24: the relative error of storing one value in float32. */
const FLOAT32_UNIT = 2 ** -24;

/** The powers of ten inside the values' range (log-axis ticks that are never clipped). */
function decades(values: readonly number[]): number[] {
  const lo = Math.ceil(Math.log10(Math.min(...values)));
  const hi = Math.floor(Math.log10(Math.max(...values)));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

/** A power of ten as an axis label: 1e8 → "1e8", 100 → "100" (a condition number has no unit). */
function decadeLabel(v: number): string {
  return v >= 1e4 ? `1e${Math.round(Math.log10(v))}` : formatNumber(v);
}

const MEASURED = 'V rebuilt from a float32 K-cache';
const REFERENCE = 'cond × float32 rounding unit';

/**
 * The conditioning chart, from the shared chart helpers (components/charts/marks.ts): log-log,
 * the measured error as a series line with a tip, float32's bound dashed, the slider's point.
 */
export function conditioningChart(
  sweep: readonly ConditioningPoint[],
  index: number,
): Plot.PlotOptions {
  // Zero error cannot sit on a log axis; draw it at 1e-9, below anything float32 resolves.
  const measured = sweep.map((p) => ({
    cond: p.cond,
    err: Math.max(p.float32Error, 1e-9),
    label: MEASURED,
  }));
  const reference = sweep.map((p) => ({ cond: p.cond, err: Math.min(1, p.cond * FLOAT32_UNIT) }));
  const chart = contextChart({
    height: 260,
    xLabel: 'cond(W_K) →',
    y: {
      type: 'log',
      label: '↑ relative error of V',
      tickFormat: (v: number) => formatNumber(v, 1),
    },
    yUnit: 'ratio',
    color: {
      legend: true,
      domain: [MEASURED, REFERENCE],
      range: ['var(--accent)', 'var(--muted)'],
    },
  });
  return {
    ...chart,
    marginRight: 24,
    // One tick and grid line per decade (Plot's default log ticks draw every minor step).
    x: {
      ...chart.x,
      grid: true,
      ticks: decades(sweep.map((p) => p.cond)),
      tickFormat: decadeLabel,
    },
    marks: [
      Plot.line(reference, {
        x: 'cond',
        y: 'err',
        stroke: () => REFERENCE,
        strokeDasharray: '4 4',
      }),
      ...seriesLines(measured, {
        x: 'cond',
        y: 'err',
        tip: (d) =>
          `${d.label}: relative error ${formatNumber(d.err, 3)} at cond(W_K) = ${formatNumber(d.cond, 3)}.`,
      }),
      Plot.dot([measured[index]], { x: 'cond', y: 'err', r: 6, fill: 'var(--accent-2)' }),
    ],
  };
}

let sweepCache: ConditioningPoint[] | undefined;
/**
 * The conditioning sweep of the default W_K (37 float32 reconstructions): computed once per page
 * load, on first use, so neither cell edits nor revisits pay for it again.
 */
export function defaultSweep(): ConditioningPoint[] {
  return (sweepCache ??= conditioningSweep(
    DEFAULT_WEIGHTS.wK,
    DEFAULT_WEIGHTS.wV,
    EPS_STEPS.map((e) => 10 ** e),
  ));
}
