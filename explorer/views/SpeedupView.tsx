import { useMemo, memo } from 'react';
import { Link } from 'react-router-dom';
import * as Plot from '@observablehq/plot';
import { contextChart, seriesLines, tokens } from '../../components/charts/marks';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { formatCount } from '../../components/format';
import {
  speedupAt,
  speedupBatches,
  speedupSeries,
  slowdown,
  type SpeedupEstimateKind,
  type SpeedupPoint,
} from '../series';
import { batchColors, type ViewProps } from './common';

const titles: Record<SpeedupEstimateKind, string> = {
  'memory-bound': 'memory-bound estimate (bytes read per decode step)',
  roofline: 'roofline estimate max(OPs/peak, bytes/bandwidth)',
};

function speedupPlot(
  estimate: SpeedupEstimateKind,
  byEstimate: Record<SpeedupEstimateKind, SpeedupPoint[]>,
  batches: readonly number[],
  batch: number,
  yMin: number,
  yMax: number,
): Plot.PlotOptions {
  return {
    ...contextChart({
      height: 280,
      marginLeft: 48,
      title: titles[estimate],
      xLabel: 'context length n →',
      y: { label: '↑ speedup', domain: [yMin, yMax] },
      yUnit: 'ratio',
      color: {
        type: 'ordinal',
        domain: batches.map((b) => `B = ${b}`),
        range: batches.map((_, i) => batchColors[i % batchColors.length]),
        legend: true,
      },
    }),
    marks: [
      Plot.ruleY([1], { stroke: 'currentColor', strokeOpacity: 0.4 }),
      ...seriesLines(byEstimate[estimate], {
        y: 'speedup',
        stroke: (p: SpeedupPoint) => `B = ${p.batch}`,
        strokeWidth: (p: SpeedupPoint) => (p.batch === batch ? 3 : 1.5),
        tip: (p: SpeedupPoint) =>
          `At ${tokens(p.contextLength)} and batch ${formatCount(p.batch)}, slim is ` +
          `${p.speedup.toFixed(2)}× as fast as standard (${p.estimate} estimate).`,
      }),
    ],
  };
}

/** View 4: decode speedup of slim over standard vs context, per batch, two estimates. */
export const SpeedupView = memo(function SpeedupView({ setup, grid }: ViewProps) {
  const { model, chip, batch, contextLength, weightFormat, cacheFormat } = setup;
  const batches = useMemo(() => speedupBatches(batch), [batch]);
  const series = useMemo(
    () => speedupSeries(model, chip, batches, { weightFormat, cacheFormat }, grid),
    [model, chip, batches, weightFormat, cacheFormat, grid],
  );
  const now = useMemo(
    () => speedupAt(model, chip, contextLength, batch, { weightFormat, cacheFormat }),
    [model, chip, contextLength, batch, weightFormat, cacheFormat],
  );
  const slower = useMemo(() => slowdown(setup, now), [setup, now]);
  const byEstimate = useMemo(() => {
    const split: Record<SpeedupEstimateKind, SpeedupPoint[]> = { 'memory-bound': [], roofline: [] };
    for (const p of series) split[p.estimate].push(p);
    return split;
  }, [series]);
  const yMax = useMemo(() => Math.max(2, ...series.map((p) => p.speedup)) * 1.05, [series]);
  // Below 1 (slim slower) must stay visible, not fall off a fixed 0.5 floor.
  const yMin = useMemo(() => Math.min(0.5, ...series.map((p) => p.speedup)) * 0.95, [series]);

  const memoryOptions = useMemo(
    () => speedupPlot('memory-bound', byEstimate, batches, batch, yMin, yMax),
    [byEstimate, batches, batch, yMin, yMax],
  );
  const rooflineOptions = useMemo(
    () => speedupPlot('roofline', byEstimate, batches, batch, yMin, yMax),
    [byEstimate, batches, batch, yMin, yMax],
  );

  return (
    <section className="view" aria-labelledby="view-speedup">
      <h2 id="view-speedup">4 · Decode speedup vs context length and batch</h2>
      <p className="small">
        Slim over standard for one decode step on {chip.name}. Left: only the bytes read per step
        count (paper §1; encoder–decoders read decoder-side weights only, paper §4). Right: the
        roofline, where slim&apos;s extra OPs can start to matter. Slim decodes in the K-first
        order, (softmax·K)·W_KV (paper §2, option 2), as the engine does; the V-first order would
        turn compute bound far sooner (view 2).
      </p>
      <div className="pair">
        <PlotFigure
          markerX={contextLength}
          options={memoryOptions}
          ariaLabel="Memory-bound decode speedup"
        />
        <PlotFigure
          markerX={contextLength}
          options={rooflineOptions}
          ariaLabel="Roofline decode speedup"
        />
      </div>
      <p data-testid="speedup-now">
        At n = {formatCount(contextLength)}, batch {formatCount(batch)}: memory-bound{' '}
        <strong>{now.memoryBound.toFixed(2)}×</strong>, roofline{' '}
        <strong>{now.roofline.toFixed(2)}×</strong>
        {now.roofline < 1 && ' — slim slower than standard'} (standard step {now.standard.bound}{' '}
        bound, slim step {now.slim.bound} bound
        {now.roofline >= 1 && now.roofline < now.memoryBound - 0.005
          ? '; the extra compute eats part of the gain'
          : ''}
        ).
      </p>
      {slower && (
        <p className="slower" data-testid="speedup-slower" data-kind={slower.kind}>
          {slower.reason} <Link to="/lessons/trade-offs">Trade-offs and FAQ</Link> explains when
          slim is slower.
        </p>
      )}
    </section>
  );
});
