/**
 * The float32 CPU backend's products: the fast path behind matmul, linear (with its bias and
 * activation fused), headBlockMatmul, attnWeightedSum and attnProbs. Two implementations with one
 * interface: WebAssembly SIMD (wasm/wasmKernels.ts, the default) and plain TypeScript
 * (jsKernels.ts: register-blocked loops accumulating in locals), used where WebAssembly or its
 * SIMD is unavailable or the module fails to instantiate. The float64 backend uses neither: its
 * plain loops (backend.ts) are the reference the tests compare both to.
 */
import type { LinearActivation } from '../backend';
import type { CpuTensor, HeapStorage } from './tensor';

export type { HeapStorage } from './tensor';

/** Activation codes shared with the WebAssembly kernels (wasm/assembly/kernels.ts). */
export const ACTIVATION: Record<LinearActivation, number> = { none: 0, gelu: 1, silu: 2 };

/**
 * A left operand: its values (a view's are a prefix of its base's) and, for a tensor, the tensor
 * that owns the storage (whose WebAssembly copy, if it has one, is used as is); none for a
 * backend's temporary (normalised rows, probabilities).
 */
export interface Values {
  root?: CpuTensor;
  data: Float32Array;
}

/** A right operand (a weight, a cache): a tensor, whose storage keys its WebAssembly copy. */
export interface Operand extends Values {
  root: CpuTensor;
}

/**
 * The fused attention's sizes: heads query heads over kvHeads key/value heads, m queries, n keys
 * of dk values, and value heads `width` wide (the value matrix's whole width with allValues).
 */
export interface AttentionDims {
  heads: number;
  kvHeads: number;
  m: number;
  n: number;
  dk: number;
  width: number;
}

export interface ProductKernels {
  /** 'wasm-simd' or 'js'. */
  readonly name: KernelName;
  /**
   * out [m, n] = act(a · b + bias): a [m, k]; b [k, n], or [n, k] with transposeB (a · bᵀ);
   * bias of length n or none; act an ACTIVATION code.
   */
  linear(
    a: Values,
    b: Operand,
    m: number,
    k: number,
    n: number,
    transposeB: boolean,
    bias: Operand | undefined,
    act: number,
    out: Float32Array,
  ): void;
  /**
   * The block-diagonal product: a [heads·m, k] (head h's rows at [h·m, (h+1)·m)), b
   * [k, bHeads·width] → out [m, heads·width], column block h = a_h · b_⌊h/g⌋, g = heads/bHeads
   * (bHeads = heads but for grouped-query values, where g heads read one value head).
   */
  block(
    a: Values,
    b: Operand,
    heads: number,
    bHeads: number,
    m: number,
    k: number,
    width: number,
    out: Float32Array,
  ): void;
  /**
   * attnProbs: q [m, heads·dk], k [n, kvHeads·dk] → out [heads·m, n], row h·m + i =
   * softmax(q_h,i · k_⌊h/g⌋ᵀ · scale) over the columns j ≤ i + causal (all if causal < 0), 0
   * beyond; g = heads/kvHeads (1 for MHA; grouped-query heads share a key head in place).
   */
  attnProbs(
    q: Values,
    k: Operand,
    heads: number,
    kvHeads: number,
    m: number,
    n: number,
    dk: number,
    scale: number,
    causal: number,
    out: Float32Array,
  ): void;
  /**
   * attnProbs then the weighted sum in one call, the probabilities kept in the kernels' own
   * scratch space (never a JavaScript array): out [m, heads·width] = block product of the
   * probabilities with v (or, with `allValues`, out [heads·m, v columns] = probabilities · v).
   * `checkProbs` sees the probabilities before they are used (the backend's finiteness check).
   * Returns false where there is no room (the caller then runs the two calls).
   */
  attention?(
    q: Values,
    k: Operand,
    v: Operand,
    shape: AttentionDims,
    scale: number,
    causal: number,
    allValues: boolean,
    checkProbs: (p: Float32Array) => void,
    out: Float32Array,
  ): boolean;
  /** `values` were written into root's storage at element `offset` (writeRows). */
  written(root: CpuTensor, offset: number, values: Float32Array): void;
  /** root was disposed: drop whatever is kept for it. */
  released(root: CpuTensor): void;
  /**
   * Storage for an uploaded tensor's values (or for `values` zeros: a cache) in the kernels' own
   * memory (WebAssembly: weights and caches then exist once, not as a JavaScript array plus a
   * copy), or null where there is none or no room; the backend then keeps them in a JavaScript
   * array.
   */
  store?(values: ArrayLike<number> | number): HeapStorage | null;
  /** t's storage came from store(): free it if t is collected without dispose(). */
  stored?(t: CpuTensor): void;
}

export type KernelName = 'wasm-simd' | 'js';
