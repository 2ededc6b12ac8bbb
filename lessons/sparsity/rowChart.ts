import * as Plot from '@observablehq/plot';
import { plotStyle, seriesColors, tipOptions } from '../../components/charts/marks';
import { formatNumber } from '../../components/format';

/** One softmax row as bars, kept or skipped at `threshold`, with the threshold as a dashed line. */
export function rowChart(
  labels: string[],
  probs: Float64Array,
  threshold: number,
): Plot.PlotOptions {
  const data = labels.map((label, j) => ({
    label,
    p: probs[j],
    kept: probs[j] >= threshold ? 'kept' : 'skipped',
  }));
  const top = Math.max(threshold, ...probs);
  return {
    style: plotStyle,
    height: 40 + 15 * labels.length,
    marginLeft: 96,
    marginRight: 24,
    marginBottom: 44,
    x: {
      label: 'softmax weight s_j →',
      labelOffset: 38,
      domain: [0, top * 1.05],
      grid: true,
    },
    y: { label: null, domain: labels, tickSize: 0 },
    color: {
      domain: ['kept', 'skipped'],
      range: [seriesColors.slim, seriesColors.weights],
      legend: true,
    },
    marks: [
      Plot.barX(data, {
        y: 'label',
        x: 'p',
        fill: 'kept',
        title: (d: (typeof data)[number]) =>
          `Token ${d.label}: s = ${formatNumber(d.p, 3)}, ${d.kept} at τ = ${formatNumber(threshold, 3)}.`,
        tip: tipOptions,
      }),
      Plot.ruleX([threshold], { stroke: seriesColors.capacity, strokeDasharray: '6 4' }),
      Plot.text([threshold], {
        x: (t: number) => t,
        frameAnchor: 'top',
        dy: -6,
        text: () => `τ = ${formatNumber(threshold, 3)}`,
        fill: seriesColors.capacity,
        textAnchor: 'start',
      }),
    ],
  };
}
