/**
 * Public API of engine/io: safetensors read/write, sharded checkpoints, Hugging Face Hub
 * downloads with progress and cache. Browser-safe only; the Node file sources live in
 * engine/io/node.ts and are imported from there by Node code (cli, tests).
 */
export { bufferSource, blobSource, type ByteSource } from './bytes';
export {
  CheckpointFormatError,
  CheckpointMissingError,
  HubError,
  type HubErrorKind,
} from './errors';
export {
  checkSize,
  limitSizes,
  MAX_CONFIG_BYTES,
  MAX_INDEX_BYTES,
  MAX_TOKENIZER_BYTES,
  sizeLimit,
} from './limits';
export { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from './halfFloat';
export {
  isFloatDtype,
  MAX_HEADER_BYTES,
  openSafetensors,
  openSafetensorsBytes,
  writeSafetensors,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsFloatDtype,
  type TensorInfo,
  type TensorToWrite,
} from './safetensors';
export {
  INDEX_FILE,
  openCheckpoint,
  parseShardIndex,
  SINGLE_FILE,
  type Checkpoint,
  type CheckpointFiles,
  type CheckpointTensorInfo,
  type ShardIndex,
} from './checkpoint';
export {
  DEFAULT_HUB_ENDPOINT,
  HubClient,
  hubAddressProblem,
  hubFileProblem,
  repoIdProblem,
  resolveUrl,
  type DownloadOptions,
  type DownloadProgress,
  type FileOptions,
  type HubOptions,
  type SizeLimit,
} from './hub';
export { CacheStorageHubCache, defaultHubCache, MemoryHubCache, type HubCache } from './hubCache';
export {
  downloadModel,
  MAX_HUB_WEIGHT_BYTES,
  MAX_SHARDS,
  type HubModelFiles,
  type ModelDownloadOptions,
} from './hubModel';
