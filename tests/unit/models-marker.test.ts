/**
 * The slim marker travels in the weights too: `slim convert` writes it into the
 * "__metadata__" of every weight file, and loading refuses a config.json and weights that
 * disagree (converted weights with the original config.json would run W_KV as W_V and print
 * garbage; unconverted weights with a marked config.json would undo W_V as if it were W_KV).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, openSafetensorsBytes } from '../../engine/io';
import { directorySources } from '../../engine/io/node';
import { openModel } from '../../engine/models';
import { freshDir, tinyCheckpoint, TINY_GPT2, TINY_LLAMA, writeModelDir } from './models-helpers';
import { slim } from './cli-helpers';

const runSlim = (dir: string) =>
  slim('run', '--model', dir, '--tokens', '1,2', '--steps', '2', '--mode', 'slim', '--json');

async function converted(shards = 1, family: 'gpt2' | 'llama' = 'gpt2') {
  const ck = tinyCheckpoint(family, family === 'gpt2' ? TINY_GPT2 : TINY_LLAMA, { shards });
  const dir = writeModelDir(ck.files);
  const out = freshDir();
  const r = await slim('convert', '--model', dir, '--out', out);
  expect(r.code).toBe(0);
  return { dir, out };
}

describe('the slim marker in the weights', () => {
  it('convert writes it into every weight file, as strings', async () => {
    const { out } = await converted(2, 'llama');
    const shards = readdirSync(out).filter((f) => f.endsWith('.safetensors'));
    expect(shards).toHaveLength(2);
    for (const shard of shards) {
      const st = await openSafetensorsBytes(new Uint8Array(readFileSync(join(out, shard))), shard);
      expect(st.metadata).toEqual({
        format: 'pt',
        slim_attention_format: 'slim-attention/1',
        slim_attention_layers: 'k-cache,k-cache',
      });
    }
    expect((await runSlim(out)).code).toBe(0);
  });

  it('refuses converted weights with the original config.json, naming both files', async () => {
    const { dir, out } = await converted();
    writeFileSync(join(out, 'config.json'), readFileSync(join(dir, 'config.json')));
    const r = await runSlim(out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /model\.safetensors: the "__metadata__" of model\.safetensors marks converted weights \("slim-attention\/1", \S+, \S+\) but config\.json has no "slim_attention" marker/,
    );
    const std = await slim('check', '--model', out);
    expect(std.code).toBe(2);
  });

  it('refuses unconverted weights under a marked config.json, naming both files', async () => {
    const { dir, out } = await converted();
    writeFileSync(join(out, 'model.safetensors'), readFileSync(join(dir, 'model.safetensors')));
    const error = await openModel(await directorySources(out)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect((error as Error).message).toMatch(
      /^model\.safetensors: config\.json marks a slim checkpoint \("slim-attention\/1"\) but model\.safetensors carries no slim marker/,
    );
  });

  it('refuses directions that differ between config.json and the weights', async () => {
    const { out } = await converted();
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      slim_attention: { layers: string[] };
    };
    const stored = [...config.slim_attention.layers];
    config.slim_attention.layers[0] = stored[0] === 'k-cache' ? 'v-cache' : 'k-cache';
    writeFileSync(join(out, 'config.json'), JSON.stringify(config));
    const r = await runSlim(out);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `the slim markers of config.json and model.safetensors disagree: layer 0 is ` +
        `${config.slim_attention.layers[0]} in config.json but ${stored[0]} in model.safetensors`,
    );
  });
});
