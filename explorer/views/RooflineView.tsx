import { useMemo, memo } from 'react';
import * as Plot from '@observablehq/plot';
import { plotStyle, tickFormat, tipOptions } from '../../components/charts/marks';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { chips as catalogChips } from '../../roofline';
import { operatingPoints, roofSeries, type OperatingPoint } from '../series';
import { pointColor, type ViewProps } from './common';
import { RooflineWords } from './Words';

const MIN_I = 0.25;
const MAX_I = 20000;

/** View 3: log–log roofline of the chosen chip (others faint) with the decode operating points. */
export const RooflineView = memo(function RooflineView({ setup }: ViewProps) {
  const { chip, weightFormat } = setup;
  const others = useMemo(
    () =>
      roofSeries(
        catalogChips.filter((c) => c.id !== chip.id),
        weightFormat,
        MIN_I,
        MAX_I,
        48,
      ),
    [chip.id, weightFormat],
  );
  const mine = useMemo(
    () => roofSeries([chip], weightFormat, MIN_I, MAX_I, 48),
    [chip, weightFormat],
  );
  const points = useMemo(() => operatingPoints(setup), [setup]);

  const options = useMemo<Plot.PlotOptions>(
    () => ({
      style: plotStyle,
      height: 360,
      marginLeft: 56,
      x: {
        type: 'log',
        label: 'arithmetic intensity (OPs per byte) →',
        domain: [MIN_I, MAX_I],
        tickFormat: tickFormat('count'),
      },
      y: {
        type: 'log',
        label: '↑ attainable OPs per second',
        grid: true,
        tickFormat: tickFormat('ops-per-second'),
      },
      color: {
        legend: true,
        domain: points.map((p) => p.label),
        range: points.map((p) => pointColor(p.id)),
      },
      symbol: { domain: ['memory', 'compute'], range: ['circle', 'diamond'] },
      r: { type: 'identity' },
      marks: [
        Plot.line(others, {
          x: 'opsPerByte',
          y: 'opsPerSecond',
          z: 'chipId',
          stroke: 'currentColor',
          strokeOpacity: 0.15,
          // Named on hover only (faint context, no tip that would compete with the points').
          title: (p: { chipName: string }) => `The roofline of ${p.chipName}.`,
        }),
        Plot.line(mine, {
          x: 'opsPerByte',
          y: 'opsPerSecond',
          stroke: 'currentColor',
          strokeWidth: 2.5,
        }),
        Plot.text(mine.slice(-1), {
          x: 'opsPerByte',
          y: 'opsPerSecond',
          text: () => chip.name,
          textAnchor: 'end',
          dy: -8,
        }),
        Plot.dot(points, {
          x: 'opsPerByte',
          y: 'opsPerSecond',
          fill: 'label',
          symbol: 'bound',
          // Points often coincide (vanilla attention and batch-1 weights both sit at 2 OPs per
          // value): shrinking radii in drawing order keep each one visible as a ring.
          r: (_p: OperatingPoint, i: number) => 11 - 1.4 * i,
          stroke: 'white',
          title: 'explanation',
          tip: tipOptions,
          channels: { explanation: { value: 'explanation', label: '' } },
        }),
      ],
    }),
    [others, mine, points, chip.name],
  );

  return (
    <section className="view" aria-labelledby="view-roofline">
      <h2 id="view-roofline">3 · Roofline of {chip.name}</h2>
      <p className="small">
        Attainable performance min(peak, intensity × bandwidth) (paper Table 3); other catalog chips
        faint. Points: decode at n = {setup.contextLength.toLocaleString('en-US')}, batch{' '}
        {setup.batch.toLocaleString('en-US')}. Hover or tap a point for why it sits where it does.
      </p>
      <RooflineWords chip={chip} weightFormat={weightFormat} />
      <PlotFigure
        options={options}
        ariaLabel={`Roofline of ${chip.name} with decode operating points`}
      />
      <ul className="facts" data-testid="roofline-facts">
        {points.map((p) => (
          <li key={p.id}>{p.explanation}</li>
        ))}
      </ul>
    </section>
  );
});
