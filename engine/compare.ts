/**
 * Standard vs slim on one backend, written once (exact where the paper is exact):
 * the same weights run greedy decode with the KV-cache and with the K-cache (paper §1–§2), and
 * the comparison reports max |Δ logits|, whether the greedy tokens are identical, and both
 * caches' bytes. Any decoder family runs it (GPT-2, Llama, GPT-NeoX): the model comes from a
 * builder (a checkpoint read once by engine/models readModel, or a family's constructor, e.g.
 * gpt2Builder). The WebGL test harness and the benchmarks use it.
 */
import type { DecodeOrder } from '../roofline';
import type { Backend } from './backend';
import { decodeSideBySide } from './generate';
import {
  type DecoderModel,
  Gpt2Model,
  type DecoderOptions,
  type DecoderScheme,
  type Gpt2Config,
  type HostWeights,
  type LayerDirection,
} from './models';
import type { Sampling } from './sampling';

/** The two schemes compared: the standard KV-cache, then slim attention's K-cache. */
export const COMPARED_SCHEMES: readonly [DecoderScheme, DecoderScheme] = ['kv', 'k-cache'];

/** Makes a model of fixed weights with the given scheme on a backend. */
export type ModelBuilder = (backend: Backend, options: DecoderOptions) => DecoderModel;

/**
 * What the comparison runs: a builder, or anything with a `build` (engine/models readModel's
 * HostModel, so every family loaded from a checkpoint).
 */
export type SchemeSource = ModelBuilder | { build: ModelBuilder };

function builderOf(source: SchemeSource): ModelBuilder {
  return typeof source === 'function'
    ? source
    : (backend, options) => source.build(backend, options);
}

/** A GPT-2 of the given config and weights, as a builder. */
export function gpt2Builder(config: Gpt2Config, weights: HostWeights): ModelBuilder {
  return (backend, options) => new Gpt2Model(backend, config, weights, options);
}

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
  /** How to choose each token (engine/sampling.ts); greedy when absent. */
  sampling?: Sampling;
}

/** The first steps compile shaders and fill the texture pool: time from step 2 on. */
const warmupOf = (steps: number) => (steps > 4 ? 2 : 0);

/**
 * Prefill the prompt, then `steps` tokens (greedy unless hooks.sampling says otherwise) through
 * the one decode loop (decodeSideBySide) with one side; the model's caches keep every token.
 */
export async function greedyDecode(
  model: DecoderModel,
  prompt: readonly number[],
  steps: number,
  hooks: GreedyHooks = {},
): Promise<GreedyRun> {
  const r = await decodeSideBySide([model], {
    prompt,
    steps,
    sampling: hooks.sampling,
    keepLogits: true,
    warmupSteps: warmupOf(steps),
    onStep: hooks.onStep && ((s) => hooks.onStep?.(s.step)),
    midway: hooks.midway,
  });
  return { tokens: r.tokens[0], logits: r.logits[0], tokensPerSecond: r.tokensPerSecond[0] };
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

/** Slim options of the compared K-cache model. */
export interface SlimOptions {
  /** Slim decode order (paper §2); 'k-first' (option 2) by default. */
  decodeOrder?: DecodeOrder;
  /** Per layer 'k-cache' or 'v-cache' (as `slim check` chooses); all 'k-cache' when absent. */
  directions?: readonly LayerDirection[];
}

function schemeOptions(scheme: DecoderScheme, slim: SlimOptions): DecoderOptions {
  return scheme === 'kv'
    ? { scheme }
    : { scheme, decodeOrder: slim.decodeOrder ?? 'k-first', directions: slim.directions };
}

/** One model per compared scheme, on one backend, from the same weights (any family). */
export function schemeModels(
  backend: Backend,
  source: SchemeSource,
  slim: SlimOptions = {},
): [DecoderModel, DecoderModel] {
  const build = builderOf(source);
  const standard = build(backend, schemeOptions('kv', slim));
  try {
    return [standard, build(backend, schemeOptions('k-cache', slim))];
  } catch (error) {
    standard.dispose();
    throw error;
  }
}

export interface SchemeRun {
  scheme: DecoderScheme;
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
  /** max over steps and vocabulary of |logit_standard| (the scale of maxAbsLogitDiff). */
  maxAbsLogit: number;
  tokensIdentical: boolean;
  /** The first step whose greedy tokens differ, or null when all are identical. */
  firstDivergence: number | null;
}

export interface CompareOptions extends SlimOptions {
  prompt: readonly number[];
  steps: number;
  onStep?: (scheme: DecoderScheme, done: number) => void;
  /** Called halfway through the given scheme's run. */
  midway?: (scheme: DecoderScheme) => void;
  /**
   * How to choose each token (engine/sampling.ts); greedy when absent. Both runs draw with
   * identically seeded choosers, so identical tokens still prove the identity.
   */
  sampling?: Sampling;
}

/**
 * Decode with the KV-cache, then with the K-cache, from the same weights (greedy, or seeded
 * sampling with options.sampling); each model is disposed once its run is over (one model on
 * the backend at a time).
 */
export async function compareSchemes(
  backend: Backend,
  source: SchemeSource,
  options: CompareOptions,
): Promise<SchemeComparison> {
  const build = builderOf(source);
  const { prompt, steps } = options;
  const runs: SchemeRun[] = [];
  const logits: Float32Array[][] = [];
  for (const scheme of COMPARED_SCHEMES) {
    const model = build(backend, schemeOptions(scheme, options));
    let r: GreedyRun;
    try {
      r = await greedyDecode(model, prompt, steps, {
        onStep: (done) => options.onStep?.(scheme, done),
        midway: options.midway && (() => options.midway?.(scheme)),
        sampling: options.sampling,
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
  const diverged = standard.tokens.findIndex((t, i) => t !== slim.tokens[i]);
  let maxAbsLogit = 0;
  for (const row of logits[0])
    for (const v of row) maxAbsLogit = Math.max(maxAbsLogit, Math.abs(v));
  return {
    standard,
    slim,
    maxAbsLogitDiff: maxAbsDiff(logits[0], logits[1]),
    maxAbsLogit,
    tokensIdentical: diverged < 0,
    firstDivergence: diverged < 0 ? null : diverged,
  };
}
