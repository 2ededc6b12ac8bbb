import { describe, expect, it } from 'vitest';
import {
  argmax,
  chooseToken,
  logitMargin,
  penalizedScores,
  samplingDistribution,
  samplingProblem,
  seededRandom,
  tokenChooser,
} from '../../engine';
import { reference } from './sampling-reference';

/**
 * engine/sampling.ts against references written in sampling-reference.ts from transformers' definitions:
 * RepetitionPenaltyLogitsProcessor, then TemperatureLogitsWarper, TopKLogitsWarper,
 * TopPLogitsWarper (in that order), softmax.
 */

describe('sampling (Hugging Face generate semantics)', () => {
  const logits = [2, 1, 0.5, -1, 3, 0];

  it('temperature, top-k and top-p give the exact probabilities of the reference', () => {
    // Hand-checked case: logits [ln 4, ln 2, ln 1, −∞-ish], T = 1: p = 4/7, 2/7, 1/7, ~0.
    const simple = [Math.log(4), Math.log(2), 0, -60];
    const p = samplingDistribution(simple, { temperature: 1 });
    expect(p[0]).toBeCloseTo(4 / 7, 12);
    expect(p[1]).toBeCloseTo(2 / 7, 12);
    expect(p[2]).toBeCloseTo(1 / 7, 12);
    // top-p 0.8: {4/7} sums to 0.571 < 0.8, {4/7, 2/7} to 0.857 ≥ 0.8 → renormalised 2/3, 1/3.
    const q = samplingDistribution(simple, { temperature: 1, topP: 0.8 });
    expect(Array.from(q).map((x) => +x.toFixed(12))).toEqual([
      +(2 / 3).toFixed(12),
      +(1 / 3).toFixed(12),
      0,
      0,
    ]);
    for (const o of [
      { temperature: 0.7 },
      { temperature: 1.3, topK: 3 },
      { temperature: 0.8, topK: 4, topP: 0.9 },
      { temperature: 2, topP: 0.5 },
      { temperature: 0.9, topK: 5, topP: 0.95, penalty: 1.3, seen: [4, 0, 3, 4] },
    ]) {
      const got = samplingDistribution(
        logits,
        {
          temperature: o.temperature,
          topK: o.topK,
          topP: o.topP,
          repetitionPenalty: o.penalty,
        },
        o.seen,
      );
      const want = reference(logits, o);
      got.forEach((v, i) => expect(v, JSON.stringify(o)).toBeCloseTo(want[i], 12));
    }
  });

  it('top-k keeps ties at the k-th score, as transformers does', () => {
    const p = samplingDistribution([1, 3, 1, 0], { temperature: 1, topK: 2 });
    expect(p[3]).toBe(0);
    expect(p[0]).toBeGreaterThan(0);
    expect(p[2]).toBe(p[0]);
  });

  it('repetition penalty: positive logits divided, negative multiplied, each token once', () => {
    const scores = penalizedScores([2, -1, 0.5, 3, -2], [0, 1, 1, 4, 1], 2);
    // Hand-computed: 2/2, −1·2, 0.5 unchanged, 3 unchanged, −2·2.
    expect(Array.from(scores)).toEqual([1, -2, 0.5, 3, -4]);
    // Applied before temperature (transformers' order): greedy picks 3 (index 3) over 2 → 1.
    expect(chooseToken([3.5, 0, 0, 3], { repetitionPenalty: 2 }, Math.random, [0])).toBe(3);
    expect(chooseToken([3.5, 0, 0, 3], {}, Math.random, [0])).toBe(0);
    // The penalty comes before top-k (transformers' order): token 0 (3 → 1.5) falls out of the
    // top 1, so every draw is token 1; top-k first would have kept token 0 alone.
    const p = samplingDistribution(
      [3, 2.9, 0],
      { temperature: 1, topK: 1, repetitionPenalty: 2 },
      [0],
    );
    expect(Array.from(p)).toEqual([0, 1, 0]);
    // Penalty and temperature: exp((x / penalty) / T) for a seen positive logit.
    const q = samplingDistribution([1, -1, 0], { temperature: 0.5, repetitionPenalty: 2 }, [0, 1]);
    const e = [Math.exp(1 / 2 / 0.5), Math.exp((-1 * 2) / 0.5), Math.exp(0)];
    const z = e[0] + e[1] + e[2];
    e.forEach((v, i) => expect(q[i]).toBeCloseTo(v / z, 14));
  });

  it('draws follow the distribution over many seeds, within 4 binomial standard deviations', () => {
    const setting = { temperature: 0.9, topK: 4, topP: 0.97 };
    const p = reference(logits, setting);
    const n = 20000;
    const counts = new Array<number>(logits.length).fill(0);
    // One draw per seed: the seeds, not one long stream, carry the randomness.
    for (let seed = 0; seed < n; seed++)
      counts[tokenChooser({ ...setting, seed })(Float32Array.from(logits), [])]++;
    counts.forEach((c, i) => {
      const sd = Math.sqrt(n * p[i] * (1 - p[i]));
      expect(Math.abs(c - n * p[i]), `token ${i}`).toBeLessThanOrEqual(4 * sd + 1e-9);
      if (p[i] === 0) expect(c).toBe(0);
    });
  });

  it('the same seed draws the same tokens; another seed another sequence', () => {
    const draw = (seed: number) => {
      const choose = tokenChooser({ temperature: 1.5, seed });
      return Array.from({ length: 40 }, () => choose(logits, []));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    // chooseToken with a given uniform: inverse CDF in vocabulary order.
    const simple = [Math.log(4), Math.log(2), 0, -60];
    expect(chooseToken(simple, { temperature: 1 }, () => 0.5)).toBe(0);
    expect(chooseToken(simple, { temperature: 1 }, () => 0.6)).toBe(1);
    expect(chooseToken(simple, { temperature: 1 }, () => 0.9)).toBe(2);
    expect(seededRandom(3)()).toBe(seededRandom(3)());
  });

  it('greedy: temperature 0 or none; argmax takes the first largest; margins', () => {
    expect(chooseToken([0.5, 2, -1, 2], { temperature: 0, topK: 1 }, () => 0.99)).toBe(1);
    expect(argmax([0.5, 2, -1, 2])).toBe(1);
    expect(logitMargin([1, 3, 2.5, -4])).toBe(0.5);
  });

  it('refuses unusable settings with a sentence', () => {
    expect(samplingProblem({ temperature: 0.8, topK: 40, seed: 1 })).toBeNull();
    expect(samplingProblem({ temperature: -1 })).toMatch(/Temperature/);
    expect(samplingProblem({ temperature: 1, topK: 1.5 })).toMatch(/Top-k/);
    expect(samplingProblem({ temperature: 1, topP: 0 })).toMatch(/Top-p/);
    expect(samplingProblem({ temperature: 1, seed: 1.5 })).toMatch(/seed/);
    expect(samplingProblem({ repetitionPenalty: 0 })).toMatch(/repetition penalty/);
    expect(() => chooseToken([1, NaN], { temperature: 1 }, Math.random)).toThrow(/NaN/);
  });
});
