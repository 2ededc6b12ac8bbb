import { RooflineInputError } from './errors';
import type { Chip, Dtype } from './types';

/**
 * Number formats: one table of bytes per value, and one policy for which of a chip's advertised
 * peaks applies to a format (paper §4: the roofline's ridge is peak/bandwidth, so both the CLI
 * and the explorer must read the same peak for the same format).
 */

/** Every format the project names: the chips' peak formats plus 4-bit integer storage. */
export type NumberFormat = Dtype | 'int4';

/** Bytes per value of each number format (the one table; everything else derives from it). */
export const bytesPerFormat: Readonly<Record<NumberFormat, number>> = {
  fp32: 4,
  tf32: 4,
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  fp4: 0.5,
  int4: 0.5,
};

/** The formats a chip can advertise a peak for, in catalog order (the CLI's --dtype choices). */
export const dtypes: readonly Dtype[] = ['fp32', 'tf32', 'bf16', 'fp16', 'fp8', 'int8', 'fp4'];

/** Bytes per value of each peak format (the CLI's --dtype and --bytes names). */
export const bytesPerValueOf: Readonly<Record<Dtype, number>> = Object.fromEntries(
  dtypes.map((t) => [t, bytesPerFormat[t]]),
) as Record<Dtype, number>;

/** Storage formats the explorer offers for weights and for the cache. */
export type StorageFormat = 'fp32' | 'fp16' | 'bf16' | 'fp8' | 'int4';
export const storageFormats: readonly StorageFormat[] = ['fp32', 'fp16', 'bf16', 'fp8', 'int4'];

/** Bytes per stored value of each storage format (a view of `bytesPerFormat`). */
export const bytesPerStoredValue: Readonly<Record<StorageFormat, number>> = Object.fromEntries(
  storageFormats.map((f) => [f, bytesPerFormat[f]]),
) as Record<StorageFormat, number>;

/**
 * Which of a chip's peaks applies to values of a format, nearest first. int4 weights are
 * dequantized to an 8-bit or 16-bit format for the multiply. 'int8' is also the CLI's default
 * compute format (paper Table 3 quotes int8 TOPS), with fp16 then bf16 as stand-ins.
 */
const peakPreference: Readonly<Record<NumberFormat, readonly Dtype[]>> = {
  fp32: ['fp32', 'tf32', 'bf16', 'fp16', 'int8'],
  tf32: ['tf32', 'fp32', 'bf16', 'fp16', 'int8'],
  fp16: ['fp16', 'bf16', 'fp8', 'int8'],
  bf16: ['bf16', 'fp16', 'fp8', 'int8'],
  fp8: ['fp8', 'int8', 'fp16', 'bf16'],
  int8: ['int8', 'fp16', 'bf16'],
  fp4: ['fp4', 'fp8', 'int8', 'fp16', 'bf16'],
  int4: ['int8', 'fp8', 'fp16', 'bf16'],
};

/**
 * The compute format whose peak applies to `format` on `chip` (the one policy), and whether it
 * is the format itself rather than a stand-in. With none of the preferred formats listed, the
 * chip's first listed peak stands in.
 */
export function computeDtype(chip: Chip, format: NumberFormat): { dtype: Dtype; exact: boolean } {
  for (const dtype of peakPreference[format]) {
    if (chip.peakOpsPerSecond[dtype] !== undefined) return { dtype, exact: dtype === format };
  }
  const any = Object.keys(chip.peakOpsPerSecond)[0] as Dtype | undefined;
  if (any === undefined) throw new RooflineInputError(`${chip.name} lists no peak OPs/s`);
  return { dtype: any, exact: false };
}

/** The peak format used when none is named (the CLI's `slim roofline` without --dtype). */
export function defaultPeakDtype(chip: Chip): Dtype {
  return computeDtype(chip, 'int8').dtype;
}
