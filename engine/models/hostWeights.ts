/**
 * Host weights as the decoder families read them (decoder.ts re-exports all of it): a host
 * tensor, the lookup a model is built from (a map, or a checkpoint read tensor by tensor), the
 * parameter check, column and row helpers of the attention layouts, and seeded random weights
 * for tests and benchmarks.
 */
import { matrix64, type Matrix64 } from '../linalg';
import { gaussian, seededRandom } from '../random';
import { EngineInputError, shapeString } from '../tensor';

/** A host tensor: row-major values and their shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Parameter name (the family's Hugging Face name, without the model prefix) → values. */
export type HostWeights = Map<string, HostTensor>;

/**
 * What a model reads its weights from while it is built: a HostWeights map, or a checkpoint
 * read tensor by tensor (engine/models streamModel), whose `get` reads the tensor then and
 * keeps no reference to it, so a model never needs the whole checkpoint in host memory.
 */
export interface WeightLookup {
  get(name: string): HostTensor | undefined;
}

/** Looks a parameter up and checks its shape; `family` names the model in the message. */
export function param(w: WeightLookup, family: string, name: string, shape: number[]): HostTensor {
  const t = w.get(name);
  if (!t) throw new EngineInputError(`${family} weights: missing ${name}`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new EngineInputError(
      `${family} weights: ${name} has shape ${shapeString(t.shape)}, expected ${shapeString(shape)}`,
    );
  }
  return t;
}

/** Columns [c0, c1) of a host [rows, cols] matrix as float64. */
export function columns(t: HostTensor, c0: number, c1: number): Matrix64 {
  const [r, c] = t.shape;
  const out = matrix64(r, c1 - c0);
  for (let i = 0; i < r; i++) {
    for (let j = c0; j < c1; j++) out.data[i * (c1 - c0) + j - c0] = t.data[i * c + j];
  }
  return out;
}

/**
 * The transpose of rows `rows` of an nn.Linear weight [out, in] as a float64 [in, rows.length]
 * matrix: Hugging Face's Linear computes x·Wᵀ, the attention layers take x·W (paper §1).
 */
export function linearRowsT(t: HostTensor, rows: readonly number[]): Matrix64 {
  const inDim = t.shape[1];
  const out = matrix64(inDim, rows.length);
  rows.forEach((row, j) => {
    for (let i = 0; i < inDim; i++) out.data[i * rows.length + j] = t.data[row * inDim + i];
  });
  return out;
}

/** Writes a float64 [in, rows.length] matrix back into rows `rows` of an nn.Linear weight. */
export function setLinearRowsT(t: HostTensor, rows: readonly number[], m: Matrix64): void {
  const inDim = t.shape[1];
  rows.forEach((row, j) => {
    for (let i = 0; i < inDim; i++) t.data[row * inDim + i] = m.data[i * rows.length + j];
  });
}

/** Writes a float64 [rows, c1 − c0] matrix into columns [c0, c1) of a host matrix. */
export function setColumns(t: HostTensor, c0: number, m: Matrix64): void {
  const c = t.shape[1];
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) t.data[i * c + c0 + j] = m.data[i * m.cols + j];
}

export function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

/**
 * Seeded random weights for the given parameter shapes: matrices normal with σ `std`, 1-D
 * gains (picked by `isGain`) near 1, other 1-D tensors (biases) normal with σ `std`; float32 on
 * the host. For tests and benchmarks that build checkpoints of any family.
 */
export function randomWeights(
  shapes: readonly [string, number[]][],
  seed: number,
  isGain: (name: string) => boolean,
  std = 0.02,
): HostWeights {
  const normal = gaussian(seededRandom(seed));
  const out: HostWeights = new Map();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const gain = isGain(name);
    for (let i = 0; i < size; i++) data[i] = gain ? 1 + 0.1 * normal() : std * normal();
    out.set(name, { shape, data });
  }
  return out;
}
