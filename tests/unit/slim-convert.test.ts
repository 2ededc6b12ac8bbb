import { describe, expect, it } from 'vitest';
import {
  SingularMatrixError,
  conditionNumber,
  fromRows,
  matmul64,
  matrix64,
  maxAbs,
  maxAbsDiff,
} from '../../engine/linalg/index';
import {
  computeWkv,
  computeWvk,
  conditioningReport,
  float32ReconstructionError,
} from '../../engine/slim/index';
import { EngineInputError } from '../../engine/tensor';
import { EPS32, EPS64, geometricSigmas, randomMatrix, withSingularValues } from './linalg-helpers';

describe('computeWkv (paper §1)', () => {
  it('V = K·W_KV reproduces X·W_V for a random MHA layer (d = 32)', () => {
    const d = 32;
    const wK = randomMatrix(d, d, 1);
    const wV = randomMatrix(d, d, 2);
    const x = randomMatrix(10, d, 3);
    const { wKV, condK, reconstructionError } = computeWkv(wK, wV, { label: 'layer 0' });
    expect(wKV.rows).toBe(d);
    expect(wKV.cols).toBe(d);
    expect(Math.abs(condK / conditionNumber(wK) - 1)).toBeLessThan(1e-12);
    // Backward-stable solve: residual ~ n·eps64·‖W_K‖‖W_KV‖ relative to ‖W_V‖, i.e. ≲ n·κ·eps.
    expect(reconstructionError).toBeLessThan(8 * d * condK * EPS64);
    // The measured error is the one we can recompute from the output.
    const recon = maxAbsDiff(matmul64(wK, wKV), wV) / maxAbs(wV);
    expect(reconstructionError).toBe(recon);
    const k = matmul64(x, wK);
    const vFromK = matmul64(k, wKV);
    const v = matmul64(x, wV);
    expect(maxAbsDiff(vFromK, v) / maxAbs(v)).toBeLessThan(8 * d * condK * EPS64);
  });

  it('uses the right inverse for a wide W_K (d×e): W_KV is e×e and X·W_K·W_KV = X·W_V (paper §3)', () => {
    const d = 8;
    const e = 24; // r = e/d = 3
    const wK = randomMatrix(d, e, 4);
    const wV = randomMatrix(d, e, 5);
    const x = randomMatrix(6, d, 6);
    const { wKV, condK, reconstructionError } = computeWkv(wK, wV);
    expect([wKV.rows, wKV.cols]).toEqual([e, e]);
    expect(reconstructionError).toBeLessThan(16 * e * condK * EPS64);
    const v = matmul64(x, wV);
    expect(maxAbsDiff(matmul64(matmul64(x, wK), wKV), v) / maxAbs(v)).toBeLessThan(
      16 * e * condK * EPS64,
    );
  });

  it('throws SingularMatrixError naming the layer for a singular or ill-conditioned W_K', () => {
    const wV = randomMatrix(3, 3, 7);
    const singular = fromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(() => computeWkv(singular, wV, { label: 'layer 3, head 0' })).toThrow(
      /layer 3, head 0.*W_K has no usable inverse/,
    );
    const ill = withSingularValues(geometricSigmas(3, 1e13), 8);
    try {
      computeWkv(ill, wV, { label: 'layer 5' });
      expect.unreachable('cond 1e13 must be refused');
    } catch (e) {
      expect(e).toBeInstanceOf(SingularMatrixError);
      const err = e as SingularMatrixError;
      expect(err.label).toBe('layer 5');
      expect(Math.abs(err.conditionNumber / 1e13 - 1)).toBeLessThan(0.05);
    }
  });

  it('rejects shape mismatches and tall W_K with clear input errors', () => {
    expect(() => computeWkv(randomMatrix(4, 4, 1), randomMatrix(3, 4, 2))).toThrow(
      /W_K is 4×4 but W_V is 3×4/,
    );
    expect(() => computeWkv(randomMatrix(4, 2, 1), randomMatrix(4, 2, 2))).toThrow(
      EngineInputError,
    );
    expect(() => computeWkv(matrix64(2, 2, [1, 0, 0, NaN]), randomMatrix(2, 2, 2))).toThrow(
      /W_K.*NaN/,
    );
  });
});

describe('computeWvk (V-cache direction, paper Appendices C, D, G)', () => {
  it('K = V·W_VK reproduces X·W_K', () => {
    const d = 16;
    const wK = randomMatrix(d, d, 11);
    const wV = randomMatrix(d, d, 12);
    const x = randomMatrix(5, d, 13);
    const { wVK, condV, reconstructionError } = computeWvk(wK, wV);
    expect(Math.abs(condV / conditionNumber(wV) - 1)).toBeLessThan(1e-12);
    expect(reconstructionError).toBeLessThan(8 * d * condV * EPS64);
    const k = matmul64(x, wK);
    expect(maxAbsDiff(matmul64(matmul64(x, wV), wVK), k) / maxAbs(k)).toBeLessThan(
      8 * d * condV * EPS64,
    );
  });

  it('says it is W_V that failed', () => {
    expect(() =>
      computeWvk(
        randomMatrix(2, 2, 1),
        fromRows([
          [1, 1],
          [1, 1],
        ]),
        { label: 'L1' },
      ),
    ).toThrow(/L1.*W_V has no usable inverse/);
  });
});

describe('float32ReconstructionError (paper Appendix A)', () => {
  it('rises with cond(W_K), staying within cond·√d·eps32', () => {
    const d = 16;
    const wV = randomMatrix(d, d, 31);
    const conds = [1, 1e2, 1e4, 1e6, 1e8];
    const errors = conds.map((c) =>
      float32ReconstructionError(withSingularValues(geometricSigmas(d, c), 32), wV),
    );
    for (let i = 0; i < conds.length; i++) {
      // Upper bound from the float32 product: ‖W_K‖‖W_KV‖·d·eps32 ≤ cond·d·eps32·‖W_V‖ (times
      // the max-norm/2-norm conversion, ≤ √d here); the factor 4 covers rounding W_K itself.
      expect(errors[i]).toBeLessThan(4 * d * Math.sqrt(d) * conds[i] * EPS32);
      if (i > 0) expect(errors[i]).toBeGreaterThan(errors[i - 1]);
    }
    // At cond 1 float32 is as good as float32 gets; at 1e8 the reconstruction is garbage-level.
    expect(errors[0]).toBeLessThan(1e-5);
    expect(errors[4]).toBeGreaterThan(1e-2);
    // Across six decades of cond the error grows by at least three decades.
    expect(errors[3] / errors[0]).toBeGreaterThan(1e3);
  });
});

describe('conditioningReport', () => {
  const d = 8;
  const good = withSingularValues(geometricSigmas(d, 10), 41);
  const bad = withSingularValues(geometricSigmas(d, 1e8), 42);
  const singular = fromRows(
    Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i + 1) * (j + 1))),
  );

  it('recommends the better-conditioned direction per layer and measures float32 error', () => {
    const progress: number[] = [];
    const report = conditioningReport(
      [
        { label: 'layer 0', wK: good, wV: bad },
        { label: 'layer 1', wK: bad, wV: good },
        { label: 'layer 2', wK: singular, wV: good },
      ],
      { onProgress: (done) => progress.push(done) },
    );
    expect(progress).toEqual([1, 2, 3]);
    expect(report.map((r) => r.label)).toEqual(['layer 0', 'layer 1', 'layer 2']);
    expect(report.map((r) => r.recommended)).toEqual(['k-cache', 'v-cache', 'v-cache']);
    // Conditions match an independent call, within the SVD's own accuracy (~cond·eps64).
    expect(Math.abs(report[0].condK / 10 - 1)).toBeLessThan(1e-10);
    expect(Math.abs(report[0].condV / 1e8 - 1)).toBeLessThan(1e-6);
    expect(report[2].condK).toBeGreaterThan(1e12);
    // The recommended direction is the more accurate one in float32.
    expect(report[0].float32RelErrorK).not.toBeNull();
    expect(report[0].float32RelError).toBe(report[0].float32RelErrorK);
    expect(report[0].float32RelErrorK!).toBeLessThan(report[0].float32RelErrorV! / 100);
    expect(report[1].float32RelError).toBe(report[1].float32RelErrorV);
    expect(report[1].float32RelErrorV!).toBeLessThan(report[1].float32RelErrorK! / 100);
    // A singular W_K has no K-cache direction at all.
    expect(report[2].float32RelErrorK).toBeNull();
    expect(report[2].float32RelErrorV).toBe(report[2].float32RelError);
    // The reported error is the one float32ReconstructionError measures for that direction.
    expect(report[0].float32RelErrorK).toBe(float32ReconstructionError(good, bad));
  });

  it('throws for a layer where neither W_K nor W_V can be inverted, naming the layer', () => {
    expect(() =>
      conditioningReport([
        { label: 'layer 0', wK: good, wV: good },
        { label: 'layer 9', wK: singular, wV: singular },
      ]),
    ).toThrow(/layer 9.*Neither W_K .* nor W_V/);
  });
});
