import type { Backend } from '../backend';
import type { Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { Uploaded } from './layerCore';
import type { Matrix64 } from '../linalg';
import type { AttentionConfig, AttentionStepOptions, AttentionWeights } from './types';
import {
  fusedQK,
  kCacheProjections,
  SHARED_QK_O,
  type KCacheProjections,
  type LayerDims,
} from './weights';

type SlimConfig = Extract<AttentionConfig, { scheme: 'k-cache' }>;

/**
 * Slim MHA: only K is cached (n·e values, half of the KV-cache) and V = K W_KV (paper §1, §2).
 * Decode option 1 forms V = K W_KV, then Σ s·V; option 2 forms (s·K) W_KV for all heads in one
 * block-diagonal product. With RoPE the cache holds either raw K (rotated on every read) or
 * rotated K (un-rotated before the V-from-K product), paper Appendix E. Q and K come from one
 * product with [W_Q | W_K]; scores, softmax and the weighted sum are one backend.attention.
 */
export class SlimAttention extends AttentionBase {
  private readonly t: Uploaded<
    Omit<KCacheProjections, 'wQ' | 'wK' | 'bQ' | 'bK'> & {
      wQK: Matrix64;
      bQK: Float64Array | undefined;
    }
  >;
  private readonly slim: SlimConfig;

  constructor(backend: Backend, w: AttentionWeights, config: SlimConfig, dims: LayerDims) {
    super(backend, config, dims, [new RowCache(backend, 'K', dims.e)]);
    this.slim = config;
    const { wQ, wK, bQ, bK, ...rest } = kCacheProjections(w, config);
    // Q and K of a step in one product, [W_Q | W_K] (the step's norm as its prologue); with
    // its bias and W_O the standard layer's too (standard.ts): shared.
    this.t = this.uploadAll({ ...rest, ...fusedQK({ wQ, wK, bQ, bK }, backend) }, SHARED_QK_O);
  }

  protected forward(x: Tensor, n0: number, { norm, residual }: AttentionStepOptions): Tensor {
    const { t } = this;
    const b = this.backend;
    const { heads, e } = this.dims;
    const [kCache] = this.caches;
    const cacheRotated = this.config.rope !== undefined && this.slim.ropeCache === 'rotated';
    const qk = this.project(x, t.wQK, t.bQK, { norm });
    // A rotated cache: q and k side by side are 2h heads rotated by one op. A raw one: q alone.
    const qkRotated = cacheRotated ? this.rope(qk, n0, false, 2 * heads) : qk;
    const q = cacheRotated ? b.colsView(qkRotated, 0, e) : this.rope(b.colsView(qk, 0, e), n0);
    kCache.append(b.colsView(qkRotated, e, 2 * e));

    const cached = kCache.view();
    const kRotated = cacheRotated ? cached : this.rope(cached, 0);
    const kRaw = cacheRotated ? this.rope(cached, 0, true) : cached;
    const y = this.valueSum(q, kRotated, kRaw, t.wKV, this.slim.decodeOrder, n0);
    return this.project(y, t.wO, t.bO, { residual });
  }
}
