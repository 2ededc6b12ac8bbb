import * as Plot from '@observablehq/plot';
import { applicability, compressionFactor, kvCacheWidth, models, type Model } from '../../roofline';
import { plotStyle, seriesColors, tickFormat, tipOptions } from '../../components/charts/marks';
import { formatNumber } from '../../components/format';

export interface CatalogRow {
  model: Model;
  c: number;
  dCache: number;
  applicable: boolean;
  factor: number;
}

/** Every catalog model with its c, d_cache and the explorer's verdict. */
export function catalogRows(): CatalogRow[] {
  return (
    models
      .map((model) => {
        const verdict = applicability(model);
        return {
          model,
          c: compressionFactor(model),
          dCache: kvCacheWidth(model),
          applicable: verdict.applicable,
          factor: verdict.factor,
        };
      })
      // Largest c first (the MHA models, c ≥ 2, lead); ties by name.
      .sort((a, b) => b.c - a.c || a.model.name.localeCompare(b.model.name))
  );
}

/** Dots of c per model on a log axis, c = 1 marked; blue where slim helps, red where not. */
export function catalogChart(rows: readonly CatalogRow[]): Plot.PlotOptions {
  const cs = rows.map((r) => r.c);
  const lo = Math.min(0.02, ...cs) * 0.8;
  const hi = Math.max(2, ...cs) * 1.25;
  return {
    style: plotStyle,
    height: 60 + 16 * rows.length,
    marginLeft: 170,
    marginBottom: 40,
    marginRight: 20,
    x: {
      type: 'log',
      domain: [lo, hi],
      grid: true,
      label: 'compression factor c = d_cache / d →',
      tickFormat: tickFormat('count'),
    },
    y: { domain: rows.map((r) => r.model.name), label: null },
    marks: [
      Plot.ruleX([1], { stroke: 'currentColor', strokeDasharray: '6 4' }),
      Plot.dot(rows as CatalogRow[], {
        x: 'c',
        y: (r: CatalogRow) => r.model.name,
        r: 4,
        fill: (r: CatalogRow) => (r.applicable ? seriesColors.slim : seriesColors.kv),
        title: (r: CatalogRow) =>
          `${r.model.name} (${r.model.attention}): c = ${formatNumber(r.c, 3)}, ` +
          (r.applicable ? 'slim attention helps.' : 'no gain from slim attention.'),
        tip: tipOptions,
      }),
    ],
  };
}
