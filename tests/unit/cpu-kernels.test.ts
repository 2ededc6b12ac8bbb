/**
 * The float32 CPU backend's fast products (engine/cpu/kernels.ts): the WebAssembly SIMD kernels
 * and the TypeScript fallback, each against the float64 reference backend (the plain loops) on
 * random shapes (odd sizes, k = 1, m > 1), with transposeB, bias and GELU/SiLU, the block
 * products of all heads and the attention scores; the two paths against each other; the
 * fallback when WebAssembly cannot run or its memory cannot grow; the WebAssembly copies of the
 * operands (written through by writeRows, freed on dispose); the allocator; exact leak counts.
 */
import { describe, expect, it } from 'vitest';
import type { LinearActivation } from '../../engine/backend';
import { CpuBackend, readSync } from '../../engine/cpu';
import type { CpuTensor } from '../../engine/cpu/tensor';
import { jsKernels } from '../../engine/cpu/jsKernels';
import { WasmHeap } from '../../engine/cpu/wasm/heap';
import { createWasmKernels, kernelBytes, WasmKernels } from '../../engine/cpu/wasm/wasmKernels';
import type { Tensor } from '../../engine/tensor';
import { gaussian, rng } from './attention-fixtures';

const f64 = new CpuBackend({ dtype: 'float64' });
const wasm = new CpuBackend({ dtype: 'float32' });
const js = new CpuBackend({ dtype: 'float32', kernels: 'js' });
const FAST = [wasm, js] as const;

/** float32's unit roundoff. */
const U = 2 ** -24;

function randomArray(seed: number, n: number, scale = 1): Float32Array {
  const normal = gaussian(rng(seed));
  return Float32Array.from({ length: n }, () => scale * normal());
}

/** The same values on a float32 backend and on the float64 reference. */
function pair(be: CpuBackend, data: Float32Array, shape: number[]): [Tensor, Tensor] {
  return [be.fromArray(data, shape), f64.fromArray(data, shape)];
}

/**
 * |fast − reference| ≤ (k + 4)·u·magnitude + 8u·|reference| (+ a tiny absolute floor), element by
 * element: the classical bound of a float32 dot product of length k, where `magnitude` is
 * Σ_p |a_ip·b_pj| (+ |bias_j|), plus a few roundings of the epilogue.
 */
function expectWithinBound(
  fast: ArrayLike<number>,
  ref: ArrayLike<number>,
  magnitude: ArrayLike<number>,
  k: number,
  what: string,
): void {
  expect(fast.length, what).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const bound = (k + 4) * U * magnitude[i] + 8 * U * Math.abs(ref[i]) + 1e-30;
    const err = Math.abs(fast[i] - ref[i]);
    if (!(err <= bound)) {
      expect.fail(`${what}: index ${i}: ${fast[i]} vs ${ref[i]} (|Δ| ${err} > ${bound})`);
    }
  }
}

/** Σ_p |a_ip|·|b_pj| (+ |bias_j|): the magnitude of each product entry, in float64. */
function magnitudes(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transposeB: boolean,
  bias?: Float32Array,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? Math.abs(bias[j]) : 0;
      for (let p = 0; p < k; p++)
        s += Math.abs(a[i * k + p] * (transposeB ? b[j * k + p] : b[p * n + j]));
      out[i * n + j] = s;
    }
  return out;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 7],
  [1, 3, 5],
  [1, 17, 33],
  [1, 64, 70],
  [1, 128, 100],
  [2, 5, 9],
  [3, 16, 4],
  [4, 7, 8],
  [5, 33, 31],
  [9, 12, 37],
  [8, 1, 3],
];

describe.each(FAST)('float32 products ($kernels) against the float64 reference', (be) => {
  it('matmul and a·bᵀ on odd shapes (n not a multiple of 4 or 32, k = 1, m > 1)', () => {
    for (const [s, [m, k, n]] of SHAPES.entries()) {
      const a = randomArray(100 + s, m * k);
      const b = randomArray(200 + s, k * n);
      for (const transposeB of [false, true]) {
        const [A, A64] = pair(be, a, [m, k]);
        const [B, B64] = pair(be, b, transposeB ? [n, k] : [k, n]);
        const fast = readSync(be.matmul(A, B, { transposeB }));
        const ref = readSync(f64.matmul(A64, B64, { transposeB }));
        const mag = magnitudes(a, b, m, k, n, transposeB);
        expectWithinBound(fast, ref, mag, k, `[${m}, ${k}]·[${k}, ${n}] transposeB ${transposeB}`);
      }
    }
  });

  it('linear: bias ([n] or [1, n]) and GELU / SiLU fused, against matmul, bias, activation', () => {
    const acts: LinearActivation[] = ['none', 'gelu', 'silu'];
    for (const [s, [m, k, n]] of SHAPES.entries()) {
      const a = randomArray(300 + s, m * k);
      const b = randomArray(400 + s, k * n, 0.5);
      const bias = randomArray(500 + s, n);
      const [A, A64] = pair(be, a, [m, k]);
      const [B, B64] = pair(be, b, [k, n]);
      const biasShape = s % 2 ? [n] : [1, n];
      const [bi, bi64] = pair(be, bias, biasShape);
      const mag = magnitudes(a, b, m, k, n, false, bias);
      for (const activation of acts) {
        const fast = readSync(be.linear(A, B, { bias: bi, activation }));
        const ref = readSync(f64.linear(A64, B64, { bias: bi64, activation }));
        // GELU and SiLU have slopes ≤ 1.13 and ≤ 1.1: the product's error passes through
        // scaled by at most 1.13; their own evaluation adds a few roundings.
        const scaled = mag.map((v) => 1.13 * v);
        expectWithinBound(fast, ref, scaled, k + 4, `[${m}, ${k}]·[${k}, ${n}] ${activation}`);
      }
      // transposeB with a bias: the tied head with a bias, as a linear.
      const [BT, BT64] = pair(be, b, [n, k]);
      expectWithinBound(
        readSync(be.linear(A, BT, { bias: bi, transposeB: true, activation: 'gelu' })),
        readSync(f64.linear(A64, BT64, { bias: bi64, transposeB: true, activation: 'gelu' })),
        magnitudes(a, b, m, k, n, true, bias).map((v) => 1.13 * v),
        k + 4,
        `[${m}, ${k}]·[${n}, ${k}]ᵀ gelu`,
      );
    }
  });

  it('the activations over a dense range, wide inputs included', () => {
    const x = new Float32Array(4001).map((_, i) => Math.fround(-30 + (60 * i) / 4000));
    const X = be.fromArray(x, [x.length, 1]);
    const X64 = f64.fromArray(x, [x.length, 1]);
    for (const activation of ['gelu', 'silu'] as const) {
      const fast = readSync(be.linear(X, be.fromArray([1], [1, 1]), { activation }));
      const ref = readSync(f64.linear(X64, f64.fromArray([1], [1, 1]), { activation }));
      for (let i = 0; i < x.length; i++) {
        // Both are v·sigmoid(z) (GELU: z = 2·√(2/π)·(v + 0.044715·v³); SiLU: z = v), z formed
        // in float32: its rounding (a few units of |z|) moves sigmoid by s(1 − s)·δz, so the
        // error is a few units of |value|·(1 + |z|). The reference's tanh form cancels for
        // z ≪ 0 (1 + tanh(z/2) in float64): its own error is up to |v|·2⁻⁵².
        const v = x[i];
        const z = activation === 'gelu' ? 2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3) : v;
        const tol = 8 * U * Math.abs(ref[i]) * (1 + Math.abs(z)) + Math.abs(v) * 2 ** -52;
        expect(Math.abs(fast[i] - ref[i]), `${activation}(${v})`).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('headBlockMatmul and attnWeightedSum: one product for all heads', () => {
    for (const [s, [heads, m, k, width]] of [
      [1, 1, 5, 3],
      [3, 1, 17, 5],
      [4, 2, 33, 8],
      [4, 5, 12, 9],
      [12, 1, 64, 64],
      [2, 3, 1, 4],
    ].entries()) {
      const u = randomArray(600 + s, heads * m * k);
      const w = randomArray(700 + s, k * heads * width);
      const [U32, U64] = pair(be, u, [heads * m, k]);
      const [W32, W64] = pair(be, w, [k, heads * width]);
      const fast = readSync(be.headBlockMatmul(U32, W32, heads));
      const ref = readSync(f64.headBlockMatmul(U64, W64, heads));
      const mag = new Float64Array(m * heads * width);
      for (let h = 0; h < heads; h++)
        for (let r = 0; r < m; r++)
          for (let j = 0; j < width; j++) {
            let sum = 0;
            for (let p = 0; p < k; p++)
              sum += Math.abs(u[(h * m + r) * k + p] * w[p * heads * width + h * width + j]);
            mag[r * heads * width + h * width + j] = sum;
          }
      expectWithinBound(fast, ref, mag, k, `headBlockMatmul heads ${heads} m ${m} k ${k}`);
      // attnWeightedSum is the same product, p [heads·m, n] · v [n, heads·d_v].
      const p = u.map(Math.abs);
      const [P32, P64] = pair(be, p, [heads * m, k]);
      expectWithinBound(
        readSync(be.attnWeightedSum(P32, W32, heads)),
        readSync(f64.attnWeightedSum(P64, W64, heads)),
        mag,
        k,
        `attnWeightedSum heads ${heads}`,
      );
    }
  });

  it('attnProbs: scores of every head, causal mask, softmax', () => {
    for (const [s, [heads, m, n, dk, offset]] of [
      [1, 1, 1, 1, 0],
      [4, 1, 9, 32, 8],
      [3, 4, 4, 5, 0],
      [2, 3, 7, 3, 4],
      [4, 2, 6, 8, -1],
      [2, 1, 300, 16, 299],
      [3, 5, 260, 24, 255],
    ].entries()) {
      const [Q, Q64] = pair(be, randomArray(800 + s, m * heads * dk), [m, heads * dk]);
      const [K, K64] = pair(be, randomArray(900 + s, n * heads * dk), [n, heads * dk]);
      const options = {
        heads,
        scale: 1 / Math.sqrt(dk),
        causalOffset: offset < 0 ? undefined : offset,
      };
      const fast = readSync(be.attnProbs(Q, K, options));
      const ref = readSync(f64.attnProbs(Q64, K64, options));
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs(fast[i] - ref[i]), `index ${i}`).toBeLessThanOrEqual(1e-6);
        if (ref[i] === 0) expect(fast[i]).toBe(0); // masked stays exactly 0
      }
    }
  });
});

describe.each(FAST)('float32 fused ops in one pass ($kernels)', (be) => {
  const [m, k, n] = [3, 20, 13];
  it('linear with a norm and a residual equals the ops one after the other, exactly', () => {
    const A = be.fromArray(randomArray(1800, m * k), [m, k]);
    const W = be.fromArray(randomArray(1801, k * n, 0.3), [k, n]);
    const bias = be.fromArray(randomArray(1802, n), [n]);
    const R = be.fromArray(randomArray(1803, m * n), [m, n]);
    const g = be.fromArray(randomArray(1804, k), [k]);
    const beta = be.fromArray(randomArray(1805, k), [k]);
    const live = be.stats().liveTensors;
    for (const norm of [
      { kind: 'layerNorm' as const, gamma: g, beta, eps: 1e-5 },
      { kind: 'rmsNorm' as const, gamma: g, eps: 1e-6 },
      undefined,
    ]) {
      for (const residual of [R, undefined]) {
        const fused = readSync(be.linear(A, W, { bias, activation: 'gelu', norm, residual }));
        const x =
          norm?.kind === 'layerNorm'
            ? be.layerNorm(A, g, beta, norm.eps)
            : norm
              ? be.rmsNorm(A, g, norm.eps)
              : A;
        const y = be.linear(x, W, { bias, activation: 'gelu' });
        const composed = readSync(residual ? be.add(y, residual) : y);
        expect(Array.from(fused), `${norm?.kind} residual ${!!residual}`).toEqual(
          Array.from(composed),
        );
      }
    }
    expect(be.stats().liveTensors).toBeGreaterThan(live); // results only; no temporaries:
    const before = be.stats();
    be.scope(() => {
      be.linear(A, W, { norm: { kind: 'rmsNorm', gamma: g, eps: 1e-6 }, residual: R });
    });
    expect(be.stats()).toEqual(before);
  });

  it('its overflow and norm errors name the op of the composition', () => {
    const A = be.fromArray([1e30, 1e30, 2, 2], [2, 2]);
    const W = be.fromArray([1e10, 0, 0, 1], [2, 2]);
    const R = be.fromArray([3e38, 0, 0, 0], [2, 2]);
    expect(() => be.linear(A, W, { residual: be.zeros([2, 2]) })).toThrow(
      /^linear: result is Infinity at row 0, column 0/,
    );
    expect(() =>
      be.linear(be.fromArray([3e38, 0, 0, 0], [2, 2]), be.fromArray([1, 0, 0, 1], [2, 2]), {
        residual: R,
      }),
    ).toThrow(/^add: result is Infinity at row 0, column 0/);
    const one = be.fromArray([1, 1], [2]);
    expect(() =>
      be.linear(be.fromArray([1, 2, 3, 3], [2, 2]), W, {
        norm: { kind: 'layerNorm', gamma: one, beta: one, eps: 0 },
      }),
    ).toThrow(/^layerNorm: row 1 is constant \(variance 0\) and eps is 0/);
  });

  it('attention equals attnProbs then the weighted sum (or p · v), exactly', () => {
    const [heads, dk, mq, nk] = [3, 4, 2, 7];
    const Q = be.fromArray(randomArray(1900, mq * heads * dk), [mq, heads * dk]);
    const K = be.fromArray(randomArray(1901, nk * heads * dk), [nk, heads * dk]);
    const V = be.fromArray(randomArray(1902, nk * heads * dk), [nk, heads * dk]);
    const W = be.fromArray(randomArray(1903, nk * 5), [nk, 5]);
    for (const causalOffset of [undefined, 0, nk - mq]) {
      const options = { heads, scale: 0.4, causalOffset };
      const p = be.attnProbs(Q, K, options);
      expect(Array.from(readSync(be.attention(Q, K, V, options)))).toEqual(
        Array.from(readSync(be.attnWeightedSum(p, V, heads))),
      );
      expect(Array.from(readSync(be.attention(Q, K, W, { ...options, values: 'all' })))).toEqual(
        Array.from(readSync(be.matmul(p, W))),
      );
    }
    // Multi-query: every query head reads the one key/value head in place.
    const K1 = be.fromArray(randomArray(1904, nk * dk), [nk, dk]);
    const V1 = be.fromArray(randomArray(1905, nk * dk), [nk, dk]);
    const options = { heads, scale: 0.4, causalOffset: nk - mq, kvHeads: 1 };
    const p1 = be.attnProbs(Q, K1, options);
    expect(Array.from(readSync(be.attention(Q, K1, V1, options)))).toEqual(
      Array.from(readSync(be.attnWeightedSum(p1, V1, heads, 1))),
    );
  });
});

describe('WebAssembly SIMD and the TypeScript fallback', () => {
  it('the default float32 backend runs WebAssembly SIMD; float64 keeps the reference loops', () => {
    expect(wasm.kernels).toBe('wasm-simd');
    expect(js.kernels).toBe('js');
    expect(f64.kernels).toBe('reference');
    expect(() => new CpuBackend({ dtype: 'float32', kernels: 'gpu' as 'js' })).toThrow(
      /kernels must be 'auto' or 'js', got gpu/,
    );
  });

  it('agree within float32 rounding on the shapes of a GPT-2 step', () => {
    for (const [s, [m, k, n, transposeB]] of [
      [1, 128, 384, false],
      [1, 512, 128, false],
      [1, 128, 1024, true],
      [8, 128, 512, false],
      [3, 768, 100, false],
    ].entries() as IterableIterator<[number, [number, number, number, boolean]]>) {
      const a = randomArray(1000 + s, m * k);
      const b = randomArray(1100 + s, k * n, 0.1);
      const bias = randomArray(1200 + s, n, 0.1);
      const run = (be: CpuBackend) =>
        readSync(
          be.linear(be.fromArray(a, [m, k]), be.fromArray(b, transposeB ? [n, k] : [k, n]), {
            transposeB,
            bias: be.fromArray(bias, [n]),
            activation: 'gelu',
          }),
        );
      const mag = magnitudes(a, b, m, k, n, transposeB, bias).map((v) => 2 * 1.13 * v);
      expectWithinBound(run(wasm), run(js), mag, k + 4, `[${m}, ${k}]·[${k}, ${n}]`);
    }
  });

  it('a module that fails to compile gives no kernels, and the backend falls back', () => {
    const broken = kernelBytes().slice(0, 40);
    expect(createWasmKernels({ bytes: broken })).toBeNull();
    expect(createWasmKernels({ bytes: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) })).toBeNull();
    expect(createWasmKernels()).toBeInstanceOf(WasmKernels);
    const be = new CpuBackend({ dtype: 'float32', kernels: jsKernels });
    expect(be.kernels).toBe('js');
  });

  it('a memory that cannot grow runs the call on the TypeScript kernels, same result', () => {
    const small = createWasmKernels({ maxMemoryBytes: 2 * 65536 }) as WasmKernels;
    const be = new CpuBackend({ dtype: 'float32', kernels: small });
    const a = randomArray(1300, 4 * 64);
    const fits = randomArray(1301, 64 * 16); // 4 kB: copied into the module's memory
    const big = randomArray(1302, 64 * 4096); // 1 MB: does not fit in 128 kB
    const A = be.fromArray(a, [4, 64]);
    const viaWasm = readSync(be.matmul(A, be.fromArray(fits, [64, 16])));
    expect(small.fallbacks).toBe(0);
    const viaJs = readSync(be.matmul(A, be.fromArray(big, [64, 4096])));
    expect(small.fallbacks).toBe(1);
    expect(Array.from(viaWasm)).toEqual(
      Array.from(readSync(wasm.matmul(wasm.fromArray(a, [4, 64]), wasm.fromArray(fits, [64, 16])))),
    );
    expect(Array.from(viaJs)).toEqual(
      Array.from(readSync(js.matmul(js.fromArray(a, [4, 64]), js.fromArray(big, [64, 4096])))),
    );
  });
});

describe('copies of the operands in WebAssembly memory', () => {
  it('writeRows writes through to the copy of a cache; views read it; dispose frees it', () => {
    const kernels = createWasmKernels() as WasmKernels;
    const be = new CpuBackend({ dtype: 'float32', kernels });
    const used0 = kernels.memoryStats().usedBytes;
    const cache = be.zeros([8, 6]);
    const p = be.fromArray(randomArray(1400, 2 * 3), [2, 3]);
    const rowsOf = (seed: number, r: number) => be.fromArray(randomArray(seed, r * 6), [r, 6]);
    be.writeRows(cache, 0, rowsOf(1401, 3));
    const first = readSync(be.matmul(p, be.rowsView(cache, 3))); // copies the cache
    const usedWithCopy = kernels.memoryStats().usedBytes;
    expect(usedWithCopy).toBeGreaterThan(used0);
    be.writeRows(cache, 1, rowsOf(1402, 2)); // overwrite rows 1–2: the copy must follow
    const second = readSync(be.matmul(p, be.rowsView(cache, 3)));
    const ref = readSync(
      js.matmul(
        js.fromArray(readSync(p), [2, 3]),
        js.fromArray(readSync(cache).slice(0, 18), [3, 6]),
      ),
    );
    expect(Array.from(second)).not.toEqual(Array.from(first));
    expectWithinBound(
      second,
      ref,
      ref.map(() => 10),
      3,
      'after writeRows',
    );
    // The copy of a weight is made once and reused: a second product allocates nothing more.
    const w = be.fromArray(randomArray(1403, 6 * 5), [6, 5]);
    const x = be.fromArray(randomArray(1404, 6), [1, 6]);
    be.matmul(x, w).dispose();
    const withW = kernels.memoryStats().usedBytes;
    be.matmul(x, w).dispose();
    expect(kernels.memoryStats().usedBytes).toBe(withW);
    w.dispose();
    cache.dispose();
    expect(kernels.memoryStats().usedBytes).toBeLessThan(usedWithCopy);
  });

  it('an uploaded weight is stored once, in the module memory, and survives its growth', () => {
    const kernels = createWasmKernels() as WasmKernels;
    const be = new CpuBackend({ dtype: 'float32', kernels });
    const used0 = kernels.memoryStats().usedBytes;
    const values = randomArray(1405, 64 * 256);
    const w = be.fromArray(values, [64, 256]) as CpuTensor;
    // Stored in the module's memory (no JavaScript array beside it), its exact bytes.
    expect(w.heap).toBeDefined();
    expect(kernels.memoryStats().usedBytes - used0).toBe(64 * 256 * 4);
    const x = be.fromArray(randomArray(1406, 3 * 64), [3, 64]);
    const ref = readSync(
      js.matmul(js.fromArray(readSync(x), [3, 64]), js.fromArray(values, [64, 256])),
    );
    const first = readSync(be.matmul(x, w));
    expectWithinBound(
      first,
      ref,
      ref.map(() => 10),
      64,
      'stored weight',
    );
    // A product with it copies nothing: only the per-call space is added, once.
    const withScratch = kernels.memoryStats().usedBytes;
    be.matmul(x, w).dispose();
    expect(kernels.memoryStats().usedBytes).toBe(withScratch);
    // Growing the memory detaches every view of it: the weight and a view of its rows still read.
    const view = be.rowsView(w, 2);
    const big = be.fromArray(randomArray(1407, 1 << 22), [1024, 4096]);
    expect(kernels.memoryStats().memoryBytes).toBeGreaterThan(16 << 20);
    expect(Array.from(readSync(w))).toEqual(Array.from(Float32Array.from(values)));
    expect(Array.from(readSync(view))).toEqual(Array.from(Float32Array.from(values.slice(0, 512))));
    expect(Array.from(readSync(be.matmul(x, w)))).toEqual(Array.from(first));
    big.dispose();
    w.dispose();
    expect(kernels.memoryStats().usedBytes).toBe(withScratch - 64 * 256 * 4);
  });

  it('a large zeros tensor (a cache) lives in the module memory only: zeroed, written in place, read with no copy', () => {
    const kernels = createWasmKernels() as WasmKernels;
    const be = new CpuBackend({ dtype: 'float32', kernels });
    // A freed block full of values: the cache that takes its place must still start at zero.
    be.fromArray(randomArray(1420, 128 * 128), [128, 128]).dispose();
    const used0 = kernels.memoryStats().usedBytes;
    const cache = be.zeros([128, 128]) as CpuTensor;
    expect(cache.heap).toBeDefined();
    expect(kernels.memoryStats().usedBytes - used0).toBe(128 * 128 * 4);
    expect(readSync(cache).every((v) => v === 0)).toBe(true);
    const rows = randomArray(1421, 5 * 128);
    be.writeRows(cache, 0, be.fromArray(rows, [5, 128]));
    const q = randomArray(1422, 2 * 128);
    const k = be.rowsView(cache, 5);
    const options = { heads: 4, scale: 0.125, causalOffset: 3 };
    const first = readSync(be.attnProbs(be.fromArray(q, [2, 128]), k, options));
    const ref = readSync(
      js.attnProbs(js.fromArray(q, [2, 128]), js.fromArray(rows, [5, 128]), options),
    );
    first.forEach((p, i) => expect(Math.abs(p - ref[i])).toBeLessThanOrEqual(1e-6));
    // Read where it is: a second call adds no copy of it.
    const withScratch = kernels.memoryStats().usedBytes;
    be.attnProbs(be.fromArray(q, [2, 128]), k, options).dispose();
    expect(kernels.memoryStats().usedBytes).toBe(withScratch);
    // Growing the memory detaches every view: the cache and its rows view still read.
    const big = be.fromArray(randomArray(1423, 1 << 22), [1024, 4096]);
    be.writeRows(cache, 5, be.fromArray(rows.subarray(0, 128), [1, 128]));
    expect(Array.from(readSync(k))).toEqual(Array.from(rows));
    expect(Array.from(readSync(be.rowsView(cache, 6)).subarray(640))).toEqual(
      Array.from(rows.subarray(0, 128)),
    );
    big.dispose();
    cache.dispose();
    expect(kernels.memoryStats().usedBytes).toBe(withScratch - 128 * 128 * 4);
  });

  it('a call that runs on the TypeScript kernels reads a stored weight', () => {
    // 6 pages: the stored weight (64 kB) and the bias copy fit; the call's space does not, so
    // it runs on the TypeScript kernels, after the bias copy may have grown the memory.
    const small = createWasmKernels({ maxMemoryBytes: 6 * 65536 }) as WasmKernels;
    const be = new CpuBackend({ dtype: 'float32', kernels: small });
    const values = randomArray(1408, 64 * 256);
    const bias = randomArray(1409, 256);
    const a = randomArray(1410, 600 * 64);
    const w = be.fromArray(values, [64, 256]) as CpuTensor;
    expect(w.heap).toBeDefined();
    const out = readSync(
      be.linear(be.fromArray(a, [600, 64]), w, { bias: be.fromArray(bias, [256]) }),
    );
    expect(small.fallbacks).toBe(1);
    const ref = readSync(
      js.linear(js.fromArray(a, [600, 64]), js.fromArray(values, [64, 256]), {
        bias: js.fromArray(bias, [256]),
      }),
    );
    expect(Array.from(out)).toEqual(Array.from(ref));
  });

  it('a bias copied to the lowest free address still applies', () => {
    // Regression: an empty memory's first block was handed out at address 0, which the kernels
    // read as "no bias"; it showed once a second model reused a backend. Here the hole a small
    // disposed weight leaves at the bottom takes the next small copy, the bias.
    const be = new CpuBackend({ dtype: 'float32' });
    const x = be.fromArray(randomArray(1700, 3 * 40), [3, 40]);
    const small = be.fromArray(randomArray(1701, 40), [40, 1]);
    be.matmul(x, small).dispose(); // copies `small` first, at the bottom
    small.dispose();
    const w = be.fromArray(randomArray(1702, 40 * 24), [40, 24]);
    const bias = be.fromArray(randomArray(1703, 24), [24]);
    const y = readSync(be.linear(x, w, { bias, activation: 'silu' }));
    const ref = readSync(
      js.linear(js.fromArray(readSync(x), [3, 40]), js.fromArray(readSync(w), [40, 24]), {
        bias: js.fromArray(readSync(bias), [24]),
        activation: 'silu',
      }),
    );
    for (let j = 0; j < ref.length; j++) expect(y[j]).toBeCloseTo(ref[j], 5);
  });

  it('stats() counts live tensors and bytes exactly through a decode-like loop', () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const w = be.keep(be.fromArray(randomArray(1500, 16 * 48), [16, 48]));
    const bias = be.keep(be.fromArray(randomArray(1501, 48), [48]));
    const cache = be.keep(be.zeros([32, 16]));
    const before = be.stats();
    for (let t = 0; t < 20; t++) {
      be.scope(() => {
        const x = be.fromArray(randomArray(1502 + t, 16), [1, 16]);
        const y = be.linear(x, w, { bias, activation: 'gelu' });
        be.writeRows(cache, t, be.sliceCols(y, 0, 16));
        const probs = be.attnProbs(x, be.rowsView(cache, t + 1), { heads: 4, scale: 0.5 });
        be.attnWeightedSum(probs, be.rowsView(cache, t + 1), 4);
      });
    }
    expect(be.stats()).toEqual(before);
    const y = be.add(w, w);
    expect(be.stats().liveTensors).toBe(before.liveTensors + 1);
    expect(be.stats().liveBytes).toBe(before.liveBytes + 16 * 48 * 4);
    y.dispose();
    be.dispose(); // empties the pool; the backend stays usable, its tensors alive
    expect(be.stats()).toEqual(before);
    expect(readSync(be.matmul(be.fromArray(randomArray(1600, 16), [1, 16]), w)).length).toBe(48);
  });

  it('a pooled array comes back zeroed where an op relies on zeros', () => {
    const be = new CpuBackend({ dtype: 'float32' });
    be.fromArray([1, 2, 3, 4, 5, 6], [2, 3]).dispose();
    expect(Array.from(readSync(be.zeros([2, 3])))).toEqual([0, 0, 0, 0, 0, 0]);
    be.fromArray([1, 2, 3, 4], [4]).dispose();
    const causal = be.softmax(be.fromArray([1, 2, 3, 4], [2, 2]), { causalOffset: 0 });
    expect(readSync(causal)[1]).toBe(0);
  });
});

describe('WasmHeap', () => {
  it('never hands out an address below the heap base, or 0, even from a memory of no pages', () => {
    // The kernels' module has no static data: its memory starts empty and its heap base (1024)
    // lies beyond the end. Address 0 means "no bias" to the kernels.
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 0 }), 1024);
    const blocks = [heap.alloc(16), heap.alloc(70000), heap.alloc(16)] as number[];
    expect(blocks[0]).toBe(1024);
    for (const b of blocks) heap.free(b);
    expect(heap.alloc(16)).toBe(1024); // all freed: first fit is the lowest address, still ≥ base
    expect(new WasmHeap(new WebAssembly.Memory({ initial: 1 }), 0).alloc(4)).toBe(16);
  });

  it('first fit, merges freed neighbours, grows by pages, refreshes its view after growth', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new WasmHeap(memory, 100, 4 * 65536);
    const a = heap.alloc(10) as number;
    expect(a).toBe(112); // aligned to 16 above the base
    const b = heap.alloc(64) as number;
    const c = heap.alloc(16) as number;
    expect([b, c]).toEqual([128, 192]);
    heap.free(b);
    expect(heap.alloc(48)).toBe(128); // the freed block is reused
    heap.free(a);
    heap.free(128);
    expect(heap.alloc(80)).toBe(112); // a and b merged
    const view = heap.f32();
    const big = heap.alloc(100000) as number; // grows the memory
    expect(big).toBeGreaterThan(0);
    expect(view.length).toBe(0); // detached by memory.grow
    expect(heap.f32().length).toBe(memory.buffer.byteLength / 4);
    expect(heap.alloc(4 * 65536)).toBeNull(); // over the cap
    expect(() => heap.free(12345)).toThrow(/not an allocated block/);
    heap.free(big);
    heap.free(c);
    heap.free(112);
    expect(heap.stats()).toMatchObject({ usedBytes: 0, blocks: 0 });
    expect(heap.stats().freeBytes).toBe(memory.buffer.byteLength - 112);
  });
});
