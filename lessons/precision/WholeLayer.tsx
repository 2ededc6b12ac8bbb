import { memo, useMemo } from 'react';
import { Tex } from '../../components/Tex';
import { PathDiffTable } from '../common/PathDiffTable';
import { invertWk, nearSingular } from '../common/inversion';
import { SENTENCE_IDS, compareVariants, type PathOutputs } from '../common/toyRuns';
import { tokenText } from '../common/toyData';
import { TitleText } from '../common/TitleText';
import { useToyWeights } from '../common/useToyWeights';
import { fmt } from './common';
import { LessonLink } from '../common/LessonLink';

/**
 * The same σ₂ on the toy head of the earlier lessons: row 4 of W_K slides toward row 2 by σ₂
 * (lesson 2's near-singular W_K), and the engine's attention layers run standard and both slim
 * orders in float64 and float32.
 */
export const WholeLayer = memo(function WholeLayer({ exponent }: { exponent: number }) {
  const { weights } = useToyWeights();
  const sigma = 10 ** exponent;
  const run = useMemo(():
    { cond: number; f64: PathOutputs; f32: PathOutputs } | { error: string } => {
    const wK = nearSingular(weights.wK, sigma);
    const inv = invertWk(wK, weights.wV);
    if (!inv.wKV) return { error: inv.error ?? 'W_K has no inverse.' };
    const w = { ...weights, wK };
    return {
      cond: inv.cond,
      f64: compareVariants(w, SENTENCE_IDS, {}, 'float64'),
      f32: compareVariants(w, SENTENCE_IDS, {}, 'float32'),
    };
  }, [weights, sigma]);
  return (
    <>
      <h2>In a whole attention layer</h2>
      <p>
        The same slider acts on the 4×4 toy head of the earlier lessons: row 4 of its{' '}
        <Tex>{'W_K'}</Tex> slides toward row 2,{' '}
        <Tex>{'\\text{row}_4 = \\text{row}_2 + \\sigma_2\\,(\\text{row}_4 - \\text{row}_2)'}</Tex>,
        as in <LessonLink slug="invert-wk" />. The engine’s attention layers then run standard
        attention and both slim orders on “{SENTENCE_IDS.map(tokenText).join(' ')}”, and compare the
        last token’s output.
      </p>
      {'error' in run ? (
        <div className="notice-error" role="alert">
          <p>
            <TitleText text={run.error} />
          </p>
        </div>
      ) : (
        <>
          <p aria-live="polite">
            <Tex>{'\\operatorname{cond}(W_K)'}</Tex> of the toy head:{' '}
            <strong data-testid="layer-cond">{fmt(run.cond)}</strong>.
          </p>
          <PathDiffTable
            ariaLabel="slim versus standard with the near-singular W_K"
            heading="max |Δ| of the output"
            testId="precision"
            f64={run.f64}
            f32={run.f32}
          />
          <p className="small">
            In float64 slim attention still equals standard attention; in float32 the difference
            grows with <Tex>{'\\operatorname{cond}(W_K)'}</Tex>, as the 2×2 matrix predicted.
          </p>
        </>
      )}
    </>
  );
});
