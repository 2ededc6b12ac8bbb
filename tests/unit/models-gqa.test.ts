/**
 * Grouped-query and multi-query Llama checkpoints and Qwen2 (paper Appendix G) on the CPU: the
 * tiny checkpoints of tests/shared/tinyModels.ts (d-wide cache where c > 1, X-cache where
 * c ≤ 1, MQA, Qwen2's q/k/v biases) against the independent float64 forward, standard and slim
 * giving the same tokens for 200 greedy steps, and cache bytes equal to the cost model's.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/cpu';
import { compareSchemes } from '../../engine/compare';
import { ModelLoadError, readModel, readModelSpec, type LoadedModel } from '../../engine/models';
import { standardCacheValues, xCacheValues } from '../../roofline';
import {
  gqaCheckpoint,
  gqaConfigJson,
  referenceGqaLogits,
  TINY_GQA,
  type TinyGqaName,
} from './models-helpers';

const PROMPT = [3, 1, 4, 1, 5, 9];
const NAMES = Object.keys(TINY_GQA) as TinyGqaName[];
const SCHEMES: Record<TinyGqaName, string> = {
  'gqa-d-wide': 'd-wide-cache',
  'gqa-x-cache': 'x-cache',
  mqa: 'x-cache',
  qwen2: 'x-cache',
};

const maxAbs = (xs: ArrayLike<number>) =>
  Array.from(xs).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const gap = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Every position's logits of `ids`, fed one token at a time after the first (the cache path). */
async function stepLogits(model: LoadedModel, ids: readonly number[]): Promise<number[][]> {
  const rows: number[][] = [];
  for (const [i, id] of ids.entries()) {
    const out = i === 0 ? model.prefill([id]) : model.decode(id);
    rows.push(Array.from(await out.read()));
    out.dispose();
  }
  return rows;
}

describe('grouped-query Llama and Qwen2 checkpoints (paper Appendix G)', () => {
  it.each(NAMES)('%s: the loader picks the cost model’s slim scheme', (name) => {
    const spec = readModelSpec(JSON.stringify(gqaConfigJson(TINY_GQA[name])));
    expect(spec.family).toBe(name === 'qwen2' ? 'qwen2' : 'llama');
    expect(spec.kvHeads).toBe(TINY_GQA[name].kvHeads);
    expect(spec.slimScheme).toBe(SCHEMES[name]);
    if (SCHEMES[name] === 'x-cache') {
      expect(spec.slimNote).toMatch(/slim attention gives no gain \(paper Appendices C, D, G\)/);
      expect(spec.slimNote).toMatch(/runs the X-cache anyway/);
    } else {
      expect(spec.slimNote).toBeUndefined();
    }
  });

  it('says by how much the X-cache is larger: Llama-3-8B-like 2x, Qwen2-like 1x', () => {
    const llama3 = readModelSpec(JSON.stringify(gqaConfigJson(TINY_GQA['gqa-x-cache'])));
    expect(llama3.slimNote).toMatch(/c = 0\.5\).* 2x the KV-cache, with the same tokens\.$/);
    const qwen = readModelSpec(JSON.stringify(gqaConfigJson(TINY_GQA.qwen2)));
    expect(qwen.slimNote).toMatch(/ 1x the KV-cache/);
  });

  it('refuses Qwen2 sliding-window attention with the reason', () => {
    const json = { ...gqaConfigJson(TINY_GQA.qwen2), use_sliding_window: true };
    expect(() => readModelSpec(JSON.stringify(json))).toThrow(ModelLoadError);
    expect(() => readModelSpec(JSON.stringify(json))).toThrow(
      /use_sliding_window is true; Qwen2 sliding-window attention is not supported/,
    );
  });

  it.each(NAMES)(
    '%s: prefill and every cached step match the float64 forward, standard and slim',
    async (name) => {
      const c = TINY_GQA[name];
      const ckpt = gqaCheckpoint(c, { seed: 11 });
      const host = await readModel(ckpt.files);
      const ids = [...PROMPT, 7, 2, 8];
      const want = referenceGqaLogits(c, ckpt.weights, ids);
      const scale = Math.max(...want.map(maxAbs));
      expect(scale).toBeGreaterThan(0.5); // weights large enough to mean something
      for (const dtype of ['float64', 'float32'] as const) {
        const be = new CpuBackend({ dtype });
        for (const scheme of ['kv', 'k-cache'] as const) {
          const model = host.build(be, { scheme });
          // Prefill of the whole prompt: its last row.
          const out = model.prefill(ids);
          const last = await out.read();
          out.dispose();
          const tol = dtype === 'float64' ? 1e-9 : 1e-4;
          expect(gap(last, want.at(-1)!), `${dtype} ${scheme} prefill`).toBeLessThanOrEqual(
            tol * scale,
          );
          model.reset();
          const rows = await stepLogits(model, ids);
          rows.forEach((row, i) =>
            expect(gap(row, want[i]), `${dtype} ${scheme} step ${i}`).toBeLessThanOrEqual(
              tol * scale,
            ),
          );
          model.dispose();
        }
        expect(be.stats().liveTensors).toBe(0);
      }
    },
  );

  it.each(NAMES)(
    '%s: standard and slim give the same tokens for 200 greedy steps (float32 CPU)',
    async (name) => {
      const c = TINY_GQA[name];
      const host = await readModel(gqaCheckpoint(c, { seed: 13 }).files);
      const be = new CpuBackend({ dtype: 'float32' });
      const r = await compareSchemes(be, host, { prompt: PROMPT, steps: 200 });
      expect(r.tokensIdentical, `first divergence at ${r.firstDivergence}`).toBe(true);
      expect(new Set(r.standard.tokens).size).toBeGreaterThanOrEqual(3);
      expect(r.maxAbsLogitDiff).toBeLessThanOrEqual(1e-4 * r.maxAbsLogit);
      // 6 prompt + 200 decoded tokens in the caches: the cost model's bytes at float32.
      const shape = host.spec.parsed.model;
      expect(r.standard.cacheBytes).toBe(4 * standardCacheValues(shape, 206));
      expect(r.slim.cacheBytes).toBe(4 * xCacheValues(shape, 206));
      const ratio = r.standard.cacheBytes / r.slim.cacheBytes;
      expect(ratio).toBeCloseTo(
        { 'gqa-d-wide': 8 / 7, 'gqa-x-cache': 0.5, mqa: 0.5, qwen2: 1 }[name],
        12,
      );
      expect(be.stats().liveTensors).toBe(0);
    },
  );

  it('the caches hold the cost model’s bytes at every length, named by what they keep', async () => {
    const c = TINY_GQA['gqa-d-wide'];
    const host = await readModel(gqaCheckpoint(c).files);
    const be = new CpuBackend({ dtype: 'float32' });
    const shape = host.spec.parsed.model;
    const standard = host.build(be, { scheme: 'kv' });
    const slim = host.build(be, { scheme: 'k-cache' });
    for (const model of [standard, slim]) model.prefill(PROMPT).dispose();
    for (let n = PROMPT.length; n < PROMPT.length + 5; n++) {
      expect(standard.cacheBytes()).toMatchObject({
        total: 4 * standardCacheValues(shape, n),
        kCache: 2 * standardCacheValues(shape, n),
        vCache: 2 * standardCacheValues(shape, n),
      });
      // The d-wide cache K* (d values per token), counted on the K side.
      expect(slim.cacheBytes()).toMatchObject({ total: 4 * xCacheValues(shape, n), vCache: 0 });
      for (const model of [standard, slim]) model.decode(n % c.vocabSize).dispose();
    }
    standard.dispose();
    slim.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });
});
