/**
 * GPT-Neo's own config.json fields (transformers' GPTNeoConfig): `attention_types`, pairs of a
 * layer pattern and a repeat count such as [[["global", "local"], 12]], expanded to one type
 * per layer as transformers expands it, and `window_size`, the sliding window of the local
 * layers (a query sees the last window_size positions, itself included).
 */
import { HfConfigError, positiveInt, type Json } from './hfFields';

export type GptNeoAttentionType = 'global' | 'local';

/** transformers' defaults: 24 layers alternating global and local, a 256-token window. */
const DEFAULT_TYPES = [[['global', 'local'], 12]];
const DEFAULT_WINDOW = 256;

export interface GptNeoFields {
  /** Per layer: 'global' (causal over every position) or 'local' (the window). */
  attentionLayers: GptNeoAttentionType[];
  window: number;
}

/** Reads attention_types (expanded, it must give `layers` types) and window_size. */
export function gptNeoFields(config: Json, layers: number): GptNeoFields {
  const types = config['attention_types'] ?? DEFAULT_TYPES;
  const bad = (why: string) =>
    new HfConfigError(
      `config.json field "attention_types" ${why}; it lists [[layer types, repeat count], …] ` +
        `such as [[["global", "local"], 12]], got ${JSON.stringify(types)}.`,
      'attention_types',
    );
  if (!Array.isArray(types)) throw bad('must be a list');
  const attentionLayers: GptNeoAttentionType[] = [];
  for (const item of types) {
    if (!Array.isArray(item) || item.length !== 2) throw bad('must hold pairs');
    const [pattern, count] = item as unknown[];
    if (!Array.isArray(pattern) || pattern.length === 0)
      throw bad('must give each pair a non-empty list of types');
    if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > layers)
      throw bad('must give each pair a repeat count from 1 to num_layers');
    for (const t of pattern)
      if (t !== 'global' && t !== 'local') throw bad(`has the type ${JSON.stringify(t)}`);
    for (let i = 0; i < (count as number); i++)
      attentionLayers.push(...(pattern as GptNeoAttentionType[]));
    if (attentionLayers.length > layers) break;
  }
  if (attentionLayers.length !== layers)
    throw new HfConfigError(
      `config.json field "attention_types" expands to ${attentionLayers.length} layers, but ` +
        `"num_layers" is ${layers}.`,
      'attention_types',
    );
  const window =
    config['window_size'] === undefined || config['window_size'] === null
      ? DEFAULT_WINDOW
      : positiveInt(config, 'window_size');
  return { attentionLayers, window };
}
