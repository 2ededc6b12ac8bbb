import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStepWork,
  kvCacheWidth,
  models,
  paperTable4,
  paperTable4Printed,
  projectionRatio,
  requireModel,
  RooflineInputError,
  slimPlan,
  standardCacheValues,
  xCacheOps,
  xCacheValues,
} from '../../roofline';

/** OPs of an (m × k)·(k × n) product: 2 OPs per multiply-accumulate. */
const matmul = (m: number, k: number, n: number) => 2 * m * k * n;

/** Walks one decode step of the X-cache and of standard attention product by product (paper §3). */
function walk(d: number, h: number, dk: number, n: number) {
  let projections = 0;
  let core = 0;
  let standardCore = 0;
  for (let head = 0; head < h; head++) {
    projections += matmul(1, dk, d); // q_i · W_K,iᵀ: back to d wide
    core += matmul(1, d, n); // · Xᵀ: scores against the cached inputs
    core += matmul(1, n, d); // s_i · X
    projections += matmul(1, d, dk); // (s_i · X) · W_V,i
    standardCore += matmul(1, dk, n) + matmul(1, n, dk); // q_i · K_iᵀ, s_i · V_i
  }
  const standardProjections = 2 * matmul(1, d, h * dk); // k = x W_K, v = x W_V
  return { projections, core, standardCore, standardProjections };
}

describe('xCacheOps (paper §3 option 2)', () => {
  it('agrees with counting the products one by one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 500 }),
        (d, h, dk, n) => {
          const ops = xCacheOps({ d, heads: h, headDim: dk, n });
          const ref = walk(d, h, dk, n);
          expect(ops.projections).toBe(ref.projections);
          expect(ops.core).toBe(ref.core);
          expect(ops.standardCore).toBe(ref.standardCore);
          expect(ops.standardProjections).toBe(ref.standardProjections);
          expect(ops.coreReads).toBe(n * d);
          expect(ops.standardCoreReads).toBe(2 * n * h * dk);
        },
      ),
    );
  });

  it('T5-11B: 4de = 67,108,864 OPs per token and layer, whatever n', () => {
    const t5 = requireModel('t5-11b');
    const at = (n: number) => xCacheOps({ d: t5.d, heads: t5.heads, headDim: t5.headDim, n });
    expect(at(1).projections).toBe(4 * 1024 * 16384);
    expect(at(1).projections).toBe(67_108_864);
    expect(at(4096).projections).toBe(at(1).projections);
    // Each head's dot products run over d = 1024 instead of d_k = 128 columns: 8x the core OPs.
    expect(at(512).core / at(512).standardCore).toBe(8);
  });

  it('is what decodeStepWork charges for an X-cache layer', () => {
    const t5 = requireModel('t5-3b');
    const n = 600;
    const plan = slimPlan(t5, n, 1);
    expect(plan.slim.scheme).toBe('x-cache');
    const ops = xCacheOps({ d: t5.d, heads: t5.heads, headDim: t5.headDim, n });
    const work = decodeStepWork(t5, 'slim', { contextLength: n });
    expect(work.ops).toBe(2 * plan.slim.readParams + t5.layers * (ops.projections + ops.core));
  });

  it('refuses shapes that are not positive integers', () => {
    expect(() => xCacheOps({ d: 0, heads: 2, headDim: 2, n: 1 })).toThrow(RooflineInputError);
    expect(() => xCacheOps({ d: 2, heads: 2, headDim: 2.5, n: 1 })).toThrow(/headDim/);
  });
});

describe('paper §3, Table 4', () => {
  it('the catalog reproduces every printed d, d_k, h, e and r', () => {
    const rows = paperTable4(models);
    expect(rows.map((r) => r.model.id)).toEqual(paperTable4Printed.map((p) => p.id));
    for (const row of rows) {
      for (const c of [row.d, row.dk, row.h, row.e, row.r]) expect(c.matches, c.printed).toBe(true);
    }
    expect(rows.map((r) => r.e.computed)).toEqual([4096, 4096, 16384]);
    expect(rows[0].r.computed).toBeCloseTo(4 / 3, 12);
  });

  it('the X-cache is 2r times smaller than the KV-cache: 32x for T5-11B', () => {
    const t5 = requireModel('t5-11b');
    expect(projectionRatio(t5)).toBe(16);
    expect(kvCacheWidth(t5) / t5.d).toBe(32);
    expect(standardCacheValues(t5, 512) / xCacheValues(t5, 512)).toBe(32);
  });

  it('names a missing model', () => {
    expect(() => paperTable4([])).toThrow(/codegemma-7b/);
  });
});
