import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { openSafetensorsBytes } from '../../engine/io';
import {
  freshDir,
  tinyCheckpoint,
  tinyTokenizerJson,
  TINY_GPT2,
  TINY_LLAMA,
  TINY_NEOX,
  writeModelDir,
  type AnyConfig,
  type TinyFamily,
} from './models-helpers';
import { slim } from './cli-helpers';

interface RunJson {
  generated: number[];
  lastLogits: number[];
}

async function run(dir: string, mode: string): Promise<RunJson> {
  const r = await slim(
    'run',
    '--model',
    dir,
    '--tokens',
    '2,7,1,8',
    '--steps',
    '30',
    '--mode',
    mode,
    '--json',
  );
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as RunJson;
}

const maxAbs = (xs: readonly number[]) => Math.max(...xs.map(Math.abs));
const maxDiff = (a: readonly number[], b: readonly number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i])));

const CASES: [TinyFamily, AnyConfig, number][] = [
  ['gpt2', TINY_GPT2, 1],
  ['llama', TINY_LLAMA, 3],
  ['gpt-neox', TINY_NEOX, 2],
];

describe('slim convert', () => {
  it.each(CASES)(
    '%s: the slim checkpoint reproduces the original logits',
    async (family, config, shards) => {
      const ckpt = tinyCheckpoint(family, config, { shards, seed: 17, dtype: 'F16' });
      const dir = writeModelDir(new Map([...ckpt.files, ...tinyTokenizerJson()]));
      const out = freshDir();
      const r = await slim('convert', '--model', dir, '--out', out, '--json');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.out) as { directions: string[]; files: { name: string }[] };
      // The directions slim check picks (RoPE families: always the K-cache).
      const check = JSON.parse((await slim('check', '--model', dir, '--json')).out) as {
        layers: { direction: string }[];
      };
      expect(result.directions).toEqual(check.layers.map((l) => l.direction));
      if (family !== 'gpt2')
        expect(result.directions).toEqual(new Array(config.layers).fill('k-cache'));
      // Same weight files (shards keep their names), the tokenizer copied, config.json marked.
      expect(readdirSync(out).sort()).toEqual(readdirSync(dir).sort());
      const config2 = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(config2['slim_attention']).toEqual({
        format: 'slim-attention/1',
        layers: result.directions,
      });
      for (const f of readdirSync(out).filter((n) => n.endsWith('.safetensors'))) {
        const st = await openSafetensorsBytes(new Uint8Array(readFileSync(join(out, f))), f);
        for (const t of st.tensorNames()) expect(st.info(t).dtype).toBe('F32');
      }
      const original = await run(dir, 'standard');
      const scale = maxAbs(original.lastLogits);
      for (const mode of ['slim', 'standard']) {
        const converted = await run(out, mode);
        expect(converted.generated).toEqual(original.generated);
        expect(maxDiff(converted.lastLogits, original.lastLogits)).toBeLessThanOrEqual(
          1e-4 * scale,
        );
      }
    },
    60_000,
  );

  it('stores W_KV where W_V was, or W_VK where W_K was (GPT-2 c_attn, x·W layout)', async () => {
    const ckpt = tinyCheckpoint('gpt2', TINY_GPT2, { seed: 2 });
    const dir = writeModelDir(ckpt.files);
    const out = freshDir();
    const r = await slim('convert', '--model', dir, '--out', out, '--json');
    const { directions } = JSON.parse(r.out) as { directions: string[] };
    const st = await openSafetensorsBytes(
      new Uint8Array(readFileSync(join(out, 'model.safetensors'))),
    );
    const { d } = TINY_GPT2;
    const block = (data: ArrayLike<number>, b: number) =>
      new Matrix(
        Array.from({ length: d }, (_, i) =>
          Array.from({ length: d }, (_, j) => data[i * 3 * d + b * d + j]),
        ),
      );
    for (const [layer, direction] of directions.entries()) {
      const original = ckpt.weights.get(`h.${layer}.attn.c_attn.weight`)!.data;
      const converted = await st.read(`transformer.h.${layer}.attn.c_attn.weight`);
      // k-cache: block V (2) holds W_K⁻¹·W_V; v-cache: block K (1) holds W_V⁻¹·W_K.
      const [slot, kept] = direction === 'k-cache' ? [2, 1] : [1, 2];
      const want = solve(block(original, kept), block(original, slot));
      const stored = block(converted, slot);
      let worst = 0;
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++)
          worst = Math.max(
            worst,
            Math.abs(stored.get(i, j) - want.get(i, j)) / Math.max(1, Math.abs(want.get(i, j))),
          );
      expect(worst).toBeLessThan(1e-6);
      // The other two blocks are untouched.
      for (let i = 0; i < d; i++)
        for (let j = 0; j < 3 * d; j++)
          if (Math.floor(j / d) !== slot)
            expect(converted[i * 3 * d + j]).toBe(original[i * 3 * d + j]);
    }
  });

  it('refuses a non-empty --out, a converted model and a missing --out', async () => {
    const dir = writeModelDir(tinyCheckpoint('gpt2', TINY_GPT2).files);
    const out = freshDir();
    expect((await slim('convert', '--model', dir, '--out', out)).code).toBe(0);
    const again = await slim('convert', '--model', dir, '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/is not empty; give a new or empty directory/);
    const twice = await slim('convert', '--model', out, '--out', freshDir());
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/is already a slim checkpoint/);
    expect((await slim('convert', '--model', dir)).err).toMatch(/--out is required/);
    // A hand-broken marker is refused when loading.
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(out, 'config.json'),
      JSON.stringify({
        ...config,
        slim_attention: { format: 'slim-attention/1', layers: ['k-cache'] },
      }),
    );
    const broken = await slim(
      'run',
      '--model',
      out,
      '--tokens',
      '1',
      '--steps',
      '1',
      '--mode',
      'slim',
    );
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(
      /config\.json: "slim_attention\.layers" lists 1 layers, the model has 2/,
    );
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
  });

  it.each(['moby-gpt2', 'moby-llama'])(
    'default model %s: the converted checkpoint generates the same text and logits',
    async (name) => {
      const dir = `public/models/${name}`;
      const out = freshDir();
      const r = await slim('convert', '--model', dir, '--out', out);
      expect(r.code).toBe(0);
      const args = ['--prompt', 'Call me Ishmael.', '--steps', '40', '--json'];
      const original = await slim('run', '--model', dir, ...args, '--mode', 'standard');
      const converted = await slim('run', '--model', out, ...args, '--mode', 'slim');
      const a = JSON.parse(original.out) as RunJson;
      const b = JSON.parse(converted.out) as RunJson;
      expect(b.generated).toEqual(a.generated);
      expect(maxDiff(b.lastLogits, a.lastLogits)).toBeLessThanOrEqual(1e-4 * maxAbs(a.lastLogits));
    },
    60_000,
  );
});
