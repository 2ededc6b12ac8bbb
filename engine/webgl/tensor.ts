import { EngineInputError, shapeString, type Shape, type Tensor } from '../tensor';
import type { TextureLayout } from './layout';

/** One RGBA32F texture; pooled by size once its tensor is disposed. */
export interface TextureStorage {
  readonly texture: WebGLTexture;
  readonly width: number;
  readonly height: number;
  /** width · height · 4 channels · 4 bytes */
  readonly bytes: number;
}

export interface WebGLTensorOwner {
  readTensor(t: WebGLTensor): Promise<Float32Array>;
  releaseTensor(t: WebGLTensor): void;
}

/**
 * A float32 tensor in a texture. A view (rowsView) shares its base's texture with fewer rows;
 * disposing a view is a no-op and a view is dead once its base is.
 */
export class WebGLTensor implements Tensor {
  readonly backendName = 'webgl';
  readonly dtype = 'float32' as const;
  private released = false;

  constructor(
    readonly shape: Shape,
    readonly layout: TextureLayout,
    readonly storage: TextureStorage,
    private readonly owner: WebGLTensorOwner,
    readonly base?: WebGLTensor,
  ) {}

  get disposed(): boolean {
    return this.base ? this.base.disposed : this.released;
  }

  read(): Promise<Float32Array> {
    if (this.disposed) {
      return Promise.reject(
        new EngineInputError(`read: tensor ${shapeString(this.shape)} is disposed`),
      );
    }
    return this.owner.readTensor(this);
  }

  dispose(): void {
    if (this.base) return;
    if (this.released) {
      throw new EngineInputError(`dispose: tensor ${shapeString(this.shape)} is already disposed`);
    }
    this.released = true;
    this.owner.releaseTensor(this);
  }
}
