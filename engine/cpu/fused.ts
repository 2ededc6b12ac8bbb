/**
 * The CPU reference of the fused ops (engine/backend.ts): each is the plain composition of the
 * backend's own ops, one after the other, every step rounded to the backend's dtype. The WebGL
 * backend runs the same computations as single draws; the browser tests compare the two.
 * CpuBackend's methods delegate here in one line each.
 */
import {
  normalizeRows,
  type AttentionOptions,
  type Backend,
  type LinearOptions,
  type RowNorm,
} from '../backend';
import * as check from '../checks';
import type { Tensor } from '../tensor';

/** The shapes of a prologue norm, for the checks shared with the WebGL backend. */
export function normShapes(norm: RowNorm | undefined): check.RowNormShapes | undefined {
  return norm && { ...norm, gamma: norm.gamma.shape, beta: norm.beta?.shape };
}

/**
 * act(norm(a) · b + bias) ⊙ (norm(a) · times.weight + times.bias) + residual as ops: the norm,
 * the plain linear (matmul, bias, activation), the gating product and its mul, then the add.
 * Checked first, with the WebGL backend's messages.
 */
export function linear(be: Backend, a: Tensor, b: Tensor, options: LinearOptions): Tensor {
  const { norm, residual, times, ...plain } = options;
  const { transposeB } = plain;
  const dims = check.checkMatmul('linear', a.shape, b.shape, transposeB === true);
  const timesShapes = times && { weight: times.weight.shape, b: b.shape, bias: times.bias?.shape };
  check.checkLinearExtras('linear', dims, normShapes(norm), residual?.shape, timesShapes);
  return be.scope(() => {
    const x = norm ? normalizeRows(be, a, norm) : a;
    let y = be.linear(x, b, plain);
    if (times) y = be.mul(y, be.linear(x, times.weight, { bias: times.bias, transposeB }));
    return residual ? be.add(y, residual) : y;
  });
}

/**
 * softmax(q_i k_iᵀ · scale + mask) · v per head: attnProbs, then the weighted sum (or p · v);
 * with kvHeads, both read each group's shared key/value head in place.
 */
export function attention(
  be: Backend,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions,
): Tensor {
  check.checkAttention(q.shape, k.shape, v.shape, options);
  return be.scope(() => {
    const p = be.attnProbs(q, k, options);
    return options.values === 'all'
      ? be.matmul(p, v)
      : be.attnWeightedSum(p, v, options.heads, options.kvHeads);
  });
}

/** Columns [start, end) of x: on the CPU always a copy (its tensors are contiguous rows). */
export function colsView(be: Backend, x: Tensor, start: number, end: number): Tensor {
  const [, c] = check.checkMatrix('colsView', x.shape);
  check.checkRange('colsView', x.shape, start, end, c);
  return be.sliceCols(x, start, end);
}
