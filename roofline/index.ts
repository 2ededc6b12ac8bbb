/**
 * Public API of the cost model (paper §1–§4, Tables 1–10, Appendices B, C, D, G, H): formulas and
 * catalogs. Code outside roofline/ imports from here only, never from a file inside:
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
  cachedLayerRows,
  compressionFactor,
  compressionSaving,
  decodeSpeedup,
  DEFAULT_BYTES_PER_VALUE,
  kCacheValues,
  keyWidth,
  kvCacheWidth,
  paramBytes,
  projectionRatio,
  slimCacheValues,
  slimExtraParams,
  slidingWindowNote,
  standardCacheValues,
  usesKCache,
  valueHeadDim,
  vCacheValues,
  xCacheValues,
} from './memory';
export { memoryReport, schemeLabel, slimPlan, slimPlanCandidates } from './slimPlan';
export type { MemoryOptions, MemoryReport, SlimCandidate, SlimPlan } from './slimPlan';
export {
  complexityKeys,
  generateComplexity,
  headOps,
  slimPeakIntensity,
  valueSideOpsPerHead,
  xCacheOps,
} from './complexity';
export type {
  ComplexityInput,
  ComplexityTable,
  HeadOps,
  LayerCost,
  NonSquareInput,
  XCacheOps,
} from './complexity';
export {
  attainableOpsPerSecond,
  decodeStepTimes,
  decodeStepWork,
  firstHolding,
  fitsInMemory,
  isMemoryBound,
  peakOps,
  ridgePoint,
  rooflineTime,
  option1SlowerFrom,
  option2CoreBelowFrom,
  option2CoreSpeedup,
  table2Speedups,
  table2Times,
} from './roofline';
export type { DecodeStepOptions, LayerTimes, RooflineTime, Side, Work } from './roofline';
export {
  bytesPerFormat,
  bytesPerStoredValue,
  bytesPerValueOf,
  computeDtype,
  defaultPeakDtype,
  dtypes,
  storageFormats,
} from './formats';
export type { NumberFormat, StorageFormat } from './formats';
export * as units from './units';
export { DECIMALS_1, SIGNIFICANT_3 } from './units';
export type { Precision } from './units';
export {
  customModel,
  detectFamily,
  HF_LAYOUTS,
  HfConfigError,
  layoutOfModelType,
  MAX_CUSTOM_PARAMS,
  MAX_SHAPE_NUMBER,
  parseHfConfig,
} from './hfConfig';
export type {
  CustomModelInput,
  HfFamily,
  HfLayout,
  HfModelType,
  HfRuntime,
  ParsedHfConfig,
} from './hfConfig';
export {
  comparePrinted,
  paperAppendixG,
  paperAppendixGCompression,
  paperTable1,
  paperTable1ContextMemory,
  paperTable3,
  paperTable4,
  paperTable4Printed,
  paperPrecisionStudy,
  paperTable7,
  paperWhisperTable,
} from './paperTables';
export type {
  AppendixGRow,
  PrintedComparison,
  Table1Row,
  Table3Row,
  Table4Row,
  Table7Row,
} from './paperTables';
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
export type { Applicability, ApplicabilityKind, SlimOption } from './applicability';
export type { CacheScheme, DecodeOrder } from './schemes';
export { cacheSchemeLabels, decodeOrderLabels } from './schemes';
export { ropeRotationsPerStep } from './rope';
export type { RopeCacheVariant, RopeRotations } from './rope';
export { firstTokenTimes, firstTokenWork } from './firstToken';
export type {
  FirstTokenOptions,
  FirstTokenPhases,
  FirstTokenTime,
  FirstTokenTimes,
} from './firstToken';
