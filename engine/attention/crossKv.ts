import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { RowCache } from './cache';
import { CrossAttentionBase } from './crossBase';
import type { Uploaded } from './layerCore';
import type { AttentionWeights, CrossAttentionConfig } from './types';
import { projections, type LayerDims, type Projections } from './weights';

/**
 * Baseline cross-attention (paper §4): the cross phase projects the encoder output E once into
 * a cross K- and V-cache, 2·p·e values per layer; each decoder token reads both.
 */
export class CrossKvAttention extends CrossAttentionBase {
  private readonly t: Uploaded<Projections>;

  constructor(
    backend: Backend,
    w: AttentionWeights,
    config: CrossAttentionConfig,
    dims: LayerDims,
  ) {
    super(backend, config, dims, [
      new RowCache(backend, 'cross K', dims.e),
      new RowCache(backend, 'cross V', dims.e),
    ]);
    this.t = this.uploadAll(projections(w));
  }

  get encoderLength(): number {
    return this.caches[0].rows;
  }

  protected encode(e: Tensor): void {
    const { t } = this;
    const [kCache, vCache] = this.caches;
    kCache.reset();
    vCache.reset();
    kCache.append(this.project(e, t.wK, t.bK));
    vCache.append(this.project(e, t.wV, t.bV));
  }

  protected forward(x: Tensor): Tensor {
    const { t } = this;
    const [kCache, vCache] = this.caches;
    const y = this.attendKeys(this.project(x, t.wQ, t.bQ), kCache.view(), vCache.view());
    return this.project(y, t.wO, t.bO);
  }
}
