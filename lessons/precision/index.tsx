import { useDeferredValue } from 'react';
import { Tex } from '../../components/Tex';
import { CacheDirection } from './CacheDirection';
import { ConditionSlider } from './ConditionSlider';
import { DefaultModels } from './DefaultModels';
import { LayerDecision } from './LayerDecision';
import { PAPER } from './common';
import { UnitRoundoff } from './UnitRoundoff';
import { useToySigma } from './useToySigma';
import { WhisperStudy } from './WhisperStudy';
import { WholeLayer } from './WholeLayer';
import './precision.css';
import { LessonLink } from '../common/LessonLink';

export function PrecisionLesson() {
  const sigma = useToySigma();
  // The whole layer reruns the toy head three ways: it follows the slider in a deferred render.
  const layerExponent = useDeferredValue(sigma.toy.exponent);
  return (
    <>
      <p>
        Slim attention caches only K and rebuilds <Tex>{'V = K\\,W_{KV}'}</Tex> with{' '}
        <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex> (<LessonLink slug="invert-wk" />
        ). In exact arithmetic that is the same V. A computer keeps every number with a fixed count
        of binary digits, and <a href={PAPER}>the paper’s Appendix A</a> names the catch:{' '}
        <Tex>{'W_K'}</Tex> can be invertible and still <em>badly conditioned</em>, and then the
        small rounding of each stored number grows into a large error in V. This lesson measures how
        large, on a 2×2 matrix you control and on every layer of the two models that ship with the
        app.
      </p>
      <UnitRoundoff />
      <ConditionSlider sigma={sigma} />
      <CacheDirection sigma={sigma} />
      <WholeLayer exponent={layerExponent} />
      <DefaultModels />
      <WhisperStudy />
      <LayerDecision />
    </>
  );
}
