/**
 * The explorer's setup and context grid: what every view samples the cost model over. The series
 * modules (memory, intensity, roofline, speedup) sample roofline/ functions only; nothing here
 * adds a formula of its own beyond combining them: weights and cache may use different number
 * formats, so bytes are params·(weight bytes) + cache·(cache bytes).
 */
import { RooflineInputError } from '../../roofline';
import type { Chip, Model, StorageFormat } from '../../roofline';

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

/**
 * Smallest valid context: an encoder–decoder holds its p encoder rows before the first decoder
 * token (the same rule as the cost model's, roofline/slimPlan.ts).
 */
export function minContext(model: Model): number {
  return model.architecture === 'encoder-decoder' && model.encoderLength !== undefined
    ? model.encoderLength
    : 1;
}

/**
 * The context range the explorer plots: decoders from 128 to 2^20 positions; encoder–decoders
 * from p (no decoder token yet) up to p + 16× their decoder length (p rows are always cached).
 */
export function contextRange(model: Model): { min: number; max: number } {
  if (model.architecture === 'encoder-decoder' && model.encoderLength !== undefined) {
    const p = model.encoderLength;
    return { min: minContext(model), max: p + 16 * (model.decoderLength ?? p) };
  }
  return { min: 128, max: 2 ** 20 };
}
