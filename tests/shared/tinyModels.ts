/**
 * Tiny checkpoints of every family, written with engine/io's writeSafetensors in Hugging Face's
 * layout (config.json + model.safetensors, or an index and shards), and an independent float64
 * forward pass written from the formulas with plain loops (no backend, no cache, no engine code).
 * Browser-safe: the unit tests (through tests/unit/models-helpers.ts) and the WebGL harness page
 * share it.
 */
import {
  gpt2ParameterShapes,
  isLlamaGain,
  isNeoxGain,
  llamaParameterShapes,
  neoxParameterShapes,
  randomWeights,
  type Gpt2Config,
  type HostWeights,
  type LlamaConfig,
  type NeoxConfig,
} from '../../engine/models';
import { writeSafetensors } from '../../engine/io';

export type TinyFamily = 'gpt2' | 'llama' | 'gpt-neox';

export const TINY_GPT2: Gpt2Config = {
  vocabSize: 41,
  nPositions: 256,
  d: 16,
  heads: 2,
  layers: 2,
  lnEps: 1e-5,
};

export const TINY_LLAMA: LlamaConfig = {
  vocabSize: 43,
  maxPositions: 256,
  d: 16,
  heads: 4,
  layers: 2,
  ffnDim: 24,
  normEps: 1e-6,
  ropeTheta: 500,
  tiedEmbeddings: false,
};

export const TINY_NEOX: NeoxConfig = {
  vocabSize: 47,
  maxPositions: 256,
  d: 16,
  heads: 2,
  layers: 2,
  ffnDim: 32,
  normEps: 1e-5,
  ropeTheta: 10000,
  rotaryPct: 0.5,
  parallelResidual: true,
  tiedEmbeddings: false,
};

export type AnyConfig = Gpt2Config | LlamaConfig | NeoxConfig;

export function configJson(family: TinyFamily, c: AnyConfig): Record<string, unknown> {
  if (family === 'gpt2') {
    const g = c as Gpt2Config;
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: g.vocabSize,
      n_positions: g.nPositions,
      n_embd: g.d,
      n_layer: g.layers,
      n_head: g.heads,
      layer_norm_epsilon: g.lnEps,
      activation_function: 'gelu_new',
    };
  }
  if (family === 'llama') {
    const l = c as LlamaConfig;
    return {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: l.vocabSize,
      max_position_embeddings: l.maxPositions,
      hidden_size: l.d,
      intermediate_size: l.ffnDim,
      num_hidden_layers: l.layers,
      num_attention_heads: l.heads,
      num_key_value_heads: l.heads,
      rms_norm_eps: l.normEps,
      rope_theta: l.ropeTheta,
      hidden_act: 'silu',
      tie_word_embeddings: l.tiedEmbeddings,
    };
  }
  const n = c as NeoxConfig;
  return {
    architectures: ['GPTNeoXForCausalLM'],
    model_type: 'gpt_neox',
    vocab_size: n.vocabSize,
    max_position_embeddings: n.maxPositions,
    hidden_size: n.d,
    intermediate_size: n.ffnDim,
    num_hidden_layers: n.layers,
    num_attention_heads: n.heads,
    layer_norm_eps: n.normEps,
    rotary_pct: n.rotaryPct,
    rotary_emb_base: n.ropeTheta,
    use_parallel_residual: n.parallelResidual,
    hidden_act: 'gelu_new',
    tie_word_embeddings: n.tiedEmbeddings,
  };
}

const PREFIX: Record<TinyFamily, string> = {
  gpt2: 'transformer.',
  llama: 'model.',
  'gpt-neox': 'gpt_neox.',
};
const TOP_LEVEL = new Set(['lm_head.weight', 'embed_out.weight']);

export function tinyWeights(family: TinyFamily, c: AnyConfig, seed: number): HostWeights {
  const shapes =
    family === 'gpt2'
      ? gpt2ParameterShapes(c as Gpt2Config)
      : family === 'llama'
        ? llamaParameterShapes(c as LlamaConfig)
        : neoxParameterShapes(c as NeoxConfig);
  const isGain =
    family === 'gpt2'
      ? (n: string) => /ln_(1|2|f)\.weight$/.test(n)
      : family === 'llama'
        ? isLlamaGain
        : isNeoxGain;
  return randomWeights(shapes, seed, isGain, 0.25);
}

export interface TinyCheckpoint {
  files: Map<string, Uint8Array>;
  weights: HostWeights;
  config: Record<string, unknown>;
}

/**
 * A checkpoint of the family: config.json and model.safetensors, or with `shards` > 1 an index
 * and that many shards. `prefix` stores names with the model prefix (transformer., model. …).
 */
export function tinyCheckpoint(
  family: TinyFamily,
  c: AnyConfig,
  options: { seed?: number; prefix?: boolean; shards?: number; dtype?: 'F32' | 'F16' } = {},
): TinyCheckpoint {
  const weights = tinyWeights(family, c, options.seed ?? 7);
  const prefix = options.prefix === false ? '' : PREFIX[family];
  const config = configJson(family, c);
  const files = new Map<string, Uint8Array>();
  files.set('config.json', new TextEncoder().encode(JSON.stringify(config)));
  const entries = [...weights].map(([name, t]) => ({
    name: TOP_LEVEL.has(name) ? name : prefix + name,
    dtype: options.dtype ?? ('F32' as const),
    shape: t.shape,
    data: t.data,
  }));
  const shards = options.shards ?? 1;
  if (shards === 1) {
    files.set('model.safetensors', writeSafetensors(entries, { format: 'pt' }));
  } else {
    const weightMap: Record<string, string> = {};
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = entries.filter((_, i) => i % shards === s);
      for (const e of part) weightMap[e.name] = file;
      files.set(file, writeSafetensors(part, { format: 'pt' }));
    }
    files.set(
      'model.safetensors.index.json',
      new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map: weightMap })),
    );
  }
  return { files, weights, config };
}

// ---- the float64 reference ----

type Vec = number[];

function linearT(x: Vec, w: ArrayLike<number>, outDim: number, bias?: ArrayLike<number>): Vec {
  // nn.Linear: w is [out, in], y = x·wᵀ + b.
  const inDim = x.length;
  const y = new Array<number>(outDim).fill(0);
  for (let o = 0; o < outDim; o++) {
    let s = bias ? bias[o] : 0;
    for (let i = 0; i < inDim; i++) s += x[i] * w[o * inDim + i];
    y[o] = s;
  }
  return y;
}

function conv1d(x: Vec, w: ArrayLike<number>, outDim: number, bias?: ArrayLike<number>): Vec {
  // GPT-2 Conv1D: w is [in, out], y = x·w + b.
  const y = new Array<number>(outDim).fill(0);
  for (let i = 0; i < x.length; i++)
    for (let o = 0; o < outDim; o++) y[o] += x[i] * w[i * outDim + o];
  if (bias) for (let o = 0; o < outDim; o++) y[o] += bias[o];
  return y;
}

function layerNorm(x: Vec, g: ArrayLike<number>, b: ArrayLike<number>, eps: number): Vec {
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const v = x.reduce((a, u) => a + (u - mean) ** 2, 0) / x.length;
  return x.map((u, i) => ((u - mean) / Math.sqrt(v + eps)) * g[i] + b[i]);
}

function rmsNorm(x: Vec, g: ArrayLike<number>, eps: number): Vec {
  const ms = x.reduce((a, v) => a + v * v, 0) / x.length;
  return x.map((u, i) => (u / Math.sqrt(ms + eps)) * g[i]);
}

const gelu = (x: number) =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const silu = (x: number) => x / (1 + Math.exp(-x));

/** Rotate-half RoPE of the first `rot` dims of one head vector at position m (Hugging Face). */
function ropeHead(v: Vec, m: number, rot: number, base: number): Vec {
  const out = [...v];
  const half = rot / 2;
  for (let j = 0; j < half; j++) {
    const theta = m * base ** ((-2 * j) / rot);
    const [x1, x2] = [v[j], v[j + half]];
    out[j] = x1 * Math.cos(theta) - x2 * Math.sin(theta);
    out[j + half] = x1 * Math.sin(theta) + x2 * Math.cos(theta);
  }
  return out;
}

/** Causal multi-head attention over full q, k, v rows (heads side by side). */
function attention(q: Vec[], k: Vec[], v: Vec[], heads: number): Vec[] {
  const d = q[0].length;
  const dk = d / heads;
  return q.map((qi, t) => {
    const y = new Array<number>(d).fill(0);
    for (let h = 0; h < heads; h++) {
      const s: number[] = [];
      for (let j = 0; j <= t; j++) {
        let dot = 0;
        for (let c = 0; c < dk; c++) dot += qi[h * dk + c] * k[j][h * dk + c];
        s.push(dot / Math.sqrt(dk));
      }
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j <= t; j++)
        for (let c = 0; c < dk; c++) y[h * dk + c] += (e[j] / z) * v[j][h * dk + c];
    }
    return y;
  });
}

/** Applies a per-head transform to a row of heads side by side. */
function perHead(x: Vec, heads: number, f: (head: Vec) => Vec): Vec {
  const dk = x.length / heads;
  const out: Vec = [];
  for (let h = 0; h < heads; h++) out.push(...f(x.slice(h * dk, (h + 1) * dk)));
  return out;
}

/**
 * One layer's attention rows in the reference forward: q and k after RoPE (what the scores
 * use), kRaw before it, and v; every token's row, heads side by side.
 */
export interface ReferenceAttentionRows {
  q: number[][];
  k: number[][];
  kRaw: number[][];
  v: number[][];
}

/**
 * float64 logits of every position of `ids` for a tiny checkpoint's weights (or any checkpoint
 * of these families: the same formulas). `observe` sees each layer's attention rows.
 */
export function referenceLogits(
  family: TinyFamily,
  c: AnyConfig,
  w: HostWeights,
  ids: readonly number[],
  observe?: (layer: number, rows: ReferenceAttentionRows) => void,
): number[][] {
  const W = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`reference: no ${n}`);
    return t.data;
  };
  const { d, heads, layers, vocabSize } = c;
  const dk = d / heads;
  if (family === 'gpt2') {
    const g = c as Gpt2Config;
    let xs = ids.map((id, p) =>
      Array.from({ length: d }, (_, j) => W('wte.weight')[id * d + j] + W('wpe.weight')[p * d + j]),
    );
    for (let l = 0; l < layers; l++) {
      const h = `h.${l}`;
      const qkv = xs.map((x) =>
        conv1d(
          layerNorm(x, W(`${h}.ln_1.weight`), W(`${h}.ln_1.bias`), g.lnEps),
          W(`${h}.attn.c_attn.weight`),
          3 * d,
          W(`${h}.attn.c_attn.bias`),
        ),
      );
      const gq = qkv.map((r) => r.slice(0, d));
      const gk = qkv.map((r) => r.slice(d, 2 * d));
      const gv = qkv.map((r) => r.slice(2 * d));
      observe?.(l, { q: gq, k: gk, kRaw: gk, v: gv });
      const y = attention(gq, gk, gv, heads);
      xs = xs.map((x, t) => {
        const a = conv1d(y[t], W(`${h}.attn.c_proj.weight`), d, W(`${h}.attn.c_proj.bias`));
        const x1 = x.map((u, j) => u + a[j]);
        const n = layerNorm(x1, W(`${h}.ln_2.weight`), W(`${h}.ln_2.bias`), g.lnEps);
        const f = conv1d(n, W(`${h}.mlp.c_fc.weight`), 4 * d, W(`${h}.mlp.c_fc.bias`)).map(gelu);
        const m = conv1d(f, W(`${h}.mlp.c_proj.weight`), d, W(`${h}.mlp.c_proj.bias`));
        return x1.map((u, j) => u + m[j]);
      });
    }
    return xs.map((x) =>
      linearT(layerNorm(x, W('ln_f.weight'), W('ln_f.bias'), g.lnEps), W('wte.weight'), vocabSize),
    );
  }
  if (family === 'llama') {
    const L = c as LlamaConfig;
    let xs = ids.map((id) =>
      Array.from({ length: d }, (_, j) => W('embed_tokens.weight')[id * d + j]),
    );
    for (let l = 0; l < layers; l++) {
      const p = `layers.${l}`;
      const n1 = xs.map((x) => rmsNorm(x, W(`${p}.input_layernorm.weight`), L.normEps));
      const proj = (name: string) =>
        n1.map((x) => linearT(x, W(`${p}.self_attn.${name}.weight`), d));
      const q = proj('q_proj').map((r, t) =>
        perHead(r, heads, (hv) => ropeHead(hv, t, dk, L.ropeTheta)),
      );
      const kRaw = proj('k_proj');
      const k = kRaw.map((r, t) => perHead(r, heads, (hv) => ropeHead(hv, t, dk, L.ropeTheta)));
      const v = proj('v_proj');
      observe?.(l, { q, k, kRaw, v });
      const y = attention(q, k, v, heads);
      xs = xs.map((x, t) => {
        const o = linearT(y[t], W(`${p}.self_attn.o_proj.weight`), d);
        const x1 = x.map((u, j) => u + o[j]);
        const n2 = rmsNorm(x1, W(`${p}.post_attention_layernorm.weight`), L.normEps);
        const gate = linearT(n2, W(`${p}.mlp.gate_proj.weight`), L.ffnDim).map(silu);
        const up = linearT(n2, W(`${p}.mlp.up_proj.weight`), L.ffnDim);
        const m = linearT(
          gate.map((gv, i) => gv * up[i]),
          W(`${p}.mlp.down_proj.weight`),
          d,
        );
        return x1.map((u, j) => u + m[j]);
      });
    }
    const head = L.tiedEmbeddings ? W('embed_tokens.weight') : W('lm_head.weight');
    return xs.map((x) => linearT(rmsNorm(x, W('norm.weight'), L.normEps), head, vocabSize));
  }
  const N = c as NeoxConfig;
  const rot = Math.floor(dk * N.rotaryPct);
  let xs = ids.map((id) => Array.from({ length: d }, (_, j) => W('embed_in.weight')[id * d + j]));
  for (let l = 0; l < layers; l++) {
    const p = `layers.${l}`;
    const qkv = xs.map((x) =>
      linearT(
        layerNorm(x, W(`${p}.input_layernorm.weight`), W(`${p}.input_layernorm.bias`), N.normEps),
        W(`${p}.attention.query_key_value.weight`),
        3 * d,
        W(`${p}.attention.query_key_value.bias`),
      ),
    );
    // Per head h: rows [h·3dk, h·3dk+dk) q, then k, then v.
    const part = (r: Vec, which: number) => {
      const out: Vec = [];
      for (let h = 0; h < heads; h++)
        out.push(...r.slice(h * 3 * dk + which * dk, h * 3 * dk + (which + 1) * dk));
      return out;
    };
    const q = qkv.map((r, t) =>
      perHead(part(r, 0), heads, (hv) => ropeHead(hv, t, rot, N.ropeTheta)),
    );
    const kRaw = qkv.map((r) => part(r, 1));
    const k = kRaw.map((r, t) => perHead(r, heads, (hv) => ropeHead(hv, t, rot, N.ropeTheta)));
    const v = qkv.map((r) => part(r, 2));
    observe?.(l, { q, k, kRaw, v });
    const y = attention(q, k, v, heads);
    const mlp = (x: Vec) => {
      const n = layerNorm(
        x,
        W(`${p}.post_attention_layernorm.weight`),
        W(`${p}.post_attention_layernorm.bias`),
        N.normEps,
      );
      const f = linearT(
        n,
        W(`${p}.mlp.dense_h_to_4h.weight`),
        N.ffnDim,
        W(`${p}.mlp.dense_h_to_4h.bias`),
      ).map(gelu);
      return linearT(f, W(`${p}.mlp.dense_4h_to_h.weight`), d, W(`${p}.mlp.dense_4h_to_h.bias`));
    };
    xs = xs.map((x, t) => {
      const a = linearT(y[t], W(`${p}.attention.dense.weight`), d, W(`${p}.attention.dense.bias`));
      if (N.parallelResidual) {
        const m = mlp(x);
        return x.map((u, j) => u + a[j] + m[j]);
      }
      const x1 = x.map((u, j) => u + a[j]);
      const m = mlp(x1);
      return x1.map((u, j) => u + m[j]);
    });
  }
  const head = N.tiedEmbeddings ? W('embed_in.weight') : W('embed_out.weight');
  return xs.map((x) =>
    linearT(
      layerNorm(x, W('final_layer_norm.weight'), W('final_layer_norm.bias'), N.normEps),
      head,
      vocabSize,
    ),
  );
}

// ---- a tiny byte-level BPE tokenizer, as GPT-2 repos ship it and as tokenizer.json ----

const MERGES = ['c a', 'ca l', 'cal l', 'Ġ m', 'Ġm e', 'Ġ i', 'Ġi s'];

/** vocab: a–z, Ġ (byte-level space), the merged tokens, <|endoftext|>: 35 ids. */
export function tinyVocab(): Record<string, number> {
  const vocab: Record<string, number> = {};
  let id = 0;
  for (const c of 'abcdefghijklmnopqrstuvwxyz') vocab[c] = id++;
  vocab['Ġ'] = id++;
  for (const m of MERGES) vocab[m.replace(' ', '')] = id++;
  vocab['<|endoftext|>'] = id;
  return vocab;
}

/** vocab.json + merges.txt, the GPT-2 repo layout. */
export function tinyBpeFiles(): Map<string, Uint8Array> {
  const enc = new TextEncoder();
  return new Map([
    ['vocab.json', enc.encode(JSON.stringify(tinyVocab()))],
    ['merges.txt', enc.encode(`#version: 0.2\n${MERGES.join('\n')}\n`)],
  ]);
}

/** The same tokenizer written as tokenizer.json. */
export function tinyTokenizerJson(): Map<string, Uint8Array> {
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };
  const json = {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, vocab: tinyVocab(), merges: MERGES },
  };
  return new Map([['tokenizer.json', new TextEncoder().encode(JSON.stringify(json))]]);
}

// ---- grouped-query Llama and Qwen2 (paper Appendix G): tiny checkpoints and their reference ----

/** The tiny grouped-query checkpoints, by the cache their slim side runs. */
export type TinyGqaName = 'gqa-d-wide' | 'gqa-x-cache' | 'mqa' | 'qwen2';

/**
 * - gqa-d-wide: Gemma-2-9B-like, h·d_k = 32 ≠ d = 28, c = 2·2·8/28 = 8/7 > 1: the d-wide cache,
 *   12.5% smaller than the KV-cache;
 * - gqa-x-cache: Llama-3-8B-like, 8 query heads share 2 key/value heads, c = 0.5: the X-cache,
 *   2x the KV-cache;
 * - mqa: one key/value head, c = 0.5;
 * - qwen2: Qwen2's q/k/v biases (none on o), tied head, c = 1.
 */
export const TINY_GQA: Record<TinyGqaName, LlamaConfig> = {
  'gqa-d-wide': {
    ...TINY_LLAMA,
    vocabSize: 37,
    d: 28,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    ffnDim: 40,
  },
  'gqa-x-cache': { ...TINY_LLAMA, vocabSize: 39, d: 32, heads: 8, kvHeads: 2, ffnDim: 48 },
  mqa: { ...TINY_LLAMA, vocabSize: 41, heads: 4, kvHeads: 1 },
  qwen2: {
    ...TINY_LLAMA,
    vocabSize: 45,
    heads: 4,
    kvHeads: 2,
    qkvBias: true,
    tiedEmbeddings: true,
    ropeTheta: 1e4,
  },
};

/** config.json of a grouped-query Llama (LlamaForCausalLM) or, with qkvBias, of a Qwen2. */
export function gqaConfigJson(c: LlamaConfig): Record<string, unknown> {
  const qwen2 = c.qkvBias === true;
  return {
    architectures: [qwen2 ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: qwen2 ? 'qwen2' : 'llama',
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxPositions,
    hidden_size: c.d,
    intermediate_size: c.ffnDim,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    num_key_value_heads: c.kvHeads ?? c.heads,
    ...(c.headDim !== undefined ? { head_dim: c.headDim } : {}),
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    hidden_act: 'silu',
    tie_word_embeddings: c.tiedEmbeddings,
    ...(qwen2 ? { use_sliding_window: false, sliding_window: 4096, max_window_layers: 2 } : {}),
  };
}

/** A tiny grouped-query checkpoint: the Llama layout (model. prefix), its own config.json. */
export function gqaCheckpoint(
  c: LlamaConfig,
  options: { seed?: number; dtype?: 'F32' | 'F16' } = {},
): TinyCheckpoint {
  const ckpt = tinyCheckpoint('llama', c, options);
  const config = gqaConfigJson(c);
  ckpt.files.set('config.json', new TextEncoder().encode(JSON.stringify(config)));
  return { ...ckpt, config };
}

/**
 * float64 logits of every position of `ids` for a grouped-query Llama or Qwen2, from the
 * formulas with plain loops: query head i attends with key/value head ⌊i / (h/h_kv)⌋; K rotated
 * (rotate-half RoPE) after its bias; no cache.
 */
export function referenceGqaLogits(
  c: LlamaConfig,
  w: HostWeights,
  ids: readonly number[],
): number[][] {
  const W = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`reference: no ${n}`);
    return t.data;
  };
  const B = (n: string) => (w.has(n) ? W(n) : undefined);
  const { d, heads, layers, vocabSize } = c;
  const kvHeads = c.kvHeads ?? heads;
  const dk = c.headDim ?? d / heads;
  const g = heads / kvHeads;
  let xs = ids.map((id) =>
    Array.from({ length: d }, (_, j) => W('embed_tokens.weight')[id * d + j]),
  );
  for (let l = 0; l < layers; l++) {
    const p = `layers.${l}.self_attn`;
    const n1 = xs.map((x) => rmsNorm(x, W(`layers.${l}.input_layernorm.weight`), c.normEps));
    const proj = (name: string, out: number) =>
      n1.map((x) => linearT(x, W(`${p}.${name}.weight`), out, B(`${p}.${name}.bias`)));
    const rot = (r: Vec, t: number, h: number) =>
      perHead(r, h, (hv) => ropeHead(hv, t, dk, c.ropeTheta));
    const q = proj('q_proj', heads * dk).map((r, t) => rot(r, t, heads));
    const k = proj('k_proj', kvHeads * dk).map((r, t) => rot(r, t, kvHeads));
    const v = proj('v_proj', kvHeads * dk);
    const y = q.map((qi, t) => {
      const out = new Array<number>(heads * dk).fill(0);
      for (let h = 0; h < heads; h++) {
        const kh = Math.floor(h / g);
        const s: number[] = [];
        for (let j = 0; j <= t; j++) {
          let dot = 0;
          for (let x = 0; x < dk; x++) dot += qi[h * dk + x] * k[j][kh * dk + x];
          s.push(dot / Math.sqrt(dk));
        }
        const mx = Math.max(...s);
        const e = s.map((u) => Math.exp(u - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++)
          for (let x = 0; x < dk; x++) out[h * dk + x] += (e[j] / z) * v[j][kh * dk + x];
      }
      return out;
    });
    xs = xs.map((x, t) => {
      const o = linearT(y[t], W(`${p}.o_proj.weight`), d, B(`${p}.o_proj.bias`));
      const x1 = x.map((u, j) => u + o[j]);
      const m = `layers.${l}.mlp`;
      const n2 = rmsNorm(x1, W(`layers.${l}.post_attention_layernorm.weight`), c.normEps);
      const gate = linearT(n2, W(`${m}.gate_proj.weight`), c.ffnDim).map(silu);
      const up = linearT(n2, W(`${m}.up_proj.weight`), c.ffnDim);
      const f = linearT(
        gate.map((gv, i) => gv * up[i]),
        W(`${m}.down_proj.weight`),
        d,
      );
      return x1.map((u, j) => u + f[j]);
    });
  }
  const head = c.tiedEmbeddings ? W('embed_tokens.weight') : W('lm_head.weight');
  return xs.map((x) => linearT(rmsNorm(x, W('norm.weight'), c.normEps), head, vocabSize));
}
