import {
  EngineInputError,
  shapeString,
  type DType,
  type Shape,
  type Tensor,
  type TypedArray,
} from '../tensor';

/** Called once when a non-view tensor is disposed, so the backend can update its live counts. */
export type ReleaseHook = (t: CpuTensor) => void;

/**
 * A tensor on the CPU backend: a typed array in row-major order. A view (rowsView) shares a
 * prefix of its base's array; disposing a view is a no-op and a view is dead once its base is.
 */
export class CpuTensor implements Tensor {
  readonly backendName = 'cpu';
  private released = false;

  constructor(
    readonly data: TypedArray,
    readonly shape: Shape,
    readonly dtype: DType,
    private readonly onRelease: ReleaseHook | null,
    /** The tensor whose storage this view shares; undefined for owning tensors. */
    readonly base?: CpuTensor,
  ) {}

  get isView(): boolean {
    return this.base !== undefined;
  }

  get disposed(): boolean {
    return this.base ? this.base.disposed : this.released;
  }

  read(): Promise<TypedArray> {
    if (this.disposed) {
      return Promise.reject(
        new EngineInputError(`read: tensor ${shapeString(this.shape)} is disposed`),
      );
    }
    return Promise.resolve(this.data.slice());
  }

  /**
   * The values, synchronously: a copy, like `read()`. Only the CPU backend can offer this (its
   * storage is on the host); code written for every backend uses `await read()`.
   */
  readSync(): TypedArray {
    if (this.disposed) {
      throw new EngineInputError(`readSync: tensor ${shapeString(this.shape)} is disposed`);
    }
    return this.data.slice();
  }

  dispose(): void {
    if (this.base) return; // views own nothing (backend.ts rowsView)
    if (this.released) {
      throw new EngineInputError(`dispose: tensor ${shapeString(this.shape)} is already disposed`);
    }
    this.released = true;
    this.onRelease?.(this);
  }
}

/**
 * A CPU-backend tensor's values, synchronously (a copy). For callers that hold a `Tensor` from a
 * `CpuBackend` (e.g. the lessons' toy model) and need its values within one render; throws a
 * TypeError for a tensor from another backend, whose values are only available through `read()`.
 */
export function readSync(t: Tensor): TypedArray {
  if (!(t instanceof CpuTensor)) {
    throw new TypeError(`readSync: expected a CPU-backend tensor, got one from '${t.backendName}'`);
  }
  return t.readSync();
}
