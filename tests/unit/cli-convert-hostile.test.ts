/**
 * `slim convert` with hostile outputs and inputs: every bad --out is refused with exit 2 before
 * anything is created, nothing is overwritten, a failure half-way leaves no folder (the output
 * is a temporary folder renamed at the end), and shard names from the index cannot collide
 * with the copied files.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../cli/commands/convert';
import { CliUsageError } from '../../cli/errors';
import { outputError } from '../../cli/outputDir';
import {
  freshDir,
  tinyCheckpoint,
  tinyTokenizerJson,
  TINY_GPT2,
  writeModelDir,
} from './models-helpers';
import { slim } from './cli-helpers';

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );
}

const model = () =>
  writeModelDir(new Map([...tinyCheckpoint('gpt2', TINY_GPT2).files, ...tinyTokenizerJson()]));

describe('slim convert --out that cannot be used', () => {
  it('refuses /proc/x, /dev/null, a file, a path through a file, a missing parent', async () => {
    const dir = model();
    const before = snapshot(dir);
    const file = join(dirname(freshDir()), 'a-file');
    writeFileSync(file, 'keep me');
    const cases: [string, RegExp][] = [
      ['/proc/x', /--out \/proc\/x: cannot create a folder in \/proc \(E\w+/],
      ['/dev/null', /--out \/dev\/null exists and is not a directory/],
      [file, /exists and is not a directory/],
      [join(file, 'x'), /cannot be used \(ENOTDIR: .*a part of the path is a file/],
      [join(freshDir(), 'deeper'), /its parent folder .* cannot be used \(ENOENT/],
      [dir, /is not empty; give a new or empty directory/],
      [join(dir, 'model.safetensors'), /exists and is not a directory/],
    ];
    for (const [out, message] of cases) {
      const r = await slim('convert', '--model', dir, '--out', out);
      expect(r.code, out).toBe(2);
      expect(r.err, out).toMatch(message);
      expect(r.err).not.toMatch(/unexpected error|\n\s+at /);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync('/proc/x')).toBe(false);
  });

  it('says the disk is full for ENOSPC and the file system is read-only for EROFS', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    const e = outputError('o', 'writing failed', full);
    expect(e).toBeInstanceOf(CliUsageError);
    expect(e.message).toBe(
      '--out o: writing failed (ENOSPC: no space left on device, write): the disk is full',
    );
    const ro = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    expect(outputError('o', 'x', ro).message).toMatch(/the file system is read-only$/);
  });

  it('an empty existing folder is accepted and filled; a new one is created', async () => {
    const dir = model();
    const empty = freshDir();
    mkdirSync(empty);
    expect((await slim('convert', '--model', dir, '--out', empty)).code).toBe(0);
    expect(readdirSync(empty)).toContain('config.json');
    expect(readdirSync(dirname(empty))).toEqual(['out']); // no temporary folder left
  });
});

describe('an interrupted or refused convert leaves nothing that loads', () => {
  it('a shard that fails half-way: no output folder, no temporary folder, exit 2', async () => {
    const dir = writeModelDir(tinyCheckpoint('gpt2', TINY_GPT2, { shards: 2 }).files);
    const out = freshDir();
    const error = await convertModel(dir, out, (_file, done) => {
      // After the first shard is written, the second input shard loses its data.
      if (done === 1) truncateSync(join(dir, 'model-00002-of-00002.safetensors'), 100);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(/model-00002-of-00002\.safetensors/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it('refuses a shard named vocab.json (or any name not ending in .safetensors)', async () => {
    const ck = tinyCheckpoint('gpt2', TINY_GPT2, { shards: 2 });
    const files = new Map(ck.files);
    const second = 'model-00002-of-00002.safetensors';
    files.set('vocab.json', files.get(second) as Uint8Array);
    files.delete(second);
    const index = new TextDecoder()
      .decode(files.get('model.safetensors.index.json'))
      .replaceAll(second, 'vocab.json');
    files.set('model.safetensors.index.json', new TextEncoder().encode(index));
    files.set('merges.txt', new TextEncoder().encode('#version: 0.2\n'));
    const dir = writeModelDir(files);
    const out = freshDir();
    const r = await slim('convert', '--model', dir, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the weight file "vocab\.json" .* cannot be written under that name/);
    expect(existsSync(out)).toBe(false);
  });
});
