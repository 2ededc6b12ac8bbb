import { TitleText } from '../common/TitleText';
import { useMemo, useState } from 'react';
import { MatrixEditor } from '../../components/MatrixEditor';
import { Tex } from '../../components/Tex';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { formatNumber } from '../../components/format';
import { exactDet, formatFraction, toFractionMatrix } from '../common/exact';
import { analyseSingular } from './singular';
import { DEFAULT_WEIGHTS } from '../common/toyData';
import { invertWk, nearSingular } from '../common/inversion';
import { useToyWeights, TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import { LinkWeightsNotice } from '../common/LinkWeightsNotice';
import { CopyRow } from './CopyRow';
import { ExactInverse } from './ExactInverse';
import { NearlySingular } from './NearlySingular';
import { SingularExplanation } from './SingularExplanation';
import { exactWkv } from './exactWkv';

/** The default W_K's exact determinant (±1 by construction, see toyModel.ts). */
const DEFAULT_DET = formatFraction(exactDet(toFractionMatrix(DEFAULT_WEIGHTS.wK)));

export function InvertWkLesson() {
  const { weights, set } = useToyWeights();
  const { wK, wV } = weights;
  // The inverse's entries answer the "integer-inverse" question: they show once it is revealed.
  const [inverseRevealed, setInverseRevealed] = useState(false);

  const inversion = useMemo(() => invertWk(wK, wV), [wK, wV]);
  const singular = useMemo(() => analyseSingular(wK, wV), [wK, wV]);
  const exact = useMemo(
    () => (singular.singular ? undefined : exactWkv(wK, wV)),
    [wK, wV, singular.singular],
  );

  const rowsEqualHighlight = (i: number) =>
    singular.reason?.kind === 'equal-rows' || singular.reason?.kind === 'multiple-rows'
      ? singular.reason.rows.includes(i)
      : singular.reason?.kind === 'zero-row' && singular.reason.row === i;

  const copyRow = useMemo(() => nearSingular(wK, 0), [wK]);

  return (
    <>
      <p>
        Every key is the input seen through one matrix: <Tex>{'K = X\\,W_K'}</Tex>. If{' '}
        <Tex>{'W_K'}</Tex> is square and invertible, the input can be recovered from the key, and
        then so can the value:
      </p>
      {/* Two halves that sit side by side on a wide screen and stack on a phone (no clipping). */}
      <div className="equation-row">
        <Tex block>{'X = K\\,W_K^{-1} \\quad\\Rightarrow'}</Tex>
        <Tex block>{'V = X\\,W_V = K\\,\\underbrace{W_K^{-1} W_V}_{W_{KV}}'}</Tex>
      </div>
      <p>
        <Tex>{'W_{KV}'}</Tex> is computed once, offline, and stored instead of <Tex>{'W_V'}</Tex>.
        Below is the toy model’s <Tex>{'W_K'}</Tex>: small integers, and by default{' '}
        <Tex>{`\\det W_K = ${DEFAULT_DET}`}</Tex>. Edit any cell — type, use the arrow keys, or drag
        sideways (hold Shift for steps of 0.1) — and everything below follows.
      </p>

      <LinkWeightsNotice />
      <div className="matrix-row">
        <MatrixEditor
          label="W_K"
          caption={<Tex>{'W_K'}</Tex>}
          value={wK}
          onChange={(m) => set('wK', m)}
          maxAbs={TOY_MAX_ABS}
          minAbs={TOY_MIN_ABS}
          highlight={(i) => singular.singular && rowsEqualHighlight(i)}
        />
        <MatrixEditor
          label="W_V"
          caption={<Tex>{'W_V'}</Tex>}
          value={wV}
          onChange={(m) => set('wV', m)}
          maxAbs={TOY_MAX_ABS}
          minAbs={TOY_MIN_ABS}
        />
        <div className="det-box" aria-live="polite">
          <p>
            <Tex>{'\\det W_K'}</Tex> = <strong data-testid="det-exact">{singular.det}</strong>
          </p>
          <p className="small">
            float64 LU: <span data-testid="det-float">{formatNumber(inversion.det, 8)}</span>
            <br />
            <Tex>{'\\operatorname{cond}(W_K)'}</Tex> ={' '}
            <span data-testid="cond">
              {/* Exact rank decides: SVD of a singular matrix returns σmin ≈ 1e-16, not 0. */}
              {formatNumber(singular.singular ? Infinity : inversion.cond, 4)}
            </span>
          </p>
          {!singular.singular ? (
            <button type="button" onClick={() => set('wK', copyRow)}>
              Break it: copy row 2 into row 4
            </button>
          ) : (
            <button
              type="button"
              onClick={() =>
                set(
                  'wK',
                  DEFAULT_WEIGHTS.wK.map((r) => [...r]),
                )
              }
            >
              <TitleText text="Restore the default W_K" named />
            </button>
          )}
        </div>
      </div>

      <LessonCheckpoint
        id="integer-inverse"
        onRevealed={setInverseRevealed}
        question={
          <>
            Look at the current <Tex>{'W_K'}</Tex> (det = {singular.det}). Before scrolling down:
            what kind of numbers does <Tex>{'W_K^{-1}'}</Tex> contain?
          </>
        }
        choices={[
          { label: 'Only integers', correct: !!exact?.allInteger },
          { label: 'Fractions, not all integers', correct: !!exact && !exact.allInteger },
          { label: 'Irrational numbers such as √2', correct: false },
          { label: 'There is no inverse', correct: !exact },
        ]}
        explanation={
          <p>
            {exact ? (
              <>
                <Tex>{'W_K^{-1} = \\operatorname{adj}(W_K) / \\det(W_K)'}</Tex>. The adjugate holds
                3×3 determinants of <Tex>{'W_K'}</Tex>’s entries; dividing by det = {singular.det}{' '}
                {exact.allInteger ? 'leaves integers' : 'gives fractions'}. It is never irrational:
                inverting uses only +, −, ×, ÷.
              </>
            ) : (
              <>
                <Tex>{'\\det(W_K) = 0'}</Tex>, so there is nothing to divide by: no inverse exists.
              </>
            )}
          </p>
        }
      />
      {singular.singular ? (
        <SingularExplanation a={singular} />
      ) : !inverseRevealed ? (
        <p className="small">
          The inverse, <Tex>{'W_{KV}'}</Tex> and V from K appear once the question above is
          answered.
        </p>
      ) : (
        exact &&
        inversion.wKInv &&
        inversion.wKV && <ExactInverse wK={wK} wV={wV} exact={exact} inversion={inversion} />
      )}

      <CopyRow copied={copyRow} det={singular.det} />
      <NearlySingular />
    </>
  );
}
