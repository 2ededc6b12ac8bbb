/**
 * How a product is cut into draws (pure functions, no GL): split-K when the output has too few
 * texels to fill the GPU and the reduction is long (a one-row GEMV over thousands of values),
 * register tiles of tileRows rows for m ≥ 4, the chunking of row reductions (softmax, argmax),
 * and whether decode attention repeats its scores per fragment to stay one draw.
 */

/** Products with at least this many rows use the register-tiled kernel. */
export const TILE_MIN_ROWS = 4;

/** Smallest K-chunk (in texels) of a split product. */
const MIN_K_CHUNK = 16;

/**
 * Split-K only from this many texels of k (1024 values) on: below, the one-draw product's loop
 * is short enough that the second draw (the sum of the chunks) costs more than it saves.
 */
export const MIN_SPLIT_K_TEXELS = 256;

/**
 * Texel fetches one-draw decode attention may spend repeating q·k: every output texel of a head
 * recomputes that head's scores in its loop over the keys. Beyond, the scores get a draw of
 * their own and the second draw reads them (5 fetches per 4 keys instead of d_k + 4): a long
 * serial loop in few fragments is slow on a GPU too (nothing hides its latency), and on
 * SwiftShader this budget is about a millisecond. moby-gpt2 (d_k 32, 32 output texels per
 * row) stays one draw up to n = 512 (s·K of slim option 2, 128 texels: n = 128); GPT-2-small
 * (d_k 64, 192 texels) up to n = 42.
 */
export const FUSED_ATTENTION_FETCHES = 1 << 17;

export interface SplitPlan {
  /** K-chunks, each summed by its own fragments into its own rows. */
  splits: number;
  /** Texels of k per chunk. */
  kChunk: number;
}

/** Split-K chunk count: enough chunks that `parallel` fragments × chunks fill the GPU. */
export function planSplitK(parallel: number, kTex: number, parallelTexels: number): SplitPlan {
  let splits = 1;
  if (parallel < parallelTexels && kTex >= MIN_SPLIT_K_TEXELS) {
    splits = Math.min(Math.ceil(parallelTexels / parallel), Math.floor(kTex / MIN_K_CHUNK));
  }
  const kChunk = Math.ceil(kTex / splits);
  return { splits: Math.ceil(kTex / kChunk), kChunk };
}

/** The row-block targets of the tiled kernel must be plain (unfolded) textures. */
export function tileable(m: number, n: number, tileRows: number, maxTextureSize: number): boolean {
  return Math.ceil(n / 4) <= maxTextureSize && Math.ceil(m / tileRows) <= maxTextureSize;
}

export interface TilePlan extends SplitPlan {
  /** Row blocks of tileRows output rows. */
  blockRows: number;
}

/** Register tiles of an m×n product (k = kTex texels), split-K as planSplitK allows. */
export function planTiles(
  m: number,
  n: number,
  kTex: number,
  tileRows: number,
  maxTextureSize: number,
  parallelTexels: number,
): TilePlan {
  const blockRows = Math.ceil(m / tileRows);
  let { splits, kChunk } = planSplitK(blockRows * Math.ceil(n / 4), kTex, parallelTexels);
  // Block rows of all chunks must fit one texture's height.
  if (splits * blockRows > maxTextureSize) {
    splits = Math.max(1, Math.floor(maxTextureSize / blockRows));
    kChunk = Math.ceil(kTex / splits);
    splits = Math.ceil(kTex / kChunk);
  }
  return { blockRows, splits, kChunk };
}

/** Texels per chunk of a row reduction: enough chunks that rows·chunks fills the GPU. */
export function chunkTexels(
  rows: number,
  texW: number,
  minChunk: number,
  parallelTexels: number,
): number {
  const wanted = Math.max(1, Math.ceil(parallelTexels / rows));
  return Math.max(minChunk, Math.ceil(texW / wanted));
}

/**
 * Decode attention in one draw (scores recomputed by each of `fragments` output texels, over
 * `keys` keys of `headTexels` texels) or in two (scores first): one while the repeated work stays
 * under FUSED_ATTENTION_FETCHES.
 */
export function fuseAttentionScores(
  fragments: number,
  keys: number,
  headTexels: number,
  budget = FUSED_ATTENTION_FETCHES,
): boolean {
  return fragments * keys * headTexels <= budget;
}
