import { describe, expect, it } from 'vitest';
import {
  option1SlowerFrom,
  option2CoreBelowFrom,
  option2CoreSpeedup,
  requireChip,
  RooflineInputError,
  table2Times,
} from '../../roofline';

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

describe('where slim turns slower (paper Table 2 on a chip)', () => {
  // Hand-written: vanilla's layer 12d² + 4nd OPs over 4d² + 2nd values; option 1's
  // (2n + 6)d² + 4nd OPs over 4d² + nd values (Table 2); option 2's core 2nd(h + 1) OPs over nd
  // values against vanilla's 4nd over 2nd. Scanned one step at a time, not bisected.
  const m4 = requireChip('apple-m4-max');
  const h200 = requireChip('nvidia-h200');
  const peak = (c: typeof m4) => c.peakOpsPerSecond.int8 as number;
  const layerSlower = (c: typeof m4, d: number, n: number) =>
    time(12 * d * d + 4 * n * d, 4 * d * d + 2 * n * d, peak(c), c.memoryBandwidth) <
    time((2 * n + 6) * d * d + 4 * n * d, 4 * d * d + n * d, peak(c), c.memoryBandwidth);
  const coreSpeedup = (c: typeof m4, h: number, dk: number) => {
    const [n, d] = [4096, dk * h];
    return (
      time(4 * n * d, 2 * n * d, peak(c), c.memoryBandwidth) /
      time(2 * n * d * (h + 1), n * d, peak(c), c.memoryBandwidth)
    );
  };

  it('option 1: the first context whose layer is slower than vanilla', () => {
    for (const chip of [m4, h200]) {
      let first = 0;
      for (let n = 1; n <= 4096 && !first; n++) if (layerSlower(chip, 4096, n)) first = n;
      expect(first).toBeGreaterThan(1);
      expect(option1SlowerFrom({ d: 4096, h: 32 }, chip, 'int8')).toBe(first);
    }
    expect(option1SlowerFrom({ d: 4096, h: 32 }, m4, 'int8', 1, 16)).toBeUndefined();
  });

  it('option 2: the core speedup and the fewest heads below 2× and below 1×', () => {
    expect(option2CoreSpeedup(m4, 'int8', 64, 128).speedup).toBeCloseTo(
      coreSpeedup(m4, 64, 128),
      12,
    );
    expect(option2CoreSpeedup(m4, 'int8', 64, 128).bound).toBe('compute');
    expect(option2CoreSpeedup(h200, 'int8', 64, 128).bound).toBe('memory');
    for (const limit of [2, 1]) {
      let first: number | undefined;
      for (let h = 1; h <= 128 && first === undefined; h++)
        if (coreSpeedup(m4, h, 128) < limit) first = h;
      expect(first).toBeDefined();
      expect(option2CoreBelowFrom(limit, m4, 'int8', 128, 128)).toBe(first);
    }
    // H200's ridge (413) is above 2h + 2 for every h up to 128: never below 1×.
    expect(option2CoreBelowFrom(1, h200, 'int8', 128, 128)).toBeUndefined();
  });
});
