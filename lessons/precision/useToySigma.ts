import { numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { SIGMA_EXPONENTS, toySweep } from './toy';

/** The default slider position: σ₂ = 0.1, cond(W_K) = 10. */
const DEFAULT_EXPONENT = -1;

/** The slider's nearest quarter decade (a hand-edited link may lie between, or outside). */
export function sweepIndex(exponent: number): number {
  const i = Math.round(-exponent * 4);
  return Math.min(SIGMA_EXPONENTS.length - 1, Math.max(0, Number.isFinite(i) ? i : 4));
}

/**
 * The σ₂ slider's state, in the URL: the whole sweep, the slider's place in it and the toy there.
 * The toy sections and the whole layer all follow it.
 */
export function useToySigma() {
  const [exponent, setExponent] = useLessonState('sigma', numberCodec, DEFAULT_EXPONENT);
  const sweep = toySweep();
  const index = sweepIndex(exponent);
  return { sweep, index, toy: sweep[index], setExponent };
}

export type ToySigma = ReturnType<typeof useToySigma>;
