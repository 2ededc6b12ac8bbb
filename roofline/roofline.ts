import { generateComplexity, type ComplexityInput, type ComplexityTable } from './complexity';
import { assertPositiveInteger, assertPositiveNumber, RooflineInputError } from './errors';
import { DEFAULT_BYTES_PER_VALUE, keyWidth, kvCacheWidth, valueHeadDim } from './memory';
import { slimPlan } from './slimPlan';
import { xCacheOps } from './complexity';
import type { Chip, Dtype, Model, StandardSlim } from './types';

/**
 * The roofline (paper Table 3): a kernel takes max(OPs/peak, bytes/bandwidth); it is memory
 * bound when its intensity (OPs per byte) is below the chip's ridge point peak/bandwidth.
 */

/** Dense peak OPs/s of `chip` in `dtype`; throws when the catalog has no such figure. */
export function peakOps(chip: Chip, dtype: Dtype): number {
  const peak = chip.peakOpsPerSecond[dtype];
  if (peak === undefined) {
    const known = Object.keys(chip.peakOpsPerSecond).join(', ');
    throw new RooflineInputError(
      `${chip.name} has no ${dtype} peak in the catalog (has: ${known})`,
    );
  }
  return peak;
}

/** Ridge point peak/bandwidth in OPs per byte (paper Table 3's last column for int8). */
export function ridgePoint(chip: Chip, dtype: Dtype = 'int8'): number {
  return peakOps(chip, dtype) / chip.memoryBandwidth;
}

/** Attainable OPs/s at an intensity (OPs per byte): min(peak, intensity·bandwidth). */
export function attainableOpsPerSecond(chip: Chip, dtype: Dtype, opsPerByte: number): number {
  assertPositiveNumber(opsPerByte, 'intensity (OPs per byte)');
  return Math.min(peakOps(chip, dtype), opsPerByte * chip.memoryBandwidth);
}

/** True when a kernel of this intensity (OPs per byte) is below the chip's ridge point. */
export function isMemoryBound(chip: Chip, dtype: Dtype, opsPerByte: number): boolean {
  assertPositiveNumber(opsPerByte, 'intensity (OPs per byte)');
  return opsPerByte < ridgePoint(chip, dtype);
}

export interface Work {
  ops: number;
  bytes: number;
}

export interface RooflineTime {
  /** max(computeSeconds, memorySeconds). */
  seconds: number;
  computeSeconds: number;
  memorySeconds: number;
  bound: 'compute' | 'memory';
}

/** Roofline time max(OPs/peak, bytes/bandwidth) (paper Table 3). */
export function rooflineTime(work: Work, chip: Chip, dtype: Dtype): RooflineTime {
  if (!(work.ops >= 0) || !Number.isFinite(work.ops)) {
    throw new RooflineInputError(`ops must be a finite number ≥ 0, got ${String(work.ops)}`);
  }
  assertPositiveNumber(work.bytes, 'bytes');
  const computeSeconds = work.ops / peakOps(chip, dtype);
  const memorySeconds = work.bytes / chip.memoryBandwidth;
  const bound = computeSeconds > memorySeconds ? 'compute' : 'memory';
  return { seconds: Math.max(computeSeconds, memorySeconds), computeSeconds, memorySeconds, bound };
}

/** Which side of a standard-vs-slim comparison: 'slim' is `slimPlan`'s chosen CacheScheme. */
export type Side = keyof StandardSlim;

export interface DecodeStepOptions {
  contextLength: number;
  batch?: number;
  /** Bytes per value of the weights (and of the cache unless cacheBytesPerValue is given). */
  bytesPerValue?: number;
  /** Bytes per cached value, when the cache is stored in another format than the weights. */
  cacheBytesPerValue?: number;
}

/**
 * OPs and bytes of one decode step (one new token per sequence) of a whole model, for the
 * roofline explorer. The slim scheme is `slimPlan`'s choice (the memory report's). Weights: 2
 * OPs per weight read per sequence, read once per step (encoder–decoders: decoder side, paper §4).
 * Attention per layer per sequence over n = contextLength cached positions:
 * - standard: h·(2n·d_k + 2n·d_v) OPs (paper Tables 8–9; 4nd for square MHA);
 * - K-cache (any W_KV) or self K-cache + E-cache: h·(2n·d_k + 2n·e) (paper Table 2, k-first
 *   order: 2nd(h+1) when square);
 * - X-cache (paper §3 option 2): 4de for x·W_Q,i·W_K,iᵀ and the W_V,i products, plus 2nd per head
 *   each for the scores against X and the weighted sum of X rows;
 * - d-wide cache (paper Appendices C, D, G, RoPE ok): K and V rebuilt from the cache every step, 2n·d·d_cache more
 *   OPs than standard.
 * Bytes: (weights read + batch·cache read)·bytesPerValue.
 */
export function decodeStepWork(model: Model, side: Side, options: DecodeStepOptions): Work {
  const batch = options.batch ?? 1;
  const bytesPerValue = options.bytesPerValue ?? DEFAULT_BYTES_PER_VALUE;
  const n = options.contextLength;
  assertPositiveInteger(n, 'contextLength');
  assertPositiveInteger(batch, 'batch');
  assertPositiveNumber(bytesPerValue, 'bytesPerValue');
  const { heads: h, headDim: dk, layers, d } = model;
  const dv = valueHeadDim(model);
  const e = keyWidth(model);
  const plan = slimPlan(model, n, batch);
  const chosen = side === 'slim' ? plan.slim : plan.standard;
  const standardAttention = h * (2 * n * dk + 2 * n * dv);
  let attention = standardAttention;
  switch (chosen.scheme) {
    case 'k-cache':
    case 'e-cache':
      attention = h * (2 * n * dk + 2 * n * e);
      break;
    case 'x-cache': {
      const x = xCacheOps({ d, heads: h, headDim: dk, n });
      attention = x.projections + x.core;
      break;
    }
    case 'd-wide-cache':
      attention = standardAttention + 2 * n * d * kvCacheWidth(model);
      break;
    case 'v-cache':
    case 'kv':
      break;
  }
  const cacheBytes = options.cacheBytesPerValue;
  if (cacheBytes !== undefined) assertPositiveNumber(cacheBytes, 'cacheBytesPerValue');
  return {
    ops: batch * (2 * chosen.readParams + layers * attention),
    bytes:
      cacheBytes === undefined
        ? (chosen.readParams + batch * chosen.cacheReadValues) * bytesPerValue
        : chosen.readParams * bytesPerValue + batch * chosen.cacheReadValues * cacheBytes,
  };
}

/** Roofline time of one decode step, standard vs slim, and their ratio. */
export function decodeStepTimes(
  model: Model,
  chip: Chip,
  dtype: Dtype,
  options: DecodeStepOptions,
): { standard: RooflineTime; slim: RooflineTime; speedup: number } {
  const standard = rooflineTime(decodeStepWork(model, 'standard', options), chip, dtype);
  const slim = rooflineTime(decodeStepWork(model, 'slim', options), chip, dtype);
  return { standard, slim, speedup: standard.seconds / slim.seconds };
}

/** Roofline times of one layer's parts for one paper Table 2 column. */
export interface LayerTimes {
  /** The projections (Q, K, O and W_V or W_KV; option 1's V = K·W_KV for all n rows). */
  projection: RooflineTime;
  /** The attention core: scores, softmax and the weighted sum, reading the cache. */
  mha: RooflineTime;
  /** The whole layer as one piece of work: all OPs against all bytes read. */
  layer: RooflineTime;
}

/**
 * Paper Table 2 on a chip: for vanilla, option 1 and option 2, the roofline time of the
 * projections, of the attention core and of the whole layer (one piece of work, as the
 * explorer's intensity view and `decodeStepWork` count it), at `bytesPerValue` bytes per value
 * read (1 = int8, as paper Table 3 counts it).
 */
export function table2Times(
  input: ComplexityInput,
  chip: Chip,
  dtype: Dtype,
  bytesPerValue = 1,
): Record<keyof ComplexityTable, LayerTimes> {
  assertPositiveNumber(bytesPerValue, 'bytesPerValue');
  const table = generateComplexity(input);
  const times = (key: keyof ComplexityTable): LayerTimes => {
    const { projection, mha } = table[key];
    const time = (ops: number, reads: number) =>
      rooflineTime({ ops, bytes: reads * bytesPerValue }, chip, dtype);
    return {
      projection: time(projection.ops, projection.reads),
      mha: time(mha.ops, mha.reads),
      layer: time(projection.ops + mha.ops, projection.reads + mha.reads),
    };
  };
  return { vanilla: times('vanilla'), option1: times('option1'), option2: times('option2') };
}

/**
 * Paper Table 2 on a chip as speedups: vanilla's whole-layer roofline time over option 1's and
 * over option 2's (each layer one piece of work), with the times they come from.
 */
export function table2Speedups(
  input: ComplexityInput,
  chip: Chip,
  dtype: Dtype,
  bytesPerValue = 1,
): { times: Record<keyof ComplexityTable, LayerTimes>; option1: number; option2: number } {
  const times = table2Times(input, chip, dtype, bytesPerValue);
  return {
    times,
    option1: times.vanilla.layer.seconds / times.option1.layer.seconds,
    option2: times.vanilla.layer.seconds / times.option2.layer.seconds,
  };
}

/**
 * The smallest integer x in [lo, hi] where `holds` is true, for a `holds` that stays true once it
 * is (false below some point, true from it on); undefined when it is false at hi. Bisection.
 */
export function firstHolding(
  lo: number,
  hi: number,
  holds: (x: number) => boolean,
): number | undefined {
  if (!holds(hi)) return undefined;
  if (holds(lo)) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The first context n in [1, maxN] at which option 1's whole layer (paper Table 2, one piece of
 * work) is slower than vanilla's on `chip`: its V = K·W_KV projection grows with n and turns
 * compute bound. Undefined when it never is in that range.
 */
export function option1SlowerFrom(
  shape: { d: number; h: number },
  chip: Chip,
  dtype: Dtype,
  bytesPerValue = 1,
  maxN = 2 ** 20,
): number | undefined {
  assertPositiveInteger(maxN, 'maxN');
  return firstHolding(
    1,
    maxN,
    (n) => table2Speedups({ ...shape, n }, chip, dtype, bytesPerValue).option1 < 1,
  );
}

/**
 * Option 2's attention core against vanilla's (paper Table 2) at h heads of width headDim
 * (d = headDim·h; n and d cancel from the ratio), and whether option 2's core is compute bound.
 */
export function option2CoreSpeedup(
  chip: Chip,
  dtype: Dtype,
  heads: number,
  headDim: number,
  bytesPerValue = 1,
): { speedup: number; bound: RooflineTime['bound'] } {
  const t = table2Times({ d: headDim * heads, h: heads, n: 4096 }, chip, dtype, bytesPerValue);
  return { speedup: t.vanilla.mha.seconds / t.option2.mha.seconds, bound: t.option2.mha.bound };
}

/**
 * The fewest heads h in [1, maxHeads] at which option 2's core speedup (option2CoreSpeedup) is
 * below `limit`: its 2h + 2 OPs per cached value pass the chip's ridge as h grows. Undefined when
 * it never is in that range.
 */
export function option2CoreBelowFrom(
  limit: number,
  chip: Chip,
  dtype: Dtype,
  headDim: number,
  maxHeads: number,
  bytesPerValue = 1,
): number | undefined {
  assertPositiveNumber(limit, 'limit');
  assertPositiveInteger(maxHeads, 'maxHeads');
  return firstHolding(
    1,
    maxHeads,
    (h) => option2CoreSpeedup(chip, dtype, h, headDim, bytesPerValue).speedup < limit,
  );
}

/** Whether `bytes` (e.g. a report's totalBytes.slim) fit in the chip's memory capacity. */
export function fitsInMemory(chip: Chip, bytes: number): boolean {
  assertPositiveNumber(bytes, 'bytes');
  return bytes <= chip.memoryCapacity;
}
