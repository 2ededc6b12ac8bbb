import type { Backend } from '../backend';
import { EngineInputError, bytesPerElement, cols, rows, shapeString, type Tensor } from '../tensor';

export interface RowCacheStats {
  name: string;
  rows: number;
  cols: number;
  values: number;
  bytes: number;
}

/**
 * A [capacity, cols] buffer on a backend that holds one row per token (a K-, V- or X-cache).
 * Appending writes the new rows in place (backend.writeRows), so the cache is never copied
 * except when it grows; capacity doubles, so growth costs O(1) amortised per token
 * (docs/ARCHITECTURE.md).
 */
export class RowCache {
  private storage: Tensor | null = null;
  private filled = 0;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly cols: number,
    private readonly initialCapacity = 16,
  ) {
    if (
      !Number.isInteger(cols) ||
      cols < 1 ||
      !Number.isInteger(initialCapacity) ||
      initialCapacity < 1
    ) {
      throw new EngineInputError(
        `RowCache ${name}: bad cols ${cols} or capacity ${initialCapacity}`,
      );
    }
  }

  /** Rows filled so far (tokens cached). */
  get rows(): number {
    return this.filled;
  }

  /** Rows reserved. */
  get capacity(): number {
    return this.storage ? rows(this.storage) : 0;
  }

  /** Appends the rows of x ([m, cols]). */
  append(x: Tensor): void {
    if (x.shape.length !== 2 || cols(x) !== this.cols) {
      throw new EngineInputError(
        `${this.name} cache: cannot append ${shapeString(x.shape)}, rows must have ${this.cols} columns`,
      );
    }
    const needed = this.filled + rows(x);
    if (needed > this.capacity) this.grow(needed);
    this.backend.writeRows(this.storage as Tensor, this.filled, x);
    this.filled = needed;
  }

  /** The filled rows [rows, cols], sharing the cache's storage; valid until the next append. */
  view(): Tensor {
    if (!this.storage || this.filled === 0) {
      throw new EngineInputError(`${this.name} cache is empty`);
    }
    return this.backend.rowsView(this.storage, this.filled);
  }

  stats(): RowCacheStats {
    const values = this.filled * this.cols;
    return {
      name: this.name,
      rows: this.filled,
      cols: this.cols,
      values,
      bytes: values * bytesPerElement(this.backend.dtype),
    };
  }

  get allocatedBytes(): number {
    return this.capacity * this.cols * bytesPerElement(this.backend.dtype);
  }

  /** Forgets the cached rows; keeps the storage for reuse. */
  reset(): void {
    this.filled = 0;
  }

  /** Keeps only the first `rowCount` rows (undoes appends after a failed step). */
  truncate(rowCount: number): void {
    if (!Number.isInteger(rowCount) || rowCount < 0 || rowCount > this.filled) {
      throw new EngineInputError(
        `${this.name} cache: cannot truncate ${this.filled} rows to ${rowCount}`,
      );
    }
    this.filled = rowCount;
  }

  /**
   * Keeps only the last `rowCount` rows (moved to the front): a sliding window's cache drops
   * the rows no query will see again. Storage more than twice what the rows need is given back.
   */
  keepLast(rowCount: number): void {
    if (!Number.isInteger(rowCount) || rowCount < 0)
      throw new EngineInputError(`${this.name} cache: cannot keep ${rowCount} rows`);
    const drop = this.filled - rowCount;
    if (drop <= 0) return;
    const b = this.backend;
    let capacity = this.initialCapacity;
    while (capacity < rowCount + 1) capacity *= 2;
    const shrink = this.capacity > 2 * capacity;
    b.scope(() => {
      const tail = rowCount > 0 ? b.sliceRows(this.view(), drop, this.filled) : undefined;
      if (shrink) {
        this.storage?.dispose();
        this.storage = b.keep(b.zeros([capacity, this.cols]));
      }
      if (tail) b.writeRows(this.storage as Tensor, 0, tail);
    });
    this.filled = rowCount;
  }

  dispose(): void {
    this.storage?.dispose();
    this.storage = null;
    this.filled = 0;
  }

  private grow(needed: number): void {
    let capacity = Math.max(this.initialCapacity, this.capacity);
    while (capacity < needed) capacity *= 2;
    // keep(): the cache outlives whatever scope it happens to grow in.
    const next = this.backend.keep(this.backend.zeros([capacity, this.cols]));
    if (this.storage) {
      if (this.filled > 0)
        this.backend.writeRows(next, 0, this.backend.rowsView(this.storage, this.filled));
      this.storage.dispose();
    }
    this.storage = next;
  }
}

/** The statistics of a layer's caches, summed (filled values and bytes, reserved bytes). */
export function sumCacheStats(rowCaches: readonly RowCache[]): {
  values: number;
  bytes: number;
  allocatedBytes: number;
  caches: RowCacheStats[];
} {
  const caches = rowCaches.map((c) => c.stats());
  return {
    values: caches.reduce((s, c) => s + c.values, 0),
    bytes: caches.reduce((s, c) => s + c.bytes, 0),
    allocatedBytes: rowCaches.reduce((s, c) => s + c.allocatedBytes, 0),
    caches,
  };
}
