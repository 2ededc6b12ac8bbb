/**
 * Plot series for the roofline explorer: the cost-model functions (memory.ts, complexity.ts,
 * roofline.ts, encoderDecoder.ts) sampled over context length and batch. Nothing here adds a
 * formula of its own beyond combining those functions: weights and cache may use different
 * number formats, so bytes are params·(weight bytes) + cache·(cache bytes).
 */
import {
  attainableOpsPerSecond,
  decodeStepWork,
  encoderDecoderCache,
  generateComplexity,
  keyWidth,
  paramBytes,
  peakOps,
  projectionRatio,
  RooflineInputError,
  rooflineTime,
  slimPlan,
  slimVariantLabels,
  standardCacheValues,
  xCacheValues,
} from './index';
import type { Chip, Dtype, Model, RooflineTime, Work } from './index';

// ---------------------------------------------------------------- number formats

/** Storage formats the explorer offers for weights and for the cache. */
export type StorageFormat = 'fp32' | 'fp16' | 'bf16' | 'fp8' | 'int4';
export const storageFormats: readonly StorageFormat[] = ['fp32', 'fp16', 'bf16', 'fp8', 'int4'];

export const bytesPerStoredValue: Readonly<Record<StorageFormat, number>> = {
  fp32: 4,
  fp16: 2,
  bf16: 2,
  fp8: 1,
  int4: 0.5,
};

/**
 * Which of the chip's advertised peaks applies to weights of a storage format, nearest first.
 * int4 weights are dequantized to an 8-bit or 16-bit format for the multiply.
 */
const computePreference: Readonly<Record<StorageFormat, readonly Dtype[]>> = {
  fp32: ['fp32', 'tf32', 'bf16', 'fp16', 'int8'],
  fp16: ['fp16', 'bf16', 'fp8', 'int8'],
  bf16: ['bf16', 'fp16', 'fp8', 'int8'],
  fp8: ['fp8', 'int8', 'fp16', 'bf16'],
  int4: ['int8', 'fp8', 'fp16', 'bf16'],
};

/** The compute format used for a chip's peak, and whether it is a stand-in for the exact one. */
export function computeDtype(
  chip: Chip,
  weightFormat: StorageFormat,
): { dtype: Dtype; exact: boolean } {
  const exactDtype: Dtype | undefined = weightFormat === 'int4' ? undefined : weightFormat;
  for (const dtype of computePreference[weightFormat]) {
    if (chip.peakOpsPerSecond[dtype] !== undefined) return { dtype, exact: dtype === exactDtype };
  }
  const any = Object.keys(chip.peakOpsPerSecond)[0] as Dtype | undefined;
  if (any === undefined) throw new RooflineInputError(`${chip.name} lists no peak OPs/s`);
  return { dtype: any, exact: false };
}

// ---------------------------------------------------------------- the setup

export interface Formats {
  weightFormat: StorageFormat;
  cacheFormat: StorageFormat;
}

export interface Setup extends Formats {
  model: Model;
  chip: Chip;
  batch: number;
  contextLength: number;
}

/**
 * Context lengths from `min` to `max`, evenly spaced on a log axis, rounded to integers and
 * deduplicated (so fewer than `points` when the range is narrow). Always includes both ends.
 */
export function contextGrid(min: number, max: number, points: number): number[] {
  if (!(Number.isInteger(min) && min >= 1 && Number.isInteger(max) && max >= min))
    throw new RooflineInputError(`context range must be integers 1 ≤ min ≤ max, got ${min}…${max}`);
  if (!(Number.isInteger(points) && points >= 2))
    throw new RooflineInputError(`points must be an integer ≥ 2, got ${points}`);
  const out: number[] = [];
  const ratio = Math.log(max / min) / (points - 1);
  for (let i = 0; i < points; i++) {
    const n = i === points - 1 ? max : Math.round(min * Math.exp(ratio * i));
    if (out.length === 0 || n > out[out.length - 1]) out.push(n);
  }
  return out;
}

/** Smallest context the explorer plots: an encoder–decoder needs its p encoder rows plus 1. */
export function minContext(model: Model): number {
  return model.architecture === 'encoder-decoder' && model.encoderLength !== undefined
    ? model.encoderLength + 1
    : 1;
}

// ---------------------------------------------------------------- memory (view 1, planner)

export type MemoryVariant = 'standard' | 'slim' | 'x-cache' | 'e-cache';

export interface MemoryVariantInfo {
  variant: MemoryVariant;
  label: string;
}

/** True for an encoder–decoder whose encoder length the §8 functions can use. */
function hasEncoderLengths(model: Model): boolean {
  return (
    model.architecture === 'encoder-decoder' &&
    model.encoderLength !== undefined &&
    model.kvHeads === model.heads
  );
}

/**
 * The cache variants the explorer draws (PAPER.md §1, §7, §8, §11): standard, and slim — the
 * scheme `slimPlan` picks, the same as the memory report and the applicability verdict; then
 * the X-cache (non-square MHA decoders without RoPE) and the E-cache (encoder–decoders without
 * RoPE) where slim is not already that scheme.
 */
export function memoryVariants(model: Model): MemoryVariantInfo[] {
  const isMha = model.kvHeads === model.heads;
  const chosen = slimPlan(model, contextRange(model).min).slim.variant;
  const out: MemoryVariantInfo[] = [
    { variant: 'standard', label: 'standard KV-cache' },
    { variant: 'slim', label: `slim: ${slimVariantLabels[chosen]}` },
  ];
  const rope = model.positional === 'rope';
  if (
    isMha &&
    !rope &&
    model.architecture === 'decoder' &&
    projectionRatio(model) > 1 &&
    chosen !== 'x-cache'
  )
    out.push({ variant: 'x-cache', label: 'X-cache (option 2)' });
  if (hasEncoderLengths(model) && !rope && chosen !== 'option-2')
    out.push({ variant: 'e-cache', label: 'self K-cache + E-cache (option 2)' });
  return out;
}

/**
 * Cached values per sequence at `contextLength` positions per layer. For encoder–decoders the
 * positions are p encoder rows plus contextLength − p decoder tokens (PAPER.md §8); the
 * E-cache variant counts the E-cache (p·d) too, since it has to live somewhere.
 */
export function cacheValuesPerSequence(
  model: Model,
  variant: MemoryVariant,
  contextLength: number,
): number {
  switch (variant) {
    case 'standard':
      return standardCacheValues(model, contextLength);
    case 'slim':
      return slimPlan(model, contextLength).slim.cacheValues;
    case 'x-cache':
      return xCacheValues(model, contextLength);
    case 'e-cache': {
      if (!hasEncoderLengths(model))
        throw new RooflineInputError(`${model.name}: the E-cache needs an encoder–decoder`);
      const p = model.encoderLength as number;
      if (contextLength <= p)
        throw new RooflineInputError(
          `${model.name}: context ${contextLength} must exceed the ${p} encoder rows`,
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
 * Weight bytes stored for a variant: slim stores the larger W_KV when its scheme is §7 option 1
 * (`slimPlan`); the scheme is chosen at `contextLength` and `batch`.
 */
export function weightBytes(
  model: Model,
  variant: MemoryVariant,
  weightFormat: StorageFormat,
  contextLength = contextRange(model).min,
  batch = 1,
) {
  const bytes = bytesPerStoredValue[weightFormat];
  if (variant !== 'slim') return paramBytes(model, bytes);
  return slimPlan(model, contextLength, batch).slim.storedParams * bytes;
}

export interface MemoryBreakdown {
  weights: number;
  cache: number;
  total: number;
}

/** Bytes of weights plus batch·cache (PAPER.md §5: total = params + B·cache). */
export function memoryBytes(
  model: Model,
  variant: MemoryVariant,
  contextLength: number,
  batch: number,
  formats: Formats,
): MemoryBreakdown {
  if (!(Number.isInteger(batch) && batch >= 1))
    throw new RooflineInputError(`batch must be a positive integer, got ${batch}`);
  const weights = weightBytes(model, variant, formats.weightFormat, contextLength, batch);
  const perSequence =
    variant === 'slim'
      ? slimPlan(model, contextLength, batch).slim.cacheValues
      : cacheValuesPerSequence(model, variant, contextLength);
  const cache = batch * perSequence * bytesPerStoredValue[formats.cacheFormat];
  return { weights, cache, total: weights + cache };
}

export interface MemoryPoint {
  contextLength: number;
  variant: MemoryVariant | 'weights';
  label: string;
  bytes: number;
}

/** View 1: total bytes per variant over the contexts, plus the weights alone. */
export function memorySeries(
  model: Model,
  batch: number,
  formats: Formats,
  contexts: readonly number[],
): MemoryPoint[] {
  const variants = memoryVariants(model);
  const out: MemoryPoint[] = [];
  const weights = weightBytes(model, 'standard', formats.weightFormat);
  for (const n of contexts) {
    out.push({ contextLength: n, variant: 'weights', label: 'weights only', bytes: weights });
    for (const v of variants)
      out.push({
        contextLength: n,
        variant: v.variant,
        label: v.label,
        bytes: memoryBytes(model, v.variant, n, batch, formats).total,
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
  variant: MemoryVariant,
  batch: number,
  formats: Formats,
  capacityBytes: number,
  limit: number,
): number {
  const fits = (n: number) => memoryBytes(model, variant, n, batch, formats).total <= capacityBytes;
  let lo = minContext(model);
  if (!fits(lo)) return 0;
  if (fits(limit)) return limit;
  let hi = limit; // fits(lo) and !fits(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The largest batch that fits at a context: memory is weights + B·cache, so B =
 * ⌊(capacity − weights)/cache per sequence⌋ (0 when the weights alone do not fit).
 */
export function maxFittingBatch(
  model: Model,
  variant: MemoryVariant,
  contextLength: number,
  formats: Formats,
  capacityBytes: number,
): number {
  const one = memoryBytes(model, variant, contextLength, 1, formats);
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
  variant: MemoryVariant,
  users: number,
  contextLength: number,
  formats: Formats,
  chipCapacity: number,
): number {
  if (!(Number.isFinite(chipCapacity) && chipCapacity > 0))
    throw new RooflineInputError(`chip capacity must be positive, got ${chipCapacity}`);
  return Math.ceil(memoryBytes(model, variant, contextLength, users, formats).total / chipCapacity);
}

export interface FrontierPoint {
  contextLength: number;
  variant: MemoryVariant;
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
  for (const v of memoryVariants(model))
    for (const n of contexts)
      out.push({
        contextLength: n,
        variant: v.variant,
        label: v.label,
        maxBatch: maxFittingBatch(model, v.variant, n, formats, capacityBytes),
      });
  return out;
}

// ---------------------------------------------------------------- intensity (view 2, 3)

export type Scheme = 'vanilla' | 'option1' | 'option2';
export const schemeLabels: Readonly<Record<Scheme, string>> = {
  vanilla: 'vanilla (K and V cached)',
  option1: 'slim, option 1 (V = K·W_KV)',
  option2: 'slim, option 2 ((softmax·K)·W_KV)',
};
const schemes: readonly Scheme[] = ['vanilla', 'option1', 'option2'];

/**
 * Table 2 needs square MHA (d_k = d/h). Models whose h·d_k ≠ d are approximated with their
 * d and h; the caller is told so it can say it.
 */
export function table2Shape(model: Model): { d: number; h: number; exact: boolean } {
  const exact = model.kvHeads === model.heads && keyWidth(model) === model.d;
  if (model.d % model.heads !== 0)
    throw new RooflineInputError(
      `${model.name}: d = ${model.d} is not a multiple of h = ${model.heads}; Table 2 does not apply`,
    );
  return { d: model.d, h: model.heads, exact };
}

export interface IntensityPoint {
  contextLength: number;
  scheme: Scheme;
  label: string;
  /** Whole layer (projections + attention) OPs per byte at batch B. */
  layerOpsPerByte: number;
  /** Attention core only (Table 2 "MHA" columns), OPs per byte. */
  mhaOpsPerByte: number;
}

/**
 * Intensity in OPs per byte of one layer of one decode step (PAPER.md §3, Table 2 at batch B):
 * weights are read in the weight format, cache rows in the cache format.
 */
export function layerIntensity(
  model: Model,
  scheme: Scheme,
  contextLength: number,
  batch: number,
  formats: Formats,
): { layer: number; mha: number } {
  const { d, h } = table2Shape(model);
  const cost = generateComplexity({ d, h, n: contextLength, batch })[scheme];
  const wb = bytesPerStoredValue[formats.weightFormat];
  const cb = bytesPerStoredValue[formats.cacheFormat];
  const layer =
    (cost.projection.ops + cost.mha.ops) / (cost.projection.reads * wb + cost.mha.reads * cb);
  return { layer, mha: cost.mha.ops / (cost.mha.reads * cb) };
}

/** View 2: intensity over context, per scheme. */
export function intensitySeries(
  model: Model,
  batch: number,
  formats: Formats,
  contexts: readonly number[],
): IntensityPoint[] {
  const out: IntensityPoint[] = [];
  for (const scheme of schemes)
    for (const n of contexts) {
      const { layer, mha } = layerIntensity(model, scheme, n, batch, formats);
      out.push({
        contextLength: n,
        scheme,
        label: schemeLabels[scheme],
        layerOpsPerByte: layer,
        mhaOpsPerByte: mha,
      });
    }
  return out;
}

/** The chip's ridge point in OPs per byte for the compute format of these weights. */
export function chipRidge(chip: Chip, weightFormat: StorageFormat): number {
  return peakOps(chip, computeDtype(chip, weightFormat).dtype) / chip.memoryBandwidth;
}

/**
 * The smallest context in `contexts` at which a scheme's layer intensity reaches the ridge
 * (turns compute bound), or undefined when it stays memory bound over the whole range.
 */
export function computeBoundFrom(
  points: readonly IntensityPoint[],
  scheme: Scheme,
  ridge: number,
): number | undefined {
  return points.find((p) => p.scheme === scheme && p.layerOpsPerByte >= ridge)?.contextLength;
}

export interface RoofPoint {
  chipId: string;
  chipName: string;
  opsPerByte: number;
  opsPerSecond: number;
}

/**
 * View 3: each chip's roof min(peak, I·bandwidth) sampled at intensities from `minI` to
 * `maxI` on a log grid, plus the exact ridge point so the corner is drawn sharp.
 */
export function roofSeries(
  chips: readonly Chip[],
  weightFormat: StorageFormat,
  minI: number,
  maxI: number,
  points: number,
): RoofPoint[] {
  const out: RoofPoint[] = [];
  for (const chip of chips) {
    const { dtype } = computeDtype(chip, weightFormat);
    const ridge = chipRidge(chip, weightFormat);
    const xs: number[] = [];
    for (let i = 0; i < points; i++) xs.push(minI * (maxI / minI) ** (i / (points - 1)));
    if (ridge > minI && ridge < maxI) xs.push(ridge);
    xs.sort((a, b) => a - b);
    for (const x of xs)
      out.push({
        chipId: chip.id,
        chipName: chip.name,
        opsPerByte: x,
        opsPerSecond: attainableOpsPerSecond(chip, dtype, x),
      });
  }
  return out;
}

export interface OperatingPoint {
  id: string;
  label: string;
  opsPerByte: number;
  opsPerSecond: number;
  bound: 'memory' | 'compute';
  /** One sentence for the tooltip. */
  explanation: string;
}

/**
 * View 3: where decode work sits on the chosen chip's roofline at the current context and
 * batch: the attention core of each scheme (Table 2 MHA columns), the projections and FFN
 * (weights shared by the batch: 2 OPs per weight per sequence), and whole decode steps.
 */
export function operatingPoints(setup: Setup): OperatingPoint[] {
  const { model, chip, batch, contextLength } = setup;
  const { dtype } = computeDtype(chip, setup.weightFormat);
  const ridge = chipRidge(chip, setup.weightFormat);
  const wb = bytesPerStoredValue[setup.weightFormat];
  const point = (id: string, label: string, opsPerByte: number, what: string): OperatingPoint => {
    const bound = opsPerByte < ridge ? 'memory' : 'compute';
    return {
      id,
      label,
      opsPerByte,
      opsPerSecond: attainableOpsPerSecond(chip, dtype, opsPerByte),
      bound,
      explanation:
        `${what}: ${fmt(opsPerByte)} OPs/byte ${bound === 'memory' ? '<' : '≥'} ridge ` +
        `${fmt(ridge)} of ${chip.name}, so ${bound} bound.`,
    };
  };
  const out: OperatingPoint[] = [];
  if (model.d % model.heads === 0) {
    for (const scheme of schemes) {
      const { mha } = layerIntensity(model, scheme, contextLength, batch, setup);
      out.push(
        point(
          `mha-${scheme}`,
          `attention, ${schemeLabels[scheme]}`,
          mha,
          `Attention core, ${schemeLabels[scheme]}, every sequence reads its own cache`,
        ),
      );
    }
  }
  out.push(
    point(
      'weights',
      `projections + FFN at batch ${batch}`,
      (2 * batch) / wb,
      `Projections and FFN: the batch of ${batch} shares each weight read, 2·B OPs per weight`,
    ),
  );
  for (const scheme of ['standard', 'slim'] as const) {
    const work = decodeWork(model, scheme, contextLength, batch, setup);
    out.push(
      point(
        `step-${scheme}`,
        `whole decode step, ${scheme}`,
        work.ops / work.bytes,
        `One decode step of the whole model with ${scheme} attention`,
      ),
    );
  }
  return out;
}

function fmt(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3)));
}

// ---------------------------------------------------------------- speedup (view 4)

/**
 * OPs and bytes of one decode step (roofline.ts `decodeStepWork`, same slim scheme) with
 * weights and cache in their own formats: bytes = weights read·weight bytes + B·cache read·cache
 * bytes (encoder–decoders read decoder-side weights only, §8).
 */
export function decodeWork(
  model: Model,
  scheme: 'standard' | 'slim',
  contextLength: number,
  batch: number,
  formats: Formats,
): Work {
  const { ops } = decodeStepWork(model, scheme, { contextLength, batch, bytesPerValue: 1 });
  const plan = slimPlan(model, contextLength, batch);
  const chosen = scheme === 'slim' ? plan.slim : plan.standard;
  return {
    ops,
    bytes:
      chosen.readParams * bytesPerStoredValue[formats.weightFormat] +
      batch * chosen.cacheReadValues * bytesPerStoredValue[formats.cacheFormat],
  };
}

export interface SpeedupEstimate {
  memoryBound: number;
  roofline: number;
  standard: RooflineTime;
  slim: RooflineTime;
}

/**
 * Decode speedup of slim over standard two ways (PAPER.md §4–5): memory bound (bytes read,
 * standard/slim) and roofline (max(OPs/peak, bytes/bandwidth), standard/slim).
 */
export function speedupAt(
  model: Model,
  chip: Chip,
  contextLength: number,
  batch: number,
  formats: Formats,
): SpeedupEstimate {
  const { dtype } = computeDtype(chip, formats.weightFormat);
  const std = decodeWork(model, 'standard', contextLength, batch, formats);
  const slim = decodeWork(model, 'slim', contextLength, batch, formats);
  const standard = rooflineTime(std, chip, dtype);
  const slimTime = rooflineTime(slim, chip, dtype);
  return {
    memoryBound: std.bytes / slim.bytes,
    roofline: standard.seconds / slimTime.seconds,
    standard,
    slim: slimTime,
  };
}

export type SpeedupEstimateKind = 'memory-bound' | 'roofline';

export interface SpeedupPoint {
  contextLength: number;
  batch: number;
  estimate: SpeedupEstimateKind;
  speedup: number;
}

/** The batches view 4 draws: a fixed ladder plus the chosen batch. */
export function speedupBatches(batch: number): number[] {
  return [...new Set([1, 8, 64, batch])].sort((a, b) => a - b);
}

/** View 4: both speedup estimates over context for each batch. */
export function speedupSeries(
  model: Model,
  chip: Chip,
  batches: readonly number[],
  formats: Formats,
  contexts: readonly number[],
): SpeedupPoint[] {
  const out: SpeedupPoint[] = [];
  for (const batch of batches)
    for (const n of contexts) {
      const s = speedupAt(model, chip, n, batch, formats);
      out.push({ contextLength: n, batch, estimate: 'memory-bound', speedup: s.memoryBound });
      out.push({ contextLength: n, batch, estimate: 'roofline', speedup: s.roofline });
    }
  return out;
}

/**
 * The context range the explorer plots: decoders from 128 to 2^20 positions; encoder–decoders
 * from p + 1 up to p + 16× their decoder length (p rows are always cached).
 */
export function contextRange(model: Model): { min: number; max: number } {
  if (model.architecture === 'encoder-decoder' && model.encoderLength !== undefined) {
    const p = model.encoderLength;
    return { min: p + 1, max: p + 16 * (model.decoderLength ?? p) };
  }
  return { min: 128, max: 2 ** 20 };
}

// ---------------------------------------------------------------- paper tables (view 7)
// The printed values and their comparison live in paperTables.ts (one copy, used by tests too).
export {
  comparePrinted,
  paperTable1,
  paperTable1ContextMemory,
  paperTable3,
  paperTable7,
  paperWhisperTable,
  type PrintedComparison,
  type Table1Row,
  type Table3Row,
  type Table7Row,
} from './paperTables';
