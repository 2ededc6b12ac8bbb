/**
 * Float32Arrays of disposed tensors kept by length for the next tensor of that length: a decode
 * step allocates the same few dozen sizes every token, and a fresh typed array costs an
 * allocation of its own buffer and work for the garbage collector. Bounded in bytes and per
 * length; when full, the lengths least recently taken or given are dropped first, so a long
 * prompt's arrays (its chunks' sizes) make room for the decode steps' instead of staying for
 * good. Emptied by CpuBackend.dispose(). Pooled arrays are not live tensors (stats() does not
 * count them).
 */
export class ArrayPool {
  /** By length, least recently used first (a length moves to the end when used). */
  private readonly byLength = new Map<number, Float32Array[]>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 16 * 2 ** 20,
    private readonly maxPerLength = 256,
  ) {}

  /** Bytes of the arrays held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /** An array of `length` values, zeroed unless `dirty` (the caller overwrites every value). */
  take(length: number, dirty = false): Float32Array {
    const list = this.byLength.get(length);
    const a = list?.pop();
    if (!a) return new Float32Array(length);
    this.touch(length, list as Float32Array[]);
    this.bytes -= a.byteLength;
    if (!dirty) a.fill(0);
    return a;
  }

  /**
   * Keeps `a` for reuse, dropping the least recently used lengths' arrays if the pool is full.
   * `a` must own its whole buffer (the backend gives only the storage of owning tensors, which
   * alloc or slice made).
   */
  give(a: Float32Array): void {
    if (a.byteLength > this.maxBytes) return;
    let list = this.byLength.get(a.length);
    if (!list) list = [];
    if (list.length >= this.maxPerLength) return;
    this.touch(a.length, list);
    for (const [length, old] of this.byLength) {
      if (this.bytes + a.byteLength <= this.maxBytes || length === a.length) break;
      this.bytes -= old.length * length * 4;
      this.byLength.delete(length);
    }
    if (this.bytes + a.byteLength > this.maxBytes) return;
    list.push(a);
    this.bytes += a.byteLength;
  }

  clear(): void {
    this.byLength.clear();
    this.bytes = 0;
  }

  /** Marks `length` as just used (the end of the map's order). */
  private touch(length: number, list: Float32Array[]): void {
    this.byLength.delete(length);
    this.byLength.set(length, list);
  }
}
