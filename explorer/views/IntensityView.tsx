import { useMemo, memo } from 'react';
import * as Plot from '@observablehq/plot';
import { contextChart, labelledRule, seriesLines, tokens } from '../../components/charts/marks';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { formatCount, formatEnUs } from '../../components/format';
import {
  chipRidge,
  computeBoundFrom,
  intensitySeries,
  intensitySchemeLabels,
  intensitySchemes,
  table2Shape,
} from '../series';
import { computeDtype, slimPeakIntensity } from '../../roofline';
import { colors, type ViewProps } from './common';
import { RooflineWords } from './Words';

/** View 2: whole-layer intensity (Table 2 at batch B) vs context, with the chip's ridge point. */
export const IntensityView = memo(function IntensityView({ setup, grid }: ViewProps) {
  const { model, chip, batch, contextLength, weightFormat, cacheFormat } = setup;
  const shape = useMemo(() => {
    try {
      return table2Shape(model);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }, [model]);
  const series = useMemo(
    () =>
      typeof shape === 'string'
        ? []
        : intensitySeries(model, batch, { weightFormat, cacheFormat }, grid),
    [shape, model, batch, weightFormat, cacheFormat, grid],
  );
  const ridge = chipRidge(chip, weightFormat);
  const { dtype } = computeDtype(chip, weightFormat);
  const crossings = intensitySchemes.map((s) => ({
    scheme: s,
    from: computeBoundFrom(series, s, ridge),
  }));

  const options = useMemo<Plot.PlotOptions>(
    () => ({
      ...contextChart({
        height: 320,
        marginTop: 34,
        y: { type: 'log', label: '↑ OPs per byte (one layer, projections + attention)' },
        yUnit: 'count',
        color: {
          domain: intensitySchemes.map((s) => intensitySchemeLabels[s]),
          range: intensitySchemes.map((s) => colors[s]),
          legend: true,
        },
      }),
      marks: [
        ...labelledRule(
          ridge,
          `ridge of ${chip.name}: ${ridge.toPrecision(3)} OPs/byte (${dtype})`,
          { x: grid[0], stroke: colors.capacity },
        ),
        ...seriesLines(series, {
          y: 'layerOpsPerByte',
          tip: (d: { label: string; layerOpsPerByte: number; contextLength: number }) =>
            `${d.label}: ${formatEnUs(Number(d.layerOpsPerByte.toPrecision(3)))} ` +
            `OPs per byte for one layer at ${tokens(d.contextLength)}, ` +
            `${d.layerOpsPerByte < ridge ? 'below' : 'at or above'} the ridge.`,
        }),
      ],
    }),
    [series, ridge, dtype, chip.name, grid],
  );

  if (typeof shape === 'string')
    return (
      <section className="view" aria-labelledby="view-intensity">
        <h2 id="view-intensity">2 · Arithmetic intensity vs context length</h2>
        <p role="status">{shape}</p>
      </section>
    );
  return (
    <section className="view" aria-labelledby="view-intensity">
      <h2 id="view-intensity">2 · Arithmetic intensity vs context length</h2>
      <p className="small">
        paper §2, Table 2 at batch {formatCount(batch)}: below the ridge a layer is memory bound,
        above it compute bound. Each line is a whole layer: projections plus attention core. The
        V-first order&apos;s V = K·W_KV for all n rows counts with the projections, so its line
        climbs with n while its attention core alone stays at 4 OPs per value (view 3). The K-first
        order&apos;s attention tends to 2h + 2 = {slimPeakIntensity(shape.h)} OPs per value.
        {!shape.exact &&
          ` ${model.name} is not square MHA (h·d_k ≠ d or h_kv ≠ h); Table 2 is applied with its d and h as an approximation.`}
      </p>
      <RooflineWords chip={chip} weightFormat={weightFormat} only="intensity" />
      <PlotFigure
        markerX={contextLength}
        options={options}
        ariaLabel="Arithmetic intensity versus context length"
      />
      <ul className="facts" data-testid="intensity-facts">
        {crossings.map((c) => (
          <li key={c.scheme}>
            <span className="swatch" style={{ background: colors[c.scheme] }} />
            {intensitySchemeLabels[c.scheme]}:{' '}
            {c.from === undefined
              ? `stays memory bound on ${chip.name} up to ${formatCount(grid[grid.length - 1])} tokens`
              : c.from === grid[0]
                ? `compute bound on ${chip.name} over the whole range`
                : `turns compute bound on ${chip.name} from about ${formatCount(c.from)} tokens`}
          </li>
        ))}
      </ul>
    </section>
  );
});
