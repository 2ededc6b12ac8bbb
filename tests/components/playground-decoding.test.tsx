import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../engine';
import {
  argmax,
  chooseToken,
  compareRuns,
  logitMargin,
  maxDeltaUntilDivergence,
  samplingProblem,
  type StepReport,
} from '../../playground/decoding';

const step = (n: number, a: number, b: number, delta: number, margin = 1): StepReport => ({
  step: n,
  standardToken: a,
  slimToken: b,
  maxAbsDelta: delta,
  margin,
  cachedTokens: 10 + n,
  standardCacheBytes: 8 * (10 + n),
  slimCacheBytes: 4 * (10 + n),
});

describe('Playground decoding logic', () => {
  it('greedy takes the first largest logit; the margin is top-1 minus top-2', () => {
    expect(argmax([0.5, 2, -1, 2])).toBe(1);
    expect(chooseToken([0.5, 2, -1, 3], { kind: 'greedy' }, () => 0.99)).toBe(3);
    expect(logitMargin([1, 3, 2.5, -4])).toBe(0.5);
    expect(logitMargin([3, 1, 3])).toBe(0);
    expect(logitMargin([-2, -7])).toBe(5);
  });

  it('samples softmax(logit / T) over the top k with one uniform number', () => {
    // logits 0 and ln 3 at T = 1: p = 1/4 and 3/4; the larger (index 1) comes first.
    const logits = [0, Math.log(3), -50];
    const s = { kind: 'sample', temperature: 1, topK: 2, seed: 0 } as const;
    expect(chooseToken(logits, s, () => 0.74)).toBe(1);
    expect(chooseToken(logits, s, () => 0.76)).toBe(0);
    expect(chooseToken(logits, s, () => 0.999999)).toBe(0);
    // top-k 1 is greedy whatever the draw.
    expect(chooseToken(logits, { ...s, topK: 1 }, () => 0.99)).toBe(1);
    // Outside the top k a token is never drawn, however likely the rest makes it.
    expect(chooseToken([5, 4, 4.5], { ...s, topK: 2 }, () => 0.999999)).toBe(2);
  });

  it('seeded draws follow the tempered distribution and repeat with the same seed', () => {
    const logits = [1, 0, -1, 0.5];
    const T = 2;
    const weights = logits.map((l) => Math.exp(l / T));
    const z = weights.reduce((a, b) => a + b);
    const s = { kind: 'sample', temperature: T, topK: 4, seed: 7 } as const;
    const random = seededRandom(7);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[chooseToken(logits, s, random)]++;
    counts.forEach((c, i) => expect(Math.abs(c / n - weights[i] / z)).toBeLessThan(0.012));
    const draw = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 30 }, () => chooseToken(logits, s, r));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('refuses unusable sampling settings with a sentence', () => {
    const s = { kind: 'sample', temperature: 1, topK: 5, seed: 1 } as const;
    expect(samplingProblem(s)).toBeNull();
    expect(samplingProblem({ ...s, temperature: 0 })).toMatch(/Temperature must be a positive/);
    expect(samplingProblem({ ...s, topK: 0 })).toMatch(/Top-k must be a whole number/);
    expect(samplingProblem({ ...s, seed: -1 })).toMatch(/seed must be/);
    expect(() => chooseToken([1, 2], { ...s, topK: 1.5 }, Math.random)).toThrow(/Top-k/);
  });

  it('finds the first divergence and its margin; max |Δ| counts only comparable steps', () => {
    const same = [step(1, 5, 5, 1e-6), step(2, 7, 7, 3e-6), step(3, 9, 9, 2e-6)];
    expect(compareRuns(same)).toEqual({ identical: true, steps: 3 });
    expect(maxDeltaUntilDivergence(same)).toBe(3e-6);
    const split = [step(1, 5, 5, 1e-6), step(2, 7, 8, 4e-6, 2e-6), step(3, 1, 2, 9)];
    expect(compareRuns(split)).toEqual({
      identical: false,
      step: 2,
      margin: 2e-6,
      standardToken: 7,
      slimToken: 8,
    });
    expect(maxDeltaUntilDivergence(split)).toBe(4e-6);
  });
});
