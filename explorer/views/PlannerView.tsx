import { useId, useMemo, memo } from 'react';
import * as Plot from '@observablehq/plot';
import { contextChart, labelledRule, seriesLines, tokens } from '../../components/charts/marks';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { formatCapacity, formatCount } from '../../components/format';
import {
  capacityFrontier,
  chipsNeeded,
  contextGrid,
  maxFittingBatch,
  maxFittingContext,
  memoryLines,
} from '../series';
import { CountInput } from '../CountInput';
import { DataTable } from './DataTable';
import { colors, type ViewProps } from './common';

export interface PlannerProps extends ViewProps {
  chipCount: number;
  users: number;
  onChipCount: (k: number) => void;
  onUsers: (u: number) => void;
}

/** View 6: what fits on k chips with and without slim, and chips needed for a target load. */
export const PlannerView = memo(function PlannerView({
  setup,
  grid,
  chipCount,
  users,
  onChipCount,
  onUsers,
}: PlannerProps) {
  const { model, chip, batch, contextLength, weightFormat, cacheFormat } = setup;
  const formats = useMemo(() => ({ weightFormat, cacheFormat }), [weightFormat, cacheFormat]);
  const capacity = chipCount * chip.memoryCapacity;
  const variants = useMemo(() => memoryLines(model), [model]);
  const rows = variants.map((v) => ({
    ...v,
    maxBatch: maxFittingBatch(model, v.line, contextLength, formats, capacity),
    maxContext: maxFittingContext(model, v.line, batch, formats, capacity, 2 ** 30),
    chips: chipsNeeded(model, v.line, users, contextLength, formats, chip.memoryCapacity),
  }));
  // The frontier needs fewer points than the other views: it is a step-free smooth curve.
  const coarse = useMemo(() => contextGrid(grid[0], grid[grid.length - 1], 128), [grid]);
  const frontier = useMemo(
    () => capacityFrontier(model, formats, capacity, coarse).filter((p) => p.maxBatch > 0),
    [model, formats, capacity, coarse],
  );
  const kId = useId();
  const uId = useId();
  const options = useMemo<Plot.PlotOptions>(
    () => ({
      ...contextChart({
        height: 280,
        xLabel: 'context length n →',
        y: { type: 'log', label: '↑ largest batch that fits' },
        yUnit: 'count',
        color: {
          domain: variants.map((v) => v.label),
          range: variants.map((v) => colors[v.line]),
          legend: true,
        },
      }),
      marks: [
        ...seriesLines(frontier, {
          y: 'maxBatch',
          curve: 'step-after',
          tip: (d: { label: string; maxBatch: number; contextLength: number }) =>
            `${d.label}: at most ${formatCount(d.maxBatch)} sequence${d.maxBatch === 1 ? '' : 's'} ` +
            `of ${tokens(d.contextLength)} fit.`,
        }),
        ...labelledRule(users, `${formatCount(users)} users`, {
          x: coarse[0],
          strokeOpacity: 0.6,
        }),
      ],
    }),
    [frontier, variants, users, coarse],
  );

  return (
    <section className="view" aria-labelledby="view-planner">
      <h2 id="view-planner">6 · Capacity planner (on paper)</h2>
      <div className="control-row">
        <div className="field">
          <label htmlFor={kId}>chips</label>
          <CountInput id={kId} value={chipCount} onCommit={onChipCount} />
        </div>
        <div className="field">
          <label htmlFor={uId}>target users (sequences)</label>
          <CountInput id={uId} value={users} onCommit={onUsers} />
        </div>
      </div>
      <p className="small">
        {chipCount} × {chip.name} = {formatCapacity(capacity)}. Weights are stored once (sharded);
        activations, replication and fragmentation are ignored — an upper bound.
      </p>
      <DataTable
        label="Capacity planner"
        testId="planner-table"
        columns={[
          'cache',
          `largest batch at n = ${formatCount(contextLength)}`,
          `longest context at B = ${batch}`,
          `chips for ${formatCount(users)} users at n = ${formatCount(contextLength)}`,
        ]}
      >
        {rows.map((r) => (
          <tr key={r.line}>
            <th scope="row">
              <span className="swatch" style={{ background: colors[r.line] }} />
              {r.label}
            </th>
            <td>{formatCount(r.maxBatch)}</td>
            <td>
              {r.maxContext === 0 ? 'does not fit' : formatCount(r.maxContext)}
              {model.contextLength !== undefined && r.maxContext > model.contextLength && (
                <span className="small">
                  {' '}
                  (beyond the model&apos;s {formatCount(model.contextLength)})
                </span>
              )}
            </td>
            <td>{formatCount(r.chips)}</td>
          </tr>
        ))}
      </DataTable>
      {frontier.length > 0 ? (
        <PlotFigure
          markerX={contextLength}
          options={options}
          ariaLabel="Largest batch that fits versus context length"
        />
      ) : (
        <p role="status">The weights alone do not fit in {formatCapacity(capacity)}.</p>
      )}
    </section>
  );
});
