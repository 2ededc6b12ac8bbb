import { Tex } from '../../components/Tex';
import { TitleText } from '../common/TitleText';
import type { SingularAnalysis } from './singular';

const rowName = (i: number) => `row ${i + 1}`;
/** A sentence starts with a capital: "row 2 …" → "Row 2 …". */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Why the current W_K has no inverse, and what that means for slim attention. */
export function SingularExplanation({ a }: { a: SingularAnalysis }) {
  const r = a.reason;
  return (
    <div className="notice-error singular-explanation" role="alert">
      <h3>
        <Tex>{'W_K'}</Tex> is singular: <Tex>{`\\det(W_K) = ${a.det}`}</Tex>, rank {a.rank} of 4
      </h3>
      <p>
        {r?.kind === 'equal-rows' && (
          <TitleText
            text={`${sentence(rowName(r.rows[0]))} and ${rowName(r.rows[1])} of W_K are equal, so input dimensions ${r.rows[0] + 1} and ${r.rows[1] + 1} push every key in exactly the same direction.`}
          />
        )}
        {r?.kind === 'zero-row' && (
          <TitleText
            text={`${sentence(rowName(r.row))} of W_K is all zeros: input dimension ${r.row + 1} never reaches the key at all.`}
          />
        )}
        {r?.kind === 'multiple-rows' && (
          <TitleText
            text={`${sentence(rowName(r.rows[1]))} of W_K is ${r.factor} × ${rowName(r.rows[0])}, so those two input dimensions move the key along the same line.`}
          />
        )}
        {r?.kind === 'combination' &&
          'No two rows are copies of each other, but one row is a combination of the others.'}
      </p>
      {a.nullVector && (
        <p>
          Exactly: <Tex>{'z\\,W_K = 0'}</Tex> for z = [{a.nullVector.text.join(', ')}]. So an input
          x and the input x + z produce <strong>the same key</strong>. Keys have lost information,
          and no matrix can map one key back to two different inputs: <Tex>{'W_K^{-1}'}</Tex> does
          not exist, and neither does <Tex>{'W_{KV}'}</Tex>.
        </p>
      )}
      {a.valueGap &&
        (a.valueGap.values.some((v) => v !== 0) ? (
          <p>
            Their values do differ, by <Tex>{'z\\,W_V'}</Tex> = [{a.valueGap.text.join(', ')}]. A
            K-cache alone cannot tell them apart, so slim attention is impossible for this{' '}
            <Tex>{'W_K'}</Tex>.
          </p>
        ) : (
          <p>
            Here <Tex>{'z\\,W_V = 0'}</Tex> as well, so these particular inputs also share their
            value: the lost direction does not matter for V. Slim attention would need{' '}
            <Tex>{'W_{KV}'}</Tex> with <Tex>{'W_K W_{KV} = W_V'}</Tex>, which can exist, but not as{' '}
            <Tex>{'W_K^{-1} W_V'}</Tex>.
          </p>
        ))}
      <p>
        Trained weights are almost never exactly singular: det is a polynomial in the 16 entries,
        and matrices where it is exactly zero form a thin surface that real-valued training lands on
        with probability zero. They can land <em>near</em> it, though — which is what the condition
        number below measures.
      </p>
    </div>
  );
}
