/**
 * RoPE work per decode step (paper Appendix E): how many 2-D rotations (one sin/cos pair each)
 * a layer applies to produce one token, for the standard KV-cache and the two slim K-caches.
 */
import { RooflineInputError } from './errors';

/** Which keys the cache holds: standard (rotated K next to V), slim raw K, or slim rotated K. */
export type RopeCacheVariant = 'standard' | 'slim-raw' | 'slim-rotated';

export interface RopeRotations {
  /** Rotations of the new query row: e/2. */
  query: number;
  /** Rotations of the new key row before it is cached (0 when the cache holds raw keys). */
  newKey: number;
  /** Rotations applied to cached key rows on this step: n·e/2 rotate or un-rotate, or 0. */
  cachedKeys: number;
  /** All of the above. */
  total: number;
}

/**
 * Rotations per decode step with n cached tokens (the new one included) and key width e (each
 * rotation turns one pair of the e columns). Standard attention caches rotated keys: it rotates
 * only the new q and k. Slim with a raw K-cache rotates q and all n cached keys for the scores
 * (the new key is one of them). Slim with a rotated K-cache rotates the new q and k, then
 * un-rotates all n keys before the V-from-K product (fewer when sparsity skips rows).
 */
export function ropeRotationsPerStep(
  n: number,
  e: number,
  variant: RopeCacheVariant,
): RopeRotations {
  if (!Number.isInteger(n) || n < 1)
    throw new RooflineInputError(`ropeRotationsPerStep: n must be a positive integer, got ${n}.`);
  if (!Number.isInteger(e) || e < 2 || e % 2 !== 0)
    throw new RooflineInputError(
      `ropeRotationsPerStep: the key width e must be a positive even integer (RoPE turns pairs of columns), got ${e}.`,
    );
  const pairs = e / 2;
  const query = pairs;
  const newKey = variant === 'slim-raw' ? 0 : pairs;
  const cachedKeys = variant === 'standard' ? 0 : n * pairs;
  return { query, newKey, cachedKeys, total: query + newKey + cachedKeys };
}
