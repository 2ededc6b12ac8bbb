/**
 * The GPT-2 decoder stack, written once against `Backend` (one engine, two backends):
 * token + learned position embeddings, pre-LN blocks (attention, GELU MLP, biases everywhere),
 * a final LayerNorm and the head tied to the token embedding. Attention is engine/attention's
 * layer, standard (KV-cache) or slim (K-cache, V = K·W_KV, paper §1, §2).
 *
 * Weights use Hugging Face's GPT-2 names (wte.weight, h.{i}.attn.c_attn.weight …, without the
 * "transformer." prefix) and its Conv1D layout (weight [in, out], y = x·W + b), so a real
 * checkpoint can drop in later.
 */
import { createAttention, type AttentionLayer, type AttentionWeights } from '../attention';
import type { CacheScheme, DecodeOrder } from '../../roofline';
import type { Backend } from '../backend';
import { matrix64 } from '../linalg';
import { EngineInputError, shapeString, type Tensor } from '../tensor';
import { gaussian, seededRandom } from '../random';

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

/** A host tensor: row-major values and their shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Hugging Face parameter name → values. */
export type Gpt2Weights = Map<string, HostTensor>;

/** The caches a GPT-2 can hold: the standard KV-cache or slim attention's K-cache (paper §1). */
export type Gpt2Scheme = Extract<CacheScheme, 'kv' | 'k-cache'>;

export interface Gpt2Options {
  scheme: Gpt2Scheme;
  /** Order of slim decode with the K-cache (paper §2); 'k-first' (option 2) by default. */
  decodeOrder?: DecodeOrder;
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
): Gpt2Weights {
  validateConfig(config);
  const normal = gaussian(seededRandom(seed));
  const weights: Gpt2Weights = new Map();
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

function param(w: Gpt2Weights, name: string, shape: number[]): HostTensor {
  const t = w.get(name);
  if (!t) throw new EngineInputError(`GPT-2 weights: missing ${name}`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new EngineInputError(
      `GPT-2 weights: ${name} has shape ${shapeString(t.shape)}, expected ${shapeString(shape)}`,
    );
  }
  return t;
}

/** Columns [c0, c1) of a host [rows, cols] matrix as float64 (c_attn → W_Q, W_K, W_V). */
function columns(t: HostTensor, c0: number, c1: number) {
  const [r, c] = t.shape;
  const out = matrix64(r, c1 - c0);
  for (let i = 0; i < r; i++) {
    for (let j = c0; j < c1; j++) out.data[i * (c1 - c0) + j - c0] = t.data[i * c + j];
  }
  return out;
}

interface Block {
  ln1g: Tensor;
  ln1b: Tensor;
  attn: AttentionLayer;
  ln2g: Tensor;
  ln2b: Tensor;
  fcW: Tensor;
  fcB: Tensor;
  projW: Tensor;
  projB: Tensor;
}

export interface Gpt2CacheBytes {
  /** Bytes of the filled K-cache rows over all layers. */
  kCache: number;
  /** Bytes of the filled V-cache rows (0 for slim). */
  vCache: number;
  /** kCache + vCache. */
  total: number;
  /** Bytes reserved by the caches (capacity doubles). */
  allocated: number;
}

export class Gpt2Model {
  readonly config: Gpt2Config;
  readonly options: Required<Gpt2Options>;
  /** Bytes the backend allocated for this model's weights, measured when it was built. */
  readonly weightBytes: number;
  private readonly wte: Tensor;
  private readonly wpe: Tensor;
  private readonly blocks: Block[] = [];
  private readonly lnfG: Tensor;
  private readonly lnfB: Tensor;
  /** Everything uploaded so far, so a constructor that fails half-way frees what it made. */
  private readonly owned: Tensor[] = [];
  private readonly attns: AttentionLayer[] = [];
  private disposed = false;

  constructor(
    readonly backend: Backend,
    config: Gpt2Config,
    weights: Gpt2Weights,
    options: Gpt2Options,
  ) {
    validateConfig(config);
    if (options.scheme !== 'kv' && options.scheme !== 'k-cache') {
      throw new EngineInputError(
        `GPT-2: scheme must be 'kv' or 'k-cache', got ${String(options.scheme)}`,
      );
    }
    this.config = { ...config };
    this.options = { scheme: options.scheme, decodeOrder: options.decodeOrder ?? 'k-first' };
    const before = backend.stats().liveBytes;
    const { d, heads } = config;
    const up = (name: string, shape: number[]): Tensor => {
      const t = backend.keep(backend.fromArray(param(weights, name, shape).data, shape));
      this.owned.push(t);
      return t;
    };
    try {
      this.wte = up('wte.weight', [config.vocabSize, d]);
      this.wpe = up('wpe.weight', [config.nPositions, d]);
      for (let i = 0; i < config.layers; i++) {
        const h = `h.${i}`;
        const cAttn = param(weights, `${h}.attn.c_attn.weight`, [d, 3 * d]);
        const cAttnB = param(weights, `${h}.attn.c_attn.bias`, [3 * d]).data;
        const proj = param(weights, `${h}.attn.c_proj.weight`, [d, d]);
        const attnWeights: AttentionWeights = {
          d,
          heads,
          headDim: d / heads,
          wQ: columns(cAttn, 0, d),
          wK: columns(cAttn, d, 2 * d),
          wV: columns(cAttn, 2 * d, 3 * d),
          wO: matrix64(d, d, proj.data),
          bQ: Float64Array.from(cAttnB.subarray(0, d)),
          bK: Float64Array.from(cAttnB.subarray(d, 2 * d)),
          bV: Float64Array.from(cAttnB.subarray(2 * d, 3 * d)),
          bO: Float64Array.from(param(weights, `${h}.attn.c_proj.bias`, [d]).data),
        };
        const label = `layer ${i}`;
        const attn = createAttention(
          backend,
          attnWeights,
          options.scheme === 'k-cache'
            ? { scheme: 'k-cache', decodeOrder: this.options.decodeOrder, label }
            : { scheme: 'kv', label },
        );
        this.attns.push(attn);
        this.blocks.push({
          ln1g: up(`${h}.ln_1.weight`, [d]),
          ln1b: up(`${h}.ln_1.bias`, [d]),
          attn,
          ln2g: up(`${h}.ln_2.weight`, [d]),
          ln2b: up(`${h}.ln_2.bias`, [d]),
          fcW: up(`${h}.mlp.c_fc.weight`, [d, 4 * d]),
          fcB: up(`${h}.mlp.c_fc.bias`, [4 * d]),
          projW: up(`${h}.mlp.c_proj.weight`, [4 * d, d]),
          projB: up(`${h}.mlp.c_proj.bias`, [d]),
        });
      }
      this.lnfG = up('ln_f.weight', [d]);
      this.lnfB = up('ln_f.bias', [d]);
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.weightBytes = backend.stats().liveBytes - before;
  }

  /** Tokens in the cache (n). */
  get length(): number {
    return this.blocks[0].attn.length;
  }

  /**
   * Runs the prompt through the stack (causal, appended to what is cached) and returns the
   * logits of its last token, [1, vocabSize]. The caller disposes the result.
   */
  prefill(ids: readonly number[]): Tensor {
    this.checkIds(ids);
    return this.forward(ids);
  }

  /** One token → logits [1, vocabSize] of the next one. */
  decode(id: number): Tensor {
    this.checkIds([id]);
    return this.forward([id]);
  }

  /** Greedy: the index of the largest logit of `logits`, read back asynchronously. */
  async argmax(logits: Tensor): Promise<number> {
    const idx = this.backend.argmax(logits);
    try {
      const [v] = await idx.read();
      return v;
    } finally {
      idx.dispose();
    }
  }

  cacheBytes(): Gpt2CacheBytes {
    let kCache = 0;
    let vCache = 0;
    let allocated = 0;
    for (const b of this.blocks) {
      const s = b.attn.cacheStats();
      allocated += s.allocatedBytes;
      for (const c of s.caches) {
        if (c.name === 'V') vCache += c.bytes;
        else kCache += c.bytes;
      }
    }
    return { kCache, vCache, total: kCache + vCache, allocated };
  }

  /** Empties the caches (keeps their storage). */
  reset(): void {
    for (const b of this.blocks) b.attn.reset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const a of this.attns) a.dispose();
    for (const t of this.owned) if (!t.disposed) t.dispose();
  }

  private forward(ids: readonly number[]): Tensor {
    const be = this.backend;
    const n0 = this.length;
    const { lnEps } = this.config;
    return be.scope(() => {
      const positions = ids.map((_, i) => n0 + i);
      let x = be.add(be.gather(this.wte, ids), be.gather(this.wpe, positions));
      for (const b of this.blocks) {
        x = be.add(x, b.attn.prefill(be.layerNorm(x, b.ln1g, b.ln1b, lnEps)));
        const h = be.linear(be.layerNorm(x, b.ln2g, b.ln2b, lnEps), b.fcW, {
          bias: b.fcB,
          activation: 'gelu',
        });
        x = be.add(x, be.linear(h, b.projW, { bias: b.projB }));
      }
      // Only the last token's logits are needed to generate: the head runs on one row.
      const last = ids.length > 1 ? be.sliceRows(x, ids.length - 1, ids.length) : x;
      const y = be.layerNorm(last, this.lnfG, this.lnfB, lnEps);
      return be.matmul(y, this.wte, { transposeB: true });
    });
  }

  private checkIds(ids: readonly number[]): void {
    if (this.disposed) throw new EngineInputError('GPT-2: the model was disposed');
    if (ids.length === 0) throw new EngineInputError('GPT-2: needs at least one token');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
        throw new EngineInputError(
          `GPT-2: token id ${id} is outside [0, ${this.config.vocabSize})`,
        );
      }
    }
    if (this.length + ids.length > this.config.nPositions) {
      throw new EngineInputError(
        `GPT-2: ${this.length + ids.length} tokens exceed the ${this.config.nPositions} learned positions`,
      );
    }
  }
}
