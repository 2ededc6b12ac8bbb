import { useMemo } from 'react';
import { matrixCodec, type UrlCodec } from '../components/useUrlState';
import { useLessonState } from './lessonState';
import { D, DEFAULT_WEIGHTS, type Mat, type ToyWeights } from './toyData';

/**
 * Largest magnitude of a toy-model entry. Far beyond any teaching example, and small enough that
 * every product the lessons run stays within float32's range (±3.4e38).
 */
export const TOY_MAX_ABS = 1e6;

/** A d × d matrix in the URL; any other shape, or an entry beyond TOY_MAX_ABS, reads as the default. */
export const toyMatrixCodec: UrlCodec<Mat> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    return m &&
      m.length === D &&
      m.every((r) => r.length === D && r.every((x) => Math.abs(x) <= TOY_MAX_ABS))
      ? m
      : undefined;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

/** URL keys of the toy weights; prev/next lesson links carry them so an edit follows the reader. */
export const WEIGHT_KEYS = { wQ: 'wq', wK: 'wk', wV: 'wv', wO: 'wo' } as const;

/**
 * The toy model's weights, shared by lessons 2–5 through the URL (issue 3: edited matrices are
 * part of the shareable state). Untouched matrices stay out of the URL. Edits apply at once and
 * reach the URL a moment later (lessonState.tsx), so a cell edit re-renders only the lesson.
 */
export function useToyWeights(): {
  weights: ToyWeights;
  set: (name: keyof ToyWeights, value: Mat) => void;
} {
  const [wQ, setQ] = useLessonState(WEIGHT_KEYS.wQ, toyMatrixCodec, DEFAULT_WEIGHTS.wQ);
  const [wK, setK] = useLessonState(WEIGHT_KEYS.wK, toyMatrixCodec, DEFAULT_WEIGHTS.wK);
  const [wV, setV] = useLessonState(WEIGHT_KEYS.wV, toyMatrixCodec, DEFAULT_WEIGHTS.wV);
  const [wO, setO] = useLessonState(WEIGHT_KEYS.wO, toyMatrixCodec, DEFAULT_WEIGHTS.wO);
  const weights = useMemo(() => ({ wQ, wK, wV, wO }), [wQ, wK, wV, wO]);
  const set = useMemo(() => {
    const setters = { wQ: setQ, wK: setK, wV: setV, wO: setO };
    return (name: keyof ToyWeights, value: Mat) => setters[name](value);
  }, [setQ, setK, setV, setO]);
  return { weights, set };
}
