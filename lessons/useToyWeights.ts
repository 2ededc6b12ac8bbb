import { useMemo } from 'react';
import { matrixCodec, useUrlState, type UrlCodec } from '../components/useUrlState';
import { D, DEFAULT_WEIGHTS, type Mat, type ToyWeights } from './toyModel';

/** A d × d matrix in the URL; any other shape reads as "use the default". */
export const toyMatrixCodec: UrlCodec<Mat> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    return m && m.length === D && m.every((r) => r.length === D) ? m : undefined;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

/** URL keys of the toy weights; prev/next lesson links carry them so an edit follows the reader. */
export const WEIGHT_KEYS = { wQ: 'wq', wK: 'wk', wV: 'wv', wO: 'wo' } as const;

/**
 * The toy model's weights, shared by lessons 2–5 through the URL (issue 3: edited matrices are
 * part of the shareable state). Untouched matrices stay out of the URL.
 */
export function useToyWeights(): {
  weights: ToyWeights;
  set: (name: keyof ToyWeights, value: Mat) => void;
} {
  const [wQ, setQ] = useUrlState(WEIGHT_KEYS.wQ, toyMatrixCodec, DEFAULT_WEIGHTS.wQ);
  const [wK, setK] = useUrlState(WEIGHT_KEYS.wK, toyMatrixCodec, DEFAULT_WEIGHTS.wK);
  const [wV, setV] = useUrlState(WEIGHT_KEYS.wV, toyMatrixCodec, DEFAULT_WEIGHTS.wV);
  const [wO, setO] = useUrlState(WEIGHT_KEYS.wO, toyMatrixCodec, DEFAULT_WEIGHTS.wO);
  const weights = useMemo(() => ({ wQ, wK, wV, wO }), [wQ, wK, wV, wO]);
  const setters = { wQ: setQ, wK: setK, wV: setV, wO: setO };
  return { weights, set: (name, value) => setters[name](value) };
}
