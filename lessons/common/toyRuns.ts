/**
 * Runs of the toy model on engine attention layers (lessons 3–5): prefill and decode through
 * createAttention, greedy generation, the standard and both slim decode orders side by side, and
 * one decode step opened up with the backend ops slim attention uses (paper §1–§2).
 *
 * PATH_CONFIGS is the one place the lessons name engine attention configurations.
 */
import {
  SingularMatrixError,
  createAttention,
  formWkv,
  slimValueBias,
  toRows,
  type AttentionConfig,
  type AttentionWeights,
  type Backend,
  type CacheStats,
  type DType,
  type RopeConfig,
} from '../../engine';
import { invertWk } from './inversion';
import {
  D,
  EMBEDDINGS,
  PROMPT_IDS,
  TOY_DTYPE,
  argmax,
  embed,
  logitsOf,
  type Mat,
  type ToyWeights,
} from './toyData';
import { attentionWeights, hostRows, toyBackend } from './toyEngine';

export type PathName = 'standard' | 'option1' | 'option2';
export const PATH_NAMES: readonly PathName[] = ['standard', 'option1', 'option2'];
export const PATH_CONFIGS: Record<PathName, AttentionConfig> = {
  standard: { scheme: 'kv', label: 'toy standard' },
  option1: { scheme: 'k-cache', decodeOrder: 'v-first', label: 'toy slim, V-first order' },
  option2: { scheme: 'k-cache', decodeOrder: 'k-first', label: 'toy slim, K-first order' },
};

/**
 * Runs one engine attention layer over a token sequence: the first `promptLength` tokens as one
 * prefill, then one decode call per remaining token. Returns every output row and the cache
 * statistics at the end.
 */
export function runLayer(
  backend: Backend,
  weights: AttentionWeights,
  config: AttentionConfig,
  ids: readonly number[],
  promptLength: number,
): { outputs: Mat; cache: CacheStats } {
  const layer = createAttention(backend, weights, config);
  try {
    const outputs: Mat = [];
    const x = embed(ids);
    if (promptLength > 0) {
      const t = backend.fromArray(x.slice(0, promptLength).flat(), [promptLength, D]);
      const y = layer.prefill(t);
      outputs.push(...hostRows(y));
      t.dispose();
      y.dispose();
    }
    for (let i = promptLength; i < ids.length; i++) {
      const t = backend.fromArray(x[i], [1, D]);
      const y = layer.decode(t);
      outputs.push(...hostRows(y));
      t.dispose();
      y.dispose();
    }
    return { outputs, cache: layer.cacheStats() };
  } finally {
    layer.dispose();
  }
}

/**
 * Greedy continuation of the prompt with the standard float64 path: `steps` new token ids. One
 * engine layer prefills the prompt, whose last output row predicts the first new token; each
 * decode step then feeds the newest token and predicts the next (paper §2).
 */
export function generate(w: ToyWeights, heads: number, steps: number): number[] {
  const backend = toyBackend('float64');
  const layer = createAttention(backend, attentionWeights(w, heads), PATH_CONFIGS.standard);
  const out: number[] = [];
  try {
    let last = PROMPT_IDS[PROMPT_IDS.length - 1];
    let y = backend.scope(() =>
      hostRows(layer.prefill(backend.fromArray(embed(PROMPT_IDS).flat(), [PROMPT_IDS.length, D]))),
    );
    for (let s = 0; s < steps; s++) {
      const next = argmax(logitsOf(EMBEDDINGS[last], y[y.length - 1]));
      out.push(next);
      if (s === steps - 1) break;
      last = next;
      y = backend.scope(() => hostRows(layer.decode(backend.fromArray(EMBEDDINGS[next], [1, D]))));
    }
    return out;
  } finally {
    layer.dispose();
  }
}

export interface PathOutputs {
  dtype: DType;
  /** Output row of the last token for each path (after W_O). */
  rows: Record<PathName, number[]>;
  /** max |Δ| for each pair. */
  maxDiff: { option1VsStandard: number; option2VsStandard: number; option1VsOption2: number };
  cache: Record<PathName, CacheStats>;
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

/** Runs the three paths and compares the last token's output rows. */
function pathOutputs(
  dtype: DType,
  run: (p: PathName) => { outputs: Mat; cache: CacheStats },
): PathOutputs {
  const s = run('standard');
  const o1 = run('option1');
  const o2 = run('option2');
  const last = (r: { outputs: Mat }) => r.outputs[r.outputs.length - 1];
  const rows = { standard: last(s), option1: last(o1), option2: last(o2) };
  return {
    dtype,
    rows,
    maxDiff: {
      option1VsStandard: maxAbsDiff(rows.option1, rows.standard),
      option2VsStandard: maxAbsDiff(rows.option2, rows.standard),
      option1VsOption2: maxAbsDiff(rows.option1, rows.option2),
    },
    cache: { standard: s.cache, option1: o1.cache, option2: o2.cache },
  };
}

/** The last token's output of the standard, option-1 and option-2 layers on one dtype. */
export function comparePaths(
  w: ToyWeights,
  heads: number,
  ids: readonly number[],
  promptLength: number,
  dtype: DType,
): PathOutputs {
  const weights = attentionWeights(w, heads);
  const backend = toyBackend(dtype);
  const run = (p: PathName) => runLayer(backend, weights, PATH_CONFIGS[p], ids, promptLength);
  return pathOutputs(dtype, run);
}

/** Cache bytes of the standard and slim layers after prefilling the first `count` prompt tokens. */
export function prefillCacheBytes(
  w: ToyWeights,
  count: number,
): { standard: CacheStats; slim: CacheStats } {
  const weights = attentionWeights(w, 1);
  const ids = PROMPT_IDS.slice(0, count);
  const backend = toyBackend(TOY_DTYPE);
  return {
    standard: runLayer(backend, weights, PATH_CONFIGS.standard, ids, count).cache,
    slim: runLayer(backend, weights, PATH_CONFIGS.option2, ids, count).cache,
  };
}

// ------------------------------------------------------------------ one decode step, opened up

export interface DecodeStepDetail {
  heads: number;
  /** n: rows in the cache including the new token. */
  n: number;
  x: number[];
  q: number[];
  /** K = X·W_K, all n rows (the K-cache). */
  K: Mat;
  /** V = X·W_V, the standard V-cache. */
  V: Mat;
  /** Per head: q_i·k_i,jᵀ / sqrt(d_k) for j = 1…n. */
  scores: Mat;
  /** Per head: softmax of the scores. */
  probs: Mat;
  /** W_KV as the slim attention layer computes it (engine formWkv, as the slim layer forms it). */
  wKV: Mat;
  /** Option 1: V recomputed as K·W_KV (n × d), then probs·V per head. */
  option1V: Mat;
  /** Option 2: u_i = probs_i·K (one d-wide row per head), then u_i·W_KV,i. */
  option2U: Mat;
  /** Concatenated head outputs (before W_O) of each path. */
  headOutputs: Record<PathName, number[]>;
  /** Each path's output row after W_O, from the intermediates above. */
  outputs: Record<PathName, number[]>;
  /** Each path's output row from the engine attention layer itself (prefill, then one decode). */
  layerOutputs: Record<PathName, number[]>;
  /** Final output y (after W_O) of the standard path, and next-token logits. */
  y: number[];
  logits: number[];
}

/**
 * The last token of `ids` decoded on the float64 CPU backend, exposing every intermediate that
 * lessons 4 and 5 show (paper §2, both orders). The intermediates come from the backend ops that
 * engine/attention's standard and slim layers call, in the same order (attnProbs, then
 * attnWeightedSum over V or over K·W_KV, or matmul(p, K) then headBlockMatmul, then W_O); the
 * layers themselves run the same step, and `layerOutputs` holds what they return (a test checks
 * that both agree).
 */
export function decodeStepDetail(
  w: ToyWeights,
  heads: number,
  ids: readonly number[],
): DecodeStepDetail {
  const inv = invertWk(w.wK, w.wV);
  if (!inv.wKV) throw new SingularMatrixError(inv.cond, { label: 'W_K' });
  const weights = attentionWeights(w, heads);
  const wKV64 = formWkv(weights.wK, weights.wV, { label: 'toy W_K' });
  const b = toyBackend('float64');
  const dk = D / heads;
  const scale = 1 / Math.sqrt(dk);
  const n = ids.length;
  const layerOutputs = {} as Record<PathName, number[]>;
  for (const p of PATH_NAMES) {
    const { outputs } = runLayer(b, weights, PATH_CONFIGS[p], ids, n - 1);
    layerOutputs[p] = outputs[outputs.length - 1];
  }
  return b.scope(() => {
    const X = b.fromArray(embed(ids).flat(), [n, D]);
    const wQ = b.fromArray(w.wQ.flat(), [D, D]);
    const wK = b.fromArray(w.wK.flat(), [D, D]);
    const wV = b.fromArray(w.wV.flat(), [D, D]);
    const wO = b.fromArray(w.wO.flat(), [D, D]);
    const wKV = b.fromArray(wKV64.data, [D, D]);
    const x = b.sliceRows(X, n - 1, n);
    const q = b.matmul(x, wQ);
    const K = b.matmul(X, wK);
    const V = b.matmul(X, wV);
    const probs = b.attnProbs(q, K, { heads, scale, causalOffset: n - 1 });
    // Raw scores (before softmax), per head, for the table: q_i · K_iᵀ · scale.
    const scores: Mat = [];
    for (let h = 0; h < heads; h++) {
      const qi = b.sliceCols(q, h * dk, (h + 1) * dk);
      const Ki = b.sliceCols(K, h * dk, (h + 1) * dk);
      scores.push(hostRows(b.scale(b.matmul(qi, Ki, { transposeB: true }), scale))[0]);
    }
    const standard = b.attnWeightedSum(probs, V, heads);
    // Option 1: V = K·W_KV, then the same weighted sum.
    const option1V = b.matmul(K, wKV);
    const option1 = b.attnWeightedSum(probs, option1V, heads);
    // Option 2: every head weights the whole K rows (d wide), then one block product.
    const u = b.matmul(probs, K);
    const option2 = b.headBlockMatmul(u, wKV, heads);
    const headRows = { standard, option1, option2 };
    const headOutputs = {} as Record<PathName, number[]>;
    const outputs = {} as Record<PathName, number[]>;
    for (const p of PATH_NAMES) {
      headOutputs[p] = hostRows(headRows[p])[0];
      outputs[p] = hostRows(b.matmul(headRows[p], wO))[0];
    }
    const xRow = hostRows(x)[0];
    return {
      heads,
      n,
      x: xRow,
      q: hostRows(q)[0],
      K: hostRows(K),
      V: hostRows(V),
      scores,
      probs: hostRows(probs),
      wKV: toRows(wKV64),
      option1V: hostRows(option1V),
      option2U: hostRows(u),
      headOutputs,
      outputs,
      layerOutputs,
      y: outputs.standard,
      logits: logitsOf(xRow, outputs.standard),
    };
  });
}

// ------------------------------------------------------------------ RoPE and biases (lessons 6, 7)

/** The toy model's RoPE: GPT-J's interleaved pairs (x1, x2), (x3, x4), θ base 10000 (Appendix E). */
export const TOY_ROPE: RopeConfig = { pairing: 'interleaved', base: 10000 };

/** "I am a student .": the five tokens (positions 0 … 4) of lessons 6 and 7. */
export const SENTENCE_IDS: readonly number[] = [0, 1, 2, 3, 6];

/** Which keys a slim layer with RoPE caches: raw K (rotated on read) or rotated K (Appendix E). */
export type RopeCacheChoice = 'raw' | 'rotated';

/** The toy layer's optional biases (Appendix F); each has D entries. */
export interface ToyBiases {
  bQ?: readonly number[];
  bK?: readonly number[];
  bV?: readonly number[];
  bO?: readonly number[];
}

export interface VariantOptions {
  rope?: boolean;
  ropeCache?: RopeCacheChoice;
  biases?: ToyBiases;
}

/**
 * The engine configuration of one path with or without the toy RoPE: the same three paths as
 * PATH_CONFIGS, the slim ones caching raw or rotated keys.
 */
export function variantConfig(path: PathName, options: VariantOptions): AttentionConfig {
  const base = PATH_CONFIGS[path];
  if (!options.rope) return base;
  if (base.scheme === 'k-cache')
    return { ...base, rope: TOY_ROPE, ropeCache: options.ropeCache ?? 'raw' };
  return { ...base, rope: TOY_ROPE };
}

/** The toy weights for one head, with the chosen biases, in the engine's layout. */
export function biasedWeights(w: ToyWeights, biases: ToyBiases = {}): AttentionWeights {
  const vec = (v: readonly number[] | undefined) => (v ? Float64Array.from(v) : undefined);
  return {
    ...attentionWeights(w, 1),
    bQ: vec(biases.bQ),
    bK: vec(biases.bK),
    bV: vec(biases.bV),
    bO: vec(biases.bO),
  };
}

/**
 * The last token's output of the standard and both slim layers (one head) with RoPE and biases
 * as chosen: prefill all but the last token, decode the last. Same shape as comparePaths.
 */
export function compareVariants(
  w: ToyWeights,
  ids: readonly number[],
  options: VariantOptions,
  dtype: DType,
): PathOutputs {
  const weights = biasedWeights(w, options.biases);
  const backend = toyBackend(dtype);
  const run = (p: PathName) =>
    runLayer(backend, weights, variantConfig(p, options), ids, ids.length - 1);
  return pathOutputs(dtype, run);
}

/**
 * Tries to build a layer of `scheme` with the toy RoPE and returns the engine's refusal, or
 * undefined if it builds: the V-cache and X-cache variants cannot use RoPE (Appendices C, E).
 */
export function ropeRefusal(w: ToyWeights, scheme: 'v-cache' | 'x-cache'): string | undefined {
  try {
    createAttention(toyBackend('float64'), attentionWeights(w, 1), {
      scheme,
      rope: TOY_ROPE,
      label: `toy ${scheme}`,
    }).dispose();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Rows of x [r, D] rotated by RoPE at positions offset … offset + r − 1 (or un-rotated). */
export function ropeRows(x: Mat, offset: number, inverse = false): Mat {
  const b = toyBackend('float64');
  return b.scope(() =>
    hostRows(
      b.rope(b.fromArray(x.flat(), [x.length, D]), {
        heads: 1,
        positionOffset: offset,
        inverse,
        ...TOY_ROPE,
      }),
    ),
  );
}

export interface BiasDetail {
  /** q = x W_Q + b_Q of the last token. */
  q: number[];
  /** K = X W_K without and with b_K. */
  K: Mat;
  KWithBias: Mat;
  /** Scores q·k_jᵀ/√d_k against K and against K + b_K, and their softmax rows. */
  scores: number[];
  scoresWithBias: number[];
  probs: number[];
  probsWithBias: number[];
  /** V = X W_V + b_V, the standard values. */
  V: Mat;
  /** (K − b_K) W_KV + b_V from the cached (biased) keys: slim's values. */
  slimV: Mat;
  /** K W_KV + b_V, forgetting b_K. */
  slimVNoShift: Mat;
  /** b_V W_O + b_O: the output bias that absorbs b_V (Appendix F). */
  foldedOutputBias: number[];
}

/**
 * The pieces lesson 7 shows for the last token of `ids` (one head, float64), from backend ops:
 * linear with bias, the scores with and without b_K, softmax, and V rebuilt from the biased keys.
 */
export function biasDetail(w: ToyWeights, ids: readonly number[], biases: ToyBiases): BiasDetail {
  const weights = biasedWeights(w, biases);
  const wKV = formWkv(weights.wK, weights.wV, { label: 'toy W_K' });
  const b = toyBackend('float64');
  const zero = new Array<number>(D).fill(0);
  const n = ids.length;
  return b.scope(() => {
    const vec = (v: readonly number[] | undefined) => b.fromArray([...(v ?? zero)], [D]);
    const X = b.fromArray(embed(ids).flat(), [n, D]);
    const wQ = b.fromArray(w.wQ.flat(), [D, D]);
    const wK = b.fromArray(w.wK.flat(), [D, D]);
    const wV = b.fromArray(w.wV.flat(), [D, D]);
    const wO = b.fromArray(w.wO.flat(), [D, D]);
    const kv = b.fromArray(wKV.data, [D, D]);
    const bK = vec(biases.bK);
    const q = b.linear(b.sliceRows(X, n - 1, n), wQ, { bias: vec(biases.bQ) });
    const K = b.matmul(X, wK);
    const Kb = b.linear(X, wK, { bias: bK });
    const scale = 1 / Math.sqrt(D);
    const scores = b.scale(b.matmul(q, K, { transposeB: true }), scale);
    const scoresB = b.scale(b.matmul(q, Kb, { transposeB: true }), scale);
    const V = b.linear(X, wV, { bias: vec(biases.bV) });
    // (K − b_K)·W_KV + b_V = K·W_KV + (b_V − b_K·W_KV), the bias formed on the host in float64.
    const slimBias = slimValueBias(weights.bK, weights.bV, wKV);
    const slimV = b.linear(Kb, kv, { bias: vec(slimBias && Array.from(slimBias)) });
    const slimVNoShift = b.linear(Kb, kv, { bias: vec(biases.bV) });
    const folded = b.linear(b.fromArray([...(biases.bV ?? zero)], [1, D]), wO, {
      bias: vec(biases.bO),
    });
    return {
      q: hostRows(q)[0],
      K: hostRows(K),
      KWithBias: hostRows(Kb),
      scores: hostRows(scores)[0],
      scoresWithBias: hostRows(scoresB)[0],
      probs: hostRows(b.softmax(scores))[0],
      probsWithBias: hostRows(b.softmax(scoresB))[0],
      V: hostRows(V),
      slimV: hostRows(slimV),
      slimVNoShift: hostRows(slimVNoShift),
      foldedOutputBias: hostRows(folded)[0],
    };
  });
}
