/**
 * The toy model shared by lessons 2–5 (issue 3): d = 4, one layer, one head (two in lesson 5),
 * a seven-word vocabulary with 4-dim embeddings, and integer weights chosen so that
 * det(W_K) = 1, hence W_K⁻¹ and W_KV = W_K⁻¹·W_V are integer matrices a student can check by hand.
 *
 * This module only wires the toy model to the engine: every product, softmax and cache goes
 * through engine/ (CpuBackend ops, createAttention layers, linalg), so the lessons show what
 * the real engine computes, not a re-implementation.
 */
import type { Backend } from '../engine/backend';
import { CpuBackend, CpuTensor } from '../engine/cpu';
import { createAttention } from '../engine/attention';
import type { AttentionConfig, AttentionWeights, CacheStats } from '../engine/attention/types';
import {
  conditionNumber,
  det,
  fromRows,
  inverse,
  matmul64,
  toRows,
  SingularMatrixError,
} from '../engine/linalg';
import { computeWkv } from '../engine/slim';
import type { DType, Tensor } from '../engine/tensor';

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

const backends: Partial<Record<DType, CpuBackend>> = {};
/** One CPU backend per dtype, shared by all lessons (they are stateless between scopes). */
export function toyBackend(dtype: DType): CpuBackend {
  return (backends[dtype] ??= new CpuBackend({ dtype }));
}

/** Host values of a CPU tensor as rows (synchronous: the CPU backend keeps them on the host). */
export function hostRows(t: Tensor): Mat {
  if (!(t instanceof CpuTensor)) throw new TypeError('hostRows: expected a CPU tensor');
  const [r, c] = t.shape.length === 1 ? [1, t.shape[0]] : [t.shape[0], t.shape[1]];
  const out: Mat = [];
  for (let i = 0; i < r; i++) out.push(Array.from(t.data.subarray(i * c, (i + 1) * c)));
  return out;
}

/** a·b for small host matrices, through engine/linalg (float64). */
export function product(a: Mat, b: Mat): Mat {
  return toRows(matmul64(fromRows(a), fromRows(b)));
}

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

/** The toy weights in the engine's layout for h heads of width d_k = d / h. */
export function attentionWeights(w: ToyWeights, heads: number): AttentionWeights {
  return {
    d: D,
    heads,
    headDim: D / heads,
    wQ: fromRows(w.wQ),
    wK: fromRows(w.wK),
    wV: fromRows(w.wV),
    wO: fromRows(w.wO),
  };
}

// ------------------------------------------------------------------ lesson 2: inversion

export interface Inversion {
  det: number;
  cond: number;
  /** Present when W_K has a usable float64 inverse. */
  wKInv?: Mat;
  wKV?: Mat;
  /** max |W_K·W_KV − W_V| in float64: the check a reader can do by hand. */
  checkError?: number;
  /** Why there is no inverse (the engine's message), when there is none. */
  error?: string;
}

/** det, cond, W_K⁻¹ and W_KV = W_K⁻¹·W_V via engine/linalg and engine/slim, in float64 (PAPER.md §1, §12). */
export function invertWk(wK: Mat, wV: Mat): Inversion {
  const k = fromRows(wK);
  const v = fromRows(wV);
  const d = det(k);
  const cond = conditionNumber(k);
  try {
    const { wKV } = computeWkv(k, v, { label: 'W_K' });
    const inv = inverse(k, { label: 'W_K' });
    const back = toRows(matmul64(k, wKV));
    let checkError = 0;
    back.forEach((row, i) =>
      row.forEach((x, j) => (checkError = Math.max(checkError, Math.abs(x - wV[i][j])))),
    );
    return { det: d, cond, wKInv: toRows(inv), wKV: toRows(wKV), checkError };
  } catch (e) {
    if (e instanceof SingularMatrixError) return { det: d, cond, error: e.message };
    throw e;
  }
}

/**
 * W_K pushed toward singular: row `target` slides onto row `source`, row_t(ε) = row_s + ε·(row_t −
 * row_s). det is linear in one row, so det(W_K(ε)) = ε·det(W_K), and cond grows like 1/ε.
 */
export function nearSingular(wK: Mat, epsilon: number, target = 3, source = 1): Mat {
  return wK.map((row, i) =>
    i === target ? row.map((x, j) => wK[source][j] + epsilon * (x - wK[source][j])) : [...row],
  );
}

export interface ConditioningPoint {
  epsilon: number;
  cond: number;
  /**
   * max |V̂ − V| / max |V| where V = X·W_V in float64 and V̂ = K·W_KV computed on the float32
   * backend from a float32 K-cache, with W_KV from float64 (PAPER.md §12). The cache's rounding
   * error (≈ eps32 ≈ 6e-8 relative) is amplified by up to cond(W_K).
   */
  float32Error: number;
}

/** Every vocabulary embedding as one X: a small but varied set of rows to cache. */
const ALL_TOKENS = EMBEDDINGS.map((_, i) => i);

/** cond(W_K(ε)) and the float32 V-from-K reconstruction error for each ε. */
export function conditioningSweep(
  wK: Mat,
  wV: Mat,
  epsilons: readonly number[],
): ConditioningPoint[] {
  const b = toyBackend('float32');
  const X = embed(ALL_TOKENS);
  const vRef = toRows(matmul64(fromRows(X), fromRows(wV)));
  const scale = Math.max(...vRef.flat().map(Math.abs));
  return epsilons.map((epsilon) => {
    const wKe = nearSingular(wK, epsilon);
    const m = fromRows(wKe);
    const { wKV, condK } = computeWkv(m, fromRows(wV), { label: `W_K(ε = ${epsilon})` });
    const vHat = b.scope(() => {
      const kCache = b.matmul(
        b.fromArray(X.flat(), [X.length, D]),
        b.fromArray(wKe.flat(), [D, D]),
      );
      return hostRows(b.matmul(kCache, b.fromArray(wKV.data, [D, D])));
    });
    let worst = 0;
    vHat.forEach((row, i) =>
      row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - vRef[i][j])))),
    );
    return { epsilon, cond: condK, float32Error: scale === 0 ? worst : worst / scale };
  });
}

// ------------------------------------------------------------------ lessons 3–5: runs

export type PathName = 'standard' | 'option1' | 'option2';
export const PATH_CONFIGS: Record<PathName, AttentionConfig> = {
  standard: { variant: 'standard', label: 'toy standard' },
  option1: { variant: 'slim', decodeOption: 1, label: 'toy slim option 1' },
  option2: { variant: 'slim', decodeOption: 2, label: 'toy slim option 2' },
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

/** Residual plus tied unembedding: logits_t = (x + y)·e_t for every vocabulary entry t. */
export function logitsOf(x: readonly number[], y: readonly number[]): number[] {
  return EMBEDDINGS.map((e) => e.reduce((s, ei, i) => s + ei * (x[i] + y[i]), 0));
}

export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * Greedy continuation of the prompt with the standard float64 path: `steps` new token ids. One
 * engine layer prefills the prompt, whose last output row predicts the first new token; each
 * decode step then feeds the newest token and predicts the next (PAPER.md §2).
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
  wKV: Mat;
  /** Option 1: V recomputed as K·W_KV (n × d), then probs·V per head. */
  option1V: Mat;
  /** Option 2: u_i = probs_i·K (one d-wide row per head), then u_i·W_KV,i. */
  option2U: Mat;
  /** Concatenated head outputs (before W_O) of each path. */
  headOutputs: Record<PathName, number[]>;
  /** Final output y (after W_O) of the standard path, and next-token logits. */
  y: number[];
  logits: number[];
}

/**
 * The last token of `ids` decoded by hand with engine ops on the float64 CPU backend, exposing
 * every intermediate that lessons 4 and 5 show (PAPER.md §2, both options).
 */
export function decodeStepDetail(
  w: ToyWeights,
  heads: number,
  ids: readonly number[],
): DecodeStepDetail {
  const inv = invertWk(w.wK, w.wV);
  if (!inv.wKV) throw new SingularMatrixError(inv.cond, { label: 'W_K' });
  const wKVRows = inv.wKV;
  const b = toyBackend('float64');
  const dk = D / heads;
  return b.scope(() => {
    const X = b.fromArray(embed(ids).flat(), [ids.length, D]);
    const n = ids.length;
    const wQ = b.fromArray(w.wQ.flat(), [D, D]);
    const wK = b.fromArray(w.wK.flat(), [D, D]);
    const wV = b.fromArray(w.wV.flat(), [D, D]);
    const wO = b.fromArray(w.wO.flat(), [D, D]);
    const wKV = b.fromArray(wKVRows.flat(), [D, D]);
    const x = b.sliceRows(X, n - 1, n);
    const q = b.matmul(x, wQ);
    const K = b.matmul(X, wK);
    const V = b.matmul(X, wV);
    const probs = b.attnProbs(q, K, { heads, scale: 1 / Math.sqrt(dk) });
    // Raw scores (before softmax), per head, for the table: q_i · K_iᵀ · scale.
    const scores: Mat = [];
    for (let h = 0; h < heads; h++) {
      const qi = b.sliceCols(q, h * dk, (h + 1) * dk);
      const Ki = b.sliceCols(K, h * dk, (h + 1) * dk);
      scores.push(hostRows(b.scale(b.matmul(qi, Ki, { transposeB: true }), 1 / Math.sqrt(dk)))[0]);
    }
    const standard = b.attnWeightedSum(probs, V, heads);
    const option1V = b.matmul(K, wKV);
    const option1 = b.attnWeightedSum(probs, option1V, heads);
    // Option 2: every head weights the whole K rows (d wide), then one block product.
    const u = b.matmul(probs, K);
    const option2 = b.headBlockMatmul(u, wKV, heads);
    const y = b.matmul(standard, wO);
    const xRow = hostRows(x)[0];
    const yRow = hostRows(y)[0];
    return {
      heads,
      n,
      x: xRow,
      q: hostRows(q)[0],
      K: hostRows(K),
      V: hostRows(V),
      scores,
      probs: hostRows(probs),
      wKV: wKVRows,
      option1V: hostRows(option1V),
      option2U: hostRows(u),
      headOutputs: {
        standard: hostRows(standard)[0],
        option1: hostRows(option1)[0],
        option2: hostRows(option2)[0],
      },
      y: yRow,
      logits: logitsOf(xRow, yRow),
    };
  });
}
