/**
 * The WebGL2 backend: the same op interface as engine/cpu, run as fragment shaders on RGBA32F
 * textures. Ops only queue draws; Tensor.read() is the one place data leaves the GPU,
 * asynchronously through a pixel-pack buffer and a fence, so a step never stalls the page.
 *
 * This file is the op table. The context and its loss live in context.ts, texture and readback
 * pools in storage.ts, draw calls in dispatch.ts, the split-K and tiling plans in planners.ts;
 * argument checks are engine/checks.ts, shared with the CPU backend.
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
import { ScopeStack } from '../scope';
import { EngineInputError, shapeString, type Shape, type Tensor } from '../tensor';
import { GpuContext, type ContextOptions } from './context';
import { Dispatcher } from './dispatch';
import * as K from './kernels';
import {
  layoutFor,
  packRows,
  pixelRowsOf,
  unpackRows,
  type FoldPolicy,
  type TextureLayout,
} from './layout';
import {
  FUSED_ATTENTION_FETCHES,
  TILE_MIN_ROWS,
  chunkTexels,
  fuseAttentionScores,
  planSplitK,
  planTiles,
  tileable,
} from './planners';
import { ReadbackPool, TexturePool } from './storage';
import { WebGLTensor } from './tensor';

export { ContextLostError, WebGLUnavailableError, type WebGLUnavailableReason } from './context';

/** The fused activation of linear (engine/backend.ts LinearActivation). */
export type Activation = LinearActivation;

export interface WebGLBackendOptions extends ContextOptions {
  /** Split-K when fewer output texels than this would run in parallel (GEMV in decode). */
  parallelTexels?: number;
  /**
   * Rows per register tile of the matmul (render targets per draw): 8 where the GPU offers 8
   * draw buffers, else 4. Tests force 4 to cover the smaller tile.
   */
  tileRows?: 4 | 8;
  /** Test hook: every draw of this kernel throws, to prove an op frees its temporaries. */
  faultyKernel?: string;
  /**
   * Fetches one-draw decode attention may spend repeating its scores (planners.ts
   * FUSED_ATTENTION_FETCHES by default); 0 always gives the scores a draw of their own.
   */
  fusedAttentionFetches?: number;
  /** Folds of tensors past MAX_TEXTURE_SIZE (layout.ts); 'linear' only to compare in the bench. */
  foldPolicy?: FoldPolicy;
}

export interface GpuStats {
  texturesCreated: number;
  pooledTextures: number;
  pooledBytes: number;
  /** Readback buffers (PBOs) waiting in their pool. */
  pooledReadbackBuffers: number;
  programsCompiled: number;
  draws: number;
  /** Draws per kernel name since the backend was made (which code path an op took). */
  drawsByKernel: Record<string, number>;
  maxTextureSize: number;
  renderer: string;
}

/**
 * The fused epilogue of a product: an optional bias, an ACTIVATION_CODE, an optional gating
 * product (its weight and bias: one-draw products only) and an optional residual.
 */
interface Epilogue {
  bias?: WebGLTensor;
  act: number;
  times?: { weight: WebGLTensor; bias?: WebGLTensor };
  residual?: WebGLTensor;
}

const NO_EPILOGUE: Epilogue = { act: K.ACTIVATION_CODE.none };

/** The fused prologue of a product: a row norm (NORM_CODE) with its γ, β and eps. */
interface Prologue {
  code: number;
  gamma: WebGLTensor;
  beta?: WebGLTensor;
  eps: number;
}

export class WebGLBackend implements Backend {
  readonly name = 'webgl';
  readonly dtype = 'float32' as const;
  readonly gl: WebGL2RenderingContext;
  readonly maxTextureSize: number;
  readonly renderer: string;
  /** Output rows per fragment of the tiled matmul (one render target each). */
  readonly tileRows: 4 | 8;
  private readonly ctx: GpuContext;
  private readonly gpu: Dispatcher;
  private readonly textures: TexturePool;
  private readonly readback: ReadbackPool;
  private readonly tiledKernel: K.KernelSpec;
  private readonly parallelTexels: number;
  private readonly fusedAttentionFetches: number;
  private readonly foldPolicy: FoldPolicy;
  private readonly live = new Set<WebGLTensor>();
  private liveBytes = 0;
  private readonly scopes = new ScopeStack<WebGLTensor>(
    (v): v is WebGLTensor => v instanceof WebGLTensor,
  );

  constructor(options: WebGLBackendOptions = {}) {
    this.ctx = new GpuContext(options);
    this.gl = this.ctx.gl;
    this.maxTextureSize = this.ctx.maxTextureSize;
    this.renderer = this.ctx.renderer;
    this.parallelTexels = options.parallelTexels ?? 2048;
    this.fusedAttentionFetches = options.fusedAttentionFetches ?? FUSED_ATTENTION_FETCHES;
    this.foldPolicy = options.foldPolicy ?? 'aligned';
    this.gpu = new Dispatcher(this.ctx, options.tileRows, options.faultyKernel);
    this.tileRows = this.gpu.tileRows;
    this.tiledKernel = K.matmulTiledSpec(this.tileRows);
    this.textures = new TexturePool(this.ctx);
    this.readback = new ReadbackPool(this.ctx);
  }

  /** True once the GPU context is gone; every op then throws ContextLostError. */
  get lost(): boolean {
    return this.ctx.lost;
  }

  /** Calls f when the context is lost; returns an unsubscribe function. */
  onContextLost(f: () => void): () => void {
    return this.ctx.onLost(f);
  }

  /** Forces a context loss through WEBGL_lose_context (tests and the page's "simulate" button). */
  loseContext(): boolean {
    return this.ctx.lose();
  }

  gpuStats(): GpuStats {
    return {
      texturesCreated: this.textures.created,
      ...this.textures.stats(),
      pooledReadbackBuffers: this.readback.pooled,
      programsCompiled: this.gpu.programs.compiled,
      draws: this.gpu.draws,
      drawsByKernel: Object.fromEntries(this.gpu.drawsByKernel),
      maxTextureSize: this.maxTextureSize,
      renderer: this.renderer,
    };
  }

  /** Bytes of the texture behind t (its allocation, padding included). */
  allocatedBytes(t: Tensor): number {
    return this.arg('allocatedBytes', t).storage.bytes;
  }

  // ---------------------------------------------------------------- creation and storage

  fromArray(data: ArrayLike<number>, shape: Shape): Tensor {
    check.checkUpload(data, shape, this.dtype);
    return this.upload(data, shape, true);
  }

  zeros(shape: Shape): Tensor {
    check.checkShape('zeros', shape);
    const out = this.alloc(shape, 'zeros', true, true);
    this.gpu.clear(out);
    return out;
  }

  writeRows(dst: Tensor, rowOffset: number, src: Tensor): void {
    const D = this.mat('writeRows', dst);
    const S = this.mat('writeRows', src);
    check.checkWriteRows(D.shape, rowOffset, S.shape);
    if (D.layout.colOffset !== undefined)
      throw new EngineInputError('writeRows: dst is a column view, which is read-only');
    // Draws into rows [rowOffset, rowOffset + rows) of dst only: one row per decoded token.
    const rowRange: [number, number] = [rowOffset, rowOffset + S.shape[0]];
    this.gpu.draw(K.copyRows, [S], D, { off: rowOffset }, {}, rowRange);
  }

  rowsView(x: Tensor, rowCount: number): Tensor {
    const X = this.mat('rowsView', x);
    check.checkRowsView(X.shape, rowCount);
    const root = X.base ?? X;
    const layout: TextureLayout = { ...X.layout, rows: rowCount };
    return new WebGLTensor([rowCount, X.shape[1]], layout, root.storage, this, root);
  }

  /**
   * Columns [start, end) of x sharing its texture when they start on a texel boundary and end on
   * one (or at x's last column, whose padding lanes are 0): the fetches add the texel offset.
   * Otherwise a copy (sliceCols).
   */
  colsView(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('colsView', x);
    const [r, c] = X.shape;
    check.checkRange('colsView', X.shape, start, end, c);
    if (start % 4 !== 0 || (end % 4 !== 0 && end !== c)) return this.sliceCols(X, start, end);
    const root = X.base ?? X;
    const layout: TextureLayout = {
      ...X.layout,
      cols: end - start,
      texW: Math.ceil((end - start) / 4),
      colOffset: (X.layout.colOffset ?? 0) + start / 4,
    };
    return new WebGLTensor([r, end - start], layout, root.storage, this, root);
  }

  sliceCols(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceCols', x);
    check.checkRange('sliceCols', X.shape, start, end, X.shape[1]);
    return this.output([X.shape[0], end - start], 'sliceCols', (out) =>
      this.gpu.draw(K.sliceCols, [X], out, { start, cols: end - start }),
    );
  }

  sliceRows(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceRows', x);
    check.checkRange('sliceRows', X.shape, start, end, X.shape[0]);
    return this.output([end - start, X.shape[1]], 'sliceRows', (out) =>
      this.gpu.draw(K.sliceRows, [X], out, { start }),
    );
  }

  concatCols(parts: readonly Tensor[]): Tensor {
    const Ps = parts.map((p) => this.mat('concatCols', p));
    const [r] = check.checkConcatCols(Ps.map((p) => p.shape));
    if (Ps.length === 1) return this.sliceCols(Ps[0], 0, Ps[0].shape[1]);
    // Left fold of two-way concatenations; the intermediate results go back to the pool.
    let acc = Ps[0];
    try {
      for (let i = 1; i < Ps.length; i++) {
        const last = i === Ps.length - 1;
        const shape = [r, acc.shape[1] + Ps[i].shape[1]];
        const next = this.output(
          shape,
          'concatCols',
          (o) => this.gpu.draw(K.concat2, [acc, Ps[i]], o, {}),
          last,
        );
        if (i > 1) this.releaseInternal(acc);
        acc = next;
      }
    } catch (error) {
      if (acc !== Ps[0]) this.releaseInternal(acc);
      throw error;
    }
    return acc;
  }

  // ---------------------------------------------------------------- linear algebra

  matmul(a: Tensor, b: Tensor, options: { transposeB?: boolean } = {}): Tensor {
    return this.product('matmul', a, b, options.transposeB === true, {});
  }

  /**
   * a · b (or a · bᵀ) + bias, then an activation, then the residual, fused into the matmul's
   * epilogue (or into the split-K reduction when the product is split); the row norm is its
   * prologue (statistics computed per fragment for a one-draw product, else by one normStats
   * draw before).
   */
  linear(a: Tensor, b: Tensor, options: LinearOptions = {}): Tensor {
    return this.product('linear', a, b, options.transposeB === true, options);
  }

  headBlockMatmul(u: Tensor, w: Tensor, heads: number): Tensor {
    return this.headProduct('headBlockMatmul', u, w, heads);
  }

  // ---------------------------------------------------------------- elementwise and normalisation

  add(a: Tensor, b: Tensor): Tensor {
    return this.zip('add', a, b, K.ELEMENTWISE_OP.add);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return this.zip('mul', a, b, K.ELEMENTWISE_OP.mul);
  }

  scale(x: Tensor, factor: number): Tensor {
    const X = this.arg('scale', x);
    check.checkFiniteNumber('scale', 'factor', factor);
    return this.output(X.shape, 'scale', (out) =>
      this.gpu.draw(K.elementwise, [X, X], out, { f: factor }, { OP: K.ELEMENTWISE_OP.scale }),
    );
  }

  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
    return this.norm('layerNorm', x, gamma, beta, eps);
  }

  rmsNorm(x: Tensor, gamma: Tensor, eps: number): Tensor {
    return this.norm('rmsNorm', x, gamma, undefined, eps);
  }

  softmax(x: Tensor, options: { causalOffset?: number } = {}): Tensor {
    const X = this.mat('softmax', x);
    const causal = check.checkCausalOffset('softmax', options.causalOffset);
    return this.softmaxRows(X, causal, X.shape[0], 'softmax');
  }

  rope(x: Tensor, options: RopeOptions): Tensor {
    const X = this.mat('rope', x);
    const [r] = X.shape;
    const { headDim, rotaryDim } = check.checkRope(X.shape[1], options);
    const { positionOffset, pairing, base } = options;
    // cos/sin in float64 on the host, rounded once: a float32 angle m·θ loses ~m·6e-8 rad.
    const half = rotaryDim / 2;
    const table = new Float32Array(r * rotaryDim);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < half; j++) {
        const angle = (positionOffset + i) * base ** ((-2 * j) / rotaryDim);
        table[i * rotaryDim + j] = Math.cos(angle);
        table[i * rotaryDim + half + j] = Math.sin(angle);
      }
    }
    const T = this.upload(table, [r, rotaryDim], false);
    try {
      return this.output(X.shape, 'rope', (out) =>
        this.gpu.draw(
          K.rope,
          [X, T],
          out,
          { headDim, rotaryDim, sign: options.inverse ? -1 : 1 },
          { PAIRING: K.ROPE_PAIRING_CODE[pairing] },
        ),
      );
    } finally {
      this.releaseInternal(T);
    }
  }

  gather(table: Tensor, ids: ArrayLike<number>): Tensor {
    const T = this.mat('gather', table);
    check.checkIds(ids, T.shape[0]);
    // Ids up to 2^24 are exact in float32; MAX_TEXTURE_SIZE² rows is far below that bound.
    const I = this.upload(ids, [ids.length, 1], false);
    try {
      return this.output([ids.length, T.shape[1]], 'gather', (out) =>
        this.gpu.draw(K.gather, [T, I], out, {}),
      );
    } finally {
      this.releaseInternal(I);
    }
  }

  argmax(x: Tensor): Tensor {
    const X = this.mat('argmax', x);
    const [r] = X.shape;
    const chunk = chunkTexels(r, X.layout.texW, 32, this.parallelTexels);
    const chunks = Math.ceil(X.layout.texW / chunk);
    const partial = this.temp([r, 4 * chunks], 'argmax (chunks)', (p) =>
      this.gpu.draw(K.argmaxChunk, [X], p, { chunk }),
    );
    try {
      return this.output([r, 1], 'argmax', (out) =>
        this.gpu.draw(K.argmaxCombine, [partial], out, {}),
      );
    } finally {
      this.releaseInternal(partial);
    }
  }

  // ---------------------------------------------------------------- attention building blocks

  attnProbs(q: Tensor, k: Tensor, options: AttnProbsOptions): Tensor {
    const Q = this.mat('attnProbs', q);
    const Kt = this.mat('attnProbs', k);
    const { m, n, headDim, causal, kvHeads } = check.checkAttnProbs(Q.shape, Kt.shape, options);
    const { heads, scale } = options;
    const group = heads / kvHeads;
    const scores = this.temp([heads * m, n], 'attnProbs (scores)', (s) =>
      this.gpu.draw(
        K.attnScores,
        [Q, Kt],
        s,
        { m, headDim, scale, group },
        { PACKED_HEADS: headDim % 4 === 0 ? 1 : 0 },
      ),
    );
    try {
      return this.softmaxRows(scores, causal, m, 'attnProbs');
    } finally {
      this.releaseInternal(scores);
    }
  }

  /**
   * With kvHeads < heads (grouped-query values) the value heads are first repeated for their
   * groups (one copy of v per call): only prefill rows and head widths that are not a multiple
   * of 4 come here; decode rows read the shared value head in place (attention's attnDecode).
   */
  attnWeightedSum(p: Tensor, v: Tensor, heads: number, kvHeads = heads): Tensor {
    const P = this.mat('attnWeightedSum', p);
    const V = this.mat('attnWeightedSum', v);
    const { dv } = check.checkWeightedSum(P.shape, V.shape, heads, kvHeads);
    // Σ_j p_ij v_j per head is the same block-diagonal product as slim option 2's u · W_KV.
    if (kvHeads === heads) return this.headProduct('attnWeightedSum', P, V, heads);
    return this.scope(() => {
      const blocks = Array.from({ length: kvHeads }, (_, j) =>
        this.sliceCols(V, j * dv, (j + 1) * dv),
      );
      const g = heads / kvHeads;
      const repeated = this.concatCols(blocks.flatMap((b) => Array<Tensor>(g).fill(b)));
      return this.headProduct('attnWeightedSum', P, repeated, heads);
    });
  }

  /**
   * Decode rows (m < TILE_MIN_ROWS): one attnDecode draw, the scores computed in its loop, or
   * an attnScores draw first when repeating them per fragment would cost more
   * (planners.ts fuseAttentionScores). Prefill rows: attnProbs, then the (tiled) weighted sum.
   */
  attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
    const Q = this.mat('attention', q);
    const Kt = this.mat('attention', k);
    const V = this.mat('attention', v);
    const { m, n, headDim, causal, kvHeads, out } = check.checkAttention(
      Q.shape,
      Kt.shape,
      V.shape,
      options,
    );
    const { heads, scale } = options;
    const all = options.values === 'all';
    const dv = all ? V.shape[1] : V.shape[1] / kvHeads;
    if (m >= TILE_MIN_ROWS || (!all && dv % 4 !== 0)) {
      const p = this.attnProbs(Q, Kt, options);
      try {
        return all ? this.matmul(p, V) : this.attnWeightedSum(p, V, heads, kvHeads);
      } finally {
        this.releaseInternal(p as WebGLTensor);
      }
    }
    const packed = headDim % 4 === 0 ? 1 : 0;
    const group = heads / kvHeads;
    const uniforms = { m, headDim, dv, scale, causal, group };
    const fragments = out[0] * Math.ceil(out[1] / 4);
    if (fuseAttentionScores(fragments, n, Math.ceil(headDim / 4), this.fusedAttentionFetches)) {
      return this.output(out, 'attention', (o) =>
        this.gpu.draw(K.attnDecode, [Q, Kt, V, V], o, uniforms, {
          SCORES: 0,
          ALL_COLS: all ? 1 : 0,
          PACKED_HEADS: packed,
        }),
      );
    }
    const scores = this.temp([heads * m, n], 'attention (scores)', (s) =>
      this.gpu.draw(
        K.attnScores,
        [Q, Kt],
        s,
        { m, headDim, scale, group },
        { PACKED_HEADS: packed },
      ),
    );
    try {
      return this.output(out, 'attention', (o) =>
        this.gpu.draw(K.attnDecode, [Q, Kt, V, scores], o, uniforms, {
          SCORES: 1,
          ALL_COLS: all ? 1 : 0,
          PACKED_HEADS: packed,
        }),
      );
    } finally {
      this.releaseInternal(scores);
    }
  }

  // ---------------------------------------------------------------- lifetime

  scope<T>(fn: () => T): T {
    return this.scopes.run(fn);
  }

  keep<T extends Tensor>(t: T): T {
    const x = this.arg('keep', t);
    this.scopes.untrack(x.base ?? x);
    return t;
  }

  stats(): AllocationStats {
    return { liveTensors: this.live.size, liveBytes: this.liveBytes, draws: this.gpu.draws };
  }

  /** Frees pooled textures and buffers; the backend stays usable. */
  dispose(): void {
    this.textures.dispose();
    this.readback.dispose();
  }

  /** Frees everything, live tensors included, and stops listening to the canvas. */
  destroy(): void {
    this.dispose();
    for (const t of [...this.live]) this.gl.deleteTexture(t.storage.texture);
    this.live.clear();
    this.liveBytes = 0;
    this.gpu.destroy();
    this.ctx.destroy();
  }

  // ---------------------------------------------------------------- readback (WebGLTensorOwner)

  /** The values of t, read back asynchronously (storage.ts ReadbackPool). */
  async readTensor(t: WebGLTensor): Promise<Float32Array> {
    this.ctx.checkAlive('read');
    const L = t.layout;
    const [y0, y1] = pixelRowsOf(L, 0, L.rows);
    const texels = await this.readback.read(L.width, y0, y1, () =>
      this.gpu.attach(t.storage.texture),
    );
    const values = unpackRows(texels, L, L.rows, y0 * L.width);
    // Finite inputs can still overflow float32 inside a kernel: never hand back a silent NaN.
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new EngineInputError(
          `read: value ${values[i]} at row ${Math.floor(i / L.cols)}, column ${i % L.cols} of ${shapeString(t.shape)}; an op overflowed float32`,
        );
      }
    }
    return values;
  }

  releaseTensor(t: WebGLTensor): void {
    if (!this.live.delete(t)) return;
    this.liveBytes -= t.storage.bytes;
    this.scopes.untrack(t);
    if (!this.ctx.destroyed) this.textures.release(t.storage);
  }

  // ---------------------------------------------------------------- products

  /** matmul and linear: register tiles for m ≥ 4, else one row per fragment with split-K. */
  private product(op: string, a: Tensor, b: Tensor, tB: boolean, options: LinearOptions): Tensor {
    const A = this.mat(op, a);
    const B = this.mat(op, b);
    const dims = check.checkMatmul(op, A.shape, B.shape, tB);
    const { m, k, n } = dims;
    const activation = options.activation ?? 'none';
    check.checkActivation(op, activation);
    const { norm, residual, times } = options;
    check.checkLinearExtras(
      op,
      dims,
      norm && { ...norm, gamma: norm.gamma.shape, beta: norm.beta?.shape },
      residual?.shape,
      times && { weight: times.weight.shape, b: B.shape, bias: times.bias?.shape },
    );
    const tiled = m >= TILE_MIN_ROWS && tileable(m, n, this.tileRows, this.maxTextureSize);
    const split = planSplitK(m * Math.ceil(n / 4), A.layout.texW, this.parallelTexels).splits > 1;
    if (times && (tiled || split)) {
      // Only the one-draw kernels multiply by a second product: here, the two products, then
      // the mul and the residual as ops.
      const { times: _, residual: __, ...first } = options;
      return this.scope(() => {
        const gated = this.mul(
          this.product(op, A, B, tB, first),
          this.product(op, A, times.weight, tB, { norm, bias: times.bias }),
        );
        return residual ? this.add(gated, residual) : gated;
      });
    }
    const epilogue: Epilogue = {
      bias: options.bias ? this.vector(`${op} bias`, options.bias, n) : undefined,
      act: K.ACTIVATION_CODE[activation],
      times: times && {
        weight: this.mat(`${op} times weight`, times.weight),
        bias: times.bias && this.vector(`${op} times bias`, times.bias, n),
      },
      residual: residual ? this.arg(`${op} residual`, residual) : undefined,
    };
    const prologue: Prologue | undefined = norm && {
      code: K.NORM_CODE[norm.kind],
      gamma: this.arg(`${op} norm gamma`, norm.gamma),
      beta: norm.beta && this.arg(`${op} norm beta`, norm.beta),
      eps: norm.eps,
    };
    if (tiled) {
      return this.tiledProduct(A, B, m, n, { TRANS_B: tB ? 1 : 0 }, 1, epilogue, op, prologue);
    }
    return this.splitK(
      tB ? K.matmulNT : K.matmulNN,
      A,
      B,
      m,
      n,
      { headCols: 1 },
      epilogue,
      op,
      tB ? {} : { K_ALIGNED: k % 4 === 0 ? 1 : 0 },
      prologue,
    );
  }

  private headProduct(op: string, u: Tensor, w: Tensor, heads: number): Tensor {
    const U = this.mat(op, u);
    const W = this.mat(op, w);
    const { m, dOut } = check.checkHeadBlock(op, U.shape, W.shape, heads);
    const wc = W.shape[1];
    if (
      dOut % 4 === 0 &&
      m >= TILE_MIN_ROWS &&
      tileable(m, wc, this.tileRows, this.maxTextureSize)
    ) {
      return this.tiledProduct(U, W, m, wc, { HEAD_ROWS: 1 }, dOut, NO_EPILOGUE, op);
    }
    if (dOut % 4 === 0) {
      return this.splitK(K.matmulNN, U, W, m, wc, { headCols: dOut }, NO_EPILOGUE, op, {
        HEAD_ROWS: 1,
      });
    }
    return this.splitK(K.headMatmulLanes, U, W, m, wc, { headCols: dOut }, NO_EPILOGUE, op);
  }

  /**
   * The statistics texture of a prologue norm ([rows, 4]: mean, rstd), for the products that
   * do not compute them per fragment; undefined when the product has no norm or computes them
   * itself. The caller releases it.
   */
  private normStatsFor(A: WebGLTensor, prologue: Prologue | undefined): WebGLTensor | undefined {
    if (!prologue) return undefined;
    const rms = prologue.code === K.NORM_CODE.rmsNorm ? 1 : 0;
    return this.temp([A.shape[0], 4], 'linear (norm stats)', (s) =>
      this.gpu.draw(K.normStats, [A], s, { eps: prologue.eps }, { RMS: rms }),
    );
  }

  /**
   * Runs a packed product with split-K (planners.ts): when the output has too few texels to
   * fill the GPU and the reduction is long (a one-row GEMV over thousands of values), the
   * reduction is cut into chunks whose partial sums land in separate rows, then one more pass
   * adds them (and the epilogue). A prologue norm is computed by each fragment of an unsplit
   * product, by a normStats draw before a split one.
   */
  private splitK(
    spec: K.KernelSpec,
    A: WebGLTensor,
    B: WebGLTensor,
    m: number,
    n: number,
    uniforms: Record<string, number>,
    epilogue: Epilogue,
    op: string,
    defines: Record<string, number> = {},
    prologue?: Prologue,
  ): Tensor {
    const { bias, act, residual, times } = epilogue;
    const { splits, kChunk } = planSplitK(m * Math.ceil(n / 4), A.layout.texW, this.parallelTexels);
    const fused = { BIAS: bias ? 1 : 0, ACT: act, RESIDUAL: residual ? 1 : 0 };
    const gate = { TIMES: times ? 1 : 0, TIMES_BIAS: times?.bias ? 1 : 0 };
    const hasEpilogue = spec.defines !== undefined && 'BIAS' in spec.defines;
    if (!hasEpilogue && (bias || act || residual || prologue))
      throw new EngineInputError(`${op}: no fused prologue or epilogue`);
    if (times && splits > 1) throw new EngineInputError(`${op}: a split product cannot gate`);
    const stats = splits > 1 ? this.normStatsFor(A, prologue) : undefined;
    const norm: Record<string, number> = hasEpilogue
      ? { NORM: prologue?.code ?? 0, NORM_STATS: stats ? 1 : 0 }
      : {};
    const inputs = hasEpilogue
      ? [
          A,
          B,
          bias ?? A,
          residual ?? A,
          prologue?.gamma ?? A,
          prologue?.beta ?? A,
          stats ?? A,
          times?.weight ?? A,
          times?.bias ?? A,
        ]
      : [A, B];
    const u = hasEpilogue
      ? { ...uniforms, m, kChunk, eps: prologue?.eps ?? 0 }
      : { ...uniforms, m, kChunk };
    try {
      if (splits === 1) {
        return this.output([m, n], op, (out) =>
          this.gpu.draw(spec, inputs, out, u, {
            ...defines,
            ...norm,
            ...(hasEpilogue ? { ...fused, ...gate } : {}),
          }),
        );
      }
      const noEpilogue = { BIAS: 0, ACT: K.ACTIVATION_CODE.none, RESIDUAL: 0 };
      const partial = this.temp([splits * m, n], `${op} (split-K partial sums)`, (p) =>
        this.gpu.draw(spec, inputs, p, u, {
          ...defines,
          ...norm,
          ...(hasEpilogue ? noEpilogue : {}),
        }),
      );
      try {
        return this.output([m, n], op, (out) =>
          this.gpu.draw(
            K.reduceSplits,
            [partial, bias ?? partial, residual ?? partial],
            out,
            { m, splits },
            fused,
          ),
        );
      } finally {
        this.releaseInternal(partial);
      }
    } finally {
      if (stats) this.releaseInternal(stats);
    }
  }

  /**
   * A product by the register-tiled kernel: matmulTiled writes blocks of tileRows × 4 values
   * (per K-chunk when split) into tileRows row-block textures, then unblockRows restores row
   * order, sums the chunks and applies the fused bias, activation and residual. A prologue
   * norm takes one normStats draw first.
   */
  private tiledProduct(
    A: WebGLTensor,
    B: WebGLTensor,
    m: number,
    n: number,
    defines: Record<string, number>,
    headCols: number,
    epilogue: Epilogue,
    op: string,
    prologue?: Prologue,
  ): Tensor {
    const { bias, act, residual } = epilogue;
    const k = A.shape[1];
    const tile = this.tileRows;
    const plan = planTiles(m, n, A.layout.texW, tile, this.maxTextureSize, this.parallelTexels);
    const { blockRows, splits, kChunk } = plan;
    const parts: WebGLTensor[] = [];
    const stats = this.normStatsFor(A, prologue);
    try {
      for (let i = 0; i < tile; i++)
        // Render targets of one draw: plain layouts (tileable), never spread.
        parts.push(
          this.alloc([splits * blockRows, n], `${op} (row block ${i})`, false, false, false),
        );
      this.gpu.draw(
        this.tiledKernel,
        [A, B, prologue?.gamma ?? A, prologue?.beta ?? A, stats ?? A],
        parts,
        { m, blockRows, kChunk, headCols, eps: prologue?.eps ?? 0 },
        // BLOCK_ROWS is passed, not only in the spec: it is part of the program cache key.
        {
          BLOCK_ROWS: tile,
          K_ALIGNED: k % 4 === 0 ? 1 : 0,
          NORM: prologue?.code ?? 0,
          ...defines,
        },
      );
      // unblockRows always declares 8 targets; with 4-row tiles the last 4 are never read.
      const inputs = [...parts, ...parts].slice(0, 8);
      return this.output([m, n], op, (out) =>
        this.gpu.draw(
          K.unblockRows,
          [...inputs, bias ?? parts[0], residual ?? parts[0]],
          out,
          { blockRows, splits },
          { BLOCK_ROWS: tile, BIAS: bias ? 1 : 0, ACT: act, RESIDUAL: residual ? 1 : 0 },
        ),
      );
    } finally {
      for (const p of parts) this.releaseInternal(p);
      if (stats) this.releaseInternal(stats);
    }
  }

  // ---------------------------------------------------------------- row reductions

  /** Softmax of each row with the flash-decoding split: chunk stats, combine, apply. */
  private softmaxRows(X: WebGLTensor, causal: number, maskRows: number, op: string): WebGLTensor {
    const [r, n] = X.shape;
    const chunk = chunkTexels(r, X.layout.texW, 8, this.parallelTexels);
    const chunks = Math.ceil(X.layout.texW / chunk);
    const mask = { causal, maskRows };
    let stats = this.temp([r, 4 * chunks], `${op} (chunk stats)`, (s) =>
      this.gpu.draw(K.softmaxChunkStats, [X], s, { chunk, ...mask }),
    );
    try {
      if (chunks > 1) {
        const chunkStats = stats;
        stats = this.temp([r, 4], `${op} (row stats)`, (s) =>
          this.gpu.draw(K.softmaxCombine, [chunkStats], s, {}),
        );
        this.releaseInternal(chunkStats);
      }
      return this.output([r, n], op, (out) => this.gpu.draw(K.softmaxApply, [X, stats], out, mask));
    } finally {
      this.releaseInternal(stats);
    }
  }

  private norm(
    op: string,
    x: Tensor,
    gamma: Tensor,
    beta: Tensor | undefined,
    eps: number,
  ): Tensor {
    const X = this.mat(op, x);
    const c = X.shape[1];
    const g = this.vector(op, gamma, c);
    const b = beta ? this.vector(op, beta, c) : g;
    check.checkEps(op, eps);
    const rms = beta ? 0 : 1;
    const stats = this.temp([X.shape[0], 4], `${op} (stats)`, (s) =>
      this.gpu.draw(K.normStats, [X], s, { eps }, { RMS: rms }),
    );
    try {
      return this.output(X.shape, op, (out) =>
        this.gpu.draw(K.normApply, [X, stats, g, b], out, {}, { RMS: rms }),
      );
    } finally {
      this.releaseInternal(stats);
    }
  }

  private zip(op: string, a: Tensor, b: Tensor, code: number): Tensor {
    const A = this.arg(op, a);
    const B = this.arg(op, b);
    check.checkSameShape(op, A.shape, B.shape);
    return this.output(A.shape, op, (out) =>
      this.gpu.draw(K.elementwise, [A, B], out, { f: 0 }, { OP: code }),
    );
  }

  // ---------------------------------------------------------------- allocation

  /**
   * A pooled texture for `shape`, as a tensor (tracked by scopes when `tracked`). Computed
   * results get textures rounded up to powers of two, so a temporary whose width follows the
   * context length (scores [h, n]) reuses one texture until n doubles: a warm decode step creates
   * no GL objects. Uploads and caches (`exact`) get their exact size: weights are large.
   * Computed decode rows are also `spread` over pixel rows (layout.ts SPREAD_TEXELS).
   */
  private alloc(
    shape: Shape,
    what: string,
    tracked = true,
    exact = false,
    spread = !exact,
  ): WebGLTensor {
    this.ctx.checkAlive(what);
    const layout = layoutFor(shape, this.maxTextureSize, what, this.foldPolicy, spread);
    const bucket = (v: number): number =>
      exact ? v : Math.min(this.maxTextureSize, 2 ** Math.ceil(Math.log2(v)));
    // A folded layout's row stride is its width: only its height may be rounded.
    const width = layout.fold === 'none' ? bucket(layout.width) : layout.width;
    const height = Math.max(layout.height, bucket(layout.height));
    const storage = this.textures.acquire(width, height, what);
    const t = new WebGLTensor([...shape], layout, storage, this);
    this.live.add(t);
    this.liveBytes += storage.bytes;
    if (tracked) this.scopes.track(t);
    return t;
  }

  /** A new result tensor filled by `fill`; released again if `fill` throws. */
  private output(
    shape: Shape,
    what: string,
    fill: (out: WebGLTensor) => void,
    tracked = true,
  ): WebGLTensor {
    const out = this.alloc(shape, what, tracked);
    try {
      fill(out);
    } catch (error) {
      this.releaseInternal(out);
      throw error;
    }
    return out;
  }

  /** An untracked temporary filled by `fill`; the caller releases it (try/finally). */
  private temp(shape: Shape, what: string, fill: (t: WebGLTensor) => void): WebGLTensor {
    return this.output(shape, what, fill, false);
  }

  private upload(data: ArrayLike<number>, shape: Shape, tracked: boolean): WebGLTensor {
    // Public uploads (weights) are exact; internal ones (ids, RoPE tables) are reused per step.
    const out = this.alloc(shape, 'fromArray', tracked, tracked);
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, out.storage.texture);
    gl.texSubImage2D(
      gl.TEXTURE_2D,
      0,
      0,
      0,
      out.layout.width,
      out.layout.height,
      gl.RGBA,
      gl.FLOAT,
      packRows(data, out.layout),
    );
    gl.bindTexture(gl.TEXTURE_2D, null);
    return out;
  }

  private releaseInternal(t: WebGLTensor): void {
    if (!t.disposed) t.dispose();
  }

  // ---------------------------------------------------------------- operands

  private arg(op: string, t: Tensor): WebGLTensor {
    if (!(t instanceof WebGLTensor)) {
      throw new EngineInputError(
        `${op}: tensor belongs to backend '${t.backendName}', not 'webgl'`,
      );
    }
    if (t.disposed) throw new EngineInputError(`${op}: tensor ${shapeString(t.shape)} is disposed`);
    return t;
  }

  private mat(op: string, t: Tensor): WebGLTensor {
    const x = this.arg(op, t);
    check.checkMatrix(op, x.shape);
    return x;
  }

  private vector(op: string, t: Tensor, n: number): WebGLTensor {
    const v = this.arg(op, t);
    check.checkVector(op, v.shape, n);
    return v;
  }
}
