import {
  EngineInputError,
  shapeString,
  type DType,
  type Shape,
  type Tensor,
  type TypedArray,
} from '../tensor';
import type { StoredFormat } from './halfStorage';

/** Called once when a non-view tensor is disposed, so the backend can update its live counts. */
export type ReleaseHook = (t: CpuTensor) => void;

/**
 * Values kept in the kernels' memory, as float32 or, for a weight every value of which a half
 * holds exactly, as float16 or bfloat16 bits (halfStorage.ts). `view()` is valid until that
 * memory next grows (growing detaches every view of it): take it for one operation, never
 * across an allocation. For half storage it is a widened copy (the products and gather read the
 * half values in place; other operations pay for the copy).
 */
export interface HeapStorage {
  readonly ptr: number;
  readonly length: number;
  readonly format: StoredFormat;
  /** float16: the values are stored as w·2^shift (halfStorage.ts StoragePlan); else 0. */
  readonly shift: number;
  view(): Float32Array;
  /** Half storage: its bits in place (valid as view() is); undefined for float32. */
  half?(): Uint16Array;
}

/**
 * Where a CPU tensor's values are: a typed array; storage in the WebAssembly kernels' memory
 * (uploaded weights, kernels.ts HeapStorage); or, for a view of such a tensor, a function giving
 * the current prefix of its base's values.
 */
export type CpuStorage = TypedArray | HeapStorage | (() => TypedArray);

/**
 * A tensor on the CPU backend: values in row-major order. A view (rowsView) shares a prefix of
 * its base's values; disposing a view is a no-op and a view is dead once its base is. `data` is
 * read for one operation at a time: for heap storage it is a fresh view of the kernels' memory.
 */
export class CpuTensor implements Tensor {
  readonly backendName = 'cpu';
  private released = false;
  /** The kernels' storage of this tensor's values, if they live there. */
  readonly heap: HeapStorage | undefined;

  constructor(
    private readonly storage: CpuStorage,
    readonly shape: Shape,
    readonly dtype: DType,
    private readonly onRelease: ReleaseHook | null,
    /** The tensor whose storage this view shares; undefined for owning tensors. */
    readonly base?: CpuTensor,
  ) {
    this.heap = typeof storage === 'function' || ArrayBuffer.isView(storage) ? undefined : storage;
  }

  /** The values (a fresh view for heap storage: valid until the kernels' memory grows). */
  get data(): TypedArray {
    const s = this.storage;
    if (typeof s === 'function') return s();
    return ArrayBuffer.isView(s) ? s : s.view();
  }

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
