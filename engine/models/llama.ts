/**
 * The Llama decoder (`LlamaForCausalLM`), written once against `Backend`: RMSNorm, attention with
 * rotate-half RoPE (θ base rope_theta) from engine/attention, the SwiGLU MLP
 * down(silu(gate(x)) ⊙ up(x)), a final RMSNorm and a head tied to the embedding or not. MHA
 * only: slim attention halves the cache of MHA (paper §1); GQA/MQA checkpoints are refused by
 * the loader with the cost model's reason.
 *
 * Weights use Hugging Face's names without the "model." prefix (embed_tokens.weight,
 * layers.{i}.self_attn.q_proj.weight …, norm.weight; lm_head.weight) in nn.Linear layout
 * ([out, in], y = x·Wᵀ + b).
 */
import type { AttentionWeights } from '../attention';
import type { AttentionLayer, RopeConfig } from '../attention';
import type { Backend, RowNorm } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import {
  DecoderModel,
  linearRowsT,
  param as paramOf,
  range,
  setLinearRowsT,
  type DecoderOptions,
  type HostWeights,
  type RotaryDecoderShape,
} from './decoder';
import type { AttentionLayout } from './layout';

export interface LlamaConfig extends RotaryDecoderShape {
  /** rms_norm_eps. */
  normEps: number;
  /** rope_theta. */
  ropeTheta: number;
  /** tie_word_embeddings: the head is embed_tokens. */
  tiedEmbeddings: boolean;
  /** attention_bias: q/k/v/o projections have biases. */
  attentionBias?: boolean;
  /** mlp_bias: gate/up/down projections have biases. */
  mlpBias?: boolean;
}

/** The parameter names and shapes of a Llama checkpoint (without the "model." prefix). */
export function llamaParameterShapes(c: LlamaConfig): [string, number[]][] {
  const { d, ffnDim: f } = c;
  const out: [string, number[]][] = [['embed_tokens.weight', [c.vocabSize, d]]];
  for (let i = 0; i < c.layers; i++) {
    const l = `layers.${i}`;
    out.push([`${l}.input_layernorm.weight`, [d]]);
    for (const p of ['q', 'k', 'v', 'o']) {
      out.push([`${l}.self_attn.${p}_proj.weight`, [d, d]]);
      if (c.attentionBias) out.push([`${l}.self_attn.${p}_proj.bias`, [d]]);
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
  if (!ints.every((v) => Number.isInteger(v) && v >= 1) || c.d % c.heads !== 0) {
    throw new EngineInputError(
      `Llama config: vocabSize, maxPositions, d, heads, layers, ffnDim must be positive integers with d divisible by heads; got ${JSON.stringify(c)}`,
    );
  }
  if ((c.d / c.heads) % 2 !== 0)
    throw new EngineInputError(
      `Llama config: the head width ${c.d / c.heads} must be even for RoPE`,
    );
  if (!(c.normEps > 0) || !(c.ropeTheta > 0))
    throw new EngineInputError(`Llama config: normEps and ropeTheta must be > 0`);
}

const param = (w: HostWeights, name: string, shape: number[]) => paramOf(w, 'Llama', name, shape);

/** W_K and W_V of a Llama layer: k_proj and v_proj, nn.Linear [e, d], transposed to x·W. */
export function llamaAttentionLayout(c: LlamaConfig): AttentionLayout {
  const { d } = c;
  const rows = range(0, d);
  const k = (layer: number) => `layers.${layer}.self_attn.k_proj.weight`;
  const v = (layer: number) => `layers.${layer}.self_attn.v_proj.weight`;
  return {
    tensors: (layer) => [k(layer), v(layer)],
    read: (w, layer) => ({
      wK: linearRowsT(param(w, k(layer), [d, d]), rows),
      wV: linearRowsT(param(w, v(layer), [d, d]), rows),
    }),
    writeK: (w, layer, m) => setLinearRowsT(param(w, k(layer), [d, d]), rows, m),
    writeV: (w, layer, m) => setLinearRowsT(param(w, v(layer), [d, d]), rows, m),
  };
}

interface LlamaBlock {
  norm1: Tensor;
  attn: AttentionLayer;
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
    weights: HostWeights,
    options: DecoderOptions,
  ) {
    validateLlamaConfig(config);
    super(backend, 'Llama', config.vocabSize, config.maxPositions, config.layers, options);
    this.config = { ...config };
    const { d, heads, ffnDim: f } = config;
    const up = (name: string, shape: number[]) =>
      this.upload(param(weights, name, shape).data, shape);
    const bias = (name: string, n: number, present: boolean | undefined) =>
      present ? Float64Array.from(param(weights, name, [n]).data) : undefined;
    const rope: RopeConfig = { pairing: 'half', base: config.ropeTheta };
    const layout = llamaAttentionLayout(config);
    const rows = range(0, d);
    this.build(() => {
      this.embed = up('embed_tokens.weight', [config.vocabSize, d]);
      for (let i = 0; i < config.layers; i++) {
        const l = `layers.${i}`;
        const a = `${l}.self_attn`;
        const { wK, wV } = layout.read(weights, i);
        const attnWeights: AttentionWeights = {
          d,
          heads,
          headDim: d / heads,
          wQ: linearRowsT(param(weights, `${a}.q_proj.weight`, [d, d]), rows),
          wK,
          wV,
          wO: linearRowsT(param(weights, `${a}.o_proj.weight`, [d, d]), rows),
          bQ: bias(`${a}.q_proj.bias`, d, config.attentionBias),
          bK: bias(`${a}.k_proj.bias`, d, config.attentionBias),
          bV: bias(`${a}.v_proj.bias`, d, config.attentionBias),
          bO: bias(`${a}.o_proj.bias`, d, config.attentionBias),
        };
        const mlpBias = (name: string, n: number) =>
          config.mlpBias ? up(`${l}.mlp.${name}.bias`, [n]) : undefined;
        this.blocks.push({
          norm1: up(`${l}.input_layernorm.weight`, [d]),
          attn: this.attention(attnWeights, i, rope),
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
      let x = be.gather(this.embed, ids);
      for (const b of this.blocks) {
        // x + attn(rms(x)): the norm is the Q/K/V product's prologue, the add its output's epilogue.
        x = b.attn.prefill(x, { norm: rms(b.norm1), residual: x });
        // silu(rms(x)·W_gate) ⊙ rms(x)·W_up as one linear, then x + that·W_down.
        const h = be.linear(x, b.gate, {
          transposeB: true,
          bias: b.gateB,
          activation: 'silu',
          norm: rms(b.norm2),
          times: { weight: b.up, bias: b.upB },
        });
        x = be.linear(h, b.down, { transposeB: true, bias: b.downB, residual: x });
      }
      const last = ids.length > 1 ? be.sliceRows(x, ids.length - 1, ids.length) : x;
      return be.linear(last, this.head, { transposeB: true, norm: rms(this.normF) });
    });
  }
}
