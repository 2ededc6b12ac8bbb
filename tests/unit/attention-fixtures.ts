/**
 * Shared fixtures of the attention tests: seeded random weights and inputs, a driver that runs
 * a layer through prefill + decode steps, and an independent float64 reference MHA written with
 * plain arrays (no Backend), straight from paper §1 and the Hugging Face RoPE formula.
 */
import type { AttentionConfig, AttentionWeights, RopeConfig } from '../../engine/attention';
import { createAttention } from '../../engine/attention';
import type { Backend } from '../../engine/backend';
import { matrix64, type Matrix64 } from '../../engine/linalg';
import { gaussian, seededRandom } from '../../engine/random';

/** Seeded uniform [0, 1) numbers: every failing case can be replayed from its seed. */
export const rng = seededRandom;

export { gaussian };

export function randomMatrix(
  normal: () => number,
  rows: number,
  cols: number,
  scale = 1,
): Matrix64 {
  return matrix64(
    rows,
    cols,
    Array.from({ length: rows * cols }, () => normal() * scale),
  );
}

export function randomVector(normal: () => number, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => normal() * scale);
}

export interface WeightSpec {
  d: number;
  heads: number;
  headDim: number;
  biases?: boolean;
}

/** Gaussian weights scaled by 1/sqrt(fan-in), as at initialisation of a real model. */
export function randomWeights(seed: number, spec: WeightSpec): AttentionWeights {
  const normal = gaussian(rng(seed));
  const { d, heads, headDim } = spec;
  const e = heads * headDim;
  const w: AttentionWeights = {
    d,
    heads,
    headDim,
    wQ: randomMatrix(normal, d, e, 1 / Math.sqrt(d)),
    wK: randomMatrix(normal, d, e, 1 / Math.sqrt(d)),
    wV: randomMatrix(normal, d, e, 1 / Math.sqrt(d)),
    wO: randomMatrix(normal, e, d, 1 / Math.sqrt(e)),
  };
  if (spec.biases) {
    w.bQ = randomVector(normal, e, 0.5);
    w.bK = randomVector(normal, e, 0.5);
    w.bV = randomVector(normal, e, 0.5);
    w.bO = randomVector(normal, d, 0.5);
  }
  return w;
}

export function randomInputs(seed: number, n: number, d: number): Float64Array {
  const normal = gaussian(rng(seed));
  return Float64Array.from({ length: n * d }, () => normal());
}

export interface RunResult {
  /** Outputs of all n tokens, [n, d] row-major, read back as float64. */
  output: Float64Array;
  cacheValues: number;
  length: number;
}

/** Prefills the first p rows of x ([n, d]), then decodes the rest one token at a time. */
export async function runLayer(
  backend: Backend,
  weights: AttentionWeights,
  config: AttentionConfig,
  x: Float64Array,
  p: number,
): Promise<RunResult> {
  const d = weights.d;
  const n = x.length / d;
  const layer = createAttention(backend, weights, config);
  const output = new Float64Array(n * d);
  try {
    const steps: [number, number][] = [[0, p]];
    for (let t = p; t < n; t++) steps.push([t, t + 1]);
    for (const [start, end] of steps) {
      const y = backend.scope(() => {
        const xt = backend.fromArray(x.subarray(start * d, end * d), [end - start, d]);
        return end - start === 1 && start > 0 ? layer.decode(xt) : layer.prefill(xt);
      });
      output.set(await y.read(), start * d);
      y.dispose();
    }
    return { output, cacheValues: layer.cacheStats().values, length: layer.length };
  } finally {
    layer.dispose();
  }
}

/** max |a − b| / max |ref|: the error measure of the equivalence tests. */
export function relativeError(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  ref: ArrayLike<number> = b,
): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
}

/** Rotates one head vector in place at position m (HF rotate_half or GPT-J interleaved). */
function ropeHead(v: number[], m: number, rope: RopeConfig): void {
  const rd = rope.rotaryDim ?? v.length;
  for (let j = 0; j < rd / 2; j++) {
    const angle = m / Math.pow(rope.base, (2 * j) / rd);
    const [a, b] = rope.pairing === 'half' ? [j, j + rd / 2] : [2 * j, 2 * j + 1];
    const [x1, x2] = [v[a], v[b]];
    v[a] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
    v[b] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
  }
}

/**
 * Causal MHA over the whole sequence in float64 with plain arrays (paper §1), the
 * independent reference for the standard layer. x is [n, d]; returns [n, d].
 */
export function referenceAttention(
  w: AttentionWeights,
  x: Float64Array,
  rope?: RopeConfig,
): Float64Array {
  const { d, heads, headDim } = w;
  const e = heads * headDim;
  const n = x.length / d;
  const proj = (m: Matrix64, b: Float64Array | undefined, row: ArrayLike<number>): number[] =>
    Array.from({ length: m.cols }, (_, j) => {
      let s = b ? b[j] : 0;
      for (let i = 0; i < m.rows; i++) s += row[i] * m.data[i * m.cols + j];
      return s;
    });
  const rows = Array.from({ length: n }, (_, t) => x.subarray(t * d, (t + 1) * d));
  const Q = rows.map((r) => proj(w.wQ, w.bQ, r));
  const K = rows.map((r) => proj(w.wK, w.bK, r));
  const V = rows.map((r) => proj(w.wV, w.bV, r));
  const head = (v: number[], i: number): number[] => v.slice(i * headDim, (i + 1) * headDim);
  const out = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    const concat: number[] = [];
    for (let i = 0; i < heads; i++) {
      const q = head(Q[t], i);
      if (rope) ropeHead(q, t, rope);
      const scores = K.slice(0, t + 1).map((k, j) => {
        const kh = head(k, i);
        if (rope) ropeHead(kh, j, rope);
        return kh.reduce((s, kv, c) => s + kv * q[c], 0) / Math.sqrt(headDim);
      });
      const max = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - max));
      const total = ex.reduce((a, b) => a + b, 0);
      const y = new Array<number>(headDim).fill(0);
      ex.forEach((p, j) => head(V[j], i).forEach((v, c) => (y[c] += (p / total) * v)));
      concat.push(...y);
    }
    out.set(proj(w.wO, w.bO, concat.length === e ? concat : []), t * d);
  }
  return out;
}
