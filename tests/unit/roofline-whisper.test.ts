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
import { expectPrinted } from './roofline-helpers';

/**
 * The §8 Whisper table of PAPER.md, transcribed as printed (millions of values; speedups "x").
 * Columns: tiny, base, small, medium, large.
 */
const printed = {
  eCache: ['0.6', '0.8', '1.2', '1.5', '1.9'],
  crossKv: ['4.6', '9.2', '27.6', '73.7', '122.9'],
  selfKv: ['1.4', '2.8', '8.3', '22.0', '36.7'],
  cacheBaseline: ['6.0', '12.0', '35.9', '95.7', '159.6'],
  cacheOption1: ['3.0', '6.0', '18.0', '47.9', '79.8'],
  cacheOption2: ['0.7', '1.4', '4.1', '11.0', '18.4'],
  paramsBaseline: ['28.2', '48.6', '138.9', '405.4', '800.4'],
  paramsOption1: ['28.8', '50.1', '146.0', '430.6', '852.8'],
  paramsOption2: ['29.4', '51.7', '153.1', '455.8', '905.2'],
  readsB1: {
    baseline: ['34.2', '60.5', '174.8', '501.2', '960.0'],
    option1: ['31.8', '56.1', '164.0', '478.5', '932.6'],
    option2: ['30.0', '53.1', '157.2', '466.8', '923.6'],
  },
  speedupB1: {
    option1: ['1.08', '1.08', '1.07', '1.05', '1.03'],
    option2: ['1.14', '1.14', '1.11', '1.07', '1.04'],
  },
  readsB64: {
    baseline: ['6.4', '12.7', '38.1', '102.1', '172.1'],
    option1: ['3.4', '6.8', '20.2', '54.6', '93.1'],
    option2: ['1.1', '2.2', '6.5', '18.1', '32.5'],
  },
  speedupB64: {
    option1: ['1.9', '1.9', '1.9', '1.9', '1.8'],
    option2: ['5.6', '5.8', '5.8', '5.6', '5.3'],
  },
};

const M = 1e6;

describe('PAPER.md §8: the Whisper table', () => {
  it('has the five sizes in the paper order', () => {
    expect(whisperTable(1).map((r) => r.model)).toEqual([...whisperModelIds]);
  });

  it('reproduces the cache rows (E-cache, cross, self, baseline, option 1, option 2, 8.7x)', () => {
    whisperModelIds.forEach((id, i) => {
      const c = encoderDecoderCache(requireModel(id));
      expectPrinted(c.eCache / M, printed.eCache[i]);
      expectPrinted(c.crossKv / M, printed.crossKv[i]);
      expectPrinted(c.selfKv / M, printed.selfKv[i]);
      expectPrinted(c.baseline / M, printed.cacheBaseline[i]);
      expectPrinted(c.option1 / M, printed.cacheOption1[i]);
      expectPrinted(c.option2 / M, printed.cacheOption2[i]);
      expectPrinted(c.baseline / c.option2, '8.7');
    });
  });

  it('reproduces the params rows', () => {
    whisperTable(1).forEach((row, i) => {
      expectPrinted(row.params.baseline / M, printed.paramsBaseline[i]);
      expectPrinted(row.params.option1 / M, printed.paramsOption1[i]);
      expectPrinted(row.params.option2 / M, printed.paramsOption2[i]);
    });
  });

  for (const [batch, reads, speedup] of [
    [1, printed.readsB1, printed.speedupB1],
    [64, printed.readsB64, printed.speedupB64],
  ] as const) {
    it(`reproduces reads per token and speedups at B = ${batch}`, () => {
      whisperTable(batch).forEach((row, i) => {
        expectPrinted(row.reads.baseline / M, reads.baseline[i]);
        expectPrinted(row.reads.option1 / M, reads.option1[i]);
        expectPrinted(row.reads.option2 / M, reads.option2[i]);
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
