/**
 * Whole-model decode, ours vs tfjs: the same GPT-2 (same weights) on our WebGL backend
 * (engine/models Gpt2Model, standard KV-cache) and written with tfjs-backend-webgl ops
 * (tfjs-gpt2.ts), in one page. Both are prefilled with the same prompt, then decode the same
 * tokens step by step, alternating ours, tfjs, ours, … so a change in machine load hits both
 * alike; a step ends when its greedy token is back on the host. Before any timing, the logits
 * of both after the prompt and after one decode step are compared: the bench fails if they
 * disagree, so the two sides are known to compute the same model.
 *
 * Where the model comes from is a ModelSource (a name, and its config and weights on demand):
 * the default model public/models/moby-gpt2 loaded through engine/models' real loader (served
 * at /models/moby-gpt2/ by the page's server), whose tensors both sides take, and GPT-2 small's
 * shapes with random weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import {
  GPT2_SMALL,
  Gpt2Model,
  randomGpt2Weights,
  readModel,
  seededRandom,
  type Gpt2Config,
  type HostWeights,
} from '../../engine/models';
import { WebGLBackend } from '../../engine/webgl';
import type { Tensor } from '../../engine/tensor';
import { TfjsGpt2 } from './tfjs-gpt2';

/** One row of `modelDecode` in the bench JSON (a contract): medians, ms per decode token. */
export interface ModelDecodeResult {
  model: string;
  /** Tokens in the cache when the measured steps began. */
  context: number;
  oursMs: number;
  tfjsMs: number;
}

/** A GPT-2 config and its weights (Hugging Face names without the model prefix). */
export interface LoadedSource {
  config: Gpt2Config;
  weights: HostWeights;
}

/** A model to benchmark: a name and a way to get its config and weights. */
export interface ModelSource {
  name: string;
  load(): Promise<LoadedSource>;
}

/** Random GPT-2 weights (engine/models randomGpt2Weights) for a config. */
export function randomSource(name: string, config: Gpt2Config, seed = 1): ModelSource {
  return {
    name,
    load: async () => ({ config, weights: randomGpt2Weights(config, seed, 'float32') }),
  };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`modelDecode: ${url} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * A GPT-2 checkpoint in Hugging Face layout served at `baseUrl` (config.json,
 * model.safetensors), read by engine/models' loader (readModel: config.json through the one
 * parser, every tensor checked against it). Ours and tfjs both take the tensors it read.
 */
export function checkpointSource(name: string, baseUrl: string): ModelSource {
  return {
    name,
    async load() {
      const files = new Map<string, Uint8Array>();
      for (const f of ['config.json', 'model.safetensors'])
        files.set(f, await fetchBytes(`${baseUrl}/${f}`));
      const host = await readModel(files);
      const f = host.spec.familyConfig;
      if (f.family !== 'gpt2')
        throw new Error(
          `modelDecode: ${name} is a ${f.family} checkpoint; the tfjs side is written for GPT-2 only`,
        );
      return { config: f.config, weights: host.weights };
    },
  };
}

/** Where the page's server serves the GPT-2 default model (public/ is served at the root). */
export const DEFAULT_GPT2_URL = '/models/moby-gpt2';

/**
 * The models of the whole-model decode: the trained GPT-2 default model (public/models/moby-gpt2:
 * d 128, 4 heads, 4 layers, vocab 1024, 256 positions) and GPT-2 small's shapes (d 768, 12
 * heads, the tied 50257-row head) with `layers` layers and random weights.
 */
export function defaultModelSources(
  layers: number,
  vocabSize: number,
  maxContext: number,
): ModelSource[] {
  const nPositions = Math.max(maxContext + 64, 256);
  const gpt2Small: Gpt2Config = { ...GPT2_SMALL, layers, vocabSize, nPositions };
  return [
    checkpointSource('moby-gpt2 (default model, d 128, 4 layers, vocab 1024)', DEFAULT_GPT2_URL),
    randomSource(
      `gpt2-small-shaped (d 768, 12 heads, ${layers} layers, vocab ${vocabSize}, random weights)`,
      gpt2Small,
      12,
    ),
  ];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** max |a − b| and max |b| over two logit rows. */
function logitGap(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; maxRef: number } {
  if (a.length !== b.length) throw new Error(`logits of ${a.length} and ${b.length} values`);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return { maxAbs, maxRef };
}

/**
 * Logits of both sides agree to 1e-3 × max |logit| (float32 on both, different summation
 * orders through every layer; observed far smaller), or the comparison is not honest.
 */
const AGREEMENT = 1e-3;

export async function modelDecodeBench(
  gpu: WebGLBackend,
  sources: readonly ModelSource[],
  contexts: readonly number[],
  steps: number,
  log: (s: string) => void,
  /**
   * A backend with foldPolicy 'linear': when given, a third model (ours, the fold before the
   * aligned one) decodes alongside, for a before/after of the fold in one page (logged only).
   */
  linearFoldGpu?: WebGLBackend,
): Promise<ModelDecodeResult[]> {
  await tf.setBackend('webgl');
  await tf.ready();
  // The caches grow by one row per step; by default tfjs-backend-webgl compiles new shader
  // programs for every new shape, i.e. every step. Shapes as uniforms is its own remedy for
  // dynamic shapes: without it tfjs would be timed compiling, not computing.
  const shapesUniforms = tf.env().getBool('WEBGL_USE_SHAPES_UNIFORMS');
  tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  try {
    return await benchSources(gpu, sources, contexts, steps, log, linearFoldGpu);
  } finally {
    tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', shapesUniforms);
  }
}

async function benchSources(
  gpu: WebGLBackend,
  sources: readonly ModelSource[],
  contexts: readonly number[],
  steps: number,
  log: (s: string) => void,
  linearFoldGpu?: WebGLBackend,
): Promise<ModelDecodeResult[]> {
  const rows: ModelDecodeResult[] = [];
  for (const source of sources) {
    const { config, weights } = await source.load();
    for (const context of contexts) {
      if (context + steps + 2 > config.nPositions) {
        throw new Error(
          `modelDecode: context ${context} + ${steps + 2} steps exceeds ${source.name}'s ${config.nPositions} positions`,
        );
      }
      // Fresh models per context: the prefill is the same prompt for both.
      const ours = new Gpt2Model(gpu, config, weights, { scheme: 'kv' });
      const theirs = new TfjsGpt2(config, weights);
      // Only a model whose embedding is taller than MAX_TEXTURE_SIZE is folded at all.
      const folded = config.vocabSize > gpu.maxTextureSize;
      const before =
        linearFoldGpu && folded
          ? new Gpt2Model(linearFoldGpu, config, weights, { scheme: 'kv' })
          : undefined;
      try {
        rows.push(await measure(source.name, ours, theirs, context, steps, log, before));
      } finally {
        ours.dispose();
        theirs.dispose();
        before?.dispose();
      }
    }
  }
  return rows;
}

async function measure(
  name: string,
  ours: Gpt2Model,
  theirs: TfjsGpt2,
  context: number,
  steps: number,
  log: (s: string) => void,
  linearFold?: Gpt2Model,
): Promise<ModelDecodeResult> {
  const rand = seededRandom(context);
  const vocab = ours.config.vocabSize;
  const prompt = Array.from({ length: context }, () => Math.floor(rand() * vocab));
  const t0 = performance.now();
  // Prefill in chunks of 128 (ours) and one pass (tfjs); not timed. The last chunk's logits
  // are compared in full.
  const prefill = (model: Gpt2Model): Tensor => {
    let logits = model.prefill(prompt.slice(0, Math.min(128, context)));
    for (let i = 128; i < context; i += 128) {
      logits.dispose();
      logits = model.prefill(prompt.slice(i, Math.min(i + 128, context)));
    }
    return logits;
  };
  const oursLogits = prefill(ours);
  const theirLogits = theirs.forward(prompt);
  await check(`${name}, prompt of ${context}`, oursLogits, theirLogits, log);
  if (linearFold) {
    const l = prefill(linearFold);
    const { maxAbs } = logitGap(await l.read(), await oursLogits.read());
    l.dispose();
    if (maxAbs > 0) throw new Error(`modelDecode ${name}: the two folds differ by ${maxAbs}`);
  }
  let next = await ours.argmax(oursLogits);
  oursLogits.dispose();
  theirLogits.dispose();
  log(
    `modelDecode ${name}: prefill ${context} tokens, both: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const times: [number[], number[]] = [[], []];
  const linearTimes: number[] = [];
  let sameTokens = 0;
  for (let s = 0; s < steps + 2; s++) {
    // Both decode the same token (ours' greedy pick), so their caches stay identical.
    const id = next;
    const a0 = performance.now();
    const la = ours.decode(id);
    next = await ours.argmax(la);
    const a1 = performance.now();
    if (linearFold) {
      const ll = linearFold.decode(id);
      await linearFold.argmax(ll);
      ll.dispose();
      if (s >= 2) linearTimes.push(performance.now() - a1);
    }
    const b0 = performance.now();
    const lb = theirs.forward([id]);
    const theirNext = await theirs.argmax(lb);
    const b1 = performance.now();
    if (theirNext === next) sameTokens++;
    if (s === 0) await check(`${name}, decode step at ${context}`, la, lb, log);
    la.dispose();
    lb.dispose();
    if (s >= 2) {
      // Two warm-up steps (programs compiled, textures pooled) are not counted.
      times[0].push(a1 - a0);
      times[1].push(b1 - b0);
    }
  }
  const [oursMs, tfjsMs] = times.map(median);
  if (linearFold) {
    const beforeMs = median(linearTimes);
    log(
      `modelDecode ${name} at ${context}: ours with the linear fold (before the aligned fold) ${beforeMs.toFixed(1)} ms/token, with the aligned fold ${oursMs.toFixed(1)} ms/token (${(beforeMs / oursMs).toFixed(2)}×)`,
    );
  }
  log(
    `modelDecode ${name} at ${context}: ours ${oursMs.toFixed(1)} ms/token, tfjs ${tfjsMs.toFixed(1)} ms/token (tfjs/ours ${(tfjsMs / oursMs).toFixed(2)}×), same greedy token ${sameTokens}/${steps + 2}`,
  );
  return { model: name, context, oursMs, tfjsMs };
}

async function check(
  what: string,
  ours: { read(): Promise<ArrayLike<number>> },
  theirs: tf.Tensor,
  log: (s: string) => void,
): Promise<void> {
  const [a, b] = [await ours.read(), await theirs.data()];
  const { maxAbs, maxRef } = logitGap(a, b);
  log(
    `modelDecode ${what}: ours vs tfjs logits max |Δ| ${maxAbs.toExponential(2)} (max |logit| ${maxRef.toFixed(3)})`,
  );
  if (!(maxAbs <= AGREEMENT * Math.max(1, maxRef))) {
    throw new Error(
      `modelDecode ${what}: our logits and tfjs's differ by ${maxAbs} (max |logit| ${maxRef}); the two implementations do not compute the same model, so their times are not comparable`,
    );
  }
}

/**
 * The tied head alone, x · wteᵀ with wte [vocab, d] (taller than MAX_TEXTURE_SIZE, so folded),
 * on two backends in one page: the aligned fold (whole rows per pixel row, shift and mask per
 * fetch) and the linear fold (integer division and modulo per fetch). Trials alternate; each
 * queues `reps` products and reads the last one back. Logged, not part of the JSON. Returns
 * the median ms per product [aligned, linear].
 */
export async function headFoldBench(
  gpu: WebGLBackend,
  vocab: number,
  d: number,
  trials: number,
  log: (s: string) => void,
): Promise<[number, number]> {
  const linearGpu = new WebGLBackend({ foldPolicy: 'linear' });
  const rand = seededRandom(17);
  const wte = Float32Array.from({ length: vocab * d }, () => 0.04 * (rand() - 0.5));
  const x = Float32Array.from({ length: d }, () => rand() * 2 - 1);
  const sides = [gpu, linearGpu].map((be) => ({
    be,
    w: be.fromArray(wte, [vocab, d]),
    x: be.fromArray(x, [1, d]),
  }));
  try {
    const once = async (i: number): Promise<Float32Array> => {
      const { be, w, x: xi } = sides[i];
      const y = be.matmul(xi, w, { transposeB: true });
      try {
        return (await y.read()) as Float32Array;
      } finally {
        y.dispose();
      }
    };
    const [a, b] = [await once(0), await once(1)];
    const { maxAbs } = logitGap(a, b);
    if (maxAbs > 0) throw new Error(`head fold bench: the two folds differ by ${maxAbs}`);
    const reps = 4;
    const times: [number[], number[]] = [[], []];
    for (let t = 0; t < trials; t++) {
      for (const i of [0, 1]) {
        const { be, w, x: xi } = sides[i];
        const t0 = performance.now();
        for (let r = 0; r < reps - 1; r++) be.matmul(xi, w, { transposeB: true }).dispose();
        await once(i);
        times[i].push((performance.now() - t0) / reps);
      }
    }
    const [aligned, linear] = times.map(median);
    log(
      `head [1, ${d}]·[${vocab}, ${d}]ᵀ: aligned fold ${aligned.toFixed(1)} ms, linear fold ${linear.toFixed(1)} ms (${(linear / aligned).toFixed(2)}×), identical logits`,
    );
    return [aligned, linear];
  } finally {
    for (const s of sides) {
      s.w.dispose();
      s.x.dispose();
    }
    linearGpu.destroy();
  }
}
