/** View 4: decode speedup of slim over standard, memory bound and roofline. */
import {
  bytesPerStoredValue,
  computeDtype,
  decodeStepWork,
  rooflineTime,
  slimPlan,
  units,
  xCacheOps,
} from '../../roofline';
import type { CacheScheme, Chip, Model, RooflineTime, Side, Work } from '../../roofline';
import { chipRidge } from './intensity';
import type { Formats, Setup } from './setup';

/**
 * OPs and bytes of one decode step (roofline.ts `decodeStepWork`, same slim scheme) with
 * weights and cache in their own formats: bytes = weights read·weight bytes + B·cache read·cache
 * bytes (encoder–decoders read decoder-side weights only, paper §4).
 */
export function decodeWork(
  model: Model,
  side: Side,
  contextLength: number,
  batch: number,
  formats: Formats,
): Work {
  return decodeStepWork(model, side, {
    contextLength,
    batch,
    bytesPerValue: bytesPerStoredValue[formats.weightFormat],
    cacheBytesPerValue: bytesPerStoredValue[formats.cacheFormat],
  });
}

export interface SpeedupEstimate {
  memoryBound: number;
  roofline: number;
  standard: RooflineTime;
  slim: RooflineTime;
}

/**
 * Decode speedup of slim over standard two ways (paper Table 3, §1): memory bound (bytes read,
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

/** Why slim's roofline decode step is slower than standard's, when it is (speedup < 1). */
export interface Slowdown {
  /** 'compute': slim's step is compute bound; 'bytes': slim reads more bytes than standard. */
  kind: 'compute' | 'bytes';
  /** The sentence the explorer prints next to the speedup. */
  reason: string;
}

/** The X-cache's attention-core OPs per cached value read (paper §3; roofline's xCacheOps). */
export function xCacheOpsPerValue(model: Model): number {
  const x = xCacheOps({ d: model.d, heads: model.heads, headDim: model.headDim, n: 1 });
  return x.core / x.coreReads;
}

/** What makes each slim scheme's decode step do more OPs than standard's (paper §2–§4, App. C). */
function extraWork(model: Model, scheme: CacheScheme): string {
  switch (scheme) {
    case 'k-cache':
      return (
        `slim attention runs in the K-first order, (softmax·K)·W_KV (paper §2, option 2), where every head ` +
        `weights whole key rows: 2h + 2 = ${2 * model.heads + 2} OPs per cached value instead of 2`
      );
    case 'e-cache':
      return 'the E-cache (paper §4, option 2) recomputes the cross-attention keys and values from E at every step';
    case 'x-cache':
      return (
        `the X-cache (paper §3) scores and weights the cached d-wide inputs in every head at every ` +
        `step: 4h = ${xCacheOpsPerValue(model)} OPs per cached value read instead of 2`
      );
    case 'd-wide-cache':
      return 'K and V are rebuilt from the d-wide cache at every step (Appendices C, D, G)';
    case 'v-cache':
      return 'K is rebuilt from the V-cache at every step (Appendix C)';
    case 'kv':
      return 'slim does more arithmetic per step';
  }
}

function opsPerByte(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3)));
}

/**
 * Why slim is slower than standard on the roofline at this setup, or undefined when it is not
 * (speedup ≥ 1). Compares the two roofline times of `speedupAt`; the slim scheme is slimPlan's.
 */
export function slowdown(setup: Setup, estimate: SpeedupEstimate): Slowdown | undefined {
  if (estimate.roofline >= 1) return undefined;
  const { model, chip, contextLength, batch } = setup;
  const slimWork = decodeWork(model, 'slim', contextLength, batch, setup);
  const stdWork = decodeWork(model, 'standard', contextLength, batch, setup);
  if (estimate.slim.bound === 'compute') {
    const scheme = slimPlan(model, contextLength, batch).slim.scheme;
    return {
      kind: 'compute',
      reason:
        `Slim is slower here: ${extraWork(model, scheme)}, so its decode step is compute bound ` +
        `on ${chip.name} at this context and batch (${opsPerByte(slimWork.ops / slimWork.bytes)} ` +
        `OPs per byte, above the ridge of ${opsPerByte(chipRidge(chip, setup.weightFormat))}), ` +
        `and the extra OPs cost more time than the smaller cache saves.`,
    };
  }
  const plan = slimPlan(model, contextLength, batch);
  const extraWeights =
    (plan.slim.readParams - plan.standard.readParams) * bytesPerStoredValue[setup.weightFormat];
  return {
    kind: 'bytes',
    reason:
      `Slim is slower here: it reads ${units.formatBytes(slimWork.bytes)} per decode step ` +
      `against standard's ${units.formatBytes(stdWork.bytes)}` +
      (extraWeights > 0
        ? `, because the ${units.formatBytes(extraWeights)} of extra weights it reads at every ` +
          `step outweigh the smaller cache at this context and batch.`
        : '.'),
  };
}
