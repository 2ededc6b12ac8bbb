/** View 1 (memory vs context) and the planner (view 6): bytes per cache scheme. */
import {
  bytesPerStoredValue,
  encoderDecoderCache,
  firstHolding,
  paramBytes,
  projectionRatio,
  RooflineInputError,
  schemeLabel,
  slimPlan,
  standardCacheValues,
  xCacheValues,
} from '../../roofline';
import type { CacheScheme, Model, StorageFormat } from '../../roofline';
import { contextRange, minContext, type Formats } from './setup';

/**
 * A line of the memory and planner views: a cache scheme drawn as such ('kv' is the standard
 * cache; 'x-cache' and 'e-cache' when they are not already slim's choice), or 'slim', the scheme
 * `slimPlan` picks (the memory report's and the applicability verdict's).
 */
export type MemoryLine = 'slim' | Extract<CacheScheme, 'kv' | 'x-cache' | 'e-cache'>;

export interface MemoryLineInfo {
  line: MemoryLine;
  label: string;
}

/** True for an encoder–decoder whose encoder length the paper §4 functions can use. */
function hasEncoderLengths(model: Model): boolean {
  return (
    model.architecture === 'encoder-decoder' &&
    model.encoderLength !== undefined &&
    model.kvHeads === model.heads
  );
}

/**
 * The cache variants the explorer draws (paper §1, §3, §4, Appendices C, D, G): standard, and slim — the
 * scheme `slimPlan` picks, the same as the memory report and the applicability verdict; then
 * the X-cache (non-square MHA decoders without RoPE) and the E-cache (encoder–decoders without
 * RoPE) where slim is not already that scheme.
 */
export function memoryLines(model: Model): MemoryLineInfo[] {
  const isMha = model.kvHeads === model.heads;
  const chosen = slimPlan(model, contextRange(model).min).slim.scheme;
  const out: MemoryLineInfo[] = [
    { line: 'kv', label: 'standard KV-cache' },
    { line: 'slim', label: `slim: ${schemeLabel(model, chosen)}` },
  ];
  const rope = model.positional === 'rope';
  if (
    isMha &&
    !rope &&
    model.architecture === 'decoder' &&
    projectionRatio(model) > 1 &&
    chosen !== 'x-cache'
  )
    out.push({ line: 'x-cache', label: schemeLabel(model, 'x-cache') });
  if (hasEncoderLengths(model) && !rope && chosen !== 'e-cache')
    out.push({ line: 'e-cache', label: schemeLabel(model, 'e-cache') });
  return out;
}

/**
 * Cached values per sequence at `contextLength` positions per layer. For encoder–decoders the
 * positions are p encoder rows plus contextLength − p decoder tokens (paper §4); the
 * E-cache line counts the E-cache (p·d) too, since it has to live somewhere.
 */
export function cacheValuesPerSequence(
  model: Model,
  line: MemoryLine,
  contextLength: number,
): number {
  switch (line) {
    case 'kv':
      return standardCacheValues(model, contextLength);
    case 'slim':
      return slimPlan(model, contextLength).slim.cacheValues;
    case 'x-cache':
      return xCacheValues(model, contextLength);
    case 'e-cache': {
      if (!hasEncoderLengths(model))
        throw new RooflineInputError(`${model.name}: the E-cache needs an encoder–decoder`);
      const p = model.encoderLength as number;
      if (contextLength < p)
        throw new RooflineInputError(
          `${model.name}: context ${contextLength} must be at least its ${p} encoder rows`,
        );
      const cache = encoderDecoderCache(model, {
        encoderLength: p,
        decoderLength: contextLength - p,
      });
      return cache.option2 + cache.eCache;
    }
  }
}

/**
 * Weight bytes stored for a variant: slim stores the larger W_KV when its scheme is paper §3 option 1
 * (`slimPlan`); the scheme is chosen at `contextLength` and `batch`.
 */
export function weightBytes(
  model: Model,
  line: MemoryLine,
  weightFormat: StorageFormat,
  contextLength = contextRange(model).min,
  batch = 1,
) {
  const bytes = bytesPerStoredValue[weightFormat];
  if (line !== 'slim') return paramBytes(model, bytes);
  return slimPlan(model, contextLength, batch).slim.storedParams * bytes;
}

export interface MemoryBreakdown {
  weights: number;
  cache: number;
  total: number;
}

/** Bytes of weights plus batch·cache (paper §1: total = params + B·cache). */
export function memoryBytes(
  model: Model,
  line: MemoryLine,
  contextLength: number,
  batch: number,
  formats: Formats,
): MemoryBreakdown {
  if (!(Number.isInteger(batch) && batch >= 1))
    throw new RooflineInputError(`batch must be a positive integer, got ${batch}`);
  const weights = weightBytes(model, line, formats.weightFormat, contextLength, batch);
  const perSequence =
    line === 'slim'
      ? slimPlan(model, contextLength, batch).slim.cacheValues
      : cacheValuesPerSequence(model, line, contextLength);
  const cache = batch * perSequence * bytesPerStoredValue[formats.cacheFormat];
  return { weights, cache, total: weights + cache };
}

export interface MemoryPoint {
  contextLength: number;
  line: MemoryLine | 'weights';
  label: string;
  bytes: number;
}

/** View 1: total bytes per line over the contexts, plus the weights alone. */
export function memorySeries(
  model: Model,
  batch: number,
  formats: Formats,
  contexts: readonly number[],
): MemoryPoint[] {
  const lines = memoryLines(model);
  const out: MemoryPoint[] = [];
  const weights = weightBytes(model, 'kv', formats.weightFormat);
  for (const n of contexts) {
    out.push({ contextLength: n, line: 'weights', label: 'weights only', bytes: weights });
    for (const v of lines)
      out.push({
        contextLength: n,
        line: v.line,
        label: v.label,
        bytes: memoryBytes(model, v.line, n, batch, formats).total,
      });
  }
  return out;
}

/**
 * The largest context (≤ `limit`) whose memory fits `capacityBytes`, by bisection on the
 * (increasing) memory function; 0 when even the smallest context does not fit.
 */
export function maxFittingContext(
  model: Model,
  line: MemoryLine,
  batch: number,
  formats: Formats,
  capacityBytes: number,
  limit: number,
): number {
  const fits = (n: number) => memoryBytes(model, line, n, batch, formats).total <= capacityBytes;
  const lo = minContext(model);
  if (!fits(lo)) return 0;
  const firstTooLong = firstHolding(lo, limit, (n) => !fits(n));
  return firstTooLong === undefined ? limit : firstTooLong - 1;
}

/**
 * The largest batch that fits at a context: memory is weights + B·cache, so B =
 * ⌊(capacity − weights)/cache per sequence⌋ (0 when the weights alone do not fit).
 */
export function maxFittingBatch(
  model: Model,
  line: MemoryLine,
  contextLength: number,
  formats: Formats,
  capacityBytes: number,
): number {
  const one = memoryBytes(model, line, contextLength, 1, formats);
  if (one.weights > capacityBytes) return 0;
  return Math.floor((capacityBytes - one.weights) / one.cache);
}

/**
 * Chips needed to hold the weights (sharded, stored once) and `users` caches of
 * `contextLength` each, when every chip has `chipCapacity` bytes: the "on paper" scale-out
 * that ignores activations and replication.
 */
export function chipsNeeded(
  model: Model,
  line: MemoryLine,
  users: number,
  contextLength: number,
  formats: Formats,
  chipCapacity: number,
): number {
  if (!(Number.isFinite(chipCapacity) && chipCapacity > 0))
    throw new RooflineInputError(`chip capacity must be positive, got ${chipCapacity}`);
  return Math.ceil(memoryBytes(model, line, contextLength, users, formats).total / chipCapacity);
}

export interface FrontierPoint {
  contextLength: number;
  line: MemoryLine;
  label: string;
  maxBatch: number;
}

/** Planner view: the largest batch that fits per context, per variant. */
export function capacityFrontier(
  model: Model,
  formats: Formats,
  capacityBytes: number,
  contexts: readonly number[],
): FrontierPoint[] {
  const out: FrontierPoint[] = [];
  for (const v of memoryLines(model))
    for (const n of contexts)
      out.push({
        contextLength: n,
        line: v.line,
        label: v.label,
        maxBatch: maxFittingBatch(model, v.line, n, formats, capacityBytes),
      });
  return out;
}
