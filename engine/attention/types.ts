/**
 * Public types of the attention layers (paper §1–§4, Appendices C, E, F). A layer is written once against
 * `Backend`, so the same code runs on the CPU reference and on WebGL.
 */
import type { CacheScheme, DecodeOrder } from '../../roofline';
import type { RopePairing, RowNorm } from '../backend';
import type { Matrix64 } from '../linalg/matrix';
import type { Tensor } from '../tensor';
import type { ECache } from './eCache';

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

/**
 * Tensors shared by name between the layers of models built from one checkpoint on one backend
 * (engine/models SharedUploads, each layer's names prefixed by the model): standard and slim
 * upload W_O and [W_Q | W_K] once. `values` is read only when the name is not held yet; the
 * tensor is freed with its last holder's release.
 */
export interface SharedWeights {
  acquire(name: string, shape: number[], values: () => ArrayLike<number>): { tensor: Tensor };
  release(tensor: Tensor): void;
}

/** Options shared by all variants. */
interface CommonAttentionConfig {
  rope?: RopeConfig;
  /** Multiplies the scores q·kᵀ; 1/√d_k when absent (paper §1). GPT-Neo uses 1: no scale. */
  scoreScale?: number;
  /**
   * A sliding window (GPT-Neo's local layers): a query sees the last `window` positions, itself
   * included. The caches keep only the rows the next query can see (at most `window`), so
   * their bytes stop growing at the window. Not with RoPE or the X-cache.
   */
  window?: number;
  /** Names the layer in error messages, e.g. 'layer 3'. */
  label?: string;
  /**
   * Largest condition number of W_K (slim) or W_V (v-only) still inverted; default linalg's
   * MAX_CONDITION. Above it the layer is refused as numerically singular (paper Appendix A).
   */
  maxCondition?: number;
  /**
   * Where the weights every scheme uploads alike (W_O, [W_Q | W_K]) are shared with the same
   * layer of another model of the same checkpoint (engine/models builds both on one store).
   */
  shared?: SharedWeights;
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

/**
 * What a decoder block fuses into its attention step: the pre-attention norm of x (the
 * prologue of the Q/K/V product) and the residual add (the epilogue of the output
 * projection), so the step computes residual + attention(norm(x)).
 */
export interface AttentionStepOptions {
  /** The block's LayerNorm or RMSNorm of x; the layer attends over norm(x) (and caches it). */
  norm?: RowNorm;
  /** [p, d] added to the output: the residual stream, usually x itself. */
  residual?: Tensor;
}

export interface AttentionLayer {
  readonly config: AttentionConfig;
  /**
   * x [p, d] → [p, d], causal over the tokens cached so far plus these; appends p rows. With
   * options: residual + attention(norm(x)).
   */
  prefill(x: Tensor, options?: AttentionStepOptions): Tensor;
  /** x [1, d] → [1, d]; appends one row. Options as prefill. */
  decode(x: Tensor, options?: AttentionStepOptions): Tensor;
  /** Tokens cached so far (n). */
  readonly length: number;
  cacheStats(): CacheStats;
  /** Empties the caches (keeps their storage). */
  reset(): void;
  /** Releases the uploaded weights and the caches. */
  dispose(): void;
}

/**
 * The cross-attention cache schemes of an encoder–decoder (paper §4): 'kv' caches the cross K
 * and V of every layer (baseline), 'k-cache' only the cross K with V = K W_KV (option 1),
 * 'e-cache' only the encoder output E, once for all layers (option 2).
 */
export type CrossAttentionScheme = Extract<CacheScheme, 'kv' | 'k-cache' | 'e-cache'>;

/**
 * Options of one cross-attention layer. decodeOrder (default 'v-first') picks how option 1
 * and option 2 form the output: 'v-first' forms V (K W_KV, or E W_V) and then the weighted
 * sum; 'k-first' forms the weighted sum of the cached rows first, (s·K) W_KV or (s·E) W_V.
 * Cross attention has no RoPE (paper §4 table: option 2 cannot use it) and no causal mask.
 */
export type CrossAttentionConfig = {
  /** Names the layer in error messages, e.g. 'decoder layer 2 cross'. */
  label?: string;
  /** Largest cond(W_K) still inverted for option 1 (as AttentionConfig.maxCondition). */
  maxCondition?: number;
} & (
  | { scheme: 'kv' }
  | { scheme: 'k-cache'; decodeOrder?: DecodeOrder }
  | {
      scheme: 'e-cache';
      /** The E-cache shared by every cross-attention layer of the decoder. */
      eCache: ECache;
      decodeOrder?: DecodeOrder;
    }
);

export interface CrossAttentionLayer {
  readonly config: CrossAttentionConfig;
  /**
   * The cross phase: E [p, d] is the encoder output. 'kv' caches E W_K + b_K and E W_V + b_V,
   * 'k-cache' caches E W_K + b_K, 'e-cache' stores E in the shared E-cache unless it already
   * holds this tensor (so l layers given the same E store it once). Replaces any earlier E.
   */
  setEncoderOutput(e: Tensor): void;
  /** x [m, d] (decoder tokens, any m ≥ 1) → [m, d], attending to all p encoder rows. */
  attend(x: Tensor): Tensor;
  /** Encoder rows p attended to (0 before setEncoderOutput). */
  readonly encoderLength: number;
  /** This layer's own caches; an 'e-cache' layer owns none (the E-cache reports its own). */
  cacheStats(): CacheStats;
  /** Forgets the encoder output (keeps the storage); the shared E-cache is left alone. */
  reset(): void;
  /** Releases the uploaded weights and the layer's caches (not the shared E-cache). */
  dispose(): void;
}
