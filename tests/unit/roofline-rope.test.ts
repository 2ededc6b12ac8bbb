import { describe, expect, it } from 'vitest';
import { RooflineInputError, ropeRotationsPerStep } from '../../roofline';

describe('ropeRotationsPerStep (Appendix E)', () => {
  it('counts e/2 rotations per row turned', () => {
    // Standard: the new q and k only.
    expect(ropeRotationsPerStep(10, 8, 'standard')).toEqual({
      query: 4,
      newKey: 4,
      cachedKeys: 0,
      total: 8,
    });
    // Slim, raw K-cache: q and every cached key (the new one among them).
    expect(ropeRotationsPerStep(10, 8, 'slim-raw')).toEqual({
      query: 4,
      newKey: 0,
      cachedKeys: 40,
      total: 44,
    });
    // Slim, rotated K-cache: q and the new k, then every cached key un-rotated.
    expect(ropeRotationsPerStep(10, 8, 'slim-rotated').total).toBe(48);
  });

  it('refuses sizes that have no rotation pairs, in a sentence', () => {
    expect(() => ropeRotationsPerStep(0, 8, 'standard')).toThrow(RooflineInputError);
    expect(() => ropeRotationsPerStep(4, 7, 'slim-raw')).toThrow(/even integer/);
  });
});
