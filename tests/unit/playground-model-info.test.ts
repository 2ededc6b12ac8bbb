/**
 * The Playground's model summary says what a learner needs before generating: the key/value
 * heads of a grouped-query model, why no slim scheme helps one whose X-cache is larger (paper
 * Appendix G), and that a sliding window bounds a GPT-Neo model's local layers' caches.
 */
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../engine/models';
import { modelInfo } from '../../playground/modelInfo';
import { configJson, gqaConfigJson, TINY_GPT2, TINY_GPT_NEO, TINY_GQA } from './models-helpers';

const info = (json: Record<string, unknown>) =>
  modelInfo(readModelSpec(JSON.stringify(json)), {
    name: 'm',
    tokenizer: undefined,
    fromCache: false,
  });

describe('the Playground model summary', () => {
  it('a Llama-3-8B-like grouped-query model: its X-cache and why no slim scheme helps', () => {
    const i = info(gqaConfigJson(TINY_GQA['gqa-x-cache']));
    expect(i.kvHeads).toBe(2);
    expect(i.heads).toBe(8);
    expect(i.slimScheme).toBe('x-cache');
    expect(i.notes.join(' ')).toMatch(/2x the KV-cache, with the same tokens\.$/);
  });

  it('a Gemma-2-like grouped-query model runs the d-wide cache, with no such note', () => {
    const i = info(gqaConfigJson(TINY_GQA['gqa-d-wide']));
    expect(i.slimScheme).toBe('d-wide-cache');
    expect(i.notes).toEqual([]);
  });

  it('GPT-Neo: the local layers’ window bounds their cache', () => {
    const i = info(configJson('gpt-neo', TINY_GPT_NEO));
    expect(i.notes).toEqual([
      expect.stringMatching(/^2 of 3 layers attend to a sliding window of 4 tokens/),
    ]);
  });

  it('GPT-2: MHA, the K-cache, no notes; parameters counted from the tensors', () => {
    const i = info(configJson('gpt2', TINY_GPT2));
    expect([i.kvHeads, i.slimScheme, i.notes]).toEqual([TINY_GPT2.heads, 'k-cache', []]);
    const d = TINY_GPT2.d;
    const perLayer =
      2 * d + 3 * d * d + 3 * d + d * d + d + 2 * d + 4 * d * d + 4 * d + 4 * d * d + d;
    expect(i.parameters).toBe(
      TINY_GPT2.vocabSize * d + TINY_GPT2.nPositions * d + TINY_GPT2.layers * perLayer + 2 * d,
    );
  });
});
