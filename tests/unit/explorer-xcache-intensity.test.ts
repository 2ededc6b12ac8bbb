import { describe, expect, it } from 'vitest';
import { requireChip, requireModel } from '../../roofline';
import { operatingPoints, xCacheOpsPerValue } from '../../explorer/series';

const h200 = requireChip('nvidia-h200');
const fp8 = { weightFormat: 'fp8', cacheFormat: 'fp8' } as const;

describe("the X-cache's OPs per cached value (paper §3, issue 20)", () => {
  it('T5-11B at n = 512: the X-cache point is 4h = 512, the K-cache point 2h + 2 = 258', () => {
    const model = requireModel('t5-11b');
    // Paper §3, Table 4: T5-11B has d = 1024, d_k = 128, h = 128.
    expect([model.d, model.headDim, model.heads]).toEqual([1024, 128, 128]);
    const n = 512;
    const points = operatingPoints({ model, chip: h200, batch: 1, contextLength: n, ...fp8 });
    const byId = (id: string) => points.find((p) => p.id === id);
    // Per head, with the X-cache: scores (x·W_Q,i·W_K,iᵀ)·Xᵀ are 2·n·d OPs and the weighted sum
    // of X another 2·n·d; all 128 heads read the same n·d cached values (1 byte each in fp8).
    const xCache = byId('mha-x-cache');
    expect(xCache?.opsPerByte).toBe((128 * 4 * n * 1024) / (n * 1024));
    expect(xCache?.opsPerByte).toBe(512);
    expect(xCache?.explanation).toContain('4h = 512 OPs per cached value read');
    expect(xCache?.explanation).toContain('counting cache reads only');
    // Table 2's option 2 (a K-cache, (softmax·K)·W_KV): 2nd(h + 1) OPs over n·d reads.
    const kCache = byId('mha-k-first');
    expect(kCache?.opsPerByte).toBe(2 * 128 + 2);
    expect(kCache?.explanation).toContain("paper Table 2's 2h + 2 for a K-cache");
  });

  it('a model whose slim cannot use the X-cache (RoPE) has no X-cache point', () => {
    const model = requireModel('phi-3-mini-128k');
    const points = operatingPoints({
      model,
      chip: h200,
      batch: 1,
      contextLength: 4096,
      ...fp8,
    });
    expect(points.map((p) => p.id)).not.toContain('mha-x-cache');
  });

  it('the X-cache figure is 4h for each non-square model of paper Table 4', () => {
    // T5-3B: h = 32; T5-11B: h = 128 (paper §3, Table 4).
    expect(xCacheOpsPerValue(requireModel('t5-3b'))).toBe(4 * 32);
    expect(xCacheOpsPerValue(requireModel('t5-11b'))).toBe(4 * 128);
  });
});
