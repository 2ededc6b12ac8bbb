import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import type { Table4Row } from '../../roofline';
import { positions } from './positions';
import { TableScroll } from '../../components/TableScroll';

/** Paper Table 4: the catalog's models whose heads are wider than the model (e > d). */
export function Table4({ table4 }: { table4: readonly Table4Row[] }) {
  return (
    <>
      <h2>Models with e &gt; d</h2>
      <p>
        The paper’s Table 4, regenerated from the shapes in the app’s model catalog (the paper
        prints <Tex>{'r'}</Tex> rounded; it is shown beside the computed value).
      </p>
      <TableScroll label="Models with non-square projections">
        <table className="diff-table" aria-label="models with non-square projections">
          <ColumnHeads
            columns={[
              'model',
              'd',
              <>
                d<sub>k</sub>
              </>,
              'h',
              <>
                e = h·d<sub>k</sub>
              </>,
              'r = e/d',
              'paper’s r',
              'positions',
            ]}
          />
          <tbody>
            {table4.map((row) => (
              <tr key={row.model.id} data-testid={`table4-${row.model.id}`}>
                <th scope="row">{row.model.name}</th>
                <td>{formatCount(row.d.computed)}</td>
                <td>{formatCount(row.dk.computed)}</td>
                <td>{formatCount(row.h.computed)}</td>
                <td>{formatCount(row.e.computed)}</td>
                <td>{formatNumber(row.r.computed, 3)}</td>
                <td>{row.r.printed}</td>
                <td>{positions(row.model)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
