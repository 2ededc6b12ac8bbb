/**
 * Standard and slim built from one checkpoint read share every weight they have in common
 * (engine/models sharedUploads.ts): one upload of the embeddings, norms and MLPs, the attention
 * weights each model's own, and the shared tensors freed with the last model.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine';
import { readModel, type LoadedModel } from '../../engine/models';
import { TINY_GPT2, TINY_LLAMA, tinyCheckpoint, type TinyFamily } from './models-helpers';

const PROMPT = [3, 1, 4, 1, 5];

async function greedy(m: LoadedModel, steps: number) {
  const tokens: number[] = [];
  let out = m.prefill(PROMPT);
  for (let s = 0; s < steps; s++) {
    const next = await m.argmax(out);
    out.dispose();
    tokens.push(next);
    out = m.decode(next);
  }
  out.dispose();
  return tokens;
}

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
      const reference = await greedy(alone, 12);
      // Disposing one model leaves the other's shared weights alive and correct.
      standard.dispose();
      expect(await greedy(slim, 12)).toEqual(reference);
      slim.dispose();
      expect(backend.stats().liveBytes).toBe(base);
      alone.dispose();
    });
  }
});
