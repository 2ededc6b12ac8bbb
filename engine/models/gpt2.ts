/**
 * The GPT-2 decoder stack, written once against `Backend` (one engine, two backends):
 * token + learned position embeddings, pre-LN blocks (attention, GELU MLP, biases everywhere),
 * a final LayerNorm and the head tied to the token embedding. Attention is engine/attention's
 * layer, standard (KV-cache) or slim (K-cache, V = K·W_KV, paper §1, §2).
 *
 * Weights use Hugging Face's GPT-2 names (wte.weight, h.{i}.attn.c_attn.weight …, without the
 * "transformer." prefix) and its Conv1D layout (weight [in, out], y = x·W + b); load.ts reads
 * them from a checkpoint (gpt2, distilgpt2) with or without the prefix.
 */
import type { AttentionLayer, AttentionWeights } from '../attention';
import type { Backend, RowNorm } from '../backend';
import { matrix64 } from '../linalg';
import { EngineInputError, type Tensor } from '../tensor';
import { gaussian, seededRandom } from '../random';
import {
  columns,
  DecoderModel,
  param as paramOf,
  setColumns,
  throughBlocks,
  type DecoderOptions,
  type HostTensor,
  type HostWeights,
  type WeightLookup,
} from './decoder';
import type { AttentionLayout } from './layout';

export interface Gpt2Config {
  vocabSize: number;
  /** Learned positions (n_positions): the longest context. */
  nPositions: number;
  /** Model width d (n_embd). */
  d: number;
  heads: number;
  layers: number;
  /** LayerNorm ε (layer_norm_epsilon). */
  lnEps: number;
}

/** GPT-2 small: d 768, 12 heads, 12 layers, 50257 tokens, 1024 positions. */
export const GPT2_SMALL: Gpt2Config = {
  vocabSize: 50257,
  nPositions: 1024,
  d: 768,
  heads: 12,
  layers: 12,
  lnEps: 1e-5,
};

/** The parameter names and shapes of a GPT-2 checkpoint, in Hugging Face's order. */
export function gpt2ParameterShapes(c: Gpt2Config): [string, number[]][] {
  const { d } = c;
  const out: [string, number[]][] = [
    ['wte.weight', [c.vocabSize, d]],
    ['wpe.weight', [c.nPositions, d]],
  ];
  for (let i = 0; i < c.layers; i++) {
    const h = `h.${i}`;
    out.push(
      [`${h}.ln_1.weight`, [d]],
      [`${h}.ln_1.bias`, [d]],
      [`${h}.attn.c_attn.weight`, [d, 3 * d]],
      [`${h}.attn.c_attn.bias`, [3 * d]],
      [`${h}.attn.c_proj.weight`, [d, d]],
      [`${h}.attn.c_proj.bias`, [d]],
      [`${h}.ln_2.weight`, [d]],
      [`${h}.ln_2.bias`, [d]],
      [`${h}.mlp.c_fc.weight`, [d, 4 * d]],
      [`${h}.mlp.c_fc.bias`, [4 * d]],
      [`${h}.mlp.c_proj.weight`, [4 * d, d]],
      [`${h}.mlp.c_proj.bias`, [d]],
    );
  }
  out.push(['ln_f.weight', [d]], ['ln_f.bias', [d]]);
  return out;
}

export { seededRandom };

/** True for the LayerNorm gains (initialised near 1 by randomWeights). */
export const isGpt2Gain = (name: string): boolean => /ln_(1|2|f)\.weight$/.test(name);

/**
 * Random weights with GPT-2's initialisation (normal, σ 0.02; residual projections σ 0.02/√(2L))
 * plus small random biases and LayerNorm gains near 1, so every bias path (the K bias that
 * cancels, the V bias that folds, paper Appendix F) is exercised. `dtype` float32 halves host memory
 * for large models; float64 keeps the CPU float64 reference exact.
 */
export function randomGpt2Weights(
  config: Gpt2Config,
  seed = 1,
  dtype: 'float32' | 'float64' = 'float64',
): HostWeights {
  validateConfig(config);
  const normal = gaussian(seededRandom(seed));
  const weights: HostWeights = new Map();
  const residualStd = 0.02 / Math.sqrt(2 * config.layers);
  for (const [name, shape] of gpt2ParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
    if (name.endsWith('ln_1.weight') || name.endsWith('ln_2.weight') || name === 'ln_f.weight') {
      for (let i = 0; i < size; i++) data[i] = 1 + 0.1 * normal();
    } else if (name.endsWith('.bias')) {
      for (let i = 0; i < size; i++) data[i] = 0.02 * normal();
    } else {
      const std = name.endsWith('c_proj.weight') ? residualStd : 0.02;
      for (let i = 0; i < size; i++) data[i] = std * normal();
    }
    weights.set(name, { shape, data });
  }
  return weights;
}

function validateConfig(c: Gpt2Config): void {
  const ints = [c.vocabSize, c.nPositions, c.d, c.heads, c.layers];
  if (!ints.every((v) => Number.isInteger(v) && v >= 1) || c.d % c.heads !== 0) {
    throw new EngineInputError(
      `GPT-2 config: vocabSize, nPositions, d, heads, layers must be positive integers with d divisible by heads; got ${JSON.stringify(c)}`,
    );
  }
  if (!(c.lnEps > 0) || !Number.isFinite(c.lnEps)) {
    throw new EngineInputError(`GPT-2 config: lnEps must be > 0, got ${c.lnEps}`);
  }
}

const param = (w: WeightLookup, name: string, shape: number[]): HostTensor =>
  paramOf(w, 'GPT-2', name, shape);

/**
 * Where W_K and W_V of a layer live in a GPT-2 checkpoint: column blocks of the fused Conv1D
 * c_attn [d, 3d] (x·W layout, Q | K | V). Used by the conditioning check and the converter.
 */
export function gpt2AttentionLayout(c: Gpt2Config): AttentionLayout {
  const { d } = c;
  const name = (layer: number) => `h.${layer}.attn.c_attn.weight`;
  return {
    tensors: (layer) => [name(layer)],
    read: (w, layer) => {
      const t = param(w, name(layer), [d, 3 * d]);
      return { wK: columns(t, d, 2 * d), wV: columns(t, 2 * d, 3 * d) };
    },
    writeK: (w, layer, m) => setColumns(param(w, name(layer), [d, 3 * d]), d, m),
    writeV: (w, layer, m) => setColumns(param(w, name(layer), [d, 3 * d]), 2 * d, m),
  };
}

/** One pre-LayerNorm block with a GELU MLP (GPT-2, GPT-Neo). */
export interface LayerNormBlock {
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

/** What a learned-positions decoder's forward pass reads (see learnedPositionsForward). */
export interface LearnedPositionsWeights {
  wte: Tensor;
  wpe: Tensor;
  blocks: readonly LayerNormBlock[];
  lnfG: Tensor;
  lnfB: Tensor;
  /** The output head, [vocab, d] (GPT-2 ties it to wte). */
  head: Tensor;
}

/**
 * The forward pass of GPT-2 and GPT-Neo: token plus learned position embeddings, then per block
 * x + attn(ln_1(x)) (ln_1 is the Q/K/V product's prologue, the add its output's epilogue) and
 * x + proj(gelu(fc(ln_2(x)))); only the last row's logits, since generating needs no others.
 * `mlpOutIn`: the MLP weights are stored [out, in] (nn.Linear, GPT-Neo), not [in, out] (Conv1D).
 */
export function learnedPositionsForward(
  be: Backend,
  w: LearnedPositionsWeights,
  ids: readonly number[],
  start: number,
  eps: number,
  mlpOutIn: boolean,
): Tensor {
  const ln = (gamma: Tensor, beta: Tensor): RowNorm => ({ kind: 'layerNorm', gamma, beta, eps });
  return be.scope(() => {
    const positions = ids.map((_, i) => start + i);
    const embedded = be.add(be.gather(w.wte, ids), be.gather(w.wpe, positions));
    const x = throughBlocks(be, embedded, w.blocks, (b, input) => {
      const a = b.attn.prefill(input, { norm: ln(b.ln1g, b.ln1b), residual: input });
      const h = be.linear(a, b.fc, {
        transposeB: mlpOutIn,
        bias: b.fcB,
        activation: 'gelu',
        norm: ln(b.ln2g, b.ln2b),
      });
      return be.linear(h, b.proj, { transposeB: mlpOutIn, bias: b.projB, residual: a });
    });
    const last = ids.length > 1 ? be.sliceRows(x, ids.length - 1, ids.length) : x;
    return be.linear(last, w.head, { transposeB: true, norm: ln(w.lnfG, w.lnfB) });
  });
}

export class Gpt2Model extends DecoderModel {
  readonly config: Gpt2Config;
  // Assigned in build(), which runs inside the constructor.
  private wte!: Tensor;
  private wpe!: Tensor;
  private readonly blocks: LayerNormBlock[] = [];
  private lnfG!: Tensor;
  private lnfB!: Tensor;

  constructor(
    backend: Backend,
    config: Gpt2Config,
    weights: WeightLookup,
    options: DecoderOptions,
  ) {
    validateConfig(config);
    super(backend, 'GPT-2', config.vocabSize, config.nPositions, config.layers, options);
    this.config = { ...config };
    this.positionsName = 'learned positions';
    const { d, heads } = config;
    const up = (name: string, shape: number[]): Tensor =>
      this.upload(name, shape, () => param(weights, name, shape).data);
    const layout = gpt2AttentionLayout(config);
    this.build(() => {
      this.wte = up('wte.weight', [config.vocabSize, d]);
      this.wpe = up('wpe.weight', [config.nPositions, d]);
      for (let i = 0; i < config.layers; i++) {
        const h = `h.${i}`;
        const cAttn = param(weights, `${h}.attn.c_attn.weight`, [d, 3 * d]);
        const cAttnB = param(weights, `${h}.attn.c_attn.bias`, [3 * d]).data;
        const proj = param(weights, `${h}.attn.c_proj.weight`, [d, d]);
        const { wK, wV } = layout.read(weights, i);
        const attnWeights: AttentionWeights = {
          d,
          heads,
          headDim: d / heads,
          wQ: columns(cAttn, 0, d),
          wK,
          wV,
          wO: matrix64(d, d, proj.data),
          bQ: Float64Array.from(cAttnB.subarray(0, d)),
          bK: Float64Array.from(cAttnB.subarray(d, 2 * d)),
          bV: Float64Array.from(cAttnB.subarray(2 * d, 3 * d)),
          bO: Float64Array.from(param(weights, `${h}.attn.c_proj.bias`, [d]).data),
        };
        this.blocks.push({
          ln1g: up(`${h}.ln_1.weight`, [d]),
          ln1b: up(`${h}.ln_1.bias`, [d]),
          attn: this.attention(attnWeights, i),
          ln2g: up(`${h}.ln_2.weight`, [d]),
          ln2b: up(`${h}.ln_2.bias`, [d]),
          fc: up(`${h}.mlp.c_fc.weight`, [d, 4 * d]),
          fcB: up(`${h}.mlp.c_fc.bias`, [4 * d]),
          proj: up(`${h}.mlp.c_proj.weight`, [4 * d, d]),
          projB: up(`${h}.mlp.c_proj.bias`, [d]),
        });
      }
      this.lnfG = up('ln_f.weight', [d]);
      this.lnfB = up('ln_f.bias', [d]);
    });
  }

  protected forward(ids: readonly number[]): Tensor {
    const { wte, wpe, blocks, lnfG, lnfB } = this;
    const weights = { wte, wpe, blocks, lnfG, lnfB, head: wte };
    return learnedPositionsForward(
      this.backend,
      weights,
      ids,
      this.length,
      this.config.lnEps,
      false,
    );
  }
}
