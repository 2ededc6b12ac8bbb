import { describe, expect, it } from 'vitest';
import { requireChip, RooflineInputError, table2Times } from '../../roofline';

/**
 * table2Times against the roofline written out by hand from paper Table 2's formulas (square MHA,
 * batch 1) and paper Table 3's chip figures: time = max(OPs / peak, bytes / bandwidth).
 */
const T = 1e12;
const GB = 1e9;
const time = (ops: number, bytes: number, peak: number, bw: number) =>
  Math.max(ops / peak, bytes / bw);

describe('table2Times (paper Table 2 on a chip)', () => {
  it('matches the hand-written roofline on Apple M4 Max, int8, 1 byte per value', () => {
    const [d, h, n] = [4096, 32, 4096];
    const [peak, bw] = [38 * T, 410 * GB]; // paper Table 3
    const t = table2Times({ d, h, n }, requireChip('apple-m4-max'), 'int8');
    // vanilla: projections 8d² OPs over 4d² values, attention 4nd over 2nd.
    expect(t.vanilla.projection.seconds).toBeCloseTo(time(8 * d * d, 4 * d * d, peak, bw), 15);
    expect(t.vanilla.mha.seconds).toBeCloseTo(time(4 * n * d, 2 * n * d, peak, bw), 15);
    // option 1: (2n+6)d² over 4d² (compute bound), attention 4nd over nd (memory bound).
    const p1 = (2 * n + 6) * d * d;
    expect(t.option1.projection.seconds).toBeCloseTo(time(p1, 4 * d * d, peak, bw), 15);
    expect(t.option1.projection.bound).toBe('compute');
    expect(t.option1.mha.bound).toBe('memory');
    expect(t.option1.layer.seconds).toBeCloseTo(
      time(p1 + 4 * n * d, 4 * d * d + n * d, peak, bw),
      15,
    );
    // option 2 attention: 2nd(h+1) over nd = 66 OPs per byte < ridge 92.7.
    expect(t.option2.mha.seconds).toBeCloseTo(time(2 * n * d * (h + 1), n * d, peak, bw), 15);
    expect(t.option2.mha.bound).toBe('memory');
  });

  it('h = 64 on M4 Max: the option 2 core is compute bound yet 2·ridge/(2h+2) ≈ 1.43× faster', () => {
    const t = table2Times({ d: 8192, h: 64, n: 1000 }, requireChip('apple-m4-max'), 'int8');
    expect(t.option2.mha.bound).toBe('compute');
    const ridge = (38 * T) / (410 * GB);
    expect(t.vanilla.mha.seconds / t.option2.mha.seconds).toBeCloseTo((2 * ridge) / 130, 12);
  });

  it("option 2's core speedup depends on h and the chip only: n and d cancel", () => {
    const chip = requireChip('apple-m4-max');
    const core = (d: number, h: number, n: number) => {
      const t = table2Times({ d, h, n }, chip, 'int8');
      return t.vanilla.mha.seconds / t.option2.mha.seconds;
    };
    for (const h of [8, 46, 64, 100]) {
      const ref = core(128 * h, h, 4096);
      for (const [d, n] of [
        [64 * h, 17],
        [256 * h, 100_000],
      ])
        expect(core(d, h, n)).toBeCloseTo(ref, 12);
    }
  });

  it('bytes per value scale the memory side only', () => {
    const chip = requireChip('nvidia-h200');
    const one = table2Times({ d: 1024, h: 8, n: 512 }, chip, 'int8', 1);
    const two = table2Times({ d: 1024, h: 8, n: 512 }, chip, 'int8', 2);
    expect(two.vanilla.mha.memorySeconds).toBeCloseTo(2 * one.vanilla.mha.memorySeconds, 18);
    expect(two.vanilla.mha.computeSeconds).toBe(one.vanilla.mha.computeSeconds);
    expect(() => table2Times({ d: 1024, h: 8, n: 512 }, chip, 'int8', 0)).toThrow(
      RooflineInputError,
    );
  });
});
