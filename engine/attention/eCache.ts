import type { Backend } from '../backend';
import { EngineInputError, shapeString, type Tensor } from '../tensor';
import { RowCache, type RowCacheStats } from './cache';

/**
 * Option 2's E-cache (paper §4): the encoder output E [p, d], held once and shared by every
 * cross-attention layer of the decoder, which recompute their cross K and V from it per step.
 * p·d values in all, against 2·p·e per layer for the baseline's cross KV-caches.
 */
export class ECache {
  private readonly cache: RowCache;
  /** The tensor last stored, so layers given the same E store it once. */
  private source: Tensor | null = null;

  constructor(
    readonly backend: Backend,
    /** Width d of the encoder output rows. */
    readonly d: number,
  ) {
    if (!Number.isInteger(d) || d < 1) {
      throw new EngineInputError(`E-cache: the width d must be a positive integer, got ${d}`);
    }
    this.cache = new RowCache(backend, 'E', d);
  }

  /** Encoder rows p held (0 when empty). */
  get length(): number {
    return this.cache.rows;
  }

  /** Stores E [p ≥ 1, d], replacing what was held. */
  set(e: Tensor): void {
    if (e.shape.length !== 2 || e.shape[0] < 1 || e.shape[1] !== this.d) {
      throw new EngineInputError(
        `E-cache: the encoder output must be [p ≥ 1, ${this.d}], got ${shapeString(e.shape)}`,
      );
    }
    if (e.disposed) throw new EngineInputError('E-cache: the encoder output is disposed');
    this.cache.reset();
    this.source = null;
    this.cache.append(e);
    this.source = e;
  }

  /** Whether E was the last tensor stored (and is still held). */
  holds(e: Tensor): boolean {
    return this.source === e && this.cache.rows > 0;
  }

  /** The stored rows [p, d]; valid until the next set(). */
  view(): Tensor {
    if (this.cache.rows === 0) {
      throw new EngineInputError('E-cache is empty: set the encoder output first');
    }
    return this.cache.view();
  }

  stats(): RowCacheStats {
    return this.cache.stats();
  }

  get allocatedBytes(): number {
    return this.cache.allocatedBytes;
  }

  reset(): void {
    this.cache.reset();
    this.source = null;
  }

  dispose(): void {
    this.cache.dispose();
    this.source = null;
  }
}
