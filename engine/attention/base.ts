/** What every attention variant shares: input checks, projections, RoPE, caches, lifetime. */
import type { Backend } from '../backend';
import type { Matrix64 } from '../linalg';
import { EngineInputError, shapeString, type Tensor } from '../tensor';
import { sumCacheStats, type RowCache } from './cache';
import type { AttentionConfig, AttentionLayer, CacheStats } from './types';
import { layerName, type LayerDims } from './weights';

export abstract class AttentionBase implements AttentionLayer {
  /** Uploaded tensors this layer owns (weights, biases). */
  private readonly owned: Tensor[] = [];
  private disposed = false;
  /** 1/sqrt(d_k), the score scale (paper §1). */
  protected readonly scoreScale: number;

  protected constructor(
    protected readonly backend: Backend,
    readonly config: AttentionConfig,
    protected readonly dims: LayerDims,
    protected readonly caches: readonly RowCache[],
  ) {
    this.scoreScale = 1 / Math.sqrt(dims.headDim);
  }

  get length(): number {
    return this.caches[0].rows;
  }

  prefill(x: Tensor): Tensor {
    this.checkInput('prefill', x, -1);
    return this.step(x);
  }

  decode(x: Tensor): Tensor {
    this.checkInput('decode', x, 1);
    return this.step(x);
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

  /**
   * x [m, d] holds tokens at positions n0 … n0+m−1, where n0 is the number already cached.
   * Appends m rows to the caches and returns the attention output [m, d]. Runs inside a scope.
   */
  protected abstract forward(x: Tensor, n0: number): Tensor;

  /** Runs forward in a scope; if it throws, the caches are rolled back to their old length. */
  private step(x: Tensor): Tensor {
    const n0 = this.length;
    try {
      return this.backend.scope(() => this.forward(x, n0));
    } catch (error) {
      for (const c of this.caches) if (c.rows > n0) c.truncate(n0);
      throw error;
    }
  }

  /** Uploads a host matrix once; kept out of any caller's scope, freed by dispose(). */
  protected upload(m: Matrix64): Tensor {
    return this.own(this.backend.fromArray(m.data, [m.rows, m.cols]));
  }

  protected uploadBias(b: Float64Array | undefined): Tensor | undefined {
    return b && this.own(this.backend.fromArray(b, [b.length]));
  }

  /** x W + b, one backend.linear (bias fused into the product on WebGL). */
  protected project(x: Tensor, w: Tensor, b: Tensor | undefined): Tensor {
    return this.backend.linear(x, w, { bias: b });
  }

  /** RoPE of rows at positions offset, offset+1, … (identity when the layer has none). */
  protected rope(x: Tensor, positionOffset: number, inverse = false): Tensor {
    const rope = this.config.rope;
    if (!rope) return x;
    return this.backend.rope(x, { heads: this.dims.heads, positionOffset, inverse, ...rope });
  }

  private own(t: Tensor): Tensor {
    this.owned.push(this.backend.keep(t));
    return t;
  }

  private checkInput(op: string, x: Tensor, rowCount: number): void {
    if (this.disposed)
      throw new EngineInputError(`${layerName(this.config)} ${op}: the layer is disposed`);
    const ok =
      x.shape.length === 2 &&
      x.shape[1] === this.dims.d &&
      (rowCount < 0 ? x.shape[0] >= 1 : x.shape[0] === rowCount);
    if (!ok) {
      const want = rowCount < 0 ? `[p ≥ 1, ${this.dims.d}]` : `[${rowCount}, ${this.dims.d}]`;
      throw new EngineInputError(
        `${layerName(this.config)} ${op}: x must be ${want}, got ${shapeString(x.shape)}`,
      );
    }
    if (x.disposed) throw new EngineInputError(`${layerName(this.config)} ${op}: x is disposed`);
  }
}
