import { useMemo } from 'react';
import { matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import type { Mat } from '../common/toyData';
import { NS_D, NS_DEFAULT_WEIGHTS, NS_E, type NonSquareWeights } from './toy';

/** A d × e projection in the URL: 2 × 4 numbers within the toy's range, else the default. */
const projectionCodec: UrlCodec<Mat> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    if (!m || m.length !== NS_D || m.some((r) => r.length !== NS_E)) return undefined;
    if (m.flat().some((x) => Math.abs(x) > TOY_MAX_ABS || (x !== 0 && Math.abs(x) < TOY_MIN_ABS)))
      return undefined;
    return m;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

const KEYS: Record<keyof NonSquareWeights, string> = { wQ: 'nsq', wK: 'nsk', wV: 'nsv' };

/** The toy's W_Q, W_K and W_V, kept in the URL, and one setter by name. */
export function useNonSquareWeights() {
  const [wQ, setQ] = useLessonState(KEYS.wQ, projectionCodec, NS_DEFAULT_WEIGHTS.wQ);
  const [wK, setK] = useLessonState(KEYS.wK, projectionCodec, NS_DEFAULT_WEIGHTS.wK);
  const [wV, setV] = useLessonState(KEYS.wV, projectionCodec, NS_DEFAULT_WEIGHTS.wV);
  const weights = useMemo(() => ({ wQ, wK, wV }), [wQ, wK, wV]);
  const setters = { wQ: setQ, wK: setK, wV: setV };
  return { weights, set: (name: keyof NonSquareWeights, m: Mat) => setters[name](m) };
}
