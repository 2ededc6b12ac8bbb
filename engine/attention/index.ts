/** Attention layers written once against Backend (PAPER.md §1–§11). */
import type { Backend } from '../backend';
import { EngineInputError } from '../tensor';
import { SlimAttention } from './slim';
import { StandardAttention } from './standard';
import type { AttentionConfig, AttentionLayer, AttentionWeights } from './types';
import { VOnlyAttention } from './vOnly';
import { validateWeights } from './weights';
import { XCacheAttention } from './xCache';

export type {
  AttentionConfig,
  AttentionLayer,
  AttentionVariant,
  AttentionWeights,
  CacheStats,
  RopeConfig,
} from './types';
export { RowCache, type RowCacheStats } from './cache';
export { slimValueWeights } from './slim';
export { vOnlyKeyWeights } from './vOnly';

/**
 * Builds one attention layer on a backend from host float64 weights. The layer uploads what
 * its variant needs (slim uploads W_KV instead of W_V) and owns it until dispose().
 * Throws EngineInputError for bad shapes, values or options, and SingularMatrixError (label
 * and condition number in the message) when slim/v-only cannot invert W_K / W_V.
 */
export function createAttention(
  backend: Backend,
  weights: AttentionWeights,
  config: AttentionConfig,
): AttentionLayer {
  const dims = validateWeights(weights, config);
  if (config.rope) {
    const { pairing, base, rotaryDim = dims.headDim } = config.rope;
    if (
      (pairing !== 'half' && pairing !== 'interleaved') ||
      !(base > 0) ||
      !Number.isFinite(base) ||
      !Number.isInteger(rotaryDim) ||
      rotaryDim < 2 ||
      rotaryDim % 2 !== 0 ||
      rotaryDim > dims.headDim
    ) {
      throw new EngineInputError(
        `${config.label ?? 'attention'}: bad RoPE config (pairing '${String(pairing)}', base ${base}, rotaryDim ${rotaryDim}); rotaryDim must be even and ≤ headDim ${dims.headDim}`,
      );
    }
  }
  switch (config.variant) {
    case 'standard':
      return new StandardAttention(backend, weights, config, dims);
    case 'slim':
      if (config.decodeOption !== 1 && config.decodeOption !== 2) {
        throw new EngineInputError(
          `slim attention: decodeOption must be 1 or 2, got ${String(config.decodeOption)}`,
        );
      }
      return new SlimAttention(backend, weights, config, dims);
    case 'v-only':
      return new VOnlyAttention(backend, weights, config, dims);
    case 'x-cache':
      return new XCacheAttention(backend, weights, config, dims);
    default:
      throw new EngineInputError(
        `unknown attention variant '${String((config as { variant: unknown }).variant)}'`,
      );
  }
}
