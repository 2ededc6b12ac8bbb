import { describe, expect, it } from 'vitest';
import { argmax, logitMargin } from '../../engine';
import {
  compareRuns,
  maxDeltaUntilDivergence,
  samplingOf,
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
  it('the margin is top-1 minus top-2; argmax takes the first largest (engine/sampling.ts)', () => {
    expect(argmax([0.5, 2, -1, 2])).toBe(1);
    expect(logitMargin([1, 3, 2.5, -4])).toBe(0.5);
    expect(logitMargin([3, 1, 3])).toBe(0);
    expect(logitMargin([-2, -7])).toBe(5);
  });

  it('the controls as the engine’s Sampling: greedy drops the sampling fields, keeps the penalty', () => {
    const c = {
      decoding: 'sample',
      temperature: 0.8,
      topK: 40,
      topP: 0.9,
      seed: 3,
      repetitionPenalty: 1,
    } as const;
    expect(samplingOf(c)).toEqual({ temperature: 0.8, topK: 40, topP: 0.9, seed: 3 });
    expect(samplingOf({ ...c, decoding: 'greedy' })).toEqual({});
    expect(samplingOf({ ...c, decoding: 'greedy', repetitionPenalty: 1.2 })).toEqual({
      repetitionPenalty: 1.2,
    });
  });

  it('finds the first divergence and its margin; max |Δ| counts only comparable steps', () => {
    const same = [step(1, 5, 5, 1e-6), step(2, 7, 7, 3e-6), step(3, 9, 9, 2e-6)];
    expect(compareRuns(same)).toEqual({ identical: true, steps: 3 });
    expect(maxDeltaUntilDivergence(same)).toBe(3e-6);
    const split = [step(1, 5, 5, 1e-6), step(2, 7, 8, 4e-6, 2e-6), step(3, 1, 2, 9)];
    // Steps without a slim side compare nothing.
    expect(compareRuns([{ ...step(1, 5, 5, 0), slimToken: null, maxAbsDelta: null }])).toEqual({
      identical: true,
      steps: 1,
    });
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
