/** The current W_K's inverse and W_KV = W_K⁻¹·W_V in exact rational arithmetic (lesson 2). */
import {
  exactInverse,
  exactMatmul,
  formatFractionMatrix,
  isIntegerFraction,
  toFractionMatrix,
} from '../common/exact';
import type { Mat } from '../common/toyData';

export interface ExactWkv {
  /** W_K⁻¹ and W_KV as fraction strings. */
  inv: string[][];
  wKV: string[][];
  allInteger: boolean;
  wKVInteger: boolean;
}

/** W_K⁻¹ and W_KV exactly; W_K must be invertible (exact rank, see singular.ts). */
export function exactWkv(wK: Mat, wV: Mat): ExactWkv {
  const k = toFractionMatrix(wK);
  const inv = exactInverse(k);
  const wKV = exactMatmul(inv, toFractionMatrix(wV));
  return {
    inv: formatFractionMatrix(inv),
    wKV: formatFractionMatrix(wKV),
    allInteger: inv.every((r) => r.every(isIntegerFraction)),
    wKVInteger: wKV.every((r) => r.every(isIntegerFraction)),
  };
}
