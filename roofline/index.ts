/**
 * Public API of the cost model (PAPER.md §§3–8, §11). Import from here only:
 * `import { models, findModel, memoryReport } from '../roofline'`.
 */
export type {
  ArchitectureKind,
  AttentionKind,
  AttentionShape,
  Chip,
  ChipKind,
  Cost,
  Dtype,
  Model,
  PaperTable3Row,
  PositionalKind,
  StandardSlim,
} from './types';
export { RooflineInputError } from './errors';
export { chips } from './chips';
export { models } from './models';
export {
  closeMatches,
  editDistance,
  findChip,
  findModel,
  requireChip,
  requireModel,
  unknownIdMessage,
} from './lookup';
export {
  compressionFactor,
  decodeSpeedup,
  DEFAULT_BYTES_PER_VALUE,
  kCacheValues,
  keyWidth,
  kvCacheWidth,
  paramBytes,
  projectionRatio,
  slimCacheValues,
  slimExtraParams,
  standardCacheValues,
  usesKCache,
  valueHeadDim,
  vCacheValues,
  xCacheValues,
} from './memory';
export { memoryReport, slimPlan, slimPlanCandidates, slimVariantLabels } from './slimPlan';
export type { MemoryOptions, MemoryReport, SlimCandidate, SlimPlan, SlimVariant } from './slimPlan';
export { generateComplexity, headOps, slimPeakIntensity, valueSideOpsPerHead } from './complexity';
export type { ComplexityInput, ComplexityTable, HeadOps, LayerCost } from './complexity';
export {
  attainableOpsPerSecond,
  bytesPerValueOf,
  decodeStepTimes,
  decodeStepWork,
  fitsInMemory,
  isMemoryBound,
  peakOps,
  ridgePoint,
  rooflineTime,
} from './roofline';
export type { DecodeScheme, DecodeStepOptions, RooflineTime, Work } from './roofline';
export {
  encoderDecoderCache,
  encoderDecoderParams,
  encoderDecoderRow,
  whisperModelIds,
  whisperTable,
} from './encoderDecoder';
export type {
  BaselineOptions,
  EncoderDecoderCache,
  EncoderDecoderLengths,
  EncoderDecoderRow,
} from './encoderDecoder';
export { applicability } from './applicability';
export type { Applicability, ApplicabilityKind, SlimOption, SlimOptionId } from './applicability';
export type { CacheScheme, DecodeOrder } from './schemes';
export { cacheSchemeLabels, decodeOrderLabels } from './schemes';
