import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encoderDecoderCache,
  encoderDecoderRow,
  requireModel,
  RooflineInputError,
  whisperModelIds,
  whisperTable,
  type Model,
} from '../../roofline';
import { paperWhisperTable } from '../../roofline';
import { expectPrinted } from './roofline-helpers';

/** The paper's Whisper table (paper Table 3, Table 7) as printed (millions "M"; speedups "x"); tiny … large. */
const t = paperWhisperTable;
const printed = {
  eCache: t.eCache,
  crossKv: t.crossKv,
  selfKv: t.selfKv,
  cacheBaseline: t.cache.baseline,
  cacheOption1: t.cache.option1,
  cacheOption2: t.cache.option2,
  paramsBaseline: t.params.baseline,
  paramsOption1: t.params.option1,
  paramsOption2: t.params.option2,
  readsB1: t.readsB1,
  speedupB1: t.speedupB1,
  readsB64: t.readsB64,
  speedupB64: t.speedupB64,
};

describe('paper §4: the Whisper table', () => {
  it('has the five sizes in the paper order', () => {
    expect(whisperTable(1).map((r) => r.model)).toEqual([...whisperModelIds]);
  });

  it('reproduces the cache rows (E-cache, cross, self, baseline, option 1, option 2, 8.7x)', () => {
    whisperModelIds.forEach((id, i) => {
      const c = encoderDecoderCache(requireModel(id));
      expectPrinted(c.eCache, printed.eCache[i]);
      expectPrinted(c.crossKv, printed.crossKv[i]);
      expectPrinted(c.selfKv, printed.selfKv[i]);
      expectPrinted(c.baseline, printed.cacheBaseline[i]);
      expectPrinted(c.option1, printed.cacheOption1[i]);
      expectPrinted(c.option2, printed.cacheOption2[i]);
      expectPrinted(c.baseline / c.option2, t.option2Savings[i]);
    });
  });

  it('reproduces the params rows', () => {
    whisperTable(1).forEach((row, i) => {
      expectPrinted(row.params.baseline, printed.paramsBaseline[i]);
      expectPrinted(row.params.option1, printed.paramsOption1[i]);
      expectPrinted(row.params.option2, printed.paramsOption2[i]);
    });
  });

  for (const [batch, reads, speedup] of [
    [1, printed.readsB1, printed.speedupB1],
    [64, printed.readsB64, printed.speedupB64],
  ] as const) {
    it(`reproduces reads per token and speedups at B = ${batch}`, () => {
      whisperTable(batch).forEach((row, i) => {
        expectPrinted(row.reads.baseline, reads.baseline[i]);
        expectPrinted(row.reads.option1, reads.option1[i]);
        expectPrinted(row.reads.option2, reads.option2[i]);
        expectPrinted(row.speedup.option1, speedup.option1[i]);
        expectPrinted(row.speedup.option2, speedup.option2[i]);
        expect(row.speedup.option1).toBeCloseTo(row.reads.baseline / row.reads.option1, 12);
      });
    });
  }

  it('option 2 cache savings are (2p + 2n)/n for any width and depth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.integer({ min: 1, max: 1000 }),
        (heads, layers, dk, p, n) => {
          const m: Model = {
            ...requireModel('whisper-tiny'),
            heads,
            kvHeads: heads,
            headDim: dk,
            d: heads * dk,
            layers,
          };
          const c = encoderDecoderCache(m, { encoderLength: p, decoderLength: n });
          // Relative 1e-12: a ratio of exact integers.
          expect(Math.abs(c.baseline / c.option2 - (2 * p + 2 * n) / n)).toBeLessThan(1e-12 * p);
          expect(c.option1).toBe(c.baseline / 2);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('speedups grow with batch toward the cache ratios (2x and 8.7x)', () => {
    const m = requireModel('whisper-small');
    let previous = encoderDecoderRow(m, 1);
    for (const batch of [2, 8, 64, 1024, 1 << 20]) {
      const row = encoderDecoderRow(m, batch);
      expect(row.speedup.option1).toBeGreaterThan(previous.speedup.option1);
      expect(row.speedup.option2).toBeGreaterThan(previous.speedup.option2);
      expect(row.speedup.option1).toBeLessThan(2);
      previous = row;
    }
    expectPrinted(previous.speedup.option2, '8.7');
  });

  it('rejects decoder-only models, missing lengths and bad batches', () => {
    expect(() => encoderDecoderRow(requireModel('gpt-2-xl'), 1)).toThrow(/not an encoder/);
    expect(() => encoderDecoderCache(requireModel('moonshine-base'))).toThrow(/encoder length/);
    expect(() => encoderDecoderRow(requireModel('whisper-tiny'), 0)).toThrow(RooflineInputError);
    expect(() => whisperTable(NaN)).toThrow(RooflineInputError);
  });
});
