/** What every cross-attention scheme shares: input checks, projections, caches, lifetime. */
import type { Backend } from '../backend';
import type { Matrix64 } from '../linalg';
import { EngineInputError, shapeString, type Tensor } from '../tensor';
import { sumCacheStats, type RowCache } from './cache';
import type { CacheStats, CrossAttentionConfig, CrossAttentionLayer } from './types';
import { layerName, type LayerDims } from './weights';

export abstract class CrossAttentionBase implements CrossAttentionLayer {
  private readonly owned: Tensor[] = [];
  private disposed = false;
  /** 1/sqrt(d_k), the score scale (paper §1). */
  protected readonly scoreScale: number;

  protected constructor(
    protected readonly backend: Backend,
    readonly config: CrossAttentionConfig,
    protected readonly dims: LayerDims,
    protected readonly caches: readonly RowCache[],
  ) {
    this.scoreScale = 1 / Math.sqrt(dims.headDim);
  }

  abstract get encoderLength(): number;

  setEncoderOutput(e: Tensor): void {
    this.checkInput('setEncoderOutput', 'the encoder output E', e);
    try {
      this.backend.scope(() => this.encode(e));
    } catch (error) {
      for (const c of this.caches) c.reset();
      throw error;
    }
  }

  attend(x: Tensor): Tensor {
    this.checkInput('attend', 'x', x);
    if (this.encoderLength === 0) {
      throw new EngineInputError(
        `${layerName(this.config)} attend: no encoder output yet, call setEncoderOutput(E) first`,
      );
    }
    return this.backend.scope(() => this.forward(x));
  }

  cacheStats(): CacheStats {
    return sumCacheStats(this.caches);
  }

  reset(): void {
    for (const c of this.caches) c.reset();
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.caches) c.dispose();
    for (const t of this.owned.splice(0)) if (!t.disposed) t.dispose();
  }

  /** The cross phase for E [p, d]: fills the layer's caches. Runs inside a scope. */
  protected abstract encode(e: Tensor): void;

  /** x [m, d] → [m, d] against the cached encoder rows. Runs inside a scope. */
  protected abstract forward(x: Tensor): Tensor;

  /** Probabilities [heads·m, p] of the queries of x against keys k [p, e]: no causal mask. */
  protected probs(x: Tensor, wQ: Tensor, bQ: Tensor | undefined, k: Tensor): Tensor {
    const q = this.project(x, wQ, bQ);
    return this.backend.attnProbs(q, k, { heads: this.dims.heads, scale: this.scoreScale });
  }

  protected project(x: Tensor, w: Tensor, b: Tensor | undefined): Tensor {
    return this.backend.linear(x, w, { bias: b });
  }

  protected upload(m: Matrix64): Tensor {
    return this.own(this.backend.fromArray(m.data, [m.rows, m.cols]));
  }

  protected uploadBias(b: Float64Array | undefined): Tensor | undefined {
    return b && this.own(this.backend.fromArray(b, [b.length]));
  }

  private own(t: Tensor): Tensor {
    this.owned.push(this.backend.keep(t));
    return t;
  }

  private checkInput(op: string, what: string, x: Tensor): void {
    const name = layerName(this.config);
    if (this.disposed) throw new EngineInputError(`${name} ${op}: the layer is disposed`);
    if (x.shape.length !== 2 || x.shape[0] < 1 || x.shape[1] !== this.dims.d) {
      throw new EngineInputError(
        `${name} ${op}: ${what} must be [rows ≥ 1, ${this.dims.d}], got ${shapeString(x.shape)}`,
      );
    }
    if (x.disposed) throw new EngineInputError(`${name} ${op}: ${what} is disposed`);
  }
}
