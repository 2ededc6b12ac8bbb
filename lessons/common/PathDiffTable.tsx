import type { ReactNode } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { formatNumber } from '../../components/format';
import type { PathOutputs } from './toyRuns';

/** One row of a DiffTable: a label and the max |Δ| it reads from a run (undefined: no run). */
export interface DiffRow<T> {
  name: ReactNode;
  /** Test-id segment: cells are `${testId}-${key}-f64` and `${testId}-${key}-f32`. */
  key: string;
  pick: (run: T) => number | undefined;
}

/**
 * max |Δ| of slim paths against standard, in float64 and float32, as the engine measured them:
 * one row per path, any run type. A row whose path did not run shows a dash.
 */
export function DiffTable<T>({
  ariaLabel,
  heading,
  testId,
  f64,
  f32,
  rows,
}: {
  ariaLabel: string;
  heading: ReactNode;
  testId: string;
  f64: T;
  f32: T;
  rows: readonly DiffRow<T>[];
}) {
  const cell = (x: number | undefined) => (x === undefined ? '—' : formatNumber(x, 3));
  return (
    <table className="diff-table" aria-label={ariaLabel}>
      <ColumnHeads columns={[<>{heading}</>, 'float64', 'float32']} />
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.name}</th>
            <td data-testid={`${testId}-${r.key}-f64`}>{cell(r.pick(f64))}</td>
            <td data-testid={`${testId}-${r.key}-f32`}>{cell(r.pick(f32))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SLIM_ORDER_ROWS: readonly DiffRow<PathOutputs>[] = [
  { name: 'V-first order vs standard', key: 'o1', pick: (p) => p.maxDiff.option1VsStandard },
  { name: 'K-first order vs standard', key: 'o2', pick: (p) => p.maxDiff.option2VsStandard },
];

/**
 * max |Δ| of both slim orders against standard, in float64 and float32, as the engine measured
 * them (one row per slim order). Cells carry test ids `${testId}-o1-f64` … `${testId}-o2-f32`.
 */
export function PathDiffTable(props: {
  ariaLabel: string;
  heading: ReactNode;
  testId: string;
  f64: PathOutputs;
  f32: PathOutputs;
}) {
  return <DiffTable {...props} rows={SLIM_ORDER_ROWS} />;
}
