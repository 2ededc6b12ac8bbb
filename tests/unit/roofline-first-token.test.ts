/**
 * Time to first token of an encoder–decoder (paper §4: option 1 halves the cross phase, option 2
 * removes it), against OPs and bytes counted by hand here for Whisper-tiny and a toy shape, and
 * against max(OPs/peak, bytes/bandwidth) from the chip's catalog numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstTokenTimes,
  firstTokenWork,
  requireChip,
  requireModel,
  RooflineInputError,
  whisperModelIds,
  type Model,
} from '../../roofline';

const tiny = requireModel('whisper-tiny');
const h200 = requireChip('nvidia-h200');

describe('paper §4: time to first token', () => {
  it('counts Whisper-tiny’s phases by hand (p = 1500, d = e = 384, d_ffn = 1536, 4 layers)', () => {
    const w = firstTokenWork(tiny, { batch: 2, bytesPerValue: 2 });
    const [p, d, f, l] = [1500, 384, 1536, 4];
    // Encoder: projections 8pd², attention 4p²d, FFN 4pd·d_ffn, per layer and sequence.
    expect(w.prompt.ops).toBe(2 * l * (8 * p * d * d + 4 * p * p * d + 4 * p * d * f));
    expect(w.prompt.bytes).toBe(2 * l * (4 * d * d + 2 * d * f));
    // Cross phase: K = E·W_K and V = E·W_V, 2pd² OPs each.
    expect(w.cross.baseline.ops).toBe(2 * l * 2 * (2 * p * d * d));
    expect(w.cross.option1.ops).toBe(w.cross.baseline.ops / 2);
    expect(w.cross.option2).toEqual({ ops: 0, bytes: 0 });
    // Bytes: W_K, W_V once; per sequence E read and the 2 cache rows of p written.
    expect(w.cross.baseline.bytes).toBe(2 * l * (2 * d * d + 2 * (p * d + 2 * p * d)));
    expect(w.cross.option1.bytes).toBe(2 * l * (d * d + 2 * (p * d + p * d)));
    // First step: decoder weights (paper §4 params rows) + B·(cross cache + one self row).
    const params = 51865 * d + l * (6 * d * d + 2 * d * f);
    expect(w.firstStep.baseline.bytes).toBe(2 * (params + 2 * (2 * p * d * l + 2 * d * l)));
    expect(w.firstStep.option1.bytes).toBe(2 * (params + l * d * d + 2 * (p * d * l + d * l)));
    expect(w.firstStep.option2.bytes).toBe(2 * (params + 2 * l * d * d + 2 * d * l));
    expect(w.firstStep.option2.ops).toBe(2 * 2 * (params + 2 * l * d * d));
  });

  it('times each phase as max(OPs/peak, bytes/bandwidth) and sums them', () => {
    const t = firstTokenTimes(tiny, h200, 'fp16', { batch: 64 });
    const w = t.phases;
    const peak = 989.4e12;
    const bw = 4800e9;
    const time = (x: { ops: number; bytes: number }) => Math.max(x.ops / peak, x.bytes / bw);
    expect(t.prompt.seconds).toBeCloseTo(time(w.prompt), 15);
    // fp16: 2 bytes per value by default.
    expect(w.prompt.bytes).toBe(firstTokenWork(tiny, { batch: 64, bytesPerValue: 2 }).prompt.bytes);
    for (const s of ['baseline', 'option1', 'option2'] as const) {
      expect(t.cross[s].seconds).toBeCloseTo(time(w.cross[s]), 15);
      expect(t.firstStep[s].seconds).toBeCloseTo(time(w.firstStep[s]), 15);
      expect(t.total[s]).toBeCloseTo(
        t.prompt.seconds + t.cross[s].seconds + t.firstStep[s].seconds,
        15,
      );
    }
    expect(t.cross.option2).toEqual({ seconds: 0, bound: 'none' });
    expect(t.prompt.bound).toBe('compute');
    expect(t.firstStep.baseline.bound).toBe('memory');
    expect(t.speedup.option2).toBeCloseTo(t.total.baseline / t.total.option2, 12);
  });

  it('orders the schemes baseline > option 1 > option 2 for every Whisper size and batch', () => {
    for (const id of whisperModelIds) {
      for (const batch of [1, 8, 64, 256]) {
        const t = firstTokenTimes(requireModel(id), h200, 'fp16', { batch });
        expect(t.total.baseline).toBeGreaterThan(t.total.option1);
        expect(t.total.option1).toBeGreaterThan(t.total.option2);
        // The encoder is shared, so removing the cross phase cannot double the speed.
        expect(t.speedup.option2).toBeLessThan(2);
        expect(t.speedup.option2).toBeGreaterThan(1);
      }
    }
  });

  it('cross-phase work scales as 2·B·l·p·d·e and halves for option 1, for any shape', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 32 }),
        (heads, dk, layers, p, batch) => {
          const d = heads * dk;
          const m: Model = { ...tiny, heads, kvHeads: heads, headDim: dk, d, layers };
          const w = firstTokenWork(m, { encoderLength: p, batch });
          expect(w.cross.baseline.ops).toBe(batch * layers * 4 * p * d * d);
          expect(2 * w.cross.option1.ops).toBe(w.cross.baseline.ops);
          expect(w.cross.option2.ops).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses decoder-only models and bad options with sentences', () => {
    expect(() => firstTokenWork(requireModel('gpt-2-xl'))).toThrow(/not an encoder/);
    expect(() => firstTokenWork(tiny, { batch: 0 })).toThrow(RooflineInputError);
    expect(() => firstTokenWork(tiny, { encoderLayers: 1.5 })).toThrow(/encoderLayers/);
    expect(() => firstTokenWork(tiny, { bytesPerValue: -1 })).toThrow(/bytesPerValue/);
  });
});
