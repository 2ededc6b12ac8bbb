import { EngineInputError } from '../tensor';
import {
  SingularMatrixError,
  assertMatrix,
  labelled,
  maxConditionOf,
  type LinalgOptions,
} from './errors';
import { addRowCombination } from './kernels';
import { inverse, norm1, solve } from './lu';
import { matmul64, matrix64, transpose64, type Matrix64 } from './matrix';
import { scaled, unscale } from './scaling';
import { conditionNumber } from './svd';

/**
 * Right inverse of a wide d×e matrix w (e ≥ d): W⁺ = wᵀ (w wᵀ)⁻¹, e×d, with w·W⁺ = I_d
 * (paper §3, option 1). A square w falls back to inverse().
 *
 * We do not form w wᵀ: its condition number is cond(w)², which would square every rounding
 * error. Instead take the Householder QR of the tall wᵀ = Q R (Q e×d orthonormal columns,
 * R d×d upper): w wᵀ = Rᵀ R, so W⁺ = Q R (Rᵀ R)⁻¹ = Q R⁻ᵀ, i.e. (W⁺)ᵀ = R⁻¹ Qᵀ.
 * cond(R) = cond(w), so the conditioning check sees the true number. Works on w scaled by a
 * power of two (w = 2^e·ŵ, W⁺ = 2^−e·Ŵ⁺); a W⁺ beyond float64's range throws MatrixRangeError.
 */
export function rightInverse(w: Matrix64, options?: LinalgOptions): Matrix64 {
  assertMatrix(w, labelled('rightInverse', options));
  if (w.cols === w.rows) return inverse(w, options);
  const { m, e } = scaled(w);
  return unscale(scaledRightInverse(m, options), -e, 'rightInverse: W⁺', options);
}

/** The closing sentence of a SingularMatrixError from rightInverse: a d×e W_K needs rank d. */
function noRightInverse(d: number, e: number): string {
  return (
    `W_K (${d}×${e}) has no usable right inverse: it needs ${d} independent rows (rank ${d}), ` +
    'so V cannot be recomputed from K (the right inverse of paper §3, option 1); the X-cache needs no inverse.'
  );
}

/** rightInverse of a w whose entries are near 1 (max |w| in [0.5, 1)), not scaled back. */
function scaledRightInverse(w: Matrix64, options?: LinalgOptions): Matrix64 {
  const d = w.rows;
  const e = w.cols;
  if (e < d) {
    throw new EngineInputError(
      `${labelled('rightInverse', options)}: w is ${d}×${e}, taller than wide, so its rank is ` +
        `at most ${e} < ${d} and no right inverse exists (needs e ≥ d; paper §3)`,
    );
  }

  // Householder QR of a = wᵀ (e×d), in place, row-major. Reflector k is stored in vs[k].
  const a = transpose64(w).data;
  const vs: Float64Array[] = [];
  const r = matrix64(d, d);
  for (let k = 0; k < d; k++) {
    let norm = 0;
    for (let i = k; i < e; i++) norm = Math.hypot(norm, a[i * d + k]);
    const v = new Float64Array(e - k);
    if (norm === 0) {
      vs.push(v); // zero column: no reflection, R[k][k] = 0 (rank deficient)
      continue;
    }
    const alpha = a[k * d + k] > 0 ? -norm : norm; // sign avoids cancellation in v₀
    for (let i = k; i < e; i++) v[i - k] = a[i * d + k];
    v[0] -= alpha;
    let vNorm = 0;
    for (let i = 0; i < v.length; i++) vNorm = Math.hypot(vNorm, v[i]);
    for (let i = 0; i < v.length; i++) v[i] /= vNorm;
    applyReflector(a, d, k, k, v);
    vs.push(v);
  }
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) r.data[i * d + j] = a[i * d + j];

  // Q = H_0 H_1 … H_{d−1} applied to the first d columns of I_e.
  const q = new Float64Array(e * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  for (let k = d - 1; k >= 0; k--) applyReflector(q, d, k, 0, vs[k]);

  const max = maxConditionOf(options);
  for (let k = 0; k < d; k++) {
    if (r.data[k * d + k] === 0)
      throw new SingularMatrixError(Infinity, options, noRightInverse(d, e), 'right inverse');
  }
  const rInv = upperTriangularInverse(r);
  // Same screening as inverse(): κ₁(R) ≤ max/d proves κ₂(w) = κ₂(R) ≤ max.
  if (Number.isFinite(max) && !(norm1(r) * norm1(rInv) <= max / d)) {
    const kappa2 = conditionNumber(w);
    if (!(kappa2 <= max))
      throw new SingularMatrixError(kappa2, options, noRightInverse(d, e), 'right inverse');
  }
  // W⁺ = Q R⁻ᵀ: out[i][j] = Σ_k q[i][k] · rInv[j][k].
  const out = matrix64(e, d);
  for (let i = 0; i < e; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = j; k < d; k++) s += q[i * d + k] * rInv.data[j * d + k];
      out.data[i * d + j] = s;
    }
  }
  return out;
}

/** rows k… of the e×cols row-major m, columns c0…: m ← (I − 2 v vᵀ) m. */
function applyReflector(m: Float64Array, cols: number, k: number, c0: number, v: Float64Array) {
  const w = new Float64Array(cols - c0);
  addRowCombination(w, 0, v, 0, m, k * cols + c0, cols, v.length, cols - c0); // w = vᵀ m
  for (let i = 0; i < v.length; i++) {
    const f = 2 * v[i];
    if (f === 0) continue;
    const row = (k + i) * cols;
    for (let j = c0; j < cols; j++) m[row + j] -= f * w[j - c0];
  }
}

/** R⁻¹ for upper triangular R with non-zero diagonal, by back substitution, row by row. */
function upperTriangularInverse(r: Matrix64): Matrix64 {
  const n = r.rows;
  const x = matrix64(n, n);
  const xd = x.data;
  const rd = r.data;
  for (let i = n - 1; i >= 0; i--) {
    // Row i of R·X = I: r_ii x_i + Σ_{k>i} r_ik x_k = e_i.
    // Rows k > i of X are zero left of column k, so only columns > i change.
    const ri = i * n;
    xd[ri + i] = 1;
    addRowCombination(
      xd,
      ri + i + 1,
      rd,
      ri + i + 1,
      xd,
      (i + 1) * n + i + 1,
      n,
      n - i - 1,
      n - i - 1,
      -1,
    );
    const inv = 1 / rd[ri + i];
    for (let j = i; j < n; j++) xd[ri + j] *= inv;
  }
  return x;
}

/**
 * left⁻¹·right in float64: an LU solve when left is square, the right inverse (paper §3)
 * when left is wide. The one way the project forms W_KV = W_K⁻¹·W_V and W_VK = W_V⁻¹·W_K.
 * Conditioning is checked as solve/rightInverse check it (options.maxCondition; Infinity skips
 * the check for a caller that has measured it already).
 */
export function leftDivide(left: Matrix64, right: Matrix64, options?: LinalgOptions): Matrix64 {
  if (left.rows === left.cols) return solve(left, right, options);
  assertMatrix(left, labelled('leftDivide: left', options));
  assertMatrix(right, labelled('leftDivide: right', options));
  // left = 2^el·L̂, right = 2^er·R̂ ⇒ left⁺·right = 2^(er−el)·L̂⁺R̂: W⁺ alone may not fit float64
  // (entries 1e310 for a 1e-310 left) while the product does.
  const L = scaled(left);
  const R = scaled(right);
  return unscale(
    matmul64(scaledRightInverse(L.m, options), R.m),
    R.e - L.e,
    'leftDivide: left⁺·right',
    options,
  );
}
