import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { LazyMatrix, Uploaded } from './layerCore';
import type { AttentionConfig, AttentionStepOptions, AttentionWeights } from './types';
import { fusedQK, SHARED_QK_O, type LayerDims } from './weights';

/**
 * Vanilla MHA with a KV-cache: caches K (rotated, if RoPE) and V; 2·n·e values (paper §1).
 * Q and K come from one product with [W_Q | W_K], V from one with W_V (the step's norm as the
 * prologue of both): [W_Q | W_K] and W_O are the very tensors a slim layer of the same weights
 * uses (slim.ts), uploaded once when the models share a store. softmax(q·Kᵀ)·V is one
 * backend.attention; the residual is added by the output projection.
 */
export class StandardAttention extends AttentionBase {
  private readonly t: Uploaded<{
    wQK: LazyMatrix;
    bQK: Float64Array | undefined;
    wV: AttentionWeights['wV'];
    bV: Float64Array | undefined;
    wO: AttentionWeights['wO'];
    bO: Float64Array | undefined;
  }>;

  constructor(backend: Backend, w: AttentionWeights, config: AttentionConfig, dims: LayerDims) {
    super(backend, config, dims, [
      new RowCache(backend, 'K', dims.e),
      new RowCache(backend, 'V', dims.e),
    ]);
    const qk = fusedQK(w, backend);
    this.t = this.uploadAll({ ...qk, wV: w.wV, bV: w.bV, wO: w.wO, bO: w.bO }, SHARED_QK_O);
  }

  protected forward(x: Tensor, n0: number, { norm, residual }: AttentionStepOptions): Tensor {
    const { t } = this;
    const b = this.backend;
    const { heads, e } = this.dims;
    const [kCache, vCache] = this.caches;
    // With RoPE, q and k side by side are 2h heads rotated by one op.
    const qk = this.rope(this.project(x, t.wQK, t.bQK, { norm }), n0, false, 2 * heads);
    kCache.append(b.colsView(qk, e, 2 * e));
    vCache.append(this.project(x, t.wV, t.bV, { norm }));
    const y = this.windowedAttention(b.colsView(qk, 0, e), kCache.view(), vCache.view(), n0);
    return this.project(y, t.wO, t.bO, { residual });
  }
}
