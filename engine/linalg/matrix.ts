import { addRowCombination } from './kernels';

/**
 * A dense row-major float64 matrix on the host. linalg/ works only in float64: W_KV is computed
 * offline in float64 (paper Appendix A), whatever dtype the model runs in afterwards.
 */
export interface Matrix64 {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix64(rows: number, cols: number, data?: ArrayLike<number>): Matrix64 {
  const out = new Float64Array(rows * cols);
  if (data) {
    if (data.length !== rows * cols) {
      throw new RangeError(
        `matrix64: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`,
      );
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

export function fromRows(values: readonly (readonly number[])[]): Matrix64 {
  const r = values.length;
  const c = r ? values[0].length : 0;
  return matrix64(r, c, values.flat());
}

export function toRows(m: Matrix64): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++)
    out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function identity64(n: number): Matrix64 {
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`identity64: size must be a positive integer, got ${n}`);
  }
  const m = matrix64(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function transpose64(a: Matrix64): Matrix64 {
  const out = matrix64(a.cols, a.rows);
  const { rows: r, cols: c, data } = a;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[j * r + i] = data[i * c + j];
  return out;
}

/** a·b in float64: each output row is a combination of b's rows (contiguous inner loop). */
export function matmul64(a: Matrix64, b: Matrix64): Matrix64 {
  if (a.cols !== b.rows) {
    throw new RangeError(
      `matmul64: inner dimensions differ, ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`,
    );
  }
  const m = b.cols;
  const inner = a.cols;
  const out = matrix64(a.rows, m);
  for (let i = 0; i < a.rows; i++) {
    addRowCombination(out.data, i * m, a.data, i * inner, b.data, 0, m, inner, m);
  }
  return out;
}

/** max |a − b| over all entries; shapes must match. */
export function maxAbsDiff(a: Matrix64, b: Matrix64): number {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`maxAbsDiff: shapes differ, ${a.rows}×${a.cols} vs ${b.rows}×${b.cols}`);
  }
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d > m || Number.isNaN(d)) m = d;
  }
  return m;
}

/** max |a_ij|, the scale that relative errors in slim/ are measured against. */
export function maxAbs(a: Matrix64): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]));
  return m;
}
