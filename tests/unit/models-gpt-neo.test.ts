import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/cpu';
import { loadModel, readModelSpec } from '../../engine/models';
import {
  parseHfConfig,
  slidingWindowNote,
  standardCacheValues,
  slimCacheValues,
} from '../../roofline';
import {
  configJson,
  referenceLogits,
  tinyCheckpoint,
  TINY_GPT_NEO,
  writeModelDir,
} from './models-helpers';
import { runJson } from './cli-helpers';

const PROMPT = [3, 1, 4, 1, 5, 9];
const { d, window } = TINY_GPT_NEO;

describe('GPT-Neo: local layers keep a window-bounded cache', () => {
  it('after 26 tokens a local layer holds window − 1 rows, a global one all 26 (standard and slim)', async () => {
    const ckpt = tinyCheckpoint('gpt-neo', TINY_GPT_NEO, { seed: 5 });
    const be = new CpuBackend({ dtype: 'float32' });
    for (const scheme of ['kv', 'k-cache'] as const) {
      const model = await loadModel(ckpt.files, be, { scheme, decodeOrder: 'k-first' });
      model.prefill(PROMPT).dispose();
      for (let s = 0; s < 20; s++) model.decode(s % 7).dispose();
      expect(model.length).toBe(26);
      // Layers local, global, local: rows (w − 1) + 26 + (w − 1), d values each, 4 bytes.
      const rows = 2 * (window - 1) + 26;
      const c = model.cacheBytes();
      expect(c.kCache).toBe(rows * d * 4);
      expect(c.vCache).toBe(scheme === 'kv' ? rows * d * 4 : 0);
      // Reserved rows: the global layer's grew to 32, a local layer's stays at the initial 16.
      expect(c.allocated).toBe((scheme === 'kv' ? 2 : 1) * (32 + 2 * 16) * d * 4);
      model.dispose();
    }
    expect(be.stats().liveTensors).toBe(0);
  });

  it('a long prompt’s storage is given back: the local layers keep 16 rows reserved', async () => {
    const ckpt = tinyCheckpoint('gpt-neo', TINY_GPT_NEO, { seed: 5 });
    const be = new CpuBackend({ dtype: 'float32' });
    const model = await loadModel(ckpt.files, be, { scheme: 'kv' });
    model.prefill(Array.from({ length: 40 }, (_, i) => i % 30)).dispose();
    // The global layer reserves 64 rows for 40 tokens; each local one is back at 16.
    expect(model.cacheBytes().allocated).toBe(2 * (64 + 2 * 16) * d * 4);
    model.dispose();
  });

  it('a prompt longer than the window, fed in two prefills, matches the float64 reference', async () => {
    const ckpt = tinyCheckpoint('gpt-neo', TINY_GPT_NEO, { seed: 9 });
    const be = new CpuBackend({ dtype: 'float64' });
    const ids = [...PROMPT, 2, 7, 11, 13];
    const want = referenceLogits('gpt-neo', TINY_GPT_NEO, ckpt.weights, ids).at(-1)!;
    const scale = Math.max(...want.map(Math.abs));
    // Standard; slim K-cache (option 1); the V-cache in the local layers (no RoPE: allowed).
    for (const options of [
      { scheme: 'kv' as const },
      { scheme: 'k-cache' as const, decodeOrder: 'v-first' as const },
      { scheme: 'k-cache' as const, directions: ['v-cache', 'k-cache', 'v-cache'] as const },
    ]) {
      const model = await loadModel(ckpt.files, be, options);
      model.prefill(ids.slice(0, 3)).dispose();
      const out = model.prefill(ids.slice(3)); // 7 tokens after 3 cached: the window binds
      const got = await out.read();
      out.dispose();
      want.forEach((w, j) => expect(Math.abs(got[j] - w)).toBeLessThanOrEqual(1e-9 * scale));
      model.dispose();
    }
  });
});

describe('GPT-Neo config.json', () => {
  it('the cost model counts min(n, window) rows for the local layers', () => {
    const parsed = parseHfConfig(JSON.stringify(configJson('gpt-neo', TINY_GPT_NEO)));
    expect(parsed.family).toBe('gpt-neo');
    const m = parsed.model;
    expect(m.localAttention).toEqual({ window, layers: 2 });
    // 2d values per row (K and V); 1 global layer at n = 100, 2 local layers at the window.
    expect(standardCacheValues(m, 100)).toBe(2 * d * (100 + 2 * window));
    expect(slimCacheValues(m, 100)).toBe(d * (100 + 2 * window));
    expect(standardCacheValues(m, 3)).toBe(2 * d * 3 * 3);
    expect(slidingWindowNote(m)).toMatch(/^2 of 3 layers attend to a sliding window of 4 tokens/);
  });

  it('reads EleutherAI/gpt-neo-125M’s config: 12 layers alternating, window 256, tied', () => {
    const spec = readModelSpec(
      JSON.stringify({
        architectures: ['GPTNeoForCausalLM'],
        model_type: 'gpt_neo',
        vocab_size: 50257,
        max_position_embeddings: 2048,
        hidden_size: 768,
        num_layers: 12,
        num_heads: 12,
        intermediate_size: null,
        attention_types: [[['global', 'local'], 6]],
        window_size: 256,
        activation_function: 'gelu_new',
        layer_norm_epsilon: 1e-5,
      }),
    );
    expect(spec.familyConfig).toEqual({
      family: 'gpt-neo',
      config: {
        vocabSize: 50257,
        maxPositions: 2048,
        d: 768,
        heads: 12,
        layers: 12,
        ffnDim: 3072,
        normEps: 1e-5,
        attentionLayers: Array.from({ length: 12 }, (_, i) => (i % 2 ? 'local' : 'global')),
        window: 256,
        tiedEmbeddings: true,
      },
    });
    expect(spec.rope).toBe(false);
    expect(spec.notes).toEqual([]);
  });

  it('refuses attention_types that do not give one type per layer, naming the field', () => {
    const bad = (types: unknown) =>
      JSON.stringify({ ...configJson('gpt-neo', TINY_GPT_NEO), attention_types: types });
    expect(() => readModelSpec(bad([[['global', 'local'], 2]]))).toThrow(
      /"attention_types" expands to 4 layers, but "num_layers" is 3/,
    );
    expect(() => readModelSpec(bad([[['global', 'sparse'], 1]]))).toThrow(
      /"attention_types" has the type "sparse"/,
    );
    expect(() => readModelSpec(bad('global'))).toThrow(/"attention_types" must be a list/);
  });
});

describe('slim run on a GPT-Neo checkpoint', () => {
  it('--mode standard and --mode slim give the same tokens', async () => {
    const dir = writeModelDir(tinyCheckpoint('gpt-neo', TINY_GPT_NEO, { seed: 3 }).files);
    const run = async (mode: string) => {
      return runJson('--model', dir, '--tokens', '3,1,4,1,5,9', '--steps', '12', '--mode', mode);
    };
    const standard = await run('standard');
    expect(standard.generated).toHaveLength(12);
    expect((await run('slim')).generated).toEqual(standard.generated);
  });
});
