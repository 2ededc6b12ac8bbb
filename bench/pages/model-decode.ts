/**
 * Whole-model decode, four engines on the same GPT-2 (same weights) in one page:
 *   - ours: engine/models Gpt2Model (standard KV-cache) on our WebGL2 backend;
 *   - ours CPU: the same model on the engine's float32 CPU backend (CpuBackend);
 *   - tfjs: the same GPT-2 written with tfjs-backend-webgl ops (tfjs-gpt2.ts: fixed-size caches
 *     and a mask, so no shader is compiled after warm-up), tfjs's default flags;
 *   - ORT wasm: the same GPT-2 exported to ONNX in memory (bench/onnx/gpt2Onnx.ts, past
 *     key/values as inputs and outputs) on onnxruntime-web's wasm backend, one thread, no proxy.
 * All are prefilled with the same prompt, their logits after the prompt and after the first
 * decode step are compared with ours (the bench fails beyond 1e-3 × max |logit|), then each
 * decodes greedily, feeding back its own token; the bench fails unless every engine's greedy
 * tokens equal ours at every step. After two warm-up steps, `steps` steps are timed; in each
 * step the engines run one after the other in an order rotated by one per step, so every engine
 * takes every position equally often and a change in machine load hits all alike. A step ends
 * when its greedy token is on the host. Results are medians, ms per token. During the timed
 * steps the page counts WebGL2 calls (gl-counters.ts): shader compiles of tfjs and draws of ours
 * per token, measured.
 *
 * Where the model comes from is a ModelSource (a name, and its config and weights on demand):
 * the default model public/models/moby-gpt2 loaded through engine/models' real loader (served
 * at /models/moby-gpt2/ by the page's server), whose tensors every engine takes, and GPT-2
 * small's shapes with random weights.
 */
import mobyConfig from '../../public/models/moby-gpt2/config.json';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import * as ort from 'onnxruntime-web/wasm';
import {
  CpuBackend,
  GPT2_SMALL,
  Gpt2Model,
  randomGpt2Weights,
  readModel,
  seededRandom,
  type Gpt2Config,
  type HostWeights,
  type Tensor,
  WebGLBackend,
} from '../../engine';
import { gpt2Onnx } from '../onnx/gpt2Onnx';
import { ORT_ASSETS_URL } from '../onnx/ortAssets';
import { argmaxOf, OrtGpt2 } from '../onnx/ortGpt2';
import { glCounts, glDelta, type GlCounts } from './gl-counters';
import { TfjsGpt2 } from './tfjs-gpt2';

// ONNX Runtime Web: wasm backend on the page's thread, one thread (no SharedArrayBuffer, no
// worker), runtime files from node_modules/onnxruntime-web/dist served by bench/run.ts.
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmPaths = ORT_ASSETS_URL;

/** One row of `modelDecode` in the bench JSON (a contract): medians, ms per decode token. */
export interface ModelDecodeResult {
  model: string;
  /** Tokens in the cache when the measured steps began (the prompt). */
  context: number;
  /** Timed decode steps (after the warm-up steps). */
  steps: number;
  /** Our WebGL2 backend. */
  oursMs: number;
  /** Our float32 CPU backend. */
  oursCpuMs: number;
  /** tfjs-backend-webgl, fixed-size caches. */
  tfjsMs: number;
  /** onnxruntime-web, wasm, one thread. */
  ortWasmMs: number;
  /** WebGL draws of our WebGL backend per decode token, counted. */
  oursDrawsPerToken: number;
  /** Shader compiles (gl.compileShader) of tfjs per decode token, counted. */
  tfjsCompilesPerToken: number;
  /** Extra: shader compiles of our WebGL backend per decode token (0 once warm). */
  oursCompilesPerToken: number;
  /** Extra: WebGL draws of tfjs per decode token. */
  tfjsDrawsPerToken: number;
  /** Extra: rows of tfjs's fixed-size caches (prompt + warm-up + timed steps). */
  tfjsCacheRows: number;
  /** Extra: warm-up steps before the timed ones. */
  warmupSteps: number;
  /** Extra: slim attention (K-cache, paper §1–§2) on our WebGL2 backend, same steps. */
  oursSlimMs: number;
  /** Extra: slim attention on our float32 CPU backend. */
  oursSlimCpuMs: number;
  /** Extra: WebGL draws per decode token of slim on our WebGL backend. */
  oursSlimDrawsPerToken: number;
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
 * parser, every tensor checked against it). Every engine takes the tensors it read.
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
          `modelDecode: ${name} is a ${f.family} checkpoint; the tfjs and ONNX sides are written for GPT-2 only`,
        );
      return { config: f.config, weights: host.weights };
    },
  };
}

/** Where the page's server serves the GPT-2 default model (public/ is served at the root). */
export const DEFAULT_GPT2_URL = '/models/moby-gpt2';

/** Untimed decode steps before the timed ones (programs compiled, textures pooled). */
export const WARMUP_STEPS = 2;

/**
 * The models of the whole-model decode: the trained GPT-2 default model (public/models/moby-gpt2:
 * d 128, 4 heads, 4 layers, vocab 1024, 256 positions) and GPT-2 small's shapes (d 768, 12
 * heads, the tied head) with `layers` layers, `vocabSize` tokens and random weights, with
 * positions for `maxTokens` (prompt and every decode step).
 */
export function defaultModelSources(
  layers: number,
  vocabSize: number,
  maxTokens: number,
): ModelSource[] {
  const nPositions = Math.max(maxTokens + 8, 256);
  const gpt2Small: Gpt2Config = { ...GPT2_SMALL, layers, vocabSize, nPositions };
  return [
    checkpointSource(
      `moby-gpt2 (default model, d ${mobyConfig.n_embd}, ${mobyConfig.n_layer} layers, vocab ${mobyConfig.vocab_size})`,
      DEFAULT_GPT2_URL,
    ),
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
 * Logits of every engine agree with ours to 1e-3 × max |logit| (float32 everywhere, different
 * summation orders through every layer; observed far smaller), or the comparison is not honest.
 */
const AGREEMENT = 1e-3;

/** One engine of the comparison, driven step by step. */
interface DecodeEngine {
  key: 'ours' | 'oursCpu' | 'oursSlim' | 'oursSlimCpu' | 'tfjs' | 'ort' | 'oursLinearFold';
  label: string;
  /** Logits of each engine must equal ours within this (relative to max |logit|). */
  tolerance: number;
  /** Runs the prompt; the last token's logits on the host. */
  prefill(prompt: readonly number[]): Promise<ArrayLike<number>>;
  /** One decode step: the greedy next token (and, when asked, the logits). */
  step(id: number, wantLogits: boolean): Promise<{ next: number; logits?: ArrayLike<number> }>;
  dispose(): Promise<void>;
  /** Draws per kernel name so far, where the engine counts them itself (our WebGL backend). */
  kernelDraws?: () => Record<string, number>;
}

/** An engine/models GPT-2 on one of our backends. */
function oursEngine(
  key: DecodeEngine['key'],
  label: string,
  model: Gpt2Model,
  tolerance = AGREEMENT,
): DecodeEngine {
  const be = model.backend;
  return {
    key,
    label,
    tolerance,
    kernelDraws: be instanceof WebGLBackend ? () => be.gpuStats().drawsByKernel : undefined,
    async prefill(prompt) {
      // In chunks of 128 (prefill is not timed).
      let logits: Tensor | undefined;
      for (let i = 0; i < prompt.length; i += 128) {
        logits?.dispose();
        logits = model.prefill(prompt.slice(i, i + 128));
      }
      try {
        return await logits!.read();
      } finally {
        logits!.dispose();
      }
    },
    async step(id, wantLogits) {
      const logits = model.decode(id);
      try {
        const next = await model.argmax(logits);
        return { next, logits: wantLogits ? await logits.read() : undefined };
      } finally {
        logits.dispose();
      }
    },
    dispose: async () => model.dispose(),
  };
}

function tfjsEngine(model: TfjsGpt2): DecodeEngine {
  return {
    key: 'tfjs',
    label: 'tfjs',
    tolerance: AGREEMENT,
    async prefill(prompt) {
      const logits = model.forward(prompt);
      try {
        return await logits.data();
      } finally {
        logits.dispose();
      }
    },
    async step(id, wantLogits) {
      const logits = model.forward([id]);
      try {
        const next = await model.argmax(logits);
        return { next, logits: wantLogits ? await logits.data() : undefined };
      } finally {
        logits.dispose();
      }
    },
    dispose: async () => model.dispose(),
  };
}

/** The ORT session lives per model source; the engine resets its cache per context. */
function ortEngine(model: OrtGpt2): DecodeEngine {
  model.reset();
  return {
    key: 'ort',
    label: 'ORT wasm',
    tolerance: AGREEMENT,
    prefill: (prompt) => model.forward(prompt),
    async step(id, wantLogits) {
      const logits = await model.forward([id]);
      return { next: argmaxOf(logits), logits: wantLogits ? logits : undefined };
    },
    dispose: async () => model.reset(),
  };
}

export async function modelDecodeBench(
  gpu: WebGLBackend,
  sources: readonly ModelSource[],
  contexts: readonly number[],
  steps: number,
  log: (s: string) => void,
  /**
   * A backend with foldPolicy 'linear': when given, a further model (ours, the fold before the
   * aligned one) decodes alongside, for a before/after of the fold in one page (logged only).
   */
  linearFoldGpu?: WebGLBackend,
): Promise<ModelDecodeResult[]> {
  await tf.setBackend('webgl');
  await tf.ready();
  // tfjs as it ships: its default flags (packed ops, no shapes as uniforms); logged.
  const flags = ['WEBGL_PACK', 'WEBGL_USE_SHAPES_UNIFORMS', 'WEBGL_CPU_FORWARD'];
  log(`tfjs ${tf.version_core}: ${flags.map((f) => `${f}=${tf.env().get(f)}`).join(', ')}`);
  const cpu = new CpuBackend({ dtype: 'float32' });
  const rows: ModelDecodeResult[] = [];
  for (const source of sources) {
    const { config, weights } = await source.load();
    const t0 = performance.now();
    const ortModel = await OrtGpt2.create(ort, gpt2Onnx(config, weights), config);
    log(
      `modelDecode ${source.name}: ONNX model built and ORT session created in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    try {
      for (const context of contexts) {
        const total = context + WARMUP_STEPS + steps;
        if (total > config.nPositions) {
          throw new Error(
            `modelDecode: context ${context} + ${WARMUP_STEPS + steps} steps exceeds ${source.name}'s ${config.nPositions} positions`,
          );
        }
        // Fresh models per context: the prefill is the same prompt for all.
        const engines: DecodeEngine[] = [];
        try {
          engines.push(
            oursEngine('ours', 'ours WebGL', new Gpt2Model(gpu, config, weights, { scheme: 'kv' })),
            oursEngine(
              'oursCpu',
              'ours CPU',
              new Gpt2Model(cpu, config, weights, { scheme: 'kv' }),
            ),
            // Slim runs in the same rotation: its tokens must equal standard's at every step.
            oursEngine(
              'oursSlim',
              'ours WebGL slim',
              new Gpt2Model(gpu, config, weights, { scheme: 'k-cache' }),
            ),
            oursEngine(
              'oursSlimCpu',
              'ours CPU slim',
              new Gpt2Model(cpu, config, weights, { scheme: 'k-cache' }),
            ),
            tfjsEngine(new TfjsGpt2(config, weights, total)),
            ortEngine(ortModel),
          );
          // Only a model whose embedding is taller than MAX_TEXTURE_SIZE is folded at all.
          if (linearFoldGpu && config.vocabSize > gpu.maxTextureSize) {
            const m = new Gpt2Model(linearFoldGpu, config, weights, { scheme: 'kv' });
            engines.push(oursEngine('oursLinearFold', 'ours, linear fold', m, 0));
          }
          rows.push(
            await measure(source.name, engines, config.vocabSize, context, steps, total, log),
          );
        } finally {
          for (const e of engines) await e.dispose();
        }
      }
    } finally {
      await ortModel.release();
    }
  }
  return rows;
}

function checkLogits(
  what: string,
  engine: DecodeEngine,
  logits: ArrayLike<number>,
  ours: ArrayLike<number>,
  log: (s: string) => void,
): void {
  const { maxAbs, maxRef } = logitGap(logits, ours);
  log(
    `modelDecode ${what}: ${engine.label} vs ours logits max |Δ| ${maxAbs.toExponential(2)} (max |logit| ${maxRef.toFixed(3)})`,
  );
  if (!(maxAbs <= engine.tolerance * Math.max(1, maxRef))) {
    throw new Error(
      `modelDecode ${what}: ${engine.label}'s logits and ours differ by ${maxAbs} (max |logit| ${maxRef}); the implementations do not compute the same model, so their times are not comparable`,
    );
  }
}

async function measure(
  name: string,
  engines: readonly DecodeEngine[],
  vocab: number,
  context: number,
  steps: number,
  tfjsCacheRows: number,
  log: (s: string) => void,
): Promise<ModelDecodeResult> {
  const rand = seededRandom(context);
  const prompt = Array.from({ length: context }, () => Math.floor(rand() * vocab));
  const t0 = performance.now();
  // Prefill (not timed); the last token's logits of every engine are compared with ours.
  const prefilled: ArrayLike<number>[] = [];
  for (const e of engines) prefilled.push(await e.prefill(prompt));
  for (let i = 1; i < engines.length; i++)
    checkLogits(`${name}, prompt of ${context}`, engines[i], prefilled[i], prefilled[0], log);
  log(
    `modelDecode ${name}: prefill ${context} tokens, all engines: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  // Each engine decodes its own greedy tokens; they must stay equal to ours.
  const tokens = prefilled.map((l) => [argmaxOf(l)]);
  const times: number[][] = engines.map(() => []);
  const counts: GlCounts[] = engines.map(() => ({ compiles: 0, links: 0, draws: 0 }));
  const warmupCompiles = engines.map(() => 0);
  const kernelDraws = engines.map(() => new Map<string, number>());
  for (let s = 0; s < WARMUP_STEPS + steps; s++) {
    const timed = s >= WARMUP_STEPS;
    const logits: (ArrayLike<number> | undefined)[] = [];
    // Rotated order: engine i runs at position (i − s) mod count in step s.
    for (let r = 0; r < engines.length; r++) {
      const i = (r + s) % engines.length;
      const id = tokens[i][tokens[i].length - 1];
      const k0 = engines[i].kernelDraws?.();
      const c0 = glCounts();
      const a = performance.now();
      const out = await engines[i].step(id, s === 0);
      const b = performance.now();
      const delta = glDelta(c0, glCounts());
      if (k0 && timed)
        for (const [kernel, n] of Object.entries(engines[i].kernelDraws!()))
          kernelDraws[i].set(kernel, (kernelDraws[i].get(kernel) ?? 0) + n - (k0[kernel] ?? 0));
      if (!timed) warmupCompiles[i] += delta.compiles;
      tokens[i].push(out.next);
      logits[i] = out.logits;
      if (timed) {
        times[i].push(b - a);
        counts[i].compiles += delta.compiles;
        counts[i].links += delta.links;
        counts[i].draws += delta.draws;
      }
    }
    if (s === 0)
      for (let i = 1; i < engines.length; i++)
        checkLogits(`${name}, decode step at ${context}`, engines[i], logits[i]!, logits[0]!, log);
    for (let i = 1; i < engines.length; i++) {
      if (tokens[i][s + 1] !== tokens[0][s + 1])
        throw new Error(
          `modelDecode ${name} at ${context}: ${engines[i].label}'s greedy token at decode step ${s} is ${tokens[i][s + 1]}, ours is ${tokens[0][s + 1]} (tokens so far: ours ${tokens[0].join(' ')}; ${engines[i].label} ${tokens[i].join(' ')})`,
        );
    }
  }
  const ms = (key: DecodeEngine['key']) => median(times[engines.findIndex((e) => e.key === key)]);
  const perToken = (key: DecodeEngine['key'], c: keyof GlCounts) =>
    counts[engines.findIndex((e) => e.key === key)][c] / steps;
  const row: ModelDecodeResult = {
    model: name,
    context,
    steps,
    oursMs: ms('ours'),
    oursCpuMs: ms('oursCpu'),
    tfjsMs: ms('tfjs'),
    ortWasmMs: ms('ort'),
    oursDrawsPerToken: perToken('ours', 'draws'),
    tfjsCompilesPerToken: perToken('tfjs', 'compiles'),
    oursCompilesPerToken: perToken('ours', 'compiles'),
    tfjsDrawsPerToken: perToken('tfjs', 'draws'),
    tfjsCacheRows,
    warmupSteps: WARMUP_STEPS,
    oursSlimMs: ms('oursSlim'),
    oursSlimCpuMs: ms('oursSlimCpu'),
    oursSlimDrawsPerToken: perToken('oursSlim', 'draws'),
  };
  for (const c of ['oursCpu', 'oursSlimCpu', 'ort'] as const) {
    const i = engines.findIndex((e) => e.key === c);
    if (counts[i].draws || counts[i].compiles)
      throw new Error(`modelDecode: ${engines[i].label} made WebGL calls during its steps`);
  }
  for (const [i, e] of engines.entries()) {
    if (!e.kernelDraws) continue;
    const byKernel = [...kernelDraws[i]].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    const own = byKernel.reduce((sum, [, n]) => sum + n, 0);
    log(
      `modelDecode ${name}: ${e.label} draws per token by kernel: ${byKernel.map(([k, n]) => `${k} ${+(n / steps).toFixed(2)}`).join(', ')} (the backend's own count ${own / steps}, counted on the WebGL2 context ${counts[i].draws / steps})`,
    );
  }
  log(
    `modelDecode ${name}: shaders compiled in the ${WARMUP_STEPS} warm-up steps: ${engines.map((e, i) => `${e.label} ${warmupCompiles[i]}`).join(', ')}; in the timed steps: ${engines.map((e, i) => `${e.label} ${counts[i].compiles}`).join(', ')}`,
  );
  if (engines.some((e) => e.key === 'oursLinearFold')) {
    const before = ms('oursLinearFold');
    log(
      `modelDecode ${name} at ${context}: ours with the linear fold (before the aligned fold) ${before.toFixed(1)} ms/token, with the aligned fold ${row.oursMs.toFixed(1)} ms/token (${(before / row.oursMs).toFixed(2)}×)`,
    );
  }
  log(
    `modelDecode ${name} at ${context}, ${steps} steps: ours WebGL ${row.oursMs.toFixed(1)} ms/token (${row.oursDrawsPerToken} draws/token), ours CPU ${row.oursCpuMs.toFixed(1)}, slim WebGL ${row.oursSlimMs.toFixed(1)} (${row.oursSlimDrawsPerToken} draws/token), slim CPU ${row.oursSlimCpuMs.toFixed(1)}, tfjs ${row.tfjsMs.toFixed(1)} (${row.tfjsCompilesPerToken} compiles/token), ORT wasm ${row.ortWasmMs.toFixed(1)}; greedy tokens identical (${tokens[0].length})`,
  );
  return row;
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
