import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { AttentionConfig, AttentionWeights } from './types';
import type { LayerDims } from './weights';

/** Vanilla MHA with a KV-cache: caches K (rotated, if RoPE) and V; 2·n·e values (paper §1). */
export class StandardAttention extends AttentionBase {
  private readonly wQ: Tensor;
  private readonly wK: Tensor;
  private readonly wV: Tensor;
  private readonly wO: Tensor;
  private readonly bQ?: Tensor;
  private readonly bK?: Tensor;
  private readonly bV?: Tensor;
  private readonly bO?: Tensor;

  constructor(backend: Backend, w: AttentionWeights, config: AttentionConfig, dims: LayerDims) {
    super(backend, config, dims, [
      new RowCache(backend, 'K', dims.e),
      new RowCache(backend, 'V', dims.e),
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

  protected forward(x: Tensor, n0: number): Tensor {
    const [kCache, vCache] = this.caches;
    const q = this.rope(this.project(x, this.wQ, this.bQ), n0);
    kCache.append(this.rope(this.project(x, this.wK, this.bK), n0));
    vCache.append(this.project(x, this.wV, this.bV));
    const { heads } = this.dims;
    const p = this.backend.attnProbs(q, kCache.view(), {
      heads,
      scale: this.scoreScale,
      causalOffset: n0,
    });
    const y = this.backend.attnWeightedSum(p, vCache.view(), heads);
    return this.project(y, this.wO, this.bO);
  }
}
