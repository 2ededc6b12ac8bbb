/**
 * linalg across float64's whole range: subnormal entries (1e-310), entries near the largest
 * float64 (1.7e308), and results that do not fit float64. Every function returns a correct finite
 * result or throws MatrixRangeError / SingularMatrixError by name; none returns ±∞ or NaN.
 * References are independent: hand-computed inverses and the exact power-of-two identities
 * inverse(2^k·A) = 2^−k·inverse(A), cond(2^k·A) = cond(A), with 2^k applied by repeated doubling.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MatrixRangeError,
  conditionNumber,
  det,
  fromRows,
  identity64,
  inverse,
  leftDivide,
  luDecompose,
  matmul64,
  rightInverse,
  singularValues,
  solve,
  type Matrix64,
} from '../../engine/linalg/index';
import { computeWkv, computeWvk, float32ReconstructionError } from '../../engine/slim';
import { EngineInputError } from '../../engine/tensor';
import { randomMatrix } from './linalg-helpers';

/** x·2^k by |k| exact doublings or halvings: a reference independent of linalg's scaling. */
function times2(x: number, k: number): number {
  let v = x;
  for (let i = 0; i < Math.abs(k); i++) v = k > 0 ? v * 2 : v / 2;
  return v;
}

function scaledBy(a: Matrix64, k: number): Matrix64 {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v) => times2(v, k)) };
}

function diag(...values: number[]): Matrix64 {
  return fromRows(values.map((v, i) => values.map((_, j) => (i === j ? v : 0))));
}

function times(a: Matrix64, c: number): Matrix64 {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v) => v * c) };
}

function expectAllFinite(m: ArrayLike<number>): void {
  for (let i = 0; i < m.length; i++)
    expect(Number.isFinite(m[i]), `entry ${i}: ${m[i]}`).toBe(true);
}

/** |got − want| ≤ tol·max |want| entrywise (plus one subnormal step for results near 0). */
function expectRelClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i]), `entry ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(
      tol * scale + 2 * Number.MIN_VALUE,
    );
  }
}

/** max |a − b| / max |b|. */
function maxAbsDiffRel(a: Matrix64, b: Matrix64): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.data.length; i++) {
    d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
    m = Math.max(m, Math.abs(b.data[i]));
  }
  return d / m;
}

function captureError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('subnormal entries (1e-310)', () => {
  it('inverse(diag(1e-310, 1e-310)) is refused by name: its entries would be 1e310', () => {
    const err = captureError(() => inverse(diag(1e-310, 1e-310), { label: 'W_K' }));
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect(err).toBeInstanceOf(EngineInputError);
    expect(err.name).toBe('MatrixRangeError');
    expect((err as MatrixRangeError).log10Magnitude).toBe(310);
    expect(err.message).toMatch(
      /^inverse: the inverse \(W_K\) would hold values of about 1e\+310, beyond float64's largest finite value/,
    );
  });

  it('gives correct finite results where the answer fits: inverse(1e-300·I), solve and W_KV with subnormal inputs', () => {
    // 1/1e-300 rounds to 1e300 within one ulp.
    expectRelClose(inverse(diag(1e-300, 1e-300)).data, [1e300, 0, 0, 1e300], 4e-16);
    // diag(2^-1023, 3·2^-1023), both subnormal: the inverse diag(2^1023, 2^1023/3) fits.
    const tiny = 2 ** -1023;
    expectRelClose(
      inverse(diag(tiny, 3 * tiny)).data,
      [times2(1, 1023), 0, 0, times2(1, 1023) / 3],
      1e-15,
    );
    // A X = B with A and B both 1e-310 times O(1) matrices: X is the O(1) solution.
    const a = fromRows([
      [2, 1],
      [1, 3],
    ]);
    const b = fromRows([
      [1, 0],
      [4, 5],
    ]);
    // [[2,1],[1,3]]⁻¹ = [[3,−1],[−1,2]]/5, so X = [[−1,−5],[7,10]]/5.
    const want = [-0.2, -1, 1.4, 2];
    expectRelClose(solve(times(a, 1e-310), times(b, 1e-310)).data, want, 1e-12);
    // B of size 1: X would be ~1e310, which is refused.
    expect(() => solve(times(a, 1e-310), b)).toThrow(MatrixRangeError);
    // The lessons' case: W_K with subnormal entries and W_V of the same size → W_KV = W_K⁻¹W_V.
    const { wKV, reconstructionError } = computeWkv(times(a, 1e-310), times(b, 1e-310));
    expectRelClose(wKV.data, want, 1e-12);
    expect(reconstructionError).toBeLessThan(1e-12);
  });

  it("the lessons' subnormal W_K with an O(1) W_V: a named error, never a table of NaN", () => {
    const wK = times(identity64(4), 1e-310);
    const wV = randomMatrix(4, 4, 3);
    const err = captureError(() => computeWkv(wK, wV, { label: 'W_K' }));
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect(err.message).toMatch(
      /^W_KV = W_K⁻¹·W_V \(W_K\) would hold values of about 1e\+3(09|10)/,
    );
    expect(err.message).toMatch(/W_V is too large relative to W_K: scale W_K up or W_V down\.$/);
    // cond is a ratio: 1 for 1e-310·I, whatever the size of the entries.
    expect(conditionNumber(wK)).toBeCloseTo(1, 12);
    // det(1e-310·I₄) = 1e-1240 rounds to 0 like any float64 underflow (documented), never NaN.
    expect(det(wK)).toBe(0);
    expectRelClose([det(diag(1e-310, 1e10))], [1e-300], 1e-12);
  });
});

describe('huge entries (≳ 1.34e308, where 2^round(log2 max) is 2^1024 = ∞)', () => {
  it('conditionNumber and singularValues are finite and correct', () => {
    expect(conditionNumber(diag(1.5e308, 1e308))).toBeCloseTo(1.5, 12);
    // [[a, b], [b, a]] has singular values a + b and |a − b|.
    const a = 1.7e308 / 2;
    const b = 1e308 / 2;
    expect(
      conditionNumber(
        fromRows([
          [a, b],
          [b, a],
        ]),
      ),
    ).toBeCloseTo((a + b) / (a - b), 11);
    expectRelClose(singularValues(diag(1.7e308, -1.7e308)), [1.7e308, 1.7e308], 1e-14);
  });

  it('singularValues refuses σ beyond float64 by name', () => {
    // [[c, c], [c, −c]] = c·√2 · (orthogonal): both σ are c·√2 ≈ 2.1e308 > 1.8e308.
    const c = 1.5e308;
    const err = captureError(() =>
      singularValues(
        fromRows([
          [c, c],
          [c, -c],
        ]),
      ),
    );
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect(err.message).toMatch(/^singularValues: σ would hold values of about 1e\+308/);
    // Its condition number is still exactly the ratio, 1.
    expect(
      conditionNumber(
        fromRows([
          [c, c],
          [c, -c],
        ]),
      ),
    ).toBeCloseTo(1, 12);
  });

  it('inverse and det of [[1e308, 1e308], [−1e308, 1e308]]: elimination no longer overflows', () => {
    // The inverse is [[1, −1], [1, 1]] / 2e308 = ±5e-309 (subnormal, still ~15 digits).
    const m = fromRows([
      [1e308, 1e308],
      [-1e308, 1e308],
    ]);
    expectRelClose(inverse(m).data, [5e-309, -5e-309, 5e-309, 5e-309], 1e-14);
    // det = 2e616: out of range, refused rather than Infinity.
    const err = captureError(() => det(m));
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect(err.message).toMatch(/^det would hold values of about 1e\+616/);
    expect(() => det(diag(1e200, 1e200))).toThrow(/about 1e\+400/);
    expect(det(diag(1e200, 1e-200, 3))).toBeCloseTo(3, 12);
    // luDecompose itself works on the raw entries: its growth overflows, and it says so.
    expect(() => luDecompose(m)).toThrow(MatrixRangeError);
  });

  it('computeWkv(1e-10·I, 1e300·I): W_KV = 1e310·I is refused by name; W_VK the other way round', () => {
    const i4 = identity64(4);
    const err = captureError(() =>
      computeWkv(times(i4, 1e-10), times(i4, 1e300), { label: 'layer 2' }),
    );
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect((err as MatrixRangeError).label).toBe('layer 2');
    expect(err.message).toMatch(
      /^W_KV = W_K⁻¹·W_V \(layer 2\) would hold values of about 1e\+310, beyond float64's largest finite value/,
    );
    const errV = captureError(() => computeWvk(times(i4, 1e300), times(i4, 1e-10)));
    expect(errV).toBeInstanceOf(MatrixRangeError);
    expect(errV.message).toMatch(/^W_VK = W_V⁻¹·W_K would hold values of about 1e\+310/);
    expect(errV.message).toMatch(/W_K is too large relative to W_V/);
    // The same ratio at a size that fits: W_KV = 1e290·I exactly as 1e300 / 1e10.
    expectRelClose(
      computeWkv(times(i4, 1e10), times(i4, 1e300)).wKV.data,
      times(i4, 1e290).data,
      1e-15,
    );
  });

  it('float32 reconstruction of weights beyond float32 is refused, not NaN', () => {
    const i3 = identity64(3);
    const err = captureError(() =>
      float32ReconstructionError(times(i3, 1e39), times(i3, 1e39), { label: 'layer 0' }),
    );
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect(err.message).toMatch(/^The float32 reconstruction W·W_KV \(layer 0\) overflows float32/);
  });

  it('matmul64: no intermediate overflow; a product beyond float64 is refused', () => {
    // 1e200·1e200 − 1e200·1e200 = 0 exactly; unscaled it was ∞ − ∞ = NaN.
    expect(
      Array.from(matmul64(fromRows([[1e200, 1e200]]), fromRows([[1e200], [-1e200]])).data),
    ).toEqual([0]);
    expect(Array.from(matmul64(fromRows([[1e-310]]), fromRows([[1e300]])).data)[0]).toBeCloseTo(
      1e-10,
      22,
    );
    const err = captureError(() => matmul64(diag(1e200, 1), diag(1e200, 1)));
    expect(err).toBeInstanceOf(MatrixRangeError);
    expect(err.message).toMatch(/^matmul64: the product would hold values of about 1e\+400/);
  });

  it('rightInverse and leftDivide of a wide W_K with subnormal entries', () => {
    const w = randomMatrix(2, 3, 5);
    const v = randomMatrix(2, 3, 6);
    // W⁺ alone would be ~1e310: refused. W⁺·V with V as small as W fits, and equals the O(1) answer.
    expect(() => rightInverse(times(w, 1e-310))).toThrow(MatrixRangeError);
    // 2^-1040·w is subnormal (fewer digits): compare with the rounded matrices scaled back up,
    // which is exact, so only the solve's own rounding remains.
    const ws = scaledBy(w, -1040);
    const vs = scaledBy(v, -1040);
    const want = leftDivide(scaledBy(ws, 1040), scaledBy(vs, 1040));
    expectRelClose(leftDivide(ws, vs).data, want.data, 1e-14);
    expect(maxAbsDiffRel(want, leftDivide(w, v))).toBeLessThan(1e-8);
  });
});

describe('never a non-finite result (fast-check over the whole exponent range)', () => {
  it('inverse(2^k·A) = 2^−k·inverse(A), or MatrixRangeError exactly when that leaves float64', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: -1070, max: 1020 }),
        (seed, k) => {
          // A random 3×3 plus 3·I: well conditioned, entries O(1).
          const a = randomMatrix(3, 3, seed);
          for (let i = 0; i < 3; i++) a.data[i * 4] += 3;
          // 2^k·A, and the matrix it holds scaled back (exact: subnormal inputs lose digits once).
          const s = scaledBy(a, k);
          const held = scaledBy(s, -k);
          const want = inverse(held).data.map((x) => times2(x, -k));
          const fits = want.every(Number.isFinite);
          let got: Float64Array;
          try {
            got = inverse(s).data;
          } catch (e) {
            expect(e).toBeInstanceOf(MatrixRangeError);
            expect(fits).toBe(false);
            return;
          }
          expect(fits).toBe(true);
          expectAllFinite(got);
          expectRelClose(got, want, 1e-15);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cond(2^k·A) = cond(A) for every k that keeps A finite', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: -1000, max: 1023 }),
        (seed, k) => {
          const s = scaledBy(randomMatrix(4, 4, seed), k);
          const c = conditionNumber(s);
          const want = conditionNumber(scaledBy(s, -k));
          expect(Number.isFinite(c)).toBe(true);
          expect(Math.abs(c - want)).toBeLessThanOrEqual(1e-12 * want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
