import { ColumnHeads } from '../../components/ColumnHeads';
import { formatCount } from '../../components/format';
import { keyWidth, kvCacheWidth, xCacheValues } from '../../roofline';
import { NS_INPUTS, NS_SHAPE, type NonSquareRuns } from './toy';

/** Values and bytes per token each layer cached (engine, float32), beside the cost model's. */
export function ToyCacheTable({ runs }: { runs: NonSquareRuns }) {
  const n = NS_INPUTS.length;
  const rows = [
    { name: 'standard: K and V', run: runs.runs.standard, model: kvCacheWidth(NS_SHAPE) },
    { name: 'K-cache: K', run: runs.runs.option1, model: keyWidth(NS_SHAPE) },
    { name: 'X-cache: X', run: runs.runs.xCache, model: xCacheValues(NS_SHAPE, 1) },
  ];
  return (
    <>
      <p>
        What each layer holds after the {n} tokens, per token (the engine’s cache statistics on the
        float32 backend, beside the cost model’s formula):
      </p>
      <table className="diff-table" aria-label="toy cache per token">
        <ColumnHeads columns={['cache', 'values per token', 'bytes per token', 'cost model']} />
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.name} data-testid={`toy-cache-${i}`}>
              <th scope="row">{r.name}</th>
              <td>{r.run ? formatCount(r.run.cache.values / n) : '—'}</td>
              <td>{r.run ? formatCount(r.run.cache.bytes / n) : '—'}</td>
              <td>{formatCount(r.model)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
