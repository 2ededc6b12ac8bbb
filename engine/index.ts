/**
 * Public engine API. Other folders import from here (or from a sub-folder's index.ts), never
 * from a file deeper inside engine/. Helpers append their exports below.
 */
export * from './tensor';
export type {
  AllocationStats,
  AttnProbsOptions,
  Backend,
  LinearActivation,
  LinearOptions,
  RopeOptions,
  RopePairing,
} from './backend';
export { CpuBackend, readSync, type CpuBackendOptions } from './cpu';
export {
  createAttention,
  createCrossAttention,
  ECache,
  RowCache,
  sparseKFirstSum,
  sparseWeightedSum,
  type AttentionConfig,
  type AttentionLayer,
  type AttentionScheme,
  type AttentionWeights,
  type CacheStats,
  type CrossAttentionConfig,
  type CrossAttentionLayer,
  type CrossAttentionScheme,
  type RopeConfig,
  type RowCacheStats,
  type SparseMatrix,
  type SparseOptions,
  type SparseResult,
} from './attention';
export {
  MatrixRangeError,
  SingularMatrixError,
  conditionNumber,
  det,
  fromRows,
  inverse,
  matmul64,
  toRows,
  type Matrix64,
} from './linalg';
export {
  UNIT_ROUNDOFF,
  computeWkv,
  float16ReconstructionError,
  float32ReconstructionError,
  formWkv,
  formWvk,
  roundingErrorEstimate,
  type StorageFormat,
} from './slim';
export { pickBackend, type BackendChoice } from './pickBackend';
export {
  COMPARED_SCHEMES,
  compareSchemes,
  gpt2Builder,
  greedyDecode,
  maxAbsDiff,
  schemeModels,
  type CompareOptions,
  type ModelBuilder,
  type SchemeSource,
  type SlimOptions,
  type GreedyHooks,
  type GreedyRun,
  type SchemeComparison,
  type SchemeRun,
} from './compare';
// Checkpoints and the Hub (engine/io); the Node-only file sources live in engine/io/node.
export {
  blobSource,
  bufferSource,
  CacheStorageHubCache,
  CheckpointFormatError,
  CheckpointMissingError,
  DEFAULT_HUB_ENDPOINT,
  defaultHubCache,
  downloadModel,
  HubClient,
  HubError,
  MemoryHubCache,
  openCheckpoint,
  openSafetensors,
  openSafetensorsBytes,
  repoIdProblem,
  resolveUrl,
  writeSafetensors,
  type ByteSource,
  type Checkpoint,
  type CheckpointFiles,
  type CheckpointTensorInfo,
  type DownloadOptions,
  type DownloadProgress,
  type HubCache,
  type HubErrorKind,
  type HubModelFiles,
  type HubOptions,
  type ModelDownloadOptions,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsFloatDtype,
  type TensorInfo,
  type TensorToWrite,
} from './io';
// Models written once against the Backend interface, and the WebGL2 backend with its kernels
// (the Playground shows their GLSL).
export * from './models';
export {
  WebGLBackend,
  WebGLUnavailableError,
  ContextLostError,
  TextureLimitError,
  kernels,
  type WebGLBackendOptions,
} from './webgl';
