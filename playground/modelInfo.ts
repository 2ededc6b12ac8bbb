/**
 * What the Playground says about a loaded model (its summary line): the shape from config.json,
 * and the notes a learner needs before generating: the loader's, why no slim scheme helps a
 * grouped-query model whose X-cache is larger (paper Appendix G), and the sliding window that
 * bounds a GPT-Neo model's local layers' caches.
 */
import { slidingWindowNote } from '../roofline';
import type { ModelSpec } from '../engine';

/** The shape as the engine's ModelSpec gives it (kvHeads: fewer than heads for GQA, 1 for MQA). */
type SpecShape = Pick<
  ModelSpec,
  'layers' | 'd' | 'heads' | 'kvHeads' | 'vocabSize' | 'maxPositions'
>;

export interface ModelInfo extends SpecShape {
  /** How the page names the model. */
  name: string;
  family: string;
  parameters: number;
  /** Which tokenizer files it came with (undefined: none). */
  tokenizer: string | undefined;
  /** True when the weights of a Hub model came from Cache Storage, not the network. */
  fromCache: boolean;
  /** The cache the slim side runs: the K-cache, or for GQA the d-wide cache or X-cache. */
  slimScheme: ModelSpec['slimScheme'];
  /**
   * Notes of the loader (e.g. a converted slim checkpoint), why no slim scheme helps this model,
   * and what a sliding window does to the cache.
   */
  notes: string[];
  /** RoPE family: the slim side can only cache K (paper Appendix C). */
  rope: boolean;
}

export function modelInfo(
  spec: ModelSpec,
  source: { name: string; tokenizer: string | undefined; fromCache: boolean },
): ModelInfo {
  const window = slidingWindowNote(spec.parsed.model);
  return {
    ...source,
    family: spec.family,
    layers: spec.layers,
    d: spec.d,
    heads: spec.heads,
    kvHeads: spec.kvHeads,
    vocabSize: spec.vocabSize,
    maxPositions: spec.maxPositions,
    parameters: spec.shapes.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0),
    slimScheme: spec.slimScheme,
    notes: [...spec.notes, ...(spec.slimNote ? [spec.slimNote] : []), ...(window ? [window] : [])],
    rope: spec.rope,
  };
}
