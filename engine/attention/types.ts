/**
 * Public types of the attention layers (paper §1–§4, Appendices C, E, F). A layer is written once against
 * `Backend`, so the same code runs on the CPU reference and on WebGL.
 */
import type { CacheScheme, DecodeOrder } from '../../roofline';
import type { RopePairing } from '../backend';
import type { Matrix64 } from '../linalg/matrix';
import type { Tensor } from '../tensor';

/**
 * Host float64 weights of one multi-head attention layer, in the x·W convention of paper §1:
 * Q = X W_Q + b_Q. e = heads·headDim; e = d for square MHA, e > d for non-square (paper §3).
 */
export interface AttentionWeights {
  /** Model width d. */
  d: number;
  /** Number of heads h. */
  heads: number;
  /** Head width d_k (= d_v). */
  headDim: number;
  /** d × e */
  wQ: Matrix64;
  /** d × e */
  wK: Matrix64;
  /** d × e */
  wV: Matrix64;
  /** e × d */
  wO: Matrix64;
  /** Length e. */
  bQ?: Float64Array;
  /** Length e. */
  bK?: Float64Array;
  /** Length e. */
  bV?: Float64Array;
  /** Length d. */
  bO?: Float64Array;
}

/** Rotary position embedding of Q and K (paper Appendix E). */
export interface RopeConfig {
  pairing: RopePairing;
  /** θ base, 10000 for most models. */
  base: number;
  /** Leading dims of each head that rotate; defaults to headDim. */
  rotaryDim?: number;
}

/** Options shared by all variants. */
interface CommonAttentionConfig {
  rope?: RopeConfig;
  /** Names the layer in error messages, e.g. 'layer 3'. */
  label?: string;
  /**
   * Largest condition number of W_K (slim) or W_V (v-only) still inverted; default linalg's
   * MAX_CONDITION. Above it the layer is refused as numerically singular (paper Appendix A).
   */
  maxCondition?: number;
}

export type AttentionConfig = CommonAttentionConfig &
  (
    | /** KV-cache (the baseline). */ { scheme: 'kv' }
    | /**
       * K-cache only, V = K W_KV (paper §1–§2). decodeOrder 'v-first' computes V = K W_KV then
       * the weighted sum (paper §2 option 1); 'k-first' computes (softmax·K) W_KV (option 2).
       * With RoPE, ropeCache says whether the cache holds raw K (rotated on every read) or
       * rotated K (un-rotated before K W_KV); Appendix E. Non-square (e > d) uses the right
       * inverse, W_KV is e×e (paper §3); both orders work.
       */ {
        scheme: 'k-cache';
        decodeOrder: DecodeOrder;
        ropeCache?: 'raw' | 'rotated';
      }
    | /** V-cache only, K = V W_VK (Appendix C). No RoPE. */ { scheme: 'v-cache' }
    | /** X-cache: cache the d-wide inputs (paper §3). No RoPE. */ { scheme: 'x-cache' }
  );

/** The cache schemes an attention layer implements: a subset of roofline's CacheScheme. */
export type AttentionScheme = Extract<CacheScheme, 'kv' | 'k-cache' | 'v-cache' | 'x-cache'>;

export interface CacheStats {
  /** Values held in the filled rows of all caches. */
  values: number;
  /** Bytes of those values at the backend's dtype. */
  bytes: number;
  /** Bytes reserved by the caches (capacity grows by doubling). */
  allocatedBytes: number;
  caches: { name: string; rows: number; cols: number; values: number; bytes: number }[];
}

export interface AttentionLayer {
  readonly config: AttentionConfig;
  /** x [p, d] → [p, d], causal over the tokens cached so far plus these; appends p rows. */
  prefill(x: Tensor): Tensor;
  /** x [1, d] → [1, d]; appends one row. */
  decode(x: Tensor): Tensor;
  /** Tokens cached so far (n). */
  readonly length: number;
  cacheStats(): CacheStats;
  /** Empties the caches (keeps their storage). */
  reset(): void;
  /** Releases the uploaded weights and the caches. */
  dispose(): void;
}
