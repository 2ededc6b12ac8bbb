/**
 * Lesson 8's toy layer with non-square projections (paper §3): d = 2 inputs, h = 2 heads of
 * width d_k = 2, so e = h·d_k = 4 and r = e/d = 2. W_Q, W_K, W_V are d × e (2 × 4), W_O is
 * e × d. Everything is computed by engine/: the right inverse by engine/linalg, W_KV by
 * engine/slim, and the three layers (standard KV-cache, slim option 1 with the right inverse,
 * X-cache) by engine/attention on the CPU backend in float64 and float32.
 */
import {
  MatrixRangeError,
  SingularMatrixError,
  createAttention,
  formWkv,
  fromRows,
  matmul64,
  rightInverse,
  toRows,
  type AttentionConfig,
  type AttentionWeights,
  type CacheStats,
  type DType,
} from '../../engine';
import type { AttentionShape } from '../../roofline';
import { exactRowTimes, formatFraction, leftNullSpace, toFractionMatrix } from '../common/exact';
import { hostRows, toyBackend } from '../common/toyEngine';
import type { Mat } from '../common/toyData';

/** Model width d of the toy. */
export const NS_D = 2;
/** Heads h and head width d_k: e = h·d_k = 4. */
export const NS_HEADS = 2;
export const NS_HEAD_DIM = 2;
export const NS_E = NS_HEADS * NS_HEAD_DIM;

/** The toy layer's shape for the cost model (one layer, MHA). */
export const NS_SHAPE: AttentionShape = {
  d: NS_D,
  layers: 1,
  heads: NS_HEADS,
  kvHeads: NS_HEADS,
  headDim: NS_HEAD_DIM,
};

/** The editable projections, each d × e. */
export interface NonSquareWeights {
  wQ: Mat;
  wK: Mat;
  wV: Mat;
}

/**
 * Defaults with small integers. The rows of W_K are orthogonal and both have squared length 4,
 * so W_K·W_Kᵀ = 4·I and the right inverse is W_Kᵀ/4: quarters a reader can check by hand.
 */
export const NS_DEFAULT_WEIGHTS: Readonly<NonSquareWeights> = {
  wQ: [
    [1, 0, 0, 1],
    [0, 1, 1, 0],
  ],
  wK: [
    [1, 1, 1, -1],
    [1, -1, 1, 1],
  ],
  wV: [
    [1, 0, -1, 1],
    [0, 1, 1, 0],
  ],
};

/** W_O (e × d), fixed: it maps the two heads' outputs back to d = 2. */
export const NS_WO: Mat = [
  [1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];

/** The query bias the toy can switch on (length e): the X-cache folds it into its scores. */
export const NS_QUERY_BIAS: readonly number[] = [1, 0, -1, 1];

/** The four input rows x_1 … x_4 (d = 2 each): the X-cache holds exactly these. */
export const NS_INPUTS: Mat = [
  [1, 0],
  [0, 1],
  [1, 1],
  [2, -1],
];
export const NS_TOKEN_LABELS = NS_INPUTS.map((_, i) => `x${i + 1}`);

/** A W_K of rank 1 < d for the "break it" button: its second row is twice the first. */
export function rankOneWk(wK: Mat): Mat {
  return [[...wK[0]], wK[0].map((x) => 2 * x)];
}

export type NonSquarePath = 'standard' | 'option1' | 'xCache';
export const NS_PATHS: readonly NonSquarePath[] = ['standard', 'option1', 'xCache'];
export const NS_CONFIGS: Record<NonSquarePath, AttentionConfig> = {
  standard: { scheme: 'kv', label: 'toy standard' },
  option1: { scheme: 'k-cache', decodeOrder: 'v-first', label: 'toy right inverse' },
  xCache: { scheme: 'x-cache', label: 'toy X-cache' },
};

function attentionWeights(w: NonSquareWeights, queryBias = false): AttentionWeights {
  return {
    bQ: queryBias ? Float64Array.from(NS_QUERY_BIAS) : undefined,
    d: NS_D,
    heads: NS_HEADS,
    headDim: NS_HEAD_DIM,
    wQ: fromRows(w.wQ),
    wK: fromRows(w.wK),
    wV: fromRows(w.wV),
    wO: fromRows(NS_WO),
  };
}

export interface PathRun {
  /** Output row of the last input (after W_O). */
  row: number[];
  cache: CacheStats;
}

/** One engine layer: prefill x_1 … x_{n−1}, decode x_n; the last output row and cache stats. */
function runPath(
  w: NonSquareWeights,
  path: NonSquarePath,
  dtype: DType,
  queryBias: boolean,
): PathRun {
  const backend = toyBackend(dtype);
  const layer = createAttention(backend, attentionWeights(w, queryBias), NS_CONFIGS[path]);
  try {
    const n = NS_INPUTS.length;
    backend.scope(() =>
      layer.prefill(backend.fromArray(NS_INPUTS.slice(0, n - 1).flat(), [n - 1, NS_D])),
    );
    const row = backend.scope(() =>
      hostRows(layer.decode(backend.fromArray(NS_INPUTS[n - 1], [1, NS_D]))),
    )[0];
    return { row, cache: layer.cacheStats() };
  } finally {
    layer.dispose();
  }
}

export interface NonSquareRuns {
  dtype: DType;
  /** Present for every path that builds; option 1 is missing when W_K has rank < d. */
  runs: Partial<Record<NonSquarePath, PathRun>>;
  /** The engine's refusal of option 1, when it refuses. */
  option1Error?: string;
  maxDiff: { option1VsStandard?: number; xCacheVsStandard: number };
}

const maxAbsDiff = (a: readonly number[], b: readonly number[]) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

/** The three layers on one dtype, decoding x_4 after x_1 … x_3, optionally with NS_QUERY_BIAS. */
export function runNonSquare(w: NonSquareWeights, dtype: DType, queryBias = false): NonSquareRuns {
  const runs: Partial<Record<NonSquarePath, PathRun>> = {};
  let option1Error: string | undefined;
  for (const p of NS_PATHS) {
    try {
      runs[p] = runPath(w, p, dtype, queryBias);
    } catch (e) {
      if (p === 'option1' && (e instanceof SingularMatrixError || e instanceof MatrixRangeError)) {
        option1Error = e.message;
      } else throw e;
    }
  }
  const standard = (runs.standard as PathRun).row;
  return {
    dtype,
    runs,
    option1Error,
    maxDiff: {
      option1VsStandard: runs.option1 && maxAbsDiff(runs.option1.row, standard),
      xCacheVsStandard: maxAbsDiff((runs.xCache as PathRun).row, standard),
    },
  };
}

export interface RightInverseDetail {
  /** W_K⁺ = W_Kᵀ(W_K·W_Kᵀ)⁻¹, e × d (engine/linalg's rightInverse). */
  wKPlus: Mat;
  /** W_K·W_K⁺: the d × d identity, up to float64 rounding. */
  wKwKPlus: Mat;
  /** W_K⁺·W_K: e × e, a projection of rank d, not the identity. */
  projector: Mat;
  /** max |W_K⁺·W_K − I_e|. */
  projectorVsIdentity: number;
  /** K = X·W_K (n × e), the K-cache. */
  K: Mat;
  /** K·W_K⁺·W_K: every row of K comes back. */
  KBack: Mat;
  /** max |K·W_K⁺·W_K − K|. */
  KBackError: number;
  /** W_KV = W_K⁺·W_V, e × e (engine/slim's formWkv, as the slim layer forms it). */
  wKV: Mat;
  /** V = X·W_V (n × e) and K·W_KV. */
  V: Mat;
  VFromK: Mat;
  /** max |K·W_KV − V|. */
  VFromKError: number;
}

export interface RankDeficiency {
  /** Exact rank of W_K (< d). */
  rank: number;
  /** z with z·W_K = 0 exactly, as fractions and numbers. */
  z: { text: string[]; values: number[] };
  /** z·W_V: the values of x and x + z differ by this, though their keys are equal. */
  valueGap: { text: string[]; values: number[] };
}

export type NonSquareInversion =
  | { ok: true; detail: RightInverseDetail }
  | { ok: false; error: string; deficiency?: RankDeficiency };

const maxAbs = (a: Mat, b: Mat) =>
  a.reduce((m, row, i) => row.reduce((mm, x, j) => Math.max(mm, Math.abs(x - b[i][j])), m), 0);

const identity = (n: number): Mat =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/**
 * The right inverse and what it does (paper §3 option 1), in float64. When W_K has no usable
 * right inverse, returns the engine's refusal and, if the rank is exactly below d, a z with
 * z·W_K = 0 (exact arithmetic), which shows why no function of K can give V.
 */
export function rightInverseDetail(w: NonSquareWeights): NonSquareInversion {
  const wK = fromRows(w.wK);
  const wV = fromRows(w.wV);
  try {
    const plus = rightInverse(wK, { label: 'toy W_K' });
    const wKV = formWkv(wK, wV, { label: 'toy W_K' });
    const X = fromRows(NS_INPUTS);
    const K = matmul64(X, wK);
    const V = matmul64(X, wV);
    const projector = matmul64(plus, wK);
    const KBack = matmul64(K, projector);
    const VFromK = matmul64(K, wKV);
    const rows = {
      K: toRows(K),
      KBack: toRows(KBack),
      V: toRows(V),
      VFromK: toRows(VFromK),
      projector: toRows(projector),
    };
    return {
      ok: true,
      detail: {
        wKPlus: toRows(plus),
        wKwKPlus: toRows(matmul64(wK, plus)),
        projector: rows.projector,
        projectorVsIdentity: maxAbs(rows.projector, identity(NS_E)),
        K: rows.K,
        KBack: rows.KBack,
        KBackError: maxAbs(rows.KBack, rows.K),
        wKV: toRows(wKV),
        V: rows.V,
        VFromK: rows.VFromK,
        VFromKError: maxAbs(rows.VFromK, rows.V),
      },
    };
  } catch (e) {
    if (!(e instanceof SingularMatrixError || e instanceof MatrixRangeError)) throw e;
    const { rank, nullVector } = leftNullSpace(toFractionMatrix(w.wK));
    const frac = (v: ReturnType<typeof exactRowTimes>) => ({
      text: v.map(formatFraction),
      values: v.map((f) => Number(f.valueOf())),
    });
    return {
      ok: false,
      error: e.message,
      deficiency: nullVector
        ? {
            rank,
            z: frac(nullVector),
            valueGap: frac(exactRowTimes(nullVector, toFractionMatrix(w.wV))),
          }
        : undefined,
    };
  }
}
