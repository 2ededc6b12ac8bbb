import { describe, expect, it } from 'vitest';
import {
  CpuBackend,
  chooseToken,
  compareSchemes,
  decodeMsPerToken,
  decodeSideBySide,
  gpt2Builder,
  schemeModels,
  seededRandom,
  type DecodeStep,
} from '../../engine';
import { randomGpt2Weights, type Gpt2Config } from '../../engine/models';

const TINY: Gpt2Config = { vocabSize: 41, nPositions: 64, d: 24, heads: 3, layers: 2, lnEps: 1e-5 };
const PROMPT = [3, 14, 15, 9];
const SAMPLING = { temperature: 0.9, topK: 12, topP: 0.95, seed: 5, repetitionPenalty: 1.2 };

/** engine/generate.ts: the one decode loop (standard and slim side by side, or one side). */
describe('decodeSideBySide', () => {
  it('standard and slim side by side under seeded sampling: identical tokens', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const source = gpt2Builder(TINY, randomGpt2Weights(TINY, 9, 'float32'));
    const [standard, slim] = schemeModels(be, source);
    const reports: DecodeStep[] = [];
    const r = await decodeSideBySide([standard, slim], {
      prompt: PROMPT,
      steps: 30,
      sampling: SAMPLING,
      keepLogits: true,
      onStep: (s) => void reports.push(s),
    });
    expect(r.steps).toBe(30);
    expect(r.stopped).toBe(false);
    expect(r.tokens[1]).toEqual(r.tokens[0]);
    // Sampling, not greedy: some token is not the argmax of its row.
    const argmaxOf = (row: Float32Array) => row.indexOf(Math.max(...row));
    expect(r.tokens[0].some((t, i) => t !== argmaxOf(r.logits[0][i]))).toBe(true);
    // The caches hold prompt + every generated token.
    expect(standard.length).toBe(PROMPT.length + 30);
    expect(slim.cacheBytes().total * 2).toBe(standard.cacheBytes().total);
    expect(reports.map((s) => s.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(reports[4].tokens).toEqual([r.tokens[0][4], r.tokens[1][4]]);
    expect(reports[4].logits[0]).toBe(r.logits[0][4]);
    expect(r.tokensPerSecond.every((x) => x > 0)).toBe(true);
    standard.dispose();
    slim.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });

  it('draws as an independent loop with chooseToken and one seeded stream would', async () => {
    const be = new CpuBackend({ dtype: 'float64' });
    const source = gpt2Builder(TINY, randomGpt2Weights(TINY, 4));
    const [model] = schemeModels(be, source);
    const r = await decodeSideBySide([model], { prompt: PROMPT, steps: 12, sampling: SAMPLING });
    model.reset();
    const random = seededRandom(SAMPLING.seed);
    const ids = [...PROMPT];
    let out = model.prefill(PROMPT);
    for (let s = 0; s < 12; s++) {
      const next = chooseToken(await out.read(), SAMPLING, random, ids);
      out.dispose();
      ids.push(next);
      out = model.decode(next);
    }
    out.dispose();
    expect(r.tokens[0]).toEqual(ids.slice(PROMPT.length));
    model.dispose();
  });

  it('stops between steps on an AbortSignal or a callback, and frees every output', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const source = gpt2Builder(TINY, randomGpt2Weights(TINY, 2, 'float32'));
    const [a, b] = schemeModels(be, source);
    const controller = new AbortController();
    let pauses = 0;
    const r = await decodeSideBySide([a, b], {
      prompt: PROMPT,
      steps: 20,
      signal: controller.signal,
      pause: async () => void pauses++,
      onStep: (s) => {
        if (s.step === 3) controller.abort();
      },
    });
    expect(r.steps).toBe(3);
    expect(r.stopped).toBe(true);
    // One pause before each side's step and one after each step.
    expect(pauses).toBe(3 * 3);
    let calls = 0;
    a.reset();
    const one = await decodeSideBySide([a], {
      prompt: PROMPT,
      steps: 20,
      shouldStop: () => ++calls > 5,
    });
    expect(one.steps).toBe(5);
    a.dispose();
    b.dispose();
    expect(be.stats().liveTensors).toBe(0);
  });

  it('compareSchemes runs the loop: sampled tokens identical, and greedy stays the default', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const source = gpt2Builder(TINY, randomGpt2Weights(TINY, 11, 'float32'));
    const sampled = await compareSchemes(be, source, {
      prompt: PROMPT,
      steps: 16,
      sampling: SAMPLING,
    });
    expect(sampled.tokensIdentical).toBe(true);
    const greedy = await compareSchemes(be, source, { prompt: PROMPT, steps: 16 });
    expect(greedy.tokensIdentical).toBe(true);
    expect(sampled.standard.tokens).not.toEqual(greedy.standard.tokens);
  });

  it('reports each step’s time (none for the last); decodeMsPerToken times through the loop', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const [m] = schemeModels(be, gpt2Builder(TINY, randomGpt2Weights(TINY, 3, 'float32')));
    const seconds: (number | null)[] = [];
    await decodeSideBySide([m], {
      prompt: PROMPT,
      steps: 4,
      onStep: (s) => void seconds.push(s.stepSeconds[0]),
    });
    expect(seconds.slice(0, 3).every((x) => x !== null && x >= 0)).toBe(true);
    expect(seconds[3]).toBeNull();
    m.reset();
    const ms = await decodeMsPerToken(m, PROMPT, 4, 2);
    expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    // 2 warm-up + 4 timed steps fed back, the 7th step's token not fed.
    expect(m.length).toBe(PROMPT.length + 6);
    m.dispose();
  });

  it('refuses a bad sampling setting before it runs anything', async () => {
    const be = new CpuBackend({ dtype: 'float32' });
    const [m] = schemeModels(be, gpt2Builder(TINY, randomGpt2Weights(TINY, 1, 'float32')));
    await expect(
      decodeSideBySide([m], { prompt: PROMPT, steps: 2, sampling: { temperature: 1, topP: 2 } }),
    ).rejects.toThrow(/Top-p/);
    expect(m.length).toBe(0);
    m.dispose();
  });
});
