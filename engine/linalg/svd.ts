import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { assertMatrix, labelled, type LinalgOptions } from './errors';
import type { Matrix64 } from './matrix';

/**
 * The min(rows, cols) singular values of a, descending. ml-matrix's Golub–Kahan SVD (a port of
 * JAMA) computes them to an absolute accuracy of about eps64·σmax, enough to resolve condition
 * numbers up to ~1e15; we skip the singular vectors, which roughly halves its cost.
 */
export function singularValues(a: Matrix64, options?: LinalgOptions): Float64Array {
  assertMatrix(a, labelled('singularValues', options));
  // The SVD works on tall matrices; σ(a) = σ(aᵀ), so feed the wide case transposed.
  const tall = a.rows >= a.cols;
  const m = Matrix.from1DArray(a.rows, a.cols, a.data);
  const svd = new SingularValueDecomposition(tall ? m : m.transpose(), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  });
  const s = Float64Array.from(svd.diagonal, (v) => Math.abs(v));
  return s.sort().reverse();
}

/**
 * 2-norm condition number σmax/σmin (for a d×e matrix, over its min(d, e) singular values).
 * Infinity when σmin is zero, i.e. the matrix is exactly rank deficient (or all zeros).
 */
export function conditionNumber(a: Matrix64, options?: LinalgOptions): number {
  const s = singularValues(a, options);
  const max = s[0];
  const min = s[s.length - 1];
  if (min === 0) return Infinity;
  return max / min;
}
