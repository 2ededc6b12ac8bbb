/**
 * The Playground's pure decoding logic: choosing the next token (greedy, or seeded sampling with
 * temperature and top-k), the logit margin of a choice, and the comparison of the standard and
 * slim runs (first divergence). No React, no engine: the worker and the page both use it.
 */

export type Sampling =
  { kind: 'greedy' } | { kind: 'sample'; temperature: number; topK: number; seed: number };

/** Index of the largest value (the first one on a tie), as the engine's argmax picks. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Largest minus second-largest logit: how close the greedy choice was (0 on a tie). */
export function logitMargin(logits: ArrayLike<number>): number {
  if (logits.length < 2) return Infinity;
  let first = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > first) [first, second] = [v, first];
    else if (v > second) second = v;
  }
  return first - second;
}

/** Why a sampling setting cannot be used, as a sentence, or null when it is fine. */
export function samplingProblem(s: Sampling): string | null {
  if (s.kind === 'greedy') return null;
  if (!(s.temperature > 0) || !Number.isFinite(s.temperature))
    return `Temperature must be a positive number (got ${s.temperature}); use greedy for temperature 0.`;
  if (!Number.isInteger(s.topK) || s.topK < 1)
    return `Top-k must be a whole number of at least 1 (got ${s.topK}).`;
  if (!Number.isInteger(s.seed) || s.seed < 0)
    return `The seed must be a whole number of at least 0 (got ${s.seed}).`;
  return null;
}

/**
 * The next token: greedy takes the argmax; sampling keeps the top-k logits (ties at the k-th
 * value broken by lower index), forms softmax(logit / temperature) over them and draws with one
 * uniform number from `random` (so two runs with the same seed and the same logits draw the same
 * tokens).
 */
export function chooseToken(
  logits: ArrayLike<number>,
  sampling: Sampling,
  random: () => number,
): number {
  if (sampling.kind === 'greedy') return argmax(logits);
  const problem = samplingProblem(sampling);
  if (problem) throw new RangeError(problem);
  const k = Math.min(sampling.topK, logits.length);
  const order = Array.from({ length: logits.length }, (_, i) => i);
  order.sort((a, b) => logits[b] - logits[a] || a - b);
  const top = order.slice(0, k);
  const max = logits[top[0]];
  const weights = top.map((i) => Math.exp((logits[i] - max) / sampling.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = random() * total;
  for (let j = 0; j < k; j++) {
    u -= weights[j];
    if (u < 0) return top[j];
  }
  return top[k - 1];
}

/** One decode step of both runs, as the worker reports it. */
export interface StepReport {
  /** 1-based count of generated tokens. */
  step: number;
  standardToken: number;
  slimToken: number;
  /** max over the vocabulary of |logit_standard − logit_slim| at this step. */
  maxAbsDelta: number;
  /** Largest minus second-largest logit of the standard run at this step. */
  margin: number;
  /** Tokens held in each cache after this step (prompt + generated). */
  cachedTokens: number;
  /** Bytes of the filled cache rows over all layers, measured from the engine's allocations. */
  standardCacheBytes: number;
  slimCacheBytes: number;
}

export type Verdict =
  | { identical: true; steps: number }
  | { identical: false; step: number; margin: number; standardToken: number; slimToken: number };

/** "tokens identical: yes", or the first step where the runs chose different tokens. */
export function compareRuns(steps: readonly StepReport[]): Verdict {
  for (const s of steps)
    if (s.standardToken !== s.slimToken)
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
    max = Math.max(max, s.maxAbsDelta);
    if (s.standardToken !== s.slimToken) break;
  }
  return max;
}
