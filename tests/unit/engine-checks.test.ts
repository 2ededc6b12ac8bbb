/**
 * engine/checks.ts, the argument checks both backends share, and engine/webgl/planners.ts, the
 * pure split-K and tiling plans of the WebGL backend.
 */
import { describe, expect, it } from 'vitest';
import * as check from '../../engine/checks';
import { CpuBackend } from '../../engine/cpu';
import { EngineInputError } from '../../engine/tensor';
import {
  FUSED_ATTENTION_FETCHES,
  MIN_SPLIT_K_TEXELS,
  chunkTexels,
  fuseAttentionScores,
  planSplitK,
  planTiles,
  tileable,
} from '../../engine/webgl/planners';

describe('shared argument checks', () => {
  it('accept valid inputs and return the sizes they read', () => {
    expect(check.checkMatmul('matmul', [2, 3], [3, 4], false)).toEqual({ m: 2, k: 3, n: 4 });
    expect(check.checkMatmul('matmul', [2, 3], [4, 3], true)).toEqual({ m: 2, k: 3, n: 4 });
    expect(check.checkHeadBlock('hb', [6, 4], [4, 9], 3)).toEqual({ m: 2, dOut: 3 });
    expect(check.checkWeightedSum([6, 5], [5, 12], 3)).toEqual({ m: 2, dv: 4 });
    expect(check.checkAttnProbs([2, 8], [5, 8], { heads: 2, scale: 0.5, causalOffset: 3 })).toEqual(
      { m: 2, n: 5, headDim: 4, causal: 3, kvHeads: 2 },
    );
    // Grouped-query: 4 query heads share 2 key/value heads, k and v half as wide as q.
    expect(check.checkAttnProbs([2, 8], [5, 4], { heads: 4, kvHeads: 2, scale: 1 })).toEqual({
      m: 2,
      n: 5,
      headDim: 2,
      causal: -1,
      kvHeads: 2,
    });
    expect(
      check.checkAttention([1, 8], [5, 2], [5, 2], { heads: 4, kvHeads: 1, scale: 1 }).out,
    ).toEqual([1, 8]);
    expect(check.checkWeightedSum([8, 5], [5, 6], 4, 2)).toEqual({ m: 2, dv: 3 });
    expect(check.checkCausalOffset('softmax', undefined)).toBe(-1);
    expect(check.visibleColumns('softmax', 1, 5, 2)).toBe(4);
    expect(check.visibleColumns('softmax', 1, 5, -1)).toBe(5);
    expect(
      check.checkRope(12, { heads: 2, positionOffset: 0, pairing: 'half', base: 1e4 }),
    ).toEqual({ headDim: 6, rotaryDim: 6 });
    expect(
      check.checkConcatCols([
        [2, 3],
        [2, 4],
      ]),
    ).toEqual([2, 7]);
  });

  it('reject bad inputs with EngineInputError naming the op', () => {
    expect(() => check.checkShape('zeros', [0, 2])).toThrow(
      /zeros: shape must be 1-D or 2-D with positive integer sizes \(the engine has no empty tensors\), got \[0, 2\]/,
    );
    expect(() => check.checkShape('zeros', [2.5])).toThrow(/positive integer sizes/);
    expect(() => check.checkUpload([1, 2], [3], 'float64')).toThrow(/needs 3 values, got 2/);
    // Overflowing float32 is an upload error for a float32 backend only; fround(x) decides.
    expect(() => check.checkUpload([1, 1e39], [1, 2], 'float32')).toThrow(
      /fromArray: value 1e\+39 at row 0, column 1 overflows float32/,
    );
    expect(() => check.checkUpload([-3.5e38], [1], 'float32')).toThrow(/at index 0 overflows/);
    expect(() => check.checkUpload([1, 1e39], [1, 2], 'float64')).not.toThrow();
    expect(() =>
      check.checkUpload([check.FLOAT32_MAX, -check.FLOAT32_MAX], [2], 'float32'),
    ).not.toThrow();
    expect(() => check.checkWriteRows([4, 3], 3, [2, 3])).toThrow(
      /writeRows: cannot write \[2, 3\] at row 3 of \[4, 3\]/,
    );
    expect(() => check.checkRowsView([4, 3], 0)).toThrow(/cannot view 0 rows/);
    expect(() => check.checkRange('sliceCols', [2, 5], 3, 3, 5)).toThrow(/range \[3, 3\)/);
    expect(() => check.checkCausalOffset('softmax', 1.5)).toThrow(/must be an integer/);
    expect(() => check.checkCausalOffset('attnProbs', -1)).toThrow(/row 0 sees no column/);
    expect(() => check.checkAttnProbs([2, 8], [5, 8], { heads: 3, scale: 1 })).toThrow(
      /do not fit 3 heads/,
    );
    expect(() => check.checkAttnProbs([2, 8], [5, 4], { heads: 4, kvHeads: 3, scale: 1 })).toThrow(
      /attnProbs: kvHeads 3 must be a positive integer that divides heads 4/,
    );
    expect(() => check.checkAttnProbs([2, 8], [5, 8], { heads: 4, kvHeads: 2, scale: 1 })).toThrow(
      /do not fit 4 heads sharing 2 key\/value heads/,
    );
    expect(() => check.checkAttnProbs([2, 8], [5, 8], { heads: 2, scale: NaN })).toThrow(
      /scale must be finite/,
    );
    const rope = { heads: 2, positionOffset: 0, pairing: 'half' as const, base: 1e4 };
    expect(() => check.checkRope(12, { ...rope, rotaryDim: 5 })).toThrow(/rotaryDim must be even/);
    expect(() => check.checkRope(12, { ...rope, positionOffset: -1 })).toThrow(
      /bad positionOffset/,
    );
    expect(() => check.checkRopeConfig('layer 2', { pairing: 'half', base: 0 }, 4)).toThrow(
      /layer 2: bad RoPE config/,
    );
    expect(() => check.checkIds([0, 3], 3)).toThrow(/id 3 at index 1 is outside \[0, 3\)/);
    expect(() => check.checkIds([], 3)).toThrow(/needs at least one id/);
    expect(() => check.checkEps('layerNorm', -1)).toThrow(EngineInputError);
  });

  it('the CPU backend throws the shared messages', () => {
    const be = new CpuBackend({ dtype: 'float64' });
    const x = be.zeros([2, 4]);
    expect(() => be.softmax(x, { causalOffset: -1 })).toThrow(
      /softmax: row 0 sees no column with causalOffset -1/,
    );
    expect(() => be.rope(x, { heads: 3, positionOffset: 0, pairing: 'half', base: 1e4 })).toThrow(
      /rope: 4 columns do not split into 3 heads/,
    );
    expect(() => be.attnWeightedSum(x, x, 2)).toThrow(/attnWeightedSum: p \[2, 4\] and v/);
  });
});

describe('WebGL product planners', () => {
  it('split-K only when the output is too small to fill the GPU and the reduction is long', () => {
    // GPT-2's MLP output in decode: 1×3072 · 3072×768 (192 output texels, k = 768 texels).
    expect(planSplitK(192, 768, 2048)).toEqual({ splits: 11, kChunk: 70 });
    // A 1×768 GEMV (k = 192 texels, below MIN_SPLIT_K_TEXELS): one draw, no second pass.
    expect(planSplitK(192, 192, 2048)).toEqual({ splits: 1, kChunk: 192 });
    expect(planSplitK(192, MIN_SPLIT_K_TEXELS, 2048).splits).toBeGreaterThan(1);
    // Enough output texels, or too short a reduction: one pass.
    expect(planSplitK(4096, 768, 2048)).toEqual({ splits: 1, kChunk: 768 });
    expect(planSplitK(1, 31, 2048)).toEqual({ splits: 1, kChunk: 31 });
  });

  it('decode attention repeats its scores per fragment only while that stays cheap', () => {
    // moby-gpt2 at n = 215: 32 output texels per head, 8 texels of q·k per key: one draw.
    expect(fuseAttentionScores(32, 215, 8)).toBe(true);
    expect(fuseAttentionScores(32, 512, 8)).toBe(true);
    // Slim option 2's s·K (4 heads × 32 texels) repeats 4× more: one draw up to n = 128.
    expect(fuseAttentionScores(128, 128, 8)).toBe(true);
    expect(fuseAttentionScores(128, 215, 8)).toBe(false);
    // GPT-2-small (192 output texels, 16 per key) at n = 200: the scores get their own draw.
    expect(fuseAttentionScores(192, 200, 16)).toBe(false);
    expect(fuseAttentionScores(1, FUSED_ATTENTION_FETCHES, 1)).toBe(true);
    expect(fuseAttentionScores(1, FUSED_ATTENTION_FETCHES + 1, 1)).toBe(false);
  });

  it('tiles cover m rows in blocks and fit the texture height', () => {
    expect(tileable(64, 768, 8, 4096)).toBe(true);
    expect(tileable(64, 4 * 4097, 8, 4096)).toBe(false);
    const plan = planTiles(64, 768, 192, 8, 4096, 2048);
    expect(plan.blockRows).toBe(8);
    expect(plan.splits * plan.kChunk).toBeGreaterThanOrEqual(192);
    expect(plan.splits * plan.blockRows).toBeLessThanOrEqual(4096);
    // A tiny texture limit caps the splits so that all block rows fit one texture.
    const capped = planTiles(64, 4, 1000, 8, 16, 1 << 20);
    expect(capped.splits * capped.blockRows).toBeLessThanOrEqual(16);
    expect(chunkTexels(1, 1024, 8, 2048)).toBe(8);
    expect(chunkTexels(1, 100000, 8, 2048)).toBe(49);
  });
});
