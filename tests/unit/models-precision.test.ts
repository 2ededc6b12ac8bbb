import { describe, expect, it } from 'vitest';
import { directorySources } from '../../engine/io/node';
import { writeSafetensors } from '../../engine/io';
import { SingularMatrixError, fromRows } from '../../engine/linalg';
import { float16ReconstructionError } from '../../engine/slim';
import {
  checkModel,
  layerPrecision,
  openModel,
  precisionReport,
  readWeights,
  restoreLayer,
  type OpenedModel,
} from '../../engine/models';
import { TINY_LLAMA, tinyCheckpoint } from './models-helpers';
import { toHalf } from '../shared/float16';

/**
 * precisionReport (the Playground's per-layer check and the precision lesson): the same rows
 * as checkModel plus the float16 errors of both directions, checked against checkModel and
 * float16ReconstructionError on every layer, and against an independent float64 computation
 * on a layer whose condition numbers and inverse are known in closed form.
 */

async function expectMatchesCheck(opened: OpenedModel) {
  const progress: [number, number][] = [];
  const rows = await precisionReport(opened, { onProgress: (d, t) => progress.push([d, t]) });
  const checks = await checkModel(opened);
  const { spec } = opened;
  expect(progress).toEqual(checks.map((_, i) => [i + 1, spec.layers]));
  expect(rows).toHaveLength(spec.layers);
  for (const [i, r] of rows.entries()) {
    const c = checks[i];
    // checkModel's row is the same row with the float16 errors left unmeasured.
    expect(c).toEqual({ ...r, f16KtoV: null, f16VtoK: null });
    const w = await readWeights(opened, spec.layout.tensors(i));
    restoreLayer(spec, w, i);
    const { wK, wV } = spec.layout.read(w, i);
    expect(r.f16KtoV).toBe(float16ReconstructionError(wK, wV));
    expect(r.f16VtoK).toBe(float16ReconstructionError(wV, wK));
  }
  return rows;
}

// ---- an independent float64 reference ----

const N = TINY_LLAMA.d; // 16
/** The normalized 16×16 Hadamard matrix: symmetric, orthogonal, entries ±1/4 (exact). */
const H = Array.from({ length: N }, (_, i) =>
  Array.from({ length: N }, (_, j) => {
    let bits = i & j;
    let sign = 1;
    while (bits) {
      sign = -sign;
      bits &= bits - 1;
    }
    return sign / 4;
  }),
);
type M = number[][];
const mm = (a: M, b: M): M =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
const diagTimes = (d: number[], a: M): M => a.map((row, i) => row.map((x) => d[i] * x));
const transpose = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));

/** max |a·b − exact| / max |target| with a, b rounded by `store`, products and sums in float32. */
function storedProductError(a: M, b: M, target: M, store: (x: number) => number): number {
  const exact = mm(a, b);
  const as = a.map((r) => r.map(store));
  const bs = b.map((r) => r.map(store));
  let worst = 0;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s = Math.fround(s + Math.fround(as[i][k] * bs[k][j]));
      worst = Math.max(worst, Math.abs(s - exact[i][j]));
    }
  return worst / Math.max(...target.flat().map(Math.abs));
}

describe('precisionReport', () => {
  it('equals checkModel and float16ReconstructionError on the default GPT-2 model', async () => {
    const opened = await openModel(await directorySources('public/models/moby-gpt2'), 'moby-gpt2');
    const rows = await expectMatchesCheck(opened);
    // A trained GPT-2 runs either direction; float16 errs more than float32 in every layer.
    for (const r of rows) {
      expect(r.f16KtoV).toBeGreaterThan(r.f32KtoV as number);
      expect(r.f16VtoK).toBeGreaterThan(r.f32VtoK as number);
    }
    // Loads the model and inverts every layer's W_K and W_V twice: seconds on a loaded machine.
  }, 60_000);

  it('matches a float64 computation on a layer with known singular values', async () => {
    // W_K = diag(s)·H and W_V = diag(t)·H (x·W convention): singular values s and t, so
    // cond = max/min; W_KV = W_K⁻¹·W_V = H·diag(t/s)·H and W_VK = H·diag(s/t)·H.
    const s = Array.from({ length: N }, (_, i) => Math.fround(1.1 * 2 ** (i / 2)));
    const t = Array.from({ length: N }, (_, i) => Math.fround(0.3 * 1.7 ** (i / 3)));
    const wK = diagTimes(s, H);
    const wV = diagTimes(t, H);
    const tiny = tinyCheckpoint('llama', TINY_LLAMA);
    // nn.Linear stores the transpose of the x·W matrix.
    tiny.weights.get('layers.0.self_attn.k_proj.weight')!.data = Float32Array.from(
      transpose(wK).flat(),
    );
    tiny.weights.get('layers.0.self_attn.v_proj.weight')!.data = Float32Array.from(
      transpose(wV).flat(),
    );
    const entries = [...tiny.weights].map(([name, x]) => ({
      name: name === 'lm_head.weight' ? name : `model.${name}`,
      dtype: 'F32' as const,
      shape: x.shape,
      data: x.data,
    }));
    tiny.files.set('model.safetensors', writeSafetensors(entries, { format: 'pt' }));
    const rows = await expectMatchesCheck(await openModel(tiny.files, 'tiny-llama'));

    const wKV = mm(
      H,
      diagTimes(
        t.map((x, i) => x / s[i]),
        H,
      ),
    );
    const wVK = mm(
      H,
      diagTimes(
        s.map((x, i) => x / t[i]),
        H,
      ),
    );
    const r = rows[0];
    expect(r.condK).toBeCloseTo(s[N - 1] / s[0], 9);
    expect(r.condV).toBeCloseTo(t[N - 1] / t[0], 9);
    // Agreement to 1e-6 of the error (the two float64 references of W_K·W_KV differ in ulps).
    const close = (got: number | null, want: number) =>
      expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(1e-6 * want);
    close(r.f32KtoV, storedProductError(wK, wKV, wV, Math.fround));
    close(r.f16KtoV, storedProductError(wK, wKV, wV, toHalf));
    close(r.f32VtoK, storedProductError(wV, wVK, wK, Math.fround));
    close(r.f16VtoK, storedProductError(wV, wVK, wK, toHalf));
    // Llama has RoPE: only the K-cache direction can run (Appendix E).
    expect(r.direction).toBe('k-cache');
    expect(r.ok).toBe(true);
  });

  it('awaits pause after every layer', async () => {
    const tiny = tinyCheckpoint('llama', TINY_LLAMA);
    const opened = await openModel(tiny.files, 'tiny-llama');
    const seen: number[] = [];
    let layersDone = 0;
    await precisionReport(opened, {
      onProgress: (d) => (layersDone = d),
      pause: async () => {
        seen.push(layersDone);
      },
    });
    expect(seen).toEqual([1, 2]);
  });
});

describe('layerPrecision', () => {
  it('gives one invertible layer the report row, and refuses a layer without a usable inverse', () => {
    const wK = fromRows([
      [2, 1],
      [1, 3],
    ]);
    const wV = fromRows([
      [1.5, 0.5],
      [-0.5, 1],
    ]);
    const row = layerPrecision(3, wK, wV);
    expect(row).toMatchObject({ layer: 3, direction: expect.any(String), ok: true });
    expect(row.f16KtoV).toBe(float16ReconstructionError(wK, wV));
    expect(row.f16VtoK).toBe(float16ReconstructionError(wV, wK));
    const singular = fromRows([
      [1, 2],
      [2, 4],
    ]);
    expect(() => layerPrecision(3, singular, wV)).toThrow(SingularMatrixError);
    expect(() => layerPrecision(3, singular, wV)).toThrow(/layer 3.*layerPrecision needs/);
  });
});
