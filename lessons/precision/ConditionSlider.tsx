import { useDeferredValue, useMemo, useState } from 'react';
import { UNIT_ROUNDOFF, roundingErrorEstimate } from '../../engine';
import { MatrixView } from '../../components/MatrixView';
import { Slider } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { formatRebuildError as err } from '../../components/LayerReportTable';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { fmt } from './common';
import { errorChart, errorLegend, RULE_DASH } from './errorChart';
import { SIGMA_EXPONENTS, TOY_WV } from './toy';
import { sweepIndex, type ToySigma } from './useToySigma';

/** The checkpoint asks about float16 at cond(W_K) = 10⁴. */
const ASK_F16_EXPONENT = -4;

/**
 * The condition number, then a 2×2 W_K whose σ₂ the reader slides: its float32 error, a
 * prediction of the float16 one, and both against cond(W_K) in a chart.
 */
export function ConditionSlider({ sigma }: { sigma: ToySigma }) {
  const { sweep, index, toy, setExponent } = sigma;
  const { row } = toy;
  const [f16Revealed, setF16Revealed] = useState(false);
  // The chart follows in a deferred render, so a drag moves the slider and the numbers each frame.
  const chartIndex = useDeferredValue(index);
  const chart = useMemo(
    () => errorChart(sweep, chartIndex, f16Revealed),
    [sweep, chartIndex, f16Revealed],
  );

  const askF16 = sweep[sweepIndex(ASK_F16_EXPONENT)].row;
  const f16Answer = askF16.f16KtoV;
  // Three orders of magnitude; the right one is the nearest to the measured error.
  const f16Choices = [
    { label: 'About 10⁻⁷, as small as float32 gets', value: 1e-7 },
    { label: 'About 5·10⁻⁴, float16’s own rounding', value: UNIT_ROUNDOFF.float16 },
    { label: 'Around 1: most of V is lost', value: 1 },
  ];
  const nearest = f16Choices.reduce((best, c) =>
    Math.abs(Math.log10(c.value / f16Answer)) < Math.abs(Math.log10(best.value / f16Answer))
      ? c
      : best,
  );

  return (
    <>
      <h2>The condition number</h2>
      <p>
        Every matrix stretches some directions more than others. Its <em>singular values</em>{' '}
        <Tex>{'\\sigma_1 \\ge \\sigma_2 \\ge \\dots'}</Tex> are those stretch factors, and its
        condition number is the ratio of the largest to the smallest:{' '}
        <Tex>{'\\operatorname{cond}(W_K) = \\sigma_{\\max} / \\sigma_{\\min}'}</Tex>. Undoing{' '}
        <Tex>{'W_K'}</Tex> (multiplying by <Tex>{'W_K^{-1}'}</Tex>) shrinks the stretched directions
        and blows the squashed one up by <Tex>{'1/\\sigma_{\\min}'}</Tex>: a relative error already
        in K can come out up to <Tex>{'\\operatorname{cond}(W_K)'}</Tex> times larger in V.
      </p>

      <h2>
        A 2×2 <Tex>{'W_K'}</Tex> you can break
      </h2>
      <p>
        Here <Tex>{'W_K = U \\operatorname{diag}(1, \\sigma_2)\\, V^\\top'}</Tex> with two fixed
        rotations U and V, so its singular values are 1 and <Tex>{'\\sigma_2'}</Tex> and{' '}
        <Tex>{'\\operatorname{cond}(W_K) = 1/\\sigma_2'}</Tex>. Take the two inputs (1, 0) and (0,
        1): their keys are the rows of <Tex>{'W_K'}</Tex>, their values the rows of{' '}
        <Tex>{'W_V'}</Tex>, and slim attention rebuilds those values as <Tex>{'W_K W_{KV}'}</Tex>.
        The engine forms <Tex>{'W_{KV}'}</Tex> in float64, stores <Tex>{'W_K'}</Tex> and{' '}
        <Tex>{'W_{KV}'}</Tex> in the model’s format, multiplies them with float32 sums, and reports
        the relative error: the largest wrong entry over the largest entry of <Tex>{'W_V'}</Tex>.
      </p>
      <Slider
        label={
          <>
            <Tex>{'\\sigma_2'}</Tex>, the smaller singular value of <Tex>{'W_K'}</Tex>
          </>
        }
        min={SIGMA_EXPONENTS[SIGMA_EXPONENTS.length - 1]}
        max={0}
        step={0.25}
        value={toy.exponent}
        onChange={setExponent}
        valueText={`σ₂ = ${fmt(toy.sigma)}`}
      />
      <div className="matrix-row">
        <MatrixView label="toy W_K" caption={<Tex>{'W_K'}</Tex>} value={toy.wK} />
        <MatrixView label="toy W_V" caption={<Tex>{'W_V'}</Tex>} value={TOY_WV} />
        <MatrixView
          label="toy W_KV"
          caption={<Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>}
          value={toy.wKV}
        />
      </div>
      <p aria-live="polite">
        <Tex>{'\\operatorname{cond}(W_K)'}</Tex> ={' '}
        <strong data-testid="toy-cond">{fmt(row.condK)}</strong>. V rebuilt in float32: relative
        error <strong data-testid="toy-f32">{err(row.f32KtoV)}</strong>; cond × u for float32 ={' '}
        <strong data-testid="toy-f32-rule">
          {fmt(roundingErrorEstimate(row.condK, 'float32'))}
        </strong>
        . Slide <Tex>{'\\sigma_2'}</Tex> down and watch the entries of <Tex>{'W_{KV}'}</Tex> grow
        like <Tex>{'1/\\sigma_2'}</Tex>, and the error with them.
      </p>

      <LessonCheckpoint
        id="fp16-error"
        onRevealed={setF16Revealed}
        question={
          <>
            Now store the same weights in float16 (<Tex>{'u = 2^{-11}'}</Tex>, about 5·10⁻⁴). At{' '}
            <Tex>{'\\operatorname{cond}(W_K)'}</Tex> = 10⁴, roughly how large is the relative error
            of the rebuilt V?
          </>
        }
        choices={f16Choices.map((c) => ({ label: c.label, correct: c === nearest }))}
        explanation={
          <p>
            The engine measures <strong data-testid="ask-f16">{err(askF16.f16KtoV)}</strong> at{' '}
            <Tex>{'\\operatorname{cond}(W_K)'}</Tex> = {fmt(askF16.condK)}. The rule of thumb: the
            error is about <Tex>{'\\operatorname{cond}(W_K)\\cdot u'}</Tex> ={' '}
            {fmt(roundingErrorEstimate(askF16.condK, 'float16'))} here. A model stored in float16
            cannot use this <Tex>{'W_{KV}'}</Tex> at all.
          </p>
        }
      />
      {f16Revealed ? (
        <p aria-live="polite">
          float16 at the slider’s <Tex>{'W_K'}</Tex>: relative error{' '}
          <strong data-testid="toy-f16">{err(row.f16KtoV)}</strong>; cond × u for float16 ={' '}
          <strong data-testid="toy-f16-rule">
            {fmt(roundingErrorEstimate(row.condK, 'float16'))}
          </strong>
          .
        </p>
      ) : (
        <p className="small">The float16 error appears here once the prediction is revealed.</p>
      )}
      <ul className="line-legend" aria-label="chart legend">
        {errorLegend(f16Revealed).map((e) => (
          <li key={e.label} data-color={e.color} data-dashed={e.dashed ? 'yes' : 'no'}>
            <svg width="28" height="10" aria-hidden="true">
              <line
                x1="1"
                y1="5"
                x2="27"
                y2="5"
                stroke={e.color}
                strokeWidth="2"
                strokeDasharray={e.dashed ? RULE_DASH : undefined}
              />
            </svg>{' '}
            {e.label}
          </li>
        ))}
      </ul>
      <PlotFigure
        ariaLabel="Relative error of V rebuilt from K against cond(W_K)"
        options={chart}
      />
      <p className="small">
        The rule of thumb, <Tex>{'\\text{error} \\approx \\operatorname{cond}(W_K)\\cdot u'}</Tex>{' '}
        (dashed), gives the size, not the exact value: the measured error (solid) wanders below it
        and is sometimes exactly 0 when every rounding happens to cancel (drawn at 10⁻⁹). Past 1
        nothing of V is left.
        {f16Revealed && (
          <>
            {' '}
            The float16 line stops where the entries of <Tex>{'W_{KV}'}</Tex> pass 65,504, the
            largest number float16 can hold: no float16 model can even store that{' '}
            <Tex>{'W_{KV}'}</Tex>.
          </>
        )}
      </p>
    </>
  );
}
