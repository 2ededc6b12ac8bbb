import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHfConfig } from '../../roofline';

/**
 * Parameter estimates of pasted configs against the counts the model publishers state
 * (review finding 4). The estimate leaves out biases and extra norms, so 1% is the tolerance.
 */
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/configs/${name}.json`, import.meta.url), 'utf8');

const withFields = (name: string, fields: Record<string, unknown>) =>
  JSON.stringify({ ...(JSON.parse(fixture(name)) as Record<string, unknown>), ...fields });

function expectWithin(actual: number, published: number, relative: number) {
  expect(Math.abs(actual - published) / published).toBeLessThan(relative);
}

describe('pasted-config parameter estimate', () => {
  it('Mixtral-8x7B: 8 experts per FFN plus the router give the published 46.7B', () => {
    const { model } = parseHfConfig(fixture('mixtral'));
    expect(model).toMatchObject({ d: 4096, layers: 32, heads: 32, kvHeads: 8, attention: 'GQA' });
    // Mistral AI's announcement: 46.7B total parameters (12.9B active per token).
    expectWithin(model.params, 46.7e9, 0.01);
    // Independent count per layer: attention 2·d·(h + h_kv)·d_k, 8 experts × 3·d·ffn, router
    // d·8, two norms; plus untied embedding and LM head and the final norm.
    const d = 4096;
    const perLayer = 2 * d * (32 + 8) * 128 + 8 * 3 * d * 14336 + d * 8 + 2 * d;
    expect(model.params).toBe(32 * perLayer + 2 * 32000 * d + d);
    // Without the experts field the same shape is a dense 7.2B model: 8 FFNs make the difference.
    const dense = parseHfConfig(withFields('mixtral', { num_local_experts: null })).model;
    expect(model.params - dense.params).toBe(32 * (7 * 3 * d * 14336 + d * 8));
  });

  it('Gemma-2-9B without tie_word_embeddings is tied (transformers default): 9.24B', () => {
    const { model } = parseHfConfig(fixture('gemma2'));
    expect(model).toMatchObject({ d: 3584, headDim: 256, kvHeads: 8 });
    // Published size on the model card: 9.24B parameters.
    expectWithin(model.params, 9.24e9, 0.01);
    // An explicit false adds the separate LM head (vocab × d), and wins over the default.
    const untied = parseHfConfig(withFields('gemma2', { tie_word_embeddings: false })).model;
    expect(untied.params - model.params).toBe(256000 * 3584);
  });

  it('the tie default is per family: Gemma/Cohere tie, Llama/Mistral/Qwen2 do not', () => {
    const shape = (modelType: string) =>
      parseHfConfig(withFields('gemma2', { model_type: modelType })).model.params;
    const lmHead = 256000 * 3584;
    for (const tied of ['gemma', 'gemma2', 'gemma3_text', 'cohere'])
      expect(shape(tied), tied).toBe(shape('gemma2'));
    for (const untied of ['llama', 'mistral', 'qwen2'])
      expect(shape(untied), untied).toBe(shape('gemma2') + lmHead);
  });

  it('an explicit tie_word_embeddings: true ties a Llama config', () => {
    const tied = parseHfConfig(withFields('llama-gqa', { tie_word_embeddings: true })).model;
    const untied = parseHfConfig(fixture('llama-gqa')).model;
    expect(untied.params - tied.params).toBe(128256 * 4096);
  });
});
