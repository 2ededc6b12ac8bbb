/**
 * The fused ops of the Backend interface on the CPU reference (engine/cpu/fused.ts): linear's
 * norm prologue and residual epilogue, attention, colsView, against the unfused ops one after
 * the other and against plain float64 loops; their argument checks; and the attention layers'
 * step options (residual + attention(norm(x))) against the layer run on norm(x) plus x.
 */
import { describe, expect, it } from 'vitest';
import {
  createAttention,
  createGroupedAttention,
  fuseColumns,
  type AttentionConfig,
  type AttentionStepOptions,
} from '../../engine/attention';
import type { Backend, LinearActivation, NormKind, RowNorm } from '../../engine/backend';
import { CpuBackend } from '../../engine/cpu';
import { matrix64 } from '../../engine/linalg';
import { EngineInputError, type Tensor } from '../../engine/tensor';
import { gaussian, randomInputs, randomWeights, rng } from './attention-fixtures';

const f64 = new CpuBackend({ dtype: 'float64' });
const f32 = new CpuBackend({ dtype: 'float32' });

function random(seed: number, n: number, shift = 0): number[] {
  const normal = gaussian(rng(seed));
  return Array.from({ length: n }, () => normal() + shift);
}

async function values(t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.read());
}

function maxGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const GELU_C = Math.sqrt(2 / Math.PI);
const act: Record<LinearActivation, (v: number) => number> = {
  none: (v) => v,
  gelu: (v) => 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v ** 3))),
  silu: (v) => v / (1 + Math.exp(-v)),
};

/** act(norm(a)·b + bias) + residual with plain loops, in float64 (b is [k, n]). */
function plainLinear(
  a: number[],
  [m, k]: [number, number],
  b: number[],
  n: number,
  o: {
    norm?: { kind: NormKind; gamma: number[]; beta?: number[]; eps: number };
    bias?: number[];
    activation?: LinearActivation;
    residual?: number[];
  },
): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    let row = a.slice(i * k, (i + 1) * k);
    if (o.norm) {
      const { kind, gamma, beta, eps } = o.norm;
      const mean = kind === 'layerNorm' ? row.reduce((s, v) => s + v, 0) / k : 0;
      const spread = row.reduce((s, v) => s + (v - mean) ** 2, 0) / k;
      row = row.map((v, j) => ((v - mean) / Math.sqrt(spread + eps)) * gamma[j] + (beta?.[j] ?? 0));
    }
    for (let j = 0; j < n; j++) {
      let s = o.bias?.[j] ?? 0;
      for (let p = 0; p < k; p++) s += row[p] * b[p * n + j];
      out.push(act[o.activation ?? 'none'](s) + (o.residual?.[i * n + j] ?? 0));
    }
  }
  return out;
}

describe('linear with a norm prologue and a residual epilogue (CPU reference)', () => {
  const [m, k, n] = [3, 10, 7];
  const a = random(1, m * k, 2); // rows with a mean
  const b = random(2, k * n);
  const gamma = random(3, k).map((v) => 1 + 0.1 * v);
  const beta = random(4, k);
  const bias = random(5, n);
  const residual = random(6, m * n);

  for (const kind of ['layerNorm', 'rmsNorm'] as const) {
    for (const activation of ['none', 'gelu', 'silu'] as const) {
      it(`${kind}, ${activation}: equals the plain formula and the ops one after the other`, async () => {
        const be = f64;
        const [A, B, G, Bt, Bias, R] = [
          be.fromArray(a, [m, k]),
          be.fromArray(b, [k, n]),
          be.fromArray(gamma, [k]),
          be.fromArray(beta, [k]),
          be.fromArray(bias, [n]),
          be.fromArray(residual, [m, n]),
        ];
        const norm: RowNorm = {
          kind,
          gamma: G,
          beta: kind === 'layerNorm' ? Bt : undefined,
          eps: 1e-5,
        };
        const fused = await values(be.linear(A, B, { norm, bias: Bias, activation, residual: R }));
        const normed = kind === 'layerNorm' ? be.layerNorm(A, G, Bt, 1e-5) : be.rmsNorm(A, G, 1e-5);
        const composed = await values(be.add(be.linear(normed, B, { bias: Bias, activation }), R));
        expect(maxGap(fused, composed)).toBe(0);
        const plain = plainLinear(a, [m, k], b, n, {
          norm: { kind, gamma, beta: kind === 'layerNorm' ? beta : undefined, eps: 1e-5 },
          bias,
          activation,
          residual,
        });
        expect(maxGap(fused, plain)).toBeLessThan(1e-12);
      });
    }
  }

  it('with transposeB, alone or together, on float32 (every step rounded to float32)', async () => {
    const be = f32;
    const A = be.fromArray(a, [m, k]);
    const Bt = be.fromArray(
      Array.from({ length: n * k }, (_, i) => b[(i % k) * n + Math.floor(i / k)]),
      [n, k],
    );
    const G = be.fromArray(gamma, [k]);
    const R = be.fromArray(residual, [m, n]);
    const norm: RowNorm = { kind: 'rmsNorm', gamma: G, eps: 1e-6 };
    const fused = await values(be.linear(A, Bt, { transposeB: true, norm, residual: R }));
    const composed = await values(
      be.add(be.matmul(be.rmsNorm(A, G, 1e-6), Bt, { transposeB: true }), R),
    );
    expect(maxGap(fused, composed)).toBe(0);
    const plain = plainLinear(a, [m, k], b, n, {
      norm: { kind: 'rmsNorm', gamma, eps: 1e-6 },
      residual,
    });
    expect(maxGap(fused, plain)).toBeLessThan(1e-4);
    // Only a residual, only a norm.
    expect(
      maxGap(
        await values(be.linear(A, Bt, { transposeB: true, residual: R })),
        await values(be.add(be.matmul(A, Bt, { transposeB: true }), R)),
      ),
    ).toBe(0);
    expect(
      maxGap(
        await values(be.linear(A, Bt, { transposeB: true, norm })),
        await values(be.matmul(be.rmsNorm(A, G, 1e-6), Bt, { transposeB: true })),
      ),
    ).toBe(0);
  });

  it('times: a gating product of the same normalised rows, after the activation', async () => {
    const be = f64;
    const [A, B, B2, G, Bias, Bias2, R] = [
      be.fromArray(a, [m, k]),
      be.fromArray(b, [k, n]),
      be.fromArray(random(8, k * n), [k, n]),
      be.fromArray(gamma, [k]),
      be.fromArray(bias, [n]),
      be.fromArray(random(9, n), [n]),
      be.fromArray(residual, [m, n]),
    ];
    const norm: RowNorm = { kind: 'rmsNorm', gamma: G, eps: 1e-6 };
    const fused = await values(
      be.linear(A, B, {
        norm,
        bias: Bias,
        activation: 'silu',
        times: { weight: B2, bias: Bias2 },
        residual: R,
      }),
    );
    const x = be.rmsNorm(A, G, 1e-6);
    const composed = await values(
      be.add(
        be.mul(
          be.linear(x, B, { bias: Bias, activation: 'silu' }),
          be.linear(x, B2, { bias: Bias2 }),
        ),
        R,
      ),
    );
    expect(maxGap(fused, composed)).toBe(0);
    expect(() => be.linear(A, B, { times: { weight: A } })).toThrow(
      /linear times weight: shapes differ: \[3, 10\] and \[10, 7\]/,
    );
    expect(() => be.linear(A, B, { times: { weight: B2, bias: G } })).toThrow(
      /linear times bias: expected a vector of length 7/,
    );
  });

  it('leaves no temporary tensor alive', () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const A = be.fromArray(a, [m, k]);
    const B = be.fromArray(b, [k, n]);
    const G = be.fromArray(gamma, [k]);
    const Bt = be.fromArray(beta, [k]);
    const R = be.fromArray(residual, [m, n]);
    const before = be.stats().liveTensors;
    const y = be.linear(A, B, {
      norm: { kind: 'layerNorm', gamma: G, beta: Bt, eps: 1e-5 },
      residual: R,
    });
    expect(be.stats().liveTensors).toBe(before + 1);
    y.dispose();
    expect(be.stats().liveTensors).toBe(before);
  });

  it('refuses a bad norm or residual, naming linear', () => {
    const be = f64;
    const A = be.fromArray(a, [m, k]);
    const B = be.fromArray(b, [k, n]);
    const G = be.fromArray(gamma, [k]);
    const Bt = be.fromArray(beta, [k]);
    const short = be.fromArray([1, 2], [2]);
    const ln = (o: Partial<RowNorm>): RowNorm => ({
      kind: 'layerNorm',
      gamma: G,
      beta: Bt,
      eps: 1e-5,
      ...o,
    });
    const bad: [Parameters<Backend['linear']>[2], RegExp][] = [
      [{ norm: ln({ beta: undefined }) }, /linear: a layerNorm prologue needs beta/],
      [{ norm: ln({ kind: 'rmsNorm' }) }, /linear: an rmsNorm prologue has no beta/],
      [{ norm: ln({ gamma: short }) }, /linear norm gamma: expected a vector of length 10/],
      [{ norm: ln({ beta: short }) }, /linear norm beta: expected a vector of length 10/],
      [{ norm: ln({ eps: -1 }) }, /linear norm: eps must be ≥ 0/],
      [{ norm: ln({ kind: 'batchNorm' as NormKind }) }, /linear: unknown norm kind batchNorm/],
      [{ residual: be.fromArray(random(7, n), [1, n]) }, /linear residual: shapes differ/],
    ];
    for (const [options, message] of bad) {
      expect(() => be.linear(A, B, options)).toThrow(EngineInputError);
      expect(() => be.linear(A, B, options)).toThrow(message);
    }
  });
});

describe('attention and colsView (CPU reference)', () => {
  const [heads, dk, m, n] = [3, 4, 2, 6];
  const q = random(11, m * heads * dk);
  const k = random(12, n * heads * dk);
  const v = random(13, n * heads * dk);
  const wide = random(14, n * 5);

  it('attention is attnProbs then attnWeightedSum, or p · v with values all', async () => {
    const be = f64;
    const [Q, K, V, W] = [
      be.fromArray(q, [m, heads * dk]),
      be.fromArray(k, [n, heads * dk]),
      be.fromArray(v, [n, heads * dk]),
      be.fromArray(wide, [n, 5]),
    ];
    for (const causalOffset of [undefined, 0, n - m]) {
      const options = { heads, scale: 0.4, causalOffset };
      const p = be.attnProbs(Q, K, options);
      expect(
        maxGap(
          await values(be.attention(Q, K, V, options)),
          await values(be.attnWeightedSum(p, V, heads)),
        ),
      ).toBe(0);
      const all = be.attention(Q, K, W, { ...options, values: 'all' });
      expect(all.shape).toEqual([heads * m, 5]);
      expect(maxGap(await values(all), await values(be.matmul(p, W)))).toBe(0);
    }
  });

  it('attention refuses v that does not fit', () => {
    const be = f64;
    const Q = be.fromArray(q, [m, heads * dk]);
    const K = be.fromArray(k, [n, heads * dk]);
    const options = { heads, scale: 0.4 };
    expect(() => be.attention(Q, K, be.fromArray(wide, [n, 5]), options)).toThrow(
      /attention: v \[6, 5\] does not fit 6 keys and 3 heads/,
    );
    expect(() => be.attention(Q, K, be.fromArray(v.slice(0, 12), [1, 12]), options)).toThrow(
      /attention: v \[1, 12\] does not fit 6 keys/,
    );
    expect(() => be.attention(Q, K, K, { ...options, values: 'some' as unknown as 'all' })).toThrow(
      /attention: values must be 'per-head' or 'all'/,
    );
    expect(() => be.attention(Q, be.fromArray(wide, [n, 5]), K, options)).toThrow(
      /attention: q \[2, 12\] and k \[6, 5\] do not fit 3 heads/,
    );
  });

  it('colsView is a copy of the columns on the CPU, checked as colsView', async () => {
    const be = f64;
    const X = be.fromArray(wide, [n, 5]);
    expect(await values(be.colsView(X, 1, 4))).toEqual(await values(be.sliceCols(X, 1, 4)));
    expect(() => be.colsView(X, 3, 3)).toThrow(/colsView: range \[3, 3\) is not inside/);
    expect(() => be.colsView(X, 0, 6)).toThrow(/colsView: range \[0, 6\) is not inside/);
  });
});

describe('fuseColumns', () => {
  it('puts projections side by side; a missing bias is zeros, none when all are missing', () => {
    const a = matrix64(2, 2, [1, 2, 3, 4]);
    const b = matrix64(2, 1, [5, 6]);
    const both = fuseColumns([{ w: a, b: Float64Array.from([7, 8]) }, { w: b }]);
    expect(Array.from(both.w.data)).toEqual([1, 2, 5, 3, 4, 6]);
    expect([both.w.rows, both.w.cols]).toEqual([2, 3]);
    expect(Array.from(both.b ?? [])).toEqual([7, 8, 0]);
    expect(fuseColumns([{ w: a }, { w: b }]).b).toBeUndefined();
  });
});

describe('attention layers: the step options are residual + attention(norm(x))', () => {
  const [d, heads, headDim] = [8, 2, 4];
  const weights = randomWeights(21, { d, heads, headDim, biases: true });
  const x = randomInputs(22, 5, d);
  const gamma = random(23, d).map((v) => 1 + 0.1 * v);
  const beta = random(24, d);
  const rope = { pairing: 'half' as const, base: 100 };
  const configs: [string, AttentionConfig][] = [
    ['kv', { scheme: 'kv' }],
    ['kv with RoPE', { scheme: 'kv', rope }],
    ['k-cache k-first', { scheme: 'k-cache', decodeOrder: 'k-first' }],
    ['k-cache v-first with RoPE', { scheme: 'k-cache', decodeOrder: 'v-first', rope }],
    [
      'k-cache k-first, rotated cache',
      { scheme: 'k-cache', decodeOrder: 'k-first', rope, ropeCache: 'rotated' },
    ],
    ['v-cache', { scheme: 'v-cache' }],
    ['x-cache', { scheme: 'x-cache' }],
  ];

  /** Prefill 3 rows, decode 2, with the options (fused) or with norm(x) in and x added after. */
  async function run(
    be: Backend,
    make: () => { prefill(x: Tensor, o?: AttentionStepOptions): Tensor; dispose(): void },
    kind: NormKind,
    fused: boolean,
  ): Promise<Float64Array> {
    const layer = make();
    const G = be.fromArray(gamma, [d]);
    const B = be.fromArray(beta, [d]);
    const norm: RowNorm = { kind, gamma: G, beta: kind === 'layerNorm' ? B : undefined, eps: 1e-5 };
    const out: number[] = [];
    for (const [r0, r1] of [
      [0, 3],
      [3, 4],
      [4, 5],
    ]) {
      const y = be.scope(() => {
        const xt = be.fromArray(x.subarray(r0 * d, r1 * d), [r1 - r0, d]);
        if (fused) return layer.prefill(xt, { norm, residual: xt });
        const n = kind === 'layerNorm' ? be.layerNorm(xt, G, B, 1e-5) : be.rmsNorm(xt, G, 1e-5);
        return be.add(layer.prefill(n), xt);
      });
      out.push(...(await y.read()));
      y.dispose();
    }
    layer.dispose();
    G.dispose();
    B.dispose();
    return Float64Array.from(out);
  }

  for (const [name, config] of configs) {
    for (const kind of ['layerNorm', 'rmsNorm'] as const) {
      it(`${name}, ${kind}`, async () => {
        const be = new CpuBackend({ dtype: 'float64' });
        const make = () => createAttention(be, weights, config);
        const fused = await run(be, make, kind, true);
        const apart = await run(be, make, kind, false);
        expect(maxGap(fused, apart)).toBeLessThan(1e-12);
        expect(be.stats().liveTensors).toBe(0);
      });
    }
  }

  it.each(['kv', 'x-cache'] as const)(
    'grouped-query attention (%s, RoPE, biases) takes the same options',
    async (scheme) => {
      const be = new CpuBackend({ dtype: 'float64' });
      const grouped = {
        ...weights,
        kvHeads: 1,
        wK: sliceCols(weights.wK, 4),
        wV: sliceCols(weights.wV, 4),
        bK: weights.bK?.slice(0, 4),
        bV: weights.bV?.slice(0, 4),
      };
      const make = () => createGroupedAttention(be, grouped, { scheme, rope });
      const fused = await run(be, make, 'layerNorm', true);
      const apart = await run(be, make, 'layerNorm', false);
      expect(maxGap(fused, apart)).toBeLessThan(1e-12);
    },
  );
});

/** The first `cols` columns of a host matrix. */
function sliceCols(m: ReturnType<typeof matrix64>, cols: number) {
  const out = matrix64(m.rows, cols);
  for (let r = 0; r < m.rows; r++)
    out.data.set(m.data.subarray(r * m.cols, r * m.cols + cols), r * cols);
  return out;
}
