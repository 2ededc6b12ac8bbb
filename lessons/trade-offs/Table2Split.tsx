import { Link } from 'react-router-dom';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { LessonLink } from '../common/LessonLink';

/**
 * Paper Table 2 as formulas, per part of the layer: projections (OPs, reads, intensity), then
 * the attention core (OPs, reads, intensity). Plain integers are shown as text, the rest as TeX.
 */
const TABLE2_FORMULAS: readonly { label: string; cells: readonly string[] }[] = [
  { label: 'standard', cells: ['8d^2', '4d^2', '2', '4nd', '2nd', '2'] },
  { label: 'slim, V-first order', cells: ['(2n+6)\\,d^2', '4d^2', '(n+3)/2', '4nd', 'nd', '4'] },
  { label: 'slim, K-first order', cells: ['8d^2', '4d^2', '2', '2nd(h+1)', 'nd', '2h+2'] },
];

export function Table2Split() {
  return (
    <>
      <h2>Which part of the layer each figure is about</h2>
      <p>
        Paper Table 2 splits one layer’s decode step into two parts. The{' '}
        <strong>projections</strong> multiply the new token by the weight matrices (
        <Tex>{'W_Q, W_K, W_O'}</Tex> and <Tex>{'W_V'}</Tex> or <Tex>{'W_{KV}'}</Tex>): they read{' '}
        <Tex>{'4d^2'}</Tex> weights. The <strong>attention core</strong> scores the query against
        the <Tex>{'n'}</Tex> cached keys and forms the weighted sum: it reads the cache. Here{' '}
        <Tex>{'d'}</Tex> is the model width, <Tex>{'h'}</Tex> the number of heads and{' '}
        <Tex>{'n'}</Tex> the number of cached tokens; intensities are OPs per value read.
      </p>
      <table className="diff-table" aria-label="paper Table 2 per part">
        <ColumnHeads
          columns={[
            '',
            'projections: OPs',
            'reads',
            'intensity',
            'attention core: OPs',
            'reads',
            'intensity',
          ]}
        />
        <tbody>
          {TABLE2_FORMULAS.map(({ label, cells }) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {cells.map((tex, i) => (
                <td key={i}>{/^\d+$/.test(tex) ? tex : <Tex>{tex}</Tex>}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        The V-first order (paper §2, option 1) rebuilds all <Tex>{'n'}</Tex> value rows,{' '}
        <Tex>{'V = K\\,W_{KV}'}</Tex>, at every step. Table 2 books that product with the
        projections: its OPs grow with <Tex>{'n'}</Tex> while the weights read stay{' '}
        <Tex>{'4d^2'}</Tex>, so the projections’ intensity climbs with the context. Its attention
        core stays at 4, and the K-first order’s (paper §2, option 2) at <Tex>{'2h+2'}</Tex>. The
        figures you met earlier each look at one part:
      </p>
      <ul>
        <li>
          <LessonLink slug="generate" bare /> counts one head’s value side. For the V-first order,{' '}
          <Tex>{'2nd\\,d_k + 2n\\,d_k'}</Tex>: the first term is <Tex>{'K W_{KV}'}</Tex> (a
          projection in Table 2), the second the attention core’s <Tex>{'s\\,V'}</Tex>.
        </li>
        <li>
          <LessonLink slug="many-heads" bare /> shows the attention core of the K-first order,{' '}
          <Tex>{'2h+2'}</Tex> OPs per value.
        </li>
        <li>
          The <Link to="/explorer">explorer</Link>’s view 2 plots whole layers (projections plus
          core), so the V-first line climbs; view 3’s “attention” points are the core alone, so the
          V-first order sits at 4; view 4 times whole decode steps with slim in the K-first order,
          as the engine decodes.
        </li>
      </ul>
    </>
  );
}
