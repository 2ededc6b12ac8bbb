/**
 * The GPT-Neo decoder (`GPTNeoForCausalLM`: EleutherAI's gpt-neo-125M …, the TinyStories
 * models), written once against `Backend`: token + learned position embeddings, pre-LN blocks
 * (LayerNorm, attention, GELU MLP), a final LayerNorm and the head tied to the token embedding
 * (or lm_head when tie_word_embeddings is false). Attention has separate q/k/v projections
 * without bias and out_proj with bias, no 1/√d_k score scale, and alternates global layers
 * (causal over every position) with local ones (a query sees the last window_size positions,
 * itself included; their caches keep at most that many rows). MHA with square W_K and no RoPE:
 * slim runs as for GPT-2, either direction (paper §1, Appendix C).
 *
 * Weights use Hugging Face's names without the "transformer." prefix (wte.weight,
 * h.{i}.attn.attention.q_proj.weight …, ln_f.weight; lm_head.weight) in nn.Linear layout
 * ([out, in], y = x·Wᵀ + b).
 */
import type { AttentionWeights } from '../attention';
import type { Backend } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import {
  DecoderModel,
  linearRowsT,
  param as paramOf,
  range,
  type DecoderOptions,
  type DecoderShape,
  type WeightLookup,
} from './decoder';
import { learnedPositionsForward, type LayerNormBlock } from './gpt2';
import { separateKvLayout, type AttentionLayout } from './layout';

export type GptNeoAttentionType = 'global' | 'local';

/** maxPositions: rows of the learned position table; ffnDim: 4d when the config gives none. */
export interface GptNeoConfig extends DecoderShape {
  /** layer_norm_epsilon. */
  normEps: number;
  /** Per layer: 'global' or 'local' (attention_types expanded). */
  attentionLayers: readonly GptNeoAttentionType[];
  /** window_size: a local layer's query sees the last `window` positions. */
  window: number;
  /** tie_word_embeddings (true by default): the head is wte. */
  tiedEmbeddings: boolean;
}

const attn = (layer: number) => `h.${layer}.attn.attention`;

/** The parameter names and shapes of a GPT-Neo checkpoint, in Hugging Face's order. */
export function gptNeoParameterShapes(c: GptNeoConfig): [string, number[]][] {
  const { d, ffnDim: f } = c;
  const out: [string, number[]][] = [
    ['wte.weight', [c.vocabSize, d]],
    ['wpe.weight', [c.maxPositions, d]],
  ];
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}`;
    out.push([`${h}.ln_1.weight`, [d]], [`${h}.ln_1.bias`, [d]]);
    for (const p of ['k', 'v', 'q', 'out']) out.push([`${attn(i)}.${p}_proj.weight`, [d, d]]);
    out.push([`${attn(i)}.out_proj.bias`, [d]]);
    out.push([`${h}.ln_2.weight`, [d]], [`${h}.ln_2.bias`, [d]]);
    out.push([`${h}.mlp.c_fc.weight`, [f, d]], [`${h}.mlp.c_fc.bias`, [f]]);
    out.push([`${h}.mlp.c_proj.weight`, [d, f]], [`${h}.mlp.c_proj.bias`, [d]]);
  }
  out.push(['ln_f.weight', [d]], ['ln_f.bias', [d]]);
  if (!c.tiedEmbeddings) out.push(['lm_head.weight', [c.vocabSize, d]]);
  return out;
}

/** True for the LayerNorm gains (initialised near 1 by randomWeights). */
export const isGptNeoGain = (name: string): boolean => /ln_(1|2|f)\.weight$/.test(name);

export function validateGptNeoConfig(c: GptNeoConfig): void {
  const ints = [c.vocabSize, c.maxPositions, c.d, c.heads, c.layers, c.ffnDim, c.window];
  if (!ints.every((v) => Number.isInteger(v) && v >= 1) || c.d % c.heads !== 0)
    throw new EngineInputError(
      `GPT-Neo config: vocabSize, maxPositions, d, heads, layers, ffnDim, window must be positive integers with d divisible by heads; got ${JSON.stringify(c)}`,
    );
  if (
    c.attentionLayers.length !== c.layers ||
    c.attentionLayers.some((t) => t !== 'global' && t !== 'local')
  )
    throw new EngineInputError(
      `GPT-Neo config: attentionLayers must give 'global' or 'local' for each of the ${c.layers} layers, got ${JSON.stringify(c.attentionLayers)}`,
    );
  if (!(c.normEps > 0)) throw new EngineInputError(`GPT-Neo config: normEps must be > 0`);
}

const param = (w: WeightLookup, name: string, shape: number[]) =>
  paramOf(w, 'GPT-Neo', name, shape);

/** W_K and W_V of a GPT-Neo layer: k_proj and v_proj, nn.Linear [d, d], transposed to x·W. */
export function gptNeoAttentionLayout(c: GptNeoConfig): AttentionLayout {
  const names = {
    k: (layer: number) => `${attn(layer)}.k_proj.weight`,
    v: (layer: number) => `${attn(layer)}.v_proj.weight`,
  };
  return separateKvLayout(names, c.d, c.d, param);
}

export class GptNeoModel extends DecoderModel {
  readonly config: GptNeoConfig;
  private wte!: Tensor;
  private wpe!: Tensor;
  private head!: Tensor;
  private lnfG!: Tensor;
  private lnfB!: Tensor;
  private readonly blocks: LayerNormBlock[] = [];

  constructor(
    backend: Backend,
    config: GptNeoConfig,
    weights: WeightLookup,
    options: DecoderOptions,
  ) {
    validateGptNeoConfig(config);
    super(backend, 'GPT-Neo', config.vocabSize, config.maxPositions, config.layers, options);
    this.config = { ...config, attentionLayers: [...config.attentionLayers] };
    this.positionsName = 'learned positions';
    const { d, heads, ffnDim: f } = config;
    const up = (name: string, shape: number[]) =>
      this.upload(name, shape, () => param(weights, name, shape).data);
    const layout = gptNeoAttentionLayout(config);
    const rows = range(0, d);
    this.build(() => {
      this.wte = up('wte.weight', [config.vocabSize, d]);
      this.wpe = up('wpe.weight', [config.maxPositions, d]);
      for (let i = 0; i < config.layers; i++) {
        const h = `h.${i}`;
        const { wK, wV } = layout.read(weights, i);
        const attnWeights: AttentionWeights = {
          d,
          heads,
          headDim: d / heads,
          wQ: linearRowsT(param(weights, `${attn(i)}.q_proj.weight`, [d, d]), rows),
          wK,
          wV,
          wO: linearRowsT(param(weights, `${attn(i)}.out_proj.weight`, [d, d]), rows),
          bO: Float64Array.from(param(weights, `${attn(i)}.out_proj.bias`, [d]).data),
        };
        // No 1/√d_k: GPT-Neo's scores are plain q·kᵀ.
        const local = config.attentionLayers[i] === 'local';
        const scores = { scoreScale: 1, window: local ? config.window : undefined };
        this.blocks.push({
          ln1g: up(`${h}.ln_1.weight`, [d]),
          ln1b: up(`${h}.ln_1.bias`, [d]),
          attn: this.attention(attnWeights, i, undefined, scores),
          ln2g: up(`${h}.ln_2.weight`, [d]),
          ln2b: up(`${h}.ln_2.bias`, [d]),
          fc: up(`${h}.mlp.c_fc.weight`, [f, d]),
          fcB: up(`${h}.mlp.c_fc.bias`, [f]),
          proj: up(`${h}.mlp.c_proj.weight`, [d, f]),
          projB: up(`${h}.mlp.c_proj.bias`, [d]),
        });
      }
      this.lnfG = up('ln_f.weight', [d]);
      this.lnfB = up('ln_f.bias', [d]);
      this.head = config.tiedEmbeddings ? this.wte : up('lm_head.weight', [config.vocabSize, d]);
    });
  }

  protected forward(ids: readonly number[]): Tensor {
    const { wte, wpe, blocks, lnfG, lnfB, head } = this;
    const weights = { wte, wpe, blocks, lnfG, lnfB, head };
    return learnedPositionsForward(
      this.backend,
      weights,
      ids,
      this.length,
      this.config.normEps,
      true,
    );
  }
}
