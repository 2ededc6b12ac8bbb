import { useState } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatRebuildError as err } from '../../components/LayerReportTable';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { PAPER, fmt } from './common';
import { sweepIndex, type ToySigma } from './useToySigma';
import { LessonLink } from '../common/LessonLink';
import { TableScroll } from '../../components/TableScroll';

/** The checkpoint asks about cond(W_K) = 10⁶. */
const ASK_DIRECTION_EXPONENT = -6;

/** The mirror image (cache V, rebuild K): which direction wins, asked, then measured on the toy. */
export function CacheDirection({ sigma }: { sigma: ToySigma }) {
  const { sweep, toy } = sigma;
  const { row } = toy;
  const [directionRevealed, setDirectionRevealed] = useState(false);
  const askDirection = sweep[sweepIndex(ASK_DIRECTION_EXPONENT)].row;
  const vCacheWins = askDirection.f32VtoK < askDirection.f32KtoV;

  return (
    <>
      <h2>The other direction: cache V, rebuild K</h2>
      <p>
        Nothing forces the choice of K. <a href={PAPER}>Appendix C</a> notes the mirror image for a
        model without RoPE: cache V and rebuild <Tex>{'K = V\\,W_{VK}'}</Tex> with{' '}
        <Tex>{'W_{VK} = W_V^{-1} W_K'}</Tex>. The same argument applies with the roles swapped: its
        error is about <Tex>{'\\operatorname{cond}(W_V)\\cdot u'}</Tex>. In the toy,{' '}
        <Tex>{'W_V'}</Tex> never moves: <Tex>{'\\operatorname{cond}(W_V)'}</Tex> ={' '}
        <strong data-testid="toy-condv">{fmt(row.condV)}</strong>.
      </p>
      <LessonCheckpoint
        id="better-direction"
        onRevealed={setDirectionRevealed}
        question={
          <>
            At <Tex>{'\\operatorname{cond}(W_K)'}</Tex> = 10⁶ (<Tex>{'\\sigma_2'}</Tex> = 10⁻⁶),
            which rebuild is more accurate in float32?
          </>
        }
        choices={[
          { label: 'V from K (the K-cache)', correct: !vCacheWins },
          { label: 'K from V (the V-cache)', correct: vCacheWins },
          { label: 'Both the same: the cache holds the same number of values', correct: false },
        ]}
        explanation={
          <p>
            V from K errs by <strong data-testid="ask-ktov">{err(askDirection.f32KtoV)}</strong>, K
            from V by <strong data-testid="ask-vtok">{err(askDirection.f32VtoK)}</strong>: each
            direction inherits the condition number of the matrix it inverts, and here{' '}
            <Tex>{'W_V'}</Tex> is the well-conditioned one. Both caches are the same size, so
            nothing is lost by caching V instead.
          </p>
        }
      />
      {directionRevealed && (
        <>
          <TableScroll label="Toy rebuild errors per direction">
            <table className="diff-table" aria-label="toy rebuild errors per direction">
              <ColumnHeads columns={['rebuild', 'inverts', 'cond', 'float32', 'float16']} />
              <tbody>
                <tr>
                  <th scope="row">V from K (K-cache)</th>
                  <td>
                    <Tex>{'W_K'}</Tex>
                  </td>
                  <td>{fmt(row.condK)}</td>
                  <td data-testid="toy-dir-f32-k">{err(row.f32KtoV)}</td>
                  <td data-testid="toy-dir-f16-k">{err(row.f16KtoV)}</td>
                </tr>
                <tr>
                  <th scope="row">K from V (V-cache)</th>
                  <td>
                    <Tex>{'W_V'}</Tex>
                  </td>
                  <td>{fmt(row.condV)}</td>
                  <td data-testid="toy-dir-f32-v">{err(row.f32VtoK)}</td>
                  <td data-testid="toy-dir-f16-v">{err(row.f16VtoK)}</td>
                </tr>
              </tbody>
            </table>
          </TableScroll>
          <p>
            For this <Tex>{'W_K'}</Tex> the engine picks the{' '}
            <strong data-testid="toy-direction">
              {row.direction === 'v-cache' ? 'V-cache' : 'K-cache'}
            </strong>
            : it measures both float32 errors and keeps the smaller. A real model does this per
            layer, since each layer has its own <Tex>{'W_K'}</Tex> and <Tex>{'W_V'}</Tex>; a model
            with RoPE can only cache K (<LessonLink slug="rope" />
            ).
          </p>
        </>
      )}
    </>
  );
}
