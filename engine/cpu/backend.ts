/**
 * The CPU reference backend (one engine, two backends: this one is the reference). Plain loops over
 * Float32Array / Float64Array, short enough to read at a glance. Each op accumulates in JS
 * numbers (float64) and stores its result in the backend's dtype, so the float32 backend rounds
 * every op's result to float32 once: it is the reference the WebGL backend is compared to.
 */
import type {
  AllocationStats,
  AttentionOptions,
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
import { CpuTensor } from './tensor';

export interface CpuBackendOptions {
  dtype: DType;
}

/** A validated 2-D operand: its tensor, row count, column count and values. */
interface Mat {
  t: CpuTensor;
  r: number;
  c: number;
  d: TypedArray;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtype: DType;
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
  }

  // ---------------------------------------------------------------- creation and storage

  fromArray(data: ArrayLike<number>, shape: Shape): Tensor {
    check.checkUpload(data, shape, this.dtype);
    const out = this.alloc(data.length);
    out.set(data);
    return this.register(out, shape);
  }

  zeros(shape: Shape): Tensor {
    check.checkShape('zeros', shape);
    return this.register(this.alloc(shape.reduce((a, b) => a * b, 1)), shape);
  }

  writeRows(dst: Tensor, rowOffset: number, src: Tensor): void {
    const D = this.mat('writeRows', dst);
    const S = this.mat('writeRows', src);
    check.checkWriteRows(D.t.shape, rowOffset, S.t.shape);
    D.d.set(S.d, rowOffset * D.c);
  }

  rowsView(x: Tensor, rowCount: number): Tensor {
    const X = this.mat('rowsView', x);
    check.checkRowsView(X.t.shape, rowCount);
    const root = X.t.base ?? X.t;
    return new CpuTensor(X.d.subarray(0, rowCount * X.c), [rowCount, X.c], this.dtype, null, root);
  }

  sliceCols(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceCols', x);
    check.checkRange('sliceCols', X.t.shape, start, end, X.c);
    const w = end - start;
    const out = this.alloc(X.r * w);
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
    const out = this.alloc(r * c);
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
   * matmul, then the bias, then the activation, each step's result stored in the backend's
   * dtype: the plain reference of WebGL's fused linear.
   */
  linear(a: Tensor, b: Tensor, options: LinearOptions = {}): Tensor {
    if (options.norm || options.residual || options.times) return fused.linear(this, a, b, options);
    const { bias, activation = 'none', transposeB } = options;
    check.checkActivation('linear', activation);
    const A = this.mat('linear', a);
    const B = this.mat('linear', b);
    const { n } = check.checkMatmul('linear', A.t.shape, B.t.shape, transposeB === true);
    const b0 = bias && this.vector('linear bias', bias, n);
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
    return this.blockProduct('headBlockMatmul', U, W, heads, m, dOut);
  }

  /**
   * out[r, block h] = Σ_p a[h·m + r, p] · b[p, block h]: row block h of a times column block h
   * of b, for every head. Both headBlockMatmul (u_i·W_KV,i, paper §2) and attnWeightedSum
   * (p_i·V_i, paper §1) are this product.
   */
  private blockProduct(
    op: string,
    A: Mat,
    B: Mat,
    heads: number,
    m: number,
    width: number,
  ): Tensor {
    const out = this.alloc(m * B.c);
    const acc = new Float64Array(width);
    for (let h = 0; h < heads; h++) {
      for (let r = 0; r < m; r++) {
        acc.fill(0);
        const aRow = (h * m + r) * A.c;
        for (let p = 0; p < A.c; p++) axpy(A.d[aRow + p], B.d, p * B.c + h * width, acc, 0, width);
        out.set(acc, r * B.c + h * width);
      }
    }
    return this.result(op, out, [m, B.c]);
  }

  // ---------------------------------------------------------------- elementwise and normalisation

  add(a: Tensor, b: Tensor): Tensor {
    return this.zip('add', a, b, (x, y) => x + y);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return this.zip('mul', a, b, (x, y) => x * y);
  }

  scale(x: Tensor, factor: number): Tensor {
    const X = this.arg('scale', x);
    check.checkFiniteNumber('scale', 'factor', factor);
    return this.result(
      'scale',
      X.data.map((v) => v * factor),
      X.shape,
    );
  }

  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
    const X = this.mat('layerNorm', x);
    const g = this.vector('layerNorm', gamma, X.c);
    const b = this.vector('layerNorm', beta, X.c);
    check.checkEps('layerNorm', eps);
    const out = this.alloc(X.r * X.c);
    for (let i = 0; i < X.r; i++) {
      const row = X.d.subarray(i * X.c, (i + 1) * X.c);
      const mean = sum(row, (v) => v) / X.c;
      const variance = sum(row, (v) => (v - mean) ** 2) / X.c;
      check.checkNormDivisor('layerNorm', i, variance, eps);
      const inv = 1 / Math.sqrt(variance + eps);
      for (let j = 0; j < X.c; j++) out[i * X.c + j] = (row[j] - mean) * inv * g[j] + b[j];
    }
    return this.result('layerNorm', out, X.t.shape);
  }

  rmsNorm(x: Tensor, gamma: Tensor, eps: number): Tensor {
    const X = this.mat('rmsNorm', x);
    const g = this.vector('rmsNorm', gamma, X.c);
    check.checkEps('rmsNorm', eps);
    const out = this.alloc(X.r * X.c);
    for (let i = 0; i < X.r; i++) {
      const row = X.d.subarray(i * X.c, (i + 1) * X.c);
      const meanSquare = sum(row, (v) => v * v) / X.c;
      check.checkNormDivisor('rmsNorm', i, meanSquare, eps);
      const inv = 1 / Math.sqrt(meanSquare + eps);
      for (let j = 0; j < X.c; j++) out[i * X.c + j] = row[j] * inv * g[j];
    }
    return this.result('rmsNorm', out, X.t.shape);
  }

  softmax(x: Tensor, options: { causalOffset?: number } = {}): Tensor {
    const X = this.mat('softmax', x);
    const causal = check.checkCausalOffset('softmax', options.causalOffset);
    const out = this.alloc(X.r * X.c);
    for (let i = 0; i < X.r; i++) {
      const visible = check.visibleColumns('softmax', i, X.c, causal);
      softmaxInto(
        X.d.subarray(i * X.c, i * X.c + visible),
        out.subarray(i * X.c, i * X.c + visible),
      );
    }
    return this.result('softmax', out, X.t.shape);
  }

  rope(x: Tensor, options: RopeOptions): Tensor {
    const X = this.mat('rope', x);
    const { heads, positionOffset, pairing, base } = options;
    const { headDim, rotaryDim } = check.checkRope(X.c, options);
    const half = rotaryDim / 2;
    const sign = options.inverse ? -1 : 1; // rotating by −mθ undoes +mθ (paper Appendix E)
    const out = this.alloc(X.r * X.c);
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
    const out = this.alloc(ids.length * T.c);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      out.set(T.d.subarray(id * T.c, (id + 1) * T.c), i * T.c);
    }
    return this.register(out, [ids.length, T.c]);
  }

  argmax(x: Tensor): Tensor {
    const X = this.mat('argmax', x);
    const out = this.alloc(X.r);
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
    const { headDim: dk, causal } = check.checkAttnProbs(Q.t.shape, K.t.shape, options);
    const out = this.alloc(heads * Q.r * K.r);
    const scores = new Float64Array(K.r);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < Q.r; i++) {
        const visible = check.visibleColumns('attnProbs', i, K.r, causal);
        const qo = i * Q.c + h * dk;
        for (let j = 0; j < visible; j++)
          scores[j] = dot(Q.d, qo, K.d, j * K.c + h * dk, dk) * scale;
        const row = (h * Q.r + i) * K.r;
        softmaxInto(scores.subarray(0, visible), out.subarray(row, row + visible));
      }
    }
    return this.result('attnProbs', out, [heads * Q.r, K.r]);
  }

  attnWeightedSum(p: Tensor, v: Tensor, heads: number): Tensor {
    const P = this.mat('attnWeightedSum', p);
    const V = this.mat('attnWeightedSum', v);
    const { m, dv } = check.checkWeightedSum(P.t.shape, V.t.shape, heads);
    return this.blockProduct('attnWeightedSum', P, V, heads, m, dv);
  }

  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
    return fused.attention(this, q, k, v, options);
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

  stats(): AllocationStats {
    return { liveTensors: this.live.size, liveBytes: this.liveBytes };
  }

  /** The CPU backend pools nothing: typed arrays are garbage-collected once disposed tensors drop them. */
  dispose(): void {}

  // ---------------------------------------------------------------- helpers

  private alloc(size: number): TypedArray {
    return this.dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  }

  /** Wraps storage as a new owning tensor, counted live and tracked by the innermost scope. */
  private register(data: TypedArray, shape: Shape): CpuTensor {
    const t = new CpuTensor(data, [...shape], this.dtype, (d) => this.release(d));
    this.live.add(t);
    this.liveBytes += data.length * bytesPerElement(this.dtype);
    this.scopes.track(t);
    return t;
  }

  /** register() for computed results: finite inputs can still overflow (never a silent NaN). */
  private result(op: string, data: TypedArray, shape: Shape): CpuTensor {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const c = shape[shape.length - 1] || 1;
        throw new EngineInputError(
          `${op}: result is ${data[i]} at row ${Math.floor(i / c)}, column ${i % c} of ${shapeString(shape)}; the inputs are too large for ${this.dtype}`,
        );
      }
    }
    return this.register(data, shape);
  }

  private release(t: CpuTensor): void {
    this.live.delete(t);
    this.liveBytes -= t.data.length * bytesPerElement(this.dtype);
    this.scopes.untrack(t);
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
    return { t: x, r, c, d: x.data };
  }

  /** A bias/gain vector of length n: shape [n] or [1, n]. */
  private vector(op: string, t: Tensor, n: number): TypedArray {
    const v = this.arg(op, t);
    check.checkVector(op, v.shape, n);
    return v.data;
  }

  /** f applied to every value of X (with its index), as a new result. */
  private map(X: Mat, op: string, f: (v: number, i: number) => number): Mat {
    return this.mat(op, this.result(op, X.d.map(f), X.t.shape));
  }

  private zip(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
    const A = this.arg(op, a);
    const B = this.arg(op, b);
    check.checkSameShape(op, A.shape, B.shape);
    return this.result(
      op,
      A.data.map((v, i) => f(v, B.data[i])),
      A.shape,
    );
  }
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

/** Σ f(v) over a typed array, accumulated in float64. */
function sum(values: TypedArray, f: (v: number) => number): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += f(values[i]);
  return s;
}

/** Numerically stable softmax of `scores` written into `out` (same length). */
function softmaxInto(scores: ArrayLike<number>, out: TypedArray): void {
  let max = -Infinity;
  for (let j = 0; j < scores.length; j++) max = Math.max(max, scores[j]);
  let sum = 0;
  const e = new Float64Array(scores.length);
  for (let j = 0; j < scores.length; j++) sum += e[j] = Math.exp(scores[j] - max);
  for (let j = 0; j < scores.length; j++) out[j] = e[j] / sum;
}

/** The owning tensors a scope returns: a tensor, or tensors directly in an array or plain object. */
