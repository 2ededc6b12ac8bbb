import { UNIT_ROUNDOFF, type StorageFormat } from '../../engine';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { fmt } from './common';

const FORMATS: readonly StorageFormat[] = ['float64', 'float32', 'float16', 'bfloat16'];

/** The unit roundoff u of each storage format, from the engine. */
export function UnitRoundoff() {
  return (
    <>
      <h2>Rounding: the unit roundoff u</h2>
      <p>
        A number format keeps a fixed number of significant binary digits (bits). Storing a number
        rounds it to the nearest value the format has, which changes it by at most a fraction{' '}
        <Tex>{'u'}</Tex> of its size, the <em>unit roundoff</em>:{' '}
        <Tex>{'u = 2^{-\\text{bits}}'}</Tex>.
      </p>
      <table className="diff-table" aria-label="unit roundoff per number format">
        <ColumnHeads columns={['format', 'significant bits', 'u']} />
        <tbody>
          {FORMATS.map((f) => (
            <tr key={f}>
              <th scope="row">{f}</th>
              <td>{Math.round(-Math.log2(UNIT_ROUNDOFF[f]))}</td>
              <td data-testid={`u-${f}`}>{fmt(UNIT_ROUNDOFF[f])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Weights and caches of a model run in float32, float16 or bfloat16; float64 is what the
        conversion uses offline.
      </p>
    </>
  );
}
