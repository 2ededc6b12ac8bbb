/**
 * Misleading CLI messages fixed: a value starting with '-' after an option that takes one is
 * that value (`--prompt "-x"`, `--prompt "- item"`, `--prompt "--json"`); `-model` names
 * `--model`; `check` on a well-formed model whose layer cannot be converted exits 1 naming it.
 */
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../engine/io';
import { tinyCheckpoint, TINY_GPT2, writeModelDir } from './models-helpers';
import { slim } from './cli-helpers';

const MOBY = 'public/models/moby-gpt2';

describe('option values that start with a dash', () => {
  it.each(['-x', '- item', '--json'])('--prompt %j is the prompt', async (prompt) => {
    const r = await slim(
      'run',
      '--model',
      MOBY,
      '--prompt',
      prompt,
      '--steps',
      '1',
      '--mode',
      'standard',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`text: ${prompt}`);
  });

  it('an option followed by another of the command’s options still needs a value', async () => {
    const r = await slim('check', '--model', '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--model needs a value/);
    expect((await slim('run', '--model', MOBY, '--prompt')).err).toMatch(/--prompt needs a value/);
  });

  it('a long option written with one dash names the option meant', async () => {
    const r = await slim('check', '-model', MOBY);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '-model'; did you mean --model\?/);
    expect((await slim('check', '-frob')).err).toMatch(/unknown option '-frob' \(long options/);
  });
});

describe('slim check on a well-formed model with an unusable layer', () => {
  it('exits 1 naming the layer when the conversion overflows float32', async () => {
    const ck = tinyCheckpoint('gpt2', TINY_GPT2, { prefix: false });
    const { d } = TINY_GPT2;
    const w = new Map(
      [...ck.weights].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }]),
    );
    // Layer 1: W_K scaled by 1e-30 and W_V by 1e30, so W_KV ≈ 1e60 (beyond float32) either way.
    const t = w.get('h.1.attn.c_attn.weight')!;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        t.data[i * 3 * d + d + j] *= 1e-30;
        t.data[i * 3 * d + 2 * d + j] *= 1e30;
      }
    const files = new Map(ck.files);
    files.set(
      'model.safetensors',
      writeSafetensors(
        [...w].map(([name, x]) => ({ name, dtype: 'F32' as const, shape: x.shape, data: x.data })),
      ),
    );
    const r = await slim('check', '--model', writeModelDir(files), '--json');
    expect(r.code).toBe(1);
    const rows = (JSON.parse(r.out) as { layers: { direction: string | null }[] }).layers;
    expect(rows[1].direction).toBeNull();
    expect(rows[0].direction).not.toBeNull();
    expect(r.err).toMatch(/layer 1 cannot be made slim/);
  });
});
