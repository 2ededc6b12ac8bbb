/**
 * Appendix G in the cost model: the printed compression factors regenerated, and the share of
 * the cache a d-wide cache saves (1 − 1/c when c > 1, else 0), checked by hand arithmetic.
 */
import { describe, expect, it } from 'vitest';
import {
  compressionFactor,
  compressionSaving,
  models,
  paperAppendixG,
  paperAppendixGCompression,
  requireModel,
  slimCacheValues,
  standardCacheValues,
} from '../../roofline';

describe('paper Appendix G', () => {
  it('regenerates the printed c of CodeGemma-7B and Gemma2-9B', () => {
    const rows = paperAppendixG(models);
    expect(rows.map((r) => [r.model.id, r.compression.printed])).toEqual(
      paperAppendixGCompression.map(([id, printed]) => [id, printed]),
    );
    for (const r of rows) expect(r.compression.matches).toBe(true);
    // By hand: 2·16·256/3072 and 2·8·256/3584.
    expect(rows[0].compression.computed).toBeCloseTo(8192 / 3072, 14);
    expect(rows[1].compression.computed).toBeCloseTo(4096 / 3584, 14);
    expect(() => paperAppendixG([])).toThrow(/missing from the catalog/);
  });

  it('the saving is 1 − 1/c when c > 1 and 0 otherwise', () => {
    const gemma = requireModel('gemma-2-9b');
    expect(compressionSaving(gemma)).toBeCloseTo(1 - 3584 / 4096, 14); // 0.125
    expect(compressionSaving(requireModel('codellama-7b'))).toBe(0.5);
    expect(compressionSaving(requireModel('llama-3-8b'))).toBe(0); // c = 0.5
    expect(compressionSaving({ d: 4, layers: 1, heads: 2, kvHeads: 1, headDim: 2 })).toBe(0); // c = 1
    // The saving is what the slim cache leaves out of the standard one, wherever c > 1 (GQA).
    const n = 1000;
    expect(1 - slimCacheValues(gemma, n) / standardCacheValues(gemma, n)).toBeCloseTo(
      compressionSaving(gemma),
      14,
    );
    expect(compressionFactor(gemma)).toBeGreaterThan(1);
  });
});
