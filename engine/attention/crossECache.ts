import type { Backend } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import { CrossAttentionBase } from './crossBase';
import type { ECache } from './eCache';
import type { AttentionWeights, CrossAttentionConfig } from './types';
import { foldOutputBias, layerName, type LayerDims } from './weights';

type Option2Config = Extract<CrossAttentionConfig, { scheme: 'e-cache' }>;

/**
 * Cross-attention option 2 (paper §4): no per-layer cross cache. Every layer reads the shared
 * E-cache (p·d values once) and recomputes K = E W_K + b_K per decoder step; the values are
 * V = E W_V ('v-first') or the per-head (s·E) W_V ('k-first'), which never forms V. b_V folds
 * into the output bias, since each query's probabilities sum to 1 (paper Appendix F). The
 * cross phase does no work here: W_K and W_V are read per token instead.
 */
export class CrossECacheAttention extends CrossAttentionBase {
  private readonly wQ: Tensor;
  private readonly wK: Tensor;
  private readonly wV: Tensor;
  private readonly wO: Tensor;
  private readonly bQ?: Tensor;
  private readonly bK?: Tensor;
  private readonly bO?: Tensor;
  private readonly eCache: ECache;
  private readonly kFirst: boolean;

  constructor(backend: Backend, w: AttentionWeights, config: Option2Config, dims: LayerDims) {
    super(backend, config, dims, []);
    const { eCache } = config;
    const name = layerName(config);
    if (!eCache || typeof eCache.holds !== 'function') {
      throw new EngineInputError(`${name}: the 'e-cache' scheme needs an ECache in config.eCache`);
    }
    if (eCache.backend !== backend) {
      throw new EngineInputError(`${name}: the E-cache lives on another backend than the layer`);
    }
    if (eCache.d !== dims.d) {
      throw new EngineInputError(
        `${name}: the E-cache holds rows of width ${eCache.d}, the layer's d is ${dims.d}`,
      );
    }
    this.eCache = eCache;
    this.kFirst = config.decodeOrder === 'k-first';
    this.wQ = this.upload(w.wQ);
    this.wK = this.upload(w.wK);
    this.wV = this.upload(w.wV);
    this.wO = this.upload(w.wO);
    this.bQ = this.uploadBias(w.bQ);
    this.bK = this.uploadBias(w.bK);
    this.bO = this.uploadBias(foldOutputBias(w.bV, w.wO, w.bO));
  }

  get encoderLength(): number {
    return this.eCache.length;
  }

  protected encode(e: Tensor): void {
    if (!this.eCache.holds(e)) this.eCache.set(e);
  }

  protected forward(x: Tensor): Tensor {
    const { heads } = this.dims;
    const e = this.eCache.view();
    const p = this.probs(x, this.wQ, this.bQ, this.project(e, this.wK, this.bK));
    const y = this.kFirst
      ? this.backend.headBlockMatmul(this.backend.matmul(p, e), this.wV, heads)
      : this.backend.attnWeightedSum(p, this.backend.matmul(e, this.wV), heads);
    return this.project(y, this.wO, this.bO);
  }
}
