import { describe, expect, it } from 'vitest';
import {
  chips,
  closeMatches,
  editDistance,
  findChip,
  findModel,
  models,
  projectionRatio,
  requireModel,
  RooflineInputError,
  standardCacheValues,
  xCacheValues,
} from '../../roofline';
import { paperTable1ContextMemory as table1ContextMemory } from '../../roofline';
import { expectPrinted } from './roofline-helpers';

/** paper Table 1, paper Table 10: id, params, d, layers as printed. */
const table10: [string, number, number, number][] = [
  ['metagene-1', 6.5e9, 4096, 32],
  ['olmoe-1b-7b-0125', 6.9e9, 2048, 16],
  ['drama-base', 212e6, 768, 12],
  ['chameleon-7b', 7e9, 4096, 32],
  ['llm-compiler-13b', 13e9, 5120, 40],
  ['deepseek-vl2-tiny', 3.4e9, 1280, 12],
  ['crisperwhisper', 1.6e9, 1280, 32],
  ['moonshine-base', 61e6, 416, 8],
  ['moondream-2', 1.9e9, 2048, 24],
  ['stable-code-3b', 2.8e9, 2560, 32],
  ['stable-lm2-1.6b', 1.6e9, 2048, 24],
  ['openmath-codellama-13b', 13e9, 5120, 40],
  ['maira-2', 6.9e9, 4096, 32],
  ['rocket-3b', 2.8e9, 2560, 32],
  ['openllama-13b', 13e9, 5120, 40],
  ['timesfm-1.0-200m', 200e6, 1280, 20],
  ['metricx-24-hybrid-xxl', 13e9, 4096, 24],
  ['biomedlm', 2.7e9, 2560, 32],
  ['minicpm-v2', 3.4e9, 2304, 40],
  ['ultralm-65b', 65e9, 8192, 80],
  ['llama-2-7b-32k', 7e9, 4096, 32],
  ['dolly-v2-12b', 12e9, 5120, 36],
  ['mpt-7b-8k', 7e9, 4096, 32],
  ['mpt-30b', 30e9, 7168, 48],
  ['bloom', 176e9, 14336, 70],
];

describe('model catalog', () => {
  it('has unique lowercase slug ids and a source for every entry', () => {
    const ids = models.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of models) {
      expect(m.id).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
      expect(m.source.length).toBeGreaterThan(10);
      expect(m.heads % m.kvHeads).toBe(0);
      expect(m.attention).toBe(m.kvHeads === m.heads ? 'MHA' : m.kvHeads === 1 ? 'MQA' : 'GQA');
      if (m.architecture === 'encoder-decoder' && m.encoderLength !== undefined) {
        expect(m.decoderLength).toBeGreaterThan(0);
      }
    }
  });

  it('contains every model the paper names and the popular GQA/MQA models', () => {
    const required = [
      ...table1ContextMemory.map(([id]) => id),
      ...table10.map(([id]) => id),
      'whisper-base',
      'whisper-small',
      'whisper-medium',
      'whisper-large',
      't5-3b',
      't5-11b',
      'llama-3-8b',
      'mistral-7b',
      'qwen2.5-7b',
      'gemma-2-9b',
    ];
    for (const id of required) expect(findModel(id), id).toBeDefined();
    expect(findModel('gemma-2-9b')?.attention).toBe('GQA');
    expect(findModel('falcon-7b')?.attention).toBe('MQA');
  });

  it('carries the paper Table 10 values, all square MHA (h·d_k = d)', () => {
    for (const [id, params, d, layers] of table10) {
      const m = requireModel(id);
      expect([m.params, m.d, m.layers], id).toEqual([params, d, layers]);
      expect(m.attention, id).toBe('MHA');
      expect(m.heads * m.headDim, id).toBe(d);
    }
  });

  it('reproduces the context memory column of paper Table 1 (2·d_cache·layers·context)', () => {
    for (const [id, printed] of table1ContextMemory) {
      const m = requireModel(id);
      expectPrinted(standardCacheValues(m, m.contextLength!), printed);
    }
  });

  it('reproduces r = e/d of paper Tables 4–5 and the 32x X-cache of T5-11B (paper §3)', () => {
    const codegemma = requireModel('codegemma-7b');
    expect(codegemma.heads * codegemma.headDim).toBe(4096);
    expectPrinted(projectionRatio(codegemma), '1.3');
    expect(projectionRatio(requireModel('t5-3b'))).toBe(4);
    const t5 = requireModel('t5-11b');
    expect(t5.heads * t5.headDim).toBe(16384);
    expect(projectionRatio(t5)).toBe(16);
    expect(standardCacheValues(t5, 512) / xCacheValues(t5, 512)).toBe(32);
  });
});

describe('chip catalog', () => {
  it('has positive numbers, a source, and the chips users look for', () => {
    for (const c of chips) {
      expect(c.memoryBandwidth).toBeGreaterThan(0);
      expect(c.memoryCapacity).toBeGreaterThan(0);
      expect(Object.values(c.peakOpsPerSecond).length).toBeGreaterThan(0);
      for (const peak of Object.values(c.peakOpsPerSecond)) expect(peak).toBeGreaterThan(0);
      expect(c.source.length).toBeGreaterThan(10);
    }
    for (const id of [
      'nvidia-a100',
      'nvidia-h100-sxm',
      'nvidia-h200',
      'nvidia-b200',
      'amd-mi300x',
      'google-tpu-v4',
      'google-tpu-v5e',
      'google-tpu-v5p',
      'nvidia-rtx-4090',
      'apple-m3-max',
      'apple-m4-max',
      'apple-a18',
    ]) {
      expect(findChip(id), id).toBeDefined();
    }
    expect(chips.some((c) => c.kind === 'phone-soc')).toBe(true);
  });

  it("marks exactly the paper's Table 3 chips, and their int8/bandwidth equal the printed row", () => {
    const marked = chips.filter((c) => c.paperTable3).map((c) => c.id);
    expect(marked.sort()).toEqual(
      [
        'apple-a18',
        'apple-m4-max',
        'google-tpu-v4',
        'google-tpu-v5p',
        'nvidia-h200',
        'nvidia-b200',
      ].sort(),
    );
    for (const c of chips) {
      if (!c.paperTable3) continue;
      expect(c.peakOpsPerSecond.int8).toBe(c.paperTable3.int8Tops * 1e12);
      expect(c.memoryBandwidth).toBe(c.paperTable3.bandwidthGBps * 1e9);
      expect(c.source).toContain('paper Table 3');
    }
  });
});

describe('lookup', () => {
  it('finds ids case-insensitively', () => {
    expect(findModel('CodeLlama-7B')?.id).toBe('codellama-7b');
    expect(findChip(' NVIDIA-H200 ')?.id).toBe('nvidia-h200');
    expect(findModel('nope')).toBeUndefined();
  });

  it('suggests close matches for typos and partial names', () => {
    expect(closeMatches('codelama-7b', models)[0]).toBe('codellama-7b');
    expect(closeMatches('CodeLlama_7B', models)[0]).toBe('codellama-7b');
    expect(closeMatches('phi-3', models)).toContain('phi-3-mini-128k');
    expect(closeMatches('whisper', models)).toHaveLength(5);
    expect(closeMatches('h100', chips)).toEqual(['nvidia-h100-sxm']);
    expect(closeMatches('zzzzzzzzzzzzzzzzzzzzz', models)).toEqual([]);
  });

  it('requireModel throws a typed error that names the close matches', () => {
    expect(() => requireModel('llama3-8b')).toThrow(RooflineInputError);
    expect(() => requireModel('llama3-8b')).toThrow(/did you mean: llama-3-8b/);
  });

  it('editDistance is the Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('catalog params are integers', () => {
  it('every model has an integer parameter count (JSON prints no 15999999999.999998)', () => {
    for (const m of models) expect(Number.isInteger(m.params), m.id).toBe(true);
  });
});
