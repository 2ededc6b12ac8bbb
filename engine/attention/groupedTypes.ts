/** The weights and options of a grouped-query attention layer (grouped.ts, groupedLayer.ts). */
import type { CacheScheme } from '../../roofline';
import type { Matrix64 } from '../linalg';
import type { RopeConfig } from './types';

/** Host float64 weights of one grouped-query attention layer (x·W convention of paper §1). */
export interface GroupedAttentionWeights {
  /** Model width d. */
  d: number;
  /** Query heads h. */
  heads: number;
  /** Key/value heads h_kv (divides h; h_kv = h is MHA, 1 is MQA). */
  kvHeads: number;
  /** Head width d_k (= d_v). */
  headDim: number;
  /** d × h·d_k */
  wQ: Matrix64;
  /** d × h_kv·d_k */
  wK: Matrix64;
  /** d × h_kv·d_k */
  wV: Matrix64;
  /** h·d_k × d */
  wO: Matrix64;
  /** Length h·d_k. */
  bQ?: Float64Array;
  /** Length h_kv·d_k (Qwen2's k_proj bias). */
  bK?: Float64Array;
  /** Length h_kv·d_k. */
  bV?: Float64Array;
  /** Length d. */
  bO?: Float64Array;
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
}
