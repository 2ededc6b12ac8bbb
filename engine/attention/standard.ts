import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { Uploaded } from './layerCore';
import type { AttentionConfig, AttentionStepOptions, AttentionWeights } from './types';
import { fuseColumns, type LayerDims } from './weights';

/**
 * Vanilla MHA with a KV-cache: caches K (rotated, if RoPE) and V; 2·n·e values (paper §1).
 * Q, K and V come from one product with [W_Q | W_K | W_V] (the step's norm as its prologue),
 * split by column views; softmax(q·Kᵀ)·V is one backend.attention; the residual is added by
 * the output projection.
 */
export class StandardAttention extends AttentionBase {
  private readonly t: Uploaded<{
    wQKV: AttentionWeights['wQ'];
    bQKV: Float64Array | undefined;
    wO: AttentionWeights['wO'];
    bO: Float64Array | undefined;
  }>;

  constructor(backend: Backend, w: AttentionWeights, config: AttentionConfig, dims: LayerDims) {
    super(backend, config, dims, [
      new RowCache(backend, 'K', dims.e),
      new RowCache(backend, 'V', dims.e),
    ]);
    const qkv = fuseColumns([
      { w: w.wQ, b: w.bQ },
      { w: w.wK, b: w.bK },
      { w: w.wV, b: w.bV },
    ]);
    this.t = this.uploadAll({ wQKV: qkv.w, bQKV: qkv.b, wO: w.wO, bO: w.bO });
  }

  protected forward(x: Tensor, n0: number, { norm, residual }: AttentionStepOptions): Tensor {
    const { t } = this;
    const b = this.backend;
    const { heads, e } = this.dims;
    const [kCache, vCache] = this.caches;
    const qkv = this.project(x, t.wQKV, t.bQKV, { norm });
    // With RoPE, q and k side by side are 2h heads rotated by one op.
    const qk = this.rope(b.colsView(qkv, 0, 2 * e), n0, false, 2 * heads);
    kCache.append(b.colsView(qk, e, 2 * e));
    vCache.append(b.colsView(qkv, 2 * e, 3 * e));
    const y = this.windowedAttention(b.colsView(qk, 0, e), kCache.view(), vCache.view(), n0);
    return this.project(y, t.wO, t.bO, { residual });
  }
}
