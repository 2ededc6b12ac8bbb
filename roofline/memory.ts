import { assertPositiveInteger, assertPositiveNumber, RooflineInputError } from './errors';
import type { AttentionShape, Model } from './types';

/**
 * Memory side of the cost model: KV-cache sizes (paper §1, Table 1, §3, §4, Appendices C, D, G), parameter bytes, totals
 * for a batch, and the decode speedup of a memory-bound system. All sizes are counts of values
 * unless the name says bytes; "per sequence" sizes are multiplied by `batch` in the totals.
 */

function checkShape(shape: AttentionShape): void {
  assertPositiveInteger(shape.d, 'd');
  assertPositiveInteger(shape.layers, 'layers');
  assertPositiveInteger(shape.heads, 'heads h');
  assertPositiveInteger(shape.kvHeads, 'kvHeads h_kv');
  assertPositiveInteger(shape.headDim, 'headDim d_k');
  if (shape.valueHeadDim !== undefined)
    assertPositiveInteger(shape.valueHeadDim, 'valueHeadDim d_v');
  if (shape.heads % shape.kvHeads !== 0) {
    throw new RooflineInputError(
      `heads h = ${shape.heads} must be a multiple of kvHeads h_kv = ${shape.kvHeads}`,
    );
  }
}

/** d_v, defaulting to d_k. */
export function valueHeadDim(shape: AttentionShape): number {
  return shape.valueHeadDim ?? shape.headDim;
}

/** Key width e = h_kv·d_k: the width of one cached K row (paper §3; = d for square MHA). */
export function keyWidth(shape: AttentionShape): number {
  checkShape(shape);
  return shape.kvHeads * shape.headDim;
}

/**
 * Cache width d_cache = h_kv·(d_k + d_v): values cached per token per layer by standard
 * attention (paper Appendices C, D, G; = 2d for square MHA, the factor 2 of paper §1).
 */
export function kvCacheWidth(shape: AttentionShape): number {
  checkShape(shape);
  return shape.kvHeads * (shape.headDim + valueHeadDim(shape));
}

/** Ratio r = e/d of a non-square MHA projection (paper §3, Tables 4–5); 1 when square. */
export function projectionRatio(shape: AttentionShape): number {
  return keyWidth(shape) / shape.d;
}

/** GQA compression factor c = h_kv(d_k + d_v)/d (paper Appendices C, D, G): gain of a d-wide cache. */
export function compressionFactor(shape: AttentionShape): number {
  return kvCacheWidth(shape) / shape.d;
}

/**
 * Share of the standard cache a d-wide cache saves (paper Appendix G): 1 − 1/c when c > 1
 * (the d-wide cache is 1/c of the KV-cache), 0 when c ≤ 1 (nothing to save).
 */
export function compressionSaving(shape: AttentionShape): number {
  const c = compressionFactor(shape);
  return c > 1 ? 1 - 1 / c : 0;
}

/**
 * Cached rows summed over the layers at `contextLength` tokens: contextLength per layer, but
 * min(contextLength, window) for a sliding-window (local) layer, whose cache stops growing at
 * its window.
 */
export function cachedLayerRows(shape: AttentionShape, contextLength: number): number {
  const local = shape.localAttention;
  if (!local) return shape.layers * contextLength;
  assertPositiveInteger(local.window, 'window');
  if (!Number.isInteger(local.layers) || local.layers < 0 || local.layers > shape.layers)
    throw new RooflineInputError(
      `local layers must be a whole number from 0 to ${shape.layers}, got ${local.layers}`,
    );
  return (
    (shape.layers - local.layers) * contextLength +
    local.layers * Math.min(contextLength, local.window)
  );
}

/**
 * The sentence the model summaries (the Playground's and the roofline explorer's) show for a
 * model with sliding-window layers; undefined for one without.
 */
export function slidingWindowNote(shape: AttentionShape): string | undefined {
  const local = shape.localAttention;
  if (!local || local.layers === 0) return undefined;
  return (
    `${local.layers} of ${shape.layers} layers attend to a sliding window of ${local.window} ` +
    `tokens, so their cache stops growing at ${local.window} rows: past ${local.window} tokens ` +
    `only the other ${shape.layers - local.layers} layers' caches grow, standard and slim alike.`
  );
}

function checkCounts(contextLength: number, batch: number): void {
  assertPositiveInteger(contextLength, 'contextLength');
  assertPositiveInteger(batch, 'batch');
}

/**
 * Standard KV-cache: d_cache·layers·contextLength·batch values (paper §1: 2·d·layers·context
 * per sequence for square MHA; Table 1's "context memory" column at the model's context).
 */
export function standardCacheValues(
  shape: AttentionShape,
  contextLength: number,
  batch = 1,
): number {
  checkCounts(contextLength, batch);
  return kvCacheWidth(shape) * cachedLayerRows(shape, contextLength) * batch;
}

/**
 * Slim K-cache (MHA): only K, e = h·d_k wide: half the standard cache when d_v = d_k
 * (paper §1; non-square option 1 of paper §3 halves it too). Throws for GQA/MQA, where K alone
 * cannot give V (use `slimCacheValues`, which picks the paper Appendices C, D, G scheme).
 */
export function kCacheValues(shape: AttentionShape, contextLength: number, batch = 1): number {
  checkCounts(contextLength, batch);
  if (shape.kvHeads !== shape.heads) {
    throw new RooflineInputError(
      `the K-cache needs MHA (h_kv = h); got h = ${shape.heads}, h_kv = ${shape.kvHeads}`,
    );
  }
  return keyWidth(shape) * cachedLayerRows(shape, contextLength) * batch;
}

/**
 * X-cache (paper §3 option 2): cache the d-wide layer inputs X instead of K and V, d values
 * per token per layer: standard/(2r) for MHA, standard/c in general (paper Appendices C, D, G's d × d W_K* cache
 * has the same size).
 */
export function xCacheValues(shape: AttentionShape, contextLength: number, batch = 1): number {
  checkShape(shape);
  checkCounts(contextLength, batch);
  return shape.d * cachedLayerRows(shape, contextLength) * batch;
}

/**
 * V-only cache (paper Appendices C, D, G): cache V, recompute K = V·W_VK with W_VK = W_V⁻¹·W_K. Same size
 * as the K-cache when d_v = d_k; MHA only (W_V must be invertible), and not with RoPE.
 */
export function vCacheValues(shape: AttentionShape, contextLength: number, batch = 1): number {
  checkCounts(contextLength, batch);
  if (shape.kvHeads !== shape.heads) {
    throw new RooflineInputError(
      `the V-cache needs MHA (h_kv = h); got h = ${shape.heads}, h_kv = ${shape.kvHeads}`,
    );
  }
  return shape.kvHeads * valueHeadDim(shape) * cachedLayerRows(shape, contextLength) * batch;
}

/**
 * Whether K alone can give V: MHA whose W_K (d × e) has a left inverse, e ≥ d (square: §1;
 * non-square option 1: paper §3). Which scheme "slim" means for a model is `slimPlan`'s choice.
 */
export function usesKCache(shape: AttentionShape): boolean {
  return shape.kvHeads === shape.heads && keyWidth(shape) >= shape.d;
}

/**
 * The K-cache-first slim cache of an attention shape (paper §1, §3 option 1, paper Appendices C, D, G); the
 * memory report uses `slimPlan`, which also weighs the X-cache, the E-cache and RoPE:
 * - MHA with e ≥ d (square or not): the K-cache, exactly half when d_v = d_k;
 * - GQA/MQA (or MHA narrower than d) with c > 1: a d-wide cache (X or K* = X·W_K*), standard/c;
 * - otherwise (c ≤ 1): no gain, the standard cache.
 */
export function slimCacheValues(shape: AttentionShape, contextLength: number, batch = 1): number {
  if (usesKCache(shape)) return kCacheValues(shape, contextLength, batch);
  const standard = standardCacheValues(shape, contextLength, batch);
  const dWide = xCacheValues(shape, contextLength, batch);
  return Math.min(standard, dWide);
}

/**
 * Extra weights slim attention reads per token (values). Square MHA: none, W_KV replaces W_V.
 * Non-square MHA, option 1 (paper §3): W_KV is e × e instead of W_V's d × e, per
 * cache-holding attention (decoder self-attention; plus cross-attention in encoder–decoders).
 */
export function slimExtraParams(model: Model): number {
  const e = keyWidth(model);
  if (model.kvHeads !== model.heads || e <= model.d) return 0;
  const attentions = model.layers * (model.architecture === 'encoder-decoder' ? 2 : 1);
  return attentions * (e * e - model.d * e);
}

/** Parameter bytes: params·bytesPerValue (paper §1: 3.8B params at 1 byte = 3.8 GB). */
export function paramBytes(model: Pick<Model, 'params'>, bytesPerValue: number): number {
  assertPositiveNumber(model.params, 'params');
  assertPositiveNumber(bytesPerValue, 'bytesPerValue');
  return model.params * bytesPerValue;
}

/**
 * Decode speedup of a memory-bound system: bytes read per token, standard over slim (paper
 * §1: (cache + params)/(cache/2 + params), ≤ 2 for MHA, → 2 as the cache dominates).
 */
export function decodeSpeedup(standardBytes: number, slimBytes: number): number {
  assertPositiveNumber(standardBytes, 'standard bytes');
  assertPositiveNumber(slimBytes, 'slim bytes');
  return standardBytes / slimBytes;
}

export const DEFAULT_BYTES_PER_VALUE = 2;
