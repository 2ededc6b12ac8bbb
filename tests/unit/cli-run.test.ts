import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  referenceLogits,
  tinyCheckpoint,
  tinyTokenizerJson,
  TINY_GPT2,
  TINY_LLAMA,
  writeModelDir,
} from './models-helpers';
import type { RunJson } from '../../cli/contract';
import { slim, runJson } from './cli-helpers';

const argmax = (xs: readonly number[]) => xs.indexOf(Math.max(...xs));
const maxAbs = (xs: readonly number[]) => Math.max(...xs.map(Math.abs));
const maxDiff = (a: readonly number[], b: readonly number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i])));

const gpt2 = tinyCheckpoint('gpt2', TINY_GPT2, { seed: 21 });
// Only config.json and model.safetensors: --tokens needs no tokenizer.
const gpt2Dir = writeModelDir(gpt2.files);

describe('slim run', () => {
  it('--tokens --json: greedy ids and the last logits of an independent float64 reference', async () => {
    const prompt = [5, 0, 17];
    const steps = 6;
    const doc = await runJson(
      '--model',
      gpt2Dir,
      '--tokens',
      prompt.join(','),
      '--steps',
      String(steps),
      '--mode',
      'standard',
    );
    expect(doc.generated).toHaveLength(steps);
    const ids = [...prompt];
    let last: number[] = [];
    for (let s = 0; s < steps; s++) {
      const rows = referenceLogits('gpt2', TINY_GPT2, gpt2.weights, ids);
      last = rows[rows.length - 1];
      ids.push(argmax(last));
    }
    expect(doc.generated).toEqual(ids.slice(prompt.length));
    // lastLogits is the full row that chose the last generated token.
    expect(doc.lastLogits).toHaveLength(TINY_GPT2.vocabSize);
    expect(argmax(doc.lastLogits)).toBe(doc.generated[steps - 1]);
    expect(maxDiff(doc.lastLogits, last)).toBeLessThanOrEqual(1e-4 * maxAbs(last));
  });

  it('--mode slim gives the same tokens and logits within 1e-4 of the largest', async () => {
    for (const [family, config] of [
      ['gpt2', TINY_GPT2],
      ['llama', TINY_LLAMA],
    ] as const) {
      const dir =
        family === 'gpt2'
          ? gpt2Dir
          : writeModelDir(tinyCheckpoint(family, config, { shards: 2 }).files);
      const args = ['--model', dir, '--tokens', '1,2,3', '--steps', '40'];
      const standard = await runJson(...args, '--mode', 'standard');
      const slimRun = await runJson(...args, '--mode', 'slim', '--decode-order', 'v-first');
      expect(slimRun.generated).toEqual(standard.generated);
      expect(maxDiff(slimRun.lastLogits, standard.lastLogits)).toBeLessThanOrEqual(
        1e-4 * maxAbs(standard.lastLogits),
      );
    }
  });

  it('--prompt encodes with the directory’s tokenizer.json and prints text', async () => {
    const dir = writeModelDir(new Map([...gpt2.files, ...tinyTokenizerJson()]));
    const byText = await runJson(
      '--model',
      dir,
      '--prompt',
      'call me',
      '--steps',
      '4',
      '--mode',
      'slim',
    );
    // "call" and " me" are single tokens of the tiny vocabulary (ids 29 and 31).
    const byIds = await runJson(
      '--model',
      dir,
      '--tokens',
      '29,31',
      '--steps',
      '4',
      '--mode',
      'slim',
    );
    expect(byText).toEqual(byIds);
    const text = await slim(
      'run',
      '--model',
      dir,
      '--prompt',
      'call me',
      '--steps',
      '4',
      '--mode',
      'standard',
    );
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /^model: .* \(gpt2, 2 layers, d 16, 2 heads, vocabulary 41\)\nmode: standard/,
    );
    expect(text.out).toMatch(/\ntext: call me/);
    expect(text.out).toMatch(/cache after 5 tokens: 1.3 kB \(K 640 B, V 640 B\)/);
  });

  it('bad usage and malformed checkpoints exit 2 with a message naming the problem', async () => {
    const t5 = writeModelDir(
      new Map([
        [
          'config.json',
          new TextEncoder().encode(
            '{"model_type": "t5", "d_model": 8, "num_layers": 1, "num_heads": 2, "d_kv": 4, "d_ff": 8, "vocab_size": 10}',
          ),
        ],
      ]),
    );
    const truncated = writeModelDir(
      new Map(gpt2.files).set(
        'model.safetensors',
        (gpt2.files.get('model.safetensors') as Uint8Array).slice(0, 100),
      ),
    );
    const notDir = join(gpt2Dir, 'config.json');
    const cases: [string[], RegExp][] = [
      [['--tokens', '1', '--steps', '2', '--mode', 'slim'], /--model is required/],
      [
        ['--model', gpt2Dir, '--steps', '2', '--mode', 'slim'],
        /exactly one of --prompt TEXT and --tokens/,
      ],
      [
        ['--model', gpt2Dir, '--tokens', '1,x', '--steps', '2', '--mode', 'slim'],
        /--tokens must be token ids separated by commas/,
      ],
      [
        ['--model', gpt2Dir, '--tokens', '1', '--steps', '0', '--mode', 'slim'],
        /--steps must be a positive integer/,
      ],
      [
        ['--model', gpt2Dir, '--tokens', '1', '--steps', '2', '--mode', 'fast'],
        /--mode must be standard or slim/,
      ],
      [
        ['--model', gpt2Dir, '--tokens', '41', '--steps', '2', '--mode', 'slim'],
        /token id 41 is outside the vocabulary .* \(ids 0 … 40\)/,
      ],
      [
        ['--model', gpt2Dir, '--tokens', '1', '--steps', '256', '--mode', 'slim'],
        /1 prompt tokens \+ 256 steps exceed the 256 positions/,
      ],
      [
        ['--model', gpt2Dir, '--prompt', 'hi', '--steps', '2', '--mode', 'slim'],
        /has no tokenizer .*; use --tokens/,
      ],
      [
        ['--model', join(gpt2Dir, 'nope'), '--tokens', '1', '--steps', '2', '--mode', 'slim'],
        /no such directory/,
      ],
      [['--model', notDir, '--tokens', '1', '--steps', '2', '--mode', 'slim'], /not a directory/],
      [
        ['--model', t5, '--tokens', '1', '--steps', '2', '--mode', 'slim'],
        /config\.json: the architecture with model_type "t5" is not supported/,
      ],
      [
        ['--model', truncated, '--tokens', '1', '--steps', '2', '--mode', 'slim'],
        /model\.safetensors: /,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await slim('run', ...argv, '--json');
      expect(r.out, argv.join(' ')).toBe('');
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.code, argv.join(' ')).toBe(2);
    }
  });

  it('works as a real process: npx tsx cli/slim.ts run … --json', () => {
    const r = spawnSync(
      'npx',
      [
        'tsx',
        'cli/slim.ts',
        'run',
        '--model',
        gpt2Dir,
        '--tokens',
        '1,2',
        '--steps',
        '3',
        '--mode',
        'slim',
        '--json',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as RunJson;
    expect(doc.generated).toHaveLength(3);
    expect(doc.lastLogits).toHaveLength(TINY_GPT2.vocabSize);
  }, 60_000);
});
