import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS, EMBEDDINGS, PROMPT_IDS, VOCAB } from '../../lessons/common/toyData';
import { PATH_NAMES, decodeStepDetail, generate } from '../../lessons/common/toyRuns';
import { invertWk } from '../../lessons/common/inversion';
import { MAX_STEPS } from '../../lessons/generate';
import {
  gaussJordanInverse,
  laplaceDet,
  mm,
  referenceGreedy,
  referenceHeads,
  type Weights,
} from './lessonsReference';

const W = DEFAULT_WEIGHTS as Weights;
/** Lesson 4 shows MAX_STEPS decode steps plus the prediction after the last one. */
const STEPS = MAX_STEPS + 1;

describe('the toy model defaults (issue 3)', () => {
  it('W_K has det ±1, so W_K⁻¹ and W_KV are integer matrices', () => {
    expect(Math.abs(laplaceDet(W.wK))).toBe(1);
    const inv = gaussJordanInverse(W.wK);
    const wKV = mm(inv, W.wV);
    // Gauss–Jordan in float64 on O(1) integers: within 1e-12 of the nearest integer.
    for (const m of [inv, wKV])
      for (const x of m.flat()) expect(Math.abs(x - Math.round(x))).toBeLessThan(1e-12);
    // The engine's float64 inverse (LU) agrees with the elimination above.
    const engine = invertWk(W.wK, W.wV);
    expect(engine.wKV).toBeDefined();
    engine.wKV!.forEach((row, i) =>
      row.forEach((x, j) => expect(Math.abs(x - wKV[i][j])).toBeLessThan(1e-12)),
    );
  });

  it('embeddings are distinct, non-zero rows, one per vocabulary entry', () => {
    expect(EMBEDDINGS).toHaveLength(VOCAB.length);
    expect(new Set(EMBEDDINGS.map((r) => r.join())).size).toBe(VOCAB.length);
    for (const r of EMBEDDINGS) expect(r.some((x) => x !== 0)).toBe(true);
  });

  it('greedy decoding is varied, not one token forever, and decided by clear margins', () => {
    for (const h of [1, 2]) {
      const ref = referenceGreedy(W, EMBEDDINGS, PROMPT_IDS, h, STEPS);
      // At least four different tokens in the six the lessons show.
      expect(new Set(ref.tokens).size).toBeGreaterThanOrEqual(4);
      // No step repeats the token before it more than once in a row.
      const seq = [...PROMPT_IDS, ...ref.tokens];
      for (let i = 2; i < seq.length; i++)
        expect(seq[i] === seq[i - 1] && seq[i - 1] === seq[i - 2]).toBe(false);
      // A margin of 0.1 in the logits is far above float32 rounding (~1e-6 here): float32 and
      // float64 runs pick the same tokens.
      expect(ref.minMargin).toBeGreaterThan(0.1);
      // The engine-backed generator used by lessons 4 and 5 picks the same tokens.
      expect(generate(DEFAULT_WEIGHTS, h, STEPS)).toEqual(ref.tokens);
    }
  });

  it('later decode steps see distinct, non-flat attention', () => {
    const gen = generate(DEFAULT_WEIGHTS, 1, STEPS);
    for (let s = 1; s <= MAX_STEPS; s++) {
      const ids = [...PROMPT_IDS, ...gen.slice(0, s)];
      const detail = decodeStepDetail(DEFAULT_WEIGHTS, 1, ids);
      const p = detail.probs[0];
      // Not uniform: the largest and smallest softmax weight differ by more than 0.05.
      expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
      // And the engine's head output matches the nested-loop reference (float64, 1e-12).
      const ref = referenceHeads(W, EMBEDDINGS, ids, 1);
      detail.headOutputs.standard.forEach((v, j) =>
        expect(Math.abs(v - ref[j])).toBeLessThan(1e-12),
      );
    }
  });

  it('both W_KV blocks of the two-head split read every column of K', () => {
    const wKV = mm(gaussJordanInverse(W.wK), W.wV);
    for (const cols of [
      [0, 1],
      [2, 3],
    ])
      for (const row of wKV) expect(cols.some((c) => Math.abs(row[c]) > 0.5)).toBe(true);
  });
});

describe('the opened-up decode step (lessons 4 and 5)', () => {
  it('its intermediates give exactly what the engine attention layers output', () => {
    // Same backend ops in the same order as engine/attention on float64: equal to 1e-12
    // (only the order of float64 additions inside a kernel could differ).
    for (const heads of [1, 2]) {
      for (const n of [1, 3, 5]) {
        const ids = [...PROMPT_IDS, 3, 6].slice(0, n);
        const detail = decodeStepDetail(DEFAULT_WEIGHTS, heads, ids);
        for (const p of PATH_NAMES) {
          expect(detail.layerOutputs[p]).toHaveLength(4);
          detail.outputs[p].forEach((v, j) =>
            expect(Math.abs(v - detail.layerOutputs[p][j])).toBeLessThan(1e-12),
          );
        }
        expect(detail.y).toEqual(detail.outputs.standard);
      }
    }
  });
});
