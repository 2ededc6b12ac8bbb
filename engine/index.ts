/**
 * Public engine API. Other folders import from here (or from a sub-folder's index.ts), never
 * from a file deeper inside engine/. Helpers append their exports below.
 */
export * from './tensor';
export type {
  AllocationStats,
  AttnProbsOptions,
  Backend,
  RopeOptions,
  RopePairing,
} from './backend';
export { CpuBackend, readSync, type CpuBackendOptions } from './cpu';
export {
  createAttention,
  slimValueWeights,
  vOnlyKeyWeights,
  RowCache,
  type AttentionConfig,
  type AttentionLayer,
  type AttentionVariant,
  type AttentionWeights,
  type CacheStats,
  type RopeConfig,
  type RowCacheStats,
} from './attention';
export {
  SingularMatrixError,
  conditionNumber,
  det,
  fromRows,
  inverse,
  matmul64,
  toRows,
  type Matrix64,
} from './linalg';
export { computeWkv } from './slim';
