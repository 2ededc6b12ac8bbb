/**
 * The WebGL2 backend (issue 5): the same op interface as engine/cpu, run as fragment shaders on
 * RGBA32F textures. Ops only queue draws; Tensor.read() is the one place data leaves the GPU,
 * asynchronously through a pixel-pack buffer and a fence, so a step never stalls the page.
 *
 * Storage: textures are pooled by size, so once a decode step has run, the next one creates no
 * GL objects (gpuStats().texturesCreated stays put). Programs are compiled once per kernel,
 * compile-time switch and input layout.
 */
import type { AllocationStats, AttnProbsOptions, Backend, RopeOptions } from '../backend';
import {
  EngineInputError,
  assertFinite,
  shapeString,
  sizeOf,
  type Shape,
  type Tensor,
} from '../tensor';
import * as K from './kernels';
import { layoutFor, packRows, pixelRowsOf, unpackRows, type TextureLayout } from './layout';
import { ProgramCache, setUniform } from './program';
import { ScopeStack } from '../scope';
import { WebGLTensor, type TextureStorage } from './tensor';

/** Why WebGL2 cannot run the engine here; the app falls back to the CPU backend. */
export type WebGLUnavailableReason = 'no-webgl2' | 'no-float-color' | 'context-failed';

export class WebGLUnavailableError extends Error {
  constructor(
    readonly reason: WebGLUnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebGLUnavailableError';
  }
}

/** Thrown by every op (and pending reads) once the GPU context is lost. */
export class ContextLostError extends Error {
  constructor(
    message = 'The WebGL context was lost (GPU reset or too many contexts); the engine must be rebuilt',
  ) {
    super(message);
    this.name = 'ContextLostError';
  }
}

export type Activation = 'none' | 'gelu' | 'silu';

export interface WebGLBackendOptions {
  /** A canvas to draw with; by default an OffscreenCanvas (works in workers) or a DOM canvas. */
  canvas?: HTMLCanvasElement | OffscreenCanvas;
  /** An existing context (tests inject one). */
  gl?: WebGL2RenderingContext | null;
  /** Test hook: pretend an extension is missing, to exercise the CPU fallback. */
  simulateMissing?: 'webgl2' | 'EXT_color_buffer_float';
  /** Lowers MAX_TEXTURE_SIZE (tests hit the limit without huge allocations). */
  maxTextureSize?: number;
  /** Split-K when fewer output texels than this would run in parallel (GEMV in decode). */
  parallelTexels?: number;
  /**
   * Rows per register tile of the matmul (render targets per draw): 8 where the GPU offers 8
   * draw buffers, else 4. Tests force 4 to cover the smaller tile.
   */
  tileRows?: 4 | 8;
}

export interface GpuStats {
  texturesCreated: number;
  pooledTextures: number;
  pooledBytes: number;
  programsCompiled: number;
  draws: number;
  /** Draws per kernel name since the backend was made (which code path an op took). */
  drawsByKernel: Record<string, number>;
  maxTextureSize: number;
  renderer: string;
}

const ACT_CODE: Record<Activation, number> = { none: 0, gelu: 1, silu: 2 };

/** Products with at least this many rows use the register-tiled kernel. */
const TILE_MIN_ROWS = 4;

function createContext(options: WebGLBackendOptions): {
  gl: WebGL2RenderingContext;
  canvas: HTMLCanvasElement | OffscreenCanvas | null;
} {
  if (options.gl) return { gl: options.gl, canvas: options.gl.canvas };
  const canvas =
    options.canvas ??
    (typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(1, 1)
      : typeof document !== 'undefined'
        ? document.createElement('canvas')
        : null);
  if (!canvas)
    throw new WebGLUnavailableError('no-webgl2', 'No canvas to create a WebGL2 context on');
  const gl =
    options.simulateMissing === 'webgl2'
      ? null
      : (canvas.getContext('webgl2', {
          alpha: false,
          antialias: false,
          depth: false,
          stencil: false,
          premultipliedAlpha: false,
          preserveDrawingBuffer: false,
          powerPreference: 'high-performance',
        }) as WebGL2RenderingContext | null);
  if (!gl) throw new WebGLUnavailableError('no-webgl2', 'This browser offers no WebGL2 context');
  return { gl, canvas };
}

export class WebGLBackend implements Backend {
  readonly name = 'webgl';
  readonly dtype = 'float32' as const;
  readonly gl: WebGL2RenderingContext;
  readonly maxTextureSize: number;
  readonly renderer: string;
  private readonly canvas: HTMLCanvasElement | OffscreenCanvas | null;
  private readonly programs: ProgramCache;
  private readonly fbo: WebGLFramebuffer;
  private attached: WebGLTexture | null = null;
  /** A second framebuffer with `tileRows` colour attachments, for the tiled matmul. */
  private readonly fboBlocks: WebGLFramebuffer;
  private readonly attachedBlocks: (WebGLTexture | null)[];
  /** Output rows per fragment of the tiled matmul (one render target each). */
  readonly tileRows: 4 | 8;
  private readonly tiledKernel: K.KernelSpec;
  private readonly pool = new Map<string, TextureStorage[]>();
  private readonly pboPool = new Map<number, WebGLBuffer[]>();
  private readonly live = new Set<WebGLTensor>();
  private liveBytes = 0;
  private readonly scopes = new ScopeStack<WebGLTensor>(
    (v): v is WebGLTensor => v instanceof WebGLTensor,
  );
  private readonly parallelTexels: number;
  private lostFlag = false;
  private readonly lostListeners = new Set<() => void>();
  private texturesCreated = 0;
  private draws = 0;
  private readonly drawsByKernel = new Map<string, number>();
  private disposedFlag = false;

  constructor(options: WebGLBackendOptions = {}) {
    const { gl, canvas } = createContext(options);
    this.gl = gl;
    this.canvas = canvas;
    if (
      options.simulateMissing === 'EXT_color_buffer_float' ||
      !gl.getExtension('EXT_color_buffer_float')
    ) {
      throw new WebGLUnavailableError(
        'no-float-color',
        'WebGL2 is here but EXT_color_buffer_float is not: the GPU cannot render to float32 textures',
      );
    }
    const hardMax = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
    this.maxTextureSize = Math.min(hardMax, options.maxTextureSize ?? hardMax);
    const dbg = gl.getExtension('WEBGL_debug_renderer_info');
    this.renderer = String(
      gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown GPU',
    );
    this.parallelTexels = options.parallelTexels ?? 2048;
    this.programs = new ProgramCache(gl);
    const fbo = gl.createFramebuffer();
    if (!fbo) throw new WebGLUnavailableError('context-failed', 'createFramebuffer failed');
    this.fbo = fbo;
    const fboBlocks = gl.createFramebuffer();
    if (!fboBlocks) throw new WebGLUnavailableError('context-failed', 'createFramebuffer failed');
    this.fboBlocks = fboBlocks;
    // WebGL2 guarantees 4 draw buffers; most GPUs (SwiftShader too) offer 8.
    const maxTargets = Math.min(
      gl.getParameter(gl.MAX_DRAW_BUFFERS) as number,
      gl.getParameter(gl.MAX_COLOR_ATTACHMENTS) as number,
    );
    this.tileRows = options.tileRows ?? (maxTargets >= 8 ? 8 : 4);
    if (this.tileRows > maxTargets) {
      throw new EngineInputError(`tileRows ${this.tileRows}: this GPU has ${maxTargets} targets`);
    }
    this.tiledKernel = K.matmulTiledSpec(this.tileRows);
    this.attachedBlocks = new Array<WebGLTexture | null>(this.tileRows).fill(null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, fboBlocks);
    gl.drawBuffers(this.attachedBlocks.map((_, i) => gl.COLOR_ATTACHMENT0 + i));
    gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
    for (const cap of [gl.DEPTH_TEST, gl.BLEND, gl.DITHER, gl.SCISSOR_TEST, gl.CULL_FACE])
      gl.disable(cap);
    canvas?.addEventListener('webglcontextlost', this.handleLost as EventListener);
  }

  private readonly handleLost = (event: Event): void => {
    event.preventDefault();
    this.lostFlag = true;
    for (const f of this.lostListeners) f();
  };

  /** True once the GPU context is gone; every op then throws ContextLostError. */
  get lost(): boolean {
    return this.lostFlag || this.gl.isContextLost();
  }

  /** Calls f when the context is lost; returns an unsubscribe function. */
  onContextLost(f: () => void): () => void {
    this.lostListeners.add(f);
    return () => this.lostListeners.delete(f);
  }

  /** Forces a context loss through WEBGL_lose_context (tests and the page's "simulate" button). */
  loseContext(): boolean {
    const ext = this.gl.getExtension('WEBGL_lose_context');
    if (!ext) return false;
    ext.loseContext();
    return true;
  }

  gpuStats(): GpuStats {
    let pooledTextures = 0;
    let pooledBytes = 0;
    for (const list of this.pool.values()) {
      pooledTextures += list.length;
      for (const s of list) pooledBytes += s.bytes;
    }
    return {
      texturesCreated: this.texturesCreated,
      pooledTextures,
      pooledBytes,
      programsCompiled: this.programs.compiled,
      draws: this.draws,
      drawsByKernel: Object.fromEntries(this.drawsByKernel),
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
    this.checkShape('fromArray', shape);
    if (data.length !== sizeOf(shape)) {
      throw new EngineInputError(
        `fromArray: shape ${shapeString(shape)} needs ${sizeOf(shape)} values, got ${data.length}`,
      );
    }
    assertFinite(data, 'fromArray', shape);
    return this.upload(data, shape, true);
  }

  zeros(shape: Shape): Tensor {
    this.checkShape('zeros', shape);
    const out = this.alloc(shape, 'zeros', true, true);
    const gl = this.gl;
    this.attach(out.storage.texture);
    gl.viewport(0, 0, out.storage.width, out.storage.height);
    gl.clearBufferfv(gl.COLOR, 0, [0, 0, 0, 0]);
    return out;
  }

  writeRows(dst: Tensor, rowOffset: number, src: Tensor): void {
    const D = this.mat('writeRows', dst);
    const S = this.mat('writeRows', src);
    const [dr, dc] = D.shape;
    const [sr, sc] = S.shape;
    if (sc !== dc || !Number.isInteger(rowOffset) || rowOffset < 0 || rowOffset + sr > dr) {
      throw new EngineInputError(
        `writeRows: cannot write ${shapeString(S.shape)} at row ${rowOffset} of ${shapeString(D.shape)}`,
      );
    }
    // Draws into rows [rowOffset, rowOffset + sr) of dst only: one row per decoded token.
    this.draw(K.copyRows, [S], D, { off: rowOffset }, {}, [rowOffset, rowOffset + sr]);
  }

  rowsView(x: Tensor, rowCount: number): Tensor {
    const X = this.mat('rowsView', x);
    if (!Number.isInteger(rowCount) || rowCount < 1 || rowCount > X.shape[0]) {
      throw new EngineInputError(
        `rowsView: cannot view ${rowCount} rows of ${shapeString(X.shape)}`,
      );
    }
    const root = X.base ?? X;
    const layout: TextureLayout = { ...root.layout, rows: rowCount };
    return new WebGLTensor([rowCount, X.shape[1]], layout, root.storage, this, root);
  }

  sliceCols(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceCols', x);
    this.checkRange('sliceCols', X, start, end, X.shape[1]);
    const out = this.alloc([X.shape[0], end - start], 'sliceCols');
    this.draw(K.sliceCols, [X], out, { start, cols: end - start });
    return out;
  }

  sliceRows(x: Tensor, start: number, end: number): Tensor {
    const X = this.mat('sliceRows', x);
    this.checkRange('sliceRows', X, start, end, X.shape[0]);
    const out = this.alloc([end - start, X.shape[1]], 'sliceRows');
    this.draw(K.sliceRows, [X], out, { start });
    return out;
  }

  concatCols(parts: readonly Tensor[]): Tensor {
    if (parts.length === 0) throw new EngineInputError('concatCols: needs at least one tensor');
    const Ps = parts.map((p) => this.mat('concatCols', p));
    const r = Ps[0].shape[0];
    if (Ps.some((p) => p.shape[0] !== r)) {
      throw new EngineInputError(
        `concatCols: row counts differ: ${Ps.map((p) => shapeString(p.shape)).join(', ')}`,
      );
    }
    if (Ps.length === 1) return this.sliceCols(Ps[0], 0, Ps[0].shape[1]);
    // Left fold of two-way concatenations; the intermediate results go back to the pool.
    let acc = Ps[0];
    for (let i = 1; i < Ps.length; i++) {
      const next = this.alloc(
        [r, acc.shape[1] + Ps[i].shape[1]],
        'concatCols',
        i === Ps.length - 1,
      );
      this.draw(K.concat2, [acc, Ps[i]], next, {});
      if (i > 1) this.releaseInternal(acc);
      acc = next;
    }
    return acc;
  }

  transpose(x: Tensor): Tensor {
    const X = this.mat('transpose', x);
    const out = this.alloc([X.shape[1], X.shape[0]], 'transpose');
    this.draw(K.transpose, [X], out, {});
    return out;
  }

  // ---------------------------------------------------------------- linear algebra

  matmul(a: Tensor, b: Tensor, options: { transposeB?: boolean } = {}): Tensor {
    return this.linear(a, b, { transposeB: options.transposeB });
  }

  /**
   * a · b (or a · bᵀ) + bias, then an activation, fused into the matmul's epilogue (or into
   * the split-K reduction when the product is split). An extra op of this backend; models use
   * it through engine/models/ops.ts, which falls back to matmul + addBias + gelu elsewhere.
   */
  linear(
    a: Tensor,
    b: Tensor,
    options: { transposeB?: boolean; bias?: Tensor; activation?: Activation } = {},
  ): Tensor {
    const A = this.mat('matmul', a);
    const B = this.mat('matmul', b);
    const tB = options.transposeB === true;
    const [k, n] = tB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
    if (A.shape[1] !== k) {
      throw new EngineInputError(
        `matmul: inner dimensions differ: ${shapeString(A.shape)} · ${shapeString(B.shape)}${tB ? 'ᵀ' : ''}`,
      );
    }
    const bias = options.bias ? this.vector('matmul bias', options.bias, n) : undefined;
    const act = ACT_CODE[options.activation ?? 'none'];
    if (act === undefined)
      throw new EngineInputError(`matmul: unknown activation ${options.activation}`);
    const m = A.shape[0];
    if (m >= TILE_MIN_ROWS && this.tileable(m, n)) {
      return this.tiledProduct(A, B, m, n, { TRANS_B: tB ? 1 : 0 }, 1, bias, act, 'matmul');
    }
    return this.splitK(
      tB ? K.matmulNT : K.matmulNN,
      A,
      B,
      m,
      n,
      { headCols: 1 },
      bias,
      act,
      'matmul',
      tB ? {} : { K_ALIGNED: k % 4 === 0 ? 1 : 0 },
    );
  }

  headBlockMatmul(u: Tensor, w: Tensor, heads: number): Tensor {
    return this.headProduct('headBlockMatmul', u, w, heads);
  }

  /**
   * Runs a packed product with split-K: when the output has too few texels to fill the GPU
   * (one-row GEMV in decode, p·V with few heads), the reduction is cut into chunks whose partial
   * sums land in separate rows, then one more pass adds them (and the fused epilogue).
   */
  private splitK(
    spec: K.KernelSpec,
    A: WebGLTensor,
    B: WebGLTensor,
    m: number,
    n: number,
    uniforms: Record<string, number>,
    bias: WebGLTensor | undefined,
    act: number,
    op: string,
    defines: Record<string, number> = {},
  ): Tensor {
    const { splits, kChunk } = this.splitCount(m * Math.ceil(n / 4), A.layout.texW);
    const fused = { BIAS: bias ? 1 : 0, ACT: act };
    const hasEpilogue = spec.defines && 'BIAS' in spec.defines;
    const inputs = spec.inputs.length === 3 ? [A, B, bias ?? A] : [A, B];
    const out = this.alloc([m, n], op);
    if (splits === 1) {
      if (!hasEpilogue && (bias || act)) throw new EngineInputError(`${op}: no fused epilogue`);
      this.draw(
        spec,
        inputs,
        out,
        { ...uniforms, m, kChunk },
        { ...defines, ...(hasEpilogue ? fused : {}) },
      );
      return out;
    }
    const partial = this.alloc([splits * m, n], `${op} (split-K partial sums)`, false);
    this.draw(
      spec,
      inputs,
      partial,
      { ...uniforms, m, kChunk },
      { ...defines, ...(hasEpilogue ? { BIAS: 0, ACT: 0 } : {}) },
    );
    this.draw(K.reduceSplits, [partial, bias ?? partial], out, { m, splits }, fused);
    this.releaseInternal(partial);
    return out;
  }

  /** Split-K chunk count: enough chunks that `parallel` fragments × chunks fill the GPU. */
  private splitCount(parallel: number, kTex: number): { splits: number; kChunk: number } {
    const minChunk = 16;
    let splits = 1;
    if (parallel < this.parallelTexels && kTex >= 2 * minChunk) {
      splits = Math.min(Math.ceil(this.parallelTexels / parallel), Math.floor(kTex / minChunk));
    }
    const kChunk = Math.ceil(kTex / splits);
    return { splits: Math.ceil(kTex / kChunk), kChunk };
  }

  /** The row-block targets of matmulTiled must be plain (unfolded) textures. */
  private tileable(m: number, n: number): boolean {
    return (
      Math.ceil(n / 4) <= this.maxTextureSize && Math.ceil(m / this.tileRows) <= this.maxTextureSize
    );
  }

  /**
   * A product by the register-tiled kernel: matmulTiled writes blocks of tileRows × 4 values
   * (per K-chunk when split) into tileRows row-block textures, then unblockRows restores row
   * order, sums the chunks and applies the fused bias and activation.
   */
  private tiledProduct(
    A: WebGLTensor,
    B: WebGLTensor,
    m: number,
    n: number,
    defines: Record<string, number>,
    headCols: number,
    bias: WebGLTensor | undefined,
    act: number,
    op: string,
  ): Tensor {
    const kTex = A.layout.texW;
    const k = A.shape[1];
    const tile = this.tileRows;
    const blockRows = Math.ceil(m / tile);
    let { splits, kChunk } = this.splitCount(blockRows * Math.ceil(n / 4), kTex);
    // Block rows of all chunks must fit one texture's height.
    if (splits * blockRows > this.maxTextureSize) {
      splits = Math.max(1, Math.floor(this.maxTextureSize / blockRows));
      kChunk = Math.ceil(kTex / splits);
      splits = Math.ceil(kTex / kChunk);
    }
    const parts = Array.from({ length: tile }, (_, i) =>
      this.alloc([splits * blockRows, n], `${op} (row block ${i})`, false),
    );
    this.draw(
      this.tiledKernel,
      [A, B],
      parts,
      { m, blockRows, kChunk, headCols },
      // BLOCK_ROWS is passed, not only in the spec: it is part of the program cache key.
      { BLOCK_ROWS: tile, K_ALIGNED: k % 4 === 0 ? 1 : 0, ...defines },
    );
    const out = this.alloc([m, n], op);
    // unblockRows always declares 8 targets; with 4-row tiles the last 4 are never read.
    const inputs = [...parts, ...parts].slice(0, 8);
    this.draw(
      K.unblockRows,
      [...inputs, bias ?? parts[0]],
      out,
      { blockRows, splits },
      { BLOCK_ROWS: tile, BIAS: bias ? 1 : 0, ACT: act },
    );
    for (const p of parts) this.releaseInternal(p);
    return out;
  }

  private headProduct(op: string, u: Tensor, w: Tensor, heads: number): Tensor {
    const U = this.mat(op, u);
    const W = this.mat(op, w);
    const [ur, uc] = U.shape;
    const [wr, wc] = W.shape;
    if (!Number.isInteger(heads) || heads < 1 || ur % heads || wc % heads || uc !== wr) {
      throw new EngineInputError(
        `${op}: u ${shapeString(U.shape)} and w ${shapeString(W.shape)} do not fit ${heads} heads`,
      );
    }
    const m = ur / heads;
    const dOut = wc / heads;
    if (dOut % 4 === 0 && m >= TILE_MIN_ROWS && this.tileable(m, wc)) {
      return this.tiledProduct(U, W, m, wc, { HEAD_ROWS: 1 }, dOut, undefined, 0, op);
    }
    if (dOut % 4 === 0) {
      return this.splitK(K.matmulNN, U, W, m, wc, { headCols: dOut }, undefined, 0, op, {
        HEAD_ROWS: 1,
      });
    }
    return this.splitK(K.headMatmulLanes, U, W, m, wc, { headCols: dOut }, undefined, 0, op);
  }

  // ---------------------------------------------------------------- elementwise and normalisation

  add(a: Tensor, b: Tensor): Tensor {
    return this.zip('add', a, b, 0);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return this.zip('mul', a, b, 1);
  }

  addBias(x: Tensor, bias: Tensor): Tensor {
    const X = this.mat('addBias', x);
    const b = this.vector('addBias', bias, X.shape[1]);
    const out = this.alloc(X.shape, 'addBias');
    this.draw(K.elementwise, [X, b], out, { f: 0 }, { OP: 3 });
    return out;
  }

  scale(x: Tensor, factor: number): Tensor {
    const X = this.arg('scale', x);
    if (!Number.isFinite(factor))
      throw new EngineInputError(`scale: factor must be finite, got ${factor}`);
    const out = this.alloc(X.shape, 'scale');
    this.draw(K.elementwise, [X, X], out, { f: factor }, { OP: 2 });
    return out;
  }

  gelu(x: Tensor): Tensor {
    return this.unary('gelu', x, 1);
  }

  silu(x: Tensor): Tensor {
    return this.unary('silu', x, 2);
  }

  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
    return this.norm('layerNorm', x, gamma, beta, eps);
  }

  rmsNorm(x: Tensor, gamma: Tensor, eps: number): Tensor {
    return this.norm('rmsNorm', x, gamma, undefined, eps);
  }

  softmax(x: Tensor, options: { causalOffset?: number } = {}): Tensor {
    const X = this.mat('softmax', x);
    const causal = this.causal('softmax', options.causalOffset);
    return this.softmaxRows(X, causal, X.shape[0], 'softmax', true);
  }

  rope(x: Tensor, options: RopeOptions): Tensor {
    const X = this.mat('rope', x);
    const [r, c] = X.shape;
    const { heads, positionOffset, pairing, base } = options;
    const headDim = c / heads;
    const rotaryDim = options.rotaryDim ?? headDim;
    if (!Number.isInteger(heads) || heads < 1 || !Number.isInteger(headDim)) {
      throw new EngineInputError(`rope: ${c} columns do not split into ${heads} heads`);
    }
    if (!Number.isInteger(rotaryDim) || rotaryDim < 2 || rotaryDim % 2 || rotaryDim > headDim) {
      throw new EngineInputError(
        `rope: rotaryDim must be even and in [2, ${headDim}], got ${rotaryDim}`,
      );
    }
    if (
      !Number.isInteger(positionOffset) ||
      positionOffset < 0 ||
      !(base > 0) ||
      !Number.isFinite(base)
    ) {
      throw new EngineInputError(`rope: bad positionOffset ${positionOffset} or base ${base}`);
    }
    if (pairing !== 'half' && pairing !== 'interleaved') {
      throw new EngineInputError(`rope: unknown pairing '${String(pairing)}'`);
    }
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
    const out = this.alloc(X.shape, 'rope');
    this.draw(
      K.rope,
      [X, T],
      out,
      { headDim, rotaryDim, sign: options.inverse ? -1 : 1 },
      { PAIRING: pairing === 'half' ? 0 : 1 },
    );
    this.releaseInternal(T);
    return out;
  }

  gather(table: Tensor, ids: ArrayLike<number>): Tensor {
    const T = this.mat('gather', table);
    if (ids.length === 0) throw new EngineInputError('gather: needs at least one id');
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= T.shape[0]) {
        throw new EngineInputError(`gather: id ${id} at index ${i} is outside [0, ${T.shape[0]})`);
      }
    }
    // Ids up to 2^24 are exact in float32; MAX_TEXTURE_SIZE² rows is far below that bound.
    const I = this.upload(ids, [ids.length, 1], false);
    const out = this.alloc([ids.length, T.shape[1]], 'gather');
    this.draw(K.gather, [T, I], out, {});
    this.releaseInternal(I);
    return out;
  }

  argmax(x: Tensor): Tensor {
    const X = this.mat('argmax', x);
    const [r] = X.shape;
    const chunk = this.chunkTexels(r, X.layout.texW, 32);
    const chunks = Math.ceil(X.layout.texW / chunk);
    const partial = this.alloc([r, 4 * chunks], 'argmax (chunks)', false);
    this.draw(K.argmaxChunk, [X], partial, { chunk });
    const out = this.alloc([r, 1], 'argmax');
    this.draw(K.argmaxCombine, [partial], out, {});
    this.releaseInternal(partial);
    return out;
  }

  // ---------------------------------------------------------------- attention building blocks

  attnProbs(q: Tensor, k: Tensor, options: AttnProbsOptions): Tensor {
    const Q = this.mat('attnProbs', q);
    const Kt = this.mat('attnProbs', k);
    const { heads, scale } = options;
    const [m, qc] = Q.shape;
    const [n, kc] = Kt.shape;
    if (!Number.isInteger(heads) || heads < 1 || qc !== kc || qc % heads) {
      throw new EngineInputError(
        `attnProbs: q ${shapeString(Q.shape)} and k ${shapeString(Kt.shape)} do not fit ${heads} heads`,
      );
    }
    if (!Number.isFinite(scale))
      throw new EngineInputError(`attnProbs: scale must be finite, got ${scale}`);
    const causal = this.causal('attnProbs', options.causalOffset);
    const headDim = qc / heads;
    const scores = this.alloc([heads * m, n], 'attnProbs (scores)', false);
    this.draw(
      K.attnScores,
      [Q, Kt],
      scores,
      { m, headDim, scale },
      { PACKED_HEADS: headDim % 4 === 0 ? 1 : 0 },
    );
    const out = this.softmaxRows(scores, causal, m, 'attnProbs', true);
    this.releaseInternal(scores);
    return out;
  }

  attnWeightedSum(p: Tensor, v: Tensor, heads: number): Tensor {
    const P = this.mat('attnWeightedSum', p);
    const V = this.mat('attnWeightedSum', v);
    if (P.shape[1] !== V.shape[0]) {
      throw new EngineInputError(
        `attnWeightedSum: p ${shapeString(P.shape)} and v ${shapeString(V.shape)} do not fit ${heads} heads (p [heads·m, n], v [n, heads·d_v])`,
      );
    }
    // Σ_j p_ij v_j per head is the same block-diagonal product as slim option 2's u · W_KV.
    return this.headProduct('attnWeightedSum', P, V, heads);
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
    return { liveTensors: this.live.size, liveBytes: this.liveBytes };
  }

  /** Frees pooled textures and buffers; the backend stays usable. */
  dispose(): void {
    const gl = this.gl;
    for (const list of this.pool.values()) for (const s of list) gl.deleteTexture(s.texture);
    this.pool.clear();
    for (const list of this.pboPool.values()) for (const b of list) gl.deleteBuffer(b);
    this.pboPool.clear();
  }

  /** Frees everything, live tensors included, and stops listening to the canvas. */
  destroy(): void {
    this.dispose();
    for (const t of [...this.live]) this.gl.deleteTexture(t.storage.texture);
    this.live.clear();
    this.liveBytes = 0;
    this.programs.dispose();
    this.gl.deleteFramebuffer(this.fbo);
    this.gl.deleteFramebuffer(this.fboBlocks);
    this.canvas?.removeEventListener('webglcontextlost', this.handleLost as EventListener);
    this.disposedFlag = true;
  }

  // ---------------------------------------------------------------- readback (WebGLTensorOwner)

  /**
   * Asynchronous readback: readPixels into a pixel-pack buffer, a fence, then poll the fence
   * from the event loop; the values are copied out only once the GPU has finished, so the
   * caller never blocks on the GPU.
   */
  async readTensor(t: WebGLTensor): Promise<Float32Array> {
    this.checkAlive('read');
    const gl = this.gl;
    const L = t.layout;
    const [y0, y1] = pixelRowsOf(L, 0, L.rows);
    const byteLength = L.width * (y1 - y0) * 16;
    const pbo = this.pboPool.get(byteLength)?.pop() ?? gl.createBuffer();
    if (!pbo) throw new ContextLostError();
    this.attach(t.storage.texture);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, byteLength, gl.STREAM_READ);
    gl.readPixels(0, y0, L.width, y1 - y0, gl.RGBA, gl.FLOAT, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    try {
      await this.waitFence(fence);
      const texels = new Float32Array(byteLength / 4);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, texels);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      const list = this.pboPool.get(byteLength) ?? [];
      list.push(pbo);
      this.pboPool.set(byteLength, list);
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
    } finally {
      if (!gl.isContextLost()) gl.deleteSync(fence);
    }
  }

  private waitFence(fence: WebGLSync | null): Promise<void> {
    const gl = this.gl;
    return new Promise((resolve, reject) => {
      const poll = (): void => {
        if (this.lost) return reject(new ContextLostError());
        const status = gl.clientWaitSync(fence as WebGLSync, 0, 0);
        if (status === gl.WAIT_FAILED)
          return reject(new ContextLostError('read: GPU fence wait failed'));
        if (status === gl.TIMEOUT_EXPIRED) {
          setTimeout(poll, 0);
          return;
        }
        resolve();
      };
      poll();
    });
  }

  releaseTensor(t: WebGLTensor): void {
    if (!this.live.delete(t)) return;
    this.liveBytes -= t.storage.bytes;
    this.scopes.untrack(t);
    if (this.disposedFlag) return;
    const key = `${t.storage.width}x${t.storage.height}`;
    const list = this.pool.get(key) ?? [];
    list.push(t.storage);
    this.pool.set(key, list);
  }

  // ---------------------------------------------------------------- helpers

  private checkAlive(op: string): void {
    if (this.disposedFlag) throw new EngineInputError(`${op}: the WebGL backend was destroyed`);
    if (this.lost)
      throw new ContextLostError(`${op}: the WebGL context was lost; rebuild the engine`);
  }

  /**
   * A pooled texture for `shape`, as a tensor (tracked by scopes when `tracked`). Computed
   * results get textures rounded up to powers of two, so a temporary whose width follows the
   * context length (scores [h, n]) reuses one texture until n doubles: a warm decode step creates
   * no GL objects. Uploads and caches (`exact`) get their exact size: weights are large.
   */
  private alloc(shape: Shape, what: string, tracked = true, exact = false): WebGLTensor {
    this.checkAlive(what);
    const layout = layoutFor(shape, this.maxTextureSize, what);
    const bucket = (v: number): number =>
      exact ? v : Math.min(this.maxTextureSize, 2 ** Math.ceil(Math.log2(v)));
    // A folded layout's row stride is its width: only its height may be rounded.
    const width = layout.simple ? bucket(layout.width) : layout.width;
    const height = Math.max(layout.height, bucket(layout.height));
    const key = `${width}x${height}`;
    let storage = this.pool.get(key)?.pop();
    if (!storage) {
      const gl = this.gl;
      const texture = gl.createTexture();
      if (!texture) throw new ContextLostError(`${what}: createTexture failed`);
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, width, height);
      for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER])
        gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
      for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T])
        gl.texParameteri(gl.TEXTURE_2D, p, gl.CLAMP_TO_EDGE);
      gl.bindTexture(gl.TEXTURE_2D, null);
      storage = { texture, width, height, bytes: width * height * 16 };
      this.texturesCreated++;
    }
    const t = new WebGLTensor([...shape], layout, storage, this);
    this.live.add(t);
    this.liveBytes += storage.bytes;
    if (tracked) this.scopes.track(t);
    return t;
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

  private attach(texture: WebGLTexture): void {
    const gl = this.gl;
    if (this.attached === texture) return;
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    this.attached = texture;
  }

  /** Binds the multi-target framebuffer with these textures (same size: one viewport for all). */
  private attachBlocks(outs: readonly WebGLTensor[]): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fboBlocks);
    outs.forEach((o, i) => {
      if (this.attachedBlocks[i] === o.storage.texture) return;
      gl.framebufferTexture2D(
        gl.FRAMEBUFFER,
        gl.COLOR_ATTACHMENT0 + i,
        gl.TEXTURE_2D,
        o.storage.texture,
        0,
      );
      this.attachedBlocks[i] = o.storage.texture;
    });
  }

  /**
   * One kernel launch: a triangle over the output's pixel rows that hold logical rows [r0, r1).
   * `target` is one tensor, or `outputs` same-shaped tensors for a kernel with several.
   */
  private draw(
    spec: K.KernelSpec,
    inputs: readonly WebGLTensor[],
    target: WebGLTensor | readonly WebGLTensor[],
    uniforms: Record<string, number>,
    defines: Record<string, number> = {},
    rowRange?: [number, number],
  ): void {
    this.checkAlive(spec.name);
    const gl = this.gl;
    const outs = Array.isArray(target) ? target : [target as WebGLTensor];
    const out = outs[0];
    rowRange ??= [0, out.layout.rows];
    if (inputs.length !== spec.inputs.length)
      throw new Error(`kernel ${spec.name}: wrong input count`);
    if (outs.length !== (spec.outputs ?? 1))
      throw new Error(`kernel ${spec.name}: wrong output count`);
    for (const x of inputs) {
      if (outs.some((o) => o.storage === x.storage)) {
        throw new EngineInputError(
          `${spec.name}: an input is also the output (WebGL feedback loop)`,
        );
      }
    }
    const p = this.programs.get(
      spec,
      defines,
      inputs.map((x) => x.layout),
      out.layout,
    );
    gl.useProgram(p.program);
    // The output is detached from every texture unit before drawing into it (no feedback).
    if (outs.length === 1) this.attach(out.storage.texture);
    else this.attachBlocks(outs);
    const [y0, y1] = pixelRowsOf(out.layout, rowRange[0], rowRange[1]);
    gl.viewport(0, y0, out.layout.width, y1 - y0);
    inputs.forEach((x, i) => {
      const name = spec.inputs[i];
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, x.storage.texture);
      const loc = p.locations.get(name);
      if (loc) gl.uniform1i(loc, i);
      const l = p.locations.get(`${name}_l`);
      if (l) gl.uniform4i(l, x.layout.texW, x.layout.width, x.layout.cols, x.layout.rows);
    });
    const o = out.layout;
    gl.uniform4i(p.locations.get('u_out') ?? null, o.texW, o.width, o.cols, o.rows);
    gl.uniform2i(p.locations.get('u_rows') ?? null, rowRange[0], rowRange[1]);
    for (const [k, type] of Object.entries(spec.uniforms)) {
      const v = uniforms[k];
      if (v === undefined) throw new Error(`kernel ${spec.name}: uniform ${k} not set`);
      setUniform(gl, p.locations.get(`u_${k}`) ?? null, type, v);
    }
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    if (outs.length > 1) gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
    // Unbind inputs so a later draw may render into one of these textures.
    inputs.forEach((_, i) => {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, null);
    });
    this.draws++;
    this.drawsByKernel.set(spec.name, (this.drawsByKernel.get(spec.name) ?? 0) + 1);
  }

  /** Texels per chunk of a row reduction: enough chunks that rows·chunks fills the GPU. */
  private chunkTexels(rows: number, texW: number, minChunk: number): number {
    const wanted = Math.max(1, Math.ceil(this.parallelTexels / rows));
    return Math.max(minChunk, Math.ceil(texW / wanted));
  }

  /** Softmax of each row with the flash-decoding split: chunk stats, combine, apply. */
  private softmaxRows(
    X: WebGLTensor,
    causal: number,
    maskRows: number,
    op: string,
    tracked: boolean,
  ): WebGLTensor {
    const [r, n] = X.shape;
    const chunk = this.chunkTexels(r, X.layout.texW, 8);
    const chunks = Math.ceil(X.layout.texW / chunk);
    const mask = { causal, maskRows };
    const chunkStats = this.alloc([r, 4 * chunks], `${op} (chunk stats)`, false);
    this.draw(K.softmaxChunkStats, [X], chunkStats, { chunk, ...mask });
    let stats = chunkStats;
    if (chunks > 1) {
      stats = this.alloc([r, 4], `${op} (row stats)`, false);
      this.draw(K.softmaxCombine, [chunkStats], stats, {});
      this.releaseInternal(chunkStats);
    }
    const out = this.alloc([r, n], op, tracked);
    this.draw(K.softmaxApply, [X, stats], out, mask);
    this.releaseInternal(stats);
    return out;
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
    if (!(eps >= 0) || !Number.isFinite(eps))
      throw new EngineInputError(`${op}: eps must be ≥ 0 and finite, got ${eps}`);
    const rms = beta ? 0 : 1;
    const stats = this.alloc([X.shape[0], 4], `${op} (stats)`, false);
    this.draw(K.normStats, [X], stats, { eps }, { RMS: rms });
    const out = this.alloc(X.shape, op);
    this.draw(K.normApply, [X, stats, g, b], out, {}, { RMS: rms });
    this.releaseInternal(stats);
    return out;
  }

  private unary(op: string, x: Tensor, act: number): Tensor {
    const X = this.arg(op, x);
    const out = this.alloc(X.shape, op);
    this.draw(K.elementwise, [X, X], out, { f: 0 }, { OP: 4, ACT: act });
    return out;
  }

  private zip(op: string, a: Tensor, b: Tensor, code: number): Tensor {
    const A = this.arg(op, a);
    const B = this.arg(op, b);
    if (A.shape.length !== B.shape.length || A.shape.some((s, i) => s !== B.shape[i])) {
      throw new EngineInputError(
        `${op}: shapes differ: ${shapeString(A.shape)} and ${shapeString(B.shape)}`,
      );
    }
    const out = this.alloc(A.shape, op);
    this.draw(K.elementwise, [A, B], out, { f: 0 }, { OP: code });
    return out;
  }

  private causal(op: string, causalOffset: number | undefined): number {
    if (causalOffset === undefined) return -1;
    if (!Number.isInteger(causalOffset)) {
      throw new EngineInputError(`${op}: causalOffset must be an integer, got ${causalOffset}`);
    }
    if (causalOffset < 0) {
      throw new EngineInputError(`${op}: row 0 sees no column with causalOffset ${causalOffset}`);
    }
    return causalOffset;
  }

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
    if (x.shape.length !== 2) {
      throw new EngineInputError(`${op}: expected a 2-D tensor, got shape ${shapeString(x.shape)}`);
    }
    return x;
  }

  private vector(op: string, t: Tensor, n: number): WebGLTensor {
    const v = this.arg(op, t);
    const ok =
      (v.shape.length === 1 && v.shape[0] === n) ||
      (v.shape.length === 2 && v.shape[0] === 1 && v.shape[1] === n);
    if (!ok) {
      throw new EngineInputError(
        `${op}: expected a vector of length ${n}, got shape ${shapeString(v.shape)}`,
      );
    }
    return v;
  }

  private checkShape(op: string, shape: Shape): void {
    if (
      (shape.length !== 1 && shape.length !== 2) ||
      !shape.every((s) => Number.isInteger(s) && s >= 1)
    ) {
      throw new EngineInputError(
        `${op}: shape must be 1-D or 2-D with positive integer sizes on WebGL, got ${shapeString(shape)}`,
      );
    }
  }

  private checkRange(op: string, X: WebGLTensor, start: number, end: number, size: number): void {
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      start >= end ||
      end > size
    ) {
      throw new EngineInputError(
        `${op}: range [${start}, ${end}) is not inside [0, ${size}) of ${shapeString(X.shape)}`,
      );
    }
  }
}
