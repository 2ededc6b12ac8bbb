import type { Backend } from '../backend';
import { formWvk } from '../slim';
import { EngineInputError, type Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { Uploaded } from './layerCore';
import type { Matrix64 } from '../linalg';
import type { AttentionConfig, AttentionStepOptions, AttentionWeights } from './types';
import { fuseColumns, layerName, projections, type LayerDims } from './weights';

/**
 * V-cache only (paper Appendices C, D, G): caches V and recomputes K = V W_VK each step. Cached V carries
 * b_V, so V W_VK = X W_K + b_V W_VK: every key of a head is shifted by the same constant row,
 * which adds a per-query constant to the scores and cancels in softmax, as b_K does
 * (paper Appendix F). That argument needs the plain dot product, hence no RoPE.
 */
export class VCacheAttention extends AttentionBase {
  private readonly t: Uploaded<{
    wQV: Matrix64;
    bQV: Float64Array | undefined;
    wO: Matrix64;
    bO: Float64Array | undefined;
    wVK: Matrix64;
  }>;

  constructor(backend: Backend, w: AttentionWeights, config: AttentionConfig, dims: LayerDims) {
    if (config.rope) {
      throw new EngineInputError(
        `${layerName(config)}: the V-cache-only variant cannot use RoPE: K = V·W_VK gives un-rotated keys and position-dependent rotation does not commute with W_VK (paper Appendices C, D, G); use the 'k-cache' or 'kv' scheme`,
      );
    }
    super(backend, config, dims, [new RowCache(backend, 'V', dims.e)]);
    // W_VK = W_V⁻¹ W_K in float64 (right inverse when e > d), Appendix C.
    const wVK = formWvk(w.wK, w.wV, {
      label: `${layerName(config)}, W_V`,
      maxCondition: config.maxCondition,
    });
    const { wQ, bQ, wV, bV, wO, bO } = projections(w);
    // Q and V of a step in one product, [W_Q | W_V] (the step's norm as its prologue).
    const qv = fuseColumns([
      { w: wQ, b: bQ },
      { w: wV, b: bV },
    ]);
    this.t = this.uploadAll({ wQV: qv.w, bQV: qv.b, wO, bO, wVK });
  }

  protected forward(x: Tensor, n0: number, { norm, residual }: AttentionStepOptions): Tensor {
    const { t } = this;
    const b = this.backend;
    const { e } = this.dims;
    const [vCache] = this.caches;
    const qv = this.project(x, t.wQV, t.bQV, { norm });
    vCache.append(b.colsView(qv, e, 2 * e));
    const v = vCache.view();
    const k = b.matmul(v, t.wVK);
    const y = this.windowedAttention(b.colsView(qv, 0, e), k, v, n0);
    return this.project(y, t.wO, t.bO, { residual });
  }
}
