/**
 * What every causal (decoder) attention layer shares: input checks and the prefill and decode
 * steps with cache rollback on failure (CausalLayer, also the grouped-query layer's base), plus
 * RoPE for the self-attention variants (AttentionBase); uploads, projections, caches and
 * lifetime come from LayerCore (shared with cross-attention).
 */
import { EngineInputError, shapeString, type Tensor } from '../tensor';
import { LayerCore } from './layerCore';
import type { AttentionConfig, AttentionLayer, AttentionStepOptions } from './types';
import { layerName } from './weights';

export abstract class CausalLayer<
  C extends { label?: string; scoreScale?: number; window?: number },
> extends LayerCore<C> {
  /** Tokens processed since the last reset (with a window, more than the cache holds). */
  private seen = 0;

  /** Tokens seen so far (n): the position of the next token. */
  get length(): number {
    return this.seen;
  }

  reset(): void {
    super.reset();
    this.seen = 0;
  }

  prefill(x: Tensor, options: AttentionStepOptions = {}): Tensor {
    this.checkInput('prefill', x, -1);
    return this.step(x, options);
  }

  decode(x: Tensor, options: AttentionStepOptions = {}): Tensor {
    this.checkInput('decode', x, 1);
    return this.step(x, options);
  }

  /**
   * x [m, d] holds the next m tokens; n0 is the number of rows already cached (the position of
   * the first, unless a sliding window dropped older rows: then the causal offset of the
   * cached rows). Appends m rows to the caches and returns the attention output [m, d] (over
   * norm(x), plus the residual, when the options have them). Runs inside a scope.
   */
  protected abstract forward(x: Tensor, n0: number, options: AttentionStepOptions): Tensor;

  /** Names the layer in error messages. */
  protected get name(): string {
    return layerName(this.config);
  }

  /**
   * Runs forward in a scope; if it throws, the caches are rolled back to their old length.
   * With a sliding window, the caches then keep only the window − 1 rows the next token's
   * query sees besides its own.
   */
  private step(x: Tensor, options: AttentionStepOptions): Tensor {
    const n0 = this.caches[0].rows;
    let out: Tensor;
    try {
      out = this.backend.scope(() => this.forward(x, n0, options));
    } catch (error) {
      for (const c of this.caches) if (c.rows > n0) c.truncate(n0);
      throw error;
    }
    this.seen += x.shape[0];
    const window = this.config.window;
    if (window !== undefined) for (const c of this.caches) c.keepLast(window - 1);
    return out;
  }

  private checkInput(op: string, x: Tensor, rowCount: number): void {
    const { name } = this;
    if (this.disposed) throw new EngineInputError(`${name} ${op}: the layer is disposed`);
    const ok =
      x.shape.length === 2 &&
      x.shape[1] === this.dims.d &&
      (rowCount < 0 ? x.shape[0] >= 1 : x.shape[0] === rowCount);
    if (!ok) {
      const want = rowCount < 0 ? `[p ≥ 1, ${this.dims.d}]` : `[${rowCount}, ${this.dims.d}]`;
      throw new EngineInputError(`${name} ${op}: x must be ${want}, got ${shapeString(x.shape)}`);
    }
    if (x.disposed) throw new EngineInputError(`${name} ${op}: x is disposed`);
  }
}

export abstract class AttentionBase extends CausalLayer<AttentionConfig> implements AttentionLayer {
  /**
   * RoPE of rows at positions offset, offset+1, … (identity when the layer has none). `heads`
   * is the number of head-wide blocks of x: 2·h rotates q and k side by side in one op.
   */
  protected rope(
    x: Tensor,
    positionOffset: number,
    inverse = false,
    heads = this.dims.heads,
  ): Tensor {
    const rope = this.config.rope;
    if (!rope) return x;
    return this.backend.rope(x, { heads, positionOffset, inverse, ...rope });
  }
}
