import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { RowCache } from './cache';
import { CrossAttentionBase } from './crossBase';
import type { AttentionWeights, CrossAttentionConfig } from './types';
import type { LayerDims } from './weights';

/**
 * Baseline cross-attention (paper §4): the cross phase projects the encoder output E once into
 * a cross K- and V-cache, 2·p·e values per layer; each decoder token reads both.
 */
export class CrossKvAttention extends CrossAttentionBase {
  private readonly wQ: Tensor;
  private readonly wK: Tensor;
  private readonly wV: Tensor;
  private readonly wO: Tensor;
  private readonly bQ?: Tensor;
  private readonly bK?: Tensor;
  private readonly bV?: Tensor;
  private readonly bO?: Tensor;

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
    this.wQ = this.upload(w.wQ);
    this.wK = this.upload(w.wK);
    this.wV = this.upload(w.wV);
    this.wO = this.upload(w.wO);
    this.bQ = this.uploadBias(w.bQ);
    this.bK = this.uploadBias(w.bK);
    this.bV = this.uploadBias(w.bV);
    this.bO = this.uploadBias(w.bO);
  }

  get encoderLength(): number {
    return this.caches[0].rows;
  }

  protected encode(e: Tensor): void {
    const [kCache, vCache] = this.caches;
    kCache.reset();
    vCache.reset();
    kCache.append(this.project(e, this.wK, this.bK));
    vCache.append(this.project(e, this.wV, this.bV));
  }

  protected forward(x: Tensor): Tensor {
    const [kCache, vCache] = this.caches;
    const p = this.probs(x, this.wQ, this.bQ, kCache.view());
    const y = this.backend.attnWeightedSum(p, vCache.view(), this.dims.heads);
    return this.project(y, this.wO, this.bO);
  }
}
