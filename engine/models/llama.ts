/**
 * The Llama decoder (`LlamaForCausalLM`), written once against `Backend`: RMSNorm, attention with
 * rotate-half RoPE (θ base rope_theta) from engine/attention, the SwiGLU MLP
 * down(silu(gate(x)) ⊙ up(x)), a final RMSNorm and a head tied to the embedding or not. MHA
 * runs engine/attention's layers (slim halves the cache, paper §1); grouped-query and
 * multi-query checkpoints (kvHeads < heads: SmolLM2, TinyLlama, Llama 3) run the grouped layer
 * (paper Appendix G: the GQA KV-cache, or for slim a d-wide cache or an X-cache). Qwen2
 * (`Qwen2ForCausalLM`) is this decoder with qkvBias: biases on q/k/v but not o.
 *
 * Weights use Hugging Face's names without the "model." prefix (embed_tokens.weight,
 * layers.{i}.self_attn.q_proj.weight …, norm.weight; lm_head.weight) in nn.Linear layout
 * ([out, in], y = x·Wᵀ + b).
 */
import type {
  AttentionLayer,
  AttentionWeights,
  GroupedAttentionLayer,
  RopeConfig,
} from '../attention';
import type { Backend, RowNorm } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import {
  DecoderModel,
  throughBlocks,
  linearRowsT,
  param as paramOf,
  range,
  type DecoderOptions,
  type WeightLookup,
  type DecoderShape,
} from './decoder';
import { separateKvLayout, type AttentionLayout } from './layout';

export interface LlamaConfig extends DecoderShape {
  /** rms_norm_eps. */
  normEps: number;
  /** rope_theta. */
  ropeTheta: number;
  /** tie_word_embeddings: the head is embed_tokens. */
  tiedEmbeddings: boolean;
  /** attention_bias: q/k/v/o projections have biases. */
  attentionBias?: boolean;
  /** Qwen2: q/k/v projections have biases, o_proj none. */
  qkvBias?: boolean;
  /**
   * num_key_value_heads h_kv (default heads): k_proj and v_proj are [h_kv·d_k, d]; fewer than
   * heads is grouped-query attention (1: multi-query).
   */
  kvHeads?: number;
  /**
   * head_dim d_k (default d / heads). A grouped-query model may have h·d_k ≠ d (q_proj
   * [h·d_k, d], o_proj [d, h·d_k]), as Gemma-2-9B-like shapes where the d-wide cache pays.
   */
  headDim?: number;
  /** mlp_bias: gate/up/down projections have biases. */
  mlpBias?: boolean;
}

/** The head width d_k of a Llama config. */
export function llamaHeadDim(c: LlamaConfig): number {
  return c.headDim ?? c.d / c.heads;
}

/** The key/value width e = h_kv·d_k of a Llama config (d for square MHA). */
export function llamaKeyWidth(c: LlamaConfig): number {
  return (c.kvHeads ?? c.heads) * llamaHeadDim(c);
}

/** Whether projection p (q, k, v or o) of a Llama-family config has a bias. */
function hasBias(c: LlamaConfig, p: string): boolean {
  return c.attentionBias === true || (c.qkvBias === true && p !== 'o');
}

/** The parameter names and shapes of a Llama checkpoint (without the "model." prefix). */
export function llamaParameterShapes(c: LlamaConfig): [string, number[]][] {
  const { d, ffnDim: f } = c;
  const e = llamaKeyWidth(c);
  const q = c.heads * llamaHeadDim(c);
  const out: [string, number[]][] = [['embed_tokens.weight', [c.vocabSize, d]]];
  for (let i = 0; i < c.layers; i++) {
    const l = `layers.${i}`;
    out.push([`${l}.input_layernorm.weight`, [d]]);
    for (const p of ['q', 'k', 'v', 'o']) {
      const shape = p === 'o' ? [d, q] : [p === 'q' ? q : e, d];
      out.push([`${l}.self_attn.${p}_proj.weight`, shape]);
      if (hasBias(c, p)) out.push([`${l}.self_attn.${p}_proj.bias`, [shape[0]]]);
    }
    out.push([`${l}.post_attention_layernorm.weight`, [d]]);
    out.push([`${l}.mlp.gate_proj.weight`, [f, d]], [`${l}.mlp.up_proj.weight`, [f, d]]);
    out.push([`${l}.mlp.down_proj.weight`, [d, f]]);
    if (c.mlpBias)
      out.push(
        [`${l}.mlp.gate_proj.bias`, [f]],
        [`${l}.mlp.up_proj.bias`, [f]],
        [`${l}.mlp.down_proj.bias`, [d]],
      );
  }
  out.push(['norm.weight', [d]]);
  if (!c.tiedEmbeddings) out.push(['lm_head.weight', [c.vocabSize, d]]);
  return out;
}

/** True for the RMSNorm gains (initialised near 1 by randomWeights). */
export const isLlamaGain = (name: string): boolean => name.endsWith('norm.weight');

export function validateLlamaConfig(c: LlamaConfig): void {
  const ints = [c.vocabSize, c.maxPositions, c.d, c.heads, c.layers, c.ffnDim];
  const dk = llamaHeadDim(c);
  if (!ints.every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(dk) || dk < 1) {
    throw new EngineInputError(
      `Llama config: vocabSize, maxPositions, d, heads, layers, ffnDim must be positive integers, and the head width too (d divisible by heads, or headDim); got ${JSON.stringify(c)}`,
    );
  }
  if (dk % 2 !== 0)
    throw new EngineInputError(`Llama config: the head width ${dk} must be even for RoPE`);
  if (!(c.normEps > 0) || !(c.ropeTheta > 0))
    throw new EngineInputError(`Llama config: normEps and ropeTheta must be > 0`);
  const kv = c.kvHeads ?? c.heads;
  if (!Number.isInteger(kv) || kv < 1 || c.heads % kv !== 0)
    throw new EngineInputError(
      `Llama config: kvHeads ${kv} must be a positive integer that divides heads ${c.heads}`,
    );
}

const param = (w: WeightLookup, name: string, shape: number[]) => paramOf(w, 'Llama', name, shape);

/**
 * W_K and W_V of a Llama layer: k_proj and v_proj, nn.Linear [e, d], transposed to x·W (d × e;
 * e = h_kv·d_k, narrower than d for grouped-query attention).
 */
export function llamaAttentionLayout(c: LlamaConfig): AttentionLayout {
  const names = {
    k: (layer: number) => `layers.${layer}.self_attn.k_proj.weight`,
    v: (layer: number) => `layers.${layer}.self_attn.v_proj.weight`,
  };
  return separateKvLayout(names, c.d, llamaKeyWidth(c), param);
}

interface LlamaBlock {
  norm1: Tensor;
  attn: AttentionLayer | GroupedAttentionLayer;
  norm2: Tensor;
  gate: Tensor;
  up: Tensor;
  down: Tensor;
  gateB?: Tensor;
  upB?: Tensor;
  downB?: Tensor;
}

export class LlamaModel extends DecoderModel {
  readonly config: LlamaConfig;
  private embed!: Tensor;
  private head!: Tensor;
  private normF!: Tensor;
  private readonly blocks: LlamaBlock[] = [];

  constructor(
    backend: Backend,
    config: LlamaConfig,
    weights: WeightLookup,
    options: DecoderOptions,
  ) {
    validateLlamaConfig(config);
    super(backend, 'Llama', config.vocabSize, config.maxPositions, config.layers, options);
    this.config = { ...config };
    const { d, heads, ffnDim: f } = config;
    const up = (name: string, shape: number[]) =>
      this.upload(name, shape, () => param(weights, name, shape).data);
    const a = (i: number, p: string) => `layers.${i}.self_attn.${p}_proj`;
    const bias = (i: number, p: string, n: number) =>
      hasBias(config, p)
        ? Float64Array.from(param(weights, `${a(i, p)}.bias`, [n]).data)
        : undefined;
    const rope: RopeConfig = { pairing: 'half', base: config.ropeTheta };
    const layout = llamaAttentionLayout(config);
    const rows = range(0, d);
    const headDim = llamaHeadDim(config);
    const qw = heads * headDim;
    const e = llamaKeyWidth(config);
    const kvHeads = config.kvHeads ?? heads;
    this.build(() => {
      this.embed = up('embed_tokens.weight', [config.vocabSize, d]);
      for (let i = 0; i < config.layers; i++) {
        const l = `layers.${i}`;
        const { wK, wV } = layout.read(weights, i);
        const attnWeights: AttentionWeights = {
          d,
          heads,
          headDim,
          wQ: linearRowsT(param(weights, `${a(i, 'q')}.weight`, [qw, d]), range(0, qw)),
          wK,
          wV,
          wO: linearRowsT(param(weights, `${a(i, 'o')}.weight`, [d, qw]), rows),
          bQ: bias(i, 'q', qw),
          bK: bias(i, 'k', e),
          bV: bias(i, 'v', e),
          bO: bias(i, 'o', d),
        };
        const mlpBias = (name: string, n: number) =>
          config.mlpBias ? up(`${l}.mlp.${name}.bias`, [n]) : undefined;
        this.blocks.push({
          norm1: up(`${l}.input_layernorm.weight`, [d]),
          // h·d_k ≠ d runs the grouped layer too (its d-wide cache is what such shapes are for).
          attn:
            kvHeads < heads || qw !== d
              ? this.groupedAttention({ ...attnWeights, kvHeads }, i, rope)
              : this.attention(attnWeights, i, rope),
          norm2: up(`${l}.post_attention_layernorm.weight`, [d]),
          gate: up(`${l}.mlp.gate_proj.weight`, [f, d]),
          up: up(`${l}.mlp.up_proj.weight`, [f, d]),
          down: up(`${l}.mlp.down_proj.weight`, [d, f]),
          gateB: mlpBias('gate_proj', f),
          upB: mlpBias('up_proj', f),
          downB: mlpBias('down_proj', d),
        });
      }
      this.normF = up('norm.weight', [d]);
      this.head = config.tiedEmbeddings ? this.embed : up('lm_head.weight', [config.vocabSize, d]);
    });
  }

  protected forward(ids: readonly number[]): Tensor {
    const be = this.backend;
    const eps = this.config.normEps;
    const rms = (gamma: Tensor): RowNorm => ({ kind: 'rmsNorm', gamma, eps });
    return be.scope(() => {
      const x = throughBlocks(be, be.gather(this.embed, ids), this.blocks, (b, input) => {
        // x + attn(rms(x)): the norm is the Q/K/V product's prologue, the add its output's epilogue.
        const a = b.attn.prefill(input, { norm: rms(b.norm1), residual: input });
        // silu(rms(x)·W_gate) ⊙ rms(x)·W_up as one linear, then x + that·W_down.
        const h = be.linear(a, b.gate, {
          transposeB: true,
          bias: b.gateB,
          activation: 'silu',
          norm: rms(b.norm2),
          times: { weight: b.up, bias: b.upB },
        });
        return be.linear(h, b.down, { transposeB: true, bias: b.downB, residual: a });
      });
      const last = ids.length > 1 ? be.sliceRows(x, ids.length - 1, ids.length) : x;
      return be.linear(last, this.head, { transposeB: true, norm: rms(this.normF) });
    });
  }
}
