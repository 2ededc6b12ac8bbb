/** View 4: decode speedup of slim over standard, memory bound and roofline. */
import { bytesPerStoredValue, computeDtype, decodeStepWork, rooflineTime } from '../../roofline';
import type { Chip, Model, RooflineTime, Side, Work } from '../../roofline';
import type { Formats } from './setup';

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
