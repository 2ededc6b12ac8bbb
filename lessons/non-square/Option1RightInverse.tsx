import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import {
  projectionRatio,
  slimExtraParams,
  units,
  type Model,
  type Table4Row,
} from '../../roofline';
import { LessonLink } from '../common/LessonLink';

/** Option 1: cache K and rebuild V through the right inverse, at the price of r times W_V. */
export function Option1RightInverse({
  table4,
  focus,
}: {
  table4: readonly Table4Row[];
  focus: Model;
}) {
  const r = projectionRatio(focus);
  return (
    <>
      <h2>A right inverse (paper §3, option 1)</h2>
      <p>
        <Tex>{'K = XW_K'}</Tex> maps <Tex>{'d'}</Tex> numbers to <Tex>{'e > d'}</Tex>, so no inverse
        undoes it in both directions. One direction is enough: the <em>right inverse</em>{' '}
        <Tex>{'W_K^{+}'}</Tex> (<Tex>{'e \\times d'}</Tex>) satisfies{' '}
        <Tex>{'W_K W_K^{+} = I_d'}</Tex>, so <Tex>{'K W_K^{+} = X W_K W_K^{+} = X'}</Tex> and the
        values follow from the keys as before:
      </p>
      <div className="equation-row">
        <Tex block>{'W_K^{+} = W_K^\\top (W_K W_K^\\top)^{-1},'}</Tex>
        <Tex block>{'V = XW_V = K\\,W_K^{+} W_V = K\\,W_{KV},'}</Tex>
        <Tex block>{'W_{KV} = W_K^{+} W_V:\\ e \\times e'}</Tex>
      </div>
      <p>
        Only <Tex>{'K'}</Tex> is cached, so the cache halves as with square weights, and RoPE works
        as in <LessonLink slug="rope" />. The price is weights: <Tex>{'W_{KV}'}</Tex> is{' '}
        <Tex>{'e \\times e'}</Tex> where <Tex>{'W_V'}</Tex> was <Tex>{'d \\times e'}</Tex>,{' '}
        <Tex>{'r'}</Tex> times as many numbers. Added over every attention that holds a cache (T5
        has self- and cross-attention in each decoder layer), from the cost model:
      </p>
      <table className="diff-table" aria-label="right inverse extra weights">
        <ColumnHeads
          columns={[
            'model',
            <>
              W<sub>KV</sub> / W<sub>V</sub> = r
            </>,
            'extra weights',
            'model weights',
          ]}
        />
        <tbody>
          {table4.map(({ model }) => (
            <tr key={model.id} data-testid={`extra-${model.id}`}>
              <th scope="row">{model.name}</th>
              <td>{formatNumber(projectionRatio(model), 3)}</td>
              <td>{units.scaled(slimExtraParams(model))}</td>
              <td>{units.scaled(model.params)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        For {focus.name}, with <Tex>{`r = ${formatNumber(r, 3)}`}</Tex>, the right inverse
        multiplies the stored weights by{' '}
        <strong data-testid="option1-weight-growth">
          {formatNumber((focus.params + slimExtraParams(focus)) / focus.params, 3)}
        </strong>{' '}
        to halve the cache. The second way avoids the inverse altogether.
      </p>
    </>
  );
}
