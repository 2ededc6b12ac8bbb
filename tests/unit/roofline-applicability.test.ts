import { describe, expect, it } from 'vitest';
import { applicability, models, requireModel } from '../../roofline';
import { expectPrinted } from './roofline-helpers';

describe('applicability verdict (paper §1, §3, §4, Appendices C, D, G)', () => {
  it('square MHA: applicable, 2x, K-cache', () => {
    const v = applicability(requireModel('codellama-7b'));
    expect(v).toMatchObject({ applicable: true, factor: 2, kind: 'mha-square' });
    expect(v.reason).toMatch(/halves/);
    // RoPE rules out the V-only cache (paper Appendices C, D, G) but not the K-cache.
    expect(v.options.find((o) => o.id === 'v-cache')?.works).toBe(false);
    // GPT-2 has learned positions: V-cache works too.
    expect(applicability(requireModel('gpt-2-xl')).options.every((o) => o.works)).toBe(true);
  });

  it('non-square MHA with RoPE (CodeGemma-7B): d-wide cache 2.67x, X-cache shortcut ruled out', () => {
    const m = requireModel('codegemma-7b');
    const v = applicability(m);
    // paper Appendices C, D, G: c = h_kv·(d_k + d_v)/d = 2·(16·256)/3072 = 2.67; K rebuilt from X can be rotated.
    const c = (2 * m.kvHeads * m.headDim) / m.d;
    expect(c).toBeCloseTo(8 / 3, 12);
    expect(v).toMatchObject({ applicable: true, kind: 'mha-non-square' });
    expect(v.factor).toBeCloseTo(c, 12);
    expectPrinted(v.factor, '2.67');
    expect(v.options.find((o) => o.id === 'd-wide-cache')).toMatchObject({ works: true });
    expect(v.options.find((o) => o.id === 'k-cache')).toMatchObject({ works: true, factor: 2 });
    // The scores shortcut (x·W_Q·W_Kᵀ)·Xᵀ of paper §3 option 2 needs no RoPE in between.
    const x = v.options.find((o) => o.id === 'x-cache')!;
    expect(x.works).toBe(false);
    expectPrinted(x.factor, '2.67');
    expect(v.reason).toMatch(/RoPE/);
  });

  it('encoder–decoder: Whisper option 2 8.7x; T5-11B (relative positions) X-cache 32x', () => {
    const whisper = applicability(requireModel('whisper-medium'));
    expect(whisper.kind).toBe('encoder-decoder');
    expectPrinted(whisper.factor, '8.7');
    const t5 = applicability(requireModel('t5-11b'));
    expect(t5.factor).toBe(32);
    expect(t5.options.map((o) => o.id)).toEqual(['k-cache', 'e-cache', 'x-cache']);
    // Moonshine uses RoPE and has no fixed encoder length: only option 1.
    const moonshine = applicability(requireModel('moonshine-base'));
    expect(moonshine.factor).toBe(2);
  });

  it('GQA/MQA: c decides (paper Appendices C, D, G)', () => {
    const gemma = applicability(requireModel('gemma-2-9b'));
    expect(gemma).toMatchObject({ applicable: true, kind: 'gqa' });
    expectPrinted(gemma.factor, '1.14');
    for (const id of ['llama-3-8b', 'mistral-7b', 'qwen2.5-7b']) {
      const v = applicability(requireModel(id));
      expect(v, id).toMatchObject({ applicable: false, factor: 1, kind: 'gqa' });
      expect(v.reason).toMatch(/no gain/);
    }
    expect(applicability(requireModel('falcon-7b'))).toMatchObject({
      applicable: false,
      kind: 'mqa',
    });
  });

  it('every catalog model gets a verdict with a reason and factor ≥ 1; every MHA model gains', () => {
    for (const m of models) {
      const v = applicability(m);
      expect(v.factor, m.id).toBeGreaterThanOrEqual(1);
      expect(v.applicable).toBe(v.factor > 1);
      expect(v.reason.length).toBeGreaterThan(20);
      if (m.attention === 'MHA') expect(v.factor, m.id).toBeGreaterThanOrEqual(2);
    }
  });
});
