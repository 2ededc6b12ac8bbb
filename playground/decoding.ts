/**
 * The Playground's pure helpers around decoding: the decoding controls as the engine's Sampling,
 * and the comparison of the standard and slim runs (first divergence). No React; the worker and
 * the page both use it. The token choice itself is the engine's (engine/sampling.ts).
 */
import type { Sampling } from '../engine';

/** The Generate panel's decoding controls. */
export interface DecodingControls {
  decoding: 'greedy' | 'sample';
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  repetitionPenalty: number;
}

/**
 * The controls as the engine's Sampling: greedy ignores temperature, top-k, top-p and seed
 * (the repetition penalty applies to both, as in transformers).
 */
export function samplingOf(c: DecodingControls): Sampling {
  const penalty = c.repetitionPenalty === 1 ? {} : { repetitionPenalty: c.repetitionPenalty };
  if (c.decoding === 'greedy') return penalty;
  return { temperature: c.temperature, topK: c.topK, topP: c.topP, seed: c.seed, ...penalty };
}

/** One decode step of both runs, as the worker reports it. */
export interface StepReport {
  /** 1-based count of generated tokens. */
  step: number;
  standardToken: number;
  /** null when the slim side does not run (its W_K has no usable inverse, say). */
  slimToken: number | null;
  /** max over the vocabulary of |logit_standard − logit_slim| at this step (null: no slim side). */
  maxAbsDelta: number | null;
  /** Largest minus second-largest logit of the standard run at this step. */
  margin: number;
  /** Tokens held in each cache after this step (prompt + generated). */
  cachedTokens: number;
  /** Bytes of the filled cache rows over all layers, measured from the engine's allocations. */
  standardCacheBytes: number;
  slimCacheBytes: number | null;
}

export type Verdict =
  | { identical: true; steps: number }
  | { identical: false; step: number; margin: number; standardToken: number; slimToken: number };

/**
 * "tokens identical: yes", or the first step where the runs chose different tokens (steps
 * without a slim side compare nothing).
 */
export function compareRuns(steps: readonly StepReport[]): Verdict {
  for (const s of steps)
    if (s.slimToken !== null && s.standardToken !== s.slimToken)
      return {
        identical: false,
        step: s.step,
        margin: s.margin,
        standardToken: s.standardToken,
        slimToken: s.slimToken,
      };
  return { identical: true, steps: steps.length };
}

/** Largest max |Δ logits| up to (and including) the first divergence, the comparable steps. */
export function maxDeltaUntilDivergence(steps: readonly StepReport[]): number {
  let max = 0;
  for (const s of steps) {
    max = Math.max(max, s.maxAbsDelta ?? 0);
    if (s.slimToken !== null && s.standardToken !== s.slimToken) break;
  }
  return max;
}
