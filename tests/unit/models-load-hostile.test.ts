import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../engine/io';
import { openModel, readModelSpec } from '../../engine/models';
import {
  configJson,
  tinyCheckpoint,
  TINY_GPT2,
  TINY_GPT_NEO,
  TINY_LLAMA,
  TINY_NEOX,
} from './models-helpers';

const enc = new TextEncoder();
const withConfig = (files: Map<string, Uint8Array>, config: Record<string, unknown>) =>
  new Map(files).set('config.json', enc.encode(JSON.stringify(config)));

describe('the loader refuses what it would silently get wrong', () => {
  it('a config with fewer layers than the weights: the extra tensors are named', async () => {
    const ckpt = tinyCheckpoint('gpt2', { ...TINY_GPT2, layers: 4 });
    const files = withConfig(ckpt.files, { ...ckpt.config, n_layer: 3 });
    await expect(openModel(files)).rejects.toThrow(
      /model\.safetensors: holds 12 tensors config\.json does not account for: "transformer\.h\.3\.attn\.c_attn\.bias", .* and 7 more \(config\.json gives 3 layers of a GPT-2 model\)/,
    );
  });

  it('lets through the buffers Hugging Face checkpoints carry (mask, RoPE inv_freq, a tied head)', async () => {
    const cases = [
      ['gpt2', TINY_GPT2, ['transformer.h.0.attn.bias', 'transformer.h.1.attn.masked_bias']],
      ['gpt-neo', TINY_GPT_NEO, ['transformer.h.2.attn.attention.bias', 'lm_head.weight']],
      ['llama', TINY_LLAMA, ['model.layers.1.self_attn.rotary_emb.inv_freq']],
      ['gpt-neox', TINY_NEOX, ['gpt_neox.layers.0.attention.rotary_emb.inv_freq']],
    ] as const;
    for (const [family, config, buffers] of cases) {
      const ckpt = tinyCheckpoint(family, config);
      const entries = [...ckpt.weights].map(([name, t]) => ({
        name: name === 'lm_head.weight' ? name : familyPrefix(family) + name,
        dtype: 'F32' as const,
        shape: t.shape,
        data: t.data,
      }));
      for (const name of buffers)
        entries.push({ name, dtype: 'F32', shape: [2, 2], data: new Float32Array(4) });
      const files = new Map(ckpt.files).set('model.safetensors', writeSafetensors(entries));
      const opened = await openModel(files);
      expect(opened.spec.family).toBe(family);
    }
  });

  it('tie_word_embeddings "yes" is refused, naming the field', () => {
    const llama = { ...configJson('llama', TINY_LLAMA), tie_word_embeddings: 'yes' };
    expect(() => readModelSpec(JSON.stringify(llama))).toThrow(
      /"tie_word_embeddings" must be true or false, got "yes"/,
    );
    const neo = { ...configJson('gpt-neo', TINY_GPT_NEO), tie_word_embeddings: 1 };
    expect(() => readModelSpec(JSON.stringify(neo))).toThrow(/"tie_word_embeddings"/);
  });

  it('model_type disagreeing with architectures names both', () => {
    const mixed = { ...configJson('llama', TINY_LLAMA), model_type: 'mistral' };
    expect(() => readModelSpec(JSON.stringify(mixed))).toThrow(
      /^config\.json: "architectures" names LlamaForCausalLM \(Llama \(MHA, GQA, MQA\), model_type "llama"\) but "model_type" is "mistral"; the two disagree/,
    );
  });
});

function familyPrefix(family: string): string {
  return (
    { gpt2: 'transformer.', 'gpt-neo': 'transformer.', llama: 'model.' }[family] ?? 'gpt_neox.'
  );
}
