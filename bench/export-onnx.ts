/**
 * Writes a GPT-2 checkpoint as an ONNX model with past key/values as inputs and outputs (the
 * model ONNX Runtime Web runs in `npm run bench`; see bench/onnx/gpt2Onnx.ts for its inputs and
 * outputs):
 *
 *   npx tsx bench/export-onnx.ts --model public/models/moby-gpt2 --out moby-gpt2.onnx
 *
 * The checkpoint (config.json + model.safetensors, Hugging Face layout) is read by the engine's
 * loader (readModel). With --check, the written model is run by ONNX Runtime (onnxruntime-web's
 * Node build, wasm, one thread) on a prompt and a few greedy decode steps, and its logits are
 * compared with the engine's float32 CPU backend; the script fails if they disagree.
 */
import { writeFileSync } from 'node:fs';
import { CpuBackend, readModel, readSync, type Gpt2Config, type HostWeights } from '../engine';
import { directorySources } from '../engine/io/node';
import { gpt2Onnx } from './onnx/gpt2Onnx';
import { argmaxOf, OrtGpt2 } from './onnx/ortGpt2';
import { runMain } from './runMain';

function args(argv: string[]): { model: string; out: string; check: boolean } {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const model = value('model');
  const out = value('out');
  if (!model || !out)
    throw new Error('usage: npx tsx bench/export-onnx.ts --model DIR --out FILE.onnx [--check]');
  return { model, out, check: argv.includes('--check') };
}

async function check(bytes: Uint8Array, config: Gpt2Config, weights: HostWeights): Promise<void> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const { Gpt2Model } = await import('../engine');
  const cpu = new CpuBackend({ dtype: 'float32' });
  const ours = new Gpt2Model(cpu, config, weights, { scheme: 'kv' });
  const theirs = await OrtGpt2.create(ort, bytes, config);
  try {
    const prompt = Array.from({ length: 12 }, (_, i) => (i * 37 + 5) % config.vocabSize);
    let worst = 0;
    const compare = async (logits: ReturnType<typeof ours.prefill>, o: Float32Array) => {
      const a = readSync(logits);
      logits.dispose();
      let gap = 0;
      let ref = 0;
      for (let i = 0; i < a.length; i++) {
        gap = Math.max(gap, Math.abs(a[i] - o[i]));
        ref = Math.max(ref, Math.abs(a[i]));
      }
      worst = Math.max(worst, gap / Math.max(1, ref));
      return [argmaxOf(a), argmaxOf(o)];
    };
    let [next, theirNext] = await compare(ours.prefill(prompt), await theirs.forward(prompt));
    const tokens: number[][] = [[next], [theirNext]];
    for (let s = 0; s < 8; s++) {
      [next, theirNext] = await compare(ours.decode(next), await theirs.forward([theirNext]));
      tokens[0].push(next);
      tokens[1].push(theirNext);
    }
    console.log(`check: max |Δ logits| / max(1, max |logit|) = ${worst.toExponential(2)}`);
    console.log(`check: greedy tokens, engine CPU ${tokens[0].join(' ')}`);
    console.log(`check: greedy tokens, ORT        ${tokens[1].join(' ')}`);
    if (!(worst <= 1e-3) || tokens[0].join() !== tokens[1].join())
      throw new Error('check failed: ONNX Runtime and the engine disagree');
  } finally {
    ours.dispose();
    await theirs.release();
  }
}

async function main(): Promise<void> {
  const { model, out, check: wantCheck } = args(process.argv.slice(2));
  const host = await readModel(await directorySources(model));
  const f = host.spec.familyConfig;
  if (f.family !== 'gpt2')
    throw new Error(`${model} is a ${f.family} checkpoint; the ONNX export is written for GPT-2`);
  const bytes = gpt2Onnx(f.config, host.weights);
  writeFileSync(out, bytes);
  const { d, heads, layers, vocabSize } = f.config;
  console.log(
    `wrote ${out}: GPT-2 d ${d}, ${heads} heads, ${layers} layers, vocab ${vocabSize}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`,
  );
  if (wantCheck) await check(bytes, f.config, host.weights);
}

runMain(main);
