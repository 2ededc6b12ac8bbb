/**
 * GPU storage of the WebGL backend: RGBA32F textures pooled by size, and the pixel-pack buffers
 * (PBOs) of asynchronous readback, pooled by byte length. Once a decode step has run, the next
 * one creates no GL objects (gpuStats().texturesCreated stays put).
 */
import { ContextLostError, type GpuContext } from './context';
import type { TextureStorage } from './tensor';

export class TexturePool {
  private readonly free = new Map<string, TextureStorage[]>();
  /** GL textures created since the pool was made. */
  created = 0;

  constructor(private readonly ctx: GpuContext) {}

  /** A pooled width×height texture, or a new one. */
  acquire(width: number, height: number, what: string): TextureStorage {
    const reused = this.free.get(`${width}x${height}`)?.pop();
    if (reused) return reused;
    const gl = this.ctx.gl;
    const texture = gl.createTexture();
    if (!texture) throw new ContextLostError(`${what}: createTexture failed`);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, width, height);
    for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER])
      gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
    for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T])
      gl.texParameteri(gl.TEXTURE_2D, p, gl.CLAMP_TO_EDGE);
    gl.bindTexture(gl.TEXTURE_2D, null);
    this.created++;
    return { texture, width, height, bytes: width * height * 16 };
  }

  /** Back to the pool, for the next texture of the same size. */
  release(storage: TextureStorage): void {
    const key = `${storage.width}x${storage.height}`;
    const list = this.free.get(key) ?? [];
    list.push(storage);
    this.free.set(key, list);
  }

  stats(): { pooledTextures: number; pooledBytes: number } {
    let pooledTextures = 0;
    let pooledBytes = 0;
    for (const list of this.free.values()) {
      pooledTextures += list.length;
      for (const s of list) pooledBytes += s.bytes;
    }
    return { pooledTextures, pooledBytes };
  }

  /** Deletes the pooled textures (not the ones in use). */
  dispose(): void {
    for (const list of this.free.values())
      for (const s of list) this.ctx.gl.deleteTexture(s.texture);
    this.free.clear();
  }
}

/**
 * Asynchronous readback: readPixels into a pixel-pack buffer, a fence, then the fence polled
 * from the event loop; the values are copied out only once the GPU has finished, so the caller
 * never blocks on the GPU. The buffer goes back to the pool however the read ends.
 */
export class ReadbackPool {
  private readonly free = new Map<number, WebGLBuffer[]>();

  constructor(private readonly ctx: GpuContext) {}

  /**
   * Texels of pixel rows [y0, y1), width pixels wide, of the framebuffer `bindSource` binds for
   * reading (4 floats per pixel).
   */
  async read(width: number, y0: number, y1: number, bindSource: () => void): Promise<Float32Array> {
    const gl = this.ctx.gl;
    const byteLength = width * (y1 - y0) * 16;
    const pbo = this.free.get(byteLength)?.pop() ?? gl.createBuffer();
    if (!pbo) throw new ContextLostError();
    try {
      bindSource();
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
      gl.bufferData(gl.PIXEL_PACK_BUFFER, byteLength, gl.STREAM_READ);
      gl.readPixels(0, y0, width, y1 - y0, gl.RGBA, gl.FLOAT, 0);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
      gl.flush();
      try {
        await this.waitFence(fence);
        const texels = new Float32Array(byteLength / 4);
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
        gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, texels);
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
        return texels;
      } finally {
        if (!gl.isContextLost()) gl.deleteSync(fence);
      }
    } finally {
      // Also when the fence wait rejects (a lost context): the buffer is never leaked.
      this.give(byteLength, pbo);
    }
  }

  /** Buffers waiting in the pool. */
  get pooled(): number {
    let n = 0;
    for (const list of this.free.values()) n += list.length;
    return n;
  }

  dispose(): void {
    for (const list of this.free.values()) for (const b of list) this.ctx.gl.deleteBuffer(b);
    this.free.clear();
  }

  private give(byteLength: number, pbo: WebGLBuffer): void {
    if (this.ctx.destroyed) {
      this.ctx.gl.deleteBuffer(pbo);
      return;
    }
    const list = this.free.get(byteLength) ?? [];
    list.push(pbo);
    this.free.set(byteLength, list);
  }

  private waitFence(fence: WebGLSync | null): Promise<void> {
    const gl = this.ctx.gl;
    return new Promise((resolve, reject) => {
      const poll = (): void => {
        if (this.ctx.lost) return reject(new ContextLostError());
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
}
