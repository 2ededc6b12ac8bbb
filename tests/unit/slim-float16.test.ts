import { describe, expect, it } from 'vitest';
import {
  UNIT_ROUNDOFF,
  float16ReconstructionError,
  fromRows,
  roundingErrorEstimate,
} from '../../engine';

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

describe('UNIT_ROUNDOFF and roundingErrorEstimate', () => {
  it('u is half the gap after 1: 1 + u rounds back to 1 (ties to even), a bit more does not', () => {
    const u = UNIT_ROUNDOFF.float32;
    expect(Math.fround(1 + u)).toBe(1);
    expect(Math.fround(1 + 1.01 * u)).toBe(1 + 2 * u);
    expect(1 + UNIT_ROUNDOFF.float64).toBe(1);
    expect(1 + 2 * UNIT_ROUNDOFF.float64).toBeGreaterThan(1);
    // float16 and bfloat16 keep 11 and 8 significand bits: u = 2^-11 and 2^-8.
    expect(UNIT_ROUNDOFF.float16).toBe(1 / 2048);
    expect(UNIT_ROUNDOFF.bfloat16).toBe(1 / 256);
    expect(
      float16ReconstructionError(fromRows([[1]]), fromRows([[1 + UNIT_ROUNDOFF.float16]])),
    ).toBe(UNIT_ROUNDOFF.float16 / (1 + UNIT_ROUNDOFF.float16));
  });

  it('estimates cond × u', () => {
    expect(roundingErrorEstimate(1e4, 'float16')).toBeCloseTo(1e4 / 2048, 12);
    expect(roundingErrorEstimate(5.2e9, 'float32')).toBeCloseTo(5.2e9 / 16777216, 9);
  });
});
