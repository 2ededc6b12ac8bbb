/**
 * GPT-2 written with tfjs-core ops on tfjs-backend-webgl: the reference point of the bench's
 * whole-model decode. Same weights (Hugging Face names, Conv1D layout y = x·W + b), same
 * arithmetic as engine/models/gpt2.ts with a standard KV-cache: pre-LN blocks, gelu_new MLP,
 * final LayerNorm, head tied to the token embedding. Written the way a tfjs user would: fused
 * matMul with bias, per-head batched matMul for attention, caches grown by concat.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Gpt2Config, HostWeights } from '../../engine/models';

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
  /** [heads, n, headDim] each; null before the first token. */
  k: tf.Tensor3D | null;
  v: tf.Tensor3D | null;
}

export class TfjsGpt2 {
  private readonly wte: tf.Tensor2D;
  private readonly wpe: tf.Tensor2D;
  private readonly lnfG: tf.Tensor1D;
  private readonly lnfB: tf.Tensor1D;
  private readonly blocks: TfBlock[] = [];
  private n = 0;

  constructor(
    readonly config: Gpt2Config,
    weights: HostWeights,
  ) {
    const get = (name: string): tf.Tensor => {
      const t = weights.get(name);
      if (!t) throw new Error(`tfjs GPT-2: the weights have no ${name}`);
      return tf.tensor(Float32Array.from(t.data), t.shape, 'float32');
    };
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
        k: null,
        v: null,
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
   * [1, vocabSize]; the caller disposes them.
   */
  forward(ids: readonly number[]): tf.Tensor2D {
    const { d, heads, lnEps } = this.config;
    const dk = d / heads;
    const m = ids.length;
    const n0 = this.n;
    const n = n0 + m;
    if (n > this.config.nPositions)
      throw new Error(`tfjs GPT-2: ${n} tokens exceed ${this.config.nPositions} positions`);
    const logits = tf.tidy(() => {
      const positions = Array.from({ length: m }, (_, i) => n0 + i);
      let x = tf.add(
        tf.gather(this.wte, tf.tensor1d([...ids], 'int32')),
        tf.gather(this.wpe, tf.tensor1d(positions, 'int32')),
      ) as tf.Tensor2D;
      // Row i sees keys j ≤ n0 + i: 0 where visible, −1e9 where masked (prefill only).
      const mask =
        m > 1
          ? tf.tensor2d(
              Float32Array.from({ length: m * n }, (_, idx) =>
                idx % n <= n0 + Math.floor(idx / n) ? 0 : -1e9,
              ),
              [m, n],
            )
          : null;
      const toHeads = (t: tf.Tensor2D) =>
        tf.transpose(tf.reshape(t, [m, heads, dk]), [1, 0, 2]) as tf.Tensor3D;
      for (const b of this.blocks) {
        const a = layerNorm(x, b.ln1g, b.ln1b, lnEps);
        const qkv = tf.fused.matMul({ a, b: b.attnW, bias: b.attnB });
        const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
        const kAll = b.k ? tf.concat([b.k, toHeads(k)], 1) : toHeads(k);
        const vAll = b.v ? tf.concat([b.v, toHeads(v)], 1) : toHeads(v);
        b.k?.dispose();
        b.v?.dispose();
        b.k = tf.keep(kAll);
        b.v = tf.keep(vAll);
        let scores = tf.mul(tf.matMul(toHeads(q), kAll, false, true), 1 / Math.sqrt(dk));
        if (mask) scores = tf.add(scores, mask);
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
    for (const b of this.blocks) {
      for (const t of Object.values(b)) if (t) all.push(t as tf.Tensor);
    }
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
