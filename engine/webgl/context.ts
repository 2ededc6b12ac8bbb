/**
 * The WebGL2 context of a backend: creation (with the reasons it can be unavailable), the
 * capabilities the engine needs, and context loss (reported once, after which every op throws).
 */
import { EngineInputError } from '../tensor';

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

export interface ContextOptions {
  /** A canvas to draw with; by default an OffscreenCanvas (works in workers) or a DOM canvas. */
  canvas?: HTMLCanvasElement | OffscreenCanvas;
  /** An existing context (tests inject one). */
  gl?: WebGL2RenderingContext | null;
  /** Test hook: pretend an extension is missing, to exercise the CPU fallback. */
  simulateMissing?: 'webgl2' | 'EXT_color_buffer_float';
  /** Lowers MAX_TEXTURE_SIZE (tests hit the limit without huge allocations). */
  maxTextureSize?: number;
}

type Canvas = HTMLCanvasElement | OffscreenCanvas;

function createGl(options: ContextOptions): { gl: WebGL2RenderingContext; canvas: Canvas | null } {
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

/** A WebGL2 context able to render to float32 textures, and its loss. */
export class GpuContext {
  readonly gl: WebGL2RenderingContext;
  readonly maxTextureSize: number;
  readonly renderer: string;
  /** Colour attachments one draw may write (WebGL2 guarantees 4; most GPUs offer 8). */
  readonly maxDrawTargets: number;
  private readonly canvas: Canvas | null;
  private lostFlag = false;
  private destroyedFlag = false;
  private readonly lostListeners = new Set<() => void>();

  constructor(options: ContextOptions = {}) {
    const { gl, canvas } = createGl(options);
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
    this.maxDrawTargets = Math.min(
      gl.getParameter(gl.MAX_DRAW_BUFFERS) as number,
      gl.getParameter(gl.MAX_COLOR_ATTACHMENTS) as number,
    );
    canvas?.addEventListener('webglcontextlost', this.handleLost as EventListener);
  }

  private readonly handleLost = (event: Event): void => {
    event.preventDefault();
    this.lostFlag = true;
    for (const f of this.lostListeners) f();
  };

  /** True once the GPU context is gone. */
  get lost(): boolean {
    return this.lostFlag || this.gl.isContextLost();
  }

  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  /** Calls f when the context is lost; returns an unsubscribe function. */
  onLost(f: () => void): () => void {
    this.lostListeners.add(f);
    return () => this.lostListeners.delete(f);
  }

  /** Forces a context loss through WEBGL_lose_context. */
  lose(): boolean {
    const ext = this.gl.getExtension('WEBGL_lose_context');
    if (!ext) return false;
    ext.loseContext();
    return true;
  }

  /** Throws unless ops may still run: not destroyed, context not lost. */
  checkAlive(op: string): void {
    if (this.destroyedFlag) throw new EngineInputError(`${op}: the WebGL backend was destroyed`);
    if (this.lost)
      throw new ContextLostError(`${op}: the WebGL context was lost; rebuild the engine`);
  }

  /** Stops listening to the canvas; the context is no longer used. */
  destroy(): void {
    this.canvas?.removeEventListener('webglcontextlost', this.handleLost as EventListener);
    this.destroyedFlag = true;
  }
}
