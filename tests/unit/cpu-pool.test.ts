/**
 * The float32 backend's array pool (engine/cpu/pool.ts): bounded in bytes, arrays reused by
 * length, and when full the least recently used lengths dropped first, so a long prompt's
 * arrays give way to the decode steps' instead of filling the pool for good.
 */
import { describe, expect, it } from 'vitest';
import { ArrayPool } from '../../engine/cpu/pool';

describe('ArrayPool', () => {
  it('reuses an array of the same length, zeroed unless dirty', () => {
    const pool = new ArrayPool(1024);
    const a = new Float32Array(8).fill(3);
    pool.give(a);
    expect(pool.heldBytes).toBe(32);
    const b = pool.take(8);
    expect(b).toBe(a);
    expect(Array.from(b)).toEqual(new Array(8).fill(0));
    pool.give(b.fill(5));
    expect(pool.take(8, true)[0]).toBe(5);
    expect(pool.heldBytes).toBe(0);
  });

  it('when full, drops the least recently used lengths for a new array', () => {
    const pool = new ArrayPool(3 * 64); // room for three arrays of 16 values
    // A "prompt" fills the pool with its sizes …
    for (const n of [16, 16, 16]) pool.give(new Float32Array(n));
    expect(pool.heldBytes).toBe(192);
    // … then the "decode" sizes take their place instead of being refused.
    const small = new Float32Array(4);
    pool.give(small);
    expect(pool.take(4)).toBe(small);
    expect(pool.heldBytes).toBe(0); // the 16-value arrays were dropped to make room
    // A length used recently stays; the older one goes first.
    pool.give(new Float32Array(16));
    pool.give(new Float32Array(8));
    pool.take(16, true);
    pool.give(new Float32Array(16));
    pool.give(new Float32Array(32)); // 64 + 32 + 128 > 192: drops 8 (least recent), keeps 16
    expect(pool.heldBytes).toBe(64 + 128);
    expect(pool.take(8).length).toBe(8); // fresh: none pooled
    expect(pool.heldBytes).toBe(64 + 128);
  });

  it('never holds more than its bound, nor an array larger than it', () => {
    const pool = new ArrayPool(1000);
    pool.give(new Float32Array(300)); // 1200 bytes: refused
    expect(pool.heldBytes).toBe(0);
    for (let n = 1; n < 100; n++) {
      pool.give(new Float32Array(n));
      expect(pool.heldBytes).toBeLessThanOrEqual(1000);
    }
  });
});
