/**
 * GPT-2 written with tfjs-core ops on tfjs-backend-webgl: the reference point of the bench's
 * whole-model decode. Same weights (Hugging Face names, Conv1D layout y = x·W + b), same
 * arithmetic as engine/models/gpt2.ts with a standard KV-cache: pre-LN blocks, gelu_new MLP,
 * final LayerNorm, head tied to the token embedding. Written the way a tfjs user who knows its
 * WebGL backend would: fused matMul with bias, per-head batched matMul for attention, and
 * fixed-size caches.
 *
 * tfjs-backend-webgl compiles a shader program per op and input/output shape. A cache grown by
 * concat changes the shapes of concat, the scores, softmax and p·V every step, so tfjs would
 * compile several new programs per token and the bench would time its compiler. Here each
 * layer's K and V caches are [heads, capacity, headDim], allocated once; a decode step writes its
 * row with a one-hot blend (cache·(1 − onehot) + row·onehot) and attends over all `capacity`
 * rows with an additive mask (0 for the filled rows, −1e9 for the rest), so every op of a decode
 * step has the same shapes at every position: after the first step, no program is compiled
 * (the bench counts compiles per step and reports them). (tf.tensorScatterUpdate of the row
 * instead of the blend was measured too: it also compiles nothing per step, but it costs more
 * draws, the reshapes unpack and repack, and was 10% slower on SwiftShader.) The price is attention over
 * `capacity` rows instead of the filled ones: the bench sizes `capacity` to the tokens the run
 * needs (prompt + decode steps), no more.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Gpt2Config, HostWeights } from '../../engine';

interface TfBlock {
  ln1g: tf.Tensor1D;
  ln1b: tf.Tensor1D;
  attnW: tf.Tensor2D;
  attnB: tf.Tensor1D;
  projW: tf.Tensor2D;
  projB: tf.Tensor1D;
  ln2g: tf.Tensor1D;
  ln2b: tf.Tensor1D;
  fcW: tf.Tensor2D;
  fcB: tf.Tensor1D;
  mlpW: tf.Tensor2D;
  mlpB: tf.Tensor1D;
  /** [heads, capacity, headDim] each; rows ≥ length are zeros (masked). */
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/** The additive bias of a masked key: exp() of it underflows to exactly 0 in softmax. */
const MASKED = -1e9;

export class TfjsGpt2 {
  private readonly wte: tf.Tensor2D;
  private readonly wpe: tf.Tensor2D;
  private readonly lnfG: tf.Tensor1D;
  private readonly lnfB: tf.Tensor1D;
  private readonly blocks: TfBlock[] = [];
  private n = 0;
  /** Rows of every cache (the longest context this model can decode to). */
  readonly capacity: number;

  constructor(
    readonly config: Gpt2Config,
    weights: HostWeights,
    capacity = config.nPositions,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > config.nPositions)
      throw new Error(`tfjs GPT-2: capacity ${capacity} outside [1, ${config.nPositions}]`);
    this.capacity = capacity;
    const get = (name: string): tf.Tensor => {
      const t = weights.get(name);
      if (!t) throw new Error(`tfjs GPT-2: the weights have no ${name}`);
      return tf.tensor(Float32Array.from(t.data), t.shape, 'float32');
    };
    const { heads, d } = config;
    const cache = () => tf.zeros([heads, capacity, d / heads]) as tf.Tensor3D;
    this.wte = get('wte.weight') as tf.Tensor2D;
    this.wpe = get('wpe.weight') as tf.Tensor2D;
    for (let i = 0; i < config.layers; i++) {
      const h = `h.${i}`;
      this.blocks.push({
        ln1g: get(`${h}.ln_1.weight`) as tf.Tensor1D,
        ln1b: get(`${h}.ln_1.bias`) as tf.Tensor1D,
        attnW: get(`${h}.attn.c_attn.weight`) as tf.Tensor2D,
        attnB: get(`${h}.attn.c_attn.bias`) as tf.Tensor1D,
        projW: get(`${h}.attn.c_proj.weight`) as tf.Tensor2D,
        projB: get(`${h}.attn.c_proj.bias`) as tf.Tensor1D,
        ln2g: get(`${h}.ln_2.weight`) as tf.Tensor1D,
        ln2b: get(`${h}.ln_2.bias`) as tf.Tensor1D,
        fcW: get(`${h}.mlp.c_fc.weight`) as tf.Tensor2D,
        fcB: get(`${h}.mlp.c_fc.bias`) as tf.Tensor1D,
        mlpW: get(`${h}.mlp.c_proj.weight`) as tf.Tensor2D,
        mlpB: get(`${h}.mlp.c_proj.bias`) as tf.Tensor1D,
        k: cache(),
        v: cache(),
      });
    }
    this.lnfG = get('ln_f.weight') as tf.Tensor1D;
    this.lnfB = get('ln_f.bias') as tf.Tensor1D;
  }

  /** Tokens in the cache. */
  get length(): number {
    return this.n;
  }

  /**
   * Appends `ids` (causal, after what is cached) and returns the last token's logits
   * [1, vocabSize]; the caller disposes them. One id is a decode step (constant shapes); more
   * is a prefill (shapes depend on the count, compiled once per prompt length).
   */
  forward(ids: readonly number[]): tf.Tensor2D {
    const { d, heads, lnEps } = this.config;
    const cap = this.capacity;
    const dk = d / heads;
    const m = ids.length;
    const n0 = this.n;
    const n = n0 + m;
    if (n > cap) throw new Error(`tfjs GPT-2: ${n} tokens exceed the cache's ${cap} rows`);
    const logits = tf.tidy(() => {
      const positions = Array.from({ length: m }, (_, i) => n0 + i);
      let x = tf.add(
        tf.gather(this.wte, tf.tensor1d([...ids], 'int32')),
        tf.gather(this.wpe, tf.tensor1d(positions, 'int32')),
      ) as tf.Tensor2D;
      // Row i sees keys j ≤ n0 + i: 0 where visible, MASKED elsewhere (also the empty rows).
      const mask = tf.tensor2d(
        Float32Array.from({ length: m * cap }, (_, idx) =>
          idx % cap <= n0 + Math.floor(idx / cap) ? 0 : MASKED,
        ),
        [m, cap],
      );
      // A decode step writes row n0 of every cache: new = cache·keep + row·onehot.
      const onehot =
        m === 1
          ? tf.tensor3d(
              Float32Array.from({ length: cap }, (_, j) => (j === n0 ? 1 : 0)),
              [1, cap, 1],
            )
          : null;
      const keep =
        m === 1
          ? tf.tensor3d(
              Float32Array.from({ length: cap }, (_, j) => (j === n0 ? 0 : 1)),
              [1, cap, 1],
            )
          : null;
      const write = (cache: tf.Tensor3D, rows: tf.Tensor3D): tf.Tensor3D => {
        if (onehot && keep) return tf.add(tf.mul(cache, keep), tf.mul(rows, onehot));
        // Prefill: the rows before, the new rows, the rows after (shapes vary; not timed).
        const parts: tf.Tensor3D[] = [];
        if (n0 > 0) parts.push(tf.slice(cache, [0, 0, 0], [heads, n0, dk]));
        parts.push(rows);
        if (n < cap) parts.push(tf.slice(cache, [0, n, 0], [heads, cap - n, dk]));
        return tf.concat(parts, 1);
      };
      const toHeads = (t: tf.Tensor2D) =>
        tf.transpose(tf.reshape(t, [m, heads, dk]), [1, 0, 2]) as tf.Tensor3D;
      for (const b of this.blocks) {
        const a = layerNorm(x, b.ln1g, b.ln1b, lnEps);
        const qkv = tf.fused.matMul({ a, b: b.attnW, bias: b.attnB });
        const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
        const kAll = write(b.k, toHeads(k));
        const vAll = write(b.v, toHeads(v));
        b.k.dispose();
        b.v.dispose();
        b.k = tf.keep(kAll);
        b.v = tf.keep(vAll);
        const scores = tf.add(
          tf.mul(tf.matMul(toHeads(q), kAll, false, true), 1 / Math.sqrt(dk)),
          mask,
        );
        const y = tf.matMul(tf.softmax(scores), vAll); // [heads, m, dk]
        const merged = tf.reshape(tf.transpose(y, [1, 0, 2]), [m, d]) as tf.Tensor2D;
        x = tf.add(x, tf.fused.matMul({ a: merged, b: b.projW, bias: b.projB }));
        const hMid = gelu(
          tf.fused.matMul({
            a: layerNorm(x, b.ln2g, b.ln2b, lnEps),
            b: b.fcW,
            bias: b.fcB,
          }) as tf.Tensor2D,
        );
        x = tf.add(x, tf.fused.matMul({ a: hMid, b: b.mlpW, bias: b.mlpB }));
      }
      const last = m > 1 ? tf.slice(x, [m - 1, 0], [1, d]) : x;
      return tf.matMul(
        layerNorm(last, this.lnfG, this.lnfB, lnEps),
        this.wte,
        false,
        true,
      ) as tf.Tensor2D;
    });
    this.n = n;
    return logits;
  }

  /** Greedy: the index of the largest logit, read back asynchronously. */
  async argmax(logits: tf.Tensor2D): Promise<number> {
    const idx = tf.argMax(logits, 1);
    try {
      return (await idx.data())[0];
    } finally {
      idx.dispose();
    }
  }

  dispose(): void {
    const all: tf.Tensor[] = [this.wte, this.wpe, this.lnfG, this.lnfB];
    for (const b of this.blocks) all.push(...Object.values(b));
    tf.dispose(all);
  }
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), g), b);
}

/** GPT-2's gelu_new: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(
    tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)),
    Math.sqrt(2 / Math.PI),
  );
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}
