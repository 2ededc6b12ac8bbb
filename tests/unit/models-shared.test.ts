/**
 * Standard and slim built from one checkpoint read share every weight they have in common
 * (engine/models sharedUploads.ts): one upload of the embeddings, norms and MLPs, and in
 * attention [W_Q | W_K] and W_O (MHA) or W_O (grouped-query); the rest of the attention weights
 * each model's own, and the shared tensors freed with the last model.
 */
import { greedy } from '../shared/greedy';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine';
import { readModel } from '../../engine/models';
import {
  TINY_GPT2,
  TINY_LLAMA,
  TINY_QWEN2,
  tinyCheckpoint,
  type AnyConfig,
  type TinyFamily,
} from './models-helpers';

const PROMPT = [3, 1, 4, 1, 5];

describe('models built from one read share their common weights', () => {
  for (const [family, config] of [
    ['gpt2', TINY_GPT2],
    ['llama', TINY_LLAMA],
  ] as [TinyFamily, typeof TINY_GPT2][]) {
    it(`${family}: standard + slim hold less than two separate models, and run alone`, async () => {
      const host = await readModel(tinyCheckpoint(family, config, { seed: 5 }).files);
      const backend = new CpuBackend({ dtype: 'float32' });
      const base = backend.stats().liveBytes;
      const standard = host.build(backend, { scheme: 'kv' });
      const slim = host.build(backend, { scheme: 'k-cache' });
      const both = backend.stats().liveBytes - base;
      // Each model counts every weight it uses, shared or not.
      expect(standard.weightBytes).toBeGreaterThan(0);
      expect(slim.weightBytes).toBeGreaterThan(0);
      // Only the attention weights differ: the pair holds far less than two copies.
      expect(both).toBeLessThan(standard.weightBytes + slim.weightBytes);
      const separate = new CpuBackend({ dtype: 'float32' });
      const alone = host.build(separate, { scheme: 'kv' });
      expect(alone.weightBytes).toBe(standard.weightBytes);
      const reference = (await greedy(alone, PROMPT, 12)).tokens;
      // Disposing one model leaves the other's shared weights alive and correct.
      standard.dispose();
      expect((await greedy(slim, PROMPT, 12)).tokens).toEqual(reference);
      slim.dispose();
      expect(backend.stats().liveBytes).toBe(base);
      alone.dispose();
    });
  }
});

describe('standard and slim share the attention weights every scheme has alike', () => {
  // Per family, the parameters (canonical names) whose values only one of the pair uploads as
  // they are: everything else is shared, the attention's included.
  const own: [TinyFamily, AnyConfig, (name: string, shape: number[]) => number][] = [
    // W_V's third of c_attn and its bias, and attn.c_proj.bias (slim folds b_V into b_O).
    ['gpt2', TINY_GPT2, (n, [r, c]) => (/attn\.c_attn\.weight$/.test(n) ? (r * c) / 3 : 0)],
    ['llama', TINY_LLAMA, (n, [r, c]) => (/v_proj\.weight$/.test(n) ? r * c : 0)],
    // Grouped-query: only W_O is alike (slim's input product is [W_Q | W_K*]).
    ['qwen2', TINY_QWEN2, (n, s) => (/[qkv]_proj\./.test(n) ? s.reduce((a, b) => a * b, 1) : 0)],
  ];
  for (const [family, config, ownValues] of own) {
    it(`${family}: the pair holds both models' weights less the shared ones, exactly`, async () => {
      const host = await readModel(tinyCheckpoint(family, config, { seed: 5 }).files);
      const backend = new CpuBackend({ dtype: 'float32' });
      const standard = host.build(backend, { scheme: 'kv' });
      const slim = host.build(backend, { scheme: 'k-cache' });
      let all = 0;
      let notShared = 0;
      for (const [name, shape] of host.spec.shapes) {
        all += shape.reduce((a, b) => a * b, 1);
        notShared += ownValues(name, shape);
      }
      if (family === 'gpt2') {
        const { d, layers } = TINY_GPT2;
        notShared += layers * (d + d); // the V bias and attn.c_proj.bias
      }
      expect(backend.stats().liveBytes).toBe(
        standard.weightBytes + slim.weightBytes - 4 * (all - notShared),
      );
      standard.dispose();
      slim.dispose();
      expect(backend.stats().liveBytes).toBe(0);
    });
  }
});
