/**
 * A small allocator over a WebAssembly memory: first fit on a free list sorted by address, freed
 * blocks merged with their neighbours, the memory grown by whole pages when no block fits.
 * Blocks are 16-byte aligned (f32x4 loads). The kernels' module has no allocator of its own
 * (AssemblyScript's stub runtime): this is the only code that places data in its memory.
 *
 * memory.grow detaches every ArrayBuffer view of the old buffer, so callers take `f32()` after
 * their allocations, never across one.
 */

const PAGE = 65536;
const ALIGN = 16;

const align = (bytes: number) => Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;

export class WasmHeap {
  /** Free blocks, sorted by address, never adjacent (merged). */
  private readonly freeAt: number[] = [];
  private readonly freeSize: number[] = [];
  /** Live blocks: address → size in bytes. */
  private readonly used = new Map<number, number>();
  private view: Float32Array | null = null;
  private end: number;
  /** The lowest address handed out: above the module's static data, and never 0 (0 = none). */
  private readonly start: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    /** The first byte the allocator may hand out (the module's heap base). */
    base: number,
    /** The most bytes the memory may grow to (tests use a small limit). */
    private readonly maxBytes = 2 ** 32 - PAGE,
  ) {
    this.start = Math.max(align(base), ALIGN);
    this.end = memory.buffer.byteLength;
    if (this.end > this.start) this.insertFree(this.start, this.end - this.start);
  }

  /** A block of at least `bytes` bytes, or null when the memory cannot grow that far. */
  alloc(bytes: number): number | null {
    const size = align(bytes);
    let i = this.freeSize.findIndex((s) => s >= size);
    if (i < 0) {
      if (!this.grow(size)) return null;
      i = this.freeSize.findIndex((s) => s >= size);
    }
    const ptr = this.freeAt[i];
    if (this.freeSize[i] === size) {
      this.freeAt.splice(i, 1);
      this.freeSize.splice(i, 1);
    } else {
      this.freeAt[i] += size;
      this.freeSize[i] -= size;
    }
    this.used.set(ptr, size);
    return ptr;
  }

  free(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`WasmHeap: ${ptr} is not an allocated block`);
    this.used.delete(ptr);
    this.insertFree(ptr, size);
  }

  /** The memory as floats; valid until the next alloc that grows it. */
  f32(): Float32Array {
    if (this.view === null || this.view.buffer !== this.memory.buffer) {
      this.view = new Float32Array(this.memory.buffer);
    }
    return this.view;
  }

  /** Bytes in live blocks, bytes free, and the memory's size. */
  stats(): { usedBytes: number; freeBytes: number; blocks: number; memoryBytes: number } {
    let usedBytes = 0;
    for (const s of this.used.values()) usedBytes += s;
    return {
      usedBytes,
      freeBytes: this.freeSize.reduce((a, b) => a + b, 0),
      blocks: this.used.size,
      memoryBytes: this.end,
    };
  }

  /** Grows the memory so that a free block of `size` bytes exists at its end. */
  private grow(size: number): boolean {
    const last = this.freeAt.length - 1;
    const tail = last >= 0 && this.freeAt[last] + this.freeSize[last] === this.end;
    // A free block at the end grows; else the new one starts at the old end, or at `start` if the
    // memory ends below it (a module without static data starts with no pages at all).
    const from = tail ? this.end : Math.max(this.end, this.start);
    const missing = from + size - (tail ? this.freeSize[last] : 0) - this.end;
    const pages = Math.ceil(missing / PAGE);
    if (this.end + pages * PAGE > this.maxBytes) return false;
    try {
      this.memory.grow(pages);
    } catch {
      return false; // the engine refused (out of memory): the caller falls back
    }
    this.end = this.memory.buffer.byteLength;
    this.view = null;
    this.insertFree(from, this.end - from);
    return true;
  }

  private insertFree(ptr: number, size: number): void {
    let lo = 0;
    let hi = this.freeAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeAt[mid] < ptr) lo = mid + 1;
      else hi = mid;
    }
    this.freeAt.splice(lo, 0, ptr);
    this.freeSize.splice(lo, 0, size);
    // Merge with the next block, then with the previous one.
    if (lo + 1 < this.freeAt.length && ptr + size === this.freeAt[lo + 1]) {
      this.freeSize[lo] += this.freeSize[lo + 1];
      this.freeAt.splice(lo + 1, 1);
      this.freeSize.splice(lo + 1, 1);
    }
    if (lo > 0 && this.freeAt[lo - 1] + this.freeSize[lo - 1] === ptr) {
      this.freeSize[lo - 1] += this.freeSize[lo];
      this.freeAt.splice(lo, 1);
      this.freeSize.splice(lo, 1);
    }
  }
}
