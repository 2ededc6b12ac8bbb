/**
 * The Appendix D tap on a real model: a layer decorator that records one attention layer's
 * input during a forward pass, and `readProbe`, which computes from that input, with the
 * backend's ops, the layer's attention as sparse.ts needs it (softmax rows, raw K rows, V rows,
 * W_KV and the value bias). A model built with `probe: true` applies the decorator to every
 * attention layer; DecoderModel.probeAttention calls readProbe.
 */
import type {
  AttentionLayer,
  AttentionStepOptions,
  AttentionWeights,
  RopeConfig,
  SparseMatrix,
} from '../attention';
import { windowedProbs } from '../attention/window';
import { normalizeRows, type Backend } from '../backend';
import type { Matrix64 } from '../linalg';
import { formWkv, slimValueBias } from '../slim';
import { EngineInputError, type DType, type Tensor } from '../tensor';

/** What `probeAttention` reads: the layer, and the query rows (the last token, or every one). */
export interface AttentionProbeOptions {
  layer: number;
  /** 'last' (default): the last token's row; 'all': every token's (causal) row. */
  queries?: 'last' | 'all';
}

/**
 * One layer's attention for a token sequence, read back from the backend (paper Appendix D:
 * the rows a sparse weighted sum would skip). Every matrix is row-major float64 values of the
 * backend's dtype; feed `probs` with `values` to sparseWeightedSum (standard) and with `keys`,
 * `wKV` and `valueBias` to sparseKFirstSum (slim option 2).
 */
export interface AttentionProbe {
  layer: number;
  heads: number;
  headDim: number;
  /** Tokens n: the key and value rows. */
  tokens: number;
  /** Query rows m: 1 for 'last', n for 'all'. */
  queries: number;
  /** Position of query row 0 (n − 1 for 'last', 0 for 'all'). */
  firstQuery: number;
  /**
   * softmax(q_i k_iᵀ/√d_k) per head i, [heads·m, n], head i's rows at [i·m, (i+1)·m) (as
   * Backend.attnProbs). With RoPE q and k are rotated by position first. With 'all', a row's
   * future keys are masked: probability 0.
   */
  probs: SparseMatrix & { data: Float64Array };
  /**
   * K rows as the slim K-cache holds them, [n, e]: x W_K + b_K, not rotated (RoPE acts on the
   * scores only; V = K·W_KV needs the un-rotated keys, Appendix E).
   */
  keys: SparseMatrix & { data: Float64Array };
  /** V rows as the standard cache holds them, [n, e]: x W_V + b_V. */
  values: SparseMatrix & { data: Float64Array };
  /** W_KV = W_K⁻¹·W_V [e, e], formed by engine/slim in float64; head i's columns are W_KV,i. */
  wKV: Matrix64;
  /**
   * The row V adds to K·W_KV, b_V − b_K·W_KV (Appendix F): V = K·W_KV + valueBias. Undefined
   * when the layer has neither b_K nor b_V.
   */
  valueBias: Float64Array | undefined;
  /** The layer's RoPE, undefined without. */
  rope: RopeConfig | undefined;
  /** The backend's dtype the rows were computed in. */
  dtype: DType;
}

/** Wraps block `layer`'s attention layer (its host weights and RoPE given) in another one. */
export type LayerDecorator = (
  attn: AttentionLayer,
  layer: number,
  weights: AttentionWeights,
  rope: RopeConfig | undefined,
) => AttentionLayer;

/** What readProbe needs of a model: its backend and name, an empty cache and a forward pass. */
export interface ProbedModel {
  readonly backend: Backend;
  readonly familyName: string;
  /** Empties the caches. */
  reset(): void;
  /** Runs the tokens through the model; the caller disposes the logits. */
  prefill(ids: readonly number[], options?: { chunk?: number }): Tensor;
}

/**
 * The tap of one model: `decorate` is its layer decorator (it keeps each layer's host weights
 * and RoPE and, while readProbe runs, records the probed layer's input x, the normalised
 * hidden state).
 */
export class AttentionTap {
  /** Each decorated layer's host weights and RoPE, by layer. */
  readonly layers: {
    weights: AttentionWeights;
    rope: RopeConfig | undefined;
    /** The layer's score scale and sliding window, if it sets them (GPT-Neo). */
    scoreScale?: number;
    window?: number;
  }[] = [];
  /** The layer whose input the running forward pass records, and what it recorded. */
  recording: { layer: number; input?: Tensor } | undefined;

  constructor(private readonly backend: Backend) {}

  readonly decorate: LayerDecorator = (attn, layer, weights, rope) => {
    const { scoreScale, window } = attn.config;
    this.layers[layer] = { weights, rope, scoreScale, window };
    // The layer's input is norm(x) when the block fuses its norm into the attention step.
    const record = (x: Tensor, options?: AttentionStepOptions) => {
      const r = this.recording;
      if (r?.layer !== layer || r.input) return;
      const input = options?.norm ? normalizeRows(this.backend, x, options.norm) : x;
      r.input = this.backend.keep(input);
    };
    return {
      get config() {
        return attn.config;
      },
      get length() {
        return attn.length;
      },
      prefill: (x, options) => (record(x, options), attn.prefill(x, options)),
      decode: (x, options) => (record(x, options), attn.decode(x, options)),
      cacheStats: () => attn.cacheStats(),
      reset: () => attn.reset(),
      dispose: () => attn.dispose(),
    };
  };
}

/**
 * A layer's real attention for `ids` (paper Appendix D): runs the tokens through the model
 * from an empty cache, records the input of layer `layer`, and computes from it with the
 * backend's ops, as the attention layers do, the softmax probabilities of the last (or every)
 * query, the K rows (raw, before RoPE) and V rows the caches would hold, and W_KV formed in
 * float64. `tap` is the model's (undefined unless it was built with `probe: true`). Empties
 * the caches before and after.
 */
export async function readProbe(
  model: ProbedModel,
  tap: AttentionTap | undefined,
  ids: readonly number[],
  options: AttentionProbeOptions,
): Promise<AttentionProbe> {
  const { layer, queries = 'last' } = options;
  const name = model.familyName;
  if (!tap)
    throw new EngineInputError(
      `${name}: probeAttention needs a model built with the option probe: true`,
    );
  if (!Number.isInteger(layer) || layer < 0 || layer >= tap.layers.length)
    throw new EngineInputError(
      `${name}: layer ${layer} is outside [0, ${tap.layers.length}) for probeAttention`,
    );
  if (queries !== 'last' && queries !== 'all')
    throw new EngineInputError(`${name}: queries must be 'last' or 'all', got ${String(queries)}`);
  model.reset();
  const be = model.backend;
  const { weights: w, rope, scoreScale, window } = tap.layers[layer];
  const { heads, headDim } = w;
  const e = heads * headDim;
  const n = ids.length;
  const recording: { layer: number; input?: Tensor } = { layer };
  tap.recording = recording;
  try {
    // One pass: the tap records the layer's input for every token at once.
    model.prefill(ids, { chunk: ids.length }).dispose();
  } catch (error) {
    recording.input?.dispose();
    throw error;
  } finally {
    tap.recording = undefined;
    model.reset();
  }
  const x = recording.input;
  if (!x) throw new Error(`${name}: layer ${layer} was not reached by the forward pass`);
  let tensors: Tensor[];
  try {
    tensors = be.scope(() => {
      const up = (m: Matrix64) => be.fromArray(m.data, [m.rows, m.cols]);
      const bias = (b: Float64Array | undefined) => b && be.fromArray(b, [b.length]);
      const turn = (t: Tensor) => (rope ? be.rope(t, { heads, positionOffset: 0, ...rope }) : t);
      const q = turn(be.linear(x, up(w.wQ), { bias: bias(w.bQ) }));
      const k = be.linear(x, up(w.wK), { bias: bias(w.bK) });
      const v = be.linear(x, up(w.wV), { bias: bias(w.bV) });
      const last = queries === 'last';
      const options = {
        heads,
        scale: scoreScale ?? 1 / Math.sqrt(headDim),
        causalOffset: last ? n - 1 : 0,
      };
      const rows = last ? be.sliceRows(q, n - 1, n) : q;
      // A sliding window hides the keys older than it (GPT-Neo's local layers).
      const p =
        window !== undefined && n > window
          ? windowedProbs(be, rows, turn(k), { ...options, window })
          : be.attnProbs(rows, turn(k), options);
      return [p, k, v];
    });
  } finally {
    x.dispose();
  }
  const [probs, keys, values] = tensors;
  const m = queries === 'last' ? 1 : n;
  const read = async (t: Tensor, rows: number, cols: number) => ({
    rows,
    cols,
    data: Float64Array.from(await t.read()),
  });
  let result;
  try {
    result = {
      probs: await read(probs, heads * m, n),
      keys: await read(keys, n, e),
      values: await read(values, n, e),
    };
  } finally {
    for (const t of tensors) t.dispose();
  }
  const wKV = formWkv(w.wK, w.wV, { label: `${name} layer ${layer}, W_K` });
  const valueBias = slimValueBias(w.bK, w.bV, wKV);
  return {
    layer,
    heads,
    headDim,
    tokens: n,
    queries: m,
    firstQuery: queries === 'last' ? n - 1 : 0,
    ...result,
    wKV,
    valueBias,
    rope,
    dtype: be.dtype,
  };
}
