/** Attention layers written once against Backend (paper §1–paper Table 3, Appendices C, E, F). */
import type { Backend } from '../backend';
import { checkRopeConfig } from '../checks';
import { EngineInputError } from '../tensor';
import { SlimAttention } from './slim';
import { StandardAttention } from './standard';
import type { AttentionConfig, AttentionLayer, AttentionScheme, AttentionWeights } from './types';
import { VCacheAttention } from './vCache';
import { layerName, validateWeights } from './weights';
import { XCacheAttention } from './xCache';
import { CrossECacheAttention } from './crossECache';
import { CrossKCacheAttention } from './crossKCache';
import { CrossKvAttention } from './crossKv';
import type { CrossAttentionConfig, CrossAttentionLayer, CrossAttentionScheme } from './types';

// Everything the layers' modules export; engine/index.ts names the public part.
export * from './types';
export * from './cache';
export * from './eCache';
export * from './grouped';
export * from './sparse';
export { fuseColumns } from './weights';

const DECODE_ORDERS: readonly unknown[] = ['v-first', 'k-first'];

/**
 * Builds one attention layer on a backend from host float64 weights. The layer uploads what
 * its scheme needs (the K-cache scheme uploads W_KV instead of W_V) and owns it until dispose().
 * Throws EngineInputError for bad shapes, values or options, and SingularMatrixError (label
 * and condition number in the message) when the K- or V-cache scheme cannot invert W_K / W_V.
 */
export function createAttention(
  backend: Backend,
  weights: AttentionWeights,
  config: AttentionConfig,
): AttentionLayer {
  const dims = validateWeights(weights, config);
  if (config.rope) checkRopeConfig(layerName(config), config.rope, dims.headDim);
  checkScaleAndWindow(config);
  const scheme: AttentionScheme = config.scheme;
  switch (config.scheme) {
    case 'kv':
      return new StandardAttention(backend, weights, config, dims);
    case 'k-cache':
      if (!DECODE_ORDERS.includes(config.decodeOrder)) {
        throw new EngineInputError(
          `k-cache attention: decodeOrder must be 'v-first' or 'k-first', got ${String(config.decodeOrder)}`,
        );
      }
      return new SlimAttention(backend, weights, config, dims);
    case 'v-cache':
      return new VCacheAttention(backend, weights, config, dims);
    case 'x-cache':
      return new XCacheAttention(backend, weights, config, dims);
    default:
      throw new EngineInputError(`unknown attention cache scheme '${String(scheme)}'`);
  }
}

/** scoreScale: finite and positive; window: a positive integer, not with RoPE or the X-cache. */
function checkScaleAndWindow(config: AttentionConfig): void {
  const name = layerName(config);
  const { scoreScale, window } = config;
  if (scoreScale !== undefined && !(Number.isFinite(scoreScale) && scoreScale > 0))
    throw new EngineInputError(`${name}: scoreScale must be finite and > 0, got ${scoreScale}`);
  if (window === undefined) return;
  if (!Number.isInteger(window) || window < 1)
    throw new EngineInputError(`${name}: window must be a positive integer, got ${window}`);
  if (config.rope || config.scheme === 'x-cache')
    throw new EngineInputError(
      `${name}: a sliding window runs with the kv, k-cache and v-cache schemes without RoPE only`,
    );
}

/**
 * Builds one cross-attention layer of an encoder–decoder (paper §4) from host float64 weights:
 * W_Q acts on the decoder tokens, W_K and W_V on the encoder output E (width d, as Whisper's).
 * 'kv' is the baseline, 'k-cache' option 1 (uploads W_KV, not W_V), 'e-cache' option 2
 * (reads config.eCache, shared by all layers). Throws EngineInputError for bad shapes or
 * options, and SingularMatrixError when option 1 cannot invert W_K.
 */
export function createCrossAttention(
  backend: Backend,
  weights: AttentionWeights,
  config: CrossAttentionConfig,
): CrossAttentionLayer {
  const dims = validateWeights(weights, config);
  const scheme: CrossAttentionScheme = config.scheme;
  const name = layerName(config);
  if (config.scheme !== 'kv') {
    const order: unknown = config.decodeOrder;
    if (order !== undefined && !DECODE_ORDERS.includes(order)) {
      throw new EngineInputError(
        `${name}: decodeOrder must be 'v-first' or 'k-first', got ${String(order)}`,
      );
    }
  }
  switch (config.scheme) {
    case 'kv':
      return new CrossKvAttention(backend, weights, config, dims);
    case 'k-cache':
      return new CrossKCacheAttention(backend, weights, config, dims);
    case 'e-cache':
      return new CrossECacheAttention(backend, weights, config, dims);
    default:
      throw new EngineInputError(
        `${name}: unknown cross-attention scheme '${String(scheme)}' (use 'kv', 'k-cache' or 'e-cache')`,
      );
  }
}
