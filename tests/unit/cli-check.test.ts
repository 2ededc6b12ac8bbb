import { describe, expect, it } from 'vitest';
import { Matrix, solve, SVD } from 'ml-matrix';
import type { HostWeights } from '../../engine/models';
import { writeSafetensors } from '../../engine/io';
import {
  tinyCheckpoint,
  TINY_GPT2,
  TINY_LLAMA,
  writeModelDir,
  type TinyCheckpoint,
} from './models-helpers';
import { slim } from './cli-helpers';

interface CheckRow {
  layer: number;
  condK: number | null;
  condV: number | null;
  errKtoV: number | null;
  errVtoK: number | null;
  direction: 'k-cache' | 'v-cache' | null;
}

/** GPT-2's W_K or W_V (x·W) of a layer, from the fused c_attn [d, 3d], as an ml-matrix. */
function gpt2Block(w: HostWeights, layer: number, block: 1 | 2): Matrix {
  const { d } = TINY_GPT2;
  const t = w.get(`h.${layer}.attn.c_attn.weight`)!;
  return new Matrix(
    Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => t.data[i * 3 * d + block * d + j]),
    ),
  );
}

/** Independent float32 rebuild error: solve in float64 (ml-matrix), multiply in float32. */
function rebuildError(a: Matrix, target: Matrix): number {
  const x = solve(a, target);
  const n = a.rows;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++)
        acc = Math.fround(acc + Math.fround(Math.fround(a.get(i, k)) * Math.fround(x.get(k, j))));
      let exact = 0;
      for (let k = 0; k < n; k++) exact += a.get(i, k) * x.get(k, j);
      worst = Math.max(worst, Math.abs(acc - exact));
      scale = Math.max(scale, Math.abs(target.get(i, j)));
    }
  return worst / scale;
}

const cond = (m: Matrix) => {
  const s = new SVD(m).diagonal;
  return Math.max(...s) / Math.min(...s);
};

/** Rewrites model.safetensors after changing the host weights (no prefix). */
function rewrite(ckpt: TinyCheckpoint, edit: (w: HostWeights) => void): Map<string, Uint8Array> {
  const w = new Map(
    [...ckpt.weights].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }]),
  );
  edit(w);
  const entries = [...w].map(([name, t]) => ({
    name,
    dtype: 'F32' as const,
    shape: t.shape,
    data: t.data,
  }));
  return new Map(ckpt.files).set('model.safetensors', writeSafetensors(entries));
}

/** Scales column `col` of GPT-2's W_K (block 1) or W_V (block 2) in layer `layer`. */
function scaleColumn(w: HostWeights, layer: number, block: 1 | 2, col: number, factor: number) {
  const { d } = TINY_GPT2;
  const t = w.get(`h.${layer}.attn.c_attn.weight`)!;
  for (let i = 0; i < d; i++) t.data[i * 3 * d + block * d + col] *= factor;
}

/** Makes column `col` of GPT-2's W_K (block 1) nearly equal to column col + 1: ill-conditioned. */
function nearlyDependent(w: HostWeights, layer: number, col: number, eps: number) {
  const { d } = TINY_GPT2;
  const t = w.get(`h.${layer}.attn.c_attn.weight`)!;
  for (let i = 0; i < d; i++) {
    const row = i * 3 * d + d;
    t.data[row + col] = t.data[row + col + 1] + eps * t.data[row + col];
  }
}

const gpt2 = tinyCheckpoint('gpt2', TINY_GPT2, { seed: 4, prefix: false });

describe('slim check', () => {
  it('--json: the contract, with numbers an independent float64/float32 computation agrees with', async () => {
    const r = await slim('check', '--model', writeModelDir(gpt2.files), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { layers: CheckRow[] };
    expect(Object.keys(doc)).toEqual(['layers']);
    expect(doc.layers).toHaveLength(TINY_GPT2.layers);
    for (const row of doc.layers) {
      expect(Object.keys(row).sort()).toEqual([
        'condK',
        'condV',
        'direction',
        'errKtoV',
        'errVtoK',
        'layer',
      ]);
      const wK = gpt2Block(gpt2.weights, row.layer, 1);
      const wV = gpt2Block(gpt2.weights, row.layer, 2);
      expect(row.condK).toBeCloseTo(cond(wK), 6);
      expect(row.condV).toBeCloseTo(cond(wV), 6);
      const eK = rebuildError(wK, wV);
      const eV = rebuildError(wV, wK);
      // Same definition, different float64 solver: the float32 roundings agree closely.
      expect(Math.abs((row.errKtoV as number) / eK - 1)).toBeLessThan(0.25);
      expect(Math.abs((row.errVtoK as number) / eV - 1)).toBeLessThan(0.25);
      expect(row.errKtoV).toBeLessThan(1e-5);
      expect(row.direction).toBe(
        (row.errKtoV as number) <= (row.errVtoK as number) ? 'k-cache' : 'v-cache',
      );
    }
  });

  it('picks the V-cache where W_K is ill-conditioned, and run --mode slim uses it', async () => {
    const files = rewrite(gpt2, (w) => nearlyDependent(w, 0, 3, 1e-3));
    const dir = writeModelDir(files);
    const r = await slim('check', '--model', dir, '--json');
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.out) as { layers: CheckRow[] }).layers;
    expect(rows[0].condK as number).toBeGreaterThan(100 * (rows[1].condK as number));
    expect(rows[0].errKtoV as number).toBeGreaterThan(10 * (rows[0].errVtoK as number));
    expect(rows.map((l) => l.direction)).toEqual(['v-cache', rows[1].direction]);
    const text = await slim(
      'run',
      '--model',
      dir,
      '--tokens',
      '1,2',
      '--steps',
      '3',
      '--mode',
      'slim',
    );
    expect(text.out).toMatch(
      /mode: slim \(K-cache in 1 layers, V-cache in 1; decode order k-first\)/,
    );
    expect(text.out).toMatch(/\(K 256 B, V 256 B\)/);
  });

  it('a RoPE model keeps the K-cache; a tolerance it misses exits 1 naming the layers', async () => {
    const llama = writeModelDir(tinyCheckpoint('llama', TINY_LLAMA).files);
    const ok = JSON.parse((await slim('check', '--model', llama, '--json')).out) as {
      layers: CheckRow[];
    };
    expect(ok.layers.map((l) => l.direction)).toEqual(['k-cache', 'k-cache']);
    const r = await slim('check', '--model', llama, '--tolerance', '1e-12');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILS/);
    expect(r.err).toMatch(/layers 0, 1 cannot be made slim within 1e-12 in either direction/);
  });

  it('a layer with neither W_K nor W_V invertible: null direction, exit 1, JSON still printed', async () => {
    const files = rewrite(gpt2, (w) => {
      scaleColumn(w, 1, 1, 0, 0);
      scaleColumn(w, 1, 2, 5, 0);
    });
    const r = await slim('check', '--model', writeModelDir(files), '--json');
    expect(r.code).toBe(1);
    const rows = (JSON.parse(r.out) as { layers: CheckRow[] }).layers;
    expect(rows[1]).toMatchObject({ layer: 1, errKtoV: null, errVtoK: null, direction: null });
    expect(rows[0].direction).not.toBeNull();
    expect(r.err).toMatch(/layer 1 cannot be made slim/);
    // run --mode slim refuses it with the same reason; standard still runs.
    const run = await slim(
      'run',
      '--model',
      writeModelDir(files),
      '--tokens',
      '1',
      '--steps',
      '2',
      '--mode',
      'slim',
    );
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/layer 1 cannot be made slim .*use --mode standard/);
  });

  it('usage errors exit 2', async () => {
    expect((await slim('check')).err).toMatch(/--model is required/);
    const r = await slim('check', '--model', writeModelDir(gpt2.files), '--tolerance', '-1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--tolerance must be a positive number, got '-1'/);
  });
});
