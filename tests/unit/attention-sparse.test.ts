/**
 * Attention sparsity (paper Appendix D): skipping the value rows whose softmax probability is
 * below a threshold. The helpers are checked against a float64 nested-loop reference written
 * here, and the two orders against each other: the standard Σ s_j v_j and slim option 2's
 * (Σ s_j k_j) W_KV (or (Σ s_j e_j) W_V for cross option 2) skip the same rows and give the same
 * output, with the probabilities computed by the engine's own attnProbs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  headColumns,
  headRows,
  sharedRowSkips,
  sharedRowSparsity,
  sparseKFirstSum,
  sparseWeightedSum,
  sparsityWorkFactor,
  type SparseMatrix,
} from '../../engine/attention';
import { CpuBackend } from '../../engine/cpu';
import { conditionNumber } from '../../engine/linalg';
import { formWkv } from '../../engine/slim';
import { EngineInputError } from '../../engine/tensor';
import { gaussian, randomInputs, randomWeights, relativeError, rng } from './attention-fixtures';

/** Per-head softmax of random scores: [heads·m, n], head h's rows at [h·m, (h+1)·m). */
function randomProbs(seed: number, heads: number, m: number, n: number, spread: number) {
  const normal = gaussian(rng(seed));
  const data = new Float64Array(heads * m * n);
  for (let r = 0; r < heads * m; r++) {
    const scores = Array.from({ length: n }, () => normal() * spread);
    const top = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((x, j) => (data[r * n + j] = x / sum));
  }
  return { rows: heads * m, cols: n, data };
}

function randomMatrix(seed: number, rows: number, cols: number): SparseMatrix {
  const normal = gaussian(rng(seed));
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => normal()) };
}

/** a [r, k] · b [k, c] + bias, plain loops. */
function product(a: SparseMatrix, b: SparseMatrix, bias?: ArrayLike<number>): SparseMatrix {
  const data = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = bias ? bias[j] : 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[k * b.cols + j];
      data[i * b.cols + j] = s;
    }
  return { rows: a.rows, cols: b.cols, data };
}

/** The reference: per head and query, Σ over kept rows, the dense sum, and the skip count. */
function reference(probs: SparseMatrix, v: SparseMatrix, heads: number, threshold: number) {
  const m = probs.rows / heads;
  const n = probs.cols;
  const dv = v.cols / heads;
  const sparse = new Float64Array(m * v.cols);
  const dense = new Float64Array(m * v.cols);
  const perHead = new Array<number>(heads).fill(0);
  for (let h = 0; h < heads; h++)
    for (let q = 0; q < m; q++)
      for (let j = 0; j < n; j++) {
        const s = probs.data[(h * m + q) * n + j];
        if (s < threshold) perHead[h]++;
        for (let c = 0; c < dv; c++) {
          const term = s * v.data[j * v.cols + h * dv + c];
          dense[q * v.cols + h * dv + c] += term;
          if (s >= threshold) sparse[q * v.cols + h * dv + c] += term;
        }
      }
  let error = 0;
  for (let i = 0; i < sparse.length; i++) error = Math.max(error, Math.abs(sparse[i] - dense[i]));
  return { sparse, dense, perHead, error };
}

describe('sparseWeightedSum and sparseKFirstSum (paper Appendix D)', () => {
  it("the paper's example: S = 0.8 skips 4 of 5 rows, 5x less work", () => {
    const probs = { rows: 1, cols: 5, data: [0.6, 0.1, 0.1, 0.1, 0.1] };
    const v = { rows: 5, cols: 1, data: [1, 2, 3, 4, 5] };
    const r = sparseWeightedSum(probs, v, { heads: 1, threshold: 0.15 });
    expect(r.skipped).toBe(4);
    expect(r.total).toBe(5);
    expect(r.sparsity).toBeCloseTo(0.8, 15);
    expect(r.workFactor).toBeCloseTo(5, 12);
    expect(r.output[0]).toBeCloseTo(0.6, 15);
    expect(r.dense[0]).toBeCloseTo(0.6 + 0.1 * 14, 14);
    expect(r.maxAbsError).toBeCloseTo(1.4, 14);
  });

  it('threshold 0 skips nothing; a threshold above every probability skips all', () => {
    const probs = randomProbs(3, 2, 2, 6, 1);
    const v = randomMatrix(4, 6, 6);
    const none = sparseWeightedSum(probs, v, { heads: 2, threshold: 0 });
    expect(none.skipped).toBe(0);
    expect(none.workFactor).toBe(1);
    expect(none.maxAbsError).toBe(0);
    expect(Array.from(none.output)).toEqual(Array.from(none.dense));
    const all = sparseWeightedSum(probs, v, { heads: 2, threshold: 1 });
    expect(all.skipped).toBe(2 * 2 * 6);
    expect(all.workFactor).toBe(Infinity);
    expect(all.output.every((x) => x === 0)).toBe(true);
    expect(all.maxAbsError).toBe(Math.max(...Array.from(all.dense, Math.abs)));
  });

  it('both orders match the nested-loop reference and each other (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          heads: fc.integer({ min: 1, max: 3 }),
          m: fc.integer({ min: 1, max: 3 }),
          n: fc.integer({ min: 1, max: 9 }),
          dv: fc.integer({ min: 1, max: 3 }),
          c: fc.integer({ min: 1, max: 5 }),
          spread: fc.double({ min: 0.1, max: 4, noNaN: true }),
          threshold: fc.double({ min: 0, max: 0.6, noNaN: true }),
          bias: fc.boolean(),
        }),
        ({ seed, heads, m, n, dv, c, spread, threshold, bias }) => {
          const probs = randomProbs(seed, heads, m, n, spread);
          // Cached rows R [n, c] and W [c, heads·d_v]; V = R W + b (K and W_KV, or E and W_V).
          const rows = randomMatrix(seed + 1, n, c);
          const w = randomMatrix(seed + 2, c, heads * dv);
          const b = bias ? randomMatrix(seed + 3, 1, heads * dv).data : undefined;
          const v = product(rows, w, b);
          const ref = reference(probs, v, heads, threshold);
          const standard = sparseWeightedSum(probs, v, { heads, threshold });
          const kFirst = sparseKFirstSum(probs, rows, w, { heads, threshold, valueBias: b });
          for (const got of [standard, kFirst]) {
            expect(got.skippedPerHead).toEqual(ref.perHead);
            expect(got.skipped).toBe(ref.perHead.reduce((x, y) => x + y, 0));
            expect(got.total).toBe(heads * m * n);
            expect(got.sparsity).toBe(got.skipped / got.total);
            expect(relativeError(got.output, ref.sparse, ref.dense)).toBeLessThanOrEqual(1e-12);
            expect(relativeError(got.dense, ref.dense)).toBeLessThanOrEqual(1e-12);
            expect(Math.abs(got.maxAbsError - ref.error)).toBeLessThanOrEqual(
              1e-12 * Math.max(1, ...Array.from(ref.dense, Math.abs)),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('self attention: slim option 2 (s·K)·W_KV skips the same rows as standard s·V', async () => {
    const backend = new CpuBackend({ dtype: 'float64' });
    const w = randomWeights(21, { d: 6, heads: 3, headDim: 2 });
    expect(conditionNumber(w.wK)).toBeLessThan(200);
    const n = 12;
    const x = backend.fromArray(randomInputs(22, n, 6), [n, 6]);
    const k = backend.matmul(x, backend.fromArray(w.wK.data, [6, 6]));
    const v = backend.matmul(x, backend.fromArray(w.wV.data, [6, 6]));
    const q = backend.matmul(x, backend.fromArray(w.wQ.data, [6, 6]));
    const probs = backend.attnProbs(q, k, { heads: 3, scale: 1 / Math.sqrt(2), causalOffset: 0 });
    const p = { rows: 3 * n, cols: n, data: await probs.read() };
    const wKV = formWkv(w.wK, w.wV);
    for (const threshold of [0, 0.02, 0.1, 0.3]) {
      const standard = sparseWeightedSum(
        p,
        { rows: n, cols: 6, data: await v.read() },
        {
          heads: 3,
          threshold,
        },
      );
      const slim = sparseKFirstSum(p, { rows: n, cols: 6, data: await k.read() }, wKV, {
        heads: 3,
        threshold,
      });
      expect(slim.skippedPerHead).toEqual(standard.skippedPerHead);
      expect(relativeError(slim.output, standard.output, standard.dense)).toBeLessThanOrEqual(1e-9);
      // The causal mask's zeros are always skipped above threshold 0: n(n−1)/2 per head.
      if (threshold > 0) expect(standard.skipped).toBeGreaterThanOrEqual((3 * n * (n - 1)) / 2);
    }
    backend.dispose();
  });

  it('cross option 2: (s·E)·W_V with b_V skips the same rows as s·(E W_V + b_V)', async () => {
    const backend = new CpuBackend({ dtype: 'float64' });
    const w = randomWeights(31, { d: 4, heads: 2, headDim: 3, biases: true });
    const p = 10;
    const e = backend.fromArray(randomInputs(32, p, 4), [p, 4]);
    const x = backend.fromArray(randomInputs(33, 2, 4), [2, 4]);
    const linear = (a: typeof e, m: typeof w.wK, bias?: Float64Array) =>
      backend.linear(a, backend.fromArray(m.data, [m.rows, m.cols]), {
        bias: bias && backend.fromArray(bias, [bias.length]),
      });
    const probs = backend.attnProbs(linear(x, w.wQ, w.bQ), linear(e, w.wK, w.bK), {
      heads: 2,
      scale: 1 / Math.sqrt(3),
    });
    const pm = { rows: 2 * 2, cols: p, data: await probs.read() };
    const v = { rows: p, cols: 6, data: await linear(e, w.wV, w.bV).read() };
    const eRows = { rows: p, cols: 4, data: await e.read() };
    for (const threshold of [0, 0.05, 0.15]) {
      const standard = sparseWeightedSum(pm, v, { heads: 2, threshold });
      const option2 = sparseKFirstSum(pm, eRows, w.wV, { heads: 2, threshold, valueBias: w.bV });
      expect(option2.skipped).toBe(standard.skipped);
      expect(relativeError(option2.output, standard.output, standard.dense)).toBeLessThanOrEqual(
        1e-9,
      );
      expect(option2.maxAbsError).toBeCloseTo(standard.maxAbsError, 9);
    }
    backend.dispose();
  });

  it('refuses bad thresholds and shapes with specific messages', () => {
    const probs = randomProbs(1, 2, 1, 3, 1);
    const v = randomMatrix(2, 3, 4);
    expect(() => sparseWeightedSum(probs, v, { heads: 2, threshold: 1.5 })).toThrow(
      'sparse attention: the threshold must be a probability in [0, 1], got 1.5',
    );
    expect(() => sparseWeightedSum(probs, v, { heads: 2, threshold: NaN })).toThrow(
      EngineInputError,
    );
    expect(() =>
      sparseWeightedSum(probs, randomMatrix(2, 4, 4), { heads: 2, threshold: 0 }),
    ).toThrow('sparse attention: the values must be 3×cols, got 4×4 with 16 values');
    expect(() => sparseWeightedSum(probs, v, { heads: 3, threshold: 0 })).toThrow(
      'the probabilities have 2 rows, not a multiple of 3 heads',
    );
    expect(() =>
      sparseKFirstSum(probs, randomMatrix(3, 3, 2), randomMatrix(4, 2, 4), {
        heads: 2,
        threshold: 0,
        valueBias: [1, 2],
      }),
    ).toThrow('sparse attention: the value bias must have 4 values, got 2');
  });
});

describe('shared value rows (GQA, paper Appendices D and G)', () => {
  it("the paper's figure: S = 0.8 shared by g = 4 heads leaves S^4 = 0.41", () => {
    expect(sharedRowSparsity(0.8, 4)).toBeCloseTo(0.4096, 15);
    expect(sharedRowSparsity(0.8, 1)).toBe(0.8);
    expect(() => sharedRowSparsity(1.2, 2)).toThrow(/S must be in \[0, 1\]/);
    expect(() => sharedRowSparsity(0.5, 0)).toThrow(/group size g must be a positive integer/);
  });

  it('a row is skipped only when every head of its group skips it', () => {
    // Two heads, one query, four rows: head 0 skips rows 1, 2, 3; head 1 skips rows 0, 2, 3.
    const probs = { rows: 2, cols: 4, data: [0.7, 0.1, 0.1, 0.1, 0.1, 0.7, 0.1, 0.1] };
    const g1 = sharedRowSkips(probs, { heads: 2, threshold: 0.15, group: 1 });
    expect(g1.skipped).toBe(6);
    expect(g1.sparsity).toBe(0.75);
    expect(g1.headSparsity).toBe(0.75);
    const g2 = sharedRowSkips(probs, { heads: 2, threshold: 0.15, group: 2 });
    expect(g2.kvHeads).toBe(1);
    expect(g2.skipped).toBe(2); // rows 2 and 3
    expect(g2.total).toBe(4);
    expect(g2.sparsity).toBe(0.5);
    expect(g2.workFactor).toBe(2);
    expect(g2.independent).toBeCloseTo(0.5625, 15);
    expect(() => sharedRowSkips(probs, { heads: 2, threshold: 0.1, group: 3 })).toThrow(
      /group size g must divide the 2 heads, got 3/,
    );
  });

  it('matches a brute-force count; group 1 counts what sparseWeightedSum skips (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          kv: fc.integer({ min: 1, max: 3 }),
          group: fc.integer({ min: 1, max: 4 }),
          m: fc.integer({ min: 1, max: 3 }),
          n: fc.integer({ min: 1, max: 9 }),
          threshold: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        ({ seed, kv, group, m, n, threshold }) => {
          const heads = kv * group;
          const probs = randomProbs(seed, heads, m, n, 2);
          const r = sharedRowSkips(probs, { heads, threshold, group });
          let want = 0;
          for (let k = 0; k < kv; k++)
            for (let q = 0; q < m; q++)
              for (let j = 0; j < n; j++) {
                const scores = Array.from(
                  { length: group },
                  (_, i) => probs.data[((k * group + i) * m + q) * n + j],
                );
                if (scores.every((s) => s < threshold)) want++;
              }
          expect(r.skipped).toBe(want);
          expect(r.total).toBe(kv * m * n);
          const single = sparseWeightedSum(probs, randomMatrix(seed, n, heads), {
            heads,
            threshold,
          });
          expect(r.headSparsity).toBe(single.sparsity);
          // Sharing can only make skipping rarer.
          expect(r.sparsity).toBeLessThanOrEqual(r.headSparsity + 1e-15);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('one head at a time', () => {
  it("1/(1 − S): the paper's S = 0.8 gives 5x; S = 0 gives 1x; S = 1 skips everything", () => {
    expect(sparsityWorkFactor(0.8)).toBeCloseTo(5, 12);
    expect(sparsityWorkFactor(0)).toBe(1);
    expect(sparsityWorkFactor(1)).toBe(Infinity);
    expect(() => sparsityWorkFactor(-0.1)).toThrow(/S must be in \[0, 1\]/);
  });

  it("a head's rows and columns give that head's part of the all-heads run, in both orders", () => {
    const heads = 3;
    const probs = randomProbs(41, heads, 2, 7, 2);
    const rows = randomMatrix(42, 7, 5);
    const w = randomMatrix(43, 5, heads * 2);
    const b = randomMatrix(44, 1, heads * 2);
    const v = product(rows, w, b.data);
    const all = sparseWeightedSum(probs, v, { heads, threshold: 0.1 });
    for (let h = 0; h < heads; h++) {
      const p = headRows(probs, heads, h);
      expect(p.rows).toBe(2);
      const one = sparseWeightedSum(p, headColumns(v, heads, h), { heads: 1, threshold: 0.1 });
      const slim = sparseKFirstSum(p, rows, headColumns(w, heads, h), {
        heads: 1,
        threshold: 0.1,
        valueBias: headColumns(b, heads, h).data,
      });
      expect(one.skipped).toBe(all.skippedPerHead[h]);
      expect(slim.skipped).toBe(one.skipped);
      for (let q = 0; q < 2; q++)
        for (let c = 0; c < 2; c++) {
          expect(one.output[q * 2 + c]).toBeCloseTo(all.output[q * heads * 2 + h * 2 + c], 14);
          expect(slim.output[q * 2 + c]).toBeCloseTo(one.output[q * 2 + c], 12);
        }
      const scale = Math.max(...Array.from(one.dense, Math.abs));
      expect(one.relativeError).toBeCloseTo(one.maxAbsError / scale, 15);
    }
    expect(() => headRows(probs, heads, 3)).toThrow(/head 3 is outside \[0, 3\)/);
    expect(() => headColumns(randomMatrix(1, 2, 4), heads, 0)).toThrow(
      /4 columns, not a multiple of 3 heads/,
    );
  });
});
