import type { DType, Shape, Tensor, TypedArray } from './tensor';

/** RoPE pairing conventions (paper Appendix E). */
export type RopePairing =
  /** Hugging Face Llama/NeoX "rotate_half": pairs (j, j + r/2) within a head. */
  | 'half'
  /** Original RoFormer / GPT-J: pairs (2j, 2j + 1). */
  | 'interleaved';

export interface RopeOptions {
  /** Number of heads laid side by side in the columns; each head is cols/heads wide. */
  heads: number;
  /** Position of row 0 (m in paper Appendix E); row r has position positionOffset + r. */
  positionOffset: number;
  pairing: RopePairing;
  /** θ base, 10000 for most models. */
  base: number;
  /** Leading dims of each head that rotate (GPT-NeoX rotary_pct); defaults to the head width. */
  rotaryDim?: number;
  /** Rotate by −mθ: undoes a previous rotation exactly (paper Appendix E "decode"). */
  inverse?: boolean;
}
// Convention (both backends): pair (x1, x2) at position m, θ_j = base^(−2j/rotaryDim), becomes
// (x1·cos mθ_j − x2·sin mθ_j, x1·sin mθ_j + x2·cos mθ_j), as Hugging Face's rotate_half and
// GPT-J's rotate_every_two. paper Appendix E writes the mirror image (angle −mθ); only matching HF
// checkpoints needs this sign. Columns at rotaryDim and beyond pass through unchanged.

export interface AttnProbsOptions {
  /** Number of heads; q and k are [·, heads·d_k] column blocks. */
  heads: number;
  /** Multiplies the scores, normally 1/sqrt(d_k). */
  scale: number;
  /**
   * Causal mask: query row r may see key rows j ≤ r + causalOffset. Prefill uses 0,
   * decode of one token at position n−1 uses n−1. Omit for no mask (encoder, cross).
   */
  causalOffset?: number;
  /**
   * Key/value heads h_kv (grouped-query attention, paper Appendix G; MQA when 1): k is
   * [n, h_kv·d_k] (and a per-head v [n, h_kv·d_v]), and query head i reads key/value head
   * ⌊i / g⌋, g = heads / h_kv, in place: no head is copied. Defaults to heads (MHA).
   */
  kvHeads?: number;
}

/** The activation a fused linear applies after its bias. */
export type LinearActivation = 'none' | 'gelu' | 'silu';

/** The row normalisations of the decoder families: LayerNorm (GPT-2, NeoX) or RMSNorm (Llama). */
export type NormKind = 'layerNorm' | 'rmsNorm';

/**
 * A row normalisation as a linear's prologue: each row of a, over its k values, becomes
 * (a − mean)·γ/√(var + eps) + β (layerNorm) or a·γ/√(mean(a²) + eps) (rmsNorm), exactly as the
 * `layerNorm` / `rmsNorm` ops compute it.
 */
export interface RowNorm {
  kind: NormKind;
  /** Length-k gain γ. */
  gamma: Tensor;
  /** Length-k shift β: required by layerNorm, refused by rmsNorm. */
  beta?: Tensor;
  eps: number;
}

export interface LinearOptions {
  /** With transposeB, b is [n, k] and a · bᵀ is computed. */
  transposeB?: boolean;
  /** Length-n bias added to every row. */
  bias?: Tensor;
  /** Applied after the bias; 'none' by default. */
  activation?: LinearActivation;
  /** Prologue: a's rows are normalised first (a block's pre-norm feeding its projection). */
  norm?: RowNorm;
  /**
   * A second product of the same (normalised) rows that multiplies the first, after its
   * activation: act(norm(a)·b + bias) ⊙ (norm(a)·times.weight + times.bias). Llama's SiLU-gated
   * MLP, silu(x·W_gate) ⊙ (x·W_up), in one op. The weight has b's shape (and its transposeB).
   */
  times?: { weight: Tensor; bias?: Tensor };
  /** Epilogue: an [m, n] tensor added last (the residual stream a block adds its output to). */
  residual?: Tensor;
}

/** attention's options: attnProbs's, and which columns of v each head's probabilities weight. */
export interface AttentionOptions extends AttnProbsOptions {
  /**
   * 'per-head' (default): head i weights its own column block of v, v [n, heads·d_v] →
   * [m, heads·d_v] (as attnWeightedSum). 'all': head i weights every column of v, v [n, c] →
   * [heads·m, c], head i's rows at [i·m, (i+1)·m): slim option 2's s_i·K (paper §2), which
   * headBlockMatmul then multiplies by W_KV,i.
   */
  values?: 'per-head' | 'all';
}

export interface AllocationStats {
  /** Tensors alive now (created and not yet disposed), views excluded. */
  liveTensors: number;
  /** Bytes held by live tensors. */
  liveBytes: number;
  /**
   * Kernel launches since the backend was made (WebGL: draw calls, the cost per decode step
   * on a real GPU); absent on the CPU backend, which has none.
   */
  draws?: number;
}

/**
 * The op interface every backend implements (docs/ARCHITECTURE.md).
 * Ops are synchronous and return new tensors; only Tensor.read() is async. Every op
 * validates shapes and throws EngineInputError with a clear message. All tensors on
 * one backend share its dtype.
 */
export interface Backend {
  readonly name: string;
  readonly dtype: DType;

  // ---- creation and storage ----
  /** Uploads host values (validated finite) as a tensor of the backend's dtype. */
  fromArray(data: ArrayLike<number>, shape: Shape): Tensor;
  zeros(shape: Shape): Tensor;
  /**
   * Copies the rows of src into dst starting at row rowOffset, in place (dst is mutated).
   * Used by caches to append a token without copying the cache.
   */
  writeRows(dst: Tensor, rowOffset: number, src: Tensor): void;
  /**
   * The first `rowCount` rows of x as a tensor that shares x's storage (no copy). A view
   * must not outlive x; disposing a view is a no-op.
   */
  rowsView(x: Tensor, rowCount: number): Tensor;
  /** A copy of columns [start, end) of a 2-D tensor. */
  sliceCols(x: Tensor, start: number, end: number): Tensor;
  /**
   * Columns [start, end) of x for reading, without a copy where the backend can (WebGL: start
   * a multiple of 4 and end too, or x's last column), else a copy; how a fused Q/K/V product's
   * output is split. Like a rowsView it must not outlive x and is never written to; disposing
   * it frees only a copy.
   */
  colsView(x: Tensor, start: number, end: number): Tensor;
  /** A copy of rows [start, end) of a 2-D tensor. */
  sliceRows(x: Tensor, start: number, end: number): Tensor;
  /** Concatenates 2-D tensors with equal row counts side by side. */
  concatCols(parts: readonly Tensor[]): Tensor;

  // ---- linear algebra ----
  /** a [m,k] · b [k,n] → [m,n]; with transposeB, b is [n,k] and a · bᵀ is computed. */
  matmul(a: Tensor, b: Tensor, options?: { transposeB?: boolean }): Tensor;
  /**
   * act(norm(a) · b + bias) [⊙ (norm(a) · times.weight + times.bias)] + residual: a projection
   * with its bias and activation (GELU, tanh form as GPT-2's "gelu_new", or SiLU), optionally
   * the row normalisation before it (the block's LayerNorm or RMSNorm), a second product that
   * gates it (a SiLU-gated MLP) and the residual add after it. The WebGL backend fuses them
   * into the product's prologue and epilogue (one draw for a decode row). On the CPU, float64
   * (the reference) runs the ops one after the other (engine/cpu/fused.ts); float32 (the fast
   * path) fuses bias and activation into its product kernel and the norm and residual into one
   * pass, with the same roundings.
   */
  linear(a: Tensor, b: Tensor, options?: LinearOptions): Tensor;
  /**
   * Block-diagonal multi-head product (slim option 2, paper §2): u is [heads·m, dIn] with
   * head i's rows at [i·m, (i+1)·m); w is [dIn, heads·dOut]. Output [m, heads·dOut] whose
   * column block i is u_i · w_i. One product for all heads.
   */
  headBlockMatmul(u: Tensor, w: Tensor, heads: number): Tensor;

  // ---- elementwise and normalisation ----
  add(a: Tensor, b: Tensor): Tensor;
  mul(a: Tensor, b: Tensor): Tensor;
  scale(x: Tensor, factor: number): Tensor;
  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor;
  rmsNorm(x: Tensor, gamma: Tensor, eps: number): Tensor;
  /** Row-wise softmax; with causalOffset, row r keeps only columns j ≤ r + causalOffset. */
  softmax(x: Tensor, options?: { causalOffset?: number }): Tensor;
  rope(x: Tensor, options: RopeOptions): Tensor;
  /** Rows of table [V, d] picked by integer ids → [ids.length, d]. */
  gather(table: Tensor, ids: ArrayLike<number>): Tensor;
  /** Index of the largest value of each row, as a [m, 1] tensor of integers. */
  argmax(x: Tensor): Tensor;

  // ---- attention building blocks ----
  /**
   * softmax(q_i k_iᵀ · scale + mask) for every head i. q [m, heads·d_k], k [n, heads·d_k]
   * → probabilities [heads·m, n], head i's rows at [i·m, (i+1)·m).
   */
  attnProbs(q: Tensor, k: Tensor, options: AttnProbsOptions): Tensor;
  /**
   * Σ_j p_ij v_j per head: p [heads·m, n], v [n, heads·d_v] → [m, heads·d_v] (heads concatenated).
   * With kvHeads h_kv (grouped-query attention), v is [n, h_kv·d_v] and head i weights value
   * head ⌊i / (heads / h_kv)⌋.
   */
  attnWeightedSum(p: Tensor, v: Tensor, heads: number, kvHeads?: number): Tensor;
  /**
   * softmax(q_i k_iᵀ · scale + mask) · v per head: attnProbs then attnWeightedSum (or, with
   * values 'all', then p · v), as one op. q [m, heads·d_k], k [n, heads·d_k], v [n, ·]; with
   * kvHeads h_kv, k [n, h_kv·d_k] and a per-head v [n, h_kv·d_v] shared by each group. The
   * WebGL backend runs a decode row's scores, softmax and weighted sum in one draw.
   */
  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor;

  // ---- lifetime ----
  /**
   * Runs fn and disposes every tensor created inside it that is not returned (a tensor, or
   * tensors directly inside a returned array or plain object) and not kept with keep().
   * Returned tensors then belong to the enclosing scope, if any. If fn throws, everything it
   * created is disposed. fn must be synchronous.
   */
  scope<T>(fn: () => T): T;
  /** Exempts t from the enclosing scope's cleanup. */
  keep<T extends Tensor>(t: T): T;
  stats(): AllocationStats;
  /** Frees pooled storage; the backend stays usable. */
  dispose(): void;
}

export type { Tensor, TypedArray, DType, Shape };

/** norm(x) with the backend's layerNorm or rmsNorm op: a RowNorm applied on its own. */
export function normalizeRows(backend: Backend, x: Tensor, norm: RowNorm): Tensor {
  return norm.kind === 'rmsNorm'
    ? backend.rmsNorm(x, norm.gamma, norm.eps)
    : backend.layerNorm(x, norm.gamma, norm.beta as Tensor, norm.eps);
}
