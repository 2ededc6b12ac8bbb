import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../engine';
import { referenceLogits, tinyCheckpoint, TINY_GPT2, writeModelDir } from './models-helpers';
import { reference, referenceDraw } from './sampling-reference';
import { slim, runJson } from './cli-helpers';

const gpt2 = tinyCheckpoint('gpt2', TINY_GPT2, { seed: 21 });
const dir = writeModelDir(gpt2.files);
const PROMPT = [5, 0, 17];
const base = ['--model', dir, '--tokens', PROMPT.join(','), '--steps', '8'];
const SAMPLE = ['--temperature', '1.5', '--top-k', '20', '--top-p', '0.95', '--seed', '7'];

describe('slim run: sampling and the cache figures', () => {
  it('seeded sampling draws what an independent reference draws, the same in both modes', async () => {
    const args = [...base, ...SAMPLE, '--repetition-penalty', '1.3'];
    const standard = await runJson(...args, '--mode', 'standard');
    const slimRun = await runJson(...args, '--mode', 'slim');
    expect(slimRun.generated).toEqual(standard.generated);
    // The reference: float64 logits, transformers' chain written naively, one mulberry32 stream.
    const random = seededRandom(7);
    const ids = [...PROMPT];
    for (let s = 0; s < 8; s++) {
      const rows = referenceLogits('gpt2', TINY_GPT2, gpt2.weights, ids);
      const p = reference(rows[rows.length - 1], {
        temperature: 1.5,
        topK: 20,
        topP: 0.95,
        penalty: 1.3,
        seen: ids,
      });
      ids.push(referenceDraw(p, random()));
    }
    expect(standard.generated).toEqual(ids.slice(PROMPT.length));
    // Sampling, not greedy; another seed, another sequence.
    const greedy = await runJson(...base, '--mode', 'standard');
    expect(standard.generated).not.toEqual(greedy.generated);
    const seed8 = await runJson(...base, ...SAMPLE.slice(0, -1), '8', '--mode', 'standard');
    expect(seed8.generated).not.toEqual(standard.generated);
    // Temperature 0 is greedy whatever the other options say.
    const zero = await runJson(...base, '--temperature', '0', '--top-k', '3', '--mode', 'slim');
    expect(zero.generated).toEqual(greedy.generated);
  });

  it('cacheBytes: both schemes after the run’s tokens, in either mode; slimScheme', async () => {
    const standard = await runJson(...base, '--mode', 'standard');
    const slimRun = await runJson(...base, '--mode', 'slim');
    // The caches hold the prompt and every generated token but the last (it is never fed):
    // layers · tokens · d · 4 bytes (float32), for K and V; slim keeps one of them.
    const tokens = PROMPT.length + 8 - 1;
    const kv = TINY_GPT2.layers * tokens * TINY_GPT2.d * 4 * 2;
    expect(standard.cacheBytes).toEqual({ standard: kv, slim: kv / 2 });
    expect(slimRun.cacheBytes).toEqual(standard.cacheBytes);
    expect(standard.slimScheme).toBe('k-cache');
  });

  it('prints the decoding in the text output and refuses bad options with exit 2', async () => {
    const text = await slim('run', ...base, ...SAMPLE, '--mode', 'slim');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /\ndecoding: sampling, temperature 1.5, top-k 20, top-p 0.95, seed 7\n/,
    );
    for (const [extra, message] of [
      [['--temperature', '-1'], /Temperature must be a number ≥ 0/],
      [['--temperature', 'hot'], /--temperature must be a number, got 'hot'/],
      [['--temperature', '1', '--top-p', '1.5'], /Top-p must be in \(0, 1\]/],
      [['--temperature', '1', '--seed', '1.5'], /seed must be a whole number/],
      [['--temperature', '1', '--top-k', '2.5'], /Top-k must be a whole number/],
      [['--repetition-penalty', '0'], /repetition penalty must be a positive number/],
    ] as const) {
      const r = await slim('run', ...base, ...extra, '--mode', 'standard');
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.err, extra.join(' ')).toMatch(message);
    }
  });
});
