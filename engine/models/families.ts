/**
 * The family table: the decoder families this engine runs, one row each. A row says how a
 * family's checkpoint looks (architectures, model_type, weight-name prefix, parameter shapes,
 * where W_K and W_V sit), how its config.json maps to the family config, and how to build the
 * model. The loader (load.ts), the CLI help, the Hub panel and the test fixtures read it;
 * adding a family is one model file plus one row (docs/ARCHITECTURE.md "The family table").
 *
 * config.json is parsed once, by roofline's parseHfConfig: a row names the roofline layout
 * (HF_LAYOUTS) it is written in and the model_types of that layout it runs.
 */
import type { HfFamily, HfModelType, HfRuntime, Model } from '../../roofline';
import type { Backend } from '../backend';
import type { DecoderModel, DecoderOptions, WeightLookup } from './decoder';
import { ModelLoadError } from './errors';
import {
  gpt2AttentionLayout,
  gpt2ParameterShapes,
  Gpt2Model,
  isGpt2Gain,
  type Gpt2Config,
} from './gpt2';
import {
  gptNeoAttentionLayout,
  gptNeoParameterShapes,
  GptNeoModel,
  isGptNeoGain,
  type GptNeoConfig,
} from './gptNeo';
import type { AttentionLayout } from './layout';
import {
  isLlamaGain,
  llamaAttentionLayout,
  llamaParameterShapes,
  LlamaModel,
  type LlamaConfig,
} from './llama';
import {
  isNeoxGain,
  neoxAttentionLayout,
  neoxParameterShapes,
  NeoxModel,
  neoxRotaryDim,
  type NeoxConfig,
} from './neox';

/** What a row's config mapping reads: roofline's parse of config.json. */
export interface ConfigInput {
  /** The shapes (d, layers, heads, vocab, contextLength, ffnDim …). */
  model: Model;
  /** Norm ε, activation, tying, RoPE and bias fields. */
  runtime: HfRuntime;
  /** config.json itself, for fields only this family has. */
  json: Record<string, unknown>;
  /** The file name, for messages. */
  file: string;
  /** Approximations the engine makes for this checkpoint: the mapping appends to it. */
  notes: string[];
}

export interface FamilyRow<C = unknown> {
  id: ModelFamily;
  /** The family's name as users know it. */
  label: string;
  /** config.json `architectures` values of this family (the first is the usual one). */
  architectures: readonly string[];
  /** One public Hub repo id of this family, as an example to try. */
  exampleRepo: string;
  /** The roofline config layout (HF_LAYOUTS) config.json is written in. */
  configLayout: HfFamily;
  /** The model_type values of that layout this row runs (the first is the usual one). */
  modelTypes: readonly HfModelType[];
  /** The model prefix tensors may be stored with ("transformer." …). */
  prefix: string;
  /** Parameters stored without the prefix even when the others have it (the LM head). */
  unprefixed: readonly string[];
  /**
   * Tensors (names without the prefix) a Hugging Face checkpoint may carry that are no
   * parameters of this config: attention-mask and RoPE buffers, a tied head's stored copy
   * (transformers ignores them too). Any other tensor the config does not account for is refused.
   */
  buffers: readonly RegExp[];
  /** Where W_K and W_V are stored, in words (the converter's help). */
  kvTensors: string;
  /** True when attention rotates Q and K (RoPE): the V-cache direction is unavailable. */
  rope: boolean;
  /** True when the family runs grouped-query and multi-query checkpoints (paper Appendix G). */
  groupedQuery?: boolean;
  /** The family config from config.json; throws ModelLoadError naming the file and field. */
  config(input: ConfigInput): C;
  /** config.json for a family config (the inverse of `config`): fixtures and benches write it. */
  configJson(c: C): Record<string, unknown>;
  /** Canonical parameter names (no prefix) and shapes, in Hugging Face's order. */
  shapes(c: C): [string, number[]][];
  /** Where W_K and W_V of a layer live. */
  attentionLayout(c: C): AttentionLayout;
  /** The norm gains among the parameters (random weights start them near 1). */
  isGain(name: string): boolean;
  build(backend: Backend, c: C, weights: WeightLookup, options: DecoderOptions): DecoderModel;
}

/** transformers' GELU names: the tanh form runs exactly, 'gelu' (erf) runs as the tanh form. */
const TANH_GELU = new Set(['gelu_new', 'gelu_fast', 'gelu_pytorch_tanh']);

function geluNote(file: string, field: string, activation: string): string[] {
  if (TANH_GELU.has(activation)) return [];
  if (activation === 'gelu')
    return [
      `${file}: ${field} "gelu" is the exact (erf) GELU; the engine's GELU is the tanh form, ` +
        'which differs from it by at most about 5e-4 per activation, so logits differ slightly ' +
        'from the reference implementation (standard and slim share it).',
    ];
  throw new ModelLoadError(
    file,
    `${field} "${activation}" is not supported; the engine runs GELU (gelu_new, gelu, gelu_fast, gelu_pytorch_tanh).`,
  );
}

function refuseRopeScaling({ runtime, file }: ConfigInput): void {
  if (runtime.ropeScaling)
    throw new ModelLoadError(file, 'rope_scaling is set; scaled RoPE is not supported.');
}

/** The shape fields of a RoPE family's config.json (Llama's and GPT-NeoX's names). */
function rotaryShapeJson(c: LlamaConfig | NeoxConfig) {
  return {
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxPositions,
    hidden_size: c.d,
    intermediate_size: c.ffnDim,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
  };
}

/** The shape fields every family config starts from. */
function shape({ model: m }: ConfigInput) {
  return {
    vocabSize: m.vocab as number,
    maxPositions: m.contextLength as number,
    d: m.d,
    heads: m.heads,
    layers: m.layers,
  };
}

/** A RoPE family's shape fields and its norm ε and RoPE base (Llama, GPT-NeoX). */
function rotaryShape(input: ConfigInput) {
  refuseRopeScaling(input);
  const { model: m, runtime: rt } = input;
  return {
    ...shape(input),
    ffnDim: m.ffnDim as number,
    normEps: rt.normEps,
    ropeTheta: rt.ropeTheta as number,
  };
}

const GPT2: FamilyRow<Gpt2Config> = {
  id: 'gpt2',
  label: 'GPT-2',
  architectures: ['GPT2LMHeadModel', 'GPT2Model'],
  exampleRepo: 'openai-community/gpt2',
  configLayout: 'gpt2',
  modelTypes: ['gpt2'],
  prefix: 'transformer.',
  unprefixed: [],
  buffers: [/^h\.\d+\.attn\.(bias|masked_bias)$/, /^lm_head\.weight$/],
  kvTensors: 'column blocks of the fused c_attn',
  rope: false,
  config(input) {
    const { model: m, runtime: rt, file } = input;
    if (m.ffnDim !== 4 * m.d)
      throw new ModelLoadError(file, `n_inner ${m.ffnDim} is not 4·n_embd; not supported.`);
    input.notes.push(...geluNote(file, 'activation_function', rt.activation));
    const { maxPositions, ...s } = shape(input);
    return { ...s, nPositions: maxPositions, lnEps: rt.normEps };
  },
  configJson: (c) => ({
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.nPositions,
    n_embd: c.d,
    n_layer: c.layers,
    n_head: c.heads,
    layer_norm_epsilon: c.lnEps,
    activation_function: 'gelu_new',
  }),
  shapes: gpt2ParameterShapes,
  attentionLayout: gpt2AttentionLayout,
  isGain: isGpt2Gain,
  build: (backend, c, weights, options) => new Gpt2Model(backend, c, weights, options),
};

const GPT_NEO: FamilyRow<GptNeoConfig> = {
  id: 'gpt-neo',
  label: 'GPT-Neo (TinyStories)',
  architectures: ['GPTNeoForCausalLM', 'GPTNeoModel'],
  exampleRepo: 'roneneldan/TinyStories-33M',
  configLayout: 'gpt-neo',
  modelTypes: ['gpt_neo'],
  prefix: 'transformer.',
  unprefixed: ['lm_head.weight'],
  buffers: [/^h\.\d+\.attn\.attention\.(bias|masked_bias)$/, /^lm_head\.weight$/],
  kvTensors: 'k_proj and v_proj',
  rope: false,
  config(input) {
    const { model: m, runtime: rt, file } = input;
    input.notes.push(...geluNote(file, 'activation_function', rt.activation));
    return {
      ...shape(input),
      ffnDim: m.ffnDim as number,
      normEps: rt.normEps,
      attentionLayers: rt.attentionLayers as GptNeoConfig['attentionLayers'],
      window: rt.window as number,
      tiedEmbeddings: rt.tiedEmbeddings,
    };
  },
  configJson: (c) => {
    // attention_types as transformers writes it: runs of the same pattern, here one type each.
    const runs: [string[], number][] = [];
    for (const t of c.attentionLayers) {
      const last = runs.at(-1);
      if (last && last[0][0] === t) last[1]++;
      else runs.push([[t], 1]);
    }
    return {
      architectures: ['GPTNeoForCausalLM'],
      model_type: 'gpt_neo',
      vocab_size: c.vocabSize,
      max_position_embeddings: c.maxPositions,
      hidden_size: c.d,
      intermediate_size: c.ffnDim,
      num_layers: c.layers,
      num_heads: c.heads,
      attention_types: runs,
      window_size: c.window,
      layer_norm_epsilon: c.normEps,
      activation_function: 'gelu_new',
      tie_word_embeddings: c.tiedEmbeddings,
    };
  },
  shapes: gptNeoParameterShapes,
  attentionLayout: gptNeoAttentionLayout,
  isGain: isGptNeoGain,
  build: (backend, c, weights, options) => new GptNeoModel(backend, c, weights, options),
};

const LLAMA: FamilyRow<LlamaConfig> = {
  id: 'llama',
  label: 'Llama (MHA, GQA, MQA)',
  architectures: ['LlamaForCausalLM', 'LlamaModel'],
  exampleRepo: 'JackFram/llama-68m',
  configLayout: 'llama',
  modelTypes: ['llama'],
  prefix: 'model.',
  unprefixed: ['lm_head.weight'],
  buffers: [/^layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/, /^lm_head\.weight$/],
  kvTensors: 'k_proj and v_proj',
  rope: true,
  groupedQuery: true,
  config(input) {
    const { runtime: rt, file } = input;
    if (rt.activation !== 'silu')
      throw new ModelLoadError(
        file,
        `hidden_act "${rt.activation}" is not supported; Llama's MLP is SwiGLU (silu).`,
      );
    const m = input.model;
    return {
      ...rotaryShape(input),
      tiedEmbeddings: rt.tiedEmbeddings,
      attentionBias: rt.attentionBias,
      mlpBias: rt.mlpBias,
      // Only where they differ from MHA's defaults (h_kv = h, d_k = d/h).
      ...(m.kvHeads !== m.heads ? { kvHeads: m.kvHeads } : {}),
      ...(m.headDim * m.heads !== m.d ? { headDim: m.headDim } : {}),
    };
  },
  configJson: (c) => llamaJson(c, 'LlamaForCausalLM', 'llama'),
  shapes: llamaParameterShapes,
  attentionLayout: llamaAttentionLayout,
  isGain: isLlamaGain,
  build: (backend, c, weights, options) => new LlamaModel(backend, c, weights, options),
};

/** config.json of a Llama-layout config (Llama, Qwen2). */
function llamaJson(c: LlamaConfig, architecture: string, modelType: string) {
  return {
    architectures: [architecture],
    model_type: modelType,
    ...rotaryShapeJson(c),
    num_key_value_heads: c.kvHeads ?? c.heads,
    ...(c.headDim !== undefined && { head_dim: c.headDim }),
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    hidden_act: 'silu',
    tie_word_embeddings: c.tiedEmbeddings,
    ...(c.attentionBias !== undefined && { attention_bias: c.attentionBias }),
    ...(c.mlpBias !== undefined && { mlp_bias: c.mlpBias }),
  };
}

/** Qwen2: the Llama decoder with biases on q/k/v (not o), usually grouped-query. */
const QWEN2: FamilyRow<LlamaConfig> = {
  ...LLAMA,
  id: 'qwen2',
  label: 'Qwen2',
  architectures: ['Qwen2ForCausalLM', 'Qwen2Model'],
  exampleRepo: 'Qwen/Qwen2.5-0.5B',
  modelTypes: ['qwen2'],
  config(input) {
    if (input.json['use_sliding_window'] === true)
      throw new ModelLoadError(
        input.file,
        'use_sliding_window is true; Qwen2 sliding-window attention is not supported (the ' +
          'engine attends to every cached token).',
      );
    return { ...LLAMA.config(input), qkvBias: true };
  },
  configJson: (c) => llamaJson(c, 'Qwen2ForCausalLM', 'qwen2'),
};

const GPT_NEOX: FamilyRow<NeoxConfig> = {
  id: 'gpt-neox',
  label: 'GPT-NeoX (Pythia)',
  architectures: ['GPTNeoXForCausalLM', 'GPTNeoXModel'],
  exampleRepo: 'EleutherAI/pythia-70m',
  configLayout: 'gpt-neox',
  modelTypes: ['gpt_neox'],
  prefix: 'gpt_neox.',
  unprefixed: ['embed_out.weight'],
  buffers: [
    /^layers\.\d+\.attention\.(bias|masked_bias|rotary_emb\.inv_freq)$/,
    /^embed_out\.weight$/,
  ],
  kvTensors: 'rows of the per-head query_key_value',
  rope: true,
  config(input) {
    const { runtime: rt, file } = input;
    input.notes.push(...geluNote(file, 'hidden_act', rt.activation));
    const config: NeoxConfig = {
      ...rotaryShape(input),
      rotaryPct: rt.rotaryPct as number,
      parallelResidual: rt.parallelResidual !== false,
      tiedEmbeddings: rt.tiedEmbeddings,
      attentionBias: rt.attentionBias,
    };
    const r = neoxRotaryDim(config);
    if (r < 2 || r % 2 !== 0)
      throw new ModelLoadError(
        file,
        `rotary_pct ${config.rotaryPct} gives ${r} rotated dims per head; RoPE needs an even number ≥ 2.`,
      );
    return config;
  },
  configJson: (c) => ({
    architectures: ['GPTNeoXForCausalLM'],
    model_type: 'gpt_neox',
    ...rotaryShapeJson(c),
    layer_norm_eps: c.normEps,
    rotary_pct: c.rotaryPct,
    rotary_emb_base: c.ropeTheta,
    use_parallel_residual: c.parallelResidual,
    hidden_act: 'gelu_new',
    tie_word_embeddings: c.tiedEmbeddings,
    ...(c.attentionBias !== undefined && { attention_bias: c.attentionBias }),
  }),
  shapes: neoxParameterShapes,
  attentionLayout: neoxAttentionLayout,
  isGain: isNeoxGain,
  build: (backend, c, weights, options) => new NeoxModel(backend, c, weights, options),
};

/** The rows by id; each family's config type is its row's. */
const ROWS = {
  gpt2: GPT2,
  'gpt-neo': GPT_NEO,
  llama: LLAMA,
  qwen2: QWEN2,
  'gpt-neox': GPT_NEOX,
};

export type ModelFamily = 'gpt2' | 'gpt-neo' | 'llama' | 'qwen2' | 'gpt-neox';

type ConfigOf<F extends ModelFamily> = (typeof ROWS)[F] extends FamilyRow<infer C> ? C : never;

/** A family and its config, discriminated by `family`. */
export type FamilyConfig = { [F in ModelFamily]: { family: F; config: ConfigOf<F> } }[ModelFamily];

/** Every row, in the order the CLI help and the Hub panel list them. */
export const FAMILIES: readonly FamilyRow[] = Object.values(ROWS);

/** The row of a family id. */
export function familyRow(id: ModelFamily): FamilyRow {
  return ROWS[id];
}

/** The row whose architectures include `architecture`, if any. */
export function familyOfArchitecture(architecture: string): FamilyRow | undefined {
  return FAMILIES.find((f) => f.architectures.includes(architecture));
}

/** The row that runs `modelType`, if any. */
export function familyOfModelType(modelType: string): FamilyRow | undefined {
  return FAMILIES.find((f) => (f.modelTypes as readonly string[]).includes(modelType));
}

/** "GPT2LMHeadModel, LlamaForCausalLM and GPTNeoXForCausalLM": the usual architectures. */
export function supportedArchitectures(): string {
  const names = FAMILIES.map((f) => f.architectures[0]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
}

/** "GPT-2, Llama (MHA) or GPT-NeoX (Pythia)": the family labels, for help texts. */
export function supportedFamilies(conjunction = 'or'): string {
  const names = FAMILIES.map((f) => f.label);
  return names.length > 1
    ? `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)}`
    : names[0];
}
