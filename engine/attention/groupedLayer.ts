/**
 * The grouped-query attention layer of grouped.ts (paper Appendix G): what each cache scheme
 * uploads and caches, and the step. Query head i reads key/value head ⌊i / g⌋ in place
 * (backend.attention's kvHeads), so no head is copied per step.
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
import { EngineInputError, type Tensor } from '../tensor';
import { CausalLayer } from './base';
import { RowCache } from './cache';
import type { GroupedAttentionConfig, GroupedAttentionWeights } from './groupedTypes';
import type { Uploaded } from './layerCore';
import type { AttentionStepOptions } from './types';
import { fuseColumns, type LayerDims } from './weights';

/** LayerDims (e = h_kv·d_k, the key width) plus h_kv and q = h·d_k, the query width. */
export interface GroupedDims extends LayerDims {
  kvHeads: number;
  q: number;
}

/**
 * The host side of a scheme: the caches, the input projection (Q, with K (kv), with K* (d-wide
 * cache), or alone), and for the rebuilding schemes the matrix and bias that give [K | V] from
 * the cached rows; 'k-cache' has W_K and W_KV instead.
 */
export interface GroupedParts {
  caches: { name: string; cols: number }[];
  host: {
    wIn: Matrix64;
    bIn: Float64Array | undefined;
    wO: Matrix64;
    bO: Float64Array | undefined;
    /** d × 2e: [K | V] = rows·wRebuild + bRebuild ('d-wide-cache', 'x-cache'); W_KV (k-cache). */
    wRebuild: Matrix64 | undefined;
    bRebuild: Float64Array | undefined;
  };
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

/**
 * W_K*⁻¹·[W_K | W_V] (d × 2e): its first d columns are those of W_K* itself, so they are the
 * identity, set exactly (the cached K and first d − e columns of V come back unchanged); the
 * other 2e − d columns are W_K*⁻¹ times the rest of [W_K | W_V], formed in float64.
 */
function dWideRebuild(wKStar: Matrix64, wKV: Matrix64, options: LinalgOptions): Matrix64 {
  const d = wKStar.rows;
  const width = wKV.cols;
  const rest = matrix64(d, width - d);
  for (let i = 0; i < d; i++)
    rest.data.set(wKV.data.subarray(i * width + d, (i + 1) * width), i * (width - d));
  let solved: Matrix64;
  try {
    solved = leftDivide(wKStar, rest, options);
  } catch (error) {
    if (error instanceof SingularMatrixError) {
      throw new SingularMatrixError(error.conditionNumber, options, D_WIDE_CONSEQUENCE);
    }
    throw error;
  }
  const out = matrix64(d, width);
  for (let i = 0; i < d; i++) {
    out.data[i * width + i] = 1;
    out.data.set(solved.data.subarray(i * (width - d), (i + 1) * (width - d)), i * width + d);
  }
  return out;
}

/** What a scheme uploads and caches (grouped.ts validated the weights and the scheme). */
export function groupedSchemeParts(
  w: GroupedAttentionWeights,
  config: GroupedAttentionConfig,
  dims: GroupedDims,
): GroupedParts {
  const options: LinalgOptions = { label: config.label, maxCondition: config.maxCondition };
  const { d, e } = dims;
  const out = { wO: w.wO, bO: w.bO };
  const kv = () =>
    fuseColumns([
      { w: w.wK, b: w.bK },
      { w: w.wV, b: w.bV },
    ]);
  switch (config.scheme) {
    case 'kv': {
      const qkv = fuseColumns([
        { w: w.wQ, b: w.bQ },
        { w: w.wK, b: w.bK },
        { w: w.wV, b: w.bV },
      ]);
      return {
        caches: [
          { name: 'K', cols: e },
          { name: 'V', cols: e },
        ],
        host: { wIn: qkv.w, bIn: qkv.b, ...out, wRebuild: undefined, bRebuild: undefined },
      };
    }
    case 'k-cache': {
      const input = fuseColumns([{ w: w.wQ, b: w.bQ }, { w: w.wK }]);
      return {
        caches: [{ name: 'K', cols: e }],
        host: {
          wIn: input.w,
          bIn: input.b,
          ...out,
          wRebuild: formWkv(w.wK, w.wV, options),
          bRebuild: undefined,
        },
      };
    }
    case 'd-wide-cache': {
      const wKStar = dWideKeyMatrix(w.wK, w.wV, config.label);
      const both = kv();
      // Q and K* from one product; K* carries no bias (b_K, b_V are added after the rebuild).
      const input = fuseColumns([{ w: w.wQ, b: w.bQ }, { w: wKStar }]);
      return {
        caches: [{ name: 'K*', cols: d }],
        host: {
          wIn: input.w,
          bIn: input.b,
          ...out,
          wRebuild: dWideRebuild(wKStar, both.w, options),
          bRebuild: both.b,
        },
      };
    }
    case 'x-cache': {
      const both = kv();
      return {
        caches: [{ name: 'X', cols: d }],
        host: { wIn: w.wQ, bIn: w.bQ, ...out, wRebuild: both.w, bRebuild: both.b },
      };
    }
    default:
      throw new EngineInputError(
        `${config.label ?? 'grouped attention'}: unknown scheme '${String(config.scheme)}' ` +
          "(use 'kv', 'k-cache', 'd-wide-cache' or 'x-cache')",
      );
  }
}

/** Causal steps, input checks, uploads and lifetime come from CausalLayer (as for MHA layers). */
export class GroupedAttention extends CausalLayer<GroupedAttentionConfig> {
  private readonly t: Uploaded<GroupedParts['host']>;
  private readonly g: GroupedDims;

  constructor(
    backend: Backend,
    config: GroupedAttentionConfig,
    dims: GroupedDims,
    parts: GroupedParts,
  ) {
    super(
      backend,
      config,
      dims,
      parts.caches.map((c) => new RowCache(backend, c.name, c.cols)),
    );
    this.g = dims;
    this.t = this.uploadAll(parts.host, { wO: 'W_O', bO: 'b_O' });
  }

  protected override get name(): string {
    return this.config.label ?? 'grouped attention';
  }

  /** RoPE of rows at positions offset, offset+1, … in `heads` head-wide blocks (none: as is). */
  private rotate(x: Tensor, positionOffset: number, heads: number): Tensor {
    const rope = this.config.rope;
    return rope ? this.backend.rope(x, { heads, positionOffset, ...rope }) : x;
  }

  protected forward(x: Tensor, n0: number, options: AttentionStepOptions): Tensor {
    const b = this.backend;
    const { t } = this;
    const { heads, kvHeads, e, q: qw } = this.g;
    const { norm, residual } = options;
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    switch (this.config.scheme) {
      case 'kv': {
        const [kCache, vCache] = this.caches;
        const qkv = this.project(x, t.wIn, t.bIn, { norm });
        // q and k side by side are h + h_kv heads of width d_k, rotated by one op.
        const qk = this.rotate(b.colsView(qkv, 0, qw + e), n0, heads + kvHeads);
        q = b.colsView(qk, 0, qw);
        kCache.append(b.colsView(qk, qw, qw + e));
        vCache.append(b.colsView(qkv, qw + e, qw + 2 * e));
        k = kCache.view();
        v = vCache.view();
        break;
      }
      case 'k-cache': {
        const [kCache] = this.caches;
        const qk = this.project(x, t.wIn, t.bIn, { norm });
        q = b.colsView(qk, 0, qw);
        kCache.append(b.colsView(qk, qw, qw + e));
        k = kCache.view();
        v = b.matmul(k, t.wRebuild as Tensor);
        break;
      }
      case 'd-wide-cache':
      case 'x-cache': {
        const [cache] = this.caches;
        if (this.config.scheme === 'x-cache') {
          // The cache holds the layer's input: the normalised x.
          const xn = this.normalized(x, options);
          q = this.project(xn, t.wIn, t.bIn);
          cache.append(xn);
        } else {
          const qs = this.project(x, t.wIn, t.bIn, { norm });
          q = b.colsView(qs, 0, qw);
          cache.append(b.colsView(qs, qw, qw + this.g.d));
        }
        q = this.rotate(q, n0, heads);
        // [K | V] of every cached token, rebuilt; K rotated at its position 0 … n − 1.
        const kv = this.project(cache.view(), t.wRebuild as Tensor, t.bRebuild);
        k = this.rotate(b.colsView(kv, 0, e), 0, kvHeads);
        v = b.colsView(kv, e, 2 * e);
        break;
      }
    }
    const y = b.attention(q, k, v, {
      heads,
      kvHeads,
      scale: this.scoreScale,
      causalOffset: n0,
    });
    return this.project(y, t.wO, t.bO, { residual });
  }
}
