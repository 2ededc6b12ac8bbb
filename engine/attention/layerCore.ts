/**
 * What self-attention (base.ts) and cross-attention (crossBase.ts) layers share: the weights
 * they upload and own, the projections, the value side of slim decode in either order, the
 * caches and the layer's lifetime.
 */
import type { DecodeOrder } from '../../roofline';
import { normalizeRows, type Backend, type LinearOptions } from '../backend';
import type { Tensor } from '../tensor';
import { sumCacheStats, type RowCache } from './cache';
import type { AttentionStepOptions, CacheStats, SharedWeights } from './types';
import type { HostMatrix, LayerDims, LazyMatrix } from './weights';

export type { LazyMatrix } from './weights';
import { windowedProbs } from './window';

/**
 * A host weight a layer uploads: a matrix, or a bias vector (absent when the model has none).
 * A matrix's values may be given as a function forming them, called only when the matrix is
 * uploaded (not when a shared store holds it already).
 */
export type HostWeight = HostMatrix | LazyMatrix | Float64Array | undefined;

/** The tensors uploadAll returns, one per host weight, under the same names (biases optional). */
export type Uploaded<T> = {
  readonly [K in keyof T]: T[K] extends HostMatrix | LazyMatrix ? Tensor : Tensor | undefined;
};

export abstract class LayerCore<
  C extends { label?: string; scoreScale?: number; window?: number; shared?: SharedWeights },
> {
  /** Uploaded tensors this layer owns (weights, biases). */
  private readonly owned: Tensor[] = [];
  /** Tensors held in config.shared (released, not disposed, by dispose()). */
  private readonly held: Tensor[] = [];
  private isDisposed = false;
  /** The score scale: the config's, else 1/sqrt(d_k) (paper §1). */
  protected readonly scoreScale: number;

  protected constructor(
    protected readonly backend: Backend,
    readonly config: C,
    protected readonly dims: LayerDims,
    protected readonly caches: readonly RowCache[],
  ) {
    this.scoreScale = config.scoreScale ?? 1 / Math.sqrt(dims.headDim);
  }

  cacheStats(): CacheStats {
    return sumCacheStats(this.caches);
  }

  reset(): void {
    for (const c of this.caches) c.reset();
  }

  dispose(): void {
    this.isDisposed = true;
    for (const c of this.caches) c.dispose();
    for (const t of this.owned.splice(0)) if (!t.disposed) t.dispose();
    for (const t of this.held.splice(0)) this.config.shared?.release(t);
  }

  /** Whether dispose() has run. */
  protected get disposed(): boolean {
    return this.isDisposed;
  }

  /** Uploads a host matrix once; kept out of any caller's scope, freed by dispose(). */
  protected upload(m: HostMatrix): Tensor {
    return this.own(this.backend.fromArray(m.data, [m.rows, m.cols]));
  }

  protected uploadBias(b: Float64Array | undefined): Tensor | undefined {
    return b && this.own(this.backend.fromArray(b, [b.length]));
  }

  /**
   * Uploads every weight of `host` (matrices and bias vectors) once, under the same names; an
   * absent bias stays undefined. A weight named in `sharedAs` is taken from config.shared
   * under that name where the layer has a store (another layer of the same weights may have
   * uploaded it): only weights that are the same values in every scheme may be named.
   */
  protected uploadAll<T extends { [K in keyof T]: HostWeight }>(
    host: T,
    sharedAs: { [K in keyof T]?: string } = {},
  ): Uploaded<T> {
    const out: Record<string, Tensor | undefined> = {};
    const store = this.config.shared;
    for (const [name, value] of Object.entries(host) as [string, HostWeight][]) {
      const key = (sharedAs as Record<string, string | undefined>)[name];
      if (!value) continue;
      const [shape, values] =
        value instanceof Float64Array
          ? [[value.length], () => value]
          : [[value.rows, value.cols], lazyValues(value)];
      if (key && store) {
        const { tensor } = store.acquire(key, shape, values);
        this.held.push(tensor);
        out[name] = tensor;
      } else {
        out[name] = this.own(this.backend.fromArray(values(), shape));
      }
    }
    return out as Uploaded<T>;
  }

  /**
   * x W + b, one backend.linear (bias fused into the product on WebGL), with a step's norm
   * (prologue) or residual (epilogue) when given.
   */
  protected project(
    x: Tensor,
    w: Tensor,
    b: Tensor | undefined,
    extras: Pick<LinearOptions, 'norm' | 'residual'> = {},
  ): Tensor {
    return this.backend.linear(x, w, { bias: b, ...extras });
  }

  /** x, normalised by the step's norm if it has one: for layers that cache or reuse norm(x). */
  protected normalized(x: Tensor, options: AttentionStepOptions): Tensor {
    return options.norm ? normalizeRows(this.backend, x, options.norm) : x;
  }

  /**
   * softmax(q_i k_iᵀ/√d_k + mask) · V for V = rows · W, the value side of slim decode (paper §2)
   * with W = W_KV for a K-cache or W_V for the E-cache: 'v-first' forms the values rows·W, then
   * one attention; 'k-first' weights the rows themselves (attention with values 'all':
   * s_i·rows for every head i), then one block-diagonal product with W for all heads.
   */
  protected valueSum(
    q: Tensor,
    k: Tensor,
    rows: Tensor,
    w: Tensor,
    order: DecodeOrder,
    causalOffset?: number,
  ): Tensor {
    const b = this.backend;
    const { heads } = this.dims;
    return order === 'k-first'
      ? b.headBlockMatmul(this.windowedAttention(q, k, rows, causalOffset, 'all'), w, heads)
      : this.windowedAttention(q, k, b.matmul(rows, w), causalOffset);
  }

  /**
   * softmax(q_i k_iᵀ·scale + mask)·v per head, as backend.attention (values 'per-head' or
   * 'all'), with the causal mask at `causalOffset` and the config's sliding window. One
   * backend.attention unless the window hides some key from some query (a prefill longer than
   * the window): then the probabilities are formed head by head with the window masked out.
   */
  protected windowedAttention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    causalOffset: number | undefined,
    values: 'per-head' | 'all' = 'per-head',
  ): Tensor {
    const b = this.backend;
    const { heads } = this.dims;
    const window = this.config.window;
    // The last query (row m − 1) sees keys up to m − 1 + causalOffset: the window binds when
    // that is more than `window` keys.
    if (window === undefined || causalOffset === undefined || q.shape[0] + causalOffset <= window)
      return b.attention(q, k, v, { heads, scale: this.scoreScale, causalOffset, values });
    const p = windowedProbs(b, q, k, { heads, scale: this.scoreScale, causalOffset, window });
    return values === 'all' ? b.matmul(p, v) : b.attnWeightedSum(p, v, heads);
  }

  private own(t: Tensor): Tensor {
    this.owned.push(this.backend.keep(t));
    return t;
  }
}

/** The values of a matrix, formed when called if they are lazy. */
function lazyValues(m: HostMatrix | LazyMatrix): () => Float32Array | Float64Array {
  const { data } = m;
  return typeof data === 'function' ? data : () => data;
}
