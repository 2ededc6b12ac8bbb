import { MatrixRangeError, labelled, type LinalgOptions } from './errors';
import type { Matrix64 } from './types';

/**
 * Exact power-of-two scaling, so that linalg works on matrices whose entries sit anywhere in
 * float64's range (subnormal 1e-310 up to 1.8e308): factor, invert or multiply the scaled
 * matrix (max |a| in [0.5, 1), where sums of squares and elimination can neither overflow nor
 * underflow), then scale the result back and refuse it by name if it leaves float64's range.
 */

/** Largest finite float64, ≈ 1.8e308. */
const MAX64 = Number.MAX_VALUE;

/** x·2^k without the overflow of forming 2^k itself (2^1024 is Infinity, 2^-1075 is 0). */
export function ldexp(x: number, k: number): number {
  let v = x;
  let e = k;
  while (e > 1023) {
    v *= 2 ** 1023;
    e -= 1023;
  }
  while (e < -1022) {
    v *= 2 ** -1022;
    e += 1022;
  }
  return v * 2 ** e;
}

/** max |x| over the array. */
export function maxAbsOf(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]);
    if (v > m) m = v;
  }
  return m;
}

/** The exponent e with max |x|·2^−e in [0.5, 1) (0 for all-zero data). */
export function scaleExponent(data: ArrayLike<number>): number {
  const m = maxAbsOf(data);
  if (m === 0) return 0;
  let e = Math.floor(Math.log2(m)) + 1;
  // log2 may be off by one ulp next to a power of two: settle it exactly.
  if (ldexp(m, -e) >= 1) e++;
  else if (ldexp(m, -e) < 0.5) e--;
  return e;
}

/** a·2^−e as a new matrix, with e = scaleExponent(a); a itself when e is 0. */
export function scaled(a: Matrix64): { m: Matrix64; e: number } {
  const e = scaleExponent(a.data);
  if (e === 0) return { m: a, e };
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = ldexp(a.data[i], -e);
  return { m: { rows: a.rows, cols: a.cols, data }, e };
}

/** Rounded base-10 exponent of |x|·2^k, computed without forming it (it may not fit float64). */
export function log10Magnitude(x: number, k: number): number {
  return Math.round(Math.log10(Math.abs(x)) + k * Math.log10(2));
}

/**
 * m·2^k in place, for a result computed on scaled inputs. Throws MatrixRangeError, naming
 * `what`, when an entry's true value lies beyond float64's largest finite value.
 */
export function unscale(
  m: Matrix64,
  k: number,
  what: string,
  options: LinalgOptions | undefined,
): Matrix64 {
  const data = m.data as Float64Array;
  if (k !== 0) {
    const peak = maxAbsOf(data);
    // Every entry is at most peak·2^k: check the largest before touching any.
    if (peak !== 0 && !(ldexp(peak, k) <= MAX64)) {
      throw new MatrixRangeError(labelled(what, options), log10Magnitude(peak, k), options);
    }
    for (let i = 0; i < data.length; i++) data[i] = ldexp(data[i], k);
  }
  assertInRange(m.data, what, options);
  return m;
}

/** Throws MatrixRangeError if any entry is ±Infinity or NaN (an overflow inside a computation). */
export function assertInRange(
  data: ArrayLike<number>,
  what: string,
  options: LinalgOptions | undefined,
): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new MatrixRangeError(labelled(what, options), Infinity, options);
    }
  }
}
