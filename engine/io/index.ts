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
  CacheStorageHubCache,
  DEFAULT_HUB_ENDPOINT,
  defaultHubCache,
  downloadModel,
  HubClient,
  MemoryHubCache,
  repoIdProblem,
  resolveUrl,
  type DownloadOptions,
  type DownloadProgress,
  type HubCache,
  type HubModelFiles,
  type HubOptions,
  type ModelDownloadOptions,
} from './hub';
