import { describe, expect, it } from 'vitest';
import { float16ReconstructionError, fromRows } from '../../engine';

/** float16 storage of W_K and W_KV (the Playground's per-layer report), against hand values. */
describe('float16ReconstructionError', () => {
  it('with W_K = I the error is the float16 rounding of W_V, relative to max |W_V|', () => {
    // In [0.5, 1) float16 values are 2^-11 apart: 0.5 + 2^-13 rounds to 0.5 (error 2^-13);
    // 0.25, 0.75 and 1 are exact. max |W_V| = 1.
    const wK = fromRows([
      [1, 0],
      [0, 1],
    ]);
    const wV = fromRows([
      [0.5 + 2 ** -13, 0.25],
      [0.75, 1],
    ]);
    expect(float16ReconstructionError(wK, wV)).toBe(2 ** -13);
    // K from V: W_VK = W_V⁻¹, and the float16 rebuild of W_K = I errs by more than 0.
    expect(float16ReconstructionError(wV, wK)).toBeGreaterThan(0);
  });

  it('is exact when every entry is a float16 value and the products are exact', () => {
    const wK = fromRows([
      [2, 0],
      [0, 0.5],
    ]);
    const wV = fromRows([
      [1, 3],
      [0.25, -2],
    ]);
    // W_KV = [[0.5, 1.5], [0.5, -4]]: all exact in float16, products exact in float32.
    expect(float16ReconstructionError(wK, wV)).toBe(0);
  });

  it('is Infinity when W_KV leaves float16 range (±65504)', () => {
    const wK = fromRows([
      [1e-6, 0],
      [0, 1],
    ]);
    const wV = fromRows([
      [1, 0],
      [0, 1],
    ]);
    expect(float16ReconstructionError(wK, wV)).toBe(Infinity);
  });
});
