import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_CONDITION,
  SingularMatrixError,
  conditionNumber,
  det,
  fromRows,
  identity64,
  inverse,
  luDecompose,
  luSolve,
  matmul64,
  matrix64,
  maxAbs,
  maxAbsDiff,
  norm1,
  solve,
  type Matrix64,
} from '../../engine/linalg/index';
import { EngineInputError } from '../../engine/tensor';
import {
  EPS64,
  hilbert,
  hilbertInverse,
  randomMatrix,
  withSingularValues,
  geometricSigmas,
} from './linalg-helpers';

/**
 * LU with partial pivoting is backward stable: the residual ‖A·X − I‖ is bounded by about
 * n·eps64·‖A‖·‖A⁻¹‖ (times the pivot growth factor, a small number for these matrices). We allow
 * 8·n·eps64·κ₁(A) on the max-abs residual, κ₁ = ‖A‖₁‖A⁻¹‖₁ (an upper bound on every entry).
 */
function residualTolerance(a: Matrix64, inv: Matrix64): number {
  return 8 * a.rows * EPS64 * norm1(a) * norm1(inv);
}

/** Laplace expansion along the first row: an O(n!) determinant independent of LU. */
function laplaceDet(rows: number[][]): number {
  const n = rows.length;
  if (n === 1) return rows[0][0];
  let s = 0;
  for (let j = 0; j < n; j++) {
    const minor = rows.slice(1).map((r) => r.filter((_, c) => c !== j));
    s += (j % 2 === 0 ? 1 : -1) * rows[0][j] * laplaceDet(minor);
  }
  return s;
}

const entry = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true });
const squareRows = (min: number, max: number) =>
  fc
    .integer({ min, max })
    .chain((n) =>
      fc.array(fc.array(entry, { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
    );

describe('luDecompose', () => {
  it('reconstructs PA = LU for a random 12×12 matrix', () => {
    const a = randomMatrix(12, 12, 1);
    const f = luDecompose(a);
    const n = f.n;
    const l = matrix64(n, n);
    const u = matrix64(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = f.lu[i * n + j];
        if (j < i) l.data[i * n + j] = v;
        else u.data[i * n + j] = v;
      }
      l.data[i * n + i] = 1;
    }
    const pa = matrix64(n, n);
    for (let i = 0; i < n; i++)
      pa.data.set(a.data.subarray(f.perm[i] * n, f.perm[i] * n + n), i * n);
    // Backward error of LU is O(n·eps·‖A‖) with ‖A‖max ≤ 1 here.
    expect(maxAbsDiff(matmul64(l, u), pa)).toBeLessThan(8 * n * EPS64);
    // Partial pivoting bounds every multiplier |l_ij| by 1.
    expect(maxAbs(l)).toBeLessThanOrEqual(1);
    expect(f.zeroPivot).toBe(-1);
  });

  it('records the first zero pivot of an exactly singular matrix without throwing', () => {
    const f = luDecompose(
      fromRows([
        [1, 2],
        [2, 4],
      ]),
    );
    expect(f.zeroPivot).toBe(1);
    expect(() => luSolve(f, identity64(2))).toThrow(SingularMatrixError);
  });
});

describe('det', () => {
  it('matches the 2×2 and 3×3 closed forms (fast-check)', () => {
    fc.assert(
      fc.property(squareRows(2, 2), ([[a, b], [c, d]]) => {
        const ref = a * d - b * c;
        // Each product is exact to eps·|term|; scale the tolerance by the terms, not the result.
        expect(
          Math.abs(
            det(
              fromRows([
                [a, b],
                [c, d],
              ]),
            ) - ref,
          ),
        ).toBeLessThanOrEqual(8 * EPS64 * (Math.abs(a * d) + Math.abs(b * c)) + 1e-300);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(squareRows(3, 3), (m) => {
        const [[a, b, c], [d, e, f], [g, h, i]] = m;
        const terms = [a * e * i, b * f * g, c * d * h, -c * e * g, -b * d * i, -a * f * h];
        const ref = terms.reduce((s, t) => s + t, 0);
        const scale = terms.reduce((s, t) => s + Math.abs(t), 0);
        // LU's rounding errors scale with the pivots' size ≤ 2·max|a|, so allow eps·(Σ|terms| + max|a|³).
        const maxEntry = Math.max(...m.flat().map(Math.abs));
        expect(Math.abs(det(fromRows(m)) - ref)).toBeLessThanOrEqual(
          64 * EPS64 * (scale + maxEntry ** 3) + 1e-300,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('matches Laplace expansion and is multiplicative, det(AB) = det(A)·det(B)', () => {
    for (let n = 1; n <= 6; n++) {
      const a = randomMatrix(n, n, 10 + n);
      const b = randomMatrix(n, n, 20 + n);
      const rows = Array.from({ length: n }, (_, i) =>
        Array.from(a.data.subarray(i * n, i * n + n)),
      );
      expect(det(a)).toBeCloseTo(laplaceDet(rows), 12);
      // Relative agreement: both sides carry O(n·eps·cond) relative error; 1e-10 is generous.
      const ab = det(matmul64(a, b));
      expect(Math.abs(ab - det(a) * det(b))).toBeLessThan(1e-10 * Math.abs(ab));
    }
  });

  it('matches det(H₄) = 1/6048000 and is exactly 0 for a singular matrix', () => {
    // det(H_4) = 1/6048000 exactly.
    expect(det(hilbert(4))).toBeCloseTo(1 / 6048000, 18);
    expect(Math.abs(det(hilbert(4)) * 6048000 - 1)).toBeLessThan(1e-11);
    expect(
      det(
        fromRows([
          [1, 2],
          [2, 4],
        ]),
      ),
    ).toBe(0);
  });
});

describe('inverse', () => {
  it('A·A⁻¹ = A⁻¹·A = I within 8·n·eps·κ₁ for random matrices up to 64×64', () => {
    for (const n of [1, 2, 3, 7, 16, 64]) {
      const a = randomMatrix(n, n, 100 + n);
      const inv = inverse(a);
      const tol = residualTolerance(a, inv);
      expect(maxAbsDiff(matmul64(a, inv), identity64(n))).toBeLessThan(tol);
      expect(maxAbsDiff(matmul64(inv, a), identity64(n))).toBeLessThan(tol);
    }
  });

  it('matches the closed-form integer inverse of Hilbert matrices to ~κ·eps relative', () => {
    for (const n of [3, 4, 5, 6, 8]) {
      const inv = inverse(hilbert(n));
      const ref = hilbertInverse(n);
      const cond = conditionNumber(hilbert(n));
      // Forward error of a backward-stable inverse: relative ≲ n·κ·eps (plus H's own rounding).
      expect(maxAbsDiff(inv, ref) / maxAbs(ref)).toBeLessThan(8 * n * cond * EPS64);
    }
  });

  it('holds A·A⁻¹ = I as a property of random well-conditioned matrices (fast-check)', () => {
    fc.assert(
      fc.property(squareRows(1, 8), (rows) => {
        const a = fromRows(rows);
        fc.pre(maxAbs(a) > 0 && Math.abs(det(a)) > 1e-6);
        let inv: Matrix64;
        try {
          inv = inverse(a);
        } catch (e) {
          // A random matrix may be numerically singular; then the error must say so.
          expect(e).toBeInstanceOf(SingularMatrixError);
          expect((e as SingularMatrixError).conditionNumber).toBeGreaterThan(MAX_CONDITION);
          return;
        }
        expect(maxAbsDiff(matmul64(a, inv), identity64(a.rows))).toBeLessThan(
          residualTolerance(a, inv),
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('solve', () => {
  it('agrees with inverse(A)·B, and A·X reproduces B (fast-check)', () => {
    fc.assert(
      fc.property(
        squareRows(1, 7),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 1000 }),
        (rows, m, seed) => {
          const a = fromRows(rows);
          fc.pre(Math.abs(det(a)) > 1e-3);
          const inv = inverse(a);
          const b = randomMatrix(a.rows, m, seed);
          const x = solve(a, b);
          const kappa = norm1(a) * norm1(inv);
          // Both are backward stable; they differ by at most ~n·κ·eps relative to ‖X‖.
          const scale = Math.max(maxAbs(x), 1e-300);
          expect(maxAbsDiff(x, matmul64(inv, b)) / scale).toBeLessThan(16 * a.rows * kappa * EPS64);
          expect(maxAbsDiff(matmul64(a, x), b)).toBeLessThan(
            8 * a.rows * EPS64 * norm1(a) * Math.max(maxAbs(x) * a.rows, 1),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('solves a 3×3 system with a known exact solution', () => {
    const a = fromRows([
      [2, 1, -1],
      [-3, -1, 2],
      [-2, 1, 2],
    ]);
    const x = solve(a, fromRows([[8], [-11], [-3]]));
    expect(maxAbsDiff(x, fromRows([[2], [3], [-1]]))).toBeLessThan(1e-14);
  });
});

describe('singular and ill-conditioned input', () => {
  it('throws SingularMatrixError with cond ∞ and the label for an exactly singular W_K', () => {
    const rankOne = fromRows([
      [1, 2, 3],
      [2, 4, 6],
      [-1, -2, -3],
    ]);
    for (const fn of [
      () => inverse(rankOne, { label: 'layer 3, head 0' }),
      () => solve(rankOne, identity64(3), { label: 'layer 3, head 0' }),
    ]) {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(SingularMatrixError);
      const err = caught as SingularMatrixError;
      expect(err.conditionNumber).toBe(Infinity);
      expect(err.label).toBe('layer 3, head 0');
      expect(err.message).toContain('layer 3, head 0');
      expect(err.message).toContain('∞');
      expect(err.message).toContain('W_K');
    }
  });

  it('throws for a numerically singular matrix (cond 1e14), reporting its 2-norm cond', () => {
    const a = withSingularValues(geometricSigmas(6, 1e14), 5);
    for (const fn of [
      () => inverse(a, { label: 'layer 7' }),
      () => solve(a, identity64(6), { label: 'layer 7' }),
    ]) {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(SingularMatrixError);
      const err = caught as SingularMatrixError;
      // The SVD resolves σmin ≈ 1e-14 to within ~eps64/1e-14 ≈ 2% relative.
      expect(err.conditionNumber / 1e14).toBeGreaterThan(0.9);
      expect(err.conditionNumber / 1e14).toBeLessThan(1.1);
      expect(err.message).toMatch(/layer 7.*1\.0\de\+14/);
    }
  });

  it('inverts cond 1e10 but refuses Hilbert 10×10 (cond ≈ 1.6e13 > 1e12)', () => {
    const ok = withSingularValues(geometricSigmas(6, 1e10), 9);
    const inv = inverse(ok);
    expect(maxAbsDiff(matmul64(ok, inv), identity64(6))).toBeLessThan(residualTolerance(ok, inv));
    expect(() => inverse(hilbert(10))).toThrow(SingularMatrixError);
    expect(() => inverse(hilbert(9))).not.toThrow(); // cond ≈ 4.9e11, just inside
    // The threshold is adjustable, e.g. for a lesson that drives W_K past it.
    expect(() => inverse(hilbert(10), { maxCondition: Infinity })).not.toThrow();
    expect(() => inverse(hilbert(6), { maxCondition: 1e6 })).toThrow(/1\.5\de\+7/);
  });
});

describe('bad input', () => {
  it('rejects non-square, mismatched, empty and non-finite input with EngineInputError', () => {
    expect(() => inverse(matrix64(2, 3))).toThrow(EngineInputError);
    expect(() => inverse(matrix64(2, 3))).toThrow(/square.*2×3/);
    expect(() => solve(identity64(3), matrix64(2, 1))).toThrow(/B needs as many rows/);
    expect(() => inverse({ rows: 0, cols: 0, data: new Float64Array(0) })).toThrow(/empty/);
    expect(() =>
      inverse(
        fromRows([
          [1, NaN],
          [0, 1],
        ]),
        { label: 'layer 2' },
      ),
    ).toThrow(/layer 2.*NaN at row 0, column 1/);
    expect(() => det(fromRows([[Infinity]]))).toThrow(EngineInputError);
    expect(() => inverse({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(
      /needs 4 values/,
    );
    expect(() => inverse(identity64(2), { maxCondition: 0 })).toThrow(/maxCondition/);
    expect(() => matmul64(matrix64(2, 3), matrix64(2, 3))).toThrow(EngineInputError);
    expect(() => maxAbsDiff(matrix64(2, 3), matrix64(3, 2))).toThrow(EngineInputError);
  });
});
