import type { Backend } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import { CrossAttentionBase } from './crossBase';
import type { ECache } from './eCache';
import type { Uploaded } from './layerCore';
import type { AttentionWeights, CrossAttentionConfig } from './types';
import {
  foldOutputBias,
  layerName,
  projections,
  type LayerDims,
  type Projections,
} from './weights';

type Option2Config = Extract<CrossAttentionConfig, { scheme: 'e-cache' }>;

/**
 * Cross-attention option 2 (paper §4): no per-layer cross cache. Every layer reads the shared
 * E-cache (p·d values once) and recomputes K = E W_K + b_K per decoder step; the values are
 * V = E W_V ('v-first') or the per-head (s·E) W_V ('k-first'), which never forms V. b_V folds
 * into the output bias, since each query's probabilities sum to 1 (paper Appendix F). The
 * cross phase does no work here: W_K and W_V are read per token instead.
 */
export class CrossECacheAttention extends CrossAttentionBase {
  private readonly t: Uploaded<Omit<Projections, 'bV'>>;
  private readonly eCache: ECache;
  private readonly slim: Option2Config;

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
    this.slim = config;
    const { bV, ...rest } = projections(w);
    this.t = this.uploadAll({ ...rest, bO: foldOutputBias(bV, w.wO, w.bO) });
  }

  get encoderLength(): number {
    return this.eCache.length;
  }

  protected encode(e: Tensor): void {
    if (!this.eCache.holds(e)) this.eCache.set(e);
  }

  protected forward(x: Tensor): Tensor {
    const { t } = this;
    const e = this.eCache.view();
    const q = this.project(x, t.wQ, t.bQ);
    const y = this.valueSum(
      q,
      this.project(e, t.wK, t.bK),
      e,
      t.wV,
      this.slim.decodeOrder ?? 'v-first',
    );
    return this.project(y, t.wO, t.bO);
  }
}
