/**
 * Attention layers beyond equivalence: typed errors for bad weights and inputs, cache sizes and
 * growth, chunked prefill, and that a decode loop inside scope() leaves no live tensors.
 */
import { describe, expect, it } from 'vitest';
import { RowCache, createAttention, type AttentionConfig } from '../../engine/attention';
import { CpuBackend } from '../../engine/cpu';
import { SingularMatrixError, matrix64 } from '../../engine/linalg';
import { EngineInputError } from '../../engine/tensor';
import {
  gaussian,
  randomInputs,
  randomWeights,
  relativeError,
  rng,
  runLayer,
} from './attention-fixtures';

const slim1: AttentionConfig = { scheme: 'k-cache', decodeOrder: 'v-first' };

describe('bad weights and inputs', () => {
  const b = new CpuBackend({ dtype: 'float64' });

  it('an exactly singular W_K gives SingularMatrixError naming the layer, cond ∞', () => {
    const w = randomWeights(1, { d: 4, heads: 2, headDim: 2 });
    for (let r = 0; r < 4; r++) w.wK.data[r * 4 + 3] = w.wK.data[r * 4 + 1]; // two equal columns
    const err = captureError(() => createAttention(b, w, { ...slim1, label: 'layer 3' }));
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect((err as SingularMatrixError).conditionNumber).toBe(Infinity);
    expect(err.message).toMatch(/layer 3, W_K/);
    expect(err.message).toMatch(/condition number ∞/);
    // X-cache needs no inverse, so the same weights still work there and match standard.
    expect(() => createAttention(b, w, { scheme: 'x-cache' }).dispose()).not.toThrow();
  });

  it('a numerically singular W_K reports its condition number; maxCondition is honoured', () => {
    const w = randomWeights(2, { d: 4, heads: 1, headDim: 4 });
    for (let r = 0; r < 4; r++) w.wK.data[r * 4 + 3] = w.wK.data[r * 4] * (1 + 1e-15 * r) + 1e-15;
    const err = captureError(() =>
      createAttention(b, w, { scheme: 'k-cache', decodeOrder: 'k-first', label: 'layer 7' }),
    );
    expect(err).toBeInstanceOf(SingularMatrixError);
    const cond = (err as SingularMatrixError).conditionNumber;
    expect(cond).toBeGreaterThan(1e12);
    expect(err.message).toContain('layer 7, W_K');
    expect(err.message).toContain(cond.toExponential(2));
    // A well-conditioned matrix refused under a tight threshold, and V-only names W_V.
    const ok = randomWeights(3, { d: 4, heads: 2, headDim: 2 });
    expect(() => createAttention(b, ok, { ...slim1, maxCondition: 1.0001 })).toThrow(
      SingularMatrixError,
    );
    ok.wV = matrix64(4, 4);
    expect(() => createAttention(b, ok, { scheme: 'v-cache', label: 'L0' })).toThrow(/L0, W_V/);
  });

  it('rejects wrong shapes, NaN/∞ weights, bad options and RoPE where it cannot work', () => {
    const w = randomWeights(4, { d: 4, heads: 2, headDim: 2, biases: true });
    const rope = { pairing: 'half' as const, base: 10000 };
    expect(() => createAttention(b, { ...w, wO: matrix64(4, 3) }, slim1)).toThrow(
      /W_O must be a 4×4 Matrix64/,
    );
    expect(() => createAttention(b, { ...w, bK: new Float64Array(3) }, slim1)).toThrow(
      /b_K must be a Float64Array of length 4/,
    );
    const nan = { ...w, wQ: matrix64(4, 4, w.wQ.data) };
    nan.wQ.data[6] = NaN;
    expect(() => createAttention(b, nan, slim1)).toThrow(/W_Q contains NaN at row 1, column 2/);
    const inf = { ...w, bO: Float64Array.from([0, Infinity, 0, 0]) };
    expect(() => createAttention(b, inf, { scheme: 'kv' })).toThrow(/b_O contains Infinity/);
    expect(() => createAttention(b, w, { scheme: 'v-cache', rope, label: 'L2' })).toThrow(
      /L2: the V-cache-only variant cannot use RoPE/,
    );
    expect(() => createAttention(b, w, { scheme: 'x-cache', rope })).toThrow(
      /X-cache variant cannot use RoPE/,
    );
    expect(() => createAttention(b, w, { ...slim1, rope: { ...rope, rotaryDim: 3 } })).toThrow(
      /bad RoPE config/,
    );
    expect(() =>
      createAttention(b, w, { scheme: 'k-cache', decodeOrder: 'both' as 'k-first' }),
    ).toThrow(/decodeOrder must be 'v-first' or 'k-first'/);
    expect(() => createAttention(b, w, { scheme: 'mla' } as unknown as AttentionConfig)).toThrow(
      /unknown attention cache scheme 'mla'/,
    );
    // e < d: W_K (d×e) has no right inverse, so slim is impossible (paper §3 needs e ≥ d).
    const narrow = randomWeights(5, { d: 6, heads: 2, headDim: 2 });
    expect(() => createAttention(b, narrow, slim1)).toThrow(EngineInputError);

    const layer = createAttention(b, w, slim1);
    expect(() => layer.prefill(b.zeros([2, 5]))).toThrow(
      /prefill: x must be \[p ≥ 1, 4\], got \[2, 5\]/,
    );
    expect(() => layer.decode(b.zeros([2, 4]))).toThrow(/decode: x must be \[1, 4\]/);
    expect(() => b.fromArray([1, NaN, 0, 0], [1, 4])).toThrow(/NaN at row 0, column 1/);
    expect(layer.length).toBe(0);
    layer.dispose();
    expect(() => layer.decode(b.zeros([1, 4]))).toThrow(/the layer is disposed/);
  });

  it('a step that fails midway (float32 overflow) rolls the caches back', () => {
    const b32 = new CpuBackend({ dtype: 'float32' });
    const w = randomWeights(12, { d: 4, heads: 2, headDim: 2 });
    const layer = createAttention(b32, w, { scheme: 'kv' });
    layer.prefill(b32.fromArray(randomInputs(13, 3, 4), [3, 4])).dispose();
    // Finite input whose projections overflow float32 (|x| ~ 1e38 times weights ~ 1).
    expect(() => layer.decode(b32.fromArray([3e38, -3e38, 3e38, 3e38], [1, 4]))).toThrow(
      /too large for float32/,
    );
    expect(layer.length).toBe(3);
    expect(layer.cacheStats().caches.map((c) => c.rows)).toEqual([3, 3]);
    layer.decode(b32.fromArray([0.1, 0.2, 0.3, 0.4], [1, 4])).dispose(); // still usable
    expect(layer.length).toBe(4);
    layer.dispose();
    expect(b32.stats().liveTensors).toBe(3); // the test's three inputs; nothing of the failed step
  });
});

describe('caches', () => {
  it('RowCache appends in order, grows by doubling, reports values and bytes', async () => {
    const b = new CpuBackend({ dtype: 'float32' });
    const cache = new RowCache(b, 'K', 3, 4);
    expect(() => cache.view()).toThrow(/K cache is empty/);
    const rows: number[] = [];
    const capacities: number[] = [];
    for (let t = 0; t < 10; t++) {
      const row = [t, t + 0.5, -t];
      rows.push(...row);
      cache.append(b.fromArray(row, [1, 3]));
      capacities.push(cache.capacity);
    }
    expect(capacities).toEqual([4, 4, 4, 4, 8, 8, 8, 8, 16, 16]);
    expect(Array.from(await cache.view().read())).toEqual(rows);
    expect(cache.stats()).toEqual({ name: 'K', rows: 10, cols: 3, values: 30, bytes: 120 });
    expect(cache.allocatedBytes).toBe(16 * 3 * 4);
    cache.append(b.fromArray(new Array(21).fill(1), [7, 3])); // several rows at once: 17 → 32
    expect([cache.rows, cache.capacity]).toEqual([17, 32]);
    expect(() => cache.append(b.zeros([1, 2]))).toThrow(/rows must have 3 columns/);
    cache.reset();
    expect([cache.rows, cache.capacity]).toEqual([0, 32]);
    cache.dispose();
    expect(cache.capacity).toBe(0);
  });

  it('cacheStats: slim K-cache is exactly half the KV-cache; X-cache is n·d', () => {
    const b = new CpuBackend({ dtype: 'float32' });
    const w = randomWeights(6, { d: 6, heads: 2, headDim: 4 }); // e = 8 > d = 6
    const x = b.fromArray(randomInputs(7, 5, 6), [5, 6]);
    const stats = (config: AttentionConfig) => {
      const layer = createAttention(b, w, config);
      layer.prefill(x).dispose();
      const s = layer.cacheStats();
      layer.dispose();
      return s;
    };
    const standard = stats({ scheme: 'kv' });
    expect(standard.values).toBe(2 * 5 * 8);
    expect(standard.bytes).toBe(4 * standard.values);
    expect(standard.caches.map((c) => c.name)).toEqual(['K', 'V']);
    expect(stats(slim1).values).toBe(standard.values / 2);
    expect(stats({ scheme: 'k-cache', decodeOrder: 'k-first' }).caches).toEqual([
      { name: 'K', rows: 5, cols: 8, values: 40, bytes: 160 },
    ]);
    expect(stats({ scheme: 'v-cache' }).values).toBe(standard.values / 2);
    const xc = stats({ scheme: 'x-cache' });
    expect(xc.values).toBe(5 * 6);
    expect(xc.allocatedBytes).toBe(16 * 6 * 4); // default initial capacity 16 rows
    x.dispose();
    expect(b.stats().liveTensors).toBe(0);
  });
});

describe('sequences and lifetime', () => {
  it('chunked prefill, reset and re-run give the same outputs as one pass', async () => {
    const b = new CpuBackend({ dtype: 'float64' });
    const rope = { pairing: 'interleaved' as const, base: 100 };
    const w = randomWeights(8, { d: 8, heads: 2, headDim: 4, biases: true });
    const x = randomInputs(9, 6, 8);
    const config: AttentionConfig = {
      scheme: 'k-cache',
      decodeOrder: 'k-first',
      ropeCache: 'rotated',
      rope,
    };
    const whole = await runLayer(b, w, { scheme: 'kv', rope }, x, 6);
    const layer = createAttention(b, w, config);
    for (let pass = 0; pass < 2; pass++) {
      const chunks = [b.fromArray(x.subarray(0, 16), [2, 8]), b.fromArray(x.subarray(16), [4, 8])];
      const out = new Float64Array(48);
      out.set(await layer.prefill(chunks[0]).read(), 0);
      out.set(await layer.prefill(chunks[1]).read(), 16);
      expect(relativeError(out, whole.output)).toBeLessThan(1e-12);
      expect(layer.length).toBe(6);
      layer.reset();
      expect(layer.length).toBe(0);
    }
    layer.dispose();
  });

  it('a decode loop inside scope() leaves the live tensor count unchanged (cache growth included)', () => {
    const b = new CpuBackend({ dtype: 'float32' });
    const normal = gaussian(rng(10));
    const w = randomWeights(11, { d: 8, heads: 2, headDim: 4, biases: true });
    const rope = { pairing: 'half' as const, base: 10000, rotaryDim: 2 };
    const configs: AttentionConfig[] = [
      { scheme: 'kv', rope },
      { scheme: 'k-cache', decodeOrder: 'v-first', rope },
      { scheme: 'k-cache', decodeOrder: 'k-first', ropeCache: 'rotated', rope },
      { scheme: 'v-cache' },
      { scheme: 'x-cache' },
    ];
    for (const config of configs) {
      const layer = createAttention(b, w, config);
      b.scope(() => {
        layer.prefill(b.fromArray(Array.from({ length: 16 }, normal), [2, 8]));
      });
      const before = b.stats().liveTensors;
      b.scope(() => {
        // 40 steps: the caches grow from 16 to 32 to 64 rows inside this scope.
        for (let t = 0; t < 40; t++)
          layer.decode(b.fromArray(Array.from({ length: 8 }, normal), [1, 8]));
      });
      expect(b.stats().liveTensors, config.scheme).toBe(before);
      expect(layer.length).toBe(42);
      layer.dispose();
      expect(b.stats()).toEqual({ liveTensors: 0, liveBytes: 0 });
    }
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
