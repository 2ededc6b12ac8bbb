/**
 * Standard vs slim on one backend, written once (exact where the paper is exact):
 * the same weights run greedy decode with the KV-cache and with the K-cache (paper §1–§2), and
 * the comparison reports max |Δ logits|, whether the greedy tokens are identical, and both
 * caches' bytes. The WebGL test harness and the benchmarks use it.
 */
import type { DecodeOrder } from '../roofline';
import type { Backend } from './backend';
import { Gpt2Model, type Gpt2Config, type Gpt2Scheme, type Gpt2Weights } from './models';

/** The two schemes compared: the standard KV-cache, then slim attention's K-cache. */
export const COMPARED_SCHEMES: readonly [Gpt2Scheme, Gpt2Scheme] = ['kv', 'k-cache'];

export interface GreedyRun {
  tokens: number[];
  /** The logits row that chose each token. */
  logits: Float32Array[];
  /** Decode speed, timed after the first warm-up steps (shader compiles, texture pool). */
  tokensPerSecond: number;
}

export interface GreedyHooks {
  /** Called after each generated token with the count so far. */
  onStep?: (done: number) => void;
  /** Called once, halfway through (tests lose the WebGL context there). */
  midway?: () => void;
}

/** Prefill the prompt, then `steps` greedy tokens; the model's caches keep every token. */
export async function greedyDecode(
  model: Gpt2Model,
  prompt: readonly number[],
  steps: number,
  hooks: GreedyHooks = {},
): Promise<GreedyRun> {
  const logits: Float32Array[] = [];
  const tokens: number[] = [];
  let out = model.prefill(prompt);
  // The first steps compile shaders and fill the texture pool: time from step `warm` on.
  const warm = steps > 4 ? 2 : 0;
  let t0 = performance.now();
  try {
    for (let s = 0; s < steps; s++) {
      if (s === warm) t0 = performance.now();
      logits.push(Float32Array.from(await out.read()));
      const next = await model.argmax(out);
      out.dispose();
      tokens.push(next);
      hooks.onStep?.(s + 1);
      if (s === steps >> 1) hooks.midway?.();
      out = model.decode(next);
    }
  } finally {
    if (!out.disposed) out.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { tokens, logits, tokensPerSecond: (steps - warm) / seconds };
}

/** max over rows and columns of |a − b| (rows of equal length; Infinity if they differ). */
export function maxAbsDiff(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]) {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let s = 0; s < a.length; s++) {
    if (a[s].length !== b[s].length) return Infinity;
    for (let i = 0; i < a[s].length; i++) max = Math.max(max, Math.abs(a[s][i] - b[s][i]));
  }
  return max;
}

/** One model per compared scheme, on one backend, from the same weights. */
export function schemeModels(
  backend: Backend,
  config: Gpt2Config,
  weights: Gpt2Weights,
  decodeOrder: DecodeOrder = 'k-first',
): [Gpt2Model, Gpt2Model] {
  const standard = new Gpt2Model(backend, config, weights, { scheme: 'kv' });
  try {
    return [standard, new Gpt2Model(backend, config, weights, { scheme: 'k-cache', decodeOrder })];
  } catch (error) {
    standard.dispose();
    throw error;
  }
}

export interface SchemeRun {
  scheme: Gpt2Scheme;
  tokens: number[];
  tokensPerSecond: number;
  /** Bytes of the filled K-cache rows over all layers. */
  kCacheBytes: number;
  /** Bytes of the filled V-cache rows (0 for the K-cache scheme). */
  vCacheBytes: number;
  /** kCacheBytes + vCacheBytes. */
  cacheBytes: number;
  /** Bytes the backend allocated for the model's weights. */
  weightBytes: number;
}

export interface SchemeComparison {
  /** The KV-cache run. */
  standard: SchemeRun;
  /** The K-cache run (slim attention). */
  slim: SchemeRun;
  /** max over steps and vocabulary of |logit_standard − logit_slim|. */
  maxAbsLogitDiff: number;
  tokensIdentical: boolean;
}

export interface CompareOptions {
  prompt: readonly number[];
  steps: number;
  /** Slim decode order (paper §2); 'k-first' (option 2) by default. */
  decodeOrder?: DecodeOrder;
  onStep?: (scheme: Gpt2Scheme, done: number) => void;
  /** Called halfway through the given scheme's run. */
  midway?: (scheme: Gpt2Scheme) => void;
}

/**
 * Greedy decode with the KV-cache, then with the K-cache, from the same weights; each model is
 * disposed once its run is over (one model on the backend at a time).
 */
export async function compareSchemes(
  backend: Backend,
  config: Gpt2Config,
  weights: Gpt2Weights,
  options: CompareOptions,
): Promise<SchemeComparison> {
  const { prompt, steps, decodeOrder = 'k-first' } = options;
  const runs: SchemeRun[] = [];
  const logits: Float32Array[][] = [];
  for (const scheme of COMPARED_SCHEMES) {
    const model = new Gpt2Model(backend, config, weights, { scheme, decodeOrder });
    let r: GreedyRun;
    try {
      r = await greedyDecode(model, prompt, steps, {
        onStep: (done) => options.onStep?.(scheme, done),
        midway: options.midway && (() => options.midway?.(scheme)),
      });
    } catch (error) {
      // The run's own error (a lost GPU context, say) is the one to report, not dispose's.
      try {
        model.dispose();
      } catch {
        // ignored: see above
      }
      throw error;
    }
    const cache = model.cacheBytes();
    runs.push({
      scheme,
      tokens: r.tokens,
      tokensPerSecond: r.tokensPerSecond,
      kCacheBytes: cache.kCache,
      vCacheBytes: cache.vCache,
      cacheBytes: cache.total,
      weightBytes: model.weightBytes,
    });
    logits.push(r.logits);
    model.dispose();
  }
  const [standard, slim] = runs;
  return {
    standard,
    slim,
    maxAbsLogitDiff: maxAbsDiff(logits[0], logits[1]),
    tokensIdentical: standard.tokens.join() === slim.tokens.join(),
  };
}
