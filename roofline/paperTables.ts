/**
 * The paper's printed numbers (paper Tables 1, 3, 4, 7), transcribed once as printed strings, and the
 * comparison of a cost-model value with one of them at the printed precision. The explorer's
 * "paper tables" view and the unit tests both read these: one copy of every printed value.
 */
import { whisperTable } from './encoderDecoder';
import { RooflineInputError } from './errors';
import { compressionFactor, keyWidth, projectionRatio, standardCacheValues } from './memory';
import { peakOps } from './roofline';
import type { Chip, Model } from './types';

/**
 * A value as the paper prints it ("4.3B", "9.4M", "1.08x", "583") next to the cost model's
 * value, and whether they agree at the printed precision (half a unit of the last digit).
 */
export interface PrintedComparison {
  printed: string;
  computed: number;
  /** The computed value rounded and written like the printed one. */
  computedText: string;
  matches: boolean;
}

export function comparePrinted(computed: number, printed: string): PrintedComparison {
  const match = /^~?(-?\d+(?:\.\d+)?)([BMKx]?)$/.exec(printed.replace(/,/g, ''));
  if (!match) throw new RooflineInputError(`cannot read the printed value '${printed}'`);
  const [, digits, unit] = match;
  const scale = unit === 'B' ? 1e9 : unit === 'M' ? 1e6 : unit === 'K' ? 1e3 : 1;
  const decimals = digits.includes('.') ? digits.split('.')[1].length : 0;
  const rounded = Math.round((computed / scale) * 10 ** decimals) / 10 ** decimals;
  return {
    printed,
    computed,
    computedText: `${rounded.toFixed(decimals)}${unit}`,
    matches: rounded === Number(digits),
  };
}

/** paper Table 1 (paper Table 1): catalog id → printed context memory (2·d·layers·context). */
export const paperTable1ContextMemory: readonly (readonly [string, string])[] = [
  ['codellama-7b', '4.3B'],
  ['codellama-13b', '6.7B'],
  ['codegemma-7b', '1.9B'],
  ['aya-23-35b', '5.4B'],
  ['smollm2-1.7b', '0.8B'],
  ['smolvlm', '1.6B'],
  ['evo-1-131k', '34.4B'],
  ['phi-3-mini-128k', '25.8B'],
  ['bitnet-b1-58-3b', '0.3B'],
  ['dclm-7b', '0.5B'],
  ['olmo-1b', '0.3B'],
  ['olmo-2-1124-13b', '1.7B'],
  ['chronos-bolt-tiny', '1M'],
  ['chronos-bolt-base', '9.4M'],
  ['qwen2-audio-7b', '2.1B'],
  ['llava-next-video', '1.1B'],
  ['llava-vicuna-13b', '1.7B'],
  ['vicuna-7b-16k', '4.3B'],
  ['vicuna-13b-16k', '6.7B'],
  ['flan-t5-base', '9.4M'],
  ['flan-t5-xxl', '101M'],
  ['whisper-tiny', '6M'],
  ['whisper-large-v3', '160M'],
  ['gpt-2-xl', '157M'],
];

export interface Table1Row {
  model: Model;
  contextMemory: PrintedComparison;
}

/** Table 1 regenerated: standard cache values at each model's context (paper Table 1). */
export function paperTable1(catalog: readonly Model[]): Table1Row[] {
  return paperTable1ContextMemory.map(([id, printed]) => {
    const model = catalog.find((m) => m.id === id);
    if (!model || model.contextLength === undefined)
      throw new RooflineInputError(`Table 1 model '${id}' is missing from the catalog`);
    return {
      model,
      contextMemory: comparePrinted(standardCacheValues(model, model.contextLength), printed),
    };
  });
}

export interface Table3Row {
  chip: Chip;
  opsPerByte: PrintedComparison;
}

/** Table 3 regenerated: int8 peak / bandwidth for the chips the paper lists (paper Table 3). */
export function paperTable3(catalog: readonly Chip[]): Table3Row[] {
  return catalog
    .filter((chip) => chip.paperTable3 !== undefined)
    .map((chip) => ({
      chip,
      opsPerByte: comparePrinted(
        peakOps(chip, 'int8') / chip.memoryBandwidth,
        String(chip.paperTable3?.opsPerByte),
      ),
    }));
}

/** paper §4 (paper Table 7), printed in millions (M) or as speedups (x), per Whisper size. */
export const paperWhisperTable = {
  models: ['whisper-tiny', 'whisper-base', 'whisper-small', 'whisper-medium', 'whisper-large'],
  eCache: ['0.6M', '0.8M', '1.2M', '1.5M', '1.9M'],
  crossKv: ['4.6M', '9.2M', '27.6M', '73.7M', '122.9M'],
  selfKv: ['1.4M', '2.8M', '8.3M', '22.0M', '36.7M'],
  cache: {
    baseline: ['6.0M', '12.0M', '35.9M', '95.7M', '159.6M'],
    option1: ['3.0M', '6.0M', '18.0M', '47.9M', '79.8M'],
    option2: ['0.7M', '1.4M', '4.1M', '11.0M', '18.4M'],
  },
  /** "option 2 cache savings": baseline cache / option 2 cache. */
  option2Savings: ['8.7x', '8.7x', '8.7x', '8.7x', '8.7x'],
  params: {
    baseline: ['28.2M', '48.6M', '138.9M', '405.4M', '800.4M'],
    option1: ['28.8M', '50.1M', '146.0M', '430.6M', '852.8M'],
    option2: ['29.4M', '51.7M', '153.1M', '455.8M', '905.2M'],
  },
  readsB1: {
    baseline: ['34.2M', '60.5M', '174.8M', '501.2M', '960.0M'],
    option1: ['31.8M', '56.1M', '164.0M', '478.5M', '932.6M'],
    option2: ['30.0M', '53.1M', '157.2M', '466.8M', '923.6M'],
  },
  speedupB1: {
    option1: ['1.08x', '1.08x', '1.07x', '1.05x', '1.03x'],
    option2: ['1.14x', '1.14x', '1.11x', '1.07x', '1.04x'],
  },
  readsB64: {
    baseline: ['6.4M', '12.7M', '38.1M', '102.1M', '172.1M'],
    option1: ['3.4M', '6.8M', '20.2M', '54.6M', '93.1M'],
    option2: ['1.1M', '2.2M', '6.5M', '18.1M', '32.5M'],
  },
  speedupB64: {
    option1: ['1.9x', '1.9x', '1.9x', '1.9x', '1.8x'],
    option2: ['5.6x', '5.8x', '5.8x', '5.6x', '5.3x'],
  },
} as const;

export interface Table7Row {
  /** Row label as in paper §4. */
  label: string;
  /** One comparison per Whisper size, in `paperWhisperTable.models` order. */
  cells: PrintedComparison[];
}

/** The Whisper table regenerated from `whisperTable` at B = 1 and B = 64 (paper §4). */
export function paperTable7(): Table7Row[] {
  const b1 = whisperTable(1);
  const b64 = whisperTable(64);
  const t = paperWhisperTable;
  const all = ['baseline', 'option1', 'option2'] as const;
  const slim = ['option1', 'option2'] as const;
  type Rows = typeof b1;
  type Group = 'cache' | 'params' | 'reads' | 'speedup';
  // One block of rows per paper §4 group: label prefix, computed rows, group, printed values.
  const blocks: [string, Rows, Group, readonly string[], Record<string, readonly string[]>][] = [
    ['cache', b1, 'cache', all, t.cache],
    ['params', b1, 'params', all, t.params],
    ['reads/token B=1', b1, 'reads', all, t.readsB1],
    ['speedup B=1', b1, 'speedup', slim, t.speedupB1],
    ['reads/token B=64', b64, 'reads', all, t.readsB64],
    ['speedup B=64', b64, 'speedup', slim, t.speedupB64],
  ];
  return blocks.flatMap(([prefix, rows, group, options, printed]) =>
    options.map((o) => ({
      // The first two groups read "baseline cache", the others "reads/token B=1: baseline".
      label: group === 'cache' || group === 'params' ? `${o} ${prefix}` : `${prefix}: ${o}`,
      cells: rows.map((r, i) =>
        comparePrinted((r[group] as Record<string, number>)[o], printed[o][i]),
      ),
    })),
  );
}

/**
 * Appendix G's printed compression factors c = h_kv·(d_k + d_v)/d: catalog id → printed c
 * (CodeGemma-7B 2·4096/3072, Gemma2-9B 2·2048/3584).
 */
export const paperAppendixGCompression: readonly (readonly [string, string])[] = [
  ['codegemma-7b', '2.67'],
  ['gemma-2-9b', '1.14'],
];

export interface AppendixGRow {
  model: Model;
  compression: PrintedComparison;
}

/** Appendix G's examples regenerated: the cost model's c beside the printed one. */
export function paperAppendixG(catalog: readonly Model[]): AppendixGRow[] {
  return paperAppendixGCompression.map(([id, printed]) => {
    const model = catalog.find((m) => m.id === id);
    if (!model)
      throw new RooflineInputError(`Appendix G model '${id}' is missing from the catalog`);
    return { model, compression: comparePrinted(compressionFactor(model), printed) };
  });
}

/** paper §3, Table 4: models with non-square projections (e = d_k·h > d), as printed. */
export const paperTable4Printed: readonly {
  id: string;
  d: string;
  dk: string;
  h: string;
  e: string;
  r: string;
}[] = [
  { id: 'codegemma-7b', d: '3072', dk: '256', h: '16', e: '4096', r: '1.3' },
  { id: 't5-3b', d: '1024', dk: '128', h: '32', e: '4096', r: '4' },
  { id: 't5-11b', d: '1024', dk: '128', h: '128', e: '16384', r: '16' },
];

export interface Table4Row {
  model: Model;
  d: PrintedComparison;
  dk: PrintedComparison;
  h: PrintedComparison;
  /** e = h·d_k from the catalog's shape. */
  e: PrintedComparison;
  /** r = e/d. */
  r: PrintedComparison;
}

/** Table 4 regenerated from the catalog's shapes: e = h·d_k and r = e/d (paper §3). */
export function paperTable4(catalog: readonly Model[]): Table4Row[] {
  return paperTable4Printed.map((p) => {
    const model = catalog.find((m) => m.id === p.id);
    if (!model) throw new RooflineInputError(`Table 4 model '${p.id}' is missing from the catalog`);
    return {
      model,
      d: comparePrinted(model.d, p.d),
      dk: comparePrinted(model.headDim, p.dk),
      h: comparePrinted(model.heads, p.h),
      e: comparePrinted(keyWidth(model), p.e),
      r: comparePrinted(projectionRatio(model), p.r),
    };
  });
}

/**
 * The conditioning figures the paper's limits point to (Appendix A) and the later study by the
 * authors' collaborators, as printed: Whisper-large-v3 cross-attention condition numbers, the
 * relative logit error of each cache direction in float32, how many layers favour the V-cache
 * direction (K = V·W_VK, Appendix C), and what survived lower precision. Numbers are kept as
 * printed (strings, like the tables above); Number() reads them.
 */
export const paperPrecisionStudy = {
  model: 'whisper-large-v3',
  /** cond(W_K) of the cross-attention layers: median and maximum. */
  crossCondK: { median: '1.4e7', max: '5.2e9' },
  /** cond(W_V) of the same layers stays at or below this. */
  crossCondVMax: '4.5e6',
  /** Relative logit error in float32: V from K in every layer, and K from V (V-cache). */
  logitErrorFloat32: { vFromK: '0.54', vCache: '0.0059' },
  /** Layers where the V-cache direction is the better one. */
  vCacheBetter: [
    { model: 'whisper-tiny', layers: 4, better: 3 },
    { model: 'whisper-large-v3', layers: 32, better: 31 },
  ],
  /** Lower precision: which schemes kept working. */
  lowPrecision: {
    float16: 'With float16 weights the K→V direction failed at every model size.',
    bfloat16: 'Only X-caching, which inverts nothing, survived bfloat16.',
  },
  advice: 'Compute W_KV in float64.',
} as const;
