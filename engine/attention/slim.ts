import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { AttentionConfig, AttentionWeights } from './types';
import { kCacheValuePath, type LayerDims } from './weights';

type SlimConfig = Extract<AttentionConfig, { scheme: 'k-cache' }>;

/**
 * Slim MHA: only K is cached (n·e values, half of the KV-cache) and V = K W_KV (paper §1, §2).
 * Decode option 1 forms V = K W_KV, then Σ s·V; option 2 forms (s·K) W_KV for all heads in one
 * block-diagonal product. With RoPE the cache holds either raw K (rotated on every read) or
 * rotated K (un-rotated before the V-from-K product), paper Appendix E.
 */
export class SlimAttention extends AttentionBase {
  private readonly wQ: Tensor;
  private readonly wK: Tensor;
  private readonly wKV: Tensor;
  private readonly wO: Tensor;
  private readonly bQ?: Tensor;
  private readonly bK?: Tensor;
  private readonly bO?: Tensor;
  private readonly slim: SlimConfig;

  constructor(backend: Backend, w: AttentionWeights, config: SlimConfig, dims: LayerDims) {
    super(backend, config, dims, [new RowCache(backend, 'K', dims.e)]);
    this.slim = config;
    const { wKV, bO } = kCacheValuePath(w, config, dims.e);
    this.wQ = this.upload(w.wQ);
    this.wK = this.upload(w.wK);
    this.wKV = this.upload(wKV);
    this.wO = this.upload(w.wO);
    this.bQ = this.uploadBias(w.bQ);
    this.bK = this.uploadBias(w.bK);
    this.bO = this.uploadBias(bO);
  }

  protected forward(x: Tensor, n0: number): Tensor {
    const { heads } = this.dims;
    const [kCache] = this.caches;
    const cacheRotated = this.config.rope !== undefined && this.slim.ropeCache === 'rotated';
    const q = this.rope(this.project(x, this.wQ, this.bQ), n0);
    const k = this.project(x, this.wK, this.bK);
    kCache.append(cacheRotated ? this.rope(k, n0) : k);

    const cached = kCache.view();
    const kRotated = cacheRotated ? cached : this.rope(cached, 0);
    const kRaw = cacheRotated ? this.rope(cached, 0, true) : cached;
    const p = this.backend.attnProbs(q, kRotated, {
      heads,
      scale: this.scoreScale,
      causalOffset: n0,
    });
    const y =
      this.slim.decodeOrder === 'v-first'
        ? this.backend.attnWeightedSum(p, this.backend.matmul(kRaw, this.wKV), heads)
        : this.backend.headBlockMatmul(this.backend.matmul(p, kRaw), this.wKV, heads);
    return this.project(y, this.wO, this.bO);
  }
}
