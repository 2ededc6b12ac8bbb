/**
 * Backend tensors of host weights, shared by the models built from one checkpoint (engine
 * readModel's or streamModel's HostModel): standard and slim differ only in their attention
 * weights, so the embeddings, norms and MLPs are uploaded once and used by both. Tensors are
 * known by parameter name (one store per checkpoint and backend), so a checkpoint read tensor
 * by tensor is not read again for the second model. A tensor is freed when the last model
 * holding it is disposed.
 */
import type { Backend } from '../backend';
import type { Tensor } from '../tensor';

interface Entry {
  tensor: Tensor;
  holders: number;
  /** The backend's bytes for it (a CPU backend may keep a weight in half precision). */
  bytes: number;
}

export class SharedUploads {
  /** By parameter name; no host array is kept (a 124M model's are 500 MB). */
  private readonly byName = new Map<string, Entry>();
  private readonly byTensor = new Map<Tensor, Entry>();

  constructor(readonly backend: Backend) {}

  /**
   * The tensor of parameter `name`, uploaded on first use from `values()` (read only then);
   * `reused` is true when another model uploaded it; `bytes` is what the backend holds for it.
   */
  acquire(
    name: string,
    shape: number[],
    values: () => ArrayLike<number>,
  ): { tensor: Tensor; reused: boolean; bytes: number } {
    const known = this.byName.get(name);
    if (known && !known.tensor.disposed) {
      known.holders++;
      return { tensor: known.tensor, reused: true, bytes: known.bytes };
    }
    const data = values();
    const before = this.backend.stats().liveBytes;
    const tensor = this.backend.keep(this.backend.fromArray(data, shape));
    const entry = { tensor, holders: 1, bytes: this.backend.stats().liveBytes - before };
    this.byName.set(name, entry);
    this.byTensor.set(tensor, entry);
    return { tensor, reused: false, bytes: entry.bytes };
  }

  /** One holder less; the tensor is freed with the last. */
  release(tensor: Tensor): void {
    const entry = this.byTensor.get(tensor);
    if (!entry || --entry.holders > 0) return;
    // A later acquire of the same name uploads it again.
    this.byTensor.delete(tensor);
    for (const [name, e] of this.byName) if (e === entry) this.byName.delete(name);
    if (!tensor.disposed) tensor.dispose();
  }

  /** Tensors held now. */
  get size(): number {
    return this.byTensor.size;
  }
}
