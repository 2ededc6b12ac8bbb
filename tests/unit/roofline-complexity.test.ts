import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateComplexity,
  headOps,
  RooflineInputError,
  slimPeakIntensity,
  valueSideOpsPerHead,
  type ComplexityTable,
} from '../../roofline';

/** OPs of an (m × k)·(k × n) product: m·n dot products of length k, 2 OPs per term. */
const matmul = (m: number, k: number, n: number) => 2 * m * k * n;

/**
 * Independent reference: walk the decode step of paper §2 product by product, per head and
 * per sequence, and count OPs from the operand shapes and reads from the operands that come
 * from memory (weights once per step, each sequence's own cache). Softmax and scaling are left
 * out, as in the paper.
 */
function countByWalking(d: number, h: number, n: number, batch: number): ComplexityTable {
  const dk = d / h;
  const weights = 4 * d * d;
  let vanillaMha = 0;
  let option2Mha = 0;
  let option1Values = 0;
  let option2Project = 0;
  for (let seq = 0; seq < batch; seq++) {
    for (let head = 0; head < h; head++) {
      const scores = matmul(1, dk, n); // q_i · K_iᵀ
      vanillaMha += scores + matmul(1, n, dk); // · V_i
      option1Values += matmul(n, d, dk); // V_i = K · W_KV,i (whole K row)
      option2Mha += scores + matmul(1, n, d); // softmax · K (whole K row)
      option2Project += matmul(1, d, dk); // · W_KV,i
    }
  }
  const qko = batch * 3 * matmul(1, d, d);
  const vanillaProjection = batch * 4 * matmul(1, d, d);
  const cost = (ops: number, reads: number) => ({ ops, reads, intensity: ops / reads });
  return {
    vanilla: {
      projection: cost(vanillaProjection, weights),
      mha: cost(vanillaMha, batch * 2 * n * d),
    },
    option1: {
      projection: cost(qko + option1Values, weights),
      mha: cost(vanillaMha, batch * n * d),
    },
    option2: {
      projection: cost(qko + option2Project, weights),
      mha: cost(option2Mha, batch * n * d),
    },
  };
}

describe('paper §2, Table 2 (paper Table 2)', () => {
  it('matches the printed formulas at d = 4096, h = 32, n = 1000', () => {
    const [d, h, n] = [4096, 32, 1000];
    const t = generateComplexity({ d, h, n });
    expect(t.vanilla.projection).toEqual({ ops: 8 * d * d, reads: 4 * d * d, intensity: 2 });
    expect(t.vanilla.mha).toEqual({ ops: 4 * n * d, reads: 2 * n * d, intensity: 2 });
    expect(t.option1.projection).toEqual({
      ops: (2 * n + 6) * d * d,
      reads: 4 * d * d,
      intensity: (n + 3) / 2,
    });
    expect(t.option1.mha).toEqual({ ops: 4 * n * d, reads: n * d, intensity: 4 });
    expect(t.option2.projection).toEqual({ ops: 8 * d * d, reads: 4 * d * d, intensity: 2 });
    expect(t.option2.mha).toEqual({ ops: 2 * n * d * (h + 1), reads: n * d, intensity: 2 * h + 2 });
  });

  it('agrees with counting the products one by one (any d, h, n, batch)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 4 }),
        (h, dk, n, batch) => {
          const d = h * dk;
          // Exact: every count is an integer well below 2^53.
          expect(generateComplexity({ d, h, n, batch })).toEqual(countByWalking(d, h, n, batch));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('batch B: projections reach intensity 2B, attention stays at 2 / 4 / 2h+2', () => {
    const t = generateComplexity({ d: 1024, h: 16, n: 512, batch: 8 });
    expect(t.vanilla.projection.intensity).toBe(16);
    expect(t.vanilla.mha.intensity).toBe(2);
    expect(t.option1.mha.intensity).toBe(4);
    expect(t.option2.mha.intensity).toBe(slimPeakIntensity(16));
    expect(slimPeakIntensity(64)).toBe(130); // paper Table 3: ≤ 130 for h = 64
  });

  it('per-head costs of §2 and Tables 8–9', () => {
    const [d, h, n] = [512, 8, 100];
    const dk = d / h;
    expect(headOps({ d, h, n })).toEqual({
      scores: 2 * n * dk,
      weightedSumV: 2 * n * dk,
      weightedSumK: 2 * n * d,
      valuesFromKeys: 2 * n * d * dk,
      projectWeightedKeys: 2 * d * dk,
    });
    expect(valueSideOpsPerHead({ d, h, n })).toEqual({
      vanilla: 2 * n * dk,
      option1: 2 * n * d * dk + 2 * n * dk,
      option2: 2 * n * d + 2 * d * dk,
    });
    // Summed over heads, the totals are Table 2's: vanilla 4nd, option 2 2nd(h+1).
    const o = headOps({ d, h, n });
    expect(h * (o.scores + o.weightedSumV)).toBe(4 * n * d);
    expect(h * (o.scores + o.weightedSumK)).toBe(2 * n * d * (h + 1));
  });

  it('rejects bad input with a typed error', () => {
    expect(() => generateComplexity({ d: 100, h: 3, n: 1 })).toThrow(/multiple/);
    expect(() => generateComplexity({ d: 64, h: 4, n: 0 })).toThrow(RooflineInputError);
    expect(() => generateComplexity({ d: NaN, h: 4, n: 2 })).toThrow(RooflineInputError);
    expect(() => generateComplexity({ d: 64, h: 4, n: 2, batch: -1 })).toThrow(/batch/);
  });
});
