/**
 * Grouped-query attention (paper Appendix G): the engine's GQA layer against a float64
 * nested-loop reference written here (query head i reads key/value head ⌊i/g⌋, causal), the
 * d-wide cache K* = X·W_K* equal to it in float64 and float32, the K-cache refused when
 * W_K is narrower than d and working when e = h_kv·d_k ≥ d, the d-wide cache refused when
 * 2e ≤ d, and cache sizes per token whose ratio is the cost model's compression factor c.
 */
import { describe, expect, it } from 'vitest';
import {
  createGroupedAttention,
  dWideKeyMatrix,
  type GroupedAttentionScheme,
  type GroupedAttentionWeights,
} from '../../engine/attention';
import { CpuBackend, readSync } from '../../engine/cpu';
import { matrix64, type Matrix64 } from '../../engine/linalg';
import { EngineInputError, type DType } from '../../engine/tensor';
import { compressionFactor, kvCacheWidth } from '../../roofline';

/** Deterministic pseudo-random numbers in [-1, 1) (a small LCG, seeded per test). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

function randomMatrix(rows: number, cols: number, next: () => number): Matrix64 {
  const m = matrix64(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = next();
  return m;
}

function weights(
  d: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  seed: number,
): GroupedAttentionWeights {
  const next = lcg(seed);
  return {
    d,
    heads,
    kvHeads,
    headDim,
    wQ: randomMatrix(d, heads * headDim, next),
    wK: randomMatrix(d, kvHeads * headDim, next),
    wV: randomMatrix(d, kvHeads * headDim, next),
    wO: randomMatrix(heads * headDim, d, next),
  };
}

/** Causal GQA in float64 with plain loops, x [n, d] → [n, d]. */
function reference(w: GroupedAttentionWeights, x: number[][]): number[][] {
  const { d, heads, kvHeads, headDim } = w;
  const g = heads / kvHeads;
  const proj = (m: Matrix64) =>
    x.map((row) =>
      Array.from({ length: m.cols }, (_, c) =>
        row.reduce((s, v, k) => s + v * m.data[k * m.cols + c], 0),
      ),
    );
  const q = proj(w.wQ);
  const k = proj(w.wK);
  const v = proj(w.wV);
  return x.map((_, r) => {
    const y = new Array<number>(heads * headDim).fill(0);
    for (let h = 0; h < heads; h++) {
      const j = Math.floor(h / g);
      const scores: number[] = [];
      for (let t = 0; t <= r; t++) {
        let s = 0;
        for (let c = 0; c < headDim; c++) s += q[r][h * headDim + c] * k[t][j * headDim + c];
        scores.push(s / Math.sqrt(headDim));
      }
      const top = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - top));
      const sum = exps.reduce((a, b) => a + b, 0);
      for (let t = 0; t <= r; t++)
        for (let c = 0; c < headDim; c++)
          y[h * headDim + c] += (exps[t] / sum) * v[t][j * headDim + c];
    }
    return Array.from({ length: d }, (_, o) =>
      y.reduce((s, val, c) => s + val * w.wO.data[c * d + o], 0),
    );
  });
}

/** Prefills the first `prompt` rows, decodes the rest one by one; all outputs and cache values. */
function run(
  w: GroupedAttentionWeights,
  scheme: GroupedAttentionScheme,
  x: number[][],
  prompt: number,
  dtype: DType = 'float64',
): { out: number[][]; values: number } {
  const backend = new CpuBackend({ dtype });
  const layer = createGroupedAttention(backend, w, { scheme, label: 'test GQA' });
  const out: number[][] = [];
  const take = (rows: number[][], isPrompt: boolean) => {
    const t = backend.fromArray(rows.flat(), [rows.length, w.d]);
    const y = isPrompt ? layer.prefill(t) : layer.decode(t);
    const data = readSync(y);
    for (let i = 0; i < rows.length; i++)
      out.push(Array.from(data.subarray(i * w.d, (i + 1) * w.d)));
    t.dispose();
    y.dispose();
  };
  take(x.slice(0, prompt), true);
  for (let i = prompt; i < x.length; i++) take([x[i]], false);
  const values = layer.cacheStats().values;
  layer.dispose();
  expect(backend.stats().liveTensors).toBe(0);
  return { out, values };
}

const maxDiff = (a: number[][], b: number[][]) =>
  a.reduce((m, row, i) => row.reduce((mm, v, j) => Math.max(mm, Math.abs(v - b[i][j])), m), 0);
const maxAbs = (a: number[][]) =>
  a.reduce((m, row) => row.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);

function inputs(n: number, d: number, seed: number): number[][] {
  const next = lcg(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, next));
}

// [d, h, h_kv, d_k]: MQA and GQA with d < 2e (the d-wide cache pays), e = d, and e > d.
const SHAPES: [number, number, number, number][] = [
  [4, 2, 1, 3],
  [6, 4, 2, 2],
  [4, 4, 2, 2],
  [8, 8, 2, 3],
  [4, 2, 2, 3],
];

describe('grouped-query attention (paper Appendix G)', () => {
  it.each(SHAPES)(
    'standard and d-wide cache equal the reference: d=%i h=%i h_kv=%i d_k=%i',
    (d, h, hkv, dk) => {
      const w = weights(d, h, hkv, dk, d * 100 + h * 10 + hkv + dk);
      const x = inputs(6, d, 7 + d);
      const ref = reference(w, x);
      const scale = maxAbs(ref);
      const kv = run(w, 'kv', x, 3);
      const wide = run(w, 'd-wide-cache', x, 3);
      expect(maxDiff(kv.out, ref)).toBeLessThan(1e-12 * Math.max(1, scale));
      expect(maxDiff(wide.out, ref)).toBeLessThan(1e-9 * Math.max(1, scale));
      const wide32 = run(w, 'd-wide-cache', x, 3, 'float32');
      expect(maxDiff(wide32.out, ref) / scale).toBeLessThan(1e-4);
      // cache values: 2e per token standard, d per token d-wide; ratio = roofline's c.
      const e = hkv * dk;
      const shape = { d, layers: 1, heads: h, kvHeads: hkv, headDim: dk };
      expect(kv.values).toBe(6 * 2 * e);
      expect(kv.values / 6).toBe(kvCacheWidth(shape));
      expect(wide.values).toBe(6 * d);
      expect(kv.values / wide.values).toBeCloseTo(compressionFactor(shape), 12);
    },
  );

  it('the K-cache works when e = h_kv·d_k ≥ d and equals the reference', () => {
    for (const [d, h, hkv, dk] of [
      [4, 4, 2, 2],
      [4, 2, 2, 3],
    ] as const) {
      const w = weights(d, h, hkv, dk, 99 + dk);
      const x = inputs(5, d, 3);
      const ref = reference(w, x);
      const slim = run(w, 'k-cache', x, 2);
      expect(maxDiff(slim.out, ref)).toBeLessThan(1e-9 * Math.max(1, maxAbs(ref)));
      expect(slim.values).toBe(5 * hkv * dk);
    }
  });

  it('refuses the K-cache when W_K is narrower than d, with formWkv’s message', () => {
    const w = weights(4, 2, 1, 2, 5);
    const backend = new CpuBackend({ dtype: 'float64' });
    const build = () => createGroupedAttention(backend, w, { scheme: 'k-cache', label: 'toy' });
    expect(build).toThrow(EngineInputError);
    expect(build).toThrow(
      'W_K (toy) is 4×2: narrower than its input width, so it cannot be inverted (needs a square or wide projection, paper §3)',
    );
    expect(backend.stats().liveTensors).toBe(0);
  });

  it('refuses the d-wide cache when 2e ≤ d: nothing to save', () => {
    const w = weights(4, 2, 1, 2, 6);
    const backend = new CpuBackend({ dtype: 'float64' });
    expect(() =>
      createGroupedAttention(backend, w, { scheme: 'd-wide-cache', label: 'toy' }),
    ).toThrow(
      /toy: the KV-cache holds d_cache = 2·h_kv·d_k = 4 values per token, not more than d = 4, so a d-wide cache would not be smaller \(c = 4\/4 ≤ 1\)/,
    );
    expect(() => dWideKeyMatrix(weights(8, 2, 1, 2, 1).wK, weights(8, 2, 1, 2, 1).wV)).toThrow(
      /c = 4\/8 ≤ 1/,
    );
  });

  it('W_K* is the first d columns of [W_K | W_V]: the cache keeps K and part of V', () => {
    const w = weights(4, 2, 1, 3, 8);
    const star = dWideKeyMatrix(w.wK, w.wV);
    expect([star.rows, star.cols]).toEqual([4, 4]);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) expect(star.data[i * 4 + j]).toBe(w.wK.data[i * 3 + j]);
      expect(star.data[i * 4 + 3]).toBe(w.wV.data[i * 3]);
    }
  });

  it('rejects a head count that h_kv does not divide, and a wrongly shaped W_K', () => {
    const backend = new CpuBackend({ dtype: 'float64' });
    const w = weights(4, 3, 2, 2, 1);
    expect(() => createGroupedAttention(backend, w, { scheme: 'kv' })).toThrow(
      /heads h = 3 must be a multiple of kvHeads h_kv = 2/,
    );
    const ok = weights(4, 2, 1, 2, 1);
    expect(() =>
      createGroupedAttention(backend, { ...ok, wK: matrix64(4, 4) }, { scheme: 'kv', label: 'L' }),
    ).toThrow('L: W_K must be a 4×2 Matrix64 (d = 4, h = 2, h_kv = 1, d_k = 2), got 4×4');
  });
});
