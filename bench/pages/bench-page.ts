/**
 * The in-browser half of `npm run bench`: our WebGL matmul against tfjs-backend-webgl in the
 * same page, and GPT-2-shaped decode, standard vs slim, at growing contexts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { Gpt2Model, randomGpt2Weights, seededRandom, type Gpt2Config } from '../../engine/models';
import type { Tensor } from '../../engine/tensor';
import { WebGLBackend } from '../../engine/webgl';

export interface MatmulResult {
  m: number;
  n: number;
  k: number;
  oursGflops: number;
  tfjsGflops: number;
}

export interface DecodeResult {
  model: string;
  context: number;
  standardMs: number;
  slimMs: number;
  standardCacheBytes: number;
  slimCacheBytes: number;
}

export interface BenchOptions {
  layers: number;
  vocabSize: number;
  contexts: number[];
  decodeSteps: number;
  matmulTrials: number;
  skipMatmul?: boolean;
  skipDecode?: boolean;
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

/**
 * GFLOPS of repeated products; each trial queues `reps` products and waits for the last
 * result to come back (both libraries read asynchronously), so GPU time is what is measured.
 */
async function timeTrials(
  trials: number,
  reps: number,
  flops: number,
  once: () => Promise<void>,
  queue: () => Promise<void>,
): Promise<number> {
  await once(); // warm-up: programs compiled, textures pooled
  const rates: number[] = [];
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let r = 0; r < reps - 1; r++) await queue();
    await once();
    const s = (performance.now() - t0) / 1000;
    rates.push((flops * reps) / s / 1e9);
  }
  return median(rates);
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
    const ours = await timeTrials(
      trials,
      reps,
      flops,
      async () => {
        const c = gpu.matmul(A, B);
        await c.read();
        c.dispose();
      },
      async () => gpu.matmul(A, B).dispose(),
    );
    A.dispose();
    B.dispose();
    const ta = tf.tensor2d(a, [m, k]);
    const tb = tf.tensor2d(b, [k, n]);
    const theirs = await timeTrials(
      trials,
      reps,
      flops,
      async () => {
        const c = tf.matMul(ta, tb);
        await c.data();
        c.dispose();
      },
      async () => tf.matMul(ta, tb).dispose(),
    );
    tf.dispose([ta, tb]);
    out.push({ m, n, k, oursGflops: ours, tfjsGflops: theirs });
  }
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
  const rows = new Map<number, DecodeResult>();
  for (const mode of ['standard', 'slim'] as const) {
    const model = new Gpt2Model(gpu, config, weights, { mode, decodeOption: 2 });
    let next = 0;
    for (const context of [...o.contexts].sort((a, b) => a - b)) {
      // Fill the cache to `context` tokens with chunked prefill (its cost is not measured).
      while (model.length < context) {
        const p = Math.min(256, context - model.length);
        const ids = Array.from({ length: p }, () => Math.floor(rand() * config.vocabSize));
        const logits = model.prefill(ids);
        next = await model.argmax(logits);
        logits.dispose();
      }
      const times: number[] = [];
      let cacheBytes = 0;
      for (let s = 0; s < o.decodeSteps + 2; s++) {
        const t0 = performance.now();
        const logits: Tensor = model.decode(next);
        next = await model.argmax(logits); // the step ends when its token is back on the host
        logits.dispose();
        if (s >= 2) times.push(performance.now() - t0); // two warm-up steps
        if (s === 0) cacheBytes = model.cacheBytes().total;
      }
      // Cache bytes at exactly `context` + 1 tokens, so both modes count the same rows.
      const row = rows.get(context) ?? {
        model: name,
        context,
        standardMs: 0,
        slimMs: 0,
        standardCacheBytes: 0,
        slimCacheBytes: 0,
      };
      if (mode === 'standard') {
        row.standardMs = median(times);
        row.standardCacheBytes = cacheBytes;
      } else {
        row.slimMs = median(times);
        row.slimCacheBytes = cacheBytes;
      }
      rows.set(context, row);
      log(`${mode} context ${context}: ${median(times).toFixed(1)} ms/token`);
    }
    model.dispose();
  }
  return [...rows.values()];
}

async function run(
  o: BenchOptions,
): Promise<{ device: string; matmul: MatmulResult[]; decode: DecodeResult[] }> {
  const gpu = new WebGLBackend();
  const log = (s: string) => console.log(`[bench] ${s}`);
  const matmul = o.skipMatmul ? [] : await matmulBench(gpu, o.matmulTrials);
  const decode = o.skipDecode ? [] : await decodeBench(gpu, o, log);
  const device = `${gpu.renderer} (WebGL2, ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'browser'})`;
  gpu.destroy();
  return { device, matmul, decode };
}

declare global {
  interface Window {
    slimBench: { run: typeof run };
  }
}
window.slimBench = { run };
document.getElementById('status')!.textContent = 'ready';
