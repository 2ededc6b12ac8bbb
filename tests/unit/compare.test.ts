import { describe, expect, it } from 'vitest';
import {
  CpuBackend,
  compareSchemes,
  gpt2Builder,
  greedyDecode,
  maxAbsDiff,
  schemeModels,
} from '../../engine';
import {
  LlamaModel,
  randomGpt2Weights,
  readModel,
  type Gpt2Config,
  type HostWeights,
} from '../../engine/models';
import { tinyCheckpoint, tinyWeights, TINY_LLAMA, TINY_NEOX } from './models-helpers';

const TINY: Gpt2Config = { vocabSize: 41, nPositions: 32, d: 24, heads: 3, layers: 2, lnEps: 1e-5 };
const PROMPT = [3, 14, 15, 9];

/** engine/compare.ts: standard (KV-cache) vs slim (K-cache) greedy decode, paper §1–§2. */
describe('compareSchemes on the CPU backend', () => {
  for (const decodeOrder of ['k-first', 'v-first'] as const) {
    it(`float64, ${decodeOrder}: identical tokens, max |Δ logits| ≤ 1e-9, half the cache`, async () => {
      const be = new CpuBackend({ dtype: 'float64' });
      const steps = 10;
      const progress: string[] = [];
      const r = await compareSchemes(be, gpt2Builder(TINY, randomGpt2Weights(TINY, 7)), {
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
    const r = await compareSchemes(be, gpt2Builder(TINY, randomGpt2Weights(TINY, 8, 'float32')), {
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
    const source = gpt2Builder(TINY, randomGpt2Weights(TINY, 7));
    const [standard, slim] = schemeModels(be, source);
    const a = await greedyDecode(standard, PROMPT, 6);
    const b = await greedyDecode(slim, PROMPT, 6);
    const r = await compareSchemes(be, source, { prompt: PROMPT, steps: 6 });
    expect(a.tokens).toEqual(r.standard.tokens);
    expect(b.tokens).toEqual(r.slim.tokens);
    expect(maxAbsDiff(a.logits, b.logits)).toBeCloseTo(r.maxAbsLogitDiff, 12);
    expect(maxAbsDiff([[1, 2]], [[1.5, 2]])).toBe(0.5);
    expect(maxAbsDiff([[1]], [[1], [2]])).toBe(Infinity);
    standard.dispose();
    slim.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });

  it('runs any family: a Llama and a GPT-NeoX checkpoint read once by readModel', async () => {
    const be = new CpuBackend({ dtype: 'float64' });
    for (const [family, config] of [
      ['llama', TINY_LLAMA],
      ['gpt-neox', TINY_NEOX],
    ] as const) {
      const host = await readModel(tinyCheckpoint(family, config, { seed: 13 }).files);
      const r = await compareSchemes(be, host, { prompt: PROMPT, steps: 12 });
      expect(r.tokensIdentical, family).toBe(true);
      expect(r.firstDivergence).toBeNull();
      // float64 throughout: W_KV exact up to cond(W_K)·ε; RoPE commutes with it (Appendix E).
      expect(r.maxAbsLogitDiff).toBeLessThan(1e-9 * r.maxAbsLogit);
      expect(r.maxAbsLogit).toBeGreaterThan(0.5);
      expect(r.slim.cacheBytes * 2).toBe(r.standard.cacheBytes);
      // The same weights, built per scheme: the standard run equals a model built directly.
      const direct = host.build(be, { scheme: 'kv' });
      const run = await greedyDecode(direct, PROMPT, 12);
      expect(run.tokens).toEqual(r.standard.tokens);
      direct.dispose();
    }
    expect(be.stats().liveTensors).toBe(0);
  });

  it('takes a builder with per-layer directions, and reports the first divergence', async () => {
    const be = new CpuBackend({ dtype: 'float64' });
    const host = await readModel(tinyCheckpoint('gpt2', { ...TINY, nPositions: 64 }).files);
    const [standard, mixed] = schemeModels(be, host, {
      decodeOrder: 'v-first',
      directions: ['v-cache', 'k-cache'],
    });
    expect(mixed.cacheBytes().total).toBe(0);
    const a = await greedyDecode(standard, PROMPT, 5);
    const b = await greedyDecode(mixed, PROMPT, 5);
    expect(b.tokens).toEqual(a.tokens);
    expect(mixed.cacheBytes().vCache).toBe(mixed.cacheBytes().kCache); // one layer each way
    standard.dispose();
    mixed.dispose();
    // A builder whose slim model differs from the standard one (another seed's weights):
    // the comparison says where the tokens first part.
    const w: Record<string, HostWeights> = {
      kv: tinyWeights('llama', TINY_LLAMA, 1),
      'k-cache': tinyWeights('llama', TINY_LLAMA, 2),
    };
    const r = await compareSchemes(
      be,
      (backend, options) => new LlamaModel(backend, TINY_LLAMA, w[options.scheme], options),
      { prompt: PROMPT, steps: 10 },
    );
    const first = r.standard.tokens.findIndex((t, i) => t !== r.slim.tokens[i]);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(r.firstDivergence).toBe(first);
    expect(r.tokensIdentical).toBe(false);
    expect(be.stats().liveTensors).toBe(0);
  });
});
