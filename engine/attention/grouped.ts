/**
 * Grouped-query attention (GQA; MQA when h_kv = 1) and what slim attention can do for it (paper
 * Appendix G). h query heads share h_kv key/value heads: query head i reads key/value head
 * ⌊i / g⌋, g = h / h_kv. K = X·W_K and V = X·W_V are e = h_kv·d_k wide, so the standard cache
 * holds d_cache = 2e values per token. Three cache schemes:
 *
 * - 'kv': the standard K- and V-cache (2e values per token).
 * - 'k-cache': V = K·W_KV as for MHA (paper §1). Needs e ≥ d: a d×e W_K with e < d has rank at
 *   most e, so K cannot give back the d-wide X; formWkv refuses with its message.
 * - 'd-wide-cache': cache K* = X·W_K* with a square, invertible d×d W_K* (d values per token);
 *   every step rebuilds K = K*·(W_K*⁻¹·W_K) and V = K*·(W_K*⁻¹·W_V). W_K* is the first d columns
 *   of [W_K | W_V]: the cache keeps K itself (when e < d) plus the first d − e columns of V, and
 *   recomputes the rest of V. It pays off only when d < 2e, i.e. c = 2e/d > 1; otherwise the
 *   layer is refused (nothing to save).
 *
 * No RoPE and no biases: this layer exists to show the shapes of paper Appendix G on small toys.
 */
import type { Backend } from '../backend';
import {
  SingularMatrixError,
  leftDivide,
  matrix64,
  type LinalgOptions,
  type Matrix64,
} from '../linalg';
import { formWkv } from '../slim';
import { EngineInputError, assertFinite, type Tensor } from '../tensor';
import { CausalLayer } from './base';
import { RowCache } from './cache';
import type { AttentionStepOptions, CacheStats } from './types';
import type { LayerDims } from './weights';

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
}

export type GroupedAttentionScheme = 'kv' | 'k-cache' | 'd-wide-cache';

export interface GroupedAttentionConfig {
  scheme: GroupedAttentionScheme;
  /** Names the layer in error messages, e.g. 'toy GQA'. */
  label?: string;
  /** Largest condition number of W_K (k-cache) or W_K* (d-wide cache) still inverted. */
  maxCondition?: number;
}

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
  dispose(): void;
}

interface GroupedDims extends LayerDims {
  kvHeads: number;
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
  const matrix = (m: Matrix64 | undefined, name: string, r: number, c: number): void => {
    if (!m || !(m.data instanceof Float64Array) || m.rows !== r || m.cols !== c) {
      const got = m ? `${m.rows}×${m.cols}` : 'nothing';
      throw new EngineInputError(
        `${where}: ${name} must be a ${r}×${c} Matrix64 (d = ${d}, h = ${heads}, h_kv = ${kvHeads}, d_k = ${headDim}), got ${got}`,
      );
    }
    assertFinite(m.data, `${where}: ${name}`, [r, c]);
  };
  matrix(w.wQ, 'W_Q', d, q);
  matrix(w.wK, 'W_K', d, e);
  matrix(w.wV, 'W_V', d, e);
  matrix(w.wO, 'W_O', q, d);
  return { d, heads, kvHeads, headDim, e };
}

/** The first `count` columns of [a | b] (same row count). */
function firstColumns(a: Matrix64, b: Matrix64, count: number): Matrix64 {
  const out = matrix64(a.rows, count);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < count; j++) {
      out.data[i * count + j] =
        j < a.cols ? a.data[i * a.cols + j] : b.data[i * b.cols + (j - a.cols)];
    }
  }
  return out;
}

/**
 * W_K* of the d-wide cache (paper Appendix G): the first d columns of [W_K | W_V], a d×d matrix.
 * Throws EngineInputError when d_cache = 2e ≤ d, where a d-wide cache saves nothing.
 */
export function dWideKeyMatrix(wK: Matrix64, wV: Matrix64, label?: string): Matrix64 {
  const d = wK.rows;
  const e = wK.cols;
  if (wV.rows !== d || wV.cols !== e) {
    throw new EngineInputError(
      `${label ?? 'd-wide cache'}: W_K is ${d}×${e} but W_V is ${wV.rows}×${wV.cols}; they need the same shape`,
    );
  }
  if (2 * e <= d) {
    throw new EngineInputError(
      `${label ?? 'd-wide cache'}: the KV-cache holds d_cache = 2·h_kv·d_k = ${2 * e} values per ` +
        `token, not more than d = ${d}, so a d-wide cache would not be smaller (c = ${2 * e}/${d} ≤ 1) ` +
        'and there is nothing to save (paper Appendix G)',
    );
  }
  return firstColumns(wK, wV, d);
}

const D_WIDE_CONSEQUENCE =
  'W_K* (the first d columns of [W_K | W_V]) has no usable inverse here, so K and V cannot be ' +
  'rebuilt from the d-wide cache (paper Appendix G).';

/** W_K*⁻¹·W, with the d-wide cache's own words when W_K* cannot be inverted. */
function rebuildMatrix(wKStar: Matrix64, w: Matrix64, options: LinalgOptions): Matrix64 {
  try {
    return leftDivide(wKStar, w, options);
  } catch (error) {
    if (error instanceof SingularMatrixError) {
      throw new SingularMatrixError(error.conditionNumber, options, D_WIDE_CONSEQUENCE);
    }
    throw error;
  }
}

/** The caches of a scheme and the host matrices it uploads besides W_Q and W_O. */
function schemeParts(
  backend: Backend,
  w: GroupedAttentionWeights,
  config: GroupedAttentionConfig,
  dims: GroupedDims,
): { host: Matrix64[]; caches: RowCache[] } {
  const options: LinalgOptions = { label: config.label, maxCondition: config.maxCondition };
  const { d, e } = dims;
  switch (config.scheme) {
    case 'kv':
      return {
        host: [w.wK, w.wV],
        caches: [new RowCache(backend, 'K', e), new RowCache(backend, 'V', e)],
      };
    case 'k-cache':
      return {
        host: [w.wK, formWkv(w.wK, w.wV, options)],
        caches: [new RowCache(backend, 'K', e)],
      };
    case 'd-wide-cache': {
      const wKStar = dWideKeyMatrix(w.wK, w.wV, config.label);
      return {
        host: [wKStar, rebuildMatrix(wKStar, w.wK, options), rebuildMatrix(wKStar, w.wV, options)],
        caches: [new RowCache(backend, 'K*', d)],
      };
    }
    default:
      throw new EngineInputError(
        `${nameOf(config)}: unknown scheme '${String(config.scheme)}' (use 'kv', 'k-cache' or 'd-wide-cache')`,
      );
  }
}

/** Causal steps, input checks, uploads and lifetime come from CausalLayer (as for MHA layers). */
class GroupedAttention
  extends CausalLayer<GroupedAttentionConfig>
  implements GroupedAttentionLayer
{
  private readonly wQ: Tensor;
  private readonly wO: Tensor;
  /** 'kv': W_K, W_V. 'k-cache': W_K, W_KV. 'd-wide-cache': W_K*, W_K*⁻¹W_K, W_K*⁻¹W_V. */
  private readonly mats: Tensor[];
  private readonly kvHeads: number;

  constructor(
    backend: Backend,
    w: GroupedAttentionWeights,
    config: GroupedAttentionConfig,
    dims: GroupedDims,
    parts: { host: Matrix64[]; caches: RowCache[] },
  ) {
    super(backend, config, dims, parts.caches);
    this.kvHeads = dims.kvHeads;
    this.wQ = this.upload(w.wQ);
    this.wO = this.upload(w.wO);
    this.mats = parts.host.map((m) => this.upload(m));
  }

  protected override get name(): string {
    return nameOf(this.config);
  }

  protected forward(x0: Tensor, n0: number, options: AttentionStepOptions): Tensor {
    const b = this.backend;
    const x = this.normalized(x0, options);
    const q = b.matmul(x, this.wQ);
    let k: Tensor;
    let v: Tensor;
    switch (this.config.scheme) {
      case 'kv': {
        const [kCache, vCache] = this.caches;
        kCache.append(b.matmul(x, this.mats[0]));
        vCache.append(b.matmul(x, this.mats[1]));
        k = kCache.view();
        v = vCache.view();
        break;
      }
      case 'k-cache': {
        const [kCache] = this.caches;
        kCache.append(b.matmul(x, this.mats[0]));
        k = kCache.view();
        v = b.matmul(k, this.mats[1]);
        break;
      }
      case 'd-wide-cache': {
        const [starCache] = this.caches;
        starCache.append(b.matmul(x, this.mats[0]));
        const kStar = starCache.view();
        k = b.matmul(kStar, this.mats[1]);
        v = b.matmul(kStar, this.mats[2]);
        break;
      }
    }
    const { heads } = this.dims;
    const y = b.attention(q, this.expand(k), this.expand(v), {
      heads,
      scale: this.scoreScale,
      causalOffset: n0,
    });
    return b.linear(y, this.wO, { residual: options.residual });
  }

  /** [n, h_kv·d_k] → [n, h·d_k]: key/value head j repeated for its g query heads (exact copies). */
  private expand(t: Tensor): Tensor {
    const { heads, headDim } = this.dims;
    const { kvHeads } = this;
    if (heads === kvHeads) return t;
    const g = heads / kvHeads;
    const blocks: Tensor[] = [];
    for (let j = 0; j < kvHeads; j++) {
      const block = this.backend.sliceCols(t, j * headDim, (j + 1) * headDim);
      for (let r = 0; r < g; r++) blocks.push(block);
    }
    return this.backend.concatCols(blocks);
  }
}

/**
 * Builds one grouped-query attention layer (paper Appendix G) from host float64 weights.
 * Throws EngineInputError for bad shapes, for 'k-cache' when W_K is narrower than d (formWkv's
 * message) and for 'd-wide-cache' when 2e ≤ d; SingularMatrixError when W_K or W_K* cannot be
 * inverted.
 */
export function createGroupedAttention(
  backend: Backend,
  weights: GroupedAttentionWeights,
  config: GroupedAttentionConfig,
): GroupedAttentionLayer {
  const dims = validate(weights, config);
  return new GroupedAttention(
    backend,
    weights,
    config,
    dims,
    schemeParts(backend, weights, config, dims),
  );
}
