/**
 * Backend tensors of host weights, shared by the models built from one checkpoint read (engine
 * readModel's HostModel): standard and slim differ only in their attention weights, so the
 * embeddings, norms and MLPs are uploaded once and used by both. A tensor is freed when the
 * last model holding it is disposed.
 */
import type { Backend } from '../backend';
import { bytesPerElement, type Tensor } from '../tensor';

interface Entry {
  tensor: Tensor;
  holders: number;
}

export class SharedUploads {
  private readonly byData = new Map<ArrayLike<number>, Entry>();
  private readonly byTensor = new Map<Tensor, ArrayLike<number>>();

  constructor(readonly backend: Backend) {}

  /**
   * The tensor of `data` (the same host array gives the same tensor), uploaded on first use;
   * `reused` is true when another model uploaded it.
   */
  acquire(data: ArrayLike<number>, shape: number[]): { tensor: Tensor; reused: boolean } {
    const known = this.byData.get(data);
    if (known && !known.tensor.disposed) {
      known.holders++;
      return { tensor: known.tensor, reused: true };
    }
    const tensor = this.backend.keep(this.backend.fromArray(data, shape));
    this.byData.set(data, { tensor, holders: 1 });
    this.byTensor.set(tensor, data);
    return { tensor, reused: false };
  }

  /** One holder less; the tensor is freed with the last. */
  release(tensor: Tensor): void {
    const data = this.byTensor.get(tensor);
    const entry = data && this.byData.get(data);
    if (!entry || --entry.holders > 0) return;
    this.byData.delete(data);
    this.byTensor.delete(tensor);
    if (!tensor.disposed) tensor.dispose();
  }

  /** Tensors held now. */
  get size(): number {
    return this.byData.size;
  }
}

/** Bytes of a tensor's values on its backend. */
export function tensorBytes(t: Tensor): number {
  return t.shape.reduce((a, b) => a * b, 1) * bytesPerElement(t.dtype);
}
