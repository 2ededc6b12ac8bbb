/** Validation and float64 host-side preparation of attention weights (paper §1, §3, Appendix F). */
import { vecMat, type Matrix64 } from '../linalg';
import { formWkv, slimValueBias } from '../slim';
import { EngineInputError, assertFinite } from '../tensor';
import type { AttentionWeights } from './types';

/** A matrix whose values are formed on upload. */
export interface LazyMatrix {
  rows: number;
  cols: number;
  data: () => Float32Array | Float64Array;
}

/** d, h, d_k and e = h·d_k of a validated layer. */
export interface LayerDims {
  d: number;
  heads: number;
  headDim: number;
  e: number;
}

export function layerName(config: { label?: string }): string {
  return config.label ?? 'attention';
}

/** Checks every shape and value of the weights; returns the layer's dimensions. */
export function validateWeights(w: AttentionWeights, config: { label?: string }): LayerDims {
  const where = layerName(config);
  const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
  if (!w || !positive(w.d) || !positive(w.heads) || !positive(w.headDim)) {
    throw new EngineInputError(
      `${where}: d, heads and headDim must be positive integers, got ${w?.d}, ${w?.heads}, ${w?.headDim}`,
    );
  }
  const { d, heads, headDim } = w;
  const e = heads * headDim;
  const matrix = (m: Matrix64 | undefined, name: string, r: number, c: number): void => {
    if (
      !m ||
      !(m.data instanceof Float64Array) ||
      m.rows !== r ||
      m.cols !== c ||
      m.data.length !== r * c
    ) {
      const got = m ? `${m.rows}×${m.cols}` : 'nothing';
      throw new EngineInputError(
        `${where}: ${name} must be a ${r}×${c} Matrix64 (d = ${d}, e = ${e}), got ${got}`,
      );
    }
    assertFinite(m.data, `${where}: ${name}`, [r, c]);
  };
  const vector = (v: Float64Array | undefined, name: string, n: number): void => {
    if (v === undefined) return;
    if (!(v instanceof Float64Array) || v.length !== n) {
      throw new EngineInputError(
        `${where}: ${name} must be a Float64Array of length ${n}, got length ${v?.length}`,
      );
    }
    assertFinite(v, `${where}: ${name}`);
  };
  matrix(w.wQ, 'W_Q', d, e);
  matrix(w.wK, 'W_K', d, e);
  matrix(w.wV, 'W_V', d, e);
  matrix(w.wO, 'W_O', e, d);
  vector(w.bQ, 'b_Q', e);
  vector(w.bK, 'b_K', e);
  vector(w.bV, 'b_V', e);
  vector(w.bO, 'b_O', d);
  return { d, heads, headDim, e };
}

/**
 * Output bias that absorbs a constant row c added to every value row: softmax weights sum to 1,
 * so Σ s_j (v_j + c) = Σ s_j v_j + c, and (y + c) W_O + b_O = y W_O + (c W_O + b_O) (paper Appendix F).
 * Returns undefined when there is no bias at all.
 */
export function foldOutputBias(
  valueConstant: Float64Array | undefined,
  wO: Matrix64,
  bO: Float64Array | undefined,
): Float64Array | undefined {
  if (!valueConstant) return bO;
  const folded = vecMat(valueConstant, wO);
  if (bO) for (let j = 0; j < folded.length; j++) folded[j] += bO[j];
  return folded;
}

/** The projection weights of a layer (its matrices and biases, without the shape numbers). */
export type Projections = Pick<
  AttentionWeights,
  'wQ' | 'wK' | 'wV' | 'wO' | 'bQ' | 'bK' | 'bV' | 'bO'
>;

/** The weights a layer with a KV-cache uploads: all projections, as the model has them. */
export function projections(w: AttentionWeights): Projections {
  const { wQ, wK, wV, wO, bQ, bK, bV, bO } = w;
  return { wQ, wK, wV, wO, bQ, bK, bV, bO };
}

/** The weights a K-cache layer uploads: W_KV in place of W_V, and no b_V (folded into b_O). */
export type KCacheProjections = Omit<Projections, 'wV' | 'bV'> & { wKV: Matrix64 };

/**
 * The K-cache value path of a layer (paper §1, Appendix F): W_KV = W_K⁻¹·W_V, formed in float64
 * by engine/slim (SingularMatrixError names the layer), and the output bias with the constant
 * row b_V − b_K·W_KV (engine/slim slimValueBias) folded in, since V = (K − b_K)·W_KV + b_V: the value path is a bare K·W_KV.
 * Self-attention (slim.ts) and cross-attention option 1 (crossKCache.ts) share it.
 */
export function kCacheProjections(
  w: AttentionWeights,
  config: { label?: string; maxCondition?: number },
): KCacheProjections {
  const wKV = formWkv(w.wK, w.wV, {
    label: `${layerName(config)}, W_K`,
    maxCondition: config.maxCondition,
  });
  const valueConstant = slimValueBias(w.bK, w.bV, wKV);
  const { wQ, wK, wO, bQ, bK } = w;
  return { wQ, wK, wKV, wO, bQ, bK, bO: foldOutputBias(valueConstant, w.wO, w.bO) };
}

/**
 * Projections side by side, [W_1 | W_2 | …] and [b_1 | b_2 | …], so that one product computes
 * them all (Q, K and V of a step in one pass); a missing bias is zeros, and when every bias is
 * missing there is none. The parts share their row count d.
 */
export function fuseColumns(parts: readonly { w: Matrix64; b?: Float64Array }[]): {
  w: Matrix64;
  b: Float64Array | undefined;
} {
  const w = fuseMatrices(
    parts.map((p) => p.w),
    Float64Array,
  );
  return { w: { rows: w.rows, cols: w.cols, data: w.data }, b: fuseBiases(parts) };
}

/** A host matrix as a layer uploads it: float64, or float32 for a float32 backend. */
export interface HostMatrix<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  rows: number;
  cols: number;
  data: A;
}

/**
 * [W_1 | W_2 | …] written straight into one array of the given kind: Float32Array for a
 * float32 backend, which stores exactly these roundings of the float64 values (half the
 * temporary of a float64 concatenation).
 */
export function fuseMatrices<A extends Float32Array | Float64Array>(
  parts: readonly Matrix64[],
  array: { new (length: number): A },
): HostMatrix<A> {
  const rows = parts[0].rows;
  const cols = parts.reduce((s, p) => s + p.cols, 0);
  const data = new array(rows * cols);
  let c0 = 0;
  for (const p of parts) {
    for (let r = 0; r < rows; r++)
      data.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), r * cols + c0);
    c0 += p.cols;
  }
  return { rows, cols, data };
}

/** [b_1 | b_2 | …] of fuseColumns: a missing bias is zeros; none when every bias is missing. */
export function fuseBiases(
  parts: readonly { w: { cols: number }; b?: Float64Array }[],
): Float64Array | undefined {
  if (!parts.some((p) => p.b)) return undefined;
  const b = new Float64Array(parts.reduce((s, p) => s + p.w.cols, 0));
  let c0 = 0;
  for (const p of parts) {
    if (p.b) b.set(p.b, c0);
    c0 += p.w.cols;
  }
  return b;
}

/**
 * The names under which standard (standard.ts) and slim (slim.ts) layers share the uploads they
 * have alike (LayerCore.uploadAll): [W_Q | W_K] with [b_Q | b_K], and W_O. b_O is not shared:
 * slim's has the value bias folded in (paper Appendix F).
 */
export const SHARED_QK_O = { wQK: '[W_Q|W_K]', bQK: '[b_Q|b_K]', wO: 'W_O' } as const;

/**
 * [W_Q | W_K] as the product of Q and K uploads it, formed only when uploaded (a store shared
 * with another model's layer may hold it): float32 for a float32 backend (the values it stores
 * either way); and [b_Q | b_K].
 */
export function fusedQK(
  w: Pick<AttentionWeights, 'wQ' | 'wK' | 'bQ' | 'bK'>,
  backend: { dtype: string },
): { wQK: LazyMatrix; bQK: Float64Array | undefined } {
  const parts = [w.wQ, w.wK];
  const array = backend.dtype === 'float32' ? Float32Array : Float64Array;
  return {
    wQK: {
      rows: w.wQ.rows,
      cols: w.wQ.cols + w.wK.cols,
      data: () => fuseMatrices<Float32Array | Float64Array>(parts, array).data,
    },
    bQK: fuseBiases([
      { w: w.wQ, b: w.bQ },
      { w: w.wK, b: w.bK },
    ]),
  };
}
