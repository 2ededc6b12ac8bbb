/**
 * The engine's tensor type. A tensor is a row-major matrix (or vector) that lives on one
 * backend. Rank is 1 or 2 everywhere in the engine: multi-head layouts are written as
 * [rows, heads·width] column blocks, which is how the paper writes them (K_i is a column block).
 */
export type DType = 'float32' | 'float64';
export type Shape = readonly number[];
export type TypedArray = Float32Array | Float64Array;

export interface Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Name of the backend that owns the storage ('cpu', 'webgl'). */
  readonly backendName: string;
  /** Copies the values to the host. The only asynchronous operation. */
  read(): Promise<TypedArray>;
  /** Releases the storage (back to the backend's pool). Disposing twice is an error. */
  dispose(): void;
  readonly disposed: boolean;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

export function rows(t: { shape: Shape }): number {
  return t.shape.length === 1 ? 1 : t.shape[0];
}

export function cols(t: { shape: Shape }): number {
  return t.shape[t.shape.length - 1];
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Thrown for any invalid input to the engine: wrong shapes, NaN/Infinity, bad options. */
export class EngineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineInputError';
  }
}

/** Rejects NaN and ±Infinity with a message that says where the first bad value sits. */
export function assertFinite(data: ArrayLike<number>, what: string, shape?: Shape): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      const c = shape && shape.length === 2 ? shape[1] : 0;
      const where = c ? `row ${Math.floor(i / c)}, column ${i % c}` : `index ${i}`;
      throw new EngineInputError(`${what} contains ${v} at ${where}; inputs must be finite`);
    }
  }
}
