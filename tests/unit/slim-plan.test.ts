import { describe, expect, it } from 'vitest';
import { conditionNumber, type Matrix64 } from '../../engine';
import { directorySources } from '../../engine/io/node';
import { matrix64 } from '../../engine/linalg';
import {
  DEFAULT_SLIM_TOLERANCE,
  planFromEstimates,
  planFromReport,
  readModel,
  readModelSpec,
  type LayerPrecision,
} from '../../engine/models';
import { configJson, tinyWeights, TINY_GPT2, TINY_LLAMA } from './models-helpers';

/** W with column 0 replaced by column 1 + eps·column 0: cond(W) grows like 1/eps. */
function nearlyDependent(w: Matrix64, eps: number): Matrix64 {
  const out = matrix64(w.rows, w.cols);
  out.data.set(w.data);
  for (let i = 0; i < w.rows; i++)
    out.data[i * w.cols] = w.data[i * w.cols + 1] + eps * w.data[i * w.cols];
  return out;
}

const row = (
  layer: number,
  ok: boolean,
  direction: LayerPrecision['direction'],
): LayerPrecision => ({
  layer,
  condK: 1,
  condV: 1,
  f32KtoV: ok ? 1e-6 : 5,
  f16KtoV: null,
  f32VtoK: null,
  f16VtoK: null,
  direction,
  ok,
});

/** engine/models/check.ts: the one policy for the slim side's per-layer directions. */
describe('slim plan', () => {
  it('on the measured check: the chosen directions, or no slim run naming the layers', () => {
    expect(planFromReport([row(0, true, 'k-cache'), row(1, true, 'v-cache')])).toEqual({
      directions: ['k-cache', 'v-cache'],
      problem: null,
      warnings: [],
    });
    // A direction out of tolerance is not adopted (the Playground used to adopt it).
    const bad = planFromReport([
      row(0, true, 'k-cache'),
      row(1, false, 'v-cache'),
      row(2, false, null),
    ]);
    expect(bad.directions).toBeNull();
    expect(bad.problem).toBe(
      `layers 1, 2 cannot be made slim within a float32 relative error of ${DEFAULT_SLIM_TOLERANCE} in either direction`,
    );
  });

  it('estimates: an ill-conditioned W_K runs with a warning giving cond·u; a singular W_K names the V-cache', () => {
    const spec = readModelSpec(JSON.stringify(configJson('gpt2', TINY_GPT2)));
    const w = tinyWeights('gpt2', TINY_GPT2, 3);
    expect(planFromEstimates(spec, w)).toEqual({
      directions: ['k-cache', 'k-cache'],
      problem: null,
      warnings: [],
    });
    const { wK } = spec.layout.read(w, 1);
    spec.layout.writeK(w, 1, nearlyDependent(wK, 1e-6));
    // As stored (float32 weights): the 2-norm condition number of what the model inverts.
    const cond = conditionNumber(spec.layout.read(w, 1).wK);
    expect(cond).toBeGreaterThan(1e5);
    expect(cond).toBeLessThan(1e11);
    const warned = planFromEstimates(spec, w);
    expect(warned.directions).toEqual(['k-cache', 'k-cache']);
    expect(warned.warnings).toHaveLength(1);
    const [, c, e] = /cond\(W_K\) ≥ ([0-9.e+]+), .* cond·u ≥ ([0-9.e+-]+) relative/.exec(
      warned.warnings[0],
    ) as RegExpExecArray;
    // A lower bound of the 2-norm condition number (κ₁-estimate / d), within a factor d² of it.
    expect(+c).toBeLessThanOrEqual(cond * 1.05);
    expect(+c).toBeGreaterThan(cond / TINY_GPT2.d ** 2);
    // Both printed to two significant digits.
    expect(Math.abs(+e / (+c * 2 ** -24) - 1)).toBeLessThan(0.05);
    expect(warned.warnings[0]).toMatch(/^layer 1: .*tolerance 0.001/);
    // Exactly dependent columns: W_K has no inverse; the per-layer check would take the V-cache.
    spec.layout.writeK(w, 1, nearlyDependent(wK, 0));
    const singular = planFromEstimates(spec, w);
    expect(singular.directions).toBeNull();
    expect(singular.problem).toMatch(
      /^layer 1: W_K has no usable inverse \(cond ≥ [^)]+\).*the per-layer check would choose the V-cache for this layer/,
    );
    // A layer given the V-cache inverts W_V instead: it runs.
    expect(planFromEstimates(spec, w, ['k-cache', 'v-cache']).directions).toEqual([
      'k-cache',
      'v-cache',
    ]);
  });

  it('the trained default models run with no warning (their measured errors are ≤ 3e-4)', async () => {
    for (const name of ['moby-gpt2', 'moby-llama']) {
      const host = await readModel(await directorySources(`public/models/${name}`));
      expect(planFromEstimates(host.spec, host.weights), name).toEqual({
        directions: Array(host.spec.layers).fill('k-cache'),
        problem: null,
        warnings: [],
      });
    }
  });

  it('a RoPE model with a singular W_K: the slim side cannot run', () => {
    const spec = readModelSpec(JSON.stringify(configJson('llama', TINY_LLAMA)));
    const w = tinyWeights('llama', TINY_LLAMA, 3);
    spec.layout.writeK(w, 0, nearlyDependent(spec.layout.read(w, 0).wK, 0));
    const plan = planFromEstimates(spec, w);
    expect(plan.directions).toBeNull();
    expect(plan.problem).toMatch(
      /^layer 0: W_K has no usable inverse.*RoPE model can only cache K/,
    );
  });
});
