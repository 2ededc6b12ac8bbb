/**
 * The toy model's data, shared by lessons 2–5: d = 4, one layer, one head (two in lesson 5), a
 * seven-word vocabulary with 4-dim embeddings, and integer weights chosen so that det(W_K) = 1,
 * hence W_K⁻¹ and W_KV = W_K⁻¹·W_V are integer matrices a student can check by hand. Plain
 * numbers only: inversion.ts and toyRuns.ts hand them to the engine.
 */
import type { DType } from '../../engine';

export type Mat = number[][];

export const D = 4;

export const VOCAB = ['I', 'am', 'a', 'student', 'teacher', 'cat', '.'] as const;

/** One embedding row per VOCAB entry (entries in {−1, 0, 1}, all rows distinct). */
export const EMBEDDINGS: Mat = [
  [1, 1, 0, 1],
  [1, 0, 1, 1],
  [0, 0, 1, 0],
  [0, 0, 0, -1],
  [1, 0, 0, 0],
  [1, 0, -1, -1],
  [0, 1, -1, -1],
];

/** "I am a". */
export const PROMPT_IDS: readonly number[] = [0, 1, 2];

export interface ToyWeights {
  wQ: Mat;
  wK: Mat;
  wV: Mat;
  wO: Mat;
}

/**
 * Defaults. W_K is unimodular (integer, det 1), so its inverse is an integer matrix; W_V is
 * integer, so W_KV is too. There is no positional encoding, so a step's prediction depends only
 * on the newest token and on which tokens are in the cache; these entries (all in {−1, 0, 1},
 * found with the embeddings above by a small hill-climbing search over such matrices) make that
 * enough for greedy decoding to continue "I am a" with "student . I am a", every choice winning
 * by a logit margin above 0.3, so float32 and float64 pick the same tokens. Both W_KV blocks of
 * the two-head split (lesson 5) have no zero row: each head reads every column of K.
 */
export const DEFAULT_WEIGHTS: Readonly<ToyWeights> = {
  wQ: [
    [0, 1, -1, -1],
    [0, 0, -1, 0],
    [0, -1, 1, -1],
    [1, 1, 0, 0],
  ],
  wK: [
    [-1, 1, 1, 1],
    [-1, 0, 1, 1],
    [0, 1, 1, 0],
    [1, 1, 1, 0],
  ],
  wV: [
    [0, -1, 0, 1],
    [-1, -1, 1, 1],
    [0, -1, 0, -1],
    [-1, -1, 1, 0],
  ],
  wO: [
    [0, 0, 0, 1],
    [1, 1, 0, 0],
    [1, -1, 0, -1],
    [0, 1, 0, 1],
  ],
};

/** Bytes per cached value in the toy runs: the float32 engine backend. */
export const TOY_DTYPE: DType = 'float32';

export function embed(ids: readonly number[]): Mat {
  return ids.map((id) => {
    const row = EMBEDDINGS[id];
    if (!row) throw new RangeError(`embed: no token with id ${id}`);
    return [...row];
  });
}

export function tokenText(id: number): string {
  return VOCAB[id] ?? `#${id}`;
}

/** Residual plus tied unembedding: logits_t = (x + y)·e_t for every vocabulary entry t. */
export function logitsOf(x: readonly number[], y: readonly number[]): number[] {
  return EMBEDDINGS.map((e) => e.reduce((s, ei, i) => s + ei * (x[i] + y[i]), 0));
}

export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
