import type { Backend } from '../backend';
import { formWvk } from '../slim';
import { EngineInputError, type Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { Uploaded } from './layerCore';
import type { Matrix64 } from '../linalg';
import type { AttentionConfig, AttentionWeights } from './types';
import { layerName, projections, type LayerDims, type Projections } from './weights';

/**
 * V-cache only (paper Appendices C, D, G): caches V and recomputes K = V W_VK each step. Cached V carries
 * b_V, so V W_VK = X W_K + b_V W_VK: every key of a head is shifted by the same constant row,
 * which adds a per-query constant to the scores and cancels in softmax, as b_K does
 * (paper Appendix F). That argument needs the plain dot product, hence no RoPE.
 */
export class VCacheAttention extends AttentionBase {
  private readonly t: Uploaded<Omit<Projections, 'wK' | 'bK'> & { wVK: Matrix64 }>;

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
    const { wK: _wK, bK: _bK, ...rest } = projections(w);
    this.t = this.uploadAll({ ...rest, wVK });
  }

  protected forward(x: Tensor, n0: number): Tensor {
    const { t } = this;
    const { heads } = this.dims;
    const [vCache] = this.caches;
    const q = this.project(x, t.wQ, t.bQ);
    vCache.append(this.project(x, t.wV, t.bV));
    const v = vCache.view();
    const k = this.backend.matmul(v, t.wVK);
    const p = this.backend.attnProbs(q, k, { heads, scale: this.scoreScale, causalOffset: n0 });
    const y = this.backend.attnWeightedSum(p, v, heads);
    return this.project(y, t.wO, t.bO);
  }
}
