/**
 * Grouped-query attention (GQA; MQA when h_kv = 1) and what slim attention can do for it (paper
 * Appendix G). h query heads share h_kv key/value heads: query head i reads key/value head
 * ⌊i / g⌋, g = h / h_kv, in place (backend.attention's kvHeads option: no head is copied).
 * K = X·W_K + b_K and V = X·W_V + b_V are e = h_kv·d_k wide, so the standard cache holds
 * d_cache = 2e values per token. The cache schemes:
 *
 * - 'kv': the standard GQA KV-cache (2e values per token), K rotated when the layer has RoPE.
 * - 'k-cache': V = K·W_KV as for MHA (paper §1). Needs e ≥ d: a d×e W_K with e < d has rank at
 *   most e, so K cannot give back the d-wide X; formWkv refuses with its message. A toy of the
 *   lesson: no RoPE, no biases.
 * - 'd-wide-cache': cache K* = X·W_K* with a square, invertible d×d W_K* (d values per token,
 *   no bias); every step rebuilds [K | V] = K*·W_K*⁻¹·[W_K | W_V] + [b_K | b_V] and rotates K at
 *   every cached position. W_K* is the first d columns of [W_K | W_V]: the cache keeps K itself
 *   (when e < d) plus the first d − e columns of V, so the rebuild matrix starts with an exact
 *   identity and only the rest of V is recomputed. It pays off only when d < 2e, i.e.
 *   c = 2e/d > 1; otherwise the layer is refused (nothing to save).
 * - 'x-cache': cache the layer's (normalised) input X, d values per token, and rebuild
 *   [K | V] = X·[W_K | W_V] + [b_K | b_V] each step, K then rotated. Needs no inverse; where
 *   c ≤ 1 it is larger than the KV-cache (1/c times), which is what it shows.
 */
import { compressionFactor } from '../../roofline';
import type { Backend } from '../backend';
import { checkRopeConfig } from '../checks';
import type { Matrix64 } from '../linalg';
import { EngineInputError, assertFinite, type Tensor } from '../tensor';
import { GroupedAttention, groupedSchemeParts, type GroupedDims } from './groupedLayer';

export { dWideKeyMatrix } from './groupedLayer';
import type { GroupedAttentionConfig, GroupedAttentionWeights } from './groupedTypes';
import type { AttentionStepOptions, CacheStats } from './types';

export type {
  GroupedAttentionConfig,
  GroupedAttentionScheme,
  GroupedAttentionWeights,
  GroupedCacheScheme,
} from './groupedTypes';

export interface GroupedAttentionLayer {
  readonly config: GroupedAttentionConfig;
  /**
   * x [p, d] → [p, d], causal over the tokens cached so far plus these; appends p rows. With
   * options: residual + attention(norm(x)), as AttentionLayer.
   */
  prefill(x: Tensor, options?: AttentionStepOptions): Tensor;
  /** x [1, d] → [1, d]; appends one row. */
  decode(x: Tensor, options?: AttentionStepOptions): Tensor;
  /** Tokens cached so far (n). */
  readonly length: number;
  cacheStats(): CacheStats;
  /** Empties the caches (keeps their storage). */
  reset(): void;
  dispose(): void;
}

/** The shape numbers roofline's cost model takes, for one layer. */
export interface GroupedShape {
  d: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Which cache slim attention runs for a grouped-query shape (paper Appendix G): the d-wide cache
 * where the cost model's compression factor c = h_kv(d_k + d_v)/d exceeds 1 (it is c times
 * smaller), else the X-cache (no slim scheme is smaller there; it runs to show by how much it is
 * larger). MHA is the K-cache's (paper §1).
 */
export function groupedSlimScheme(shape: GroupedShape): 'k-cache' | 'd-wide-cache' | 'x-cache' {
  if (shape.kvHeads === shape.heads) return 'k-cache';
  return compressionFactor({ ...shape, layers: 1 }) > 1 ? 'd-wide-cache' : 'x-cache';
}

function nameOf(config: { label?: string }): string {
  return config.label ?? 'grouped attention';
}

function validate(w: GroupedAttentionWeights, config: GroupedAttentionConfig): GroupedDims {
  const where = nameOf(config);
  const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
  if (!w || ![w.d, w.heads, w.kvHeads, w.headDim].every(positive)) {
    throw new EngineInputError(
      `${where}: d, heads, kvHeads and headDim must be positive integers, got ` +
        `${w?.d}, ${w?.heads}, ${w?.kvHeads}, ${w?.headDim}`,
    );
  }
  const { d, heads, kvHeads, headDim } = w;
  if (heads % kvHeads !== 0) {
    throw new EngineInputError(
      `${where}: heads h = ${heads} must be a multiple of kvHeads h_kv = ${kvHeads}, so that ` +
        'every key/value head serves the same number of query heads',
    );
  }
  const e = kvHeads * headDim;
  const q = heads * headDim;
  const shapes = `d = ${d}, h = ${heads}, h_kv = ${kvHeads}, d_k = ${headDim}`;
  const matrix = (m: Matrix64 | undefined, name: string, r: number, c: number): void => {
    if (!m || !(m.data instanceof Float64Array) || m.rows !== r || m.cols !== c) {
      const got = m ? `${m.rows}×${m.cols}` : 'nothing';
      throw new EngineInputError(
        `${where}: ${name} must be a ${r}×${c} Matrix64 (${shapes}), got ${got}`,
      );
    }
    assertFinite(m.data, `${where}: ${name}`, [r, c]);
  };
  const vector = (v: Float64Array | undefined, name: string, n: number): void => {
    if (v === undefined) return;
    if (!(v instanceof Float64Array) || v.length !== n) {
      throw new EngineInputError(
        `${where}: ${name} must be a Float64Array of length ${n} (${shapes}), got length ${v?.length}`,
      );
    }
    assertFinite(v, `${where}: ${name}`);
  };
  matrix(w.wQ, 'W_Q', d, q);
  matrix(w.wK, 'W_K', d, e);
  matrix(w.wV, 'W_V', d, e);
  matrix(w.wO, 'W_O', q, d);
  vector(w.bQ, 'b_Q', q);
  vector(w.bK, 'b_K', e);
  vector(w.bV, 'b_V', e);
  vector(w.bO, 'b_O', d);
  if (config.rope) checkRopeConfig(where, config.rope, headDim);
  if (config.scheme === 'k-cache' && (config.rope || w.bK || w.bV)) {
    throw new EngineInputError(
      `${where}: the grouped K-cache (V = K·W_KV) is the lesson's toy and runs without RoPE and ` +
        "biases; use 'd-wide-cache' or 'x-cache' (paper Appendix G)",
    );
  }
  return { d, heads, kvHeads, headDim, e, q };
}

/**
 * Builds one grouped-query attention layer (paper Appendix G) from host float64 weights.
 * Throws EngineInputError for bad shapes, for 'k-cache' when W_K is narrower than d (formWkv's
 * message) or with RoPE or biases, and for 'd-wide-cache' when 2e ≤ d; SingularMatrixError when
 * W_K or W_K* cannot be inverted.
 */
export function createGroupedAttention(
  backend: Backend,
  weights: GroupedAttentionWeights,
  config: GroupedAttentionConfig,
): GroupedAttentionLayer {
  const dims = validate(weights, config);
  const parts = groupedSchemeParts(weights, config, dims);
  return new GroupedAttention(backend, config, dims, parts);
}
