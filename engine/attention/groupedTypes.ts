/** The weights and options of a grouped-query attention layer (grouped.ts, groupedLayer.ts). */
import type { CacheScheme } from '../../roofline';
import type { AttentionWeights, RopeConfig, SharedWeights } from './types';

/**
 * Host float64 weights of one grouped-query attention layer (x·W convention of paper §1): the
 * MHA fields, with W_Q d × h·d_k, W_K and W_V d × h_kv·d_k, W_O h·d_k × d; b_K and b_V of length
 * h_kv·d_k (Qwen2's k_proj and v_proj biases).
 */
export interface GroupedAttentionWeights extends AttentionWeights {
  /** Key/value heads h_kv (divides h; h_kv = h is MHA, 1 is MQA). */
  kvHeads: number;
}

/** The caches the grouped layer implements: a subset of roofline's CacheScheme. */
export type GroupedCacheScheme = Extract<
  CacheScheme,
  'kv' | 'k-cache' | 'd-wide-cache' | 'x-cache'
>;

/** The three schemes the Appendix G lesson compares on its toys. */
export type GroupedAttentionScheme = Exclude<GroupedCacheScheme, 'x-cache'>;

export interface GroupedAttentionConfig {
  scheme: GroupedCacheScheme;
  /** Rotary embedding of Q and K (paper Appendix E); K is rotated after it is rebuilt. */
  rope?: RopeConfig;
  /** Names the layer in error messages, e.g. 'layer 3'. */
  label?: string;
  /** Largest condition number of W_K (k-cache) or W_K* (d-wide cache) still inverted. */
  maxCondition?: number;
  /** Where W_O and b_O (alike in every scheme) are shared with another model's layer. */
  shared?: SharedWeights;
}
