export {
  DecoderModel,
  randomWeights,
  type DecoderCacheBytes,
  type DecoderOptions,
  type DecoderScheme,
  type HostTensor,
  type HostWeights,
  type LayerDirection,
  type WeightLookup,
} from './decoder';
export type { AttentionProbe, AttentionProbeOptions } from './probe';
export type { AttentionLayout } from './layout';
export {
  GPT2_SMALL,
  Gpt2Model,
  gpt2AttentionLayout,
  gpt2ParameterShapes,
  isGpt2Gain,
  randomGpt2Weights,
  seededRandom,
  type Gpt2Config,
} from './gpt2';
export {
  GptNeoModel,
  gptNeoAttentionLayout,
  gptNeoParameterShapes,
  isGptNeoGain,
  type GptNeoAttentionType,
  type GptNeoConfig,
} from './gptNeo';
export {
  LlamaModel,
  isLlamaGain,
  llamaAttentionLayout,
  llamaKeyWidth,
  llamaParameterShapes,
  type LlamaConfig,
} from './llama';
export {
  NeoxModel,
  isNeoxGain,
  neoxAttentionLayout,
  neoxParameterShapes,
  neoxRotaryDim,
  type NeoxConfig,
} from './neox';
export {
  CONFIG_FILE,
  ModelLoadError,
  openModel,
  readModelSpec,
  SLIM_FORMAT,
  SLIM_MARKER_FIELD,
  type FamilyConfig,
  type ModelFamily,
  type ModelSpec,
  type OpenedModel,
  type SlimMarker,
} from './load';
export {
  loadModel,
  readModel,
  readWeights,
  restoreLayer,
  streamModel,
  type HostModel,
  type LoadedModel,
} from './hostModel';
export {
  checkSlimMarker,
  markerMetadata,
  METADATA_FORMAT_KEY,
  METADATA_LAYERS_KEY,
  type MarkerData,
} from './marker';
export {
  checkModel,
  chooseDirection,
  DEFAULT_SLIM_TOLERANCE,
  layerPrecision,
  planFromEstimates,
  planFromReport,
  precisionReport,
  type CheckOptions,
  type SlimPlan,
  type LayerPrecision,
  type PrecisionOptions,
} from './check';
export {
  FAMILIES,
  familyOfArchitecture,
  familyOfModelType,
  familyRow,
  supportedArchitectures,
  supportedFamilies,
  type ConfigInput,
  type FamilyRow,
} from './families';
export { nothingToConvert, slimNoteOf, slimSchemeOf, type SlimScheme } from './gqa';
export {
  catastrophicBacktracking,
  checkTokenizerJson,
  loadTokenizer,
  type ModelTokenizer,
} from './tokenizer';
