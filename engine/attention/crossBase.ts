/**
 * What every cross-attention scheme shares: input checks, the cross phase with cache reset on
 * failure, the unmasked scores; uploads, projections, caches and lifetime come from LayerCore
 * (shared with self-attention).
 */
import { EngineInputError, shapeString, type Tensor } from '../tensor';
import { LayerCore } from './layerCore';
import type { CrossAttentionConfig, CrossAttentionLayer } from './types';
import { layerName } from './weights';

export abstract class CrossAttentionBase
  extends LayerCore<CrossAttentionConfig>
  implements CrossAttentionLayer
{
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

  /** The cross phase for E [p, d]: fills the layer's caches. Runs inside a scope. */
  protected abstract encode(e: Tensor): void;

  /** x [m, d] → [m, d] against the cached encoder rows. Runs inside a scope. */
  protected abstract forward(x: Tensor): Tensor;

  /** softmax(q_i k_iᵀ/√d_k) · v per head for keys k [p, e] and values v [p, e]: no causal mask. */
  protected attendKeys(q: Tensor, k: Tensor, v: Tensor): Tensor {
    return this.backend.attention(q, k, v, { heads: this.dims.heads, scale: this.scoreScale });
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
