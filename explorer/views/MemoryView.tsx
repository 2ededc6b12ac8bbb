import { useMemo, memo } from 'react';
import * as Plot from '@observablehq/plot';
import { PlotFigure } from '../../components/charts/PlotFigure';
import {
  contextChart,
  labelledRule,
  seriesLines,
  tipOptions,
  tokens,
} from '../../components/charts/marks';
import { formatBytes, formatCapacity, formatCount } from '../../components/format';
import { maxFittingContext, memoryBytes, memorySeries, memoryLines } from '../series';
import { colors, type ViewProps } from './common';

/** Pixels between the x axis and the lowest line (the weights alone), so that line shows. */
export const WEIGHTS_INSET = 16;

/** Why a line does not fit even at the shortest context: the weights, or the batch's caches. */
function doesNotFit(
  shortest: { weights: number; cache: number },
  capacity: number,
  n: number,
  batch: number,
): string {
  const at = `does not fit even at ${formatCount(n)} tokens`;
  if (shortest.weights > capacity)
    return `${at}: the weights alone need ${formatBytes(shortest.weights)}`;
  return (
    `${at}: the weights (${formatBytes(shortest.weights)}) fit, but the caches of ` +
    `${formatCount(batch)} sequences need ${formatBytes(shortest.cache)} more`
  );
}

/** View 1: memory (weights + B·cache) vs context, the chip's capacity, and where each stops fitting. */
export const MemoryView = memo(function MemoryView({ setup, grid }: ViewProps) {
  const { model, chip, batch, contextLength, weightFormat, cacheFormat } = setup;
  const variants = useMemo(() => memoryLines(model), [model]);
  const series = useMemo(
    () => memorySeries(model, batch, { weightFormat, cacheFormat }, grid),
    [model, batch, weightFormat, cacheFormat, grid],
  );
  const capacity = chip.memoryCapacity;
  const limits = useMemo(
    () =>
      variants.map((v) => ({
        ...v,
        maxContext: maxFittingContext(
          model,
          v.line,
          batch,
          { weightFormat, cacheFormat },
          capacity,
          grid[grid.length - 1],
        ),
        shortest: memoryBytes(model, v.line, grid[0], batch, { weightFormat, cacheFormat }),
      })),
    [variants, model, batch, weightFormat, cacheFormat, capacity, grid],
  );
  const now = variants.map((v) => ({
    ...v,
    bytes: memoryBytes(model, v.line, contextLength, batch, { weightFormat, cacheFormat }),
  }));
  const { labels, palette } = useMemo(
    () => ({
      labels: ['weights only', ...variants.map((v) => v.label)],
      palette: ['weights' as const, ...variants.map((v) => v.line)].map((k) => colors[k]),
    }),
    [variants],
  );

  const options = useMemo<Plot.PlotOptions>(
    () => ({
      ...contextChart({
        height: 320,
        marginTop: 34,
        // The weights-only line is every series' floor: the inset lifts it off the x axis.
        y: { type: 'log', label: '↑ memory', insetBottom: WEIGHTS_INSET },
        yUnit: 'bytes',
        color: { domain: labels, range: palette, legend: true },
      }),
      marks: [
        ...labelledRule(capacity, `${chip.name}: ${formatCapacity(capacity)}`, {
          x: grid[0],
          stroke: colors.capacity,
        }),
        ...seriesLines(series, {
          y: 'bytes',
          tip: (d: { label: string; bytes: number; contextLength: number }) =>
            `${d.label}: ${formatBytes(d.bytes)} at ${tokens(d.contextLength)}.`,
        }),
        Plot.dot(
          limits.filter((l) => l.maxContext > 0 && l.maxContext < grid[grid.length - 1]),
          {
            x: 'maxContext',
            y: () => capacity,
            fill: 'label',
            r: 5,
            stroke: 'white',
            title: (l: { label: string; maxContext: number }) =>
              `${l.label} stops fitting on ${chip.name} after ${tokens(l.maxContext)}.`,
            tip: tipOptions,
          },
        ),
      ],
    }),
    [series, limits, capacity, chip.name, grid, labels, palette],
  );

  return (
    <section className="view" aria-labelledby="view-memory">
      <h2 id="view-memory">1 · Memory vs context length</h2>
      <p className="small">
        Weights plus {formatCount(batch)} × cache per sequence ({weightFormat} weights,{' '}
        {cacheFormat} cache), against the memory of one {chip.name}.
      </p>
      <PlotFigure
        markerX={contextLength}
        options={options}
        ariaLabel="Memory versus context length"
      />
      <ul className="facts" data-testid="memory-facts">
        {limits.map((l) => (
          <li key={l.line}>
            <span className="swatch" style={{ background: colors[l.line] }} />
            {l.label}:{' '}
            {l.maxContext === 0
              ? doesNotFit(l.shortest, capacity, grid[0], batch)
              : l.maxContext >= grid[grid.length - 1]
                ? `fits over the whole range (up to ${formatCount(grid[grid.length - 1])} tokens)`
                : `fits up to ${formatCount(l.maxContext)} tokens, then stops fitting`}
            {model.contextLength !== undefined && l.maxContext > model.contextLength
              ? ` (past the model's ${formatCount(model.contextLength)} positions)`
              : ''}
            {'; '}at n = {formatCount(contextLength)}:{' '}
            {formatBytes(now.find((v) => v.line === l.line)!.bytes.total)}
          </li>
        ))}
      </ul>
    </section>
  );
});
