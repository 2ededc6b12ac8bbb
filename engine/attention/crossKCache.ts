import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { RowCache } from './cache';
import { CrossAttentionBase } from './crossBase';
import type { Uploaded } from './layerCore';
import type { AttentionWeights, CrossAttentionConfig } from './types';
import { kCacheProjections, type KCacheProjections, type LayerDims } from './weights';

type Option1Config = Extract<CrossAttentionConfig, { scheme: 'k-cache' }>;

/**
 * Cross-attention option 1 (paper §4): the cross phase caches only K = E W_K + b_K (p·e
 * values per layer, half the baseline, and half its work); each decoder token recomputes
 * V = K W_KV ('v-first') or forms (s·K) W_KV per head ('k-first'), reading W_KV instead.
 * V = (K − b_K) W_KV + b_V: the constant row folds into the output bias (paper Appendix F).
 */
export class CrossKCacheAttention extends CrossAttentionBase {
  private readonly t: Uploaded<KCacheProjections>;
  private readonly slim: Option1Config;

  constructor(backend: Backend, w: AttentionWeights, config: Option1Config, dims: LayerDims) {
    super(backend, config, dims, [new RowCache(backend, 'cross K', dims.e)]);
    this.slim = config;
    this.t = this.uploadAll(kCacheProjections(w, config));
  }

  get encoderLength(): number {
    return this.caches[0].rows;
  }

  protected encode(e: Tensor): void {
    const [kCache] = this.caches;
    kCache.reset();
    kCache.append(this.project(e, this.t.wK, this.t.bK));
  }

  protected forward(x: Tensor): Tensor {
    const { t } = this;
    const k = this.caches[0].view();
    const q = this.project(x, t.wQ, t.bQ);
    const y = this.valueSum(q, k, k, t.wKV, this.slim.decodeOrder ?? 'v-first');
    return this.project(y, t.wO, t.bO);
  }
}
