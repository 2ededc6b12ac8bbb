import { useMemo } from 'react';
import { clampStep } from '../../components/Slider';
import { numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { useClassroom } from '../common/lessonStateClassroom';
import { Tex } from '../../components/Tex';
import { invertWk } from '../common/inversion';
import { WeightsPanel } from '../common/WeightsPanel';
import { useToyWeights } from '../common/useToyWeights';
import { DecodeSteps } from './DecodeSteps';
import { MAX_STEPS } from './steps';
import { LessonLink } from '../common/LessonLink';

export { MAX_STEPS };

export function GenerateLesson() {
  const { weights, set } = useToyWeights();
  const [rawSteps, setSteps] = useLessonState('gen', numberCodec, 0);
  // Presented, the deck holds a decode step opened up (StepDetail) from the start: its first
  // step runs without a press of Generate, so the deck's steps never change mid-lesson.
  const { presenting } = useClassroom();
  const minSteps = presenting ? 1 : 0;
  const steps = clampStep(rawSteps, minSteps, MAX_STEPS);
  const invertible = useMemo(() => invertWk(weights.wK, weights.wV).wKV !== undefined, [weights]);

  return (
    <>
      <p>
        Now the model writes. Each decode step takes the newest token <Tex>{'x_n'}</Tex>, makes its
        query <Tex>{'q = x_n W_Q'}</Tex> and its key, appends the key to the cache, and attends over
        all <Tex>{'n'}</Tex> cached rows:
      </p>
      <Tex block>
        {
          's = \\operatorname{softmax}\\!\\Big(\\frac{q K^\\top}{\\sqrt{d_k}}\\Big),\\qquad \\text{head} = s\\,V'
        }
      </Tex>
      <p>
        Slim attention has no V, so it has two ways to get <Tex>{'s\\,V'}</Tex> from K (paper §2).{' '}
        The <strong>V-first order</strong> (paper §2, option 1) rebuilds V first:{' '}
        <Tex>{'V = K W_{KV}'}</Tex>, then <Tex>{'s\\,V'}</Tex>. The <strong>K-first order</strong>{' '}
        (paper §2, option 2) multiplies the other way round: <Tex>{'(s\\,K)\\,W_{KV}'}</Tex>. Matrix
        products are associative, so both equal <Tex>{'s\\,X W_V'}</Tex> — but they cost very
        different amounts.
      </p>

      <WeightsPanel
        weights={weights}
        set={set}
        names={['wQ', 'wK', 'wV', 'wO']}
        hint={
          <>
            Change any entry: all three paths below follow, and they keep agreeing as long as{' '}
            <Tex>{'W_K'}</Tex> stays invertible. Slim attention never uses <Tex>{'W_V'}</Tex> at
            decode time, only <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>.
          </>
        }
      />
      {invertible ? (
        <DecodeSteps weights={weights} steps={steps} minSteps={minSteps} setSteps={setSteps} />
      ) : (
        <div className="notice-error" role="alert">
          <p>
            This <Tex>{'W_K'}</Tex> has no inverse, so slim attention cannot rebuild V from K and
            this lesson has nothing to compare. <LessonLink slug="invert-wk" /> shows why; change a
            cell back, or press “Restore the default weights”.
          </p>
        </div>
      )}
    </>
  );
}
