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
  /** Weakly keyed: the store never keeps a host array alive (a 124M model's are 500 MB). */
  private readonly byData = new WeakMap<object, Entry>();
  private readonly byTensor = new Map<Tensor, Entry>();

  constructor(readonly backend: Backend) {}

  /**
   * The tensor of `data` (the same host array gives the same tensor), uploaded on first use;
   * `reused` is true when another model uploaded it.
   */
  acquire(data: ArrayLike<number>, shape: number[]): { tensor: Tensor; reused: boolean } {
    const known = this.byData.get(data as object);
    if (known && !known.tensor.disposed) {
      known.holders++;
      return { tensor: known.tensor, reused: true };
    }
    const tensor = this.backend.keep(this.backend.fromArray(data, shape));
    const entry = { tensor, holders: 1 };
    this.byData.set(data as object, entry);
    this.byTensor.set(tensor, entry);
    return { tensor, reused: false };
  }

  /** One holder less; the tensor is freed with the last. */
  release(tensor: Tensor): void {
    const entry = this.byTensor.get(tensor);
    if (!entry || --entry.holders > 0) return;
    // A later acquire of the same array sees the disposed tensor and uploads it again.
    this.byTensor.delete(tensor);
    if (!tensor.disposed) tensor.dispose();
  }

  /** Tensors held now. */
  get size(): number {
    return this.byTensor.size;
  }
}

/** Bytes of a tensor's values on its backend. */
export function tensorBytes(t: Tensor): number {
  return t.shape.reduce((a, b) => a * b, 1) * bytesPerElement(t.dtype);
}
