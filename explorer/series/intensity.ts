/** View 2: arithmetic intensity of a decode step vs context (paper Table 2 at batch B). */
import {
  bytesPerStoredValue,
  cacheSchemeLabels,
  complexityKeys,
  computeDtype,
  decodeOrderLabels,
  generateComplexity,
  keyWidth,
  ridgePoint,
  RooflineInputError,
} from '../../roofline';
import type { Chip, DecodeOrder, Model, StorageFormat } from '../../roofline';
import type { Formats } from './setup';

/**
 * The decode variants paper Table 2 compares: the standard KV-cache ('kv') and a K-cache in
 * either decode order (paper §2: 'v-first' is option 1, 'k-first' option 2).
 */
export type IntensityScheme = 'kv' | DecodeOrder;
/** The labels of roofline/schemes.ts, the one vocabulary. */
export const intensitySchemeLabels: Readonly<Record<IntensityScheme, string>> = {
  kv: cacheSchemeLabels.kv,
  ...decodeOrderLabels,
};
export const intensitySchemes: readonly IntensityScheme[] = ['kv', 'v-first', 'k-first'];

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
  scheme: IntensityScheme;
  label: string;
  /** Whole layer (projections + attention) OPs per byte at batch B. */
  layerOpsPerByte: number;
  /** Attention core only (Table 2 "MHA" columns), OPs per byte. */
  mhaOpsPerByte: number;
}

/**
 * Intensity in OPs per byte of one layer of one decode step (paper §2, Table 2 at batch B):
 * weights are read in the weight format, cache rows in the cache format.
 */
export function layerIntensity(
  model: Model,
  scheme: IntensityScheme,
  contextLength: number,
  batch: number,
  formats: Formats,
): { layer: number; mha: number } {
  const { d, h } = table2Shape(model);
  const cost = generateComplexity({ d, h, n: contextLength, batch })[complexityKeys[scheme]];
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
  for (const scheme of intensitySchemes)
    for (const n of contexts) {
      const { layer, mha } = layerIntensity(model, scheme, n, batch, formats);
      out.push({
        contextLength: n,
        scheme,
        label: intensitySchemeLabels[scheme],
        layerOpsPerByte: layer,
        mhaOpsPerByte: mha,
      });
    }
  return out;
}

/** The chip's ridge point in OPs per byte for the compute format of these weights. */
export function chipRidge(chip: Chip, weightFormat: StorageFormat): number {
  return ridgePoint(chip, computeDtype(chip, weightFormat).dtype);
}

/**
 * The smallest context in `contexts` at which a scheme's layer intensity reaches the ridge
 * (turns compute bound), or undefined when it stays memory bound over the whole range.
 */
export function computeBoundFrom(
  points: readonly IntensityPoint[],
  scheme: IntensityScheme,
  ridge: number,
): number | undefined {
  return points.find((p) => p.scheme === scheme && p.layerOpsPerByte >= ridge)?.contextLength;
}
