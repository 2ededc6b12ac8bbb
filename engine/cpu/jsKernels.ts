/**
 * The float32 products in plain TypeScript (kernels.ts): register-blocked tiles whose sums live
 * in local variables (JS numbers, so float64) and are stored once, rounded to float32, after the
 * bias and the activation. Each value of b loaded feeds every row of the tile, each value of a
 * every column. The fallback where WebAssembly SIMD is unavailable, and the WebAssembly kernels'
 * fallback when their memory cannot grow.
 */
import { ACTIVATION, type ProductKernels } from './kernels';

const GELU_C = Math.sqrt(2 / Math.PI);

/** act(v): the activation of an ACTIVATION code, in float64 (GELU tanh form, SiLU). */
export function activate(v: number, act: number): number {
  if (act === ACTIVATION.gelu)
    return 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));
  if (act === ACTIVATION.silu) return v / (1 + Math.exp(-v));
  return v;
}

/** A strided matrix: element (i, j) at data[off + i·ld + j]. */
interface Strided {
  data: Float32Array;
  off: number;
  ld: number;
}

/**
 * c = act(a · b + bias) over [m, n], a [m, k], b [k, n] (row-major, strided). Tiles of 2 rows ×
 * 4 columns (8 sums); a single row (decode) streams b row by row (gemmRow).
 */
export function gemm(
  A: Strided,
  B: Strided,
  C: Strided,
  m: number,
  k: number,
  n: number,
  bias: Float32Array | undefined,
  act: number,
): void {
  const a = A.data;
  const b = B.data;
  const c = C.data;
  const lda = A.ld;
  const ldb = B.ld;
  const ldc = C.ld;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = A.off + i * lda;
    const a1 = a0 + lda;
    const c0 = C.off + i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let p = 0, bo = B.off + j; p < k; p++, bo += ldb) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const b0 = b[bo];
        const b1 = b[bo + 1];
        const b2 = b[bo + 2];
        const b3 = b[bo + 3];
        s00 += x0 * b0;
        s01 += x0 * b1;
        s02 += x0 * b2;
        s03 += x0 * b3;
        s10 += x1 * b0;
        s11 += x1 * b1;
        s12 += x1 * b2;
        s13 += x1 * b3;
      }
      store4(c, c0 + j, s00, s01, s02, s03, bias, j, act);
      store4(c, c1 + j, s10, s11, s12, s13, bias, j, act);
    }
    for (; j < n; j++) {
      let s0 = 0;
      let s1 = 0;
      for (let p = 0, bo = B.off + j; p < k; p++, bo += ldb) {
        s0 += a[a0 + p] * b[bo];
        s1 += a[a1 + p] * b[bo];
      }
      c[c0 + j] = epilogue(s0, bias, j, act);
      c[c1 + j] = epilogue(s1, bias, j, act);
    }
  }
  if (i < m) gemmRow(a, A.off + i * lda, b, B.off, ldb, c, C.off + i * ldc, k, n, bias, act);
}

let rowSums = new Float64Array(256);

/**
 * One row: c = act(a · b + bias), four rows of b at a time, each read from start to end into a
 * float64 row of sums (one load and store of a sum per four multiply-adds; reading a wide b in
 * column tiles would jump a whole row at every step, which the hardware prefetcher does not
 * follow).
 */
function gemmRow(
  a: Float32Array,
  a0: number,
  b: Float32Array,
  b0: number,
  ldb: number,
  c: Float32Array,
  c0: number,
  k: number,
  n: number,
  bias: Float32Array | undefined,
  act: number,
): void {
  if (rowSums.length < n) rowSums = new Float64Array(Math.max(n, 2 * rowSums.length));
  const s = rowSums;
  s.fill(0, 0, n);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const x0 = a[a0 + p];
    const x1 = a[a0 + p + 1];
    const x2 = a[a0 + p + 2];
    const x3 = a[a0 + p + 3];
    const r0 = b0 + p * ldb;
    const r1 = r0 + ldb;
    const r2 = r1 + ldb;
    const r3 = r2 + ldb;
    for (let j = 0; j < n; j++)
      s[j] += x0 * b[r0 + j] + x1 * b[r1 + j] + x2 * b[r2 + j] + x3 * b[r3 + j];
  }
  for (; p < k; p++) {
    const x = a[a0 + p];
    const r = b0 + p * ldb;
    for (let j = 0; j < n; j++) s[j] += x * b[r + j];
  }
  for (let j = 0; j < n; j++) c[c0 + j] = epilogue(s[j], bias, j, act);
}

/** c = act(a · bᵀ + bias) over [m, n], a [m, k], b [n, k]: dot products, 4 rows of b at a time. */
export function gemmT(
  A: Strided,
  B: Strided,
  C: Strided,
  m: number,
  k: number,
  n: number,
  bias: Float32Array | undefined,
  act: number,
): void {
  const a = A.data;
  const b = B.data;
  const c = C.data;
  for (let i = 0; i < m; i++) {
    const a0 = A.off + i * A.ld;
    const c0 = C.off + i * C.ld;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = B.off + j * B.ld;
      const b1 = b0 + B.ld;
      const b2 = b1 + B.ld;
      const b3 = b2 + B.ld;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p];
        s0 += x * b[b0 + p];
        s1 += x * b[b1 + p];
        s2 += x * b[b2 + p];
        s3 += x * b[b3 + p];
      }
      store4(c, c0 + j, s0, s1, s2, s3, bias, j, act);
    }
    for (; j < n; j++) {
      const b0 = B.off + j * B.ld;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[b0 + p];
      c[c0 + j] = epilogue(s, bias, j, act);
    }
  }
}

function epilogue(s: number, bias: Float32Array | undefined, j: number, act: number): number {
  const v = bias ? s + bias[j] : s;
  return act === 0 ? v : activate(v, act);
}

function store4(
  c: Float32Array,
  o: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  bias: Float32Array | undefined,
  j: number,
  act: number,
): void {
  if (bias === undefined && act === 0) {
    c[o] = s0;
    c[o + 1] = s1;
    c[o + 2] = s2;
    c[o + 3] = s3;
  } else {
    c[o] = epilogue(s0, bias, j, act);
    c[o + 1] = epilogue(s1, bias, j + 1, act);
    c[o + 2] = epilogue(s2, bias, j + 2, act);
    c[o + 3] = epilogue(s3, bias, j + 3, act);
  }
}

let rowBuffer = new Float64Array(64);

/** out[o, o + n) ← softmax(out[o, o + visible) · scale) in float64, 0 past visible. */
function softmaxRow(out: Float32Array, o: number, visible: number, n: number, scale: number): void {
  if (rowBuffer.length < visible) rowBuffer = new Float64Array(2 * visible);
  const e = rowBuffer;
  let max = -Infinity;
  for (let j = 0; j < visible; j++) max = Math.max(max, (e[j] = out[o + j] * scale));
  let sum = 0;
  for (let j = 0; j < visible; j++) sum += e[j] = Math.exp(e[j] - max);
  for (let j = 0; j < visible; j++) out[o + j] = e[j] / sum;
  out.fill(0, o + visible, o + n);
}

/** The products in TypeScript: no state, nothing kept per tensor. */
export const jsKernels: ProductKernels = {
  name: 'js',
  linear(a, b, m, k, n, transposeB, bias, act, out) {
    const A = { data: a.data, off: 0, ld: k };
    const C = { data: out, off: 0, ld: n };
    if (transposeB) gemmT(A, { data: b.data, off: 0, ld: k }, C, m, k, n, bias?.data, act);
    else gemm(A, { data: b.data, off: 0, ld: n }, C, m, k, n, bias?.data, act);
  },
  block(a, b, heads, bHeads, m, k, width, out) {
    const cols = heads * width;
    const g = heads / bHeads;
    for (let h = 0; h < heads; h++) {
      gemm(
        { data: a.data, off: h * m * k, ld: k },
        { data: b.data, off: Math.floor(h / g) * width, ld: bHeads * width },
        { data: out, off: h * width, ld: cols },
        m,
        k,
        width,
        undefined,
        0,
      );
    }
  },
  attnProbs(q, k, heads, kvHeads, m, n, dk, scale, causal, out) {
    const cols = heads * dk;
    const g = heads / kvHeads;
    for (let h = 0; h < heads; h++) {
      gemmT(
        { data: q.data, off: h * dk, ld: cols },
        { data: k.data, off: Math.floor(h / g) * dk, ld: kvHeads * dk },
        { data: out, off: h * m * n, ld: n },
        m,
        dk,
        n,
        undefined,
        0,
      );
    }
    for (let r = 0; r < heads * m; r++) {
      const visible = causal < 0 ? n : Math.min(n, (r % m) + causal + 1);
      softmaxRow(out, r * n, visible, n, scale);
    }
  },
  written() {},
  released() {},
};
