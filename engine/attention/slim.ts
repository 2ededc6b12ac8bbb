import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { Uploaded } from './layerCore';
import type { AttentionConfig, AttentionWeights } from './types';
import { kCacheProjections, type KCacheProjections, type LayerDims } from './weights';

type SlimConfig = Extract<AttentionConfig, { scheme: 'k-cache' }>;

/**
 * Slim MHA: only K is cached (n·e values, half of the KV-cache) and V = K W_KV (paper §1, §2).
 * Decode option 1 forms V = K W_KV, then Σ s·V; option 2 forms (s·K) W_KV for all heads in one
 * block-diagonal product. With RoPE the cache holds either raw K (rotated on every read) or
 * rotated K (un-rotated before the V-from-K product), paper Appendix E.
 */
export class SlimAttention extends AttentionBase {
  private readonly t: Uploaded<KCacheProjections>;
  private readonly slim: SlimConfig;

  constructor(backend: Backend, w: AttentionWeights, config: SlimConfig, dims: LayerDims) {
    super(backend, config, dims, [new RowCache(backend, 'K', dims.e)]);
    this.slim = config;
    this.t = this.uploadAll(kCacheProjections(w, config));
  }

  protected forward(x: Tensor, n0: number): Tensor {
    const { t } = this;
    const [kCache] = this.caches;
    const cacheRotated = this.config.rope !== undefined && this.slim.ropeCache === 'rotated';
    const q = this.rope(this.project(x, t.wQ, t.bQ), n0);
    const k = this.project(x, t.wK, t.bK);
    kCache.append(cacheRotated ? this.rope(k, n0) : k);

    const cached = kCache.view();
    const kRotated = cacheRotated ? cached : this.rope(cached, 0);
    const kRaw = cacheRotated ? this.rope(cached, 0, true) : cached;
    const p = this.backend.attnProbs(q, kRotated, {
      heads: this.dims.heads,
      scale: this.scoreScale,
      causalOffset: n0,
    });
    const y = this.valueSum(p, kRaw, t.wKV, this.slim.decodeOrder);
    return this.project(y, t.wO, t.bO);
  }
}
