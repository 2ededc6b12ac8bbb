/**
 * The CPU backend, in two dtypes. float64 is the reference (one engine, two backends): plain loops
 * over Float64Array, short enough to read at a glance, each op accumulating in JS numbers and
 * storing its result once; the tests compare every other path to it. float32 is the fast path
 * (the Playground's fallback, the CLI, the bench): its products (matmul, linear with its bias and
 * activation fused, headBlockMatmul, attnWeightedSum) and attnProbs run on WebAssembly SIMD
 * kernels or, where those cannot run, on register-blocked TypeScript kernels (kernels.ts), and
 * its typed arrays are pooled by length (pool.ts); its other ops share the reference's loops,
 * storing float32. Every op's result is checked finite (an overflow names the op and the place).
 */
import type {
  AllocationStats,
  AttentionOptions,
  RowNorm,
  AttnProbsOptions,
  Backend,
  LinearActivation,
  LinearOptions,
  RopeOptions,
} from '../backend';
import * as check from '../checks';
import {
  EngineInputError,
  bytesPerElement,
  shapeString,
  type DType,
  type Shape,
  type Tensor,
  type TypedArray,
} from '../tensor';
import { ScopeStack } from '../scope';
import * as fused from './fused';
import { jsKernels } from './jsKernels';
import {
  ACTIVATION,
  type KernelName,
  type Operand,
  type ProductKernels,
  type Values,
  type HeapStorage,
} from './kernels';
import { FORMAT_BYTES, readHalf } from './halfStorage';
import { ArrayPool } from './pool';
import { CpuTensor } from './tensor';
import { createWasmKernels } from './wasm/wasmKernels';

export interface CpuBackendOptions {
  dtype: DType;
  /**
   * float32 only: the products' kernels. 'auto' (default): WebAssembly SIMD where it runs, else
   * TypeScript; 'js': TypeScript; or a kernels object (tests).
   */
  kernels?: 'auto' | 'js' | ProductKernels;
  /**
   * WebAssembly kernels: keep each uploaded weight every value of which a float16 or bfloat16
   * holds exactly (an F16 or BF16 checkpoint's) in 2 bytes a value, widened exactly as the
   * kernels read it (halfStorage.ts): the same results with half the memory. Default true.
   */
  halfWeights?: boolean;
}

/** A validated 2-D operand: its tensor, row count, column count and values. */
interface Mat {
  t: CpuTensor;
  r: number;
  c: number;
  d: TypedArray;
}

/**
 * Uploads (weights) and zeros (caches) of at least this many values are stored in the
 * kernels' memory.
 */
const HEAP_MIN_VALUES = 16384;

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtype: DType;
  /** Which code runs the products: 'reference' (float64), 'wasm-simd' or 'js' (float32). */
  readonly kernels: 'reference' | KernelName;
  /** The float32 products; null on float64 (the reference loops). */
  private readonly fast: ProductKernels | null;
  private readonly pool: ArrayPool | null;
  /** attnProbs' and softmax's float64 row buffer, grown as needed. */
  private rowBuffer = new Float64Array(64);
  private readonly live = new Set<CpuTensor>();
  private liveBytes = 0;
  /** One set per open scope(): the owning tensors created inside it, innermost last. */
  private readonly scopes = new ScopeStack<CpuTensor>(
    (v): v is CpuTensor => v instanceof CpuTensor,
  );

  constructor(options: CpuBackendOptions = { dtype: 'float32' }) {
    if (options.dtype !== 'float32' && options.dtype !== 'float64') {
      throw new EngineInputError(
        `CpuBackend: dtype must be 'float32' or 'float64', got ${String(options.dtype)}`,
      );
    }
    this.dtype = options.dtype;
    const kernels = options.kernels ?? 'auto';
    if (kernels !== 'auto' && kernels !== 'js' && typeof kernels !== 'object') {
      throw new EngineInputError(
        `CpuBackend: kernels must be 'auto' or 'js', got ${String(options.kernels)}`,
      );
    }
    if (this.dtype === 'float32') {
      this.fast =
        typeof kernels === 'object'
          ? kernels
          : ((kernels === 'auto'
              ? createWasmKernels({ halfWeights: options.halfWeights ?? true })
              : null) ?? jsKernels);
      this.pool = new ArrayPool();
    } else {
      this.fast = null;
      this.pool = null;
    }
    this.kernels = this.fast?.name ?? 'reference';
  }

  // ---------------------------------------------------------------- creation and storage

  fromArray(data: ArrayLike<number>, shape: Shape): Tensor {
    check.checkUpload(data, shape, this.dtype);
    // Uploads large enough to be weights live in the kernels' memory, once (no JavaScript copy).
    const heap = data.length >= HEAP_MIN_VALUES ? this.fast?.store?.(data) : null;
    if (heap) {
      const t = this.register(heap, shape);
      this.fast?.stored?.(t);
      return t;
    }
    const out = this.alloc(data.length);
    out.set(data);
    return this.register(out, shape);
  }

  zeros(shape: Shape): Tensor {
    check.checkShape('zeros', shape);
    const size = shape.reduce((a, b) => a * b, 1);
    // Large buffers (the caches) live in the kernels' memory too: the kernels read them there,
    // and writeRows writes there, so they exist once, not as an array plus a copy.
    const heap = size >= HEAP_MIN_VALUES ? this.fast?.store?.(size) : null;
    if (heap) {
      const t = this.register(heap, shape);
      this.fast?.stored?.(t);
      return t;
    }
    return this.register(this.alloc(size), shape);
  }

  writeRows(dst: Tensor, rowOffset: number, src: Tensor): void {
    const D = this.mat('writeRows', dst);
    const S = this.mat('writeRows', src);
    check.checkWriteRows(D.t.shape, rowOffset, S.t.shape);
    if ((D.t.base ?? D.t).heap?.half)
      throw new EngineInputError('writeRows: the destination is a weight stored as halves');
    D.d.set(S.d, rowOffset * D.c);
    this.fast?.written(D.t.base ?? D.t, rowOffset * D.c, S.d as Float32Array);
  }

  rowsView(x: Tensor, rowCount: number): Tensor {
    const X = this.mat('rowsView', x);
    check.checkRowsView(X.t.shape, rowCount);
    const root = X.t.base ?? X.t;
    const size = rowCount * X.c;
    // A view of heap storage takes its values afresh on each use (the memory may have grown).
    const values = root.heap ? () => root.data.subarray(0, size) : X.d.subarray(0, size);
    return new CpuTensor(values, [rowCount, X.c], this.dtype, null, root);
  }

  sliceCols(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceCols', x);
    check.checkRange('sliceCols', X.t.shape, start, end, X.c);
    const w = end - start;
    const out = this.alloc(X.r * w, true);
    for (let i = 0; i < X.r; i++) out.set(X.d.subarray(i * X.c + start, i * X.c + end), i * w);
    return this.register(out, [X.r, w]);
  }

  sliceRows(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceRows', x);
    check.checkRange('sliceRows', X.t.shape, start, end, X.r);
    return this.register(X.d.slice(start * X.c, end * X.c), [end - start, X.c]);
  }

  colsView(x: Tensor, start: number, end: number): Tensor {
    return fused.colsView(this, x, start, end);
  }

  concatCols(parts: readonly Tensor[]): Tensor {
    const Ps = parts.map((p) => this.mat('concatCols', p));
    const [r, c] = check.checkConcatCols(Ps.map((p) => p.t.shape));
    const out = this.alloc(r * c, true);
    for (let i = 0, col = 0; i < Ps.length; col += Ps[i].c, i++) {
      const P = Ps[i];
      for (let row = 0; row < r; row++)
        out.set(P.d.subarray(row * P.c, (row + 1) * P.c), row * c + col);
    }
    return this.register(out, [r, c]);
  }

  // ---------------------------------------------------------------- linear algebra

  matmul(a: Tensor, b: Tensor, options: { transposeB?: boolean } = {}): Tensor {
    const A = this.mat('matmul', a);
    const B = this.mat('matmul', b);
    const tB = options.transposeB === true;
    const { k, n } = check.checkMatmul('matmul', A.t.shape, B.t.shape, tB);
    if (this.fast) return this.product('matmul', A, B, k, n, tB, undefined, 'none');
    const out = this.alloc(A.r * n);
    const acc = new Float64Array(n);
    // Loop orders that walk both operands contiguously: dot products of rows for a·bᵀ,
    // accumulated rows of b (out_i += a_ip · b_p) otherwise.
    for (let i = 0; i < A.r; i++) {
      const a0 = i * k;
      if (tB) {
        for (let j = 0; j < n; j++) acc[j] = dot(A.d, a0, B.d, j * k, k);
      } else {
        acc.fill(0);
        for (let p = 0; p < k; p++) axpy(A.d[a0 + p], B.d, p * n, acc, 0, n);
      }
      out.set(acc, i * n);
    }
    return this.result('matmul', out, [A.r, n]);
  }

  /**
   * float64: matmul, then the bias, then the activation, each step's result stored in the
   * backend's dtype (the plain reference of the fused linears). float32: one fused product.
   */
  linear(a: Tensor, b: Tensor, options: LinearOptions = {}): Tensor {
    if (options.norm || options.residual || options.times) {
      // float32 runs a norm and a residual in one pass (fusedLinear); the gating product and
      // the float64 reference run the composition of fused.ts.
      return this.fast && !options.times
        ? this.fusedLinear(a, b, options)
        : fused.linear(this, a, b, options);
    }
    const { bias, activation = 'none', transposeB } = options;
    check.checkActivation('linear', activation);
    const A = this.mat('linear', a);
    const B = this.mat('linear', b);
    const tB = transposeB === true;
    const { k, n } = check.checkMatmul('linear', A.t.shape, B.t.shape, tB);
    const biasT = bias && this.vectorTensor('linear bias', bias, n);
    if (this.fast) return this.product('linear', A, B, k, n, tB, biasT, activation);
    const b0 = biasT && biasT.data;
    return this.scope(() => {
      let y = this.mat('linear', this.matmul(a, b, { transposeB }));
      if (b0) y = this.map(y, 'linear (bias)', (v, i) => v + b0[i % n]);
      if (activation !== 'none') y = this.map(y, `linear (${activation})`, ACTIVATIONS[activation]);
      return y.t;
    });
  }

  headBlockMatmul(u: Tensor, w: Tensor, heads: number): Tensor {
    const U = this.mat('headBlockMatmul', u);
    const W = this.mat('headBlockMatmul', w);
    const { m, dOut } = check.checkHeadBlock('headBlockMatmul', U.t.shape, W.t.shape, heads);
    return this.blockProduct('headBlockMatmul', U, W, heads, heads, m, dOut);
  }

  /** The float32 products: act(a · b + bias), or a · bᵀ, in one kernel call. */
  private product(
    op: string,
    A: Mat,
    B: Mat,
    k: number,
    n: number,
    transposeB: boolean,
    bias: CpuTensor | undefined,
    activation: LinearActivation,
  ): Tensor {
    const out = this.alloc(A.r * n, true) as Float32Array;
    const act = ACTIVATION[activation];
    const biasOp = bias && operand(bias);
    (this.fast as ProductKernels).linear(
      operand(A.t),
      operand(B.t),
      A.r,
      k,
      n,
      transposeB,
      biasOp,
      act,
      out,
    );
    return this.result(op, out, [A.r, n]);
  }

  /**
   * float32 linear with a norm prologue and/or a residual epilogue in one pass, no intermediate
   * tensors: the same roundings and messages as the composition (fused.ts: norm, linear, add):
   * the normalised rows stored in float32 (a pooled temporary), the fused product, then the
   * residual added and stored.
   */
  private fusedLinear(a: Tensor, b: Tensor, options: LinearOptions): Tensor {
    const { norm, residual, bias, activation = 'none', transposeB } = options;
    const A = this.mat('linear', a);
    const B = this.mat('linear', b);
    const tB = transposeB === true;
    const dims = check.checkMatmul('linear', A.t.shape, B.t.shape, tB);
    check.checkLinearExtras('linear', dims, fused.normShapes(norm), residual?.shape);
    check.checkActivation('linear', activation);
    const biasT = bias && this.vectorTensor('linear bias', bias, dims.n);
    const res = residual && this.arg('add', residual).data;
    const pool = this.pool as ArrayPool;
    let left: Values = operand(A.t);
    if (norm) {
      const rows = pool.take(A.r * A.c, true);
      this.normalizeInto(A, norm, rows);
      this.checkFinite(norm.kind, rows, A.t.shape);
      left = { data: rows };
    }
    const out = pool.take(A.r * dims.n, true);
    (this.fast as ProductKernels).linear(
      left,
      operand(B.t),
      A.r,
      dims.k,
      dims.n,
      tB,
      biasT && operand(biasT),
      ACTIVATION[activation],
      out,
    );
    if (norm) pool.give(left.data);
    const shape = [A.r, dims.n];
    if (!res) return this.result('linear', out, shape);
    this.checkFinite('linear', out, shape);
    for (let i = 0; i < out.length; i++) out[i] += res[i];
    return this.result('add', out, shape);
  }

  /**
   * out[r, block h] = Σ_p a[h·m + r, p] · b[p, block ⌊h/g⌋]: row block h of a times column
   * block ⌊h/g⌋ of b (g = heads / bHeads; 1 but for grouped-query values), for every head. Both
   * headBlockMatmul (u_i·W_KV,i, paper §2) and attnWeightedSum (p_i·V_i, paper §1) are this
   * product.
   */
  private blockProduct(
    op: string,
    A: Mat,
    B: Mat,
    heads: number,
    bHeads: number,
    m: number,
    width: number,
  ): Tensor {
    const cols = heads * width;
    if (this.fast) {
      const out = this.alloc(m * cols, true) as Float32Array;
      this.fast.block(operand(A.t), operand(B.t), heads, bHeads, m, A.c, width, out);
      return this.result(op, out, [m, cols]);
    }
    const out = this.alloc(m * cols);
    const acc = new Float64Array(width);
    const g = heads / bHeads;
    for (let h = 0; h < heads; h++) {
      const bCol = Math.floor(h / g) * width;
      for (let r = 0; r < m; r++) {
        acc.fill(0);
        const aRow = (h * m + r) * A.c;
        for (let p = 0; p < A.c; p++) axpy(A.d[aRow + p], B.d, p * B.c + bCol, acc, 0, width);
        out.set(acc, r * cols + h * width);
      }
    }
    return this.result(op, out, [m, cols]);
  }

  // ---------------------------------------------------------------- elementwise and normalisation

  add(a: Tensor, b: Tensor): Tensor {
    const [A, B, out] = this.zip('add', a, b);
    for (let i = 0; i < out.length; i++) out[i] = A[i] + B[i];
    return this.result('add', out, a.shape);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    const [A, B, out] = this.zip('mul', a, b);
    for (let i = 0; i < out.length; i++) out[i] = A[i] * B[i];
    return this.result('mul', out, a.shape);
  }

  scale(x: Tensor, factor: number): Tensor {
    const X = this.arg('scale', x);
    check.checkFiniteNumber('scale', 'factor', factor);
    const out = this.alloc(X.data.length, true);
    for (let i = 0; i < out.length; i++) out[i] = X.data[i] * factor;
    return this.result('scale', out, X.shape);
  }

  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
    const X = this.mat('layerNorm', x);
    const out = this.alloc(X.r * X.c, true);
    this.normalizeInto(X, { kind: 'layerNorm', gamma, beta, eps }, out);
    return this.result('layerNorm', out, X.t.shape);
  }

  rmsNorm(x: Tensor, gamma: Tensor, eps: number): Tensor {
    const X = this.mat('rmsNorm', x);
    const out = this.alloc(X.r * X.c, true);
    this.normalizeInto(X, { kind: 'rmsNorm', gamma, eps }, out);
    return this.result('rmsNorm', out, X.t.shape);
  }

  /**
   * The rows of X normalised into out: layerNorm ((x − mean)/√(variance + eps)·γ + β) or
   * rmsNorm (x/√(mean square + eps)·γ), in float64, stored once. Checks γ, β and eps under the
   * op's name (the ops' own messages, also for linear's norm prologue).
   */
  private normalizeInto(X: Mat, norm: RowNorm, out: TypedArray): void {
    const op = norm.kind;
    const { eps } = norm;
    const g = this.vector(op, norm.gamma, X.c);
    const b = op === 'layerNorm' ? this.vector(op, norm.beta as Tensor, X.c) : null;
    check.checkEps(op, eps);
    const xs = X.d;
    for (let i = 0; i < X.r; i++) {
      const o = i * X.c;
      if (b) {
        let s = 0;
        for (let j = 0; j < X.c; j++) s += xs[o + j];
        const mean = s / X.c;
        let ss = 0;
        for (let j = 0; j < X.c; j++) {
          const dev = xs[o + j] - mean;
          ss += dev * dev;
        }
        const variance = ss / X.c;
        check.checkNormDivisor(op, i, variance, eps);
        const inv = 1 / Math.sqrt(variance + eps);
        for (let j = 0; j < X.c; j++) out[o + j] = (xs[o + j] - mean) * inv * g[j] + b[j];
      } else {
        let ss = 0;
        for (let j = 0; j < X.c; j++) ss += xs[o + j] * xs[o + j];
        const meanSquare = ss / X.c;
        check.checkNormDivisor(op, i, meanSquare, eps);
        const inv = 1 / Math.sqrt(meanSquare + eps);
        for (let j = 0; j < X.c; j++) out[o + j] = xs[o + j] * inv * g[j];
      }
    }
  }

  softmax(x: Tensor, options: { causalOffset?: number } = {}): Tensor {
    const X = this.mat('softmax', x);
    const causal = check.checkCausalOffset('softmax', options.causalOffset);
    const out = this.alloc(X.r * X.c);
    const e = this.rows(X.c);
    for (let i = 0; i < X.r; i++) {
      const visible = check.visibleColumns('softmax', i, X.c, causal);
      for (let j = 0; j < visible; j++) e[j] = X.d[i * X.c + j];
      softmaxInto(e, visible, out, i * X.c);
    }
    return this.result('softmax', out, X.t.shape);
  }

  rope(x: Tensor, options: RopeOptions): Tensor {
    const X = this.mat('rope', x);
    const { heads, positionOffset, pairing, base } = options;
    const { headDim, rotaryDim } = check.checkRope(X.c, options);
    const half = rotaryDim / 2;
    const sign = options.inverse ? -1 : 1; // rotating by −mθ undoes +mθ (paper Appendix E)
    const out = this.alloc(X.r * X.c, true);
    out.set(X.d);
    for (let i = 0; i < X.r; i++) {
      const m = positionOffset + i;
      for (let j = 0; j < half; j++) {
        // θ_j = base^(−2j/rotaryDim), as Hugging Face's inv_freq.
        const angle = m * base ** ((-2 * j) / rotaryDim);
        const cos = Math.cos(angle);
        const sin = sign * Math.sin(angle);
        const [a, b] = pairing === 'half' ? [j, j + half] : [2 * j, 2 * j + 1];
        for (let h = 0; h < heads; h++) {
          const o = i * X.c + h * headDim;
          const x1 = X.d[o + a];
          const x2 = X.d[o + b];
          // HF rotate_half / GPT-J convention; paper Appendix E writes the same rotation with −θ.
          out[o + a] = x1 * cos - x2 * sin;
          out[o + b] = x1 * sin + x2 * cos;
        }
      }
    }
    return this.result('rope', out, X.t.shape);
  }

  gather(table: Tensor, ids: ArrayLike<number>): Tensor {
    const T = this.mat('gather', table);
    check.checkIds(ids, T.r);
    const out = this.alloc(ids.length * T.c, true);
    // A half-stored table (an embedding) has its rows widened, never the whole table.
    const half = T.t.base ? undefined : T.t.heap?.half?.();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (half)
        readHalf(
          half,
          T.t.heap!.format as 'f16' | 'bf16',
          id * T.c,
          out as Float32Array,
          i * T.c,
          T.c,
          T.t.heap!.shift,
        );
      else out.set(T.d.subarray(id * T.c, (id + 1) * T.c), i * T.c);
    }
    return this.register(out, [ids.length, T.c]);
  }

  argmax(x: Tensor): Tensor {
    const X = this.mat('argmax', x);
    const out = this.alloc(X.r, true);
    for (let i = 0; i < X.r; i++) {
      let best = 0;
      for (let j = 1; j < X.c; j++) if (X.d[i * X.c + j] > X.d[i * X.c + best]) best = j;
      out[i] = best;
    }
    return this.register(out, [X.r, 1]);
  }

  // ---------------------------------------------------------------- attention building blocks

  attnProbs(q: Tensor, k: Tensor, options: AttnProbsOptions): Tensor {
    const Q = this.mat('attnProbs', q);
    const K = this.mat('attnProbs', k);
    const { heads, scale } = options;
    const sizes = check.checkAttnProbs(Q.t.shape, K.t.shape, options);
    const { headDim: dk, causal, kvHeads } = sizes;
    const out = this.alloc(heads * Q.r * K.r, this.fast !== null);
    if (this.fast) {
      const o = out as Float32Array;
      const [q0, k0] = [operand(Q.t), operand(K.t)];
      this.fast.attnProbs(q0, k0, heads, kvHeads, Q.r, K.r, dk, scale, causal, o);
      return this.result('attnProbs', out, [heads * Q.r, K.r]);
    }
    const scores = this.rows(K.r);
    const g = heads / kvHeads;
    for (let h = 0; h < heads; h++) {
      // Query head h reads key head ⌊h/g⌋ in place (grouped-query attention, paper Appendix G).
      const ko = Math.floor(h / g) * dk;
      for (let i = 0; i < Q.r; i++) {
        const visible = check.visibleColumns('attnProbs', i, K.r, causal);
        const qo = i * Q.c + h * dk;
        for (let j = 0; j < visible; j++) scores[j] = dot(Q.d, qo, K.d, j * K.c + ko, dk) * scale;
        softmaxInto(scores, visible, out, (h * Q.r + i) * K.r);
      }
    }
    return this.result('attnProbs', out, [heads * Q.r, K.r]);
  }

  attnWeightedSum(p: Tensor, v: Tensor, heads: number, kvHeads = heads): Tensor {
    const P = this.mat('attnWeightedSum', p);
    const V = this.mat('attnWeightedSum', v);
    const { m, dv } = check.checkWeightedSum(P.t.shape, V.t.shape, heads, kvHeads);
    return this.blockProduct('attnWeightedSum', P, V, heads, kvHeads, m, dv);
  }

  /**
   * float64: attnProbs, then the weighted sum (fused.ts). float32: the same two kernels, on
   * WebAssembly in one call with the probabilities in its scratch space (no JavaScript array,
   * no copies), on TypeScript with the probabilities in a pooled temporary; never a tensor.
   */
  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
    if (!this.fast) return fused.attention(this, q, k, v, options);
    const Q = this.mat('attention', q);
    const K = this.mat('attention', k);
    const V = this.mat('attention', v);
    const sizes = check.checkAttention(Q.t.shape, K.t.shape, V.t.shape, options);
    const { m, n, headDim, causal, kvHeads, out: shape } = sizes;
    const { heads, scale } = options;
    const pool = this.pool as ArrayPool;
    const [q0, k0] = [operand(Q.t), operand(K.t)];
    const allValues = options.values === 'all';
    const op = allValues ? 'matmul' : 'attnWeightedSum';
    if (this.fast.attention) {
      const out = pool.take(shape[0] * shape[1], true);
      const width = allValues ? V.c : V.c / kvHeads;
      const dims = { heads, kvHeads, m, n, dk: headDim, width };
      const check = (p: Float32Array) => this.checkFinite('attnProbs', p, [heads * m, n]);
      const fast = this.fast.attention(
        q0,
        k0,
        operand(V.t),
        dims,
        scale,
        causal,
        allValues,
        check,
        out,
      );
      if (fast) return this.result(op, out, shape);
      pool.give(out);
    }
    const p = pool.take(heads * m * n, true);
    this.fast.attnProbs(q0, k0, heads, kvHeads, m, n, headDim, scale, causal, p);
    this.checkFinite('attnProbs', p, [heads * m, n]);
    const out = pool.take(shape[0] * shape[1], true);
    if (allValues) {
      this.fast.linear({ data: p }, operand(V.t), heads * m, n, V.c, false, undefined, 0, out);
    } else {
      this.fast.block({ data: p }, operand(V.t), heads, kvHeads, m, n, V.c / kvHeads, out);
    }
    pool.give(p);
    return this.result(op, out, shape);
  }

  // ---------------------------------------------------------------- lifetime

  scope<T>(fn: () => T): T {
    return this.scopes.run(fn);
  }

  keep<T extends Tensor>(t: T): T {
    const root = this.arg('keep', t);
    this.scopes.untrack(root.base ?? root);
    return t;
  }

  /** The half formats live tensors are stored in (halfWeights: an F16 or BF16 model's). */
  halfFormats(): ('f16' | 'bf16')[] {
    const found = new Set<'f16' | 'bf16'>();
    for (const t of this.live) {
      const format = t.heap?.format;
      if (format === 'f16' || format === 'bf16') found.add(format);
    }
    return [...found].sort();
  }

  stats(): AllocationStats {
    return { liveTensors: this.live.size, liveBytes: this.liveBytes };
  }

  /**
   * Empties the float32 array pool (float64 pools nothing: its arrays are garbage-collected once
   * disposed tensors drop them). Live tensors, and their WebAssembly copies, stay.
   */
  dispose(): void {
    this.pool?.clear();
  }

  // ---------------------------------------------------------------- helpers

  /** Storage for `size` values: zeroed, unless `dirty` (the op writes every value). */
  private alloc(size: number, dirty = false): TypedArray {
    if (this.pool) return this.pool.take(size, dirty);
    return new Float64Array(size);
  }

  /** A float64 buffer of at least n values, reused across calls (row scores). */
  private rows(n: number): Float64Array {
    if (this.rowBuffer.length < n)
      this.rowBuffer = new Float64Array(Math.max(n, 2 * this.rowBuffer.length));
    return this.rowBuffer;
  }

  /** Wraps storage as a new owning tensor, counted live and tracked by the innermost scope. */
  private register(data: TypedArray | HeapStorage, shape: Shape): CpuTensor {
    const t = new CpuTensor(data, [...shape], this.dtype, (d) => this.release(d));
    this.live.add(t);
    this.liveBytes += storedBytes(t);
    this.scopes.track(t);
    return t;
  }

  /** register() for computed results: finite inputs can still overflow (never a silent NaN). */
  private result(op: string, data: TypedArray, shape: Shape): CpuTensor {
    this.checkFinite(op, data, shape);
    return this.register(data, shape);
  }

  /** Throws, naming op and the place, if data holds ±∞ or NaN. */
  private checkFinite(op: string, data: TypedArray, shape: Shape): void {
    // v·0 is 0 for every finite v and NaN for ±∞ and NaN: one pass without a branch, then the
    // search for the place only when something is wrong.
    let probe = 0;
    for (let i = 0; i < data.length; i++) probe += data[i] * 0;
    if (probe !== 0) this.overflow(op, data, shape);
  }

  private overflow(op: string, data: TypedArray, shape: Shape): never {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const c = shape[shape.length - 1] || 1;
        throw new EngineInputError(
          `${op}: result is ${data[i]} at row ${Math.floor(i / c)}, column ${i % c} of ${shapeString(shape)}; the inputs are too large for ${this.dtype}`,
        );
      }
    }
    throw new EngineInputError(`${op}: result is not finite`); // unreachable: probe saw one
  }

  private release(t: CpuTensor): void {
    this.live.delete(t);
    this.liveBytes -= storedBytes(t);
    this.scopes.untrack(t);
    const pooled = t.heap ? null : (t.data as Float32Array);
    this.fast?.released(t);
    if (pooled) this.pool?.give(pooled);
  }

  /** Validates that t is a live tensor of this backend's kind. */
  private arg(op: string, t: Tensor): CpuTensor {
    if (!(t instanceof CpuTensor)) {
      throw new EngineInputError(`${op}: tensor belongs to backend '${t.backendName}', not 'cpu'`);
    }
    if (t.dtype !== this.dtype) {
      throw new EngineInputError(`${op}: tensor is ${t.dtype}, backend is ${this.dtype}`);
    }
    if (t.disposed) throw new EngineInputError(`${op}: tensor ${shapeString(t.shape)} is disposed`);
    return t;
  }

  private mat(op: string, t: Tensor): Mat {
    const x = this.arg(op, t);
    const [r, c] = check.checkMatrix(op, x.shape);
    // The values are taken on first use (a half-stored weight's are a widened copy).
    let d: TypedArray | undefined;
    return {
      t: x,
      r,
      c,
      get d() {
        return (d ??= x.data);
      },
    };
  }

  /** A bias/gain vector of length n: shape [n] or [1, n]. */
  private vector(op: string, t: Tensor, n: number): TypedArray {
    return this.vectorTensor(op, t, n).data;
  }

  private vectorTensor(op: string, t: Tensor, n: number): CpuTensor {
    const v = this.arg(op, t);
    check.checkVector(op, v.shape, n);
    return v;
  }

  /** f applied to every value of X (with its index), as a new result. */
  private map(X: Mat, op: string, f: (v: number, i: number) => number): Mat {
    return this.mat(op, this.result(op, X.d.map(f), X.t.shape));
  }

  /** The values of two same-shape operands and storage for the result. */
  private zip(op: string, a: Tensor, b: Tensor): [TypedArray, TypedArray, TypedArray] {
    const A = this.arg(op, a);
    const B = this.arg(op, b);
    check.checkSameShape(op, A.shape, B.shape);
    return [A.data, B.data, this.alloc(A.data.length, true)];
  }
}

/** Bytes an owning tensor's values take (half-stored weights take 2 a value). */
function storedBytes(t: CpuTensor): number {
  return t.heap
    ? t.heap.length * FORMAT_BYTES[t.heap.format]
    : t.data.length * bytesPerElement(t.dtype);
}

/** A float32 tensor as a kernel operand: its values and the tensor owning its storage. */
function operand(t: CpuTensor): Operand {
  // The values are taken when a kernel reads them (a half-stored weight's are a widened copy,
  // which the WebAssembly kernels never need).
  return {
    root: t.base ?? t,
    get data() {
      return t.data as Float32Array;
    },
  };
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** linear's activations: GELU in tanh form (GPT-2's "gelu_new") and SiLU = x·sigmoid(x). */
const ACTIVATIONS: Record<Exclude<LinearActivation, 'none'>, (v: number) => number> = {
  gelu: (v) => 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v ** 3))),
  silu: (v) => v / (1 + Math.exp(-v)),
};

/** Σ_p x[xo + p] · y[yo + p] for p < len, in float64. */
function dot(x: TypedArray, xo: number, y: TypedArray, yo: number, len: number): number {
  let s = 0;
  for (let p = 0; p < len; p++) s += x[xo + p] * y[yo + p];
  return s;
}

/** acc[ao + j] += alpha · x[xo + j] for j < len. */
function axpy(
  alpha: number,
  x: TypedArray,
  xo: number,
  acc: Float64Array,
  ao: number,
  len: number,
): void {
  if (alpha === 0) return; // masked probabilities are exactly 0
  for (let j = 0; j < len; j++) acc[ao + j] += alpha * x[xo + j];
}

/**
 * Numerically stable softmax of scores[0, len) written into out[o, o + len); scores is
 * overwritten by the exponentials.
 */
function softmaxInto(scores: Float64Array, len: number, out: TypedArray, o: number): void {
  let max = -Infinity;
  for (let j = 0; j < len; j++) max = Math.max(max, scores[j]);
  let sum = 0;
  for (let j = 0; j < len; j++) sum += scores[j] = Math.exp(scores[j] - max);
  for (let j = 0; j < len; j++) out[o + j] = scores[j] / sum;
}

/** The owning tensors a scope returns: a tensor, or tensors directly in an array or plain object. */
