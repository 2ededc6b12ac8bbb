/**
 * A dense row-major float64 matrix on the host. linalg/ works only in float64: W_KV is computed
 * offline in float64 (PAPER.md §12), whatever dtype the model runs in afterwards.
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
