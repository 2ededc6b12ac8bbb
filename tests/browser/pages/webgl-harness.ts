/**
 * Test-only page: runs the WebGL backend against the CPU reference inside Chromium and exposes
 * the measurements on window.webglHarness for tests/browser/webgl*.test.ts to assert on.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import type { DecodeOrder } from '../../../roofline';
import {
  CpuBackend,
  ECache,
  compareSchemes,
  createCrossAttention,
  gpt2Builder,
  greedyDecode,
  maxAbsDiff,
  pickBackend,
  type AttentionWeights,
  type Backend,
  type CrossAttentionConfig,
} from '../../../engine';
import {
  checkModel,
  GPT2_SMALL,
  Gpt2Model,
  openModel,
  randomGpt2Weights,
  readModel,
  seededRandom,
  type DecoderOptions,
  type DecoderScheme,
  type Gpt2Config,
  type HostModel,
  type LayerDirection,
} from '../../../engine/models';
import {
  gqaCheckpoint,
  referenceGqaLogits,
  TINY_GQA,
  type TinyGqaName,
  referenceLogits,
  tinyCheckpoint,
  TINY_CONFIGS,
  type TinyFamily,
} from '../../shared/tinyModels';
import type { Tensor, TypedArray } from '../../../engine/tensor';
import {
  ContextLostError,
  TextureLimitError,
  WebGLBackend,
  layoutFor,
  type WebGLBackendOptions,
} from '../../../engine/webgl';

export interface Check {
  name: string;
  /** max over elements of |gpu − ref| / tolerance; ≤ 1 passes. */
  worst: number;
  maxAbs: number;
  ok: boolean;
}

const U32 = 2 ** -24; // float32 unit roundoff

function randn(rand: () => number, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * (rand() * 2 - 1);
  return out;
}

function compare(
  name: string,
  got: ArrayLike<number>,
  ref: ArrayLike<number>,
  tol: number | ArrayLike<number>,
): Check {
  if (got.length !== ref.length)
    return {
      name: `${name} (length ${got.length} ≠ ${ref.length})`,
      worst: Infinity,
      maxAbs: Infinity,
      ok: false,
    };
  let worst = 0;
  let maxAbs = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i] - ref[i]);
    const t = typeof tol === 'number' ? tol : tol[i];
    maxAbs = Math.max(maxAbs, e);
    worst = Math.max(worst, e / t);
  }
  return { name, worst, maxAbs, ok: worst <= 1 && Number.isFinite(worst) };
}

class Pair {
  readonly gpu: WebGLBackend;
  readonly cpu = new CpuBackend({ dtype: 'float64' });
  constructor(options: WebGLBackendOptions = {}) {
    this.gpu = new WebGLBackend(options);
  }
  async run(
    inputs: { data: Float64Array; shape: number[] }[],
    f: (be: Backend, xs: Tensor[]) => Tensor,
  ): Promise<[Float32Array, TypedArray]> {
    const out: TypedArray[] = [];
    for (const be of [this.gpu, this.cpu] as Backend[]) {
      const xs = inputs.map((x) => be.fromArray(x.data, x.shape));
      const y = f(be, xs);
      out.push(await y.read());
      y.dispose();
      for (const x of xs) x.dispose();
    }
    return [out[0] as Float32Array, out[1]];
  }
}

/** Forward error bound of a float32 dot product of length k: k·u·Σ|a||b| (plus inputs rounded to float32). */
async function productTolerance(
  cpu: CpuBackend,
  f: (be: Backend, xs: Tensor[]) => Tensor,
  inputs: { data: Float64Array; shape: number[] }[],
  k: number,
): Promise<Float64Array> {
  const xs = inputs.map((x) => cpu.fromArray(x.data.map(Math.abs), x.shape));
  const y = f(cpu, xs);
  const abs = await y.read();
  y.dispose();
  for (const x of xs) x.dispose();
  return Float64Array.from(abs, (v) => (k + 2) * U32 * v + 1e-30);
}

async function kernelChecks(): Promise<Check[]> {
  const rand = seededRandom(42);
  const pair = new Pair();
  const pair4 = new Pair({ tileRows: 4 });
  const checks: Check[] = [];
  const mk = (shape: number[], scale = 1) => ({
    data: randn(
      rand,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
    shape,
  });

  // matmul: awkward sizes, n = 1, one-row GEMV long enough to take the split-K path, transposeB.
  for (const [m, k, n, tB] of [
    [3, 5, 7, false],
    [1, 13, 1, false],
    [17, 33, 9, true],
    [1, 768, 768, false],
    [1, 300, 257, true],
    [64, 70, 50, false],
    [1, 2050, 6, false],
    [5, 3, 1, true],
    // Register-tiled blocks (m ≥ 4): m not a multiple of the tile, split-K partials summed by
    // unblockRows (few blocks, long k), transposeB, and slim decode's u = p·K (m = h = 12).
    [6, 1001, 8, false],
    [7, 999, 5, true],
    [13, 64, 36, false],
    [12, 2050, 768, false],
  ] as [number, number, number, boolean][]) {
    const inputs = [mk([m, k]), mk(tB ? [n, k] : [k, n])];
    const f = (be: Backend, xs: Tensor[]) => be.matmul(xs[0], xs[1], { transposeB: tB });
    const tol = await productTolerance(pair.cpu, f, inputs, k);
    // Tiled shapes run with both tile heights (8 rows by default here, 4 on GPUs with 4 targets).
    for (const p of m >= 4 ? [pair, pair4] : [pair]) {
      const [g, r] = await p.run(inputs, f);
      const tile = m >= 4 ? `, ${p.gpu.tileRows}-row tiles` : '';
      checks.push(compare(`matmul ${m}×${k}·${n}${tB ? 'ᵀ' : ''}${tile}`, g, r, tol));
    }
  }
  // fused linear (bias + gelu or silu), unsplit and split-K
  for (const [m, k, n] of [
    [4, 20, 11],
    [1, 512, 96],
  ]) {
    const inputs = [mk([m, k]), mk([k, n]), mk([n])];
    const tol = await productTolerance(
      pair.cpu,
      (be, xs) => be.matmul(xs[0], xs[1]),
      inputs.slice(0, 2),
      k,
    );
    for (const activation of ['gelu', 'silu'] as const) {
      // GPU: one fused kernel (or split-K + fused reduction); CPU: matmul, bias, activation.
      const [g, r] = await pair.run(inputs, (be, xs) =>
        be.linear(xs[0], xs[1], { bias: xs[2], activation }),
      );
      // |gelu'| ≤ 1.13 and |silu'| ≤ 1.1, so the product bound carries over; 1e-6 covers GPU
      // tanh's and exp's ulps.
      checks.push(
        compare(
          `linear+bias+${activation} ${m}×${k}·${n}`,
          g,
          r,
          tol.map((t) => 1.13 * t + 1e-6),
        ),
      );
    }
  }
  // headBlockMatmul (slim option 2) and attnWeightedSum: packed heads and lane fallback
  for (const [heads, m, dIn, dOut] of [
    [3, 2, 10, 8],
    [3, 2, 10, 5],
    [12, 1, 768, 64],
    [2, 1, 9, 6],
    // prefill-shaped (m ≥ 4 rows per head): the tiled kernel with HEAD_ROWS
    [3, 6, 10, 8],
    [4, 5, 130, 12],
  ]) {
    const inputs = [mk([heads * m, dIn]), mk([dIn, heads * dOut])];
    const f = (be: Backend, xs: Tensor[]) => be.headBlockMatmul(xs[0], xs[1], heads);
    const tol = await productTolerance(pair.cpu, f, inputs, dIn);
    for (const p of m >= 4 ? [pair, pair4] : [pair]) {
      const [g, r] = await p.run(inputs, f);
      const tile = m >= 4 ? `, ${p.gpu.tileRows}-row tiles` : '';
      checks.push(compare(`headBlockMatmul h${heads} m${m} ${dIn}→${dOut}${tile}`, g, r, tol));
    }
  }
  // elementwise
  const eye7 = {
    data: Float64Array.from({ length: 49 }, (_, i) => (i % 8 === 0 ? 1 : 0)),
    shape: [7, 7],
  };
  const ew = [mk([3, 7], 3), mk([3, 7], 3), mk([7]), eye7];
  for (const [name, f] of [
    ['add', (be: Backend, xs: Tensor[]) => be.add(xs[0], xs[1])],
    ['mul', (be: Backend, xs: Tensor[]) => be.mul(xs[0], xs[1])],
    ['scale', (be: Backend, xs: Tensor[]) => be.scale(xs[0], -0.37)],
    // The bias and the activations alone: linear by the identity (x · I = x exactly).
    ['linear bias', (be: Backend, xs: Tensor[]) => be.linear(xs[0], xs[3], { bias: xs[2] })],
    ['linear gelu', (be: Backend, xs: Tensor[]) => be.linear(xs[0], xs[3], { activation: 'gelu' })],
    ['linear silu', (be: Backend, xs: Tensor[]) => be.linear(xs[0], xs[3], { activation: 'silu' })],
  ] as const) {
    const [g, r] = await pair.run(ew, f);
    // One float32 rounding of inputs and result (≤ 3u relative) plus transcendental ulps: 1e-6 abs + 1e-6 rel.
    checks.push(
      compare(
        name,
        g,
        r,
        Array.from(r, (v) => 1e-6 + 1e-6 * Math.abs(v)),
      ),
    );
  }
  // norms
  for (const shape of [
    [5, 13],
    [1, 768],
  ]) {
    const inputs = [mk(shape, 2), mk([shape[1]]), mk([shape[1]])];
    for (const [name, f] of [
      ['layerNorm', (be: Backend, xs: Tensor[]) => be.layerNorm(xs[0], xs[1], xs[2], 1e-5)],
      ['rmsNorm', (be: Backend, xs: Tensor[]) => be.rmsNorm(xs[0], xs[1], 1e-6)],
    ] as const) {
      const [g, r] = await pair.run(inputs, f);
      // Normalised values are O(1); float32 sums over ≤ 768 values: 2e-5 absolute.
      checks.push(compare(`${name} ${shape.join('×')}`, g, r, 2e-5));
    }
  }
  // softmax: plain, causal, and a long row split into chunks (flash-decoding statistics)
  for (const [shape, causalOffset] of [
    [[4, 9], undefined],
    [[4, 9], 2],
    [[3, 5000], 4000],
    [[1, 4097], undefined],
  ] as [number[], number | undefined][]) {
    const inputs = [mk(shape, 8)];
    const [g, r] = await pair.run(inputs, (be, xs) => be.softmax(xs[0], { causalOffset }));
    // Probabilities ≤ 1; float32 exp of arguments up to 16 in magnitude: 2e-6 absolute.
    checks.push(compare(`softmax ${shape.join('×')} causal ${causalOffset}`, g, r, 2e-6));
  }
  // rope: both pairings, partial rotary, inverse round trip
  for (const pairing of ['half', 'interleaved'] as const) {
    const inputs = [mk([3, 24])];
    const opts = { heads: 2, positionOffset: 700, pairing, base: 10000, rotaryDim: 8 };
    const [g, r] = await pair.run(inputs, (be, xs) => be.rope(xs[0], opts));
    checks.push(compare(`rope ${pairing}`, g, r, 1e-6));
    const [g2] = await pair.run(inputs, (be, xs) =>
      be.rope(be.rope(xs[0], opts), { ...opts, inverse: true }),
    );
    checks.push(compare(`rope ${pairing} inverse round trip`, g2, inputs[0].data, 2e-6));
  }
  // gather, argmax (with a tie: the first index wins), copies
  const table = mk([10, 7]);
  const [gg, gr] = await pair.run([table], (be, xs) => be.gather(xs[0], [3, 0, 9, 3]));
  checks.push(compare('gather', gg, gr, 1e-7));
  const am = mk([3, 1001]);
  am.data[1 * 1001 + 17] = 5;
  am.data[1 * 1001 + 900] = 5;
  am.data[2 * 1001 + 1000] = 7;
  const [ag, ar] = await pair.run([am], (be, xs) => be.argmax(xs[0]));
  checks.push(compare('argmax (ties → first)', ag, ar, 0.5));
  const x57 = mk([5, 7]);
  for (const [name, f] of [
    ['sliceCols', (be: Backend, xs: Tensor[]) => be.sliceCols(xs[0], 2, 7)],
    ['sliceRows', (be: Backend, xs: Tensor[]) => be.sliceRows(xs[0], 1, 4)],
    [
      'concatCols',
      (be: Backend, xs: Tensor[]) =>
        be.concatCols([be.sliceCols(xs[0], 0, 3), xs[0], be.sliceCols(xs[0], 5, 7)]),
    ],
  ] as const) {
    const [g, r] = await pair.run([x57], (be, xs) => be.scope(() => f(be, xs)));
    checks.push(compare(name, g, r, 1e-7));
  }
  // writeRows + rowsView: a cache that receives one row
  const [wg, wr] = await pair.run([mk([6, 5]), mk([1, 5])], (be, xs) => {
    be.writeRows(xs[0], 4, xs[1]);
    return be.sliceRows(be.rowsView(xs[0], 5), 0, 5);
  });
  checks.push(compare('writeRows + rowsView', wg, wr, 1e-7));
  // attention building blocks: packed and unpacked head widths, causal prefill, long decode
  for (const [heads, dk, m, n, causalOffset] of [
    [2, 8, 3, 5, 2],
    [2, 6, 4, 4, 0],
    [12, 64, 1, 3000, 2999],
    [3, 5, 2, 33, undefined],
  ] as [number, number, number, number, number | undefined][]) {
    const q = mk([m, heads * dk]);
    const k = mk([n, heads * dk]);
    const v = mk([n, heads * dk]);
    const opts = { heads, scale: 1 / Math.sqrt(dk), causalOffset };
    const [pg, pr] = await pair.run([q, k], (be, xs) => be.attnProbs(xs[0], xs[1], opts));
    checks.push(compare(`attnProbs h${heads} dk${dk} m${m} n${n}`, pg, pr, 2e-6));
    const [sg, sr] = await pair.run([q, k, v], (be, xs) =>
      be.scope(() => be.attnWeightedSum(be.attnProbs(xs[0], xs[1], opts), xs[2], heads)),
    );
    // Σ_j p_j v_j with |v| ≤ 1 and Σ p = 1: probability errors 2e-6 each over n terms, bounded by 2e-6·min(n, 1/2e-6)… 1e-5 is ample.
    checks.push(compare(`attnWeightedSum h${heads} dk${dk} n${n}`, sg, sr, 1e-5));
  }
  checks.push(...(await fusedChecks(pair, pair4, mk)));
  return checks;
}

/** Row-major host values of a CPU tensor, as float64. */
async function hostOf(t: Tensor): Promise<Float64Array> {
  const v = Float64Array.from(await t.read());
  t.dispose();
  return v;
}

/**
 * The fused ops against the CPU reference (engine/cpu/fused.ts, the ops one after the other):
 * linear with a norm prologue and a residual epilogue on every product path, attention in one
 * draw and with its scores drawn first, and column views as operands.
 */
async function fusedChecks(
  pair: Pair,
  pair4: Pair,
  mk: (shape: number[], scale?: number) => { data: Float64Array; shape: number[] },
): Promise<Check[]> {
  const checks: Check[] = [];
  const cpu = pair.cpu;
  // m = 1 and 2: the norm's statistics per fragment (k = 37: padding lanes); k = 1100: split-K,
  // statistics drawn first; m ≥ 4: tiled, statistics drawn first.
  for (const [m, k, n, tB] of [
    [1, 40, 24, false],
    [1, 37, 9, true],
    [2, 1100, 12, false],
    [1, 1030, 7, true],
    [6, 50, 20, false],
    [9, 33, 10, true],
  ] as [number, number, number, boolean][]) {
    const a = mk([m, k], 3);
    a.data.forEach((x, i) => (a.data[i] = x + 1.5)); // rows with a mean to take away
    const inputs = [a, mk(tB ? [n, k] : [k, n]), mk([k]), mk([k]), mk([n]), mk([m, n])];
    for (const kind of ['layerNorm', 'rmsNorm'] as const) {
      const f = (be: Backend, xs: Tensor[]) =>
        be.linear(xs[0], xs[1], {
          transposeB: tB,
          norm: { kind, gamma: xs[2], beta: kind === 'layerNorm' ? xs[3] : undefined, eps: 1e-5 },
          bias: xs[4],
          activation: 'gelu',
          residual: xs[5],
        });
      // The product bound over the normalised rows, plus their error (2e-5 absolute, as the
      // norm check above) times Σ|b|, widened by GELU's slope (≤ 1.13), plus the residual's ulp.
      const A = cpu.fromArray(a.data, [m, k]);
      const gb = [cpu.fromArray(inputs[2].data, [k]), cpu.fromArray(inputs[3].data, [k])];
      const normed = await hostOf(
        kind === 'layerNorm' ? cpu.layerNorm(A, gb[0], gb[1], 1e-5) : cpu.rmsNorm(A, gb[0], 1e-5),
      );
      for (const t of [A, ...gb]) t.dispose();
      const mm = (be: Backend, xs: Tensor[]) => be.matmul(xs[0], xs[1], { transposeB: tB });
      const prod = await productTolerance(cpu, mm, [{ data: normed, shape: [m, k] }, inputs[1]], k);
      const ones = { data: new Float64Array(m * k).fill(1), shape: [m, k] };
      const colSums = await productTolerance(cpu, mm, [ones, inputs[1]], 0);
      const tol = prod.map(
        (t, i) =>
          1.13 * (t + 2e-5 * (colSums[i] / (2 * U32))) +
          1e-6 +
          U32 * Math.abs(inputs[5].data[i]) * 4,
      );
      for (const p of m >= 4 ? [pair, pair4] : [pair]) {
        const [g, r] = await p.run(inputs, f);
        const tile = m >= 4 ? `, ${p.gpu.tileRows}-row tiles` : '';
        checks.push(
          compare(
            `linear ${kind}+bias+gelu+residual ${m}×${k}·${n}${tB ? 'ᵀ' : ''}${tile}`,
            g,
            r,
            tol,
          ),
        );
      }
    }
  }
  // A gating product (Llama's silu(x·W_gate) ⊙ x·W_up): one draw for decode rows, the two
  // products and a mul for prefill rows (tiled) and long reductions (split-K).
  for (const [m, k, n, tB] of [
    [1, 24, 20, true],
    [2, 30, 9, false],
    [1, 1030, 6, true],
    [6, 28, 12, true],
  ] as [number, number, number, boolean][]) {
    const w = () => mk(tB ? [n, k] : [k, n]);
    const inputs = [mk([m, k], 2), w(), w(), mk([n]), mk([n]), mk([k]), mk([m, n])];
    const f = (be: Backend, xs: Tensor[]) =>
      be.linear(xs[0], xs[1], {
        transposeB: tB,
        bias: xs[3],
        activation: 'silu',
        norm: { kind: 'rmsNorm', gamma: xs[5], eps: 1e-6 },
        times: { weight: xs[2], bias: xs[4] },
        residual: xs[6],
      });
    // Values of size ~k·0.3 each side: 1e-5 relative to the product of their magnitudes.
    const [g, r] = await pair.run(inputs, f);
    const scale = Math.max(1, ...Array.from(r, Math.abs));
    checks.push(compare(`linear gated (times) ${m}×${k}·${n}${tB ? 'ᵀ' : ''}`, g, r, 2e-5 * scale));
  }
  // attention: one draw (scores in the loop) and two (scores first), per-head and 'all' values,
  // packed and unpacked head widths, a value width the lanes cannot pack (the composite path),
  // and prefill rows (attnProbs, then the weighted sum).
  const twoDraw = new Pair({ fusedAttentionFetches: 0 });
  for (const [heads, dk, m, n, causalOffset, values] of [
    [2, 8, 1, 9, 8, 'per-head'],
    [3, 8, 2, 40, 38, 'per-head'],
    [2, 8, 1, 33, undefined, 'per-head'],
    [2, 6, 1, 13, 12, 'per-head'],
    [2, 8, 1, 9, 8, 'all'],
    [3, 5, 2, 21, 19, 'all'],
    [4, 16, 6, 6, 0, 'per-head'],
    [4, 16, 5, 5, 0, 'all'],
  ] as [number, number, number, number, number | undefined, 'per-head' | 'all'][]) {
    const inputs = [mk([m, heads * dk], 2), mk([n, heads * dk], 2), mk([n, heads * dk])];
    const opts = { heads, scale: 1 / Math.sqrt(dk), causalOffset, values };
    for (const [how, p] of [
      ['one draw', pair],
      ['scores first', twoDraw],
    ] as const) {
      const [g, r] = await p.run(inputs, (be, xs) => be.attention(xs[0], xs[1], xs[2], opts));
      // As attnWeightedSum: probabilities within 2e-6, |v| ≤ 1.
      checks.push(
        compare(`attention ${values} h${heads} dk${dk} m${m} n${n} (${how})`, g, r, 1e-5),
      );
    }
  }
  // Grouped-query attention (kvHeads < heads, paper Appendix G): k and v h_kv heads wide, read
  // in place by the decode draw; the composite path (prefill rows, a value width the lanes
  // cannot pack) repeats the value heads first.
  for (const [heads, kvHeads, dk, m, n, causalOffset, values] of [
    [4, 2, 8, 1, 9, 8, 'per-head'],
    [6, 3, 4, 1, 13, 12, 'per-head'],
    [4, 1, 6, 1, 13, 12, 'per-head'],
    [4, 2, 8, 6, 6, 0, 'per-head'],
    [4, 2, 8, 1, 9, 8, 'all'],
  ] as [number, number, number, number, number, number, 'per-head' | 'all'][]) {
    const inputs = [mk([m, heads * dk], 2), mk([n, kvHeads * dk], 2), mk([n, kvHeads * dk])];
    const opts = { heads, kvHeads, scale: 1 / Math.sqrt(dk), causalOffset, values };
    for (const [how, p] of [
      ['one draw', pair],
      ['scores first', twoDraw],
    ] as const) {
      const [g, r] = await p.run(inputs, (be, xs) => be.attention(xs[0], xs[1], xs[2], opts));
      checks.push(
        compare(
          `grouped attention ${values} h${heads}/${kvHeads} dk${dk} m${m} n${n} (${how})`,
          g,
          r,
          1e-5,
        ),
      );
    }
    const [pg, pr] = await pair.run(inputs.slice(0, 2), (be, xs) =>
      be.attnProbs(xs[0], xs[1], opts),
    );
    checks.push(compare(`grouped attnProbs h${heads}/${kvHeads} dk${dk} m${m}`, pg, pr, 2e-6));
  }
  twoDraw.gpu.destroy();
  // Column views: read back, on texel boundaries or copied, as a product's operand (A and the
  // residual), attention's q, writeRows' source, a view of a view and rows of a view.
  const x = mk([3, 24]);
  for (const [s0, e0] of [
    [0, 8],
    [8, 24],
    [4, 20],
    [2, 7],
    [20, 24],
  ]) {
    const [g, r] = await pair.run([x], (be, xs) => be.colsView(xs[0], s0, e0));
    checks.push(compare(`colsView [${s0}, ${e0})`, g, r, 1e-7));
  }
  const viewUses: [string, (be: Backend, xs: Tensor[]) => Tensor][] = [
    ['matmul of a view', (be, xs) => be.matmul(be.colsView(xs[0], 8, 16), xs[1])],
    [
      'linear with a view as residual',
      (be, xs) =>
        be.linear(be.colsView(xs[0], 4, 12), xs[1], { residual: be.colsView(xs[0], 20, 24) }),
    ],
    [
      'attention with q, k and v views',
      (be, xs) =>
        be.attention(
          be.colsView(xs[0], 0, 8),
          be.colsView(xs[0], 8, 16),
          be.colsView(xs[0], 16, 24),
          {
            heads: 2,
            scale: 0.5,
            causalOffset: 2,
          },
        ),
    ],
    [
      'writeRows from a view',
      (be, xs) => {
        const dst = be.zeros([4, 8]);
        be.writeRows(dst, 1, be.colsView(xs[0], 12, 20));
        return dst;
      },
    ],
    ['view of a view', (be, xs) => be.colsView(be.colsView(xs[0], 4, 24), 8, 16)],
    ['rows of a view', (be, xs) => be.sliceRows(be.rowsView(be.colsView(xs[0], 8, 21), 2), 1, 2)],
  ];
  for (const [name, f] of viewUses) {
    const [g, r] = await pair.run([x, mk([8, 4])], (be, xs) => be.scope(() => f(be, xs)));
    checks.push(compare(name, g, r, 1e-5));
  }
  return checks;
}

/** Folded textures (tensors wider or taller than MAX_TEXTURE_SIZE) and the limit error. */
async function limitChecks(): Promise<{
  checks: Check[];
  limitError: string;
  limitErrorName: string;
}> {
  const rand = seededRandom(7);
  const pair = new Pair({ maxTextureSize: 128 });
  const checks: Check[] = [];
  const mk = (shape: number[]) => ({ data: randn(rand, shape[0] * shape[1]), shape });
  // Folded operands: 150 rows > 128 (whole rows side by side, 8 per pixel row); 600 columns =
  // 150 texels > 128 (each row on 2 pixel rows); 300 rows of bᵀ (the tied head's shape); 200
  // rows of 75 texels (one row per pixel row would need 200 > 128: the linear fallback).
  const foldOf = (shape: number[]) => layoutFor(shape, 128).fold;
  const folds = {
    rows: [foldOf([150, 40]), foldOf([300, 40]), foldOf([300, 9])],
    wide: [foldOf([3, 600]), foldOf([40, 600]), foldOf([2, 999])],
    linear: [foldOf([200, 300])],
  };
  const expected = Object.entries(folds).every(([kind, got]) => got.every((f) => f === kind));
  checks.push({
    name: `fold kinds ${JSON.stringify(folds)}`,
    worst: expected ? 0 : Infinity,
    maxAbs: 0,
    ok: expected,
  });
  for (const [m, k, n, tB] of [
    [150, 40, 60, false],
    [3, 40, 600, false],
    [2, 40, 300, true],
    [1, 40, 300, true],
    [200, 300, 8, false],
    [3, 300, 200, true],
  ] as [number, number, number, boolean][]) {
    const inputs = [mk([m, k]), mk(tB ? [n, k] : [k, n])];
    const f = (be: Backend, xs: Tensor[]) => be.matmul(xs[0], xs[1], { transposeB: tB });
    const [g, r] = await pair.run(inputs, f);
    const tol = await productTolerance(pair.cpu, f, inputs, k);
    checks.push(compare(`folded matmul ${m}×${k}·${n}${tB ? 'ᵀ' : ''}`, g, r, tol));
  }
  const [gg, gr] = await pair.run([mk([300, 9])], (be, xs) => be.gather(xs[0], [299, 0, 150]));
  checks.push(compare('folded gather', gg, gr, 1e-7));
  // Column views of each fold, read back and as a product's operand.
  for (const [shape, s0, e0] of [
    [[150, 40], 8, 24],
    [[40, 600], 400, 600],
    [[2, 999], 400, 999],
    [[200, 300], 100, 200],
  ] as [number[], number, number][]) {
    const x = mk(shape);
    const [vg, vr] = await pair.run([x], (be, xs) => be.colsView(xs[0], s0, e0));
    checks.push(
      compare(`colsView [${s0}, ${e0}) of ${layoutFor(shape, 128).fold}-folded`, vg, vr, 1e-7),
    );
    const w = mk([e0 - s0, 3]);
    const f = (be: Backend, xs: Tensor[]) => be.matmul(be.colsView(xs[0], s0, e0), xs[1]);
    const [pg, pr] = await pair.run([x, w], f);
    const tol = await productTolerance(
      pair.cpu,
      (be, xs) => be.matmul(be.sliceCols(xs[0], s0, e0), xs[1]),
      [x, w],
      e0 - s0,
    );
    checks.push(
      compare(`matmul of a colsView of ${layoutFor(shape, 128).fold}-folded`, pg, pr, tol),
    );
  }
  const [ag, ar] = await pair.run([mk([2, 999])], (be, xs) => be.argmax(xs[0]));
  checks.push(compare('folded argmax', ag, ar, 0.5));
  const [wg, wr] = await pair.run([mk([200, 30]), mk([3, 30])], (be, xs) => {
    be.writeRows(xs[0], 150, xs[1]);
    return be.sliceRows(xs[0], 140, 160);
  });
  checks.push(compare('folded writeRows', wg, wr, 1e-7));
  // Rows past the first pixel row of a 'rows' fold, and a 'wide' tensor written row by row.
  const [wg2, wr2] = await pair.run([mk([3, 600]), mk([1, 600])], (be, xs) => {
    be.writeRows(xs[0], 1, xs[1]);
    return be.add(xs[0], xs[0]);
  });
  checks.push(compare('wide-folded writeRows and add', wg2, wr2, 1e-6));
  const headInputs = [mk([1, 40]), mk([300, 40]), mk([1, 300])];
  const [lg, lr] = await pair.run(headInputs, (be, xs) =>
    be.linear(xs[0], xs[1], { transposeB: true, bias: xs[2], activation: 'gelu' }),
  );
  // GELU's slope is below 1.13: the product's bound, widened by that, bounds the result.
  const headTol = (
    await productTolerance(
      pair.cpu,
      (be, xs) => be.matmul(xs[0], xs[1], { transposeB: true }),
      headInputs,
      40,
    )
  ).map((t) => 1.13 * t + 1e-6);
  checks.push(compare('folded head with bias and GELU', lg, lr, headTol));
  let limitError = '';
  let limitErrorName = '';
  try {
    pair.gpu.zeros([128 * 128 + 1, 4]); // one row more than 128×128 texels can hold
  } catch (e) {
    limitError = (e as Error).message;
    limitErrorName = e instanceof TextureLimitError ? 'TextureLimitError' : (e as Error).name;
  }
  return { checks, limitError, limitErrorName };
}

const SMALL_MODEL: Gpt2Config = {
  vocabSize: 97,
  nPositions: 128,
  d: 48,
  heads: 4,
  layers: 3,
  lnEps: 1e-5,
};

/** A multi-layer GPT-2's greedy decode on WebGL vs the float32 CPU backend, and allocation checks. */
async function modelParity(scheme: DecoderScheme, decodeOrder: DecodeOrder, steps: number) {
  const w = randomGpt2Weights(SMALL_MODEL, 3);
  const gpu = new WebGLBackend();
  const cpu = new CpuBackend({ dtype: 'float32' });
  const g = new Gpt2Model(gpu, SMALL_MODEL, w, { scheme, decodeOrder });
  const c = new Gpt2Model(cpu, SMALL_MODEL, w, { scheme, decodeOrder });
  const prompt = [5, 17, 42, 8];
  // GL textures created by each decode step (after step s, n = prompt + s + 1 tokens).
  const created: number[] = [];
  let last = gpu.gpuStats().texturesCreated;
  const rg = await greedyDecode(g, prompt, steps, {
    onStep: () => {
      const now = gpu.gpuStats().texturesCreated;
      created.push(now - last);
      last = now;
    },
  });
  const rc = await greedyDecode(c, prompt, steps);
  const maxAbs = maxAbsDiff(rg.logits, rc.logits);
  const maxLogit = Math.max(
    ...rc.logits.map((row) => row.reduce((m, v) => Math.max(m, Math.abs(v)), 0)),
  );
  const cache = g.cacheBytes();
  const liveBefore = gpu.stats().liveTensors;
  g.dispose();
  c.dispose();
  return {
    tokensEqual: rg.tokens.join() === rc.tokens.join(),
    tokens: rg.tokens,
    maxAbs,
    maxLogit,
    texturesCreatedPerStep: created,
    cacheBytes: cache,
    liveBefore,
    liveAfterDispose: gpu.stats().liveTensors,
  };
}

/** Standard vs slim (engine/compare.ts) on WebGL, on random GPT-2 weights. */
async function schemeComparison(steps: number) {
  const gpu = new WebGLBackend();
  try {
    const source = gpt2Builder(SMALL_MODEL, randomGpt2Weights(SMALL_MODEL, 5, 'float32'));
    return await compareSchemes(gpu, source, {
      prompt: [5, 17, 42, 8],
      steps,
    });
  } finally {
    gpu.destroy();
  }
}

/**
 * Cross-attention (paper §4) on WebGL: 3 decoder layers sharing one E-cache, each scheme and
 * order against the float64 CPU baseline, relative to max |baseline|. Also the cache bytes and
 * whether every tensor is freed.
 */
async function crossParity() {
  const rand = seededRandom(11);
  const [d, heads, headDim, p, steps] = [16, 4, 4, 24, 3];
  const e = heads * headDim;
  const mat = (rows: number, cols: number, scale: number, eye = false) => {
    const data = randn(rand, rows * cols, scale);
    if (eye) for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] += 1;
    return { rows, cols, data };
  };
  // W_K = I + noise keeps cond(W_K) small, so float32 option 1 is well defined (Appendix A).
  const layers: AttentionWeights[] = Array.from({ length: 3 }, () => ({
    d,
    heads,
    headDim,
    wQ: mat(d, e, 0.4),
    wK: mat(d, e, 0.15, true),
    wV: mat(d, e, 0.4),
    wO: mat(e, d, 0.4),
    bQ: randn(rand, e, 0.3),
    bK: randn(rand, e, 0.3),
    bV: randn(rand, e, 0.3),
    bO: randn(rand, d, 0.3),
  }));
  const enc = randn(rand, p * d, 1);
  const x = randn(rand, steps * d, 1);
  async function run(backend: Backend, config: (c: ECache) => CrossAttentionConfig) {
    const eCache = new ECache(backend, d);
    const made = layers.map((w) => createCrossAttention(backend, w, config(eCache)));
    const eT = backend.fromArray(enc, [p, d]);
    for (const layer of made) layer.setEncoderOutput(eT);
    eT.dispose();
    const out: number[] = [];
    for (const layer of made) {
      const y = backend.scope(() => layer.attend(backend.fromArray(x, [steps, d])));
      out.push(...(await y.read()));
      y.dispose();
    }
    const bytes =
      made.reduce((s, l) => s + l.cacheStats().bytes, 0) +
      (made[0].config.scheme === 'e-cache' ? eCache.stats().bytes : 0);
    for (const layer of made) layer.dispose();
    eCache.dispose();
    return { out, bytes, live: backend.stats().liveTensors };
  }
  const ref = await run(new CpuBackend({ dtype: 'float64' }), () => ({ scheme: 'kv' }));
  const scale = Math.max(...ref.out.map(Math.abs));
  const gpu = new WebGLBackend();
  const configs: [string, (c: ECache) => CrossAttentionConfig][] = [
    ['kv', () => ({ scheme: 'kv' })],
    ['k-cache v-first', () => ({ scheme: 'k-cache', decodeOrder: 'v-first' })],
    ['k-cache k-first', () => ({ scheme: 'k-cache', decodeOrder: 'k-first' })],
    ['e-cache v-first', (c) => ({ scheme: 'e-cache', eCache: c, decodeOrder: 'v-first' })],
    ['e-cache k-first', (c) => ({ scheme: 'e-cache', eCache: c, decodeOrder: 'k-first' })],
  ];
  const results: { name: string; relError: number; bytes: number; live: number }[] = [];
  for (const [name, config] of configs) {
    const r = await run(gpu, config);
    const err = r.out.reduce((m, v, i) => Math.max(m, Math.abs(v - ref.out[i])), 0);
    results.push({ name, relError: err / scale, bytes: r.bytes, live: r.live });
  }
  gpu.destroy();
  return results;
}

const maxAbsOf = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
};

/** max |a − b| over one row. */
function rowGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The prompt of the family checks (the unit tests' too). */
const FAMILY_PROMPT = [3, 1, 4, 1, 5, 9];

/**
 * A tiny seeded checkpoint of the family (tests/shared/tinyModels.ts, written with engine/io's
 * writeSafetensors in the page), loaded through engine/models on WebGL: the prompt's logits
 * against the independent float64 forward pass, then standard vs slim (engine/compare.ts) for
 * `steps` greedy tokens.
 */
async function familyComparison(
  family: TinyFamily,
  steps: number,
  slim: { directions?: LayerDirection[]; decodeOrder?: DecodeOrder } = {},
) {
  const config = TINY_CONFIGS[family];
  const ckpt = tinyCheckpoint(family, config, { seed: 13 });
  const host = await readModel(ckpt.files);
  const gpu = new WebGLBackend();
  try {
    const model = host.build(gpu, { scheme: 'kv' });
    const out = model.prefill(FAMILY_PROMPT);
    const got = Float32Array.from(await out.read());
    out.dispose();
    model.dispose();
    const want = referenceLogits(family, config, ckpt.weights, FAMILY_PROMPT).at(-1)!;
    const r = await compareSchemes(gpu, host, { prompt: FAMILY_PROMPT, steps, ...slim });
    return {
      loadedFamily: host.spec.family,
      prefillMaxAbs: rowGap(got, want),
      prefillScale: maxAbsOf(want),
      tokensIdentical: r.tokensIdentical,
      firstDivergence: r.firstDivergence,
      maxAbsLogitDiff: r.maxAbsLogitDiff,
      maxAbsLogit: r.maxAbsLogit,
      steps: r.standard.tokens.length,
      distinctTokens: new Set(r.standard.tokens).size,
      standardCache: { k: r.standard.kCacheBytes, v: r.standard.vCacheBytes },
      slimCache: { k: r.slim.kCacheBytes, v: r.slim.vCacheBytes },
      liveAfter: gpu.stats().liveTensors,
    };
  } finally {
    gpu.destroy();
  }
}

/**
 * A tiny grouped-query checkpoint (paper Appendix G) on WebGL: prefill logits against the float64
 * forward, then standard (GQA KV-cache) against slim (d-wide cache or X-cache) for `steps`
 * greedy tokens, with both caches' bytes and the slim scheme the loader chose.
 */
async function gqaComparison(name: TinyGqaName, steps: number) {
  const config = TINY_GQA[name];
  const ckpt = gqaCheckpoint(config, { seed: 13 });
  const host = await readModel(ckpt.files);
  const gpu = new WebGLBackend();
  try {
    const model = host.build(gpu, { scheme: 'kv' });
    const out = model.prefill(FAMILY_PROMPT);
    const got = Float32Array.from(await out.read());
    out.dispose();
    model.dispose();
    const want = referenceGqaLogits(config, ckpt.weights, FAMILY_PROMPT).at(-1)!;
    const slim = host.build(gpu, { scheme: 'k-cache' });
    const slimOut = slim.prefill(FAMILY_PROMPT);
    const gotSlim = Float32Array.from(await slimOut.read());
    slimOut.dispose();
    slim.dispose();
    const r = await compareSchemes(gpu, host, { prompt: FAMILY_PROMPT, steps });
    return {
      slimScheme: host.spec.slimScheme,
      prefillMaxAbs: Math.max(rowGap(got, want), rowGap(gotSlim, want)),
      prefillScale: maxAbsOf(want),
      tokensIdentical: r.tokensIdentical,
      firstDivergence: r.firstDivergence,
      maxAbsLogitDiff: r.maxAbsLogitDiff,
      maxAbsLogit: r.maxAbsLogit,
      steps: r.standard.tokens.length,
      distinctTokens: new Set(r.standard.tokens).size,
      standardCacheBytes: r.standard.cacheBytes,
      slimCacheBytes: r.slim.cacheBytes,
      shape: host.spec.parsed.model,
      liveAfter: gpu.stats().liveTensors,
    };
  } finally {
    gpu.destroy();
  }
}

/** reference.json of a default model (written by the training script, float64). */
interface ModelReference {
  promptIds: number[];
  greedyIds: number[];
  /** Logits at the last prompt position. */
  lastLogits: number[];
  /** Per position of promptIds ++ greedyIds: argmax, max and logsumexp of the logits. */
  positions: { argmax: number; max: number; logsumexp: number }[];
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function logsumexp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, xs[i]);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i] - m);
  return m + Math.log(s);
}

/** Feeds ids one at a time; per position: argmax, max and logsumexp vs the reference, relative. */
async function positionChecks(
  host: HostModel,
  be: Backend,
  ref: ModelReference,
  options: Parameters<HostModel['build']>[1],
) {
  const ids = [...ref.promptIds, ...ref.greedyIds.slice(0, -1)];
  const model = host.build(be, options);
  let argmaxMismatches = 0;
  let worst = 0; // max over positions of |Δ| / max(|max|, max |logit|)
  try {
    for (const [i, id] of ids.entries()) {
      const out = i === 0 ? model.prefill([id]) : model.decode(id);
      const row = await out.read();
      out.dispose();
      const want = ref.positions[i];
      let best = 0;
      for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
      if (best !== want.argmax) argmaxMismatches++;
      const scale = Math.max(Math.abs(want.max), maxAbsOf(row));
      worst = Math.max(
        worst,
        Math.abs(row[best] - want.max) / scale,
        Math.abs(logsumexp(row) - want.logsumexp) / scale,
      );
    }
  } finally {
    model.dispose();
  }
  return { positions: ids.length, argmaxMismatches, worstRelative: worst };
}

/**
 * A default model (public/models/NAME, served by the build at /models/NAME/) loaded with the
 * real loader on WebGL: the last prompt position's logits, the greedy tokens and every
 * position's argmax / max / logsumexp against reference.json (float64), standard and slim with
 * the per-layer directions of the conditioning check; then standard vs slim for `steps` greedy
 * tokens on WebGL and on the float32 CPU backend, with their decode speeds.
 */
async function defaultModel(name: string, steps: number) {
  const base = `/models/${name}/`;
  const files = new Map<string, Uint8Array>();
  for (const f of ['config.json', 'model.safetensors']) files.set(f, await fetchBytes(base + f));
  const ref = JSON.parse(
    new TextDecoder().decode(await fetchBytes(base + 'reference.json')),
  ) as ModelReference;
  const opened = await openModel(files, name);
  const report = await checkModel(opened);
  const directions = report.map((r) => r.direction as LayerDirection);
  const host = await readModel(opened);
  const gpu = new WebGLBackend();
  const cpu = new CpuBackend({ dtype: 'float32' });
  try {
    const kv = host.build(gpu, { scheme: 'kv' });
    const run = await greedyDecode(kv, ref.promptIds, ref.greedyIds.length);
    kv.dispose();
    const lastLogitsMaxAbs = rowGap(run.logits[0], ref.lastLogits);
    const slimOptions = { scheme: 'k-cache' as const, decodeOrder: 'k-first' as const, directions };
    const positions = {
      standard: await positionChecks(host, gpu, ref, { scheme: 'kv' }),
      slim: await positionChecks(host, gpu, ref, slimOptions),
    };
    const compare = async (be: Backend) => {
      const r = await compareSchemes(be, host, { prompt: ref.promptIds, steps, directions });
      return {
        tokensIdentical: r.tokensIdentical,
        firstDivergence: r.firstDivergence,
        maxAbsLogitDiff: r.maxAbsLogitDiff,
        maxAbsLogit: r.maxAbsLogit,
        distinctTokens: new Set(r.standard.tokens).size,
        standardCacheBytes: r.standard.cacheBytes,
        slimCacheBytes: r.slim.cacheBytes,
        tokensPerSecond: { standard: r.standard.tokensPerSecond, slim: r.slim.tokensPerSecond },
      };
    };
    return {
      family: host.spec.family,
      directions,
      greedyIds: run.tokens,
      referenceGreedyIds: ref.greedyIds,
      lastLogitsMaxAbs,
      lastLogitsScale: maxAbsOf(ref.lastLogits),
      positions,
      webgl: await compare(gpu),
      cpu: await compare(cpu),
      liveAfter: gpu.stats().liveTensors,
    };
  } finally {
    gpu.destroy();
  }
}

/** Missing WebGL2 / EXT_color_buffer_float → CPU backend with a notice. */
function fallback() {
  return (['webgl2', 'EXT_color_buffer_float'] as const).map((simulateMissing) => {
    const choice = pickBackend('webgl', { simulateMissing });
    return {
      simulateMissing,
      kind: choice.kind,
      backendName: choice.backend.name,
      notice: choice.notice ?? '',
    };
  });
}

/** What 'auto' and 'webgl' pick on this (software-rendered) WebGL2, and why. */
function autoPick() {
  return (['auto', 'webgl'] as const).map((request) => {
    const choice = pickBackend(request);
    const out = { request, kind: choice.kind, reason: choice.reason };
    if (choice.backend instanceof WebGLBackend) choice.backend.destroy();
    return out;
  });
}

/** WEBGL_lose_context: the loss is reported, ops throw ContextLostError, the page stays alive. */
async function contextLoss() {
  const gpu = new WebGLBackend();
  let reported = false;
  gpu.onContextLost(() => (reported = true));
  const x = gpu.fromArray([1, 2, 3, 4, 5], [1, 5]);
  // Handled at once: the rejection must not surface as an unhandled error on the page.
  const pending = gpu
    .scale(x, 2)
    .read()
    .then(
      (v) => `resolved ${Array.from(v).join(',')}`,
      (e: unknown) => (e instanceof ContextLostError ? 'ContextLostError' : String(e)),
    );
  const lost = gpu.loseContext();
  // The loss event is dispatched asynchronously.
  for (let i = 0; i < 100 && !reported; i++) await new Promise((r) => setTimeout(r, 10));
  let opError = '';
  try {
    gpu.add(x, x);
  } catch (e) {
    opError = e instanceof ContextLostError ? 'ContextLostError' : String(e);
  }
  const readOutcome = await pending;
  // The read's pixel-pack buffer went back to its pool, whether the read finished or was rejected.
  const pooledReadbackBuffers = gpu.gpuStats().pooledReadbackBuffers;
  return { lost, reported, opError, readOutcome, flag: gpu.lost, pooledReadbackBuffers };
}

/**
 * An op whose draw throws (a kernel made faulty by the test hook) frees every texture it took:
 * live tensors before and after are equal, and the temporaries are back in the pool.
 */
function faultyDraws() {
  const rand = seededRandom(13);
  type Case = [string, string, [number, number], (be: WebGLBackend, x: Tensor) => Tensor];
  const row = (be: WebGLBackend, x: Tensor) => be.sliceRows(x, 0, 1);
  const probs = { heads: 2, scale: 0.5 };
  const cases: Case[] = [
    ['argmax', 'argmaxCombine', [4, 64], (be, x) => be.argmax(x)],
    ['attnProbs', 'softmaxApply', [64, 64], (be, x) => be.attnProbs(x, x, probs)],
    [
      'attnProbs (long rows)',
      'softmaxCombine',
      [3000, 8],
      (be, x) => be.attnProbs(row(be, x), x, probs),
    ],
    ['softmax', 'softmaxApply', [4, 64], (be, x) => be.softmax(x)],
    ['rmsNorm', 'normApply', [4, 64], (be, x) => be.rmsNorm(x, row(be, x), 1e-5)],
    [
      'rope',
      'rope',
      [4, 64],
      (be, x) => be.rope(x, { heads: 2, positionOffset: 3, pairing: 'half', base: 1e4 }),
    ],
    ['gather', 'gather', [4, 64], (be, x) => be.gather(x, [1, 2])],
    [
      'matmul (split-K)',
      'reduceSplits',
      [2, 1024],
      (be, x) => be.matmul(row(be, x), x, { transposeB: true }),
    ],
    [
      'linear with a norm (split-K)',
      'reduceSplits',
      [2, 1024],
      (be, x) =>
        be.linear(row(be, x), x, {
          transposeB: true,
          norm: { kind: 'rmsNorm', gamma: row(be, x), eps: 1e-5 },
        }),
    ],
    ['matmul (tiled)', 'unblockRows', [64, 64], (be, x) => be.matmul(x, x)],
    [
      'linear with a norm (tiled)',
      'matmulTiled',
      [64, 64],
      (be, x) => be.linear(x, x, { norm: { kind: 'rmsNorm', gamma: row(be, x), eps: 1e-5 } }),
    ],
    [
      'attention (scores drawn first)',
      'attnDecode',
      [3000, 8],
      (be, x) => be.attention(row(be, x), x, x, probs),
    ],
    ['concatCols', 'concat2', [4, 64], (be, x) => be.concatCols([x, x, x])],
  ];
  return cases.map(([op, faultyKernel, [rows, cols], f]) => {
    const gpu = new WebGLBackend({ faultyKernel, parallelTexels: 1 << 20 });
    const x = gpu.fromArray(randn(rand, rows * cols), [rows, cols]);
    const liveBefore = gpu.stats().liveTensors;
    let error = '';
    try {
      gpu.scope(() => f(gpu, x));
    } catch (e) {
      error = (e as Error).message;
    }
    const liveAfter = gpu.stats().liveTensors;
    gpu.destroy();
    return { op, faultyKernel, error, liveBefore, liveAfter };
  });
}

/** "ok", or the error's name and message. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** "resolved v0,v1,…", or the rejection's name and message. */
async function readOutcome(t: Tensor): Promise<string> {
  try {
    return `resolved ${Array.from(await t.read()).join(',')}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  } finally {
    t.dispose();
  }
}

/**
 * Edge cases where WebGL and the float32 CPU backend must agree: empty shapes, values that
 * overflow float32 at upload, and argmax over values an op upstream overflowed (the CPU op
 * throws at once; on WebGL the overflow reaches argmax, whose read() must refuse it).
 */
async function edgeCases() {
  // A 3000-wide row is 750 texels, reduced in 32-texel chunks (planners.ts chunkTexels): the bad
  // value at column 2500 sits in chunk 19, not the first.
  const gpu = new WebGLBackend();
  const cpu = new CpuBackend({ dtype: 'float32' });
  const both = (f: (be: Backend) => Tensor) => ({
    webgl: outcome(() => f(gpu).dispose()),
    cpu: outcome(() => f(cpu).dispose()),
  });
  const F32_MAX = 3.4028234663852886e38;
  const empty = {
    zeros: both((be) => be.zeros([0, 4])),
    zerosCols: both((be) => be.zeros([4, 0])),
    fromArray: both((be) => be.fromArray([], [0])),
  };
  const upload = {
    tooLarge: both((be) => be.fromArray([1, 1e39, 3], [1, 3])),
    tooSmall: both((be) => be.fromArray([-4e38], [1])),
    largest: both((be) => be.fromArray([F32_MAX, -F32_MAX], [1, 2])),
  };
  // Row 1, column 2500 holds 1e38: ×1e3 is +∞, ×(−1e3) is −∞, and +∞ + −∞ is NaN.
  const cols = 3000;
  const data = randn(seededRandom(21), 2 * cols);
  data[cols + 2500] = 1e38;
  const x = gpu.fromArray(data, [2, cols]);
  const finite = await readOutcome(gpu.argmax(x));
  const cpuX = cpu.fromArray(data, [2, cols]);
  const cpuFinite = await readOutcome(cpu.argmax(cpuX));
  const overflowed = {
    infinity: await readOutcome(gpu.argmax(gpu.scale(x, 1e3))),
    minusInfinity: await readOutcome(gpu.argmax(gpu.scale(x, -1e3))),
    nan: await readOutcome(gpu.argmax(gpu.add(gpu.scale(x, 1e3), gpu.scale(x, -1e3)))),
    cpu: outcome(() => cpu.argmax(cpu.scale(cpuX, 1e3))),
  };
  gpu.destroy();
  return { empty, upload, finite, cpuFinite, overflowed };
}

/** tfjs (WebGL backend) as an oracle for our matmul, in the same page. */
async function tfjsOracle() {
  await tf.setBackend('webgl');
  await tf.ready();
  const rand = seededRandom(99);
  const gpu = new WebGLBackend();
  const results = [];
  for (const [m, k, n] of [
    [1, 768, 768],
    [7, 50, 13],
    [64, 128, 96],
  ]) {
    const a = randn(rand, m * k);
    const b = randn(rand, k * n);
    const ta = tf.tensor2d(Float32Array.from(a), [m, k]);
    const tb = tf.tensor2d(Float32Array.from(b), [k, n]);
    const tc = tf.matMul(ta, tb);
    const ref = await tc.data();
    tf.dispose([ta, tb, tc]);
    const x = gpu.fromArray(a, [m, k]);
    const y = gpu.fromArray(b, [k, n]);
    const z = gpu.matmul(x, y);
    const ours = await z.read();
    for (const t of [x, y, z]) t.dispose();
    // Both accumulate in float32 in a different order: |Δ| ≤ 2·k·u·Σ|a||b| ≤ 2·k·u·k.
    let maxAbs = 0;
    for (let i = 0; i < ref.length; i++) maxAbs = Math.max(maxAbs, Math.abs(ref[i] - ours[i]));
    results.push({ shape: [m, k, n], maxAbs, bound: 2 * k * k * U32 });
  }
  return results;
}

/**
 * Which kernels each product shape runs (the fast paths are part of the contract): draws per
 * kernel for one op on a fresh backend.
 */
function kernelPaths(): Record<string, Record<string, number>> {
  const gpu = new WebGLBackend();
  const rand = seededRandom(11);
  const t = (r: number, c: number) => gpu.fromArray(randn(rand, r * c), [r, c]);
  const paths: Record<string, Record<string, number>> = {};
  const record = (name: string, f: () => Tensor): void => {
    const before = gpu.gpuStats().drawsByKernel;
    f().dispose();
    const after = gpu.gpuStats().drawsByKernel;
    paths[name] = Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
        .filter(([, v]) => v > 0),
    );
  };
  const v = (n: number) => gpu.fromArray(randn(rand, n), [n]);
  const x1 = t(1, 768);
  const x64 = t(64, 768);
  const w = t(768, 768);
  const h1 = t(1, 3072);
  const wProj = t(3072, 768);
  const k2048 = t(2048, 768);
  const k32 = t(32, 768);
  const p = gpu.attnProbs(x1, k2048, { heads: 12, scale: 0.125, causalOffset: 2047 });
  const u = gpu.matmul(p, k2048);
  const ln = (k: number) => ({ kind: 'layerNorm' as const, gamma: v(k), beta: v(k), eps: 1e-5 });
  const decode = (n: number) => ({ heads: 12, scale: 0.125, causalOffset: n - 1 });
  record('gemv 1×768·768', () => gpu.matmul(x1, w));
  record('gemv 1×3072·768', () => gpu.matmul(h1, wProj));
  record('matmul 64×768·768', () => gpu.matmul(x64, w));
  record('slim decode u = p·K (12×2048·768)', () => gpu.matmul(p, k2048));
  record('slim decode u·W_KV (12 heads, m = 1)', () => gpu.headBlockMatmul(u, w, 12));
  record('decode linear: LayerNorm, bias, GELU, residual (1×768·768)', () =>
    gpu.linear(x1, w, { norm: ln(768), bias: v(768), activation: 'gelu', residual: x1 }),
  );
  record('decode linear with LayerNorm, split (1×3072·768)', () =>
    gpu.linear(h1, wProj, { norm: ln(3072), residual: x1 }),
  );
  record('prefill linear with LayerNorm (64×768·768)', () =>
    gpu.linear(x64, w, { norm: ln(768), residual: x64 }),
  );
  record('decode attention (12 heads, n = 32)', () => gpu.attention(x1, k32, k32, decode(32)));
  record('decode attention (12 heads, n = 2048)', () =>
    gpu.attention(x1, k2048, k2048, decode(2048)),
  );
  record('decode attention, values all (12 heads, n = 2048)', () =>
    gpu.attention(x1, k2048, k2048, { ...decode(2048), values: 'all' }),
  );
  record('decode gated linear: RMSNorm, SiLU, times, residual (1×768·768ᵀ)', () =>
    gpu.linear(x1, w, {
      transposeB: true,
      norm: { kind: 'rmsNorm', gamma: v(768), eps: 1e-6 },
      activation: 'silu',
      times: { weight: w },
      residual: x1,
    }),
  );
  record('column view (no draw)', () => gpu.colsView(x1, 256, 512));
  gpu.destroy();
  return paths;
}

/** Draws of each decode step (model.decode, then the greedy argmax, as greedyDecode runs them). */
async function stepDraws(
  gpu: WebGLBackend,
  model: { prefill(ids: readonly number[]): Tensor } & Parameters<typeof greedyDecode>[0],
  prompt: readonly number[],
  steps: number,
): Promise<{ perStep: number[]; lastStepKernels: Record<string, number> }> {
  const perStep: number[] = [];
  let last = gpu.stats().draws ?? 0;
  let kernels = gpu.gpuStats().drawsByKernel;
  let lastStepKernels: Record<string, number> = {};
  await greedyDecode(model, prompt, steps, {
    onStep: (done) => {
      const now = gpu.stats().draws ?? 0;
      const byKernel = gpu.gpuStats().drawsByKernel;
      // Step 1 follows the prefill: only steps 2… are one decode and one argmax each.
      if (done > 1) {
        perStep.push(now - last);
        lastStepKernels = Object.fromEntries(
          Object.entries(byKernel)
            .map(([k, v]) => [k, v - (kernels[k] ?? 0)] as const)
            .filter(([, v]) => v > 0),
        );
      }
      last = now;
      kernels = byKernel;
    },
  });
  return { perStep, lastStepKernels };
}

interface DrawCount {
  /** Draws of each decode step, model.decode plus the greedy argmax. */
  perStep: number[];
  max: number;
  /** Draws per kernel of the last step. */
  lastStepKernels: Record<string, number>;
}

const drawCount = (r: { perStep: number[]; lastStepKernels: Record<string, number> }) => ({
  ...r,
  max: Math.max(...r.perStep),
});

/**
 * WebGL draws per decoded token (model.decode + argmax) of a default model (moby-gpt2 or
 * moby-llama), standard and slim (k-first, every layer K-cache; v-first; and the directions
 * `slim check` picks), over `steps` greedy steps after its reference prompt (n from 16 to
 * 15 + steps).
 */
async function mobyDraws(steps: number, name = 'moby-gpt2'): Promise<Record<string, DrawCount>> {
  const base = `/models/${name}/`;
  const files = new Map<string, Uint8Array>();
  for (const f of ['config.json', 'model.safetensors']) files.set(f, await fetchBytes(base + f));
  const ref = JSON.parse(
    new TextDecoder().decode(await fetchBytes(base + 'reference.json')),
  ) as ModelReference;
  const opened = await openModel(files, name);
  const directions = (await checkModel(opened)).map((r) => r.direction as LayerDirection);
  const host = await readModel(opened);
  const gpu = new WebGLBackend();
  const out: Record<string, DrawCount> = {};
  try {
    for (const [name, options] of [
      ['standard', { scheme: 'kv' }],
      ['slim', { scheme: 'k-cache', decodeOrder: 'k-first' }],
      ['slim v-first', { scheme: 'k-cache', decodeOrder: 'v-first' }],
      ['slim (checked directions)', { scheme: 'k-cache', decodeOrder: 'k-first', directions }],
    ] as [string, Parameters<HostModel['build']>[1]][]) {
      const model = host.build(gpu, options);
      try {
        out[name] = drawCount(await stepDraws(gpu, model, ref.promptIds, steps));
      } finally {
        model.dispose();
      }
    }
    return out;
  } finally {
    gpu.destroy();
  }
}

/**
 * Draws per decoded token of GPT-2-small shapes (d 768, 12 heads, vocab 50257) with 1 and 2
 * layers (random weights), after a `prompt`-token prefill: the per-layer and fixed draws, from
 * which 12 layers follow (draws are linear in the layer count: each block runs the same ops).
 */
async function gpt2SmallDraws(prompt: number, steps: number) {
  const gpu = new WebGLBackend();
  const ids = Array.from({ length: prompt }, (_, i) => (i * 7919) % GPT2_SMALL.vocabSize);
  const out: Record<string, { layers1: DrawCount; layers2: DrawCount; layers12: number }> = {};
  try {
    const byLayers: Record<number, Record<string, DrawCount>> = {};
    // One set of random weights (38M of them in the embedding alone) for both depths: the
    // 1-layer model reads the 2-layer set's first block and ignores the second.
    const weights = randomGpt2Weights({ ...GPT2_SMALL, layers: 2 }, 9, 'float32');
    for (const layers of [1, 2]) {
      const config = { ...GPT2_SMALL, layers };
      byLayers[layers] = {};
      for (const [name, options] of [
        ['standard', { scheme: 'kv' }],
        ['slim', { scheme: 'k-cache', decodeOrder: 'k-first' }],
      ] as [string, DecoderOptions][]) {
        const model = new Gpt2Model(gpu, config, weights, options);
        try {
          byLayers[layers][name] = drawCount(await stepDraws(gpu, model, ids, steps));
        } finally {
          model.dispose();
        }
      }
    }
    for (const name of ['standard', 'slim']) {
      const [one, two] = [byLayers[1][name], byLayers[2][name]];
      const perLayer = two.perStep.at(-1)! - one.perStep.at(-1)!;
      out[name] = {
        layers1: one,
        layers2: two,
        layers12: one.perStep.at(-1)! - perLayer + 12 * perLayer,
      };
    }
    return out;
  } finally {
    gpu.destroy();
  }
}

const harness = {
  crossParity,
  mobyDraws,
  gpt2SmallDraws,
  kernelPaths,
  kernelChecks,
  limitChecks,
  modelParity,
  schemeComparison,
  familyComparison,
  gqaComparison,
  defaultModel,
  fallback,
  autoPick,
  contextLoss,
  faultyDraws,
  edgeCases,
  tfjsOracle,
};
declare global {
  interface Window {
    webglHarness: typeof harness;
  }
}
window.webglHarness = harness;
document.getElementById('status')!.textContent = 'ready';
