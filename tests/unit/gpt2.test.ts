import { greedy } from '../shared/greedy';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/cpu';
import {
  Gpt2Model,
  gpt2ParameterShapes,
  randomGpt2Weights,
  type Gpt2Config,
  type HostWeights,
} from '../../engine/models';
import { EngineInputError } from '../../engine/tensor';

const TINY: Gpt2Config = { vocabSize: 37, nPositions: 32, d: 24, heads: 3, layers: 2, lnEps: 1e-5 };

/**
 * An independent float64 GPT-2 forward pass written from the formulas (no backend, no cache):
 * recomputes the whole sequence, returns the logits of every position.
 */
function referenceLogits(c: Gpt2Config, w: HostWeights, ids: number[]): number[][] {
  const W = (n: string) => w.get(n)!.data;
  const { d, heads } = c;
  const dk = d / heads;
  const matvec = (x: number[], m: ArrayLike<number>, cols: number, bias?: ArrayLike<number>) => {
    const y = new Array<number>(cols).fill(0);
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < cols; j++) y[j] += x[i] * m[i * cols + j];
    if (bias) for (let j = 0; j < cols; j++) y[j] += bias[j];
    return y;
  };
  const ln = (x: number[], g: ArrayLike<number>, b: ArrayLike<number>) => {
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const v = x.reduce((a, u) => a + (u - mean) ** 2, 0) / x.length;
    return x.map((u, i) => ((u - mean) / Math.sqrt(v + c.lnEps)) * g[i] + b[i]);
  };
  const gelu = (x: number) =>
    0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  let xs = ids.map((id, p) =>
    Array.from({ length: d }, (_, j) => W('wte.weight')[id * d + j] + W('wpe.weight')[p * d + j]),
  );
  for (let l = 0; l < c.layers; l++) {
    const h = `h.${l}`;
    const qkv = xs.map((x) =>
      matvec(
        ln(x, W(`${h}.ln_1.weight`), W(`${h}.ln_1.bias`)),
        W(`${h}.attn.c_attn.weight`),
        3 * d,
        W(`${h}.attn.c_attn.bias`),
      ),
    );
    const attnOut = xs.map((_, i) => {
      const out = new Array<number>(d).fill(0);
      for (let hd = 0; hd < heads; hd++) {
        const s: number[] = [];
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let t = 0; t < dk; t++) dot += qkv[i][hd * dk + t] * qkv[j][d + hd * dk + t];
          s.push(dot / Math.sqrt(dk));
        }
        const mx = Math.max(...s);
        const e = s.map((v) => Math.exp(v - mx));
        const z = e.reduce((a, v) => a + v, 0);
        for (let j = 0; j <= i; j++)
          for (let t = 0; t < dk; t++) out[hd * dk + t] += (e[j] / z) * qkv[j][2 * d + hd * dk + t];
      }
      return matvec(out, W(`${h}.attn.c_proj.weight`), d, W(`${h}.attn.c_proj.bias`));
    });
    xs = xs.map((x, i) => x.map((v, j) => v + attnOut[i][j]));
    xs = xs.map((x) => {
      const f = matvec(
        ln(x, W(`${h}.ln_2.weight`), W(`${h}.ln_2.bias`)),
        W(`${h}.mlp.c_fc.weight`),
        4 * d,
        W(`${h}.mlp.c_fc.bias`),
      ).map(gelu);
      const y = matvec(f, W(`${h}.mlp.c_proj.weight`), d, W(`${h}.mlp.c_proj.bias`));
      return x.map((v, j) => v + y[j]);
    });
  }
  const wte = W('wte.weight');
  return xs.map((x) => {
    const y = ln(x, W('ln_f.weight'), W('ln_f.bias'));
    return Array.from({ length: c.vocabSize }, (_, v) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += y[j] * wte[v * d + j];
      return s;
    });
  });
}

const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
};

describe('GPT-2 on the CPU backend', () => {
  it('has Hugging Face parameter names and shapes', () => {
    const shapes = new Map(gpt2ParameterShapes(TINY));
    expect(shapes.get('wte.weight')).toEqual([37, 24]);
    expect(shapes.get('h.1.attn.c_attn.weight')).toEqual([24, 72]);
    expect(shapes.get('h.0.mlp.c_proj.weight')).toEqual([96, 24]);
    expect(shapes.get('ln_f.bias')).toEqual([24]);
    expect(shapes.size).toBe(2 + 12 * TINY.layers + 2);
  });

  it('matches an independent float64 full-recompute reference (cache + decode path)', async () => {
    const w = randomGpt2Weights(TINY, 7);
    const be = new CpuBackend({ dtype: 'float64' });
    const model = new Gpt2Model(be, TINY, w, { scheme: 'kv' });
    const { logits, tokens } = await greedy(model, [3, 14, 15], 5);
    const seq = [3, 14, 15, ...tokens];
    const ref = referenceLogits(TINY, w, seq);
    // float64 throughout, same formulas in a different order: agreement to ~1e-12 relative.
    for (let s = 0; s < logits.length; s++) {
      expect(maxRelDiff(logits[s], ref[2 + s])).toBeLessThan(1e-10);
    }
    model.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });

  for (const decodeOrder of ['v-first', 'k-first'] as const) {
    it(`slim, ${decodeOrder} decode, equals standard (float64, ≤ 1e-9 relative) and halves the cache`, async () => {
      const w = randomGpt2Weights(TINY, 11);
      const be = new CpuBackend({ dtype: 'float64' });
      const std = new Gpt2Model(be, TINY, w, { scheme: 'kv' });
      const slim = new Gpt2Model(be, TINY, w, { scheme: 'k-cache', decodeOrder });
      const a = await greedy(std, [1, 2, 3, 4], 12);
      const b = await greedy(slim, [1, 2, 3, 4], 12);
      expect(b.tokens).toEqual(a.tokens);
      // W_KV is exact in float64 up to cond(W_K)·ε ≈ 1e-13 here (paper §1, Appendix A).
      for (let s = 0; s < a.logits.length; s++) {
        expect(maxRelDiff(b.logits[s], a.logits[s])).toBeLessThan(1e-9);
      }
      const cs = std.cacheBytes();
      const cl = slim.cacheBytes();
      expect(std.length).toBe(4 + 12);
      expect(cs.total).toBe(2 * TINY.layers * std.length * TINY.d * 8); // paper §1
      expect(cl.total * 2).toBe(cs.total);
      expect(cl.vCache).toBe(0);
      std.dispose();
      slim.dispose();
      expect(be.stats().liveTensors).toBe(0);
    });
  }

  it('reports measured weight bytes: every parameter, with W_KV in place of W_V', () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const w = randomGpt2Weights(TINY, 3, 'float32');
    const std = new Gpt2Model(be, TINY, w, { scheme: 'kv' });
    const params = gpt2ParameterShapes(TINY).reduce(
      (s, [, sh]) => s + sh.reduce((a, b) => a * b, 1),
      0,
    );
    // Standard uploads every parameter once, in float32.
    expect(std.weightBytes).toBe(params * 4);
    std.dispose();
  });

  it('rejects bad input with clear errors', () => {
    const be = new CpuBackend({ dtype: 'float64' });
    const w = randomGpt2Weights(TINY, 5);
    const model = new Gpt2Model(be, TINY, w, { scheme: 'k-cache' });
    expect(() => model.prefill([])).toThrow(EngineInputError);
    expect(() => model.decode(37)).toThrow(/outside \[0, 37\)/);
    expect(() => model.prefill(new Array(33).fill(1))).toThrow(/32 learned positions/);
    const broken = new Map(w);
    broken.delete('h.1.mlp.c_fc.bias');
    expect(() => new Gpt2Model(be, TINY, broken, { scheme: 'kv' })).toThrow(
      /missing h\.1\.mlp\.c_fc\.bias/,
    );
    expect(() => randomGpt2Weights({ ...TINY, heads: 5 })).toThrow(/divisible by heads/);
    model.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });
});
