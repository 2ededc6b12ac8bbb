import { describe, expect, it } from 'vitest';
import {
  attainableOpsPerSecond,
  chips,
  decodeStepTimes,
  decodeStepWork,
  generateComplexity,
  isMemoryBound,
  peakOps,
  requireChip,
  requireModel,
  ridgePoint,
  RooflineInputError,
  rooflineTime,
  slimPeakIntensity,
} from '../../roofline';
import { expectPrinted } from './roofline-helpers';

describe('paper Table 3 (paper Table 3)', () => {
  it('reproduces the OPs/byte column from TOPS and GB/s', () => {
    const table3 = chips.filter((c) => c.paperTable3);
    expect(table3).toHaveLength(6);
    for (const c of table3) {
      expectPrinted(ridgePoint(c, 'int8'), String(c.paperTable3!.opsPerByte));
    }
    // The printed column itself, transcribed: catches a wrong row as well as a wrong formula.
    const printed: Record<string, string> = {
      'apple-a18': '583',
      'apple-m4-max': '93',
      'google-tpu-v4': '229',
      'google-tpu-v5p': '332',
      'nvidia-h200': '413',
      'nvidia-b200': '563',
    };
    for (const [id, opsPerByte] of Object.entries(printed)) {
      expectPrinted(ridgePoint(requireChip(id)), opsPerByte);
    }
  });

  it('slim decode (2h+2 ≤ 130 at h = 64) is memory bound on all but the M4 Max', () => {
    const intensity = slimPeakIntensity(64); // int8: one value = one byte
    const bound = chips
      .filter((c) => c.paperTable3)
      .filter((c) => !isMemoryBound(c, 'int8', intensity))
      .map((c) => c.id);
    expect(bound).toEqual(['apple-m4-max']);
    // At h = 32 (66 OPs/byte) it is memory bound everywhere in Table 3.
    for (const c of chips.filter((x) => x.paperTable3)) {
      expect(isMemoryBound(c, 'int8', slimPeakIntensity(32))).toBe(true);
    }
  });
});

describe('roofline time', () => {
  const h200 = requireChip('nvidia-h200');

  it('is max(OPs/peak, bytes/bandwidth) and names the bound', () => {
    const memoryBound = rooflineTime({ ops: 1e12, bytes: 1e11 }, h200, 'int8');
    expect(memoryBound.computeSeconds).toBeCloseTo(1e12 / 1.98e15, 15);
    expect(memoryBound.memorySeconds).toBeCloseTo(1e11 / 4.8e12, 15);
    expect(memoryBound.seconds).toBe(memoryBound.memorySeconds);
    expect(memoryBound.bound).toBe('memory');
    const computeBound = rooflineTime({ ops: 1e16, bytes: 1e9 }, h200, 'int8');
    expect(computeBound.bound).toBe('compute');
    expect(computeBound.seconds).toBe(computeBound.computeSeconds);
  });

  it('attainable OPs/s bends at the ridge point', () => {
    const ridge = ridgePoint(h200, 'int8');
    expect(attainableOpsPerSecond(h200, 'int8', ridge / 2)).toBeCloseTo(
      peakOps(h200, 'int8') / 2,
      -3,
    );
    expect(attainableOpsPerSecond(h200, 'int8', ridge * 2)).toBe(peakOps(h200, 'int8'));
  });

  it('throws typed errors for a missing dtype and bad work', () => {
    expect(() => peakOps(requireChip('apple-a18'), 'fp32')).toThrow(/no fp32 peak/);
    expect(() => rooflineTime({ ops: NaN, bytes: 1 }, h200, 'int8')).toThrow(RooflineInputError);
    expect(() => rooflineTime({ ops: 1, bytes: 0 }, h200, 'int8')).toThrow(RooflineInputError);
    expect(() => requireChip('h300')).toThrow(/unknown chip 'h300'/);
  });
});

describe('decode step on a chip', () => {
  it('attention OPs per layer follow Table 2 (vanilla 4nd, slim option 2 2nd(h+1))', () => {
    const m = requireModel('codellama-7b');
    const n = 4096;
    const t = generateComplexity({ d: m.d, h: m.heads, n });
    const standard = decodeStepWork(m, 'standard', { contextLength: n, bytesPerValue: 1 });
    const slim = decodeStepWork(m, 'slim', { contextLength: n, bytesPerValue: 1 });
    expect(standard.ops - 2 * m.params).toBe(m.layers * t.vanilla.mha.ops);
    expect(slim.ops - 2 * m.params).toBe(m.layers * t.option2.mha.ops);
    expect(standard.bytes - slim.bytes).toBe(m.layers * n * m.d); // half of 2·d·l·n at 1 byte
  });

  it('Phi-3 at 128K on an H200 is memory bound and slim approaches the 1.8x of paper §1', () => {
    const r = decodeStepTimes(requireModel('phi-3-mini-128k'), requireChip('nvidia-h200'), 'int8', {
      contextLength: 128_000,
      bytesPerValue: 1,
    });
    expect(r.standard.bound).toBe('memory');
    expect(r.slim.bound).toBe('memory');
    expectPrinted(r.speedup, '1.8');
  });

  it('GQA without gain: slim is the standard step', () => {
    const m = requireModel('llama-3-8b');
    const opts = { contextLength: 8192, batch: 4 };
    expect(decodeStepWork(m, 'slim', opts)).toEqual(decodeStepWork(m, 'standard', opts));
  });
});
