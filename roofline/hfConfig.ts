/**
 * Turns a pasted Hugging Face `config.json` into the cost model's `Model`, so the roofline
 * explorer can judge *your* model. Supports the config layouts of Llama (and the many
 * Llama-shaped decoders: Mistral, Qwen2, Gemma, Phi-3 …), GPT-2, GPT-Neo, GPT-NeoX, T5 and
 * Whisper.
 * Every rejection names the offending field.
 */
import {
  divide,
  flag,
  HfConfigError,
  MAX_CUSTOM_PARAMS,
  MAX_SHAPE_NUMBER,
  optionalPositiveInt,
  positiveInt,
  positiveIntOneOf,
  positiveNumber,
  text,
  type Json,
} from './hfFields';
import { gptNeoFields, type GptNeoAttentionType } from './hfGptNeo';
import type { AttentionKind, Model, PositionalKind } from './types';

export { HfConfigError, MAX_CUSTOM_PARAMS, MAX_SHAPE_NUMBER } from './hfFields';

export type HfFamily = 'llama' | 'gpt2' | 'gpt-neo' | 'gpt-neox' | 't5' | 'whisper';

export interface ParsedHfConfig {
  family: HfFamily;
  model: Model;
  /** The numbers a forward pass needs beyond the shapes (decoder families only). */
  runtime?: HfRuntime;
}

/**
 * What engine/models needs to run a decoder checkpoint besides its shapes: normalisation ε,
 * activation, head tying, RoPE base and partial rotary, residual layout, biases. Defaults are
 * those of the transformers config classes.
 */
export interface HfRuntime {
  /** layer_norm_epsilon (GPT-2), rms_norm_eps (Llama), layer_norm_eps (GPT-NeoX). */
  normEps: number;
  /** activation_function (GPT-2) or hidden_act. */
  activation: string;
  tiedEmbeddings: boolean;
  /** rope_theta (Llama; GPT-NeoX rotary_emb_base or rope_theta). */
  ropeTheta?: number;
  /** GPT-NeoX rotary_pct: the fraction of each head's dims that rotate. */
  rotaryPct?: number;
  /** GPT-NeoX use_parallel_residual. */
  parallelResidual?: boolean;
  /** Llama attention_bias / mlp_bias. */
  attentionBias?: boolean;
  mlpBias?: boolean;
  /** True when the config sets rope_scaling (not null). */
  ropeScaling?: boolean;
  /** GPT-Neo: each layer's attention, 'global' or 'local' (attention_types expanded). */
  attentionLayers?: GptNeoAttentionType[];
  /** GPT-Neo window_size: a local layer's query sees the last `window` positions. */
  window?: number;
}

/** T5 has no position limit of its own (relative buckets); it was trained on 512 tokens. */
const T5_DEFAULT_LENGTH = 512;

function attentionKind(heads: number, kvHeads: number, kvField: string): AttentionKind {
  if (kvHeads > heads || heads % kvHeads !== 0)
    throw new HfConfigError(
      `Field "${kvField}" (${kvHeads}) must divide the number of heads (${heads}).`,
      kvField,
    );
  if (kvHeads === heads) return 'MHA';
  return kvHeads === 1 ? 'MQA' : 'GQA';
}

function modelName(config: Json, family: HfFamily): string {
  const path = config['_name_or_path'];
  if (typeof path === 'string' && path.trim() !== '') return path.trim();
  const type = typeof config['model_type'] === 'string' ? config['model_type'] : family;
  return `${type} (pasted config)`;
}

/**
 * Parameter count from the shapes: embeddings, attention projections, FFN and norms. Biases are
 * left out (under 0.1% for these sizes); the explorer labels the result an estimate.
 */
function decoderParams(args: {
  d: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffnDim: number;
  ffnMatrices: number;
  vocab: number;
  tiedEmbeddings: boolean;
  learnedPositions: number;
  /** Mixture of experts: FFN copies per layer, plus a d × experts router. Default 1. */
  experts?: number;
}): number {
  const { d, layers, heads, kvHeads, headDim, ffnDim, ffnMatrices, vocab } = args;
  const experts = args.experts ?? 1;
  const attention = 2 * d * heads * headDim + 2 * d * kvHeads * headDim; // W_Q, W_O, W_K, W_V
  const router = experts > 1 ? d * experts : 0;
  const ffn = experts * ffnMatrices * d * ffnDim + router;
  const norms = 2 * d;
  const embeddings = vocab * d * (args.tiedEmbeddings ? 1 : 2) + args.learnedPositions * d;
  return layers * (attention + ffn + norms) + embeddings + d;
}

/**
 * model_types whose transformers config class defaults tie_word_embeddings to true (Gemma 1–3,
 * Cohere); the others of the Llama layout default to false. An explicit field always wins.
 */
const TIED_BY_DEFAULT = new Set(['gemma', 'gemma2', 'gemma3_text', 'cohere']);

function tiesEmbeddings(config: Json): boolean {
  const field = config['tie_word_embeddings'];
  if (typeof field === 'boolean') return field;
  if (field !== undefined && field !== null)
    throw new HfConfigError(
      `config.json field "tie_word_embeddings" must be true or false, got ${JSON.stringify(field)}`,
      'tie_word_embeddings',
    );
  const type = typeof config['model_type'] === 'string' ? config['model_type'].toLowerCase() : '';
  return TIED_BY_DEFAULT.has(type);
}

function parseLlama(config: Json): ParsedHfConfig {
  const d = positiveInt(config, 'hidden_size');
  const layers = positiveInt(config, 'num_hidden_layers');
  const heads = positiveInt(config, 'num_attention_heads');
  // Absent num_key_value_heads means MHA (the Llama-1/2 configs predate the field).
  const kvHeads = optionalPositiveInt(config, 'num_key_value_heads') ?? heads;
  const headDim =
    optionalPositiveInt(config, 'head_dim') ?? divide(d, heads, 'num_attention_heads');
  const contextLength = positiveInt(config, 'max_position_embeddings');
  const vocab = positiveInt(config, 'vocab_size');
  const ffnDim = positiveInt(config, 'intermediate_size');
  const attention = attentionKind(heads, kvHeads, 'num_key_value_heads');
  const params = decoderParams({
    d,
    layers,
    heads,
    kvHeads,
    headDim,
    ffnDim,
    ffnMatrices: 3, // gated FFN: gate, up, down
    vocab,
    tiedEmbeddings: tiesEmbeddings(config),
    learnedPositions: 0,
    // Mixtral-style MoE: every expert's weights are stored (and, across a batch, read).
    experts: optionalPositiveInt(config, 'num_local_experts'),
  });
  return {
    family: 'llama',
    model: {
      ...base(config, 'llama'),
      params,
      d,
      layers,
      heads,
      kvHeads,
      headDim,
      contextLength,
      vocab,
      ffnDim,
      architecture: 'decoder',
      attention,
      positional: 'rope',
    },
    runtime: {
      normEps: positiveNumber(config, 'rms_norm_eps', 1e-6),
      activation: text(config, 'hidden_act', 'silu'),
      tiedEmbeddings: tiesEmbeddings(config),
      ropeTheta: positiveNumber(config, 'rope_theta', 10000),
      attentionBias: flag(config, 'attention_bias', false),
      mlpBias: flag(config, 'mlp_bias', false),
      ropeScaling: config['rope_scaling'] !== undefined && config['rope_scaling'] !== null,
    },
  };
}

/** The shape fields a GPT-2-like config (MHA, two FFN matrices) names. */
interface MhaDecoderShape {
  d: number;
  layers: number;
  heads: number;
  contextLength: number;
  headDim: number;
  vocab: number;
  ffnDim: number;
}

/** A square-MHA decoder with a two-matrix FFN (GPT-2, GPT-NeoX): params estimated from shapes. */
function mhaDecoder(
  config: Json,
  family: 'gpt2' | 'gpt-neo' | 'gpt-neox',
  shape: MhaDecoderShape,
  embeddings: { tiedEmbeddings: boolean; learnedPositions: number },
): ParsedHfConfig {
  const { d, layers, heads, headDim, contextLength, vocab, ffnDim } = shape;
  const params = decoderParams({
    d,
    layers,
    heads,
    kvHeads: heads,
    headDim,
    ffnDim,
    ffnMatrices: 2,
    vocab,
    ...embeddings,
  });
  return {
    family,
    model: {
      ...base(config, family),
      params,
      d,
      layers,
      heads,
      kvHeads: heads,
      headDim,
      contextLength,
      vocab,
      ffnDim,
      architecture: 'decoder',
      attention: 'MHA',
      positional: embeddings.learnedPositions > 0 ? 'learned' : 'rope',
    },
  };
}

function parseGpt2(config: Json): ParsedHfConfig {
  const d = positiveInt(config, 'n_embd');
  const layers = positiveInt(config, 'n_layer');
  const heads = positiveInt(config, 'n_head');
  const contextLength = positiveIntOneOf(config, ['n_positions', 'n_ctx']);
  const headDim = divide(d, heads, 'n_head');
  const vocab = positiveInt(config, 'vocab_size');
  // n_inner null means the GPT-2 default of 4d.
  const ffnDim = optionalPositiveInt(config, 'n_inner') ?? 4 * d;
  const parsed = mhaDecoder(
    config,
    'gpt2',
    { d, layers, heads, contextLength, headDim, vocab, ffnDim },
    // GPT-2 ties the LM head to the token embedding and learns its positions.
    { tiedEmbeddings: true, learnedPositions: contextLength },
  );
  parsed.runtime = {
    normEps: positiveNumber(config, 'layer_norm_epsilon', 1e-5),
    activation: text(config, 'activation_function', 'gelu_new'),
    tiedEmbeddings: true,
  };
  return parsed;
}

function parseGptNeox(config: Json): ParsedHfConfig {
  const d = positiveInt(config, 'hidden_size');
  const layers = positiveInt(config, 'num_hidden_layers');
  const heads = positiveInt(config, 'num_attention_heads');
  const contextLength = positiveInt(config, 'max_position_embeddings');
  const headDim = divide(d, heads, 'num_attention_heads');
  const vocab = positiveInt(config, 'vocab_size');
  const ffnDim = optionalPositiveInt(config, 'intermediate_size') ?? 4 * d;
  const parsed = mhaDecoder(
    config,
    'gpt-neox',
    { d, layers, heads, contextLength, headDim, vocab, ffnDim },
    // GPT-NeoX rotates (RoPE): no learned position table.
    { tiedEmbeddings: config['tie_word_embeddings'] === true, learnedPositions: 0 },
  );
  const rotaryPct = positiveNumber(config, 'rotary_pct', 0.25);
  if (rotaryPct > 1)
    throw new HfConfigError(
      `config.json field "rotary_pct" must be at most 1, got ${rotaryPct}`,
      'rotary_pct',
    );
  parsed.runtime = {
    normEps: positiveNumber(config, 'layer_norm_eps', 1e-5),
    activation: text(config, 'hidden_act', 'gelu'),
    tiedEmbeddings: flag(config, 'tie_word_embeddings', false),
    ropeTheta: positiveNumber(
      config,
      'rope_theta',
      positiveNumber(config, 'rotary_emb_base', 10000),
    ),
    rotaryPct,
    parallelResidual: flag(config, 'use_parallel_residual', true),
    attentionBias: flag(config, 'attention_bias', true),
    ropeScaling: config['rope_scaling'] !== undefined && config['rope_scaling'] !== null,
  };
  return parsed;
}

function parseGptNeo(config: Json): ParsedHfConfig {
  const d = positiveInt(config, 'hidden_size');
  const layers = positiveInt(config, 'num_layers');
  const heads = positiveInt(config, 'num_heads');
  const contextLength = positiveInt(config, 'max_position_embeddings');
  const headDim = divide(d, heads, 'num_heads');
  const vocab = positiveInt(config, 'vocab_size');
  const ffnDim = optionalPositiveInt(config, 'intermediate_size') ?? 4 * d;
  // GPTNeoConfig keeps PretrainedConfig's default: the head is tied to wte.
  const tiedEmbeddings = flag(config, 'tie_word_embeddings', true);
  const parsed = mhaDecoder(
    config,
    'gpt-neo',
    { d, layers, heads, contextLength, headDim, vocab, ffnDim },
    { tiedEmbeddings, learnedPositions: contextLength },
  );
  const { attentionLayers, window } = gptNeoFields(config, layers);
  const local = attentionLayers.filter((t) => t === 'local').length;
  if (local > 0) parsed.model.localAttention = { window, layers: local };
  parsed.runtime = {
    normEps: positiveNumber(config, 'layer_norm_epsilon', 1e-5),
    activation: text(config, 'activation_function', 'gelu_new'),
    tiedEmbeddings,
    attentionLayers,
    window,
  };
  return parsed;
}

function parseT5(config: Json): ParsedHfConfig {
  const d = positiveInt(config, 'd_model');
  const encoderLayers = positiveInt(config, 'num_layers');
  const heads = positiveInt(config, 'num_heads');
  const headDim = positiveInt(config, 'd_kv');
  // HF T5 defaults num_decoder_layers to num_layers; the brief's field list requires it, but
  // the original t5-small … t5-11b configs omit it, so fall back the same way HF does.
  const layers = optionalPositiveInt(config, 'num_decoder_layers') ?? encoderLayers;
  const vocab = positiveInt(config, 'vocab_size');
  const ffnDim = positiveInt(config, 'd_ff');
  const length = optionalPositiveInt(config, 'n_positions') ?? T5_DEFAULT_LENGTH;
  const gated =
    typeof config['feed_forward_proj'] === 'string' &&
    config['feed_forward_proj'].startsWith('gated');
  const e = heads * headDim; // may exceed d: the non-square case of paper §3
  const ffn = (gated ? 3 : 2) * d * ffnDim;
  const tied = config['tie_word_embeddings'] !== false; // T5 v1.0 ties, v1.1 sets false
  const params =
    encoderLayers * (4 * d * e + ffn + 2 * d) +
    layers * (8 * d * e + ffn + 3 * d) + // self- and cross-attention
    vocab * d * (tied ? 1 : 2) +
    2 * d;
  return {
    family: 't5',
    model: {
      ...base(config, 't5'),
      params,
      d,
      layers,
      heads,
      kvHeads: heads,
      headDim,
      contextLength: length,
      vocab,
      ffnDim,
      architecture: 'encoder-decoder',
      attention: 'MHA',
      positional: 'relative',
      encoderLength: length,
      decoderLength: length,
    },
  };
}

function parseWhisper(config: Json): ParsedHfConfig {
  const d = positiveInt(config, 'd_model');
  const encoderLayers = positiveInt(config, 'encoder_layers');
  const layers = positiveInt(config, 'decoder_layers');
  const heads = positiveInt(config, 'encoder_attention_heads');
  const decoderHeads = optionalPositiveInt(config, 'decoder_attention_heads') ?? heads;
  if (decoderHeads !== heads)
    throw new HfConfigError(
      `Field "decoder_attention_heads" (${decoderHeads}) differs from ` +
        `"encoder_attention_heads" (${heads}); the cost model assumes one head count.`,
      'decoder_attention_heads',
    );
  const headDim = divide(d, heads, 'encoder_attention_heads');
  const encoderLength = positiveInt(config, 'max_source_positions');
  const decoderLength = positiveInt(config, 'max_target_positions');
  const vocab = positiveInt(config, 'vocab_size');
  const ffnDim =
    optionalPositiveInt(config, 'decoder_ffn_dim') ??
    optionalPositiveInt(config, 'encoder_ffn_dim') ??
    4 * d;
  const melBins = optionalPositiveInt(config, 'num_mel_bins') ?? 80;
  const params =
    encoderLayers * (4 * d * d + 2 * d * ffnDim + 2 * d) +
    layers * (8 * d * d + 2 * d * ffnDim + 3 * d) +
    vocab * d + // token embedding, tied to the output projection
    (encoderLength + decoderLength) * d + // position embeddings
    3 * d * (melBins + d) + // the two width-3 input convolutions
    2 * d;
  return {
    family: 'whisper',
    model: {
      ...base(config, 'whisper'),
      params,
      d,
      layers,
      heads,
      kvHeads: heads,
      headDim,
      // Model.contextLength counts encoder plus decoder positions (types.ts).
      contextLength: encoderLength + decoderLength,
      vocab,
      ffnDim,
      architecture: 'encoder-decoder',
      attention: 'MHA',
      positional: 'learned',
      encoderLength,
      decoderLength,
    },
  };
}

function base(config: Json, family: HfFamily): { id: string; name: string; source: string } {
  return {
    id: 'custom',
    name: modelName(config, family),
    source: 'pasted config.json (parameter count estimated from the shapes)',
  };
}

/** One config.json layout the cost model reads: the model_type values written in it, its parser. */
export interface HfLayout {
  modelTypes: readonly string[];
  parse(config: Json): ParsedHfConfig;
}

/**
 * The config.json layouts, one row each: the `model_type` values that use the layout's field
 * names and its parser. The one list of model_types the project knows: engine/models' family
 * table names a layout and the model_types it runs from here (docs/ARCHITECTURE.md).
 */
export const HF_LAYOUTS = {
  gpt2: { modelTypes: ['gpt2', 'gpt_bigcode'], parse: parseGpt2 },
  'gpt-neo': { modelTypes: ['gpt_neo'], parse: parseGptNeo },
  'gpt-neox': { modelTypes: ['gpt_neox'], parse: parseGptNeox },
  t5: { modelTypes: ['t5', 'mt5', 'umt5', 'longt5'], parse: parseT5 },
  whisper: { modelTypes: ['whisper'], parse: parseWhisper },
  // Llama's field names (hidden_size, num_key_value_heads …).
  llama: {
    modelTypes: [
      'llama',
      'mistral',
      'mixtral',
      'qwen2',
      'qwen3',
      'gemma',
      'gemma2',
      'gemma3_text',
      'phi3',
      'olmo',
      'olmo2',
      'smollm3',
      'cohere',
      'granite',
    ],
    parse: parseLlama,
  },
} as const satisfies Record<HfFamily, HfLayout>;

/** A model_type of one of the layouts. */
export type HfModelType = (typeof HF_LAYOUTS)[HfFamily]['modelTypes'][number];

/** The layout a model_type is written in, if any. */
export function layoutOfModelType(type: string): HfFamily | undefined {
  const t = type.toLowerCase();
  const found = (Object.entries(HF_LAYOUTS) as [HfFamily, HfLayout][]).find(([, layout]) =>
    layout.modelTypes.includes(t),
  );
  return found?.[0];
}

/** Which layout a config uses: by model_type first, then by the fields that give it away. */
export function detectFamily(config: Json): HfFamily {
  const type = typeof config['model_type'] === 'string' ? config['model_type'].toLowerCase() : '';
  const byType = layoutOfModelType(type);
  if (byType) return byType;
  if ('n_embd' in config) return 'gpt2';
  if ('encoder_layers' in config && 'max_source_positions' in config) return 'whisper';
  if ('d_kv' in config || ('d_model' in config && 'num_layers' in config)) return 't5';
  if ('hidden_size' in config) return 'llama';
  const known =
    'The explorer reads Llama-style, GPT-2, GPT-Neo, GPT-NeoX, T5 and Whisper configs: a ' +
    '"model_type" such as "llama", "gpt2", "gpt_neo", "gpt_neox", "t5" or "whisper", or, without one, the field ' +
    '"hidden_size", "n_embd", or "d_model" with "num_layers".';
  throw new HfConfigError(
    type !== ''
      ? `This config.json is for a "${type}" model, which has no attention KV-cache layout the ` +
          `explorer knows. ${known}`
      : `This config.json has no "model_type" and none of the fields that show its layout. ${known}`,
    'model_type',
  );
}

/** Parses config.json text; throws HfConfigError with the field name on any problem. */
export function parseHfConfig(text: string): ParsedHfConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new HfConfigError(`This config.json is not valid JSON: ${detail}.`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new HfConfigError('A config.json must be a JSON object ({ … }).');
  const config = json as Json;
  const layout: HfLayout = HF_LAYOUTS[detectFamily(config)];
  return layout.parse(config);
}

/** The typed-in custom model of the explorer: the shape numbers of paper §1 and a context. */
export interface CustomModelInput {
  d: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  contextLength: number;
  /** Parameter count; when omitted, estimated as attention + a 4d FFN per layer (no vocab). */
  params?: number;
  /** Decides whether the X-cache applies (paper §3); most current decoders use RoPE. */
  positional?: PositionalKind;
}

/** Builds a decoder `Model` from typed numbers, naming the first field that is not usable. */
export function customModel(input: CustomModelInput): Model {
  const fields: (keyof CustomModelInput)[] = [
    'd',
    'layers',
    'heads',
    'kvHeads',
    'headDim',
    'contextLength',
  ];
  for (const f of fields) {
    const v = input[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new HfConfigError(`The ${f} field must be a positive integer, got ${String(v)}.`, f);
    if (v > MAX_SHAPE_NUMBER)
      throw new HfConfigError(
        `The ${f} field must be at most ${MAX_SHAPE_NUMBER.toLocaleString('en-US')} (2^24), got ` +
          `${v > 1e15 ? v.toExponential() : v.toLocaleString('en-US')}.`,
        f,
      );
  }
  if (
    input.params !== undefined &&
    !(Number.isFinite(input.params) && input.params > 0 && input.params <= MAX_CUSTOM_PARAMS)
  )
    throw new HfConfigError(
      `The params field must be a positive number of at most 10^15, got ${String(input.params)}.`,
      'params',
    );
  const attention = attentionKind(input.heads, input.kvHeads, 'kvHeads');
  const { d, layers, heads, kvHeads, headDim } = input;
  const params =
    input.params ?? layers * (2 * d * heads * headDim + 2 * d * kvHeads * headDim + 2 * d * 4 * d);
  return {
    id: 'custom',
    name: 'Custom model',
    params,
    d,
    layers,
    heads,
    kvHeads,
    headDim,
    contextLength: input.contextLength,
    architecture: 'decoder',
    attention,
    positional: input.positional ?? 'rope',
    source: 'typed in by the user',
  };
}
