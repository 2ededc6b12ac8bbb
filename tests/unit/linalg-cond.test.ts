import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SingularMatrixError,
  conditionNumber,
  fromRows,
  identity64,
  inverse,
  matmul64,
  matrix64,
  maxAbs,
  maxAbsDiff,
  rightInverse,
  singularValues,
  toRows,
  transpose64,
} from '../../engine/linalg/index';
import { EngineInputError } from '../../engine/tensor';
import { Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';
import {
  EPS64,
  geometricSigmas,
  hilbert,
  powerIterationMax,
  randomMatrix,
  randomOrthogonal,
  withSingularValues,
} from './linalg-helpers';

describe('singularValues and conditionNumber', () => {
  it('recovers prescribed singular values of U·diag(σ)·Vᵀ, descending', () => {
    const sigma = [5, 3, 1, 0.5, 0.25, 1e-3];
    const s = singularValues(withSingularValues(sigma, 3));
    expect(s).toBeInstanceOf(Float64Array);
    // σ_i is computed to an absolute accuracy of a few eps64·σmax (the building product adds ~n·eps).
    for (let i = 0; i < sigma.length; i++) expect(Math.abs(s[i] - sigma[i])).toBeLessThan(1e-13);
    expect(conditionNumber(withSingularValues(sigma, 3)) / 5000 - 1).toBeLessThan(1e-9);
  });

  it('gives the textbook values for diagonal, orthogonal and Hilbert matrices', () => {
    expect(
      conditionNumber(
        fromRows([
          [4, 0, 0],
          [0, -2, 0],
          [0, 0, 0.5],
        ]),
      ),
    ).toBeCloseTo(8, 12);
    expect(conditionNumber(randomOrthogonal(10, 4))).toBeCloseTo(1, 12);
    // 2-norm condition numbers of H_n (Higham, Accuracy and Stability, table 28.1 / OEIS).
    const known: [number, number][] = [
      [3, 524.0567775860644],
      [4, 15513.73873892924],
      [5, 476607.2502425],
      [6, 14951058.64],
      [8, 1.525757584e10],
    ];
    for (const [n, cond] of known) {
      // σmin(H_n) is tiny; its absolute error ~eps·σmax gives relative error ≈ cond·eps.
      expect(Math.abs(conditionNumber(hilbert(n)) / cond - 1)).toBeLessThan(
        Math.max(1e-9, 100 * cond * EPS64),
      );
    }
  });

  it('is ∞ for the zero matrix and beyond 1/(n·eps) for rank-deficient ones', () => {
    expect(conditionNumber(matrix64(3, 3))).toBe(Infinity);
    // Rounding leaves σmin ≈ eps·σmax instead of 0: "singular to working precision".
    expect(conditionNumber(matrix64(2, 2, [1, 2, 2, 4]))).toBeGreaterThan(1 / (2 * EPS64));
    const rank2 = matmul64(randomMatrix(6, 2, 5), randomMatrix(2, 6, 6));
    expect(conditionNumber(rank2)).toBeGreaterThan(1 / (6 * EPS64));
    // σmin = 1e-14 is still resolvable for a 6×6 (tolerance 6·eps ≈ 1.3e-15).
    expect(conditionNumber(withSingularValues(geometricSigmas(6, 1e14), 5))).toBeLessThan(2e14);
  });

  it('agrees with ml-matrix’s Golub–Kahan SVD, a separate implementation (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 100_000 }),
        (r, c, seed) => {
          const a = randomMatrix(r, c, seed);
          const ours = singularValues(a);
          const ml = new MlMatrix(toRows(a));
          const ref = new SingularValueDecomposition(r >= c ? ml : ml.transpose(), {
            computeLeftSingularVectors: false,
            computeRightSingularVectors: false,
          }).diagonal.sort((x, y) => y - x);
          expect(ours.length).toBe(Math.min(r, c));
          // Both are backward stable: each σ within a few·max(r, c)·eps64·σmax.
          for (let i = 0; i < ours.length; i++) {
            expect(Math.abs(ours[i] - ref[i])).toBeLessThan(8 * Math.max(r, c) * EPS64 * ref[0]);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('agrees with power iteration on AᵀA and on A⁻ᵀA⁻¹ (independent of the SVD)', () => {
    for (const [n, seed] of [
      [5, 1],
      [12, 2],
      [24, 3],
    ]) {
      const a = randomMatrix(n, n, seed);
      const ata = matmul64(transpose64(a), a);
      const inv = inverse(a);
      const invTinv = matmul64(inv, transpose64(inv));
      const sMax = Math.sqrt(powerIterationMax(ata, 2000));
      const sMin = 1 / Math.sqrt(powerIterationMax(invTinv, 2000));
      const s = singularValues(a);
      // Power iteration converges like (λ2/λ1)^k; 2000 steps reach ~1e-8 relative here.
      expect(Math.abs(s[0] / sMax - 1)).toBeLessThan(1e-6);
      expect(Math.abs(s[n - 1] / sMin - 1)).toBeLessThan(1e-6);
      expect(Math.abs(conditionNumber(a) / (sMax / sMin) - 1)).toBeLessThan(1e-6);
    }
  });

  it('handles wide and tall matrices through σ(A) = σ(Aᵀ)', () => {
    const w = randomMatrix(4, 9, 11);
    const sw = singularValues(w);
    const st = singularValues(transpose64(w));
    expect(sw.length).toBe(4);
    for (let i = 0; i < 4; i++) expect(Math.abs(sw[i] - st[i])).toBeLessThan(1e-14);
    // Σσ² = ‖W‖_F², an identity any correct SVD satisfies.
    const frob = w.data.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(sw.reduce((s, v) => s + v * v, 0) / frob - 1)).toBeLessThan(1e-13);
  });

  it('is invariant to scaling and ≥ 1 (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (r, c, seed, scale) => {
          const a = randomMatrix(r, c, seed);
          const cond = conditionNumber(a);
          fc.pre(Number.isFinite(cond) && cond < 1e8);
          expect(cond).toBeGreaterThanOrEqual(1 - 1e-12);
          const scaled = matrix64(
            r,
            c,
            a.data.map((v) => v * scale),
          );
          // Scaling by s multiplies every σ by |s|, leaving the ratio; rounding adds ~cond·eps.
          expect(Math.abs(conditionNumber(scaled) / cond - 1)).toBeLessThan(
            1e-12 * Math.max(1, cond),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('rightInverse', () => {
  it('w·W⁺ = I_d and W⁺ matches the normal-equations formula wᵀ(wwᵀ)⁻¹ (paper §3)', () => {
    for (const [d, e] of [
      [1, 3],
      [3, 5],
      [8, 32],
      [16, 64],
    ]) {
      const w = randomMatrix(d, e, d * 100 + e);
      const pinv = rightInverse(w);
      expect(pinv.rows).toBe(e);
      expect(pinv.cols).toBe(d);
      const cond = conditionNumber(w);
      expect(maxAbsDiff(matmul64(w, pinv), identity64(d))).toBeLessThan(16 * e * cond * EPS64);
      // The textbook formula squares cond, fine for these well-conditioned w (cond < 10).
      const normal = matmul64(transpose64(w), inverse(matmul64(w, transpose64(w))));
      expect(maxAbsDiff(pinv, normal) / maxAbs(pinv)).toBeLessThan(16 * e * cond * cond * EPS64);
    }
  });

  it('satisfies the Moore–Penrose conditions: W⁺w is a symmetric projector (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 10_000 }),
        (d, extra, seed) => {
          const w = randomMatrix(d, d + extra, seed);
          const cond = conditionNumber(w);
          fc.pre(cond < 1e6);
          const pinv = rightInverse(w);
          const tol = 64 * (d + extra) * cond * EPS64;
          expect(maxAbsDiff(matmul64(w, pinv), identity64(d))).toBeLessThan(tol);
          const proj = matmul64(pinv, w);
          expect(maxAbsDiff(proj, transpose64(proj))).toBeLessThan(tol);
          expect(maxAbsDiff(matmul64(proj, proj), proj)).toBeLessThan(tol);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('falls back to inverse() for square w', () => {
    const a = randomMatrix(6, 6, 77);
    expect(maxAbsDiff(rightInverse(a), inverse(a))).toBe(0);
  });

  it('stays accurate where wwᵀ would be numerically singular (cond(w) = 1e7)', () => {
    // cond(wwᵀ) = 1e14 would exceed the threshold; QR works with cond(w) itself.
    const sq = withSingularValues(geometricSigmas(4, 1e7), 21);
    const w = matrix64(4, 8);
    const q = randomOrthogonal(8, 22);
    // w = sq · (first 4 rows of an orthogonal 8×8) keeps σ(w) = σ(sq).
    const rows4 = matrix64(4, 8, q.data.subarray(0, 32));
    w.data.set(matmul64(sq, rows4).data);
    expect(Math.abs(conditionNumber(w) / 1e7 - 1)).toBeLessThan(1e-6);
    const pinv = rightInverse(w, { label: 'layer 0' });
    expect(maxAbsDiff(matmul64(w, pinv), identity64(4))).toBeLessThan(64 * 8 * 1e7 * EPS64);
    expect(() => inverse(matmul64(w, transpose64(w)))).toThrow(SingularMatrixError);
  });

  it('throws SingularMatrixError for rank-deficient wide w and EngineInputError for tall w', () => {
    const dependent = fromRows([
      [1, 2, 3, 4],
      [2, 4, 6, 8],
    ]);
    expect(() => rightInverse(dependent, { label: 'layer 1, head 2' })).toThrow(
      /layer 1, head 2.*∞.*W_K \(2×4\) has no usable right inverse: it needs 2 independent rows \(rank 2\)/,
    );
    // The message is about the right inverse (paper §3), not a square W_K's inverse.
    expect(() => rightInverse(dependent)).not.toThrow(/invertible|W_K has no usable inverse/);
    const nearly = fromRows([
      [1, 2, 3, 4],
      [1, 2, 3, 4 + 1e-14],
    ]);
    expect(() => rightInverse(nearly)).toThrow(SingularMatrixError);
    expect(() => rightInverse(matrix64(3, 2, [1, 0, 0, 1, 1, 1]))).toThrow(EngineInputError);
    expect(() => rightInverse(matrix64(3, 2, [1, 0, 0, 1, 1, 1]))).toThrow(/no right inverse/);
  });
});
