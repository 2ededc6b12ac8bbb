import { assertMatrix, labelled, type LinalgOptions } from './errors';
import { addRowCombination } from './kernels';
import { ldexp, scaleExponent, unscale } from './scaling';
import type { Matrix64 } from './matrix';

/**
 * Singular values in two steps, both standard (Golub & Van Loan paper §4.6; LAPACK dgebrd + dbdsvdx):
 * 1. Householder bidiagonalization A = U·B·Vᵀ (B upper bidiagonal: diagonal q, superdiagonal
 *    s). Orthogonal transformations keep the singular values, to an absolute error of about
 *    eps64·σmax.
 * 2. The singular values of B are the positive eigenvalues of the 2n×2n Golub–Kahan matrix
 *    (zero diagonal, off-diagonal q₀, s₀, q₁, s₁, …), found by bisection with Sturm counts.
 *    Bisection on it determines each σ of B to high relative accuracy (Demmel & Kahan 1990).
 * We write it by hand rather than calling ml-matrix's SVD: we never need singular vectors,
 * and this runs on contiguous rows (measured ~3× faster on 768×768, see bench/linalg.ts).
 */
export function singularValues(a: Matrix64, options?: LinalgOptions): Float64Array {
  assertMatrix(a, labelled('singularValues', options));
  const { sigma, exponent } = scaledSingularValues(a);
  // σmax ≤ √(rows·cols)·max |a| can exceed float64 when max |a| is near 1.8e308.
  return unscale(
    { rows: 1, cols: sigma.length, data: sigma },
    exponent,
    'singularValues: σ',
    options,
  ).data;
}

/** The singular values of a·2^−exponent (max |a|·2^−exponent in [0.5, 1)), and the exponent. */
function scaledSingularValues(a: Matrix64): { sigma: Float64Array; exponent: number } {
  const { diag, superDiag, exponent } = bidiagonalize(a);
  return { sigma: bidiagonalSingularValues(diag, superDiag), exponent };
}

/**
 * 2-norm condition number σmax/σmin (for a d×e matrix, over its min(d, e) singular values).
 * Infinity when σmin is exactly 0 (e.g. the zero matrix, or a zero column met during the
 * bidiagonalization), or when the ratio itself exceeds float64 (σmin subnormal relative to
 * σmax). Computed on the matrix scaled by a power of two, so the size of the entries (1e-310 or
 * 1.7e308) does not matter, only their ratios. The SVD's own rounding error is about
 * max(d, e)·eps64·σmax, so values above ~1/(max(d, e)·eps64) (≈ 1e15 for small matrices) only
 * say "singular to working precision"; [[1, 2], [2, 4]] comes out near 1e16 rather than ∞.
 */
export function conditionNumber(a: Matrix64, options?: LinalgOptions): number {
  assertMatrix(a, labelled('conditionNumber', options));
  const { sigma: s } = scaledSingularValues(a);
  const max = s[0];
  const min = s[s.length - 1];
  if (min === 0) return Infinity;
  return max / min;
}

/** Householder vector of x (in place): returns α with (I − 2vvᵀ)x = α·e₁, or 0 if x = 0. */
function householder(x: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const norm = Math.sqrt(ss);
  if (norm === 0) return 0;
  const alpha = x[0] > 0 ? -norm : norm; // opposite sign to x₀: no cancellation in v₀
  x[0] -= alpha;
  const vNorm = Math.sqrt(2 * norm * (norm + Math.abs(x[0] + alpha)));
  for (let i = 0; i < x.length; i++) x[i] /= vNorm;
  return alpha;
}

function bidiagonalize(a: Matrix64): {
  diag: Float64Array;
  superDiag: Float64Array;
  exponent: number;
} {
  // Work on the tall orientation (σ(A) = σ(Aᵀ)), scaled by a power of two (exact) so that
  // max |a| ≈ 1 and sums of squares can neither overflow nor underflow.
  const tall = a.rows >= a.cols;
  const m = tall ? a.rows : a.cols;
  const n = tall ? a.cols : a.rows;
  // ldexp, not division by 2^exponent: 2^1024 (max |a| ≳ 1.34e308) is Infinity in float64.
  const exponent = scaleExponent(a.data);
  const w = new Float64Array(m * n);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const v = ldexp(a.data[i * a.cols + j], -exponent);
      if (tall) w[i * n + j] = v;
      else w[j * n + i] = v;
    }
  }
  const diag = new Float64Array(n);
  const superDiag = new Float64Array(Math.max(0, n - 1));
  const colVec = new Float64Array(m);
  const rowSums = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // Left reflector: zero column k below the diagonal.
    const v = colVec.subarray(0, m - k);
    for (let i = 0; i < m - k; i++) v[i] = w[(k + i) * n + k];
    diag[k] = householder(v);
    const width = n - k - 1;
    if (diag[k] !== 0 && width > 0) {
      // rows k… of columns k+1…: M ← M − 2v(vᵀM); vᵀM is a combination of rows.
      const vtM = rowSums.subarray(0, width);
      vtM.fill(0);
      addRowCombination(vtM, 0, v, 0, w, k * n + k + 1, n, m - k, width);
      for (let i = 0; i < m - k; i++) {
        const f = 2 * v[i];
        if (f === 0) continue;
        const row = (k + i) * n + k + 1;
        for (let j = 0; j < width; j++) w[row + j] -= f * vtM[j];
      }
    }
    if (width === 0) break;
    // Right reflector: zero row k right of the superdiagonal.
    const u = w.slice(k * n + k + 1, k * n + n);
    superDiag[k] = householder(u);
    if (superDiag[k] === 0) continue;
    for (let r = k + 1; r < m; r++) {
      // Row r ← row r − 2(row r · u)uᵀ on columns k+1….
      const row = r * n + k + 1;
      let dot = 0;
      for (let j = 0; j < width; j++) dot += w[row + j] * u[j];
      if (dot === 0) continue;
      dot *= 2;
      for (let j = 0; j < width; j++) w[row + j] -= dot * u[j];
    }
  }
  return { diag, superDiag, exponent };
}

/**
 * Singular values of the upper bidiagonal B(q, s), descending. A zero on the diagonal makes B
 * exactly singular, so σmin is exactly 0 (conditionNumber reports ∞).
 */
function bidiagonalSingularValues(q: Float64Array, s: Float64Array): Float64Array {
  const n = q.length;
  // Off-diagonal of the Golub–Kahan matrix T (2n×2n, zero diagonal): q₀, s₀, q₁, s₁, …, q_{n−1}.
  const t2 = new Float64Array(2 * n - 1);
  let bound = 0;
  let maxT2 = 0;
  for (let i = 0; i < n; i++) {
    t2[2 * i] = q[i] * q[i];
    if (i < n - 1) t2[2 * i + 1] = s[i] * s[i];
    // Gershgorin: every eigenvalue of T is at most |q_i| + |s_i| (or the row above's sum).
    bound = Math.max(bound, Math.abs(q[i]) + Math.abs(i < n - 1 ? s[i] : 0));
    if (i > 0) bound = Math.max(bound, Math.abs(q[i]) + Math.abs(s[i - 1]));
  }
  for (let i = 0; i < t2.length; i++) maxT2 = Math.max(maxT2, t2[i]);
  const out = new Float64Array(n);
  if (bound === 0) return out; // the zero matrix: every σ is 0
  // Smallest pivot allowed in the Sturm recurrence (as in LAPACK dstebz's PIVMIN).
  const pivmin = Number.MIN_VALUE * 2 ** 60 * Math.max(1, maxT2);
  // #{σ < x} for x > 0: T − xI = LDLᵀ has (n + #{σ < x}) negative pivots.
  const countBelow = (x: number): number => {
    let negatives = 0;
    let d = -x;
    if (Math.abs(d) < pivmin) d = -pivmin;
    if (d < 0) negatives++;
    for (let i = 0; i < t2.length; i++) {
      d = -x - t2[i] / d;
      if (Math.abs(d) < pivmin) d = -pivmin;
      if (d < 0) negatives++;
    }
    return negatives - n;
  };
  const exactlySingular = q.some((v) => v === 0);
  for (let k = 0; k < n; k++) {
    // out[k] is the k-th largest, i.e. the (n−1−k)-th smallest: the x where the count passes it.
    const rank = n - 1 - k;
    if (rank === 0 && exactlySingular) {
      out[k] = 0;
      continue;
    }
    let lo = 0;
    let hi = bound * (1 + 4 * Number.EPSILON) + pivmin;
    for (let it = 0; it < 2000; it++) {
      const mid = 0.5 * (lo + hi);
      if (mid === lo || mid === hi || hi - lo <= 2 * Number.EPSILON * hi) break;
      if (countBelow(mid) > rank) hi = mid;
      else lo = mid;
    }
    out[k] = 0.5 * (lo + hi);
  }
  return out;
}
