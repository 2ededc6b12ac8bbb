import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/cpu';
import { CheckpointFormatError, writeSafetensors } from '../../engine/io';
import { loadModel, ModelLoadError, openModel, readModelSpec } from '../../engine/models';
import { configJson, tinyCheckpoint, TINY_GPT2, TINY_LLAMA, TINY_NEOX } from './models-helpers';

const enc = new TextEncoder();
const withConfig = (files: Map<string, Uint8Array>, config: Record<string, unknown>) =>
  new Map(files).set('config.json', enc.encode(JSON.stringify(config)));

describe('readModelSpec (roofline parser + the engine’s limits)', () => {
  it('reads each family with its runtime numbers', () => {
    const g = readModelSpec(JSON.stringify(configJson('gpt2', TINY_GPT2)));
    expect(g.familyConfig).toEqual({ family: 'gpt2', config: TINY_GPT2 });
    const l = readModelSpec(JSON.stringify(configJson('llama', TINY_LLAMA)));
    expect(l.familyConfig).toEqual({
      family: 'llama',
      config: { ...TINY_LLAMA, attentionBias: false, mlpBias: false },
    });
    const n = readModelSpec(JSON.stringify(configJson('gpt-neox', TINY_NEOX)));
    expect(n.familyConfig).toEqual({
      family: 'gpt-neox',
      config: { ...TINY_NEOX, attentionBias: true },
    });
    expect(n.rope).toBe(true);
    expect(g.rope).toBe(false);
  });

  it('refuses an unsupported architecture, naming config.json', () => {
    const t5 = {
      model_type: 't5',
      architectures: ['T5ForConditionalGeneration'],
      d_model: 512,
      num_layers: 6,
      num_heads: 8,
      d_kv: 64,
      d_ff: 2048,
      vocab_size: 32128,
    };
    expect(() => readModelSpec(JSON.stringify(t5))).toThrow(
      /^config\.json: the architecture T5ForConditionalGeneration is not supported/,
    );
    const mistral = {
      ...configJson('llama', TINY_LLAMA),
      model_type: 'mistral',
      architectures: ['MistralForCausalLM'],
    };
    expect(() => readModelSpec(JSON.stringify(mistral))).toThrow(ModelLoadError);
  });

  it('reads GQA and MQA configs (once refused): kvHeads and the slim scheme they run', () => {
    const gqa = { ...configJson('llama', { ...TINY_LLAMA, heads: 4 }), num_key_value_heads: 2 };
    // d = 16, h_kv·(d_k + d_v) = 2·8 = 16: c = 1, no gain from any d-wide cache.
    expect(readModelSpec(JSON.stringify(gqa))).toMatchObject({ kvHeads: 2, slimScheme: 'x-cache' });
    const mqa = { ...configJson('llama', TINY_LLAMA), num_key_value_heads: 1 };
    expect(readModelSpec(JSON.stringify(mqa)).slimNote).toMatch(
      /^MQA: cache width d_cache = h_kv·\(d_k\+d_v\) = 8 ≤ d = 16 \(c = 0\.5\)/,
    );
  });

  it('names the field of a bad config and a bad slim marker', () => {
    expect(() => readModelSpec('{"model_type": "gpt2"')).toThrow(
      /^config\.json: is not valid JSON/,
    );
    const noLayers = { ...configJson('gpt2', TINY_GPT2), n_layer: undefined };
    expect(() => readModelSpec(JSON.stringify(noLayers))).toThrow(/missing the field "n_layer"/);
    const marker = {
      ...configJson('llama', TINY_LLAMA),
      slim_attention: { format: 'slim-attention/1', layers: ['v-cache', 'k-cache'] },
    };
    expect(() => readModelSpec(JSON.stringify(marker))).toThrow(
      /layer 0 is marked "v-cache", which a RoPE model cannot run/,
    );
  });
});

describe('openModel / loadModel on malformed checkpoints', () => {
  it('a missing config.json', async () => {
    const { files } = tinyCheckpoint('gpt2', TINY_GPT2);
    files.delete('config.json');
    await expect(openModel(files)).rejects.toThrow(/^config\.json: the file is missing/);
  });

  it('a missing tensor is named with its file', async () => {
    const ckpt = tinyCheckpoint('gpt2', TINY_GPT2);
    const entries = [...ckpt.weights]
      .filter(([n]) => n !== 'h.1.mlp.c_fc.bias')
      .map(([name, t]) => ({
        name: `transformer.${name}`,
        dtype: 'F32' as const,
        shape: t.shape,
        data: t.data,
      }));
    const files = new Map(ckpt.files).set('model.safetensors', writeSafetensors(entries));
    await expect(openModel(files)).rejects.toThrow(
      /^model\.safetensors: has no tensor "transformer\.h\.1\.mlp\.c_fc\.bias"/,
    );
  });

  it('a shape that disagrees with config.json names the shard, tensor and both shapes', async () => {
    const ckpt = tinyCheckpoint('llama', TINY_LLAMA, { shards: 2 });
    const files = withConfig(ckpt.files, { ...ckpt.config, intermediate_size: 20 });
    const error = await openModel(files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).file).toMatch(/^model-0000[12]-of-00002\.safetensors$/);
    expect((error as Error).message).toMatch(
      /tensor "model\.layers\.0\.mlp\.\w+_proj\.weight" has shape \[(24, 16|16, 24)\] but config\.json implies \[(20, 16|16, 20)\]/,
    );
  });

  it('a truncated weights file is refused by the safetensors reader, naming it', async () => {
    const ckpt = tinyCheckpoint('gpt-neox', TINY_NEOX);
    const whole = ckpt.files.get('model.safetensors') as Uint8Array;
    const files = new Map(ckpt.files).set('model.safetensors', whole.slice(0, whole.length - 10));
    const be = new CpuBackend({ dtype: 'float32' });
    const error = await loadModel(files, be, { scheme: 'kv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect((error as Error).message).toMatch(/^model\.safetensors: /);
    expect(be.stats().liveTensors).toBe(0);
  });

  it('a token past the vocabulary or the positions is refused by the model', async () => {
    const ckpt = tinyCheckpoint('llama', TINY_LLAMA);
    const model = await loadModel(ckpt.files, new CpuBackend({ dtype: 'float32' }), {
      scheme: 'kv',
    });
    expect(() => model.prefill([43])).toThrow(/Llama: token id 43 is outside \[0, 43\)/);
    expect(() => model.prefill(new Array(257).fill(1))).toThrow(
      /257 tokens exceed the 256 positions/,
    );
    model.dispose();
  });
});
