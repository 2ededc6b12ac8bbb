import { readFileSync } from 'node:fs';
import { greedy } from '../shared/greedy';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/cpu';
import { directorySources } from '../../engine/io/node';
import {
  checkModel,
  loadModel,
  loadTokenizer,
  openModel,
  type LayerDirection,
  type LoadedModel,
} from '../../engine/models';

/**
 * The two default models (public/models, trained by scripts/train_default_models.py) through
 * the same loader as any Hub checkpoint, against the float64 reference the training script
 * wrote next to each (reference.json: an independent numpy forward pass in float64).
 */
interface Reference {
  prompt: string;
  promptIds: number[];
  greedyIds: number[];
  greedyText: string;
  /** Logits at the last prompt position (they choose greedyIds[0]). */
  lastLogits: number[];
  /** Per position of promptIds ++ greedyIds: argmax, max and logsumexp of the logits. */
  positions: { argmax: number; max: number; logsumexp: number }[];
}

/** The float32 engine vs the float64 reference: |Δ| ≤ 1e-4 × the largest |logit|. */
const TOLERANCE = 1e-4;

const maxAbs = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
};
const logsumexp = (xs: ArrayLike<number>) => {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, xs[i]);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i] - m);
  return m + Math.log(s);
};

async function open(name: string) {
  const dir = `public/models/${name}`;
  const files = await directorySources(dir);
  const reference = JSON.parse(readFileSync(`${dir}/reference.json`, 'utf8')) as Reference;
  return { files, opened: await openModel(files, dir), reference };
}

/** Feeds `ids` one token at a time (first by prefill) and returns every position's logits. */
async function logitsOfEveryPosition(model: LoadedModel, ids: readonly number[]) {
  const rows: Float32Array[] = [];
  for (const [i, id] of ids.entries()) {
    const out = i === 0 ? model.prefill([id]) : model.decode(id);
    rows.push(Float32Array.from(await out.read()));
    out.dispose();
  }
  return rows;
}

describe.each(['moby-gpt2', 'moby-llama'])('default model %s', (name) => {
  it('tokenizes the prompt, decodes greedily and matches reference.json', async () => {
    const { files, opened, reference } = await open(name);
    const tokenizer = await loadTokenizer(files);
    expect(tokenizer?.encode(reference.prompt)).toEqual(reference.promptIds);
    const model = await loadModel(opened, new CpuBackend({ dtype: 'float32' }), { scheme: 'kv' });
    const run = await greedy(model, reference.promptIds, reference.greedyIds.length);
    expect(run.tokens).toEqual(reference.greedyIds);
    expect(tokenizer?.decode(run.tokens)).toBe(reference.greedyText);
    const scale = maxAbs(reference.lastLogits);
    let worst = 0;
    reference.lastLogits.forEach(
      (v, j) => (worst = Math.max(worst, Math.abs(run.logits[0][j] - v))),
    );
    expect(worst).toBeLessThanOrEqual(TOLERANCE * scale);
    model.dispose();
  }, 60_000);

  it('every position’s argmax, max and logsumexp match the reference, standard and slim', async () => {
    const { opened, reference } = await open(name);
    const ids = [...reference.promptIds, ...reference.greedyIds.slice(0, -1)];
    const report = await checkModel(opened);
    expect(report.every((r) => r.ok)).toBe(true);
    const directions = report.map((r) => r.direction as LayerDirection);
    for (const options of [
      { scheme: 'kv' as const },
      { scheme: 'k-cache' as const, decodeOrder: 'k-first' as const, directions },
    ]) {
      const model = await loadModel(opened, new CpuBackend({ dtype: 'float32' }), options);
      const rows = await logitsOfEveryPosition(model, ids);
      rows.forEach((row, i) => {
        const want = reference.positions[i];
        const tol = TOLERANCE * Math.max(Math.abs(want.max), maxAbs(row));
        expect(row.indexOf(Math.max(...row)), `position ${i}`).toBe(want.argmax);
        expect(Math.abs(Math.max(...row) - want.max)).toBeLessThanOrEqual(tol);
        expect(Math.abs(logsumexp(row) - want.logsumexp)).toBeLessThanOrEqual(tol);
      });
      model.dispose();
    }
  }, 60_000);

  it('standard and slim: identical greedy tokens for 200 steps, |Δ logits| ≤ 1e-4 × max', async () => {
    const { opened, reference } = await open(name);
    const directions = (await checkModel(opened)).map((r) => r.direction as LayerDirection);
    const be = new CpuBackend({ dtype: 'float32' });
    const standard = await loadModel(opened, be, { scheme: 'kv' });
    const slim = await loadModel(opened, be, { scheme: 'k-cache', directions });
    const a = await greedy(standard, reference.promptIds, 200);
    const b = await greedy(slim, reference.promptIds, 200);
    expect(b.tokens).toEqual(a.tokens);
    let delta = 0;
    let scale = 0;
    a.logits.forEach((row, s) => {
      scale = Math.max(scale, maxAbs(row));
      for (let j = 0; j < row.length; j++)
        delta = Math.max(delta, Math.abs(row[j] - b.logits[s][j]));
    });
    expect(delta).toBeLessThanOrEqual(1e-4 * scale);
    expect(slim.cacheBytes().total * 2).toBe(standard.cacheBytes().total);
    standard.dispose();
    slim.dispose();
  }, 120_000);
});
