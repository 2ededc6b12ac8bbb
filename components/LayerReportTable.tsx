import { ColumnHeads } from './ColumnHeads';
import './components.css';
import type { LayerPrecision } from '../engine';
import { formatNumber } from './format';
import { TableScroll } from './TableScroll';

/** A reconstruction error: null when there is no inverse; a rebuild the format cannot store says so. */
export const formatRebuildError = (x: number | null): string =>
  x === null ? 'no inverse' : Number.isFinite(x) ? formatNumber(x, 3) : 'overflows';

const directionName = (r: LayerPrecision): string =>
  r.direction === null ? 'neither' : r.direction === 'k-cache' ? 'K-cache' : 'V-cache';

/** True when K from V is the smaller float32 error but the model cannot run the V-cache. */
const ropeOnly = (r: LayerPrecision): boolean =>
  r.f32VtoK !== null && (r.f32KtoV === null || r.f32VtoK < r.f32KtoV);

/**
 * The per-layer precision report (engine/models precisionReport) as a table: conditioning,
 * the float32 and float16 errors of both directions, and the chosen direction. Used by the
 * Playground's per-layer check and the precision lesson.
 */
export function LayerReportTable({
  rows,
  label = 'Per-layer check',
  testId = 'layer-report',
  rope = false,
}: {
  rows: readonly LayerPrecision[];
  /** A RoPE model: the K-cache is its only direction, whatever K from V's error says. */
  rope?: boolean;
  /** The table's accessible name. */
  label?: string;
  testId?: string;
}) {
  return (
    <TableScroll label={label} className="layer-report-wrap">
      <table className="layer-report" data-testid={testId} aria-label={label}>
        <ColumnHeads
          columns={[
            'layer',
            'cond(W_K)',
            'cond(W_V)',
            'V from K, float32',
            'V from K, float16',
            'K from V, float32',
            'K from V, float16',
            'direction',
          ]}
        />
        <tbody>
          {rows.map((r) => (
            <tr key={r.layer}>
              <th scope="row">{r.layer}</th>
              <td>{formatNumber(r.condK, 3)}</td>
              <td>{formatNumber(r.condV, 3)}</td>
              <td>{formatRebuildError(r.f32KtoV)}</td>
              <td>{formatRebuildError(r.f16KtoV)}</td>
              <td>{formatRebuildError(r.f32VtoK)}</td>
              <td>{formatRebuildError(r.f16VtoK)}</td>
              <td className={r.ok ? 'good' : 'bad'}>
                {directionName(r)}
                {rope && ropeOnly(r) ? ' (RoPE: K-cache only)' : ''}
                {r.ok ? '' : ' (over tolerance)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
