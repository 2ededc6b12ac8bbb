import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { RowCache } from './cache';
import { CrossAttentionBase } from './crossBase';
import type { AttentionWeights, CrossAttentionConfig } from './types';
import { kCacheValuePath, type LayerDims } from './weights';

type Option1Config = Extract<CrossAttentionConfig, { scheme: 'k-cache' }>;

/**
 * Cross-attention option 1 (paper §4): the cross phase caches only K = E W_K + b_K (p·e
 * values per layer, half the baseline, and half its work); each decoder token recomputes
 * V = K W_KV ('v-first') or forms (s·K) W_KV per head ('k-first'), reading W_KV instead.
 * V = (K − b_K) W_KV + b_V: the constant row folds into the output bias (paper Appendix F).
 */
export class CrossKCacheAttention extends CrossAttentionBase {
  private readonly wQ: Tensor;
  private readonly wK: Tensor;
  private readonly wKV: Tensor;
  private readonly wO: Tensor;
  private readonly bQ?: Tensor;
  private readonly bK?: Tensor;
  private readonly bO?: Tensor;
  private readonly kFirst: boolean;

  constructor(backend: Backend, w: AttentionWeights, config: Option1Config, dims: LayerDims) {
    super(backend, config, dims, [new RowCache(backend, 'cross K', dims.e)]);
    this.kFirst = config.decodeOrder === 'k-first';
    const { wKV, bO } = kCacheValuePath(w, config, dims.e);
    this.wQ = this.upload(w.wQ);
    this.wK = this.upload(w.wK);
    this.wKV = this.upload(wKV);
    this.wO = this.upload(w.wO);
    this.bQ = this.uploadBias(w.bQ);
    this.bK = this.uploadBias(w.bK);
    this.bO = this.uploadBias(bO);
  }

  get encoderLength(): number {
    return this.caches[0].rows;
  }

  protected encode(e: Tensor): void {
    const [kCache] = this.caches;
    kCache.reset();
    kCache.append(this.project(e, this.wK, this.bK));
  }

  protected forward(x: Tensor): Tensor {
    const { heads } = this.dims;
    const k = this.caches[0].view();
    const p = this.probs(x, this.wQ, this.bQ, k);
    const y = this.kFirst
      ? this.backend.headBlockMatmul(this.backend.matmul(p, k), this.wKV, heads)
      : this.backend.attnWeightedSum(p, this.backend.matmul(k, this.wKV), heads);
    return this.project(y, this.wO, this.bO);
  }
}
