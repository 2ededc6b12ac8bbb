/**
 * CPU reference backend: every op against an independent formula (hand cases, ml-matrix,
 * compositions of simpler ops), float32 vs float64, validation and lifetime.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../engine/backend';
import { CpuBackend } from '../../engine/cpu';
import { EngineInputError, type Tensor } from '../../engine/tensor';
import { gaussian, rng } from './attention-fixtures';

const f64 = new CpuBackend({ dtype: 'float64' });
const f32 = new CpuBackend({ dtype: 'float32' });

function randomArray(seed: number, n: number): number[] {
  const normal = gaussian(rng(seed));
  return Array.from({ length: n }, () => normal());
}

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.read());
}

/** ml-matrix product of row-major arrays, an independent matmul. */
function mlMatmul(a: number[], [m, k]: number[], b: number[], n: number): number[] {
  const A = Matrix.from1DArray(m, k, a);
  const B = Matrix.from1DArray(k, n, b);
  return A.mmul(B).to1DArray();
}

/** The n×n identity on a backend. */
function eye(be: Backend, n: number): Tensor {
  return be.fromArray(
    Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)),
    [n, n],
  );
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(
      Math.abs(actual[i] - expected[i]),
      `index ${i}: ${actual[i]} vs ${expected[i]}`,
    ).toBeLessThanOrEqual(tol);
  }
}

describe('creation and storage', () => {
  it('round-trips values; float32 rounds to float32', async () => {
    expect(await values(f64.fromArray([0.1, 2, -3], [3]))).toEqual([0.1, 2, -3]);
    expect(await values(f32.fromArray([0.1], [1, 1]))).toEqual([Math.fround(0.1)]);
    expect((await f32.zeros([2, 3]).read()) instanceof Float32Array).toBe(true);
    expect(await values(f64.zeros([2, 2]))).toEqual([0, 0, 0, 0]);
  });

  it('rejects NaN, Infinity and wrong sizes with typed errors naming the place', async () => {
    expect(() => f64.fromArray([1, NaN, 3, 4], [2, 2])).toThrow(/NaN at row 0, column 1/);
    expect(() => f32.fromArray([Infinity], [1])).toThrow(EngineInputError);
    // Finite in float64, ±Infinity once narrowed: rejected at upload, naming the overflow.
    expect(() => f32.fromArray([1, 1e39], [1, 2])).toThrow(
      /fromArray: value 1e\+39 at row 0, column 1 overflows float32/,
    );
    expect(await values(f64.fromArray([1e39], [1]))).toEqual([1e39]);
    expect(() => f64.fromArray([1, 2, 3], [2, 2])).toThrow(/needs 4 values, got 3/);
    expect(() => f64.zeros([2, 2, 2])).toThrow(/1-D or 2-D/);
    expect(() => f64.zeros([1.5])).toThrow(EngineInputError);
  });

  it('writeRows writes in place; rowsView shares storage and is not counted live', async () => {
    const b = new CpuBackend({ dtype: 'float64' });
    const dst = b.zeros([4, 2]);
    const view = b.rowsView(dst, 2);
    expect(b.stats().liveTensors).toBe(1);
    b.writeRows(dst, 1, b.fromArray([1, 2, 3, 4], [2, 2]));
    expect(await values(dst)).toEqual([0, 0, 1, 2, 3, 4, 0, 0]);
    expect(await values(view)).toEqual([0, 0, 1, 2]); // written after the view was made
    view.dispose(); // no-op
    expect(dst.disposed).toBe(false);
    expect(() => b.writeRows(dst, 3, b.zeros([2, 2]))).toThrow(
      /cannot write \[2, 2\] at row 3 of \[4, 2\]/,
    );
    expect(() => b.writeRows(dst, 0, b.zeros([1, 3]))).toThrow(EngineInputError);
    expect(() => b.rowsView(dst, 5)).toThrow(/cannot view 5 rows/);
    dst.dispose();
    expect(view.disposed).toBe(true);
    await expect(view.read()).rejects.toThrow(/disposed/);
  });

  it('slices and concatenates', async () => {
    const x = f64.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(await values(f64.sliceCols(x, 1, 3))).toEqual([2, 3, 5, 6]);
    expect(await values(f64.sliceRows(x, 1, 2))).toEqual([4, 5, 6]);
    const c = f64.concatCols([x, f64.fromArray([7, 8], [2, 1])]);
    expect(c.shape).toEqual([2, 4]);
    expect(await values(c)).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    expect(() => f64.sliceCols(x, 2, 4)).toThrow(/range \[2, 4\)/);
    expect(() => f64.concatCols([x, f64.zeros([3, 1])])).toThrow(/row counts differ/);
    expect(() => f64.concatCols([])).toThrow(EngineInputError);
  });

  it('gathers rows by id and finds the row argmax', async () => {
    const table = f64.fromArray([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(await values(f64.gather(table, [2, 0, 2]))).toEqual([5, 6, 1, 2, 5, 6]);
    expect(() => f64.gather(table, [3])).toThrow(/id 3 at index 0 is outside \[0, 3\)/);
    const am = f64.argmax(f64.fromArray([0, 5, 5, -1, -2, -0.5], [2, 3]));
    expect(am.shape).toEqual([2, 1]);
    expect(await values(am)).toEqual([1, 2]); // first of equal maxima
  });
});

describe('linear algebra', () => {
  it('matmul matches ml-matrix, with and without transposeB, in both dtypes', async () => {
    const [m, k, n] = [5, 7, 3];
    const a = randomArray(1, m * k);
    const b = randomArray(2, k * n);
    const expected = mlMatmul(a, [m, k], b, n);
    const bT = Matrix.from1DArray(k, n, b).transpose().to1DArray();
    for (const be of [f64, f32]) {
      // float64: only summation order differs (k = 7 terms) → 1e-14; float32: one rounding of
      // each input and of the result, |values| ≲ 5 → 1e-5.
      const tol = be === f64 ? 1e-14 : 1e-5;
      const A = be.fromArray(a, [m, k]);
      expectClose(await values(be.matmul(A, be.fromArray(b, [k, n]))), expected, tol);
      expectClose(
        await values(be.matmul(A, be.fromArray(bT, [n, k]), { transposeB: true })),
        expected,
        tol,
      );
    }
    expect(
      await values(f64.matmul(f64.fromArray([1, 2, 3, 4], [2, 2]), f64.fromArray([5, 6], [2, 1]))),
    ).toEqual([17, 39]);
    expect(() => f64.matmul(f64.zeros([2, 3]), f64.zeros([2, 3]))).toThrow(
      /inner dimensions differ: \[2, 3\] · \[2, 3\]/,
    );
    expect(() => f64.matmul(f64.zeros([3]), f64.zeros([3, 1]))).toThrow(/2-D tensor/);
  });

  it('headBlockMatmul equals per-head products concatenated', async () => {
    const [heads, m, dIn, dOut] = [3, 2, 4, 5];
    const u = f64.fromArray(randomArray(3, heads * m * dIn), [heads * m, dIn]);
    const w = f64.fromArray(randomArray(4, dIn * heads * dOut), [dIn, heads * dOut]);
    const perHead = Array.from({ length: heads }, (_, i) =>
      f64.matmul(f64.sliceRows(u, i * m, (i + 1) * m), f64.sliceCols(w, i * dOut, (i + 1) * dOut)),
    );
    const out = f64.headBlockMatmul(u, w, heads);
    expect(out.shape).toEqual([m, heads * dOut]);
    expectClose(await values(out), await values(f64.concatCols(perHead)), 1e-14);
    expect(() => f64.headBlockMatmul(u, w, 4)).toThrow(/do not fit 4 heads/);
  });

  it('linear = matmul, then the bias, then the activation; temporaries freed', async () => {
    const [m, k, n] = [3, 4, 5];
    const a = f64.fromArray(randomArray(5, m * k), [m, k]);
    const w = f64.fromArray(randomArray(6, k * n), [k, n]);
    const bias = f64.fromArray(randomArray(7, n), [n]);
    const plain = mlMatmul(await values(a), [m, k], await values(w), n).map(
      (v, i) => v + randomArray(7, n)[i % n],
    );
    const gelu = (v: number) =>
      0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    const live = f64.stats().liveTensors;
    const y = f64.linear(a, w, { bias });
    const g = f64.linear(a, w, { bias, activation: 'gelu' });
    const s = f64.linear(a, w, { bias, activation: 'silu' });
    // Two float64 products in different summation orders: 1e-14 absolute.
    expectClose(await values(y), plain, 1e-14);
    expectClose(await values(g), plain.map(gelu), 1e-14);
    expectClose(
      await values(s),
      plain.map((v) => v / (1 + Math.exp(-v))),
      1e-14,
    );
    expect(f64.stats().liveTensors).toBe(live + 3); // only the three results
    const wT = f64.fromArray(
      Matrix.from1DArray(k, n, await values(w))
        .transpose()
        .to1DArray(),
      [n, k],
    );
    expectClose(
      await values(f64.linear(a, wT, { transposeB: true })),
      mlMatmul(await values(a), [m, k], await values(w), n),
      1e-14,
    );
    expect(() => f64.linear(a, w, { bias: f64.fromArray([1, 2], [2]) })).toThrow(
      /linear bias: expected a vector of length 5, got shape \[2\]/,
    );
    expect(() => f64.linear(a, a)).toThrow(/linear: inner dimensions differ: \[3, 4\] · \[3, 4\]/);
    expect(() => f64.linear(a, w, { activation: 'relu' as 'gelu' })).toThrow(
      /linear: unknown activation relu/,
    );
  });

  it('rejects overflow to Infinity instead of returning it (never a silent NaN)', () => {
    const big = f32.fromArray([1e30, 1e30], [1, 2]);
    expect(() => f32.matmul(big, f32.fromArray([1e30, 1e30], [2, 1]))).toThrow(
      /matmul: result is Infinity at row 0, column 0.*too large for float32/,
    );
    expect(() => f32.scale(big, 1e10)).toThrow(EngineInputError);
  });
});

describe('elementwise and normalisation', () => {
  it('add, mul, scale and the bias of linear against hand values', async () => {
    const a = f64.fromArray([1, 2, 3, 4], [2, 2]);
    const b = f64.fromArray([10, 20, 30, 40], [2, 2]);
    expect(await values(f64.add(a, b))).toEqual([11, 22, 33, 44]);
    expect(await values(f64.mul(a, b))).toEqual([10, 40, 90, 160]);
    // The bias, a [n] or [1, n] row broadcast over the rows, added after a · I = a (exact).
    const bias = (v: number[], shape: number[]) =>
      f64.linear(a, eye(f64, 2), { bias: f64.fromArray(v, shape) });
    expect(await values(bias([0.5, -1], [2]))).toEqual([1.5, 1, 3.5, 3]);
    expect(await values(bias([1, 1], [1, 2]))).toEqual([2, 3, 4, 5]);
    expect(await values(f64.scale(a, -2))).toEqual([-2, -4, -6, -8]);
    expect(() => f64.add(a, f64.zeros([4]))).toThrow(/shapes differ: \[2, 2\] and \[4\]/);
    expect(() => bias([0, 0, 0], [3])).toThrow(/vector of length 2/);
    expect(() => f64.scale(a, NaN)).toThrow(/finite/);
  });

  it('layerNorm: zero mean, unit variance, then gain and shift; rmsNorm: unit RMS', async () => {
    const x = randomArray(5, 3 * 6).map((v) => 3 * v + 1);
    const X = f64.fromArray(x, [3, 6]);
    const gamma = [1, 2, 3, 4, 5, 6];
    const beta = [0, 0, 0, 1, 1, 1];
    const ln = await values(
      f64.layerNorm(X, f64.fromArray(gamma, [6]), f64.fromArray(beta, [6]), 0),
    );
    const rms = await values(f64.rmsNorm(X, f64.fromArray(gamma, [6]), 0));
    for (let r = 0; r < 3; r++) {
      const z = ln.slice(r * 6, r * 6 + 6).map((v, j) => (v - beta[j]) / gamma[j]);
      expect(Math.abs(z.reduce((s, v) => s + v, 0) / 6)).toBeLessThan(1e-14);
      expect(Math.abs(z.reduce((s, v) => s + v * v, 0) / 6 - 1)).toBeLessThan(1e-13);
      const u = rms.slice(r * 6, r * 6 + 6).map((v, j) => v / gamma[j]);
      expect(Math.abs(u.reduce((s, v) => s + v * v, 0) / 6 - 1)).toBeLessThan(1e-13);
    }
    // Hand case: [1, 3] has mean 2, variance 1 → [-1, 1] (eps 0).
    const one = f64.fromArray([1, 1], [2]);
    expect(
      await values(f64.layerNorm(f64.fromArray([1, 3], [1, 2]), one, f64.zeros([2]), 0)),
    ).toEqual([-1, 1]);
    expect(() => f64.layerNorm(X, one, one, 1e-5)).toThrow(/length 6/);
    expect(() => f64.rmsNorm(X, f64.fromArray(gamma, [6]), -1)).toThrow(/eps/);
  });

  it('linear with gelu (tanh form) is within 1e-3 of the exact erf GELU; silu = x·sigmoid(x)', async () => {
    const xs = [-4, -1.5, -0.3, 0, 0.3, 1, 2.5, 6];
    // x · [1] = x exactly, so the values are the activation's alone.
    const act = async (activation: 'gelu' | 'silu') =>
      values(f64.linear(f64.fromArray(xs, [xs.length, 1]), eye(f64, 1), { activation }));
    const g = await act('gelu');
    const s = await act('silu');
    xs.forEach((x, i) => {
      // The tanh approximation differs from x·Φ(x) by < 5e-4 everywhere (Hendrycks & Gimpel).
      expect(Math.abs(g[i] - x * normalCdf(x))).toBeLessThan(1e-3);
      expect(s[i]).toBeCloseTo(x / (1 + Math.exp(-x)), 14);
    });
    expect(g[3]).toBe(0);
  });

  it('softmax: hand case, rows sum to 1, causal rows are zero past the diagonal', async () => {
    expectClose(
      await values(f64.softmax(f64.fromArray([0, Math.log(2)], [1, 2]))),
      [1 / 3, 2 / 3],
      1e-15,
    );
    const x = f64.fromArray(
      randomArray(6, 12).map((v) => 50 * v),
      [3, 4],
    ); // large: needs the max shift
    const p = await values(f64.softmax(x, { causalOffset: 1 }));
    for (let r = 0; r < 3; r++) {
      const row = p.slice(r * 4, r * 4 + 4);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
      row.forEach((v, j) => (j > r + 1 ? expect(v).toBe(0) : expect(v).toBeGreaterThanOrEqual(0)));
    }
    expect(() => f64.softmax(x, { causalOffset: -1 })).toThrow(/row 0 sees no column/);
  });
});

describe('rope', () => {
  const base = { heads: 2, pairing: 'half' as const, base: 10000, positionOffset: 0 };

  it('rotates pair (j, j + r/2) for half and (2j, 2j+1) for interleaved by m·θ_j (HF convention)', async () => {
    // One head of width 4, position 3: θ_0 = 1, θ_1 = 10000^(−1/2) = 0.01.
    const x = [1, 2, 3, 4];
    const opts = { heads: 1, base: 10000, positionOffset: 3 };
    const [c0, s0, c1, s1] = [Math.cos(3), Math.sin(3), Math.cos(0.03), Math.sin(0.03)];
    const half = await values(f64.rope(f64.fromArray(x, [1, 4]), { ...opts, pairing: 'half' }));
    expectClose(half, [1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 3 * c0 + 1 * s0, 4 * c1 + 2 * s1], 1e-15);
    const inter = await values(
      f64.rope(f64.fromArray(x, [1, 4]), { ...opts, pairing: 'interleaved' }),
    );
    expectClose(inter, [1 * c0 - 2 * s0, 2 * c0 + 1 * s0, 3 * c1 - 4 * s1, 4 * c1 + 3 * s1], 1e-15);
    // Partial rotary: only the first rotaryDim = 2 dims of each head move.
    const partial = await values(
      f64.rope(f64.fromArray(x, [1, 4]), { ...opts, pairing: 'half', rotaryDim: 2 }),
    );
    expectClose(partial, [1 * c0 - 2 * s0, 2 * c0 + 1 * s0, 3, 4], 1e-15);
  });

  it('inverse undoes the rotation; scores depend only on the position difference', async () => {
    for (const pairing of ['half', 'interleaved'] as const) {
      const x = f64.fromArray(randomArray(7, 5 * 8), [5, 8]);
      const opts = { ...base, pairing, positionOffset: 11, rotaryDim: 2 };
      const back = f64.rope(f64.rope(x, opts), { ...opts, inverse: true });
      expectClose(await values(back), await values(x), 1e-13);
      // <R(m)q, R(n)k> = <R(m+s)q, R(n+s)k>: relative-position property of RoPE.
      const q = f64.fromArray(randomArray(8, 8), [1, 8]);
      const k = f64.fromArray(randomArray(9, 8), [1, 8]);
      const dot = async (m: number, n: number): Promise<number> => {
        const a = await values(f64.rope(q, { ...base, pairing, positionOffset: m }));
        const b = await values(f64.rope(k, { ...base, pairing, positionOffset: n }));
        return a.reduce((s, v, i) => s + v * b[i], 0);
      };
      expect(await dot(9, 4)).toBeCloseTo(await dot(5, 0), 12);
    }
    expect(() => f64.rope(f64.zeros([1, 8]), { ...base, rotaryDim: 3 })).toThrow(
      /rotaryDim must be even/,
    );
    expect(() => f64.rope(f64.zeros([1, 9]), base)).toThrow(/do not split into 2 heads/);
  });
});

describe('attention building blocks', () => {
  it('attnProbs and attnWeightedSum equal per-head matmul → scale → softmax → matmul', async () => {
    const [heads, dk, m, n] = [2, 3, 2, 5];
    const q = f64.fromArray(randomArray(10, m * heads * dk), [m, heads * dk]);
    const k = f64.fromArray(randomArray(11, n * heads * dk), [n, heads * dk]);
    const v = f64.fromArray(randomArray(12, n * heads * dk), [n, heads * dk]);
    const scale = 1 / Math.sqrt(dk);
    const causalOffset = n - m; // the last m of n tokens
    const probs = f64.attnProbs(q, k, { heads, scale, causalOffset });
    expect(probs.shape).toEqual([heads * m, n]);
    const y = f64.attnWeightedSum(probs, v, heads);
    const head = (t: Tensor, i: number): Tensor => f64.sliceCols(t, i * dk, (i + 1) * dk);
    const expected = Array.from({ length: heads }, (_, i) => {
      const s = f64.scale(f64.matmul(head(q, i), head(k, i), { transposeB: true }), scale);
      const p = f64.softmax(s, { causalOffset });
      return { p, y: f64.matmul(p, head(v, i)) };
    });
    const pAll = await values(probs);
    for (let i = 0; i < heads; i++) {
      expectClose(pAll.slice(i * m * n, (i + 1) * m * n), await values(expected[i].p), 1e-15);
    }
    expectClose(await values(y), await values(f64.concatCols(expected.map((e) => e.y))), 1e-14);
    expect(() => f64.attnProbs(q, v, { heads: 4, scale })).toThrow(/do not fit 4 heads/);
    expect(() => f64.attnWeightedSum(probs, f64.zeros([n + 1, 6]), heads)).toThrow(
      EngineInputError,
    );
  });
});

describe('float32 backend tracks float64', () => {
  it('a chain of ops agrees to float32 precision', async () => {
    const chain = async (b: Backend): Promise<number[]> => {
      const x = b.fromArray(randomArray(20, 4 * 8), [4, 8]);
      const w = b.fromArray(
        randomArray(21, 8 * 8).map((v) => v / Math.sqrt(8)),
        [8, 8],
      );
      const g = b.fromArray(new Array(8).fill(1), [8]);
      // linear by the identity: the activation alone (the product is exact).
      const act = (t: Tensor, activation: 'gelu' | 'silu') =>
        b.linear(t, eye(b, 8), { activation });
      const h = act(b.layerNorm(b.matmul(x, w), g, b.zeros([8]), 1e-5), 'gelu');
      const r = b.rope(h, { heads: 2, positionOffset: 3, pairing: 'interleaved', base: 10000 });
      const p = b.attnProbs(r, h, { heads: 2, scale: 0.5, causalOffset: 0 });
      return values(b.attnWeightedSum(p, act(r, 'silu'), 2));
    };
    // Each op rounds once to float32 (2^-24 ≈ 6e-8 relative); a 6-op chain of O(1) values stays
    // well below 1e-5 absolute.
    expectClose(await chain(f32), await chain(f64), 1e-5);
  });
});

describe('lifetime: scope, keep, stats', () => {
  it('scope frees temporaries, returns survive, keep exempts, errors still clean up', async () => {
    const b = new CpuBackend({ dtype: 'float32' });
    const outside = b.fromArray([1, 2], [1, 2]);
    let kept: Tensor | undefined;
    const result = b.scope(() => {
      const t = b.scale(outside, 2);
      kept = b.keep(b.add(t, t));
      const nested = b.scope(() => [b.scale(t, 3), b.zeros([5])]);
      return { y: b.add(nested[0], t), z: 1 };
    });
    expect(await values(result.y)).toEqual([8, 16]);
    expect(await values(kept as Tensor)).toEqual([4, 8]);
    expect(b.stats()).toEqual({ liveTensors: 3, liveBytes: 3 * 2 * 4 });
    expect(() => b.scope(() => (b.zeros([3]), b.fromArray([NaN], [1])))).toThrow(EngineInputError);
    expect(b.stats().liveTensors).toBe(3);
    result.y.dispose();
    expect(() => result.y.dispose()).toThrow(/already disposed/);
    expect(() => b.add(result.y, result.y)).toThrow(/disposed/);
    expect(() => b.add(outside, f64.fromArray([1, 2], [1, 2]))).toThrow(
      /float64, backend is float32/,
    );
  });
});

/** Φ via erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7): the exact GELU's CDF. */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * erf);
}
