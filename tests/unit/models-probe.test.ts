/**
 * DecoderModel.probeAttention (paper Appendix D on real models): a layer's softmax rows, raw K
 * rows, V rows and W_KV, checked against the independent float64 forward pass of
 * tests/shared/tinyModels.ts (plain loops, no engine code) for every family and for the default
 * model moby-gpt2; then standard s·V and slim option 2 (s·K)·W_KV, run sparse on those rows,
 * skip the same rows and give the same output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sparseKFirstSum, sparseWeightedSum } from '../../engine/attention';
import { CpuBackend } from '../../engine/cpu';
import { directorySources } from '../../engine/io/node';
import {
  loadTokenizer,
  readModel,
  type AttentionProbe,
  type HostModel,
  type LoadedModel,
} from '../../engine/models';
import { EngineInputError } from '../../engine/tensor';
import { relativeError } from './attention-fixtures';
import {
  referenceLogits,
  tinyCheckpoint,
  TINY_GPT2,
  TINY_GPT_NEO,
  TINY_LLAMA,
  TINY_NEOX,
  type AnyConfig,
  type ReferenceAttentionRows,
  type TinyFamily,
} from './models-helpers';

const FAMILIES: [TinyFamily, AnyConfig][] = [
  ['gpt2', TINY_GPT2],
  ['gpt-neo', TINY_GPT_NEO],
  ['llama', TINY_LLAMA],
  ['gpt-neox', TINY_NEOX],
];

const PROMPT = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];

/** Causal softmax rows of the reference's rotated q and k: [heads·n, n], as attnProbs lays out. */
function referenceProbs(rows: ReferenceAttentionRows, heads: number): Float64Array {
  const n = rows.q.length;
  const dk = rows.q[0].length / heads;
  const out = new Float64Array(heads * n * n);
  for (let h = 0; h < heads; h++)
    for (let t = 0; t < n; t++) {
      const s: number[] = [];
      // A local layer's window hides the keys j ≤ t − window (probability 0).
      const first = rows.window === undefined ? 0 : Math.max(0, t - rows.window + 1);
      for (let j = first; j <= t; j++) {
        let dot = 0;
        for (let c = 0; c < dk; c++) dot += rows.q[t][h * dk + c] * rows.k[j][h * dk + c];
        s.push(dot * (rows.scale ?? 1 / Math.sqrt(dk)));
      }
      const top = Math.max(...s);
      const e = s.map((x) => Math.exp(x - top));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((x, i) => (out[(h * n + t) * n + first + i] = x / z));
    }
  return out;
}

/** Every layer's reference rows for `ids`. */
function referenceRows(family: TinyFamily, config: AnyConfig, host: HostModel, ids: number[]) {
  const layers: ReferenceAttentionRows[] = [];
  referenceLogits(family, config, host.weights, ids, (l, rows) => (layers[l] = rows));
  return layers;
}

const flat = (rows: number[][]) => Float64Array.from(rows.flat());

/** Checks one probe against the reference rows; returns the standard and slim sparse runs. */
function checkProbe(probe: AttentionProbe, ref: ReferenceAttentionRows, tolerance: number) {
  const { heads, tokens: n } = probe;
  const all = referenceProbs(ref, heads);
  // The probe's rows are those of the queries it read: the last, or all.
  const want = new Float64Array(heads * probe.queries * n);
  for (let h = 0; h < heads; h++)
    for (let q = 0; q < probe.queries; q++)
      for (let j = 0; j < n; j++)
        want[(h * probe.queries + q) * n + j] = all[(h * n + probe.firstQuery + q) * n + j];
  expect(probe.probs.rows).toBe(heads * probe.queries);
  expect(probe.probs.cols).toBe(n);
  expect(relativeError(probe.probs.data, want)).toBeLessThanOrEqual(tolerance);
  for (let r = 0; r < probe.probs.rows; r++) {
    const row = probe.probs.data.subarray(r * n, (r + 1) * n);
    expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
    expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
  }
  // K as the slim cache holds it: before RoPE; V as the standard cache holds it.
  expect(relativeError(probe.keys.data, flat(ref.kRaw))).toBeLessThanOrEqual(tolerance);
  expect(relativeError(probe.values.data, flat(ref.v))).toBeLessThanOrEqual(tolerance);
  // V = K·W_KV + (b_V − b_K·W_KV), from the raw keys.
  const e = probe.keys.cols;
  const rebuilt = new Float64Array(n * e);
  for (let t = 0; t < n; t++)
    for (let j = 0; j < e; j++) {
      let s = probe.valueBias ? probe.valueBias[j] : 0;
      for (let i = 0; i < e; i++) s += probe.keys.data[t * e + i] * probe.wKV.data[i * e + j];
      rebuilt[t * e + j] = s;
    }
  expect(relativeError(rebuilt, flat(ref.v))).toBeLessThanOrEqual(1e-9);
}

function sparsePair(probe: AttentionProbe, threshold: number) {
  const options = { heads: probe.heads, threshold };
  const standard = sparseWeightedSum(probe.probs, probe.values, options);
  const slim = sparseKFirstSum(probe.probs, probe.keys, probe.wKV, {
    ...options,
    valueBias: probe.valueBias,
  });
  return { standard, slim };
}

describe.each(FAMILIES)('probeAttention on a %s checkpoint', (family, config) => {
  it('matches the independent float64 forward in every layer; sparse standard = slim option 2', async () => {
    const ckpt = tinyCheckpoint(family, config, { seed: 5 });
    const host = await readModel(ckpt.files);
    const be = new CpuBackend({ dtype: 'float64' });
    const model = host.build(be, { scheme: 'kv', probe: true });
    const ref = referenceRows(family, config, host, PROMPT);
    // The first probe allocates the caches' storage (kept by reset); after it nothing grows.
    await model.probeAttention(PROMPT, { layer: 0 });
    const live = be.stats().liveTensors;
    let skippedSomething = false;
    for (let layer = 0; layer < config.layers; layer++) {
      for (const queries of ['last', 'all'] as const) {
        const probe = await model.probeAttention(PROMPT, { layer, queries });
        expect(probe.layer).toBe(layer);
        expect(probe.tokens).toBe(PROMPT.length);
        expect(probe.queries).toBe(queries === 'last' ? 1 : PROMPT.length);
        expect(probe.rope === undefined).toBe(family === 'gpt2' || family === 'gpt-neo');
        checkProbe(probe, ref[layer], 1e-12);
        for (const threshold of [0, 0.02, 0.08, 0.2]) {
          const { standard, slim } = sparsePair(probe, threshold);
          expect(slim.skippedPerHead).toEqual(standard.skippedPerHead);
          expect(relativeError(slim.output, standard.output, standard.dense)).toBeLessThanOrEqual(
            1e-9,
          );
          expect(relativeError(slim.dense, standard.dense)).toBeLessThanOrEqual(1e-9);
          if (queries === 'last' && threshold > 0 && standard.skipped > 0) skippedSomething = true;
        }
      }
    }
    expect(skippedSomething).toBe(true);
    // The probe leaves nothing behind: no live tensors, empty caches.
    expect(be.stats().liveTensors).toBe(live);
    expect(model.length).toBe(0);
    model.dispose();
  });

  it('a slim model probes the same rows; float32 agrees to float32 round-off', async () => {
    const ckpt = tinyCheckpoint(family, config, { seed: 9 });
    const host = await readModel(ckpt.files);
    const f64 = host.build(new CpuBackend({ dtype: 'float64' }), { scheme: 'kv', probe: true });
    const slim = host.build(new CpuBackend({ dtype: 'float64' }), {
      scheme: 'k-cache',
      probe: true,
    });
    const f32 = host.build(new CpuBackend({ dtype: 'float32' }), { scheme: 'kv', probe: true });
    const a = await f64.probeAttention(PROMPT, { layer: 1 });
    const b = await slim.probeAttention(PROMPT, { layer: 1 });
    const c = await f32.probeAttention(PROMPT, { layer: 1 });
    // Layer 1's input went through layer 0 of each scheme: equal to float64 round-off.
    expect(relativeError(b.probs.data, a.probs.data)).toBeLessThanOrEqual(1e-12);
    expect(relativeError(b.keys.data, a.keys.data)).toBeLessThanOrEqual(1e-12);
    expect(c.dtype).toBe('float32');
    expect(relativeError(c.probs.data, a.probs.data)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(c.keys.data, a.keys.data)).toBeLessThanOrEqual(1e-5);
    // The caches were used by the forward pass and emptied again: generation still works.
    const logits = f64.prefill(PROMPT);
    const direct = Float64Array.from(await logits.read());
    logits.dispose();
    const want = referenceLogits(family, config, host.weights, PROMPT).at(-1) as number[];
    expect(relativeError(direct, want)).toBeLessThanOrEqual(1e-12);
  });
});

describe('probeAttention on the default model moby-gpt2', () => {
  it('real Moby-Dick text: rows match the float64 reference and sparse outputs agree', async () => {
    const files = await directorySources('public/models/moby-gpt2');
    const host = await readModel(files);
    const tokenizer = await loadTokenizer(files);
    if (!tokenizer) throw new Error('moby-gpt2 has no tokenizer');
    // The plain-loop reference itself agrees with the training script's numpy forward pass.
    const numpy = JSON.parse(readFileSync('public/models/moby-gpt2/reference.json', 'utf8')) as {
      promptIds: number[];
      lastLogits: number[];
    };
    if (host.spec.familyConfig.family !== 'gpt2') throw new Error('moby-gpt2 is not GPT-2');
    const gpt2 = host.spec.familyConfig.config;
    const logits = referenceLogits('gpt2', gpt2, host.weights, numpy.promptIds).at(-1) as number[];
    expect(relativeError(logits, numpy.lastLogits)).toBeLessThanOrEqual(1e-5);
    const ids = tokenizer.encode('Call me Ishmael. Some years ago, never mind how long precisely');
    expect(ids.length).toBeGreaterThan(8);
    const be = new CpuBackend({ dtype: 'float64' });
    const model: LoadedModel = host.build(be, { scheme: 'kv', probe: true });
    const ref = referenceRows('gpt2', gpt2, host, ids);
    for (let layer = 0; layer < host.spec.layers; layer++) {
      const probe = await model.probeAttention(ids, { layer });
      checkProbe(probe, ref[layer], 1e-11);
      const { standard, slim } = sparsePair(probe, 0.05);
      expect(standard.skipped).toBeGreaterThan(0);
      expect(slim.skippedPerHead).toEqual(standard.skippedPerHead);
      expect(relativeError(slim.output, standard.output, standard.dense)).toBeLessThanOrEqual(1e-9);
      // Skipping small scores changes the output, by less than the mass it drops.
      expect(standard.maxAbsError).toBeGreaterThan(0);
    }
    model.dispose();
  }, 30_000);
});

describe('probeAttention refuses what it cannot do, in sentences', () => {
  it('without probe: true, with a bad layer, with bad tokens', async () => {
    const ckpt = tinyCheckpoint('gpt2', TINY_GPT2);
    const host = await readModel(ckpt.files);
    const be = new CpuBackend({ dtype: 'float64' });
    const plain = host.build(be, { scheme: 'kv' });
    await expect(plain.probeAttention(PROMPT, { layer: 0 })).rejects.toThrow(
      /probeAttention needs a model built with the option probe: true/,
    );
    const model = host.build(be, { scheme: 'kv', probe: true });
    await expect(model.probeAttention(PROMPT, { layer: 2 })).rejects.toThrow(
      /layer 2 is outside \[0, 2\)/,
    );
    await expect(model.probeAttention([1, 99], { layer: 0 })).rejects.toThrow(EngineInputError);
    await expect(model.probeAttention([], { layer: 0 })).rejects.toThrow(/at least one token/);
    await model.probeAttention(PROMPT, { layer: 0 });
    const before = be.stats().liveTensors;
    await expect(model.probeAttention([1, 99], { layer: 0 })).rejects.toThrow(/outside \[0, 41\)/);
    expect(be.stats().liveTensors).toBe(before);
  });
});
