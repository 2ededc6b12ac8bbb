import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { Uploaded } from './layerCore';
import type { AttentionConfig, AttentionWeights } from './types';
import { projections, type LayerDims, type Projections } from './weights';

/** Vanilla MHA with a KV-cache: caches K (rotated, if RoPE) and V; 2·n·e values (paper §1). */
export class StandardAttention extends AttentionBase {
  private readonly t: Uploaded<Projections>;

  constructor(backend: Backend, w: AttentionWeights, config: AttentionConfig, dims: LayerDims) {
    super(backend, config, dims, [
      new RowCache(backend, 'K', dims.e),
      new RowCache(backend, 'V', dims.e),
    ]);
    this.t = this.uploadAll(projections(w));
  }

  protected forward(x: Tensor, n0: number): Tensor {
    const { t } = this;
    const [kCache, vCache] = this.caches;
    const q = this.rope(this.project(x, t.wQ, t.bQ), n0);
    kCache.append(this.rope(this.project(x, t.wK, t.bK), n0));
    vCache.append(this.project(x, t.wV, t.bV));
    const { heads } = this.dims;
    const p = this.backend.attnProbs(q, kCache.view(), {
      heads,
      scale: this.scoreScale,
      causalOffset: n0,
    });
    const y = this.backend.attnWeightedSum(p, vCache.view(), heads);
    return this.project(y, t.wO, t.bO);
  }
}
