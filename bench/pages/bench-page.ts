/**
 * The in-browser half of `npm run bench`: our WebGL matmul against tfjs-backend-webgl in the
 * same page, GPT-2-shaped decode, standard vs slim, at growing contexts, and a whole-model
 * decode, ours (WebGL and CPU) vs the same GPT-2 written with tfjs ops and exported to ONNX for
 * ONNX Runtime Web (model-decode.ts).
 */
// First: wraps WebGL2RenderingContext's compile, link and draw calls before any context exists.
import './gl-counters';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { gpt2Builder, schemeModels } from '../../engine';
import { randomGpt2Weights, seededRandom, type Gpt2Config } from '../../engine/models';
import type { Tensor } from '../../engine/tensor';
import { WebGLBackend } from '../../engine/webgl';
import {
  defaultModelSources,
  headFoldBench,
  modelDecodeBench,
  WARMUP_STEPS,
  type ModelDecodeResult,
} from './model-decode';

export type { ModelDecodeResult } from './model-decode';

export interface MatmulResult {
  m: number;
  n: number;
  k: number;
  oursGflops: number;
  tfjsGflops: number;
}

export interface DecodeResult {
  model: string;
  /** Tokens in the cache when the measured steps began. */
  context: number;
  /** Set when a fill cap stopped short of the asked context. */
  requestedContext?: number;
  standardMs: number;
  slimMs: number;
  standardCacheBytes: number;
  slimCacheBytes: number;
}

/**
 * One layer's decode attention alone (d 768, 12 heads, one query row), per context: the work
 * that differs between the two modes. Both include one d×d GEMV of the value path, so the
 * comparison is like for like (paper §2, Table 2: both have 8d² projection OPs).
 */
export interface AttentionResult {
  context: number;
  /** v = x·W_V, scores, softmax, Σ p·V (reads K and V). */
  standardMs: number;
  /** scores, softmax, u = p·K, u·W_KV for all heads (reads K only; paper §2 option 2). */
  slimMs: number;
}

export interface BenchOptions {
  layers: number;
  vocabSize: number;
  contexts: number[];
  decodeSteps: number;
  matmulTrials: number;
  /**
   * Seconds allowed to fill the caches up to each context (both modes together). When a fill
   * runs past it, filling stops and decode is measured at the length reached: the row's
   * `context` says where, `requestedContext` what was asked. Unset: no cap.
   */
  fillCapSeconds?: number;
  skipMatmul?: boolean;
  skipDecode?: boolean;
  skipAttention?: boolean;
  /** Contexts of the whole-model decode (prompt lengths). */
  modelContexts: number[];
  /** Timed decode steps of the whole-model decode, after its warm-up steps. */
  modelSteps: number;
  skipModelDecode?: boolean;
  /** Also decode with the linear fold (before the aligned one), alternating; logged only. */
  foldCompare?: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function randomArray(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
}

/** One timed trial: `reps` operations queued, the last one read back; seconds per operation. */
async function trial(
  reps: number,
  once: () => Promise<void>,
  queue: () => Promise<void>,
): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < reps - 1; r++) await queue();
  await once();
  return (performance.now() - t0) / 1000 / reps;
}

interface Contender {
  once: () => Promise<void>;
  queue: () => Promise<void>;
}

/**
 * GFLOPS of two implementations measured side by side: after a warm-up of each (programs
 * compiled, textures pooled), trials alternate ours, theirs, ours, … so a change in machine load
 * (the bench shares its CPU cores with SwiftShader and other work) hits both alike. Each trial
 * queues `reps` products and waits for the last result to come back (both libraries read
 * asynchronously), so GPU time is what is measured. Returns the median seconds per operation.
 */
async function timeSideBySide(
  trials: number,
  reps: number,
  ours: Contender,
  theirs: Contender,
): Promise<[number, number]> {
  await ours.once();
  await theirs.once();
  const a: number[] = [];
  const b: number[] = [];
  for (let t = 0; t < trials; t++) {
    a.push(await trial(reps, ours.once, ours.queue));
    b.push(await trial(reps, theirs.once, theirs.queue));
  }
  return [median(a), median(b)];
}

async function matmulBench(gpu: WebGLBackend, trials: number): Promise<MatmulResult[]> {
  await tf.setBackend('webgl');
  await tf.ready();
  const out: MatmulResult[] = [];
  for (const [m, n, k] of [
    [1, 768, 768],
    [1, 768, 3072],
    [64, 768, 768],
    [512, 512, 512],
  ]) {
    const a = randomArray(m * k, 1);
    const b = randomArray(k * n, 2);
    const flops = 2 * m * n * k;
    const reps = Math.max(2, Math.min(20, Math.round(2e8 / flops)));
    const A = gpu.fromArray(a, [m, k]);
    const B = gpu.fromArray(b, [k, n]);
    const ta = tf.tensor2d(a, [m, k]);
    const tb = tf.tensor2d(b, [k, n]);
    const [ours, theirs] = await timeSideBySide(
      trials,
      reps,
      {
        once: async () => {
          const c = gpu.matmul(A, B);
          await c.read();
          c.dispose();
        },
        queue: async () => gpu.matmul(A, B).dispose(),
      },
      {
        once: async () => {
          const c = tf.matMul(ta, tb);
          await c.data();
          c.dispose();
        },
        queue: async () => tf.matMul(ta, tb).dispose(),
      },
    );
    A.dispose();
    B.dispose();
    tf.dispose([ta, tb]);
    out.push({ m, n, k, oursGflops: flops / ours / 1e9, tfjsGflops: flops / theirs / 1e9 });
  }
  return out;
}

/**
 * Decode attention of one layer in isolation, standard vs slim option 2, so the kernels that
 * grow with the context can be timed without the projections around them. Each trial queues
 * `reps` steps and reads the last result back; trials alternate the two variants.
 */
async function attentionBench(
  gpu: WebGLBackend,
  contexts: number[],
  trials: number,
  log: (s: string) => void,
): Promise<AttentionResult[]> {
  const d = 768;
  const heads = 12;
  const dk = d / heads;
  const opts = (n: number) => ({ heads, scale: 1 / Math.sqrt(dk), causalOffset: n - 1 });
  // Random stand-ins: W_V for standard, W_KV for slim (same shape, same cost).
  const wKV = gpu.fromArray(randomArray(d * d, 3), [d, d]);
  const q = gpu.fromArray(randomArray(d, 4), [1, d]);
  const out: AttentionResult[] = [];
  for (const n of contexts) {
    const k = gpu.fromArray(randomArray(n * d, 5), [n, d]);
    const v = gpu.fromArray(randomArray(n * d, 6), [n, d]);
    // The new token's value row is projected, then written into the V-cache, as a decode does.
    const standard = (): Tensor =>
      gpu.scope(() => {
        gpu.writeRows(v, n - 1, gpu.matmul(q, wKV));
        return gpu.attnWeightedSum(gpu.attnProbs(q, k, opts(n)), v, heads);
      });
    const slim = (): Tensor =>
      gpu.scope(() => gpu.headBlockMatmul(gpu.matmul(gpu.attnProbs(q, k, opts(n)), k), wKV, heads));
    const time = (f: () => Tensor) => ({
      once: async () => {
        const y = f();
        await y.read();
        y.dispose();
      },
      queue: async () => f().dispose(),
    });
    const [a, b] = await timeSideBySide(trials, 8, time(standard), time(slim));
    out.push({ context: n, standardMs: a * 1e3, slimMs: b * 1e3 });
    log(
      `attention context ${n}: standard ${(a * 1e3).toFixed(2)} ms, slim ${(b * 1e3).toFixed(2)} ms`,
    );
    k.dispose();
    v.dispose();
  }
  wKV.dispose();
  q.dispose();
  return out;
}

async function decodeBench(
  gpu: WebGLBackend,
  o: BenchOptions,
  log: (s: string) => void,
): Promise<DecodeResult[]> {
  const maxContext = Math.max(...o.contexts);
  const config: Gpt2Config = {
    vocabSize: o.vocabSize,
    // Random weights: positions sized to the longest context measured (GPT-2 small has 1024).
    nPositions: maxContext + o.decodeSteps + 8,
    d: 768,
    heads: 12,
    layers: o.layers,
    lnEps: 1e-5,
  };
  const name = `gpt2-small-shaped (d 768, 12 heads, ${o.layers} layers, vocab ${o.vocabSize})`;
  const weights = randomGpt2Weights(config, 1, 'float32');
  const rand = seededRandom(5);
  // Both models live side by side and take turns, so a change in machine load hits both alike.
  const models = schemeModels(gpu, gpt2Builder(config, weights), { decodeOrder: 'k-first' });
  const next = [0, 0];
  const rows: DecodeResult[] = [];
  try {
    for (const context of [...o.contexts].sort((a, b) => a - b)) {
      // Fill both caches to `context` tokens with the same chunked prefill (not measured).
      const fill0 = performance.now();
      const capped = () =>
        o.fillCapSeconds !== undefined && performance.now() - fill0 > o.fillCapSeconds * 1000;
      while (models[0].length < context && !capped()) {
        const p = Math.min(256, context - models[0].length);
        const ids = Array.from({ length: p }, () => Math.floor(rand() * config.vocabSize));
        for (let i = 0; i < 2; i++) {
          const logits = models[i].prefill(ids);
          next[i] = await models[i].argmax(logits);
          logits.dispose();
        }
      }
      const reached = models[0].length;
      log(
        `prefill to ${reached}, both modes: ${((performance.now() - fill0) / 1000).toFixed(1)} s`,
      );
      const times: number[][] = [[], []];
      const cacheBytes = [0, 0];
      for (let s = 0; s < o.decodeSteps + 2; s++) {
        for (let i = 0; i < 2; i++) {
          const t0 = performance.now();
          const logits: Tensor = models[i].decode(next[i]);
          next[i] = await models[i].argmax(logits); // the step ends when its token is back
          logits.dispose();
          if (s >= 2) times[i].push(performance.now() - t0); // two warm-up steps
          // Cache bytes at exactly `context` + 1 tokens, so both modes count the same rows.
          if (s === 0) cacheBytes[i] = models[i].cacheBytes().total;
        }
      }
      const [standardMs, slimMs] = times.map(median);
      rows.push({
        model: name,
        context: reached,
        ...(reached < context ? { requestedContext: context } : {}),
        standardMs,
        slimMs,
        standardCacheBytes: cacheBytes[0],
        slimCacheBytes: cacheBytes[1],
      });
      log(
        `context ${reached}: standard ${standardMs.toFixed(1)} ms/token, slim ${slimMs.toFixed(1)} ms/token`,
      );
    }
  } finally {
    for (const m of models) m.dispose();
  }
  return rows;
}

async function run(o: BenchOptions): Promise<{
  device: string;
  matmul: MatmulResult[];
  attention: AttentionResult[];
  decode: DecodeResult[];
  modelDecode: ModelDecodeResult[];
}> {
  const gpu = new WebGLBackend();
  const log = (s: string) => console.log(`[bench] ${s}`);
  const matmul = o.skipMatmul ? [] : await matmulBench(gpu, o.matmulTrials);
  const attention = o.skipAttention
    ? []
    : await attentionBench(gpu, o.contexts, o.matmulTrials, log);
  const decode = o.skipDecode ? [] : await decodeBench(gpu, o, log);
  // The tied head's fold, before (linear) and after (aligned), in this page; logged only.
  if (!o.skipModelDecode) await headFoldBench(gpu, o.vocabSize, 768, o.matmulTrials, log);
  const linearFoldGpu = o.foldCompare ? new WebGLBackend({ foldPolicy: 'linear' }) : undefined;
  const modelDecode = o.skipModelDecode
    ? []
    : await modelDecodeBench(
        gpu,
        defaultModelSources(
          o.layers,
          o.vocabSize,
          Math.max(...o.modelContexts) + WARMUP_STEPS + o.modelSteps,
        ),
        o.modelContexts,
        o.modelSteps,
        log,
        linearFoldGpu,
      );
  linearFoldGpu?.destroy();
  const device = `${gpu.renderer} (WebGL2, ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'browser'})`;
  gpu.destroy();
  return { device, matmul, attention, decode, modelDecode };
}

declare global {
  interface Window {
    slimBench: { run: typeof run };
  }
}
window.slimBench = { run };
document.getElementById('status')!.textContent = 'ready';
