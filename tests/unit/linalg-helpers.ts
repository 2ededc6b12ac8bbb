/** Test-only helpers for the linalg and slim tests: seeded random matrices, known matrices. */
import { matmul64, matrix64, transpose64, type Matrix64 } from '../../engine/linalg/index';
import { seededRandom } from '../../engine/random';

export const EPS64 = 2.220446049250313e-16;
export const EPS32 = 1.1920928955078125e-7;

/** Seeded uniform [0, 1) numbers: every failing case can be replayed from its seed. */
export const rng = seededRandom;

/** Entries uniform in [−1, 1). */
export function randomMatrix(rows: number, cols: number, seed: number): Matrix64 {
  const r = rng(seed);
  return matrix64(
    rows,
    cols,
    Array.from({ length: rows * cols }, () => 2 * r() - 1),
  );
}

/** H_ij = 1 / (i + j + 1), the classic ill-conditioned matrix. */
export function hilbert(n: number): Matrix64 {
  return matrix64(
    n,
    n,
    Array.from({ length: n * n }, (_, k) => 1 / (Math.floor(k / n) + (k % n) + 1)),
  );
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Closed-form integer inverse of the Hilbert matrix (1-based i, j in the formula). */
export function hilbertInverse(n: number): Matrix64 {
  const out = matrix64(n, n);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= n; j++) {
      out.data[(i - 1) * n + (j - 1)] =
        (-1) ** (i + j) *
        (i + j - 1) *
        binomial(n + i - 1, n - j) *
        binomial(n + j - 1, n - i) *
        binomial(i + j - 2, i - 1) ** 2;
    }
  }
  return out;
}

/** A random orthogonal n×n matrix: a product of three Householder reflections I − 2vvᵀ/vᵀv. */
export function randomOrthogonal(n: number, seed: number): Matrix64 {
  const r = rng(seed);
  let q = matrix64(n, n);
  for (let i = 0; i < n; i++) q.data[i * n + i] = 1;
  for (let t = 0; t < 3; t++) {
    const v = Array.from({ length: n }, () => 2 * r() - 1);
    const vv = v.reduce((s, x) => s + x * x, 0);
    const h = matrix64(n, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) h.data[i * n + j] = (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
    q = matmul64(q, h);
  }
  return q;
}

/** U·diag(sigma)·Vᵀ with random orthogonal U, V: a matrix with exactly known singular values. */
export function withSingularValues(sigma: readonly number[], seed: number): Matrix64 {
  const n = sigma.length;
  const u = randomOrthogonal(n, seed);
  const v = randomOrthogonal(n, seed + 7919);
  const us = matrix64(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) us.data[i * n + j] = u.data[i * n + j] * sigma[j];
  return matmul64(us, transpose64(v));
}

/** Geometric spacing from 1 down to 1/cond: singular values of a matrix with cond = cond. */
export function geometricSigmas(n: number, cond: number): number[] {
  return Array.from({ length: n }, (_, i) => cond ** (-i / (n - 1)));
}

/** Largest eigenvalue of the symmetric PSD m by power iteration (independent of the SVD). */
export function powerIterationMax(m: Matrix64, iterations = 500): number {
  const n = m.rows;
  let x = new Float64Array(n).map((_, i) => 1 + i / n);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    const y = matmul64(m, { rows: n, cols: 1, data: x }).data;
    // Rayleigh quotient xᵀMx / xᵀx converges twice as fast as the norm ratio.
    lambda = y.reduce((s, v, i) => s + v * x[i], 0) / x.reduce((s, v) => s + v * v, 0);
    const norm = Math.hypot(...y);
    x = y.map((v) => v / norm);
  }
  return lambda;
}
