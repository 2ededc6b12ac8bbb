/**
 * The primer's run of the toy model (lesson "Attention in one picture"): tokens arrive one at a
 * time into one engine attention layer with one head, and every arrival is opened up with the
 * backend ops that layer calls (projections, attnProbs, attnWeightedSum, W_O), paper §1. The
 * cache sizes come from the engine layer's own cache after each decode call.
 */
import { createAttention, type CacheStats } from '../../engine';
import { D, PROMPT_IDS, TOY_DTYPE, embed, type Mat, type ToyWeights } from '../common/toyData';
import { attentionWeights, hostRows, toyBackend } from '../common/toyEngine';
import { PATH_CONFIGS, generate } from '../common/toyRuns';

/** Tokens the primer feeds in: the three prompt tokens, then three the model picks itself. */
export const PRIMER_TOKENS = 6;

export interface PrimerStep {
  /** Tokens read so far, oldest first (this step's token is the last). */
  ids: number[];
  /** x_t: the new token's embedding. */
  x: number[];
  /** q_t = x_t·W_Q: what the new token looks for. */
  q: number[];
  /** K = X·W_K: one key row per token read so far (the K half of the cache). */
  K: Mat;
  /** V = X·W_V: one value row per token read so far (the V half of the cache). */
  V: Mat;
  /** q_t·k_jᵀ / √d for every cached row j. */
  scores: number[];
  /** softmax of the scores: how much of each value row the new token takes. */
  probs: number[];
  /** Σ_j p_j·v_j: the head's output for the new token (before W_O). */
  head: number[];
  /** head·W_O, from the ops above. */
  output: number[];
  /** The engine layer's own output row for this token (the same step, run by the layer). */
  layerOutput: number[];
  /** The layer's cache after this token (float32, as the other lessons count bytes). */
  cache: CacheStats;
}

/**
 * The token sequence: the prompt, then greedy tokens from the standard float64 path, so that the
 * later arrivals are the model's own predictions fed back in (paper §2's decode loop).
 */
export function primerTokens(w: ToyWeights): number[] {
  return [...PROMPT_IDS, ...generate(w, 1, PRIMER_TOKENS - PROMPT_IDS.length)];
}

/** Every arrival of `ids`, one decode call each, opened up on the float64 CPU backend. */
export function primerSteps(w: ToyWeights, ids: readonly number[]): PrimerStep[] {
  const weights = attentionWeights(w, 1);
  const b = toyBackend('float64');
  const scale = 1 / Math.sqrt(D);
  const X = embed(ids);

  // The layers themselves: every token arrives as a decode call, so the caches grow per token.
  const layer = createAttention(b, weights, PATH_CONFIGS.standard);
  const counter = createAttention(toyBackend(TOY_DTYPE), weights, PATH_CONFIGS.standard);
  const c = toyBackend(TOY_DTYPE);
  try {
    return X.map((xRow, t) => {
      const layerOutput = b.scope(() => hostRows(layer.decode(b.fromArray(xRow, [1, D])))[0]);
      c.scope(() => {
        counter.decode(c.fromArray(xRow, [1, D]));
      });
      const cache = counter.cacheStats();
      return b.scope(() => {
        const Xt = b.fromArray(X.slice(0, t + 1).flat(), [t + 1, D]);
        const x = b.sliceRows(Xt, t, t + 1);
        const q = b.matmul(x, b.fromArray(w.wQ.flat(), [D, D]));
        const K = b.matmul(Xt, b.fromArray(w.wK.flat(), [D, D]));
        const V = b.matmul(Xt, b.fromArray(w.wV.flat(), [D, D]));
        const scores = b.scale(b.matmul(q, K, { transposeB: true }), scale);
        const probs = b.attnProbs(q, K, { heads: 1, scale, causalOffset: t });
        const head = b.attnWeightedSum(probs, V, 1);
        const output = b.matmul(head, b.fromArray(w.wO.flat(), [D, D]));
        return {
          ids: ids.slice(0, t + 1),
          x: [...xRow],
          q: hostRows(q)[0],
          K: hostRows(K),
          V: hostRows(V),
          scores: hostRows(scores)[0],
          probs: hostRows(probs)[0],
          head: hostRows(head)[0],
          output: hostRows(output)[0],
          layerOutput,
          cache,
        };
      });
    });
  } finally {
    layer.dispose();
    counter.dispose();
  }
}

/** Rows held by the cache called `name` ('K' or 'V') in the layer's statistics. */
export function cacheRows(cache: CacheStats, name: string): number {
  return cache.caches.find((s) => s.name === name)?.rows ?? 0;
}
