/**
 * Kernel launches of the WebGL backend: the framebuffers, the program cache, and `draw`, one
 * full-screen triangle over the output's pixel rows with the inputs bound as textures.
 */
import { EngineInputError } from '../tensor';
import { WebGLUnavailableError, type GpuContext } from './context';
import type { KernelSpec } from './kernels';
import { pixelRowsOf } from './layout';
import { ProgramCache, foldUniform, setUniform } from './program';
import type { WebGLTensor } from './tensor';

export class Dispatcher {
  /** Output rows per fragment of the tiled matmul (one render target each). */
  readonly tileRows: 4 | 8;
  readonly programs: ProgramCache;
  draws = 0;
  /** Draws per kernel name (which code path an op took). */
  readonly drawsByKernel = new Map<string, number>();
  private readonly fbo: WebGLFramebuffer;
  private attached: WebGLTexture | null = null;
  /** A second framebuffer with `tileRows` colour attachments, for the tiled matmul. */
  private readonly fboBlocks: WebGLFramebuffer;
  private readonly attachedBlocks: (WebGLTexture | null)[];

  constructor(
    private readonly ctx: GpuContext,
    tileRows: 4 | 8 | undefined,
    /** Test hook: every draw of this kernel throws (temporaries must still be freed). */
    private readonly faultyKernel?: string,
  ) {
    const gl = ctx.gl;
    this.programs = new ProgramCache(gl);
    const fbo = gl.createFramebuffer();
    const fboBlocks = gl.createFramebuffer();
    if (!fbo || !fboBlocks)
      throw new WebGLUnavailableError('context-failed', 'createFramebuffer failed');
    this.fbo = fbo;
    this.fboBlocks = fboBlocks;
    // WebGL2 guarantees 4 draw buffers; most GPUs (SwiftShader too) offer 8.
    this.tileRows = tileRows ?? (ctx.maxDrawTargets >= 8 ? 8 : 4);
    if (this.tileRows > ctx.maxDrawTargets) {
      throw new EngineInputError(
        `tileRows ${this.tileRows}: this GPU has ${ctx.maxDrawTargets} targets`,
      );
    }
    this.attachedBlocks = new Array<WebGLTexture | null>(this.tileRows).fill(null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, fboBlocks);
    gl.drawBuffers(this.attachedBlocks.map((_, i) => gl.COLOR_ATTACHMENT0 + i));
    gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
    for (const cap of [gl.DEPTH_TEST, gl.BLEND, gl.DITHER, gl.SCISSOR_TEST, gl.CULL_FACE])
      gl.disable(cap);
  }

  /** Makes texture the single colour attachment (the target of draws and of readPixels). */
  attach(texture: WebGLTexture): void {
    const gl = this.ctx.gl;
    if (this.attached === texture) return;
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    this.attached = texture;
  }

  /** Fills a whole tensor's texture with zeros. */
  clear(t: WebGLTensor): void {
    const gl = this.ctx.gl;
    this.attach(t.storage.texture);
    gl.viewport(0, 0, t.storage.width, t.storage.height);
    gl.clearBufferfv(gl.COLOR, 0, [0, 0, 0, 0]);
  }

  /**
   * One kernel launch: a triangle over the output's pixel rows that hold logical rows [r0, r1).
   * `target` is one tensor, or `outputs` same-shaped tensors for a kernel with several.
   */
  draw(
    spec: KernelSpec,
    inputs: readonly WebGLTensor[],
    target: WebGLTensor | readonly WebGLTensor[],
    uniforms: Record<string, number>,
    defines: Record<string, number> = {},
    rowRange?: [number, number],
  ): void {
    this.ctx.checkAlive(spec.name);
    if (spec.name === this.faultyKernel) throw new Error(`kernel ${spec.name}: injected fault`);
    const gl = this.ctx.gl;
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
      const f = p.locations.get(`${name}_f`);
      if (f) gl.uniform3i(f, ...foldUniform(x.layout));
      const v = p.locations.get(`${name}_v`);
      if (v) gl.uniform2i(v, x.layout.colOffset ?? 0, x.layout.rowStride);
    });
    const o = out.layout;
    gl.uniform4i(p.locations.get('u_out') ?? null, o.texW, o.width, o.cols, o.rows);
    gl.uniform3i(p.locations.get('u_outF') ?? null, ...foldUniform(o));
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

  destroy(): void {
    this.programs.dispose();
    this.ctx.gl.deleteFramebuffer(this.fbo);
    this.ctx.gl.deleteFramebuffer(this.fboBlocks);
  }

  /** Binds the multi-target framebuffer with these textures (same size: one viewport for all). */
  private attachBlocks(outs: readonly WebGLTensor[]): void {
    const gl = this.ctx.gl;
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
}
