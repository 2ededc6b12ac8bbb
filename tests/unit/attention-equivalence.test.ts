/**
 * The paper's claim, property-tested: for random layers (d, h, d_k, e ≥ d, biases, RoPE pairing
 * and rotaryDim) and random token sequences, every slim variant produces the standard output for
 * prefill and for each decode step, with the cache sizes paper §1/paper §3/paper Appendices C, D, G state.
 *
 * Weights are Gaussian (scaled 1/sqrt(fan-in)), and samples with cond(W_K) or cond(W_V) > 200
 * are skipped: recomputing V from K multiplies rounding errors by up to cond(W_K) (paper Appendix A),
 * so the tolerance is only meaningful for well-conditioned weights, which random Gaussian
 * matrices almost always are at these sizes. Tolerances, relative to max |standard output|:
 *   float64 1e-9: rounding ≈ 2.2e-16 · cond (≤ 200) · a few dozen accumulated ops ≈ 1e-12, so
 *   1e-9 leaves three orders of margin while still catching any formula error (those are O(1)).
 *   float32 1e-4: the same estimate with 6e-8 gives ≈ 1e-5 worst case; observed ~1e-6.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttentionConfig, RopeConfig } from '../../engine/attention';
import { CpuBackend } from '../../engine/cpu';
import { conditionNumber } from '../../engine/linalg';
import {
  randomInputs,
  randomWeights,
  referenceAttention,
  relativeError,
  runLayer,
} from './attention-fixtures';

interface Case {
  seed: number;
  heads: number;
  headDim: number;
  /** d = e − shrink: 0 is square MHA, > 0 is non-square (e > d, paper §3). */
  shrink: number;
  biases: boolean;
  rope: RopeConfig | null;
  n: number;
  p: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    heads: fc.integer({ min: 1, max: 3 }),
    halfHeadDim: fc.integer({ min: 1, max: 3 }),
    shrinkFraction: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.6, noNaN: true })),
    biases: fc.boolean(),
    rope: fc.option(
      fc.record({
        pairing: fc.constantFrom('half' as const, 'interleaved' as const),
        base: fc.constantFrom(100, 10000),
        rotaryFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    ),
    n: fc.integer({ min: 1, max: 7 }),
    pFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((r) => {
    const headDim = 2 * r.halfHeadDim;
    const e = r.heads * headDim;
    const rope = r.rope && {
      pairing: r.rope.pairing,
      base: r.rope.base,
      // Any even rotaryDim in [2, headDim]: partial rotation (GPT-NeoX rotary_pct) included.
      rotaryDim: 2 * (1 + Math.floor(r.rope.rotaryFraction * (r.halfHeadDim - 1e-9))),
    };
    return {
      seed: r.seed,
      heads: r.heads,
      headDim,
      shrink: Math.min(e - 1, Math.floor(r.shrinkFraction * e)),
      biases: r.biases,
      rope,
      n: r.n,
      p: 1 + Math.floor(r.pFraction * (r.n - 1e-9)),
    };
  });

/** Every variant that applies to the case (RoPE excludes v-only and x-cache, paper §3, Appendices C, D, G). */
function variants(rope: RopeConfig | null): AttentionConfig[] {
  const withRope = rope ? { rope } : {};
  const slim: AttentionConfig[] = [];
  for (const decodeOrder of ['v-first', 'k-first'] as const) {
    if (rope) {
      slim.push({ scheme: 'k-cache', decodeOrder, ropeCache: 'raw', rope });
      slim.push({ scheme: 'k-cache', decodeOrder, ropeCache: 'rotated', rope });
    } else {
      slim.push({ scheme: 'k-cache', decodeOrder, ...withRope });
    }
  }
  return rope ? slim : [...slim, { scheme: 'v-cache' }, { scheme: 'x-cache' }];
}

async function checkCase(c: Case, dtype: 'float32' | 'float64', tolerance: number): Promise<void> {
  const e = c.heads * c.headDim;
  const d = e - c.shrink;
  const w = randomWeights(c.seed, { d, heads: c.heads, headDim: c.headDim, biases: c.biases });
  fc.pre(conditionNumber(w.wK) <= 200 && conditionNumber(w.wV) <= 200);
  const x = randomInputs(c.seed + 1, c.n, d);
  const backend = new CpuBackend({ dtype });
  const rope = c.rope ?? undefined;
  const standard = await runLayer(backend, w, { scheme: 'kv', rope }, x, c.p);
  // The standard layer itself against the plain-array float64 reference.
  expect(relativeError(standard.output, referenceAttention(w, x, rope))).toBeLessThanOrEqual(
    tolerance,
  );
  expect(standard.cacheValues).toBe(2 * c.n * e);
  for (const config of variants(c.rope)) {
    const got = await runLayer(backend, w, config, x, c.p);
    const err = relativeError(got.output, standard.output);
    expect(err, `${JSON.stringify(config)} ${JSON.stringify(c)}`).toBeLessThanOrEqual(tolerance);
    expect(got.length).toBe(c.n);
    // Exact cache sizes: K-cache (or V-cache) is half the KV-cache; X-cache is n·d.
    expect(got.cacheValues).toBe(config.scheme === 'x-cache' ? c.n * d : standard.cacheValues / 2);
  }
  expect(backend.stats().liveTensors).toBe(0); // every layer disposed, every output freed
}

describe('every slim variant equals standard attention (prefill + decode steps)', () => {
  it('float64, ≤ 1e-9 relative', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => checkCase(c, 'float64', 1e-9)),
      { numRuns: 30 },
    );
  });

  it('float32, ≤ 1e-4 relative', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => checkCase(c, 'float32', 1e-4)),
      { numRuns: 30 },
    );
  });
});
