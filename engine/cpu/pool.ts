/**
 * Float32Arrays of disposed tensors kept by length for the next tensor of that length: a decode
 * step allocates the same few dozen sizes every token, and a fresh typed array costs an
 * allocation of its own buffer and work for the garbage collector. Bounded in bytes and per
 * length; emptied by CpuBackend.dispose(). Pooled arrays are not live tensors (stats() does
 * not count them).
 */
export class ArrayPool {
  private readonly byLength = new Map<number, Float32Array[]>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 64 * 2 ** 20,
    private readonly maxPerLength = 256,
  ) {}

  /** An array of `length` values, zeroed unless `dirty` (the caller overwrites every value). */
  take(length: number, dirty = false): Float32Array {
    const a = this.byLength.get(length)?.pop();
    if (!a) return new Float32Array(length);
    this.bytes -= a.byteLength;
    if (!dirty) a.fill(0);
    return a;
  }

  /**
   * Keeps `a` for reuse if the pool has room. `a` must own its whole buffer (the backend gives
   * only the storage of owning tensors, which alloc or slice made).
   */
  give(a: Float32Array): void {
    if (this.bytes + a.byteLength > this.maxBytes) return;
    let list = this.byLength.get(a.length);
    if (!list) this.byLength.set(a.length, (list = []));
    if (list.length >= this.maxPerLength) return;
    list.push(a);
    this.bytes += a.byteLength;
  }

  clear(): void {
    this.byLength.clear();
    this.bytes = 0;
  }
}
