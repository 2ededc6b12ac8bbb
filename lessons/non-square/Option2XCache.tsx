import { useState } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import {
  applicability,
  keyWidth,
  kvCacheWidth,
  projectionRatio,
  standardCacheValues,
  xCacheValues,
  type Model,
  type Table4Row,
} from '../../roofline';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { positions } from './positions';
import { LessonLink } from '../common/LessonLink';

/** How many times smaller a model's X-cache is than its KV-cache (per token and layer: 2r). */
const kvOverX = (m: Model) => standardCacheValues(m, 1) / xCacheValues(m, 1);

/** Option 2: cache the d-wide inputs X, asked for as a factor before the cache table shows it. */
export function Option2XCache({ table4, focus }: { table4: readonly Table4Row[]; focus: Model }) {
  const r = projectionRatio(focus);
  const factor = kvOverX(focus);
  const [factorRevealed, setFactorRevealed] = useState(false);
  return (
    <>
      <h2>Cache X instead: the X-cache (paper §3, option 2)</h2>
      <p>
        Every key and value is made from a <Tex>{'d'}</Tex>-wide input row, so a layer can cache the
        inputs <Tex>{'X'}</Tex> themselves (the <em>X-cache</em>) and never form <Tex>{'K'}</Tex> or{' '}
        <Tex>{'V'}</Tex>. With <Tex>{'W_{K,i}'}</Tex> the <Tex>{'d_k'}</Tex> columns of head{' '}
        <Tex>{'i'}</Tex>, its keys are <Tex>{'K_i = XW_{K,i}'}</Tex>, and regrouping the products
        moves the work onto the new token:
      </p>
      <div className="equation-row">
        <Tex block>
          {
            'q_i K_i^\\top = (x\\,W_{Q,i})(X W_{K,i})^\\top = (x\\,W_{Q,i} W_{K,i}^\\top)\\,X^\\top,'
          }
        </Tex>
        <Tex block>{'s_i V_i = s_i X W_{V,i} = (s_i X)\\,W_{V,i}'}</Tex>
      </div>
      <p>
        Here <Tex>{'s_i'}</Tex> is head <Tex>{'i'}</Tex>’s row of softmax weights. The query is
        turned back into a <Tex>{'d'}</Tex>-wide row once per token and head, then compared with the
        cached rows directly.
      </p>
      <LessonCheckpoint
        id="x-cache-factor"
        onRevealed={setFactorRevealed}
        question={
          <>
            {focus.name} has <Tex>{`d = ${focus.d}`}</Tex> and <Tex>{`e = ${keyWidth(focus)}`}</Tex>
            . How many times smaller is its X-cache than its KV-cache?
          </>
        }
        choices={[2, r, 2 * r, focus.heads].map((f) => ({
          label: `${formatNumber(f, 3)}x`,
          correct: f === factor,
        }))}
        explanation={
          <p>
            The KV-cache holds a key and a value row per token, <Tex>{'2e'}</Tex> numbers; the
            X-cache holds the input row, <Tex>{'d'}</Tex> numbers: <Tex>{'2e/d = 2r'}</Tex>,{' '}
            {formatNumber(factor, 3)}x for {focus.name} (paper §3).
          </p>
        }
      />
      {factorRevealed ? (
        <table className="diff-table" aria-label="cache per token and layer">
          <ColumnHeads
            columns={[
              'model',
              'KV-cache (2e)',
              'K-cache: K (e)',
              'X-cache: X (d)',
              'KV / X = 2r',
              'X-cache usable',
            ]}
          />
          <tbody>
            {table4.map(({ model }) => {
              const works = applicability(model).options.find((o) => o.id === 'x-cache')?.works;
              return (
                <tr key={model.id} data-testid={`cache-${model.id}`}>
                  <th scope="row">{model.name}</th>
                  <td>{formatCount(kvCacheWidth(model))}</td>
                  <td>{formatCount(keyWidth(model))}</td>
                  <td>{formatCount(model.d)}</td>
                  <td>{formatNumber(kvOverX(model), 3)}x</td>
                  <td>{works ? 'yes' : `no (${positions(model)})`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="small">The cache sizes appear once the prediction above is answered.</p>
      )}
      <p>
        Numbers are values per token and layer. CodeGemma cannot use the X-cache: with RoPE the keys
        are rotated by their positions between <Tex>{'W_K'}</Tex> and the dot product, so{' '}
        <Tex>{'W_{K,i}^\\top X^\\top'}</Tex> is no longer one fixed matrix per head (
        <LessonLink slug="rope" />
        ). Position schemes that add to the scores instead (T5’s relative biases, ALiBi) are fine. A
        query bias folds in,{' '}
        <Tex>{'\\big((x\\,W_{Q,i} + b_{Q,i})\\,W_{K,i}^\\top\\big)X^\\top'}</Tex>; a key bias
        cancels in softmax and a value bias joins the output bias (<LessonLink slug="biases" />
        ).
      </p>
    </>
  );
}
