import { describe, expect, it } from 'vitest';
import { CpuBackend, compareSchemes, greedyDecode, maxAbsDiff, schemeModels } from '../../engine';
import { randomGpt2Weights, type Gpt2Config } from '../../engine/models';

const TINY: Gpt2Config = { vocabSize: 41, nPositions: 32, d: 24, heads: 3, layers: 2, lnEps: 1e-5 };
const PROMPT = [3, 14, 15, 9];

/** engine/compare.ts: standard (KV-cache) vs slim (K-cache) greedy decode, paper §1–§2. */
describe('compareSchemes on the CPU backend', () => {
  for (const decodeOrder of ['k-first', 'v-first'] as const) {
    it(`float64, ${decodeOrder}: identical tokens, max |Δ logits| ≤ 1e-9, half the cache`, async () => {
      const be = new CpuBackend({ dtype: 'float64' });
      const steps = 10;
      const progress: string[] = [];
      const r = await compareSchemes(be, TINY, randomGpt2Weights(TINY, 7), {
        prompt: PROMPT,
        steps,
        decodeOrder,
        onStep: (scheme, done) => progress.push(`${scheme}:${done}`),
      });
      expect(r.standard.scheme).toBe('kv');
      expect(r.slim.scheme).toBe('k-cache');
      expect(r.standard.tokens).toHaveLength(steps);
      expect(r.tokensIdentical).toBe(true);
      expect(r.slim.tokens).toEqual(r.standard.tokens);
      // W_KV is exact in float64 up to cond(W_K)·ε ≈ 1e-13; logits are O(1).
      expect(r.maxAbsLogitDiff).toBeLessThan(1e-9);
      expect(r.maxAbsLogitDiff).toBeGreaterThanOrEqual(0);
      // layers · (prompt + steps) tokens · d · 8 bytes, for K and V; slim keeps K only.
      const tokens = PROMPT.length + steps;
      expect(r.standard.kCacheBytes).toBe(TINY.layers * tokens * TINY.d * 8);
      expect(r.standard.vCacheBytes).toBe(r.standard.kCacheBytes);
      expect(r.slim.vCacheBytes).toBe(0);
      expect(r.slim.cacheBytes * 2).toBe(r.standard.cacheBytes);
      // Slim uploads W_KV in place of W_V and folds b_V into b_O (Appendix F): one bias less.
      expect(r.slim.weightBytes).toBe(r.standard.weightBytes - TINY.layers * TINY.d * 8);
      expect(progress[0]).toBe('kv:1');
      expect(progress.at(-1)).toBe(`k-cache:${steps}`);
      expect(be.stats().liveTensors).toBe(0); // both models disposed
    });
  }

  it('float32: tokens identical, max |Δ logits| below 1e-4', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const r = await compareSchemes(be, TINY, randomGpt2Weights(TINY, 8, 'float32'), {
      prompt: PROMPT,
      steps: 8,
    });
    expect(r.tokensIdentical).toBe(true);
    // float32 rounding of W_KV and of every op: ~1e-6 observed on logits of size ~1.
    expect(r.maxAbsLogitDiff).toBeLessThan(1e-4);
    expect(r.maxAbsLogitDiff).toBeGreaterThan(0);
    expect(r.slim.cacheBytes * 2).toBe(r.standard.cacheBytes);
  });

  it('greedyDecode and schemeModels agree with compareSchemes', async () => {
    const be = new CpuBackend({ dtype: 'float64' });
    const w = randomGpt2Weights(TINY, 7);
    const [standard, slim] = schemeModels(be, TINY, w);
    const a = await greedyDecode(standard, PROMPT, 6);
    const b = await greedyDecode(slim, PROMPT, 6);
    const r = await compareSchemes(be, TINY, w, { prompt: PROMPT, steps: 6 });
    expect(a.tokens).toEqual(r.standard.tokens);
    expect(b.tokens).toEqual(r.slim.tokens);
    expect(maxAbsDiff(a.logits, b.logits)).toBeCloseTo(r.maxAbsLogitDiff, 12);
    expect(maxAbsDiff([[1, 2]], [[1.5, 2]])).toBe(0.5);
    expect(maxAbsDiff([[1]], [[1], [2]])).toBe(Infinity);
    standard.dispose();
    slim.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });
});
