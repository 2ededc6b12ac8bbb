import { formatNumber } from '../components/format';
import type { LayerReportRow } from './worker';

const err = (x: number | null): string =>
  x === null ? 'no inverse' : Number.isFinite(x) ? x.toExponential(2) : 'overflows';

/** The per-layer check as a table: conditioning, rebuild errors, and the chosen direction. */
export function LayerReportTable({ rows }: { rows: readonly LayerReportRow[] }) {
  return (
    <div className="playground-table-wrap">
      <table className="playground-report" data-testid="layer-report">
        <thead>
          <tr>
            <th scope="col">layer</th>
            <th scope="col">cond(W_K)</th>
            <th scope="col">cond(W_V)</th>
            <th scope="col">V from K, float32</th>
            <th scope="col">V from K, float16</th>
            <th scope="col">K from V, float32</th>
            <th scope="col">K from V, float16</th>
            <th scope="col">direction</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.layer}>
              <th scope="row">{r.layer}</th>
              <td>{formatNumber(r.condK, 3)}</td>
              <td>{formatNumber(r.condV, 3)}</td>
              <td>{err(r.f32KtoV)}</td>
              <td>{err(r.f16KtoV)}</td>
              <td>{err(r.f32VtoK)}</td>
              <td>{err(r.f16VtoK)}</td>
              <td className={r.ok ? 'good' : 'bad'}>
                {r.direction === null
                  ? 'neither'
                  : r.direction === 'k-cache'
                    ? 'K-cache'
                    : 'V-cache'}
                {r.ok ? '' : ' (over tolerance)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
