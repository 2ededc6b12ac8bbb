import type { Backend } from '../backend';
import { matrix64 } from '../linalg';
import { EngineInputError, type Tensor } from '../tensor';
import { AttentionBase } from './base';
import { RowCache } from './cache';
import type { AttentionConfig, AttentionStepOptions, AttentionWeights } from './types';
import { foldOutputBias, layerName, type LayerDims } from './weights';

/**
 * X-cache (paper §3 option 2): caches the d-wide inputs X (n·d values, 2r times smaller than
 * the KV-cache) and needs no inverse. Per head i:
 *   scores_i = ((x W_Q,i + b_Q,i) W_K,iᵀ) Xᵀ / sqrt(d_k)   (b_K cancels in softmax, paper Appendix F)
 *   head_i   = (s_i X) W_V,i + b_V,i                        (b_V folds into the output bias, paper Appendix F)
 * The value side is one block-diagonal product for all heads, as slim option 2.
 */
export class XCacheAttention extends AttentionBase {
  private readonly wQ: Tensor;
  /** W_K,i (d × d_k) per head, so each head's query maps back to d wide. */
  private readonly wKHeads: Tensor[];
  private readonly wV: Tensor;
  private readonly wO: Tensor;
  private readonly bQ?: Tensor;
  private readonly bO?: Tensor;

  constructor(backend: Backend, w: AttentionWeights, config: AttentionConfig, dims: LayerDims) {
    if (config.rope) {
      throw new EngineInputError(
        `${layerName(config)}: the X-cache variant cannot use RoPE: the scores use x_n·W_Q,i·W_K,iᵀ·Xᵀ, and a position-dependent rotation between W_K and Xᵀ breaks that product (paper §3); use the 'k-cache' scheme (v-first) or 'kv'`,
      );
    }
    super(backend, config, dims, [new RowCache(backend, 'X', dims.d)]);
    this.wQ = this.upload(w.wQ);
    this.wKHeads = Array.from({ length: dims.heads }, (_, i) =>
      this.upload(columnBlock(w.wK.data, dims, i)),
    );
    this.wV = this.upload(w.wV);
    this.wO = this.upload(w.wO);
    this.bQ = this.uploadBias(w.bQ);
    this.bO = this.uploadBias(foldOutputBias(w.bV, w.wO, w.bO));
  }

  protected forward(x0: Tensor, n0: number, options: AttentionStepOptions): Tensor {
    const b = this.backend;
    const { heads, headDim } = this.dims;
    const [xCache] = this.caches;
    // The cache holds the layer's input: the normalised x.
    const x = this.normalized(x0, options);
    const m = x.shape[0];
    const q = this.project(x, this.wQ, this.bQ);
    xCache.append(x);
    const cachedX = xCache.view();
    // Probabilities of all heads stacked [heads·m, n], as attnProbs lays them out.
    const p = b.zeros([heads * m, xCache.rows]);
    for (let i = 0; i < heads; i++) {
      const qi = b.sliceCols(q, i * headDim, (i + 1) * headDim);
      const qX = b.matmul(qi, this.wKHeads[i], { transposeB: true }); // [m, d]
      const scores = b.scale(b.matmul(qX, cachedX, { transposeB: true }), this.scoreScale);
      b.writeRows(p, i * m, b.softmax(scores, { causalOffset: n0 }));
    }
    const y = b.headBlockMatmul(b.matmul(p, cachedX), this.wV, heads);
    return this.project(y, this.wO, this.bO, { residual: options.residual });
  }
}

function columnBlock(data: Float64Array, dims: LayerDims, head: number) {
  const { d, e, headDim } = dims;
  const out = matrix64(d, headDim);
  for (let r = 0; r < d; r++) {
    out.data.set(data.subarray(r * e + head * headDim, r * e + (head + 1) * headDim), r * headDim);
  }
  return out;
}
