/**
 * Choosing the next token with Hugging Face `generate` semantics: greedy, or seeded sampling,
 * after the logits processors in transformers' order: repetition penalty → temperature → top-k
 * → top-p (nucleus). Pure functions of a logits row, the tokens so far and a seeded uniform
 * source, so two runs (standard and slim) with the same seed and the same logits draw the same
 * tokens. engine/generate.ts's decode loop, the CLI's `slim run` and the Playground use it.
 */
import { seededRandom } from './random';
import { EngineInputError } from './tensor';

/**
 * How the next token is chosen. A temperature of 0 (or none) is greedy (`do_sample=False`);
 * the repetition penalty applies to greedy too, as in transformers.
 */
export interface Sampling {
  /** Softmax temperature (> 0 samples); 0 or absent: greedy. */
  temperature?: number;
  /** Keep the k largest scores (ties at the k-th kept); 0 or absent: off. */
  topK?: number;
  /** Nucleus: the smallest set of top tokens whose probability sums to ≥ p; 1 or absent: off. */
  topP?: number;
  /** Seed of the uniform draws (a whole number ≥ 0); 0 when absent. */
  seed?: number;
  /**
   * CTRL's penalty (transformers' RepetitionPenaltyLogitsProcessor): every token already in the
   * prompt or the output has its logit divided by it when positive, multiplied when not.
   * 1 or absent: off.
   */
  repetitionPenalty?: number;
}

/** Greedy decoding, no penalty. */
export const GREEDY: Sampling = {};

/** True when the next token is the highest score (after the repetition penalty). */
export function isGreedy(s: Sampling): boolean {
  return !s.temperature;
}

/** Why a sampling setting cannot be used, as a sentence, or null when it is fine. */
export function samplingProblem(s: Sampling): string | null {
  const { temperature = 0, topK = 0, topP = 1, seed = 0, repetitionPenalty = 1 } = s;
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    return `Temperature must be a number ≥ 0 (0: greedy), got ${temperature}.`;
  if (!Number.isInteger(topK) || topK < 0)
    return `Top-k must be a whole number ≥ 1 (0: off), got ${topK}.`;
  if (!(topP > 0 && topP <= 1)) return `Top-p must be in (0, 1] (1: off), got ${topP}.`;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    return `The seed must be a whole number from 0 to 4294967295, got ${seed}.`;
  if (!(repetitionPenalty > 0) || !Number.isFinite(repetitionPenalty))
    return `The repetition penalty must be a positive number (1: off), got ${repetitionPenalty}.`;
  return null;
}

/** Index of the largest value (the first one on a tie), as a backend's argmax picks. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The repetition penalty on a copy of `logits` (float64): for every distinct token of `seen`,
 * logit > 0 → logit / penalty, else logit · penalty.
 */
export function penalizedScores(
  logits: ArrayLike<number>,
  seen: readonly number[],
  penalty = 1,
): Float64Array {
  const scores = Float64Array.from(logits as ArrayLike<number>);
  if (penalty === 1) return scores;
  for (const t of new Set(seen)) {
    if (t < 0 || t >= scores.length) continue;
    scores[t] = scores[t] > 0 ? scores[t] / penalty : scores[t] * penalty;
  }
  return scores;
}

function checkRow(logits: ArrayLike<number>): void {
  if (logits.length === 0) throw new EngineInputError('sampling: the logits row is empty');
  for (let i = 0; i < logits.length; i++)
    if (Number.isNaN(logits[i]))
      throw new EngineInputError(`sampling: logit ${i} is NaN (the model's output is not usable)`);
}

/**
 * The distribution a sampling draw uses, as transformers forms it: repetition penalty,
 * scores / temperature, top-k (scores below the k-th largest removed), top-p (sorted
 * ascending, the tokens whose cumulative probability is ≤ 1 − p removed, the largest always
 * kept), softmax. Removed tokens have probability 0. Needs a temperature > 0.
 */
export function samplingDistribution(
  logits: ArrayLike<number>,
  sampling: Sampling,
  seen: readonly number[] = [],
): Float64Array {
  const problem = samplingProblem(sampling);
  if (problem) throw new EngineInputError(problem);
  if (isGreedy(sampling))
    throw new EngineInputError('sampling: greedy decoding has no distribution (temperature 0)');
  checkRow(logits);
  const { temperature = 1, topK = 0, topP = 1, repetitionPenalty = 1 } = sampling;
  const scores = penalizedScores(logits, seen, repetitionPenalty);
  const n = scores.length;
  for (let i = 0; i < n; i++) scores[i] /= temperature;
  if (topK > 0 && topK < n) {
    const sorted = Float64Array.from(scores).sort();
    const kth = sorted[n - topK];
    for (let i = 0; i < n; i++) if (scores[i] < kth) scores[i] = -Infinity;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, scores[i]);
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += p[i] = Math.exp(scores[i] - max);
  for (let i = 0; i < n; i++) p[i] /= total;
  if (topP < 1) {
    // Ascending by probability (then by index, for a deterministic order on ties).
    const kept: number[] = [];
    for (let i = 0; i < n; i++) if (p[i] > 0) kept.push(i);
    kept.sort((a, b) => p[a] - p[b] || b - a);
    let cumulative = 0;
    let removed = 0;
    for (let j = 0; j < kept.length - 1; j++) {
      cumulative += p[kept[j]];
      if (cumulative > 1 - topP) break;
      p[kept[j]] = 0;
      removed += 1;
    }
    if (removed > 0) {
      let rest = 0;
      for (let i = 0; i < n; i++) rest += p[i];
      for (let i = 0; i < n; i++) p[i] /= rest;
    }
  }
  return p;
}

/**
 * The next token: greedy takes the highest score after the repetition penalty; sampling draws
 * from samplingDistribution with one uniform number of `random`, walking the vocabulary in
 * index order. `seen`: the prompt and the tokens generated so far (for the penalty).
 */
export function chooseToken(
  logits: ArrayLike<number>,
  sampling: Sampling,
  random: () => number,
  seen: readonly number[] = [],
): number {
  if (isGreedy(sampling)) {
    const problem = samplingProblem(sampling);
    if (problem) throw new EngineInputError(problem);
    checkRow(logits);
    return argmax(penalizedScores(logits, seen, sampling.repetitionPenalty ?? 1));
  }
  const p = samplingDistribution(logits, sampling, seen);
  let u = random();
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    last = i;
    u -= p[i];
    if (u < 0) return i;
  }
  return last;
}

/**
 * A chooser with its own seeded uniform source (sampling.seed): two choosers made from the
 * same setting draw the same tokens from the same logits.
 */
export function tokenChooser(
  sampling: Sampling,
): (logits: ArrayLike<number>, seen: readonly number[]) => number {
  const random = seededRandom(sampling.seed ?? 0);
  return (logits, seen) => chooseToken(logits, sampling, random, seen);
}

/** Largest minus second-largest value: how close the greedy choice was (0 on a tie). */
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
