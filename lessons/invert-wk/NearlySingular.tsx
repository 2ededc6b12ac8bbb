import { useDeferredValue, useMemo } from 'react';
import { numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { Tex } from '../../components/Tex';
import { Slider, clampStep } from '../../components/Slider';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { formatNumber } from '../../components/format';
import { paperPrecisionStudy } from '../../roofline';
import { LessonLink } from '../common/LessonLink';
import { EPS_STEPS, conditioningChart, defaultSweep } from './conditioningChart';

/** Slide row 4 of the default W_K toward row 2: cond(W_K) against V's float32 error. */
export function NearlySingular() {
  const [epsExp, setEpsExp] = useLessonState('eps', numberCodec, -3);

  const sweep = defaultSweep();
  // The nearest quarter decade on the slider's grid (a hand-edited link may lie between).
  const epsIndex = clampStep(-epsExp * 4, 0, EPS_STEPS.length - 1);
  const current = sweep[epsIndex];
  // The chart follows in a deferred render, so a drag moves the slider and the numbers each frame.
  const chartIndex = useDeferredValue(epsIndex);
  const plotOptions = useMemo(() => conditioningChart(sweep, chartIndex), [sweep, chartIndex]);

  return (
    <>
      <h2>Nearly singular: the condition number</h2>
      <p>
        Exactly singular is rare; <em>nearly</em> singular is not. Take the default{' '}
        <Tex>{'W_K'}</Tex> and slide row 4 toward row 2:{' '}
        <Tex>
          {
            '\\text{row}_4(\\varepsilon) = \\text{row}_2 + \\varepsilon\\,(\\text{row}_4 - \\text{row}_2)'
          }
        </Tex>
        . The determinant shrinks to <Tex>{'\\varepsilon \\det W_K'}</Tex>, the inverse’s entries
        grow like <Tex>{'1/\\varepsilon'}</Tex>, and so does the condition number. Keys are cached
        in float32 (about 7 significant digits); <Tex>{'W_{KV}'}</Tex> multiplies their rounding
        errors by up to <Tex>{'\\operatorname{cond}(W_K)'}</Tex>.
      </p>
      <Slider
        label="ε (row 4 → row 2)"
        min={EPS_STEPS[EPS_STEPS.length - 1]}
        max={0}
        step={0.25}
        value={EPS_STEPS[epsIndex]}
        onChange={setEpsExp}
        valueText={`ε = ${formatNumber(current.epsilon, 3)}`}
      />
      <p aria-live="polite">
        <Tex>{'\\operatorname{cond}(W_K(\\varepsilon))'}</Tex> ={' '}
        <strong data-testid="sweep-cond">{formatNumber(current.cond, 3)}</strong>; relative error of
        V rebuilt from a float32 K-cache:{' '}
        <strong data-testid="sweep-error">{formatNumber(current.float32Error, 3)}</strong>.
      </p>
      <PlotFigure
        ariaLabel="Relative float32 reconstruction error against condition number"
        options={plotOptions}
      />
      <p className="small">
        The error tracks cond × 6e-8 (dashed: float32’s rounding unit times cond) until, around cond
        ≈ 1e8, float32 can no longer tell row 4 from row 2 at all and V is lost. Real models go
        further: Whisper-large-v3 has cross-attention layers with{' '}
        <Tex>{'\\operatorname{cond}(W_K)'}</Tex> up to {paperPrecisionStudy.crossCondK.max} (a later
        study following the paper’s Appendix A; <LessonLink slug="precision" /> gives its source):
        that is why <Tex>{'W_{KV}'}</Tex> is computed in float64 and why conditioning is measured,
        not assumed.
      </p>
    </>
  );
}
