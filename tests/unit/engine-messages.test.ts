/**
 * The engine's errors name the right thing: typed errors (EngineInputError and its subclasses)
 * for bad shapes in linalg, the V-cache variant blaming W_V, layerNorm/rmsNorm with eps 0 saying
 * that the row has no spread (not that the inputs are too large), and empty tensors refused by
 * the CPU backend as by WebGL.
 */
import { describe, expect, it } from 'vitest';
import { createAttention } from '../../engine/attention';
import { CpuBackend, readSync } from '../../engine/cpu';
import {
  SingularMatrixError,
  fromRows,
  identity64,
  matmul64,
  matrix64,
  maxAbsDiff,
} from '../../engine/linalg/index';
import { computeWvk, formWvk } from '../../engine/slim';
import { EngineInputError } from '../../engine/tensor';
import { randomWeights } from './attention-fixtures';

function captureError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('linalg shape errors are EngineInputError with sentences, never a bare RangeError', () => {
  it('matrix64 refuses sizes that are not positive integers, NaN included', () => {
    for (const [r, c] of [
      [-1, 2],
      [NaN, 2],
      [2, 1.5],
      [0, 3],
      [2, Infinity],
    ]) {
      const err = captureError(() => matrix64(r, c));
      expect(err, `${r}×${c}`).toBeInstanceOf(EngineInputError);
      expect(err.message).toBe(
        `matrix64: a matrix needs a positive whole number of rows and of columns, got ${r}×${c}`,
      );
    }
    expect(() => matrix64(2, 2, [1, 2, 3])).toThrow(
      /^matrix64: a 2×2 matrix needs 4 values, got 3$/,
    );
    expect(() => identity64(-3)).toThrow(EngineInputError);
  });

  it('fromRows names the ragged row; an empty list is refused', () => {
    const err = captureError(() => fromRows([[1, 2], [3, 4], [5]]));
    expect(err).toBeInstanceOf(EngineInputError);
    expect(err.message).toBe(
      'fromRows: row 2 has 1 values but row 0 has 2; every row of a matrix needs the same length',
    );
    expect(() => fromRows([])).toThrow(/^fromRows: needs at least one row$/);
    expect(() => fromRows([[]])).toThrow(EngineInputError);
  });

  it('matmul64 and maxAbsDiff mismatches, and non-finite operands', () => {
    const err = captureError(() => matmul64(identity64(2), matrix64(3, 1)));
    expect(err).toBeInstanceOf(EngineInputError);
    expect(err.message).toBe(
      "matmul64: inner dimensions differ, 2×2 · 3×1; a's column count must equal b's row count",
    );
    expect(() => maxAbsDiff(matrix64(2, 3), matrix64(3, 2))).toThrow(EngineInputError);
    expect(() => matmul64(fromRows([[NaN]]), fromRows([[1]]))).toThrow(
      /matmul64: a contains NaN at row 0, column 0/,
    );
  });
});

describe('the V-cache variant talks about W_V', () => {
  it('a singular W_V: the message says W_V has no usable inverse, not W_K', () => {
    const w = randomWeights(3, { d: 4, heads: 2, headDim: 2 });
    for (let r = 0; r < 4; r++) w.wV.data[r * 4 + 2] = w.wV.data[r * 4]; // two equal columns
    const b = new CpuBackend({ dtype: 'float64' });
    const err = captureError(() => createAttention(b, w, { scheme: 'v-cache', label: 'layer 1' }));
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect(err.message).toMatch(/^Matrix \(layer 1, W_V\) is (numerically )?singular/);
    expect(err.message).toMatch(/W_V has no usable inverse here, so K cannot be recomputed from V/);
    expect(err.message).not.toMatch(/W_K has no usable inverse/);
    // formWvk directly, and computeWvk (which measured cond first), say the same.
    for (const f of [formWvk, computeWvk]) {
      const e = captureError(() => f(w.wK, w.wV, { label: 'L' }));
      expect(e.message).toMatch(/W_V has no usable inverse here/);
      expect(e.message).not.toMatch(/W_K has no usable inverse/);
    }
  });
});

describe('layerNorm / rmsNorm with eps 0', () => {
  const f32 = new CpuBackend({ dtype: 'float32' });

  it('a constant row is reported as such, naming the row, not as inputs too large', () => {
    const x = f32.fromArray([1, 2, 3, 5, 5, 5], [2, 3]);
    const one = f32.fromArray([1, 1, 1], [3]);
    const zero = f32.zeros([3]);
    const err = captureError(() => f32.layerNorm(x, one, zero, 0));
    expect(err).toBeInstanceOf(EngineInputError);
    expect(err.message).toBe(
      'layerNorm: row 1 is constant (variance 0) and eps is 0, so it cannot be normalised: it ' +
        'would be divided by zero. Pass eps > 0 (models use 1e-5 or 1e-6).',
    );
    expect(err.message).not.toMatch(/too large/);
    // With eps > 0 the constant row normalises to β (here 0): (x − mean)·(1/√eps) = 0.
    expect(Array.from(readSync(f32.layerNorm(x, one, zero, 1e-5)).slice(3))).toEqual([0, 0, 0]);
    const rms = captureError(() =>
      f32.rmsNorm(f32.fromArray([1, 2, 0, 0], [2, 2]), f32.fromArray([1, 1], [2]), 0),
    );
    expect(rms.message).toMatch(/^rmsNorm: row 1 is all zeros \(mean square 0\) and eps is 0/);
  });
});

describe('empty tensors', () => {
  it('the CPU backend refuses them as WebGL does (same message)', () => {
    for (const be of [new CpuBackend({ dtype: 'float32' }), new CpuBackend({ dtype: 'float64' })]) {
      expect(() => be.zeros([0, 4])).toThrow(
        /^zeros: shape must be 1-D or 2-D with positive integer sizes \(the engine has no empty tensors\), got \[0, 4\]$/,
      );
      expect(() => be.fromArray([], [0])).toThrow(/^fromArray: shape must be .* got \[0\]$/);
      const x = be.fromArray([1, 2, 3, 4], [2, 2]);
      expect(() => be.rowsView(x, 0)).toThrow(/rowsView: cannot view 0 rows/);
      expect(() => be.gather(x, [])).toThrow(/gather: needs at least one id/);
    }
  });
});
