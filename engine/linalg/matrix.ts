import { EngineInputError, assertFinite } from '../tensor';
import { MatrixRangeError } from './errors';
import { addRowCombination } from './kernels';
import { ldexp, log10Magnitude, maxAbsOf, scaleExponent } from './scaling';
import type { Matrix64 } from './types';

export type { Matrix64 } from './types';

const isSize = (n: number): boolean => Number.isInteger(n) && n > 0;

/**
 * A rows×cols matrix, zero-filled or copied from data (row-major, rows·cols values). Sizes must
 * be positive integers; throws EngineInputError otherwise.
 */
export function matrix64(rows: number, cols: number, data?: ArrayLike<number>): Matrix64 {
  if (!isSize(rows) || !isSize(cols)) {
    throw new EngineInputError(
      `matrix64: a matrix needs a positive whole number of rows and of columns, got ${rows}×${cols}`,
    );
  }
  const out = new Float64Array(rows * cols);
  if (data) {
    if (data.length !== rows * cols) {
      throw new EngineInputError(
        `matrix64: a ${rows}×${cols} matrix needs ${rows * cols} values, got ${data.length}`,
      );
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

/** A matrix from its rows, which must all have the same, non-zero length. */
export function fromRows(values: readonly (readonly number[])[]): Matrix64 {
  if (!Array.isArray(values) || values.length === 0) {
    throw new EngineInputError('fromRows: needs at least one row');
  }
  const c = values[0].length;
  const ragged = values.findIndex((row) => !Array.isArray(row) || row.length !== c);
  if (ragged >= 0) {
    throw new EngineInputError(
      `fromRows: row ${ragged} has ${values[ragged]?.length ?? 'no'} values but row 0 has ${c}; ` +
        'every row of a matrix needs the same length',
    );
  }
  for (const [i, row] of values.entries()) {
    const j = (row as readonly unknown[]).findIndex((v) => typeof v !== 'number');
    if (j >= 0)
      throw new EngineInputError(
        `fromRows: row ${i}, column ${j} is ${JSON.stringify(row[j]) ?? String(row[j])}, not a number`,
      );
  }
  return matrix64(values.length, c, values.flat());
}

export function toRows(m: Matrix64): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++)
    out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function identity64(n: number): Matrix64 {
  if (!isSize(n)) {
    throw new EngineInputError(`identity64: size must be a positive integer, got ${n}`);
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

/**
 * a·b in float64: each output row is a combination of b's rows (contiguous inner loop). Operands
 * with entries far from 1 are multiplied scaled by exact powers of two, so no partial sum
 * overflows or underflows unless the product itself does; a product beyond float64's range
 * throws MatrixRangeError.
 */
export function matmul64(a: Matrix64, b: Matrix64): Matrix64 {
  if (a.cols !== b.rows) {
    throw new EngineInputError(
      `matmul64: inner dimensions differ, ${a.rows}×${a.cols} · ${b.rows}×${b.cols}; ` +
        "a's column count must equal b's row count",
    );
  }
  assertFinite(a.data, 'matmul64: a', [a.rows, a.cols]);
  assertFinite(b.data, 'matmul64: b', [b.rows, b.cols]);
  const ea = scaleExponent(a.data);
  const eb = scaleExponent(b.data);
  // Within 2^±256 the products and their sums stay far inside float64: no scaling needed.
  const rescale = Math.abs(ea) > 256 || Math.abs(eb) > 256;
  const ad = rescale ? a.data.map((v) => ldexp(v, -ea)) : a.data;
  const bd = rescale ? b.data.map((v) => ldexp(v, -eb)) : b.data;
  const m = b.cols;
  const inner = a.cols;
  const out = matrix64(a.rows, m);
  for (let i = 0; i < a.rows; i++) {
    addRowCombination(out.data, i * m, ad, i * inner, bd, 0, m, inner, m);
  }
  if (rescale) {
    const k = ea + eb;
    const peak = maxAbsOf(out.data);
    if (peak !== 0 && !(ldexp(peak, k) <= Number.MAX_VALUE)) {
      throw new MatrixRangeError('matmul64: the product', log10Magnitude(peak, k));
    }
    for (let i = 0; i < out.data.length; i++) out.data[i] = ldexp(out.data[i], k);
  }
  return out;
}

/** Row vector times matrix in float64: v [r] · m [r, c] → [c]. */
export function vecMat(v: Float64Array, m: Matrix64): Float64Array {
  const out = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    if (v[i] === 0) continue;
    for (let j = 0; j < m.cols; j++) out[j] += v[i] * m.data[i * m.cols + j];
  }
  return out;
}

/** max |a − b| over all entries; shapes must match. */
export function maxAbsDiff(a: Matrix64, b: Matrix64): number {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new EngineInputError(
      `maxAbsDiff: shapes differ, ${a.rows}×${a.cols} vs ${b.rows}×${b.cols}`,
    );
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
