/**
 * The GPT-NeoX decoder (`GPTNeoXForCausalLM`, the Pythia models), written once against
 * `Backend`: LayerNorm, attention from engine/attention with partial rotate-half RoPE (the first
 * rotary_pct of each head's dims rotate), a GELU MLP with biases, and the parallel residual
 * x + attn(ln1(x)) + mlp(ln2(x)) (or the sequential one when use_parallel_residual is false).
 *
 * Weights use Hugging Face's names without the "gpt_neox." prefix (embed_in.weight,
 * layers.{i}.attention.query_key_value.weight …, final_layer_norm.weight; embed_out.weight) in
 * nn.Linear layout. The fused query_key_value [3d, d] is laid out per head: rows
 * [h·3d_k, h·3d_k + d_k) are head h's queries, then its keys, then its values.
 */
import type { AttentionLayer, AttentionWeights, RopeConfig } from '../attention';
import type { Backend, RowNorm } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import {
  DecoderModel,
  throughBlocks,
  linearRowsT,
  param as paramOf,
  range,
  setLinearRowsT,
  type DecoderOptions,
  type WeightLookup,
  type DecoderShape,
} from './decoder';
import type { AttentionLayout } from './layout';

export interface NeoxConfig extends DecoderShape {
  /** layer_norm_eps. */
  normEps: number;
  /** rotary_emb_base / rope_theta. */
  ropeTheta: number;
  /** rotary_pct ∈ (0, 1]: rotated dims per head = floor(headDim · rotaryPct). */
  rotaryPct: number;
  /** use_parallel_residual. */
  parallelResidual: boolean;
  /** tie_word_embeddings: the head is embed_in. */
  tiedEmbeddings: boolean;
  /** attention_bias (default true): query_key_value and dense have biases. */
  attentionBias?: boolean;
}

export function neoxParameterShapes(c: NeoxConfig): [string, number[]][] {
  const { d, ffnDim: f } = c;
  const bias = c.attentionBias !== false;
  const out: [string, number[]][] = [['embed_in.weight', [c.vocabSize, d]]];
  for (let i = 0; i < c.layers; i++) {
    const l = `layers.${i}`;
    out.push([`${l}.input_layernorm.weight`, [d]], [`${l}.input_layernorm.bias`, [d]]);
    out.push([`${l}.post_attention_layernorm.weight`, [d]]);
    out.push([`${l}.post_attention_layernorm.bias`, [d]]);
    out.push([`${l}.attention.query_key_value.weight`, [3 * d, d]]);
    if (bias) out.push([`${l}.attention.query_key_value.bias`, [3 * d]]);
    out.push([`${l}.attention.dense.weight`, [d, d]]);
    if (bias) out.push([`${l}.attention.dense.bias`, [d]]);
    out.push([`${l}.mlp.dense_h_to_4h.weight`, [f, d]], [`${l}.mlp.dense_h_to_4h.bias`, [f]]);
    out.push([`${l}.mlp.dense_4h_to_h.weight`, [d, f]], [`${l}.mlp.dense_4h_to_h.bias`, [d]]);
  }
  out.push(['final_layer_norm.weight', [d]], ['final_layer_norm.bias', [d]]);
  if (!c.tiedEmbeddings) out.push(['embed_out.weight', [c.vocabSize, d]]);
  return out;
}

export const isNeoxGain = (name: string): boolean => /(layernorm|layer_norm)\.weight$/.test(name);

/** Rotated dims per head, as transformers computes it: int(headDim · rotary_pct). */
export function neoxRotaryDim(c: NeoxConfig): number {
  return Math.floor((c.d / c.heads) * c.rotaryPct);
}

export function validateNeoxConfig(c: NeoxConfig): void {
  const ints = [c.vocabSize, c.maxPositions, c.d, c.heads, c.layers, c.ffnDim];
  if (!ints.every((v) => Number.isInteger(v) && v >= 1) || c.d % c.heads !== 0) {
    throw new EngineInputError(
      `GPT-NeoX config: vocabSize, maxPositions, d, heads, layers, ffnDim must be positive integers with d divisible by heads; got ${JSON.stringify(c)}`,
    );
  }
  const r = neoxRotaryDim(c);
  if (!(c.rotaryPct > 0 && c.rotaryPct <= 1) || r < 2 || r % 2 !== 0)
    throw new EngineInputError(
      `GPT-NeoX config: rotary_pct ${c.rotaryPct} gives ${r} rotated dims per head; RoPE needs an even number ≥ 2`,
    );
  if (!(c.normEps > 0) || !(c.ropeTheta > 0))
    throw new EngineInputError(`GPT-NeoX config: normEps and ropeTheta must be > 0`);
}

const param = (w: WeightLookup, name: string, shape: number[]) =>
  paramOf(w, 'GPT-NeoX', name, shape);

/** Rows of the fused [3d, d] query_key_value holding part p (0 q, 1 k, 2 v) of every head. */
function qkvRows(c: NeoxConfig, part: 0 | 1 | 2): number[] {
  const dk = c.d / c.heads;
  const rows: number[] = [];
  for (let h = 0; h < c.heads; h++) rows.push(...range(h * 3 * dk + part * dk, dk));
  return rows;
}

export function neoxAttentionLayout(c: NeoxConfig): AttentionLayout {
  const { d } = c;
  const name = (layer: number) => `layers.${layer}.attention.query_key_value.weight`;
  const kRows = qkvRows(c, 1);
  const vRows = qkvRows(c, 2);
  const t = (w: WeightLookup, layer: number) => param(w, name(layer), [3 * d, d]);
  return {
    tensors: (layer) => [name(layer)],
    read: (w, layer) => ({
      wK: linearRowsT(t(w, layer), kRows),
      wV: linearRowsT(t(w, layer), vRows),
    }),
    writeK: (w, layer, m) => setLinearRowsT(t(w, layer), kRows, m),
    writeV: (w, layer, m) => setLinearRowsT(t(w, layer), vRows, m),
  };
}

interface NeoxBlock {
  ln1g: Tensor;
  ln1b: Tensor;
  attn: AttentionLayer;
  ln2g: Tensor;
  ln2b: Tensor;
  fc: Tensor;
  fcB: Tensor;
  proj: Tensor;
  projB: Tensor;
}

export class NeoxModel extends DecoderModel {
  readonly config: NeoxConfig;
  private embed!: Tensor;
  private head!: Tensor;
  private lnfG!: Tensor;
  private lnfB!: Tensor;
  private readonly blocks: NeoxBlock[] = [];

  constructor(
    backend: Backend,
    config: NeoxConfig,
    weights: WeightLookup,
    options: DecoderOptions,
  ) {
    validateNeoxConfig(config);
    super(backend, 'GPT-NeoX', config.vocabSize, config.maxPositions, config.layers, options);
    this.config = { ...config };
    const { d, heads, ffnDim: f } = config;
    const hasBias = config.attentionBias !== false;
    const up = (name: string, shape: number[]) =>
      this.upload(name, shape, () => param(weights, name, shape).data);
    const rope: RopeConfig = {
      pairing: 'half',
      base: config.ropeTheta,
      rotaryDim: neoxRotaryDim(config),
    };
    const layout = neoxAttentionLayout(config);
    const pick = (b: Float32Array | Float64Array, rows: number[]) =>
      Float64Array.from(rows, (r) => b[r]);
    this.build(() => {
      this.embed = up('embed_in.weight', [config.vocabSize, d]);
      for (let i = 0; i < config.layers; i++) {
        const l = `layers.${i}`;
        const qkv = param(weights, `${l}.attention.query_key_value.weight`, [3 * d, d]);
        const qkvB = hasBias
          ? param(weights, `${l}.attention.query_key_value.bias`, [3 * d]).data
          : undefined;
        const { wK, wV } = layout.read(weights, i);
        const [qRows, kRows, vRows] = [qkvRows(config, 0), qkvRows(config, 1), qkvRows(config, 2)];
        const attnWeights: AttentionWeights = {
          d,
          heads,
          headDim: d / heads,
          wQ: linearRowsT(qkv, qRows),
          wK,
          wV,
          wO: linearRowsT(param(weights, `${l}.attention.dense.weight`, [d, d]), range(0, d)),
          bQ: qkvB && pick(qkvB, qRows),
          bK: qkvB && pick(qkvB, kRows),
          bV: qkvB && pick(qkvB, vRows),
          bO: hasBias
            ? Float64Array.from(param(weights, `${l}.attention.dense.bias`, [d]).data)
            : undefined,
        };
        this.blocks.push({
          ln1g: up(`${l}.input_layernorm.weight`, [d]),
          ln1b: up(`${l}.input_layernorm.bias`, [d]),
          attn: this.attention(attnWeights, i, rope),
          ln2g: up(`${l}.post_attention_layernorm.weight`, [d]),
          ln2b: up(`${l}.post_attention_layernorm.bias`, [d]),
          fc: up(`${l}.mlp.dense_h_to_4h.weight`, [f, d]),
          fcB: up(`${l}.mlp.dense_h_to_4h.bias`, [f]),
          proj: up(`${l}.mlp.dense_4h_to_h.weight`, [d, f]),
          projB: up(`${l}.mlp.dense_4h_to_h.bias`, [d]),
        });
      }
      this.lnfG = up('final_layer_norm.weight', [d]);
      this.lnfB = up('final_layer_norm.bias', [d]);
      this.head = config.tiedEmbeddings
        ? this.embed
        : up('embed_out.weight', [config.vocabSize, d]);
    });
  }

  protected forward(ids: readonly number[]): Tensor {
    const be = this.backend;
    const eps = this.config.normEps;
    const ln = (gamma: Tensor, beta: Tensor): RowNorm => ({ kind: 'layerNorm', gamma, beta, eps });
    return be.scope(() => {
      const x = be.gather(this.embed, ids);
      // residual + mlp(ln_2(input)), the norm and the add fused into the two products.
      const mlp = (b: NeoxBlock, input: Tensor, residual: Tensor) => {
        const h = be.linear(input, b.fc, {
          transposeB: true,
          bias: b.fcB,
          activation: 'gelu',
          norm: ln(b.ln2g, b.ln2b),
        });
        return be.linear(h, b.proj, { transposeB: true, bias: b.projB, residual });
      };
      const y = throughBlocks(be, x, this.blocks, (b, input) => {
        const withAttn = b.attn.prefill(input, { norm: ln(b.ln1g, b.ln1b), residual: input });
        // Parallel: x + attn(ln_1(x)) + mlp(ln_2(x)); sequential: the MLP reads x + attn.
        return this.config.parallelResidual ? mlp(b, input, withAttn) : mlp(b, withAttn, withAttn);
      });
      const last = ids.length > 1 ? be.sliceRows(y, ids.length - 1, ids.length) : y;
      return be.linear(last, this.head, { transposeB: true, norm: ln(this.lnfG, this.lnfB) });
    });
  }
}
