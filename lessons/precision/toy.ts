/**
 * Lesson 11's toy: a 2×2 W_K = U·diag(1, σ)·Vᵀ whose smaller singular value σ the reader sets,
 * so cond(W_K) = 1/σ, and a fixed, well-conditioned W_V. Every number comes from the engine:
 * the product through matmul64, and cond, W_KV and the float32/float16 errors of both cache
 * directions through layerPrecision (the same row the default models' layers get).
 */
import {
  computeWkv,
  fromRows,
  layerPrecision,
  matmul64,
  toRows,
  type LayerPrecision,
} from '../../engine';
import type { Mat } from '../common/toyData';

/** The slider moves log10 σ in quarter decades from 1 down to 1e-8. */
export const SIGMA_EXPONENTS: readonly number[] = Array.from({ length: 33 }, (_, i) => -i / 4);
/** Two rotations with exact-looking entries (3-4-5 triangles): the singular vectors of W_K. */
export const TOY_U: Mat = [
  [0.6, -0.8],
  [0.8, 0.6],
];
export const TOY_VT: Mat = [
  [0.8, -0.6],
  [0.6, 0.8],
];
/** W_V stays put: small integers and halves, far from singular. */
export const TOY_WV: Mat = [
  [1.5, 0.5],
  [-0.5, 1],
];

export interface ToyPrecision {
  /** log10 σ and σ. */
  exponent: number;
  sigma: number;
  wK: Mat;
  /** W_KV = W_K⁻¹·W_V (float64). */
  wKV: Mat;
  /** cond, the four errors and the direction the engine picks (as for a real layer). */
  row: LayerPrecision<number>;
}

/** W_K = U·diag(1, σ)·Vᵀ in float64. */
export function toyWk(sigma: number): Mat {
  const s = fromRows([
    [1, 0],
    [0, sigma],
  ]);
  return toRows(matmul64(matmul64(fromRows(TOY_U), s), fromRows(TOY_VT)));
}

export function toyPrecision(exponent: number): ToyPrecision {
  const sigma = 10 ** exponent;
  const wK = toyWk(sigma);
  const k = fromRows(wK);
  const v = fromRows(TOY_WV);
  const { wKV } = computeWkv(k, v, { label: 'toy W_K', maxCondition: Infinity });
  return { exponent, sigma, wK, wKV: toRows(wKV), row: layerPrecision(0, k, v) };
}

let sweep: ToyPrecision[] | undefined;
/** The whole slider range (33 small measurements), computed once per page load. */
export function toySweep(): ToyPrecision[] {
  return (sweep ??= SIGMA_EXPONENTS.map(toyPrecision));
}
