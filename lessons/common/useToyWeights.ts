import { useMemo } from 'react';
import { matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonSearch, useLessonState } from './lessonState';
import { D, DEFAULT_WEIGHTS, type Mat, type ToyWeights } from './toyData';
import { formatCount, formatNumber } from '../../components/format';

/**
 * Largest magnitude of a toy-model entry. Far beyond any teaching example, and small enough that
 * every product the lessons run stays within float32's range (±3.4e38).
 */
export const TOY_MAX_ABS = 1e6;

/**
 * Smallest non-zero magnitude of a toy-model entry. Nearer zero, the float32 engine flushes the
 * entry's products to zero and float64 inversion loses precision (1e-310 is a subnormal, with
 * fewer significant digits): such entries are refused, in the editor and in links, with a message.
 */
export const TOY_MIN_ABS = 1e-30;

/** Why a matrix in a link is not used, as the end of a sentence; undefined when it is usable. */
export function toyMatrixProblem(s: string): string | undefined {
  const m = matrixCodec.parse(s);
  if (!m || m.length !== D || m.some((r) => r.length !== D))
    return `it is not a ${D} × ${D} matrix of numbers`;
  const entry = m.flat().find((x) => Math.abs(x) > TOY_MAX_ABS);
  if (entry !== undefined)
    return `its entry ${formatNumber(entry, 3)} is beyond ±${formatCount(TOY_MAX_ABS)}`;
  const tiny = m.flat().find((x) => x !== 0 && Math.abs(x) < TOY_MIN_ABS);
  if (tiny !== undefined)
    return `its entry ${formatNumber(tiny, 3)} is too close to zero to compute with (use 0, or a magnitude of at least ${formatNumber(TOY_MIN_ABS, 3)})`;
  return undefined;
}

/**
 * A d × d matrix in the URL; any other shape, or an entry beyond TOY_MAX_ABS or non-zero below
 * TOY_MIN_ABS, reads as the default (and useToyWeights reports why).
 */
export const toyMatrixCodec: UrlCodec<Mat> = {
  parse(s) {
    return toyMatrixProblem(s) === undefined ? matrixCodec.parse(s) : undefined;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

/** URL keys of the toy weights; prev/next lesson links carry them so an edit follows the reader. */
export const WEIGHT_KEYS = { wQ: 'wq', wK: 'wk', wV: 'wv', wO: 'wo' } as const;

/** Matrices in the address that were not used, with why (sentences for LinkWeightsNotice). */
export function useRefusedLinkWeights(): { name: keyof ToyWeights; why: string }[] {
  const search = useLessonSearch();
  return (Object.keys(WEIGHT_KEYS) as (keyof ToyWeights)[]).flatMap((name) => {
    const raw = search.get(WEIGHT_KEYS[name]);
    const why = raw === null ? undefined : toyMatrixProblem(raw);
    return why ? [{ name, why }] : [];
  });
}

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
