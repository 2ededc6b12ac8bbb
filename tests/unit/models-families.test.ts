import { describe, expect, it } from 'vitest';
import { greedy } from '../shared/greedy';
import { CpuBackend } from '../../engine/cpu';
import { loadModel, openModel } from '../../engine/models';
import {
  referenceLogits,
  tinyCheckpoint,
  TINY_GPT2,
  TINY_GPT_NEO,
  TINY_LLAMA,
  TINY_NEOX,
  type AnyConfig,
  type TinyFamily,
} from './models-helpers';

const FAMILIES: [TinyFamily, AnyConfig][] = [
  ['gpt2', TINY_GPT2],
  ['gpt-neo', TINY_GPT_NEO],
  ['llama', TINY_LLAMA],
  ['gpt-neox', TINY_NEOX],
];

const PROMPT = [3, 1, 4, 1, 5, 9];

const maxAbs = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
};

describe.each(FAMILIES)('%s checkpoint', (family, config) => {
  it('loads, and its logits match an independent float64 forward pass', async () => {
    const ckpt = tinyCheckpoint(family, config, { shards: family === 'llama' ? 3 : 1 });
    const be = new CpuBackend({ dtype: 'float32' });
    const model = await loadModel(ckpt.files, be, { scheme: 'kv' });
    expect(model.spec.family).toBe(family);
    const run = await greedy(model, PROMPT, 6);
    const ids = [...PROMPT, ...run.tokens];
    const ref = referenceLogits(family, config, ckpt.weights, ids);
    let worst = 0;
    let scale = 0;
    run.logits.forEach((row, s) => {
      const want = ref[PROMPT.length - 1 + s];
      expect(row.length).toBe(config.vocabSize);
      for (let j = 0; j < row.length; j++) worst = Math.max(worst, Math.abs(row[j] - want[j]));
      scale = Math.max(scale, maxAbs(want));
      // Greedy picks the reference's largest logit.
      expect(run.tokens[s]).toBe(want.indexOf(Math.max(...want)));
    });
    expect(scale).toBeGreaterThan(0.5); // weights large enough that the check means something
    expect(worst).toBeLessThanOrEqual(1e-4 * scale);
    model.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });

  it('standard and slim give identical greedy tokens for 200 steps', async () => {
    const ckpt = tinyCheckpoint(family, config, { seed: 13 });
    const be = new CpuBackend({ dtype: 'float32' });
    const standard = await loadModel(ckpt.files, be, { scheme: 'kv' });
    const slim = await loadModel(ckpt.files, be, { scheme: 'k-cache', decodeOrder: 'k-first' });
    const a = await greedy(standard, PROMPT, 200);
    const b = await greedy(slim, PROMPT, 200);
    expect(b.tokens).toEqual(a.tokens);
    // Not a repeated token: the comparison covers varied contexts.
    expect(new Set(a.tokens).size).toBeGreaterThanOrEqual(3);
    let delta = 0;
    let scale = 0;
    a.logits.forEach((row, s) => {
      scale = Math.max(scale, maxAbs(row));
      for (let j = 0; j < row.length; j++)
        delta = Math.max(delta, Math.abs(row[j] - b.logits[s][j]));
    });
    expect(delta).toBeLessThanOrEqual(1e-4 * scale);
    // Half the cache: K only.
    const sb = standard.cacheBytes();
    const lb = slim.cacheBytes();
    expect(lb.vCache).toBe(0);
    expect(lb.total * 2).toBe(sb.total);
    standard.dispose();
    slim.dispose();
  }, 60_000);
});

describe('checkpoint variants', () => {
  it('GPT-2 loads with and without the transformer. prefix, identically', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const withPrefix = tinyCheckpoint('gpt2', TINY_GPT2, { prefix: true });
    const without = tinyCheckpoint('gpt2', TINY_GPT2, { prefix: false });
    const opened = await openModel(withPrefix.files);
    expect(opened.stored('h.0.attn.c_attn.weight')).toBe('transformer.h.0.attn.c_attn.weight');
    const a = await greedy(await loadModel(opened, be, { scheme: 'kv' }), PROMPT, 5);
    const b = await greedy(await loadModel(without.files, be, { scheme: 'kv' }), PROMPT, 5);
    expect(b.tokens).toEqual(a.tokens);
    expect(Array.from(b.logits[4])).toEqual(Array.from(a.logits[4]));
  });

  it('GPT-2 with a V-cache layer (per-layer direction) matches standard', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const ckpt = tinyCheckpoint('gpt2', TINY_GPT2, { seed: 3 });
    const standard = await loadModel(ckpt.files, be, { scheme: 'kv' });
    const mixed = await loadModel(ckpt.files, be, {
      scheme: 'k-cache',
      decodeOrder: 'v-first',
      directions: ['v-cache', 'k-cache'],
    });
    const a = await greedy(standard, PROMPT, 50);
    const b = await greedy(mixed, PROMPT, 50);
    expect(b.tokens).toEqual(a.tokens);
    const c = mixed.cacheBytes();
    expect(c.vCache).toBeGreaterThan(0);
    expect(c.kCache).toBe(c.vCache);
  });

  it('Llama with a tied head and F16 weights matches the reference of the rounded weights', async () => {
    const config = { ...TINY_LLAMA, tiedEmbeddings: true };
    const ckpt = tinyCheckpoint('llama', config, { dtype: 'F16', seed: 5 });
    const be = new CpuBackend({ dtype: 'float32' });
    const opened = await openModel(ckpt.files);
    // The reference reads the same F16-rounded values the engine does.
    const weights = new Map(ckpt.weights);
    for (const name of weights.keys())
      weights.set(name, {
        shape: weights.get(name)!.shape,
        data: await opened.checkpoint.readFloat64(`model.${name}`),
      });
    const model = await loadModel(opened, be, { scheme: 'k-cache' });
    const run = await greedy(model, PROMPT, 3);
    const ref = referenceLogits('llama', config, weights, [...PROMPT, ...run.tokens]);
    const want = ref[PROMPT.length - 1 + 2];
    const got = run.logits[2];
    let worst = 0;
    for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]));
    expect(worst).toBeLessThanOrEqual(1e-4 * maxAbs(want));
  });

  it('GPT-NeoX with the sequential residual matches the reference', async () => {
    const config = { ...TINY_NEOX, parallelResidual: false };
    const ckpt = tinyCheckpoint('gpt-neox', config, { seed: 9 });
    const be = new CpuBackend({ dtype: 'float32' });
    const model = await loadModel(ckpt.files, be, { scheme: 'k-cache', decodeOrder: 'v-first' });
    const run = await greedy(model, PROMPT, 2);
    const want = referenceLogits('gpt-neox', config, ckpt.weights, [...PROMPT, run.tokens[0]])[
      PROMPT.length
    ];
    let worst = 0;
    for (let j = 0; j < want.length; j++)
      worst = Math.max(worst, Math.abs(run.logits[1][j] - want[j]));
    expect(worst).toBeLessThanOrEqual(1e-4 * maxAbs(want));
  });
});
