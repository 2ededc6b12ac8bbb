/**
 * What the decoder families (GPT-2, Llama, GPT-NeoX) share: weights uploaded once, one attention
 * layer per block from engine/attention (standard KV-cache, slim K-cache, or per layer the
 * direction the conditioning check chose: K-cache or V-cache, paper §1, Appendices A and C),
 * the prefill/decode API, greedy argmax, cache bytes and lifetime. Each family writes only its
 * forward pass, against `Backend`.
 */
import {
  createAttention,
  createGroupedAttention,
  groupedSlimScheme,
  type AttentionLayer,
  type AttentionWeights,
  type GroupedAttentionLayer,
  type GroupedAttentionWeights,
  type SharedWeights,
} from '../attention';
import type { RopeConfig } from '../attention';
import type { CacheScheme, DecodeOrder } from '../../roofline';
import type { Backend } from '../backend';
import { EngineInputError, type Tensor } from '../tensor';
import { AttentionTap, readProbe, type AttentionProbe, type AttentionProbeOptions } from './probe';
import type { SharedUploads } from './sharedUploads';

export {
  columns,
  linearRowsT,
  param,
  randomWeights,
  range,
  setColumns,
  setLinearRowsT,
  type HostTensor,
  type HostWeights,
  type WeightLookup,
} from './hostWeights';

/**
 * x through the blocks in turn (`step` is one block: x → its output), each block in its own
 * scope, and each block's input let go once its output exists: the activations alive at once
 * are one block's, not the whole stack's, so a long prompt's chunk reuses the CPU backend's
 * pooled arrays from block to block instead of leaving a stack's worth to the collector. Call
 * it inside the forward pass's scope, with an x created there.
 */
export function throughBlocks<B>(
  be: Backend,
  x: Tensor,
  blocks: readonly B[],
  step: (block: B, x: Tensor) => Tensor,
): Tensor {
  for (const b of blocks) {
    const input = x;
    x = be.scope(() => step(b, input));
    input.dispose();
  }
  return x;
}

/** Which projection a slim layer keeps: K (V = K·W_KV, paper §1) or V (K = V·W_VK, Appendix C). */
export type LayerDirection = Extract<CacheScheme, 'k-cache' | 'v-cache'>;

/** The caches a decoder can hold: the standard KV-cache, or slim attention (paper §1). */
export type DecoderScheme = Extract<CacheScheme, 'kv' | 'k-cache'>;

export interface DecoderOptions {
  scheme: DecoderScheme;
  /** Order of slim decode with the K-cache (paper §2); 'k-first' (option 2) by default. */
  decodeOrder?: DecodeOrder;
  /**
   * With scheme 'k-cache': the direction of each layer ('k-cache' or 'v-cache', as `slim check`
   * chooses it); every layer 'k-cache' when absent. The V-cache needs a model without RoPE.
   */
  directions?: readonly LayerDirection[];
  /**
   * Decorate every attention layer with the Appendix D tap (probe.ts), which keeps each layer's
   * float64 attention weights on the host (4·d·e values per layer), so that `probeAttention`
   * can read a layer's real attention; off by default.
   */
  probe?: boolean;
  /**
   * Weights shared with other models on the same backend (engine readModel passes one store per
   * backend, so standard and slim upload the tensors they have in common once).
   */
  shared?: SharedUploads;
}

export interface DecoderCacheBytes {
  /** Bytes of the filled K-cache rows over all layers. */
  kCache: number;
  /** Bytes of the filled V-cache rows. */
  vCache: number;
  /** kCache + vCache. */
  total: number;
  /** Bytes reserved by the caches (capacity doubles). */
  allocated: number;
}

/**
 * Prompt tokens per forward pass of DecoderModel.prefill. A multiple of 4: the float32 kernels
 * take rows four at a time, so every chunk edge falls on the same row groups as a whole prompt.
 */
export const PREFILL_CHUNK = 128;

/**
 * The shared half of every decoder: attention layers, owned tensors, prefill/decode, caches.
 * A subclass builds its weights inside `build` and implements `forward`.
 */
export abstract class DecoderModel {
  /** Bytes the backend allocated for this model's weights, measured when it was built. */
  weightBytes = 0;
  readonly options: Required<Omit<DecoderOptions, 'directions' | 'shared'>> & {
    directions: readonly LayerDirection[] | undefined;
  };
  protected readonly attns: (AttentionLayer | GroupedAttentionLayer)[] = [];
  /** With options.probe: the Appendix D tap, a decorator on every attention layer. */
  private readonly tap: AttentionTap | undefined;
  /** How messages name the position limit ('learned positions' for GPT-2). */
  protected positionsName = 'positions';
  private readonly owned: Tensor[] = [];
  /** Weights held in options.shared (released, not disposed, by dispose()). */
  private readonly sharedHeld: Tensor[] = [];
  private readonly shared: SharedUploads | undefined;
  /** Bytes of shared weights another model had uploaded already (counted in weightBytes). */
  private reusedBytes = 0;
  private disposed = false;

  protected constructor(
    readonly backend: Backend,
    /** Names the model in messages, e.g. 'GPT-2'. */
    readonly familyName: string,
    readonly vocabSize: number,
    /** The longest context (learned positions, or max_position_embeddings). */
    readonly maxPositions: number,
    layers: number,
    options: DecoderOptions,
  ) {
    if (options.scheme !== 'kv' && options.scheme !== 'k-cache') {
      throw new EngineInputError(
        `${familyName}: scheme must be 'kv' or 'k-cache', got ${String(options.scheme)}`,
      );
    }
    const directions = options.directions;
    if (directions !== undefined) {
      if (directions.length !== layers)
        throw new EngineInputError(
          `${familyName}: directions lists ${directions.length} layers, the model has ${layers}`,
        );
      for (const [i, d] of directions.entries())
        if (d !== 'k-cache' && d !== 'v-cache')
          throw new EngineInputError(
            `${familyName}: direction of layer ${i} must be 'k-cache' or 'v-cache', got ${String(d)}`,
          );
    }
    this.options = {
      scheme: options.scheme,
      decodeOrder: options.decodeOrder ?? 'k-first',
      directions,
      probe: options.probe ?? false,
    };
    this.tap = this.options.probe ? new AttentionTap(backend) : undefined;
    this.shared = options.shared?.backend === backend ? options.shared : undefined;
  }

  /** Runs the subclass's weight upload; measures its bytes and frees everything if it fails. */
  protected build(fn: () => void): void {
    const before = this.backend.stats().liveBytes;
    try {
      fn();
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.weightBytes = this.backend.stats().liveBytes - before + this.reusedBytes;
  }

  /**
   * Uploads the parameter `name` as a tensor this model holds until dispose(): its own, or with
   * options.shared the one tensor of that parameter every model of the store uses. `values`
   * reads it, only when it is uploaded (not when another model of the store already did).
   */
  protected upload(name: string, shape: number[], values: () => ArrayLike<number>): Tensor {
    if (this.shared) {
      const { tensor, reused, bytes } = this.shared.acquire(name, shape, values);
      this.sharedHeld.push(tensor);
      if (reused) this.reusedBytes += bytes;
      return tensor;
    }
    const t = this.backend.keep(this.backend.fromArray(values(), shape));
    this.owned.push(t);
    return t;
  }

  /**
   * With options.shared: the store of block `layer`'s attention weights that every scheme
   * uploads alike (W_O, [W_Q | W_K]), named per block in the model's store; a tensor another
   * model uploaded counts in weightBytes, as upload's do.
   */
  private layerStore(layer: number): SharedWeights | undefined {
    const shared = this.shared;
    if (!shared) return undefined;
    return {
      acquire: (name, shape, values) => {
        const got = shared.acquire(`attention ${layer}: ${name}`, shape, values);
        if (got.reused) this.reusedBytes += got.bytes;
        return got;
      },
      release: (tensor) => shared.release(tensor),
    };
  }

  /**
   * The attention layer of block `layer` with the scheme (and direction) the options ask for;
   * `scores` sets a score scale other than 1/√d_k and a sliding window (GPT-Neo).
   */
  protected attention(
    weights: AttentionWeights,
    layer: number,
    rope?: RopeConfig,
    scores: { scoreScale?: number; window?: number } = {},
  ): AttentionLayer {
    const common = { label: `layer ${layer}`, rope, ...scores, shared: this.layerStore(layer) };
    const { scheme, decodeOrder, directions } = this.options;
    const direction = scheme === 'kv' ? 'kv' : (directions?.[layer] ?? 'k-cache');
    const attn = createAttention(
      this.backend,
      weights,
      direction === 'kv'
        ? { scheme: 'kv', ...common }
        : direction === 'k-cache'
          ? { scheme: 'k-cache', decodeOrder, ...common }
          : { scheme: 'v-cache', ...common },
    );
    this.attns.push(attn);
    return this.tap ? this.tap.decorate(attn, layer, weights, rope) : attn;
  }

  /**
   * The grouped-query attention layer of block `layer` (paper Appendix G): the standard GQA
   * KV-cache, or for slim the cache groupedSlimScheme picks for its shape (the d-wide cache
   * where c > 1, else the X-cache). Not with the probe (it reads MHA layers).
   */
  protected groupedAttention(
    weights: GroupedAttentionWeights,
    layer: number,
    rope?: RopeConfig,
  ): GroupedAttentionLayer {
    if (this.tap)
      throw new EngineInputError(
        `${this.familyName}: the attention probe reads MHA layers; this model has grouped-query attention`,
      );
    const scheme = this.options.scheme === 'kv' ? 'kv' : groupedSlimScheme(weights);
    const attn = createGroupedAttention(this.backend, weights, {
      scheme,
      label: `layer ${layer}`,
      rope,
      shared: this.layerStore(layer),
    });
    this.attns.push(attn);
    return attn;
  }

  /**
   * A layer's real attention for `ids` (paper Appendix D, probe.ts readProbe); needs a model
   * built with `probe: true`. Empties the caches before and after.
   */
  probeAttention(ids: readonly number[], options: AttentionProbeOptions): Promise<AttentionProbe> {
    return readProbe(this, this.tap, ids, options);
  }

  /** Tokens in the cache (n). */
  get length(): number {
    return this.attns[0]?.length ?? 0;
  }

  /** Number of decoder blocks. */
  get layerCount(): number {
    return this.attns.length;
  }

  /**
   * Runs the prompt through the stack (causal, appended to what is cached) and returns the
   * logits of its last token, [1, vocabSize]. The caller disposes the result. A prompt longer
   * than `chunk` tokens (PREFILL_CHUNK by default) runs as consecutive forward passes of at
   * most `chunk` tokens, each appended to the caches and attending to every earlier token
   * through them (a sliding window's cache keeps the window − 1 rows the next chunk sees), so
   * the activations and the products' scratch space of a long prompt stay bounded by the
   * chunk, not the prompt; the logits are those of the whole prompt in one pass up to the
   * order of float32 sums.
   */
  prefill(ids: readonly number[], options: { chunk?: number } = {}): Tensor {
    this.checkIds(ids);
    const chunk = options.chunk ?? PREFILL_CHUNK;
    if (!Number.isInteger(chunk) || chunk < 1)
      throw new EngineInputError(
        `${this.familyName}: prefill chunk must be a whole number ≥ 1, got ${chunk}`,
      );
    let start = 0;
    for (; ids.length - start > chunk; start += chunk)
      this.forward(ids.slice(start, start + chunk)).dispose();
    return this.forward(start === 0 ? ids : ids.slice(start));
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

  cacheBytes(): DecoderCacheBytes {
    let kCache = 0;
    let vCache = 0;
    let allocated = 0;
    for (const a of this.attns) {
      const s = a.cacheStats();
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
    for (const a of this.attns) a.reset();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const a of this.attns) a.dispose();
    for (const t of this.owned) if (!t.disposed) t.dispose();
    for (const t of this.sharedHeld.splice(0)) this.shared?.release(t);
  }

  /** ids at positions length … length + ids.length − 1 → logits of the last, [1, vocab]. */
  protected abstract forward(ids: readonly number[]): Tensor;

  private checkIds(ids: readonly number[]): void {
    const name = this.familyName;
    if (this.disposed) throw new EngineInputError(`${name}: the model was disposed`);
    if (ids.length === 0) throw new EngineInputError(`${name}: needs at least one token`);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new EngineInputError(`${name}: token id ${id} is outside [0, ${this.vocabSize})`);
      }
    }
    if (this.length + ids.length > this.maxPositions) {
      throw new EngineInputError(
        `${name}: ${this.length + ids.length} tokens exceed the ${this.maxPositions} ${this.positionsName} of the model`,
      );
    }
  }
}

/** The shape fields a decoder's config shares (GPT-Neo, Llama, GPT-NeoX). */
export interface DecoderShape {
  vocabSize: number;
  /** max_position_embeddings. */
  maxPositions: number;
  /** hidden_size d. */
  d: number;
  heads: number;
  layers: number;
  /** intermediate_size. */
  ffnDim: number;
}
