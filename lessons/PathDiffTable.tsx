import type { ReactNode } from 'react';
import { formatNumber } from '../components/format';
import type { PathOutputs } from './toyRuns';

/**
 * max |Δ| of both slim orders against standard, in float64 and float32, as the engine measured
 * them (one row per slim order). Cells carry test ids `${testId}-o1-f64` … `${testId}-o2-f32`.
 */
export function PathDiffTable({
  ariaLabel,
  heading,
  testId,
  f64,
  f32,
}: {
  ariaLabel: string;
  heading: ReactNode;
  testId: string;
  f64: PathOutputs;
  f32: PathOutputs;
}) {
  const rows = [
    {
      name: 'option 1 vs standard',
      key: 'o1',
      pick: (p: PathOutputs) => p.maxDiff.option1VsStandard,
    },
    {
      name: 'option 2 vs standard',
      key: 'o2',
      pick: (p: PathOutputs) => p.maxDiff.option2VsStandard,
    },
  ];
  return (
    <table className="diff-table" aria-label={ariaLabel}>
      <thead>
        <tr>
          <th scope="col">{heading}</th>
          <th scope="col">float64</th>
          <th scope="col">float32</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.name}</th>
            <td data-testid={`${testId}-${r.key}-f64`}>{formatNumber(r.pick(f64), 3)}</td>
            <td data-testid={`${testId}-${r.key}-f32`}>{formatNumber(r.pick(f32), 3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
