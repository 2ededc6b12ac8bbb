import { EngineInputError } from '../tensor';
import {
  MatrixRangeError,
  SingularMatrixError,
  assertMatrix,
  assertSquare,
  labelled,
  maxConditionOf,
  type LinalgOptions,
} from './errors';
import { addRowCombination } from './kernels';
import { matrix64, type Matrix64 } from './matrix';
import { assertInRange, ldexp, log10Magnitude, scaleExponent, scaled, unscale } from './scaling';
import { conditionNumber } from './svd';

/** PA = LU with partial pivoting, packed in one n×n row-major array. */
export interface LuFactors {
  readonly n: number;
  /** L strictly below the diagonal (unit diagonal implied), U on and above it. */
  readonly lu: Float64Array;
  /** Row i of PA is row perm[i] of A. */
  readonly perm: Int32Array;
  /** Parity of the permutation, +1 or −1 (for det). */
  readonly permSign: 1 | -1;
  /** Index of the first exactly zero pivot (A is exactly singular), or −1. */
  readonly zeroPivot: number;
}

/**
 * Doolittle LU with partial pivoting (largest |a_ik| in the column becomes the pivot, which
 * bounds every multiplier by 1). Right-looking, row-major: the inner loop runs along
 * contiguous rows. Never throws for singular input — det() needs the factors either way;
 * zeroPivot records it.
 */
export function luDecompose(a: Matrix64, options?: LinalgOptions): LuFactors {
  assertSquare(a, labelled('luDecompose', options));
  const n = a.rows;
  const lu = Float64Array.from(a.data);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let permSign: 1 | -1 = 1;
  let zeroPivot = -1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      const rowK = lu.slice(k * n, k * n + n);
      lu.copyWithin(k * n, p * n, p * n + n);
      lu.set(rowK, p * n);
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      permSign = permSign === 1 ? -1 : 1;
    }
    if (best === 0) {
      // The whole column below the diagonal is zero: nothing to eliminate.
      if (zeroPivot < 0) zeroPivot = k;
      continue;
    }
    const pivot = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k] / pivot;
      lu[i * n + k] = f;
      if (f === 0) continue;
      const ri = i * n;
      const rk = k * n;
      for (let j = k + 1; j < n; j++) lu[ri + j] -= f * lu[rk + j];
    }
  }
  // Elimination grows entries by at most 2^(n−1); near float64's limit that can overflow.
  // det, solve and inverse factor a power-of-two-scaled copy, so this only guards direct calls.
  assertInRange(lu, labelled('luDecompose: the LU factors', options), options);
  return { n, lu, perm, permSign, zeroPivot };
}

/**
 * det(A) = sign(P) · Π u_kk, computed on A with each row scaled by a power of two, with the product kept as mantissa·2^exponent so no partial product over- or underflows. The
 * result is the correctly rounded determinant: a non-zero determinant below float64's smallest
 * value (det(1e-310·I₄) = 1e-1240) rounds to 0 like any underflow, so tell "exactly singular"
 * from "tiny" with conditionNumber. One beyond float64's largest value (det(1e200·I₂) = 1e400)
 * throws MatrixRangeError rather than returning Infinity.
 */
export function det(a: Matrix64, options?: LinalgOptions): number {
  assertSquare(a, labelled('det', options));
  // Row i scaled by 2^−e_i (max |a_ij| in [0.5, 1)), exactly: det(A) = 2^Σe_i · det(Â). Per row
  // rather than one factor for the whole matrix, so that a row of 1e-310 next to a row of 1e10
  // keeps all its digits (uniform scaling would push it further into the subnormals).
  const n = a.rows;
  const rowsScaled = new Float64Array(a.data.length);
  let rowExponents = 0;
  for (let i = 0; i < n; i++) {
    const row = a.data.subarray(i * n, i * n + n);
    const e = scaleExponent(row);
    rowExponents += e;
    for (let j = 0; j < n; j++) rowsScaled[i * n + j] = ldexp(row[j], -e);
  }
  const f = luDecompose({ rows: n, cols: n, data: rowsScaled }, options);
  if (f.zeroPivot >= 0) return 0; // exactly singular (and never −0)
  // Π u_kk as mantissa·2^exponent, so neither the product nor its scaling over- or underflows.
  let mantissa: number = f.permSign;
  let exponent = rowExponents;
  for (let k = 0; k < f.n; k++) {
    mantissa *= f.lu[k * f.n + k];
    const shift = Math.round(Math.log2(Math.abs(mantissa)));
    mantissa = ldexp(mantissa, -shift);
    exponent += shift;
  }
  const d = ldexp(mantissa, exponent);
  if (!Number.isFinite(d)) {
    throw new MatrixRangeError(
      labelled('det', options),
      log10Magnitude(mantissa, exponent),
      options,
      'Rescale the matrix: det(c·A) = cⁿ·det(A).',
    );
  }
  return d === 0 ? 0 : d; // never −0
}

/**
 * Solves A X = B for X given the factors of A. B is n×m; every step is a row operation
 * (row i −= l_ik · row k), so it stays on contiguous memory. Assumes no zero pivot.
 */
export function luSolve(f: LuFactors, b: Matrix64): Matrix64 {
  const { n, lu, perm } = f;
  if (b.rows !== n) {
    throw new EngineInputError(`luSolve: A is ${n}×${n} but B has ${b.rows} rows`);
  }
  if (f.zeroPivot >= 0) throw new SingularMatrixError(Infinity);
  const m = b.cols;
  const x = matrix64(n, m);
  const xd = x.data;
  for (let i = 0; i < n; i++) xd.set(b.data.subarray(perm[i] * m, perm[i] * m + m), i * m);
  // Forward substitution with unit lower L.
  for (let i = 1; i < n; i++) addRowCombination(xd, i * m, lu, i * n, xd, 0, m, i, m, -1);
  // Back substitution with U.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * m;
    addRowCombination(xd, ri, lu, i * n + i + 1, xd, (i + 1) * m, m, n - i - 1, m, -1);
    const inv = 1 / lu[i * n + i];
    for (let j = 0; j < m; j++) xd[ri + j] *= inv;
  }
  return x;
}

/** Solves Aᵀ x = b for one vector from the factors of A (PA = LU ⇒ Aᵀ = Uᵀ Lᵀ P). */
function luSolveTransposedVector(f: LuFactors, b: Float64Array): Float64Array {
  const { n, lu, perm } = f;
  const w = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    // Uᵀ is lower triangular: w_i = (b_i − Σ_{k<i} u_ki w_k) / u_ii.
    let s = w[i];
    for (let k = 0; k < i; k++) s -= lu[k * n + i] * w[k];
    w[i] = s / lu[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    // Lᵀ is unit upper triangular.
    let s = w[i];
    for (let k = i + 1; k < n; k++) s -= lu[k * n + i] * w[k];
    w[i] = s;
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[perm[i]] = w[i];
  return x;
}

function luSolveVector(f: LuFactors, b: Float64Array): Float64Array {
  return luSolve(f, { rows: f.n, cols: 1, data: b }).data;
}

/** ‖A‖₁ = max column sum of |a_ij|. */
export function norm1(a: Matrix64): number {
  const colSums = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) colSums[j] += Math.abs(a.data[i * a.cols + j]);
  let m = 0;
  for (let j = 0; j < a.cols; j++) m = Math.max(m, colSums[j]);
  return m;
}

/**
 * Hager/Higham lower-bound estimate of ‖A⁻¹‖₁ from the LU factors in O(n²) per step — the
 * estimator behind LAPACK's dgecon. Used by solve(), which never forms A⁻¹.
 */
function estimateInverseNorm1(f: LuFactors): number {
  const n = f.n;
  let x = new Float64Array(n).fill(1 / n);
  let est = 0;
  for (let iter = 0; iter < 5; iter++) {
    const y = luSolveVector(f, x);
    let yNorm = 0;
    for (let i = 0; i < n; i++) yNorm += Math.abs(y[i]);
    if (iter > 0 && yNorm <= est) break;
    est = yNorm;
    const xi = new Float64Array(n);
    for (let i = 0; i < n; i++) xi[i] = y[i] >= 0 ? 1 : -1;
    const z = luSolveTransposedVector(f, xi);
    let j = 0;
    let zx = 0;
    for (let i = 0; i < n; i++) {
      zx += z[i] * x[i];
      if (Math.abs(z[i]) > Math.abs(z[j])) j = i;
    }
    if (Math.abs(z[j]) <= zx) break;
    x = new Float64Array(n);
    x[j] = 1;
  }
  // Higham's extra test vector catches the cases where the iteration stalls.
  const alt = new Float64Array(n);
  for (let i = 0; i < n; i++) alt[i] = (i % 2 === 0 ? 1 : -1) * (1 + (n > 1 ? i / (n - 1) : 0));
  const ya = luSolveVector(f, alt);
  let altNorm = 0;
  for (let i = 0; i < n; i++) altNorm += Math.abs(ya[i]);
  return Math.max(est, (2 * altNorm) / (3 * n));
}

/**
 * The 1-norm condition number κ₁(A) = ‖A‖₁·‖A⁻¹‖₁ estimated from an LU factorisation in O(n³/3)
 * (LAPACK dgecon's estimator; κ₂/n ≤ κ₁ ≤ n·κ₂), Infinity for an exactly singular A: a cheap
 * screen where the SVD's κ₂ costs too much.
 */
export function condition1Estimate(a: Matrix64): number {
  assertSquare(a, 'condition1Estimate');
  const f = luDecompose(a);
  return f.zeroPivot >= 0 ? Infinity : norm1(a) * estimateInverseNorm1(f);
}

/**
 * Throws SingularMatrixError unless cond₂(A) ≤ maxCondition. The cheap 1-norm condition
 * number κ₁ decides the clear cases: κ₂ ≤ n·κ₁ and κ₁ ≤ n·κ₂, so κ₁ ≤ max/n proves κ₂ ≤ max.
 * Only in the grey zone do we pay for the SVD, whose κ₂ is then also what the error reports.
 */
function checkConditioning(a: Matrix64, kappa1: number, options: LinalgOptions | undefined): void {
  const max = maxConditionOf(options);
  if (!Number.isFinite(max)) return;
  if (kappa1 <= max / a.rows) return;
  const kappa2 = conditionNumber(a);
  if (!(kappa2 <= max)) throw new SingularMatrixError(kappa2, options);
}

/**
 * Solves A X = B (A square, B with as many rows as A) by LU with partial pivoting, on copies
 * scaled by exact powers of two (A = 2^ea·Â, B = 2^eb·B̂, X = 2^(eb−ea)·Â⁻¹B̂). Throws
 * SingularMatrixError for a singular or ill-conditioned A, MatrixRangeError when X itself does
 * not fit float64.
 */
export function solve(a: Matrix64, b: Matrix64, options?: LinalgOptions): Matrix64 {
  assertSquare(a, labelled('solve: A', options));
  assertMatrix(b, labelled('solve: B', options));
  if (b.rows !== a.rows) {
    throw new EngineInputError(
      `${labelled('solve', options)}: A is ${a.rows}×${a.cols} but B is ${b.rows}×${b.cols}; ` +
        'B needs as many rows as A',
    );
  }
  const A = scaled(a);
  const B = scaled(b);
  const f = luDecompose(A.m, options);
  if (f.zeroPivot >= 0) throw new SingularMatrixError(Infinity, options);
  checkConditioning(A.m, norm1(A.m) * estimateInverseNorm1(f), options);
  return unscale(luSolve(f, B.m), B.e - A.e, 'solve: the solution X of A·X = B', options);
}

/**
 * A⁻¹ = U⁻¹ L⁻¹ P from PA = LU. Solving L Y = I first (Y = L⁻¹ is lower triangular, so row k
 * of Y is zero past column k) and permuting columns last costs 2n³ flops instead of the 8n³/3
 * of solving A X = I as a dense right-hand side. Works on A scaled by a power of two, so any
 * entries in float64's range are fine; an inverse that does not fit float64 (that of
 * diag(1e-310, 1e-310) has entries 1e310) throws MatrixRangeError.
 */
export function inverse(a: Matrix64, options?: LinalgOptions): Matrix64 {
  assertSquare(a, labelled('inverse', options));
  const n = a.rows;
  // A = 2^e·Â, so A⁻¹ = 2^−e·Â⁻¹: factor Â, whose entries are near 1.
  const { m: aHat, e } = scaled(a);
  const f = luDecompose(aHat, options);
  if (f.zeroPivot >= 0) throw new SingularMatrixError(Infinity, options);
  const { lu, perm } = f;
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    // Forward: row i of L⁻¹ = e_i − Σ_{k<i} l_ik · (row k of L⁻¹); rows k < i are zero past
    // column k, so only the first i columns change.
    const ri = i * n;
    x[ri + i] = 1;
    addRowCombination(x, ri, lu, ri, x, 0, n, i, i, -1);
  }
  for (let i = n - 1; i >= 0; i--) {
    // Back: row i of U⁻¹L⁻¹ = (row i of L⁻¹ − Σ_{k>i} u_ik · row k) / u_ii.
    const ri = i * n;
    addRowCombination(x, ri, lu, ri + i + 1, x, (i + 1) * n, n, n - i - 1, n, -1);
    const inv = 1 / lu[ri + i];
    for (let j = 0; j < n; j++) x[ri + j] *= inv;
  }
  // Right-multiplying by P moves column k to column perm[k].
  const out = matrix64(n, n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) out.data[i * n + perm[k]] = x[i * n + k];
  // With A⁻¹ at hand, κ₁ = ‖A‖₁‖A⁻¹‖₁ is exact rather than estimated.
  checkConditioning(aHat, norm1(aHat) * norm1(out), options);
  return unscale(out, -e, 'inverse: the inverse', options);
}
