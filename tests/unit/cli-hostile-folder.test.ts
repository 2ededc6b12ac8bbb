/**
 * Model folders as hostile input (engine/io/node.ts): dangling symbolic links, link loops,
 * unreadable or vanished files, a folder that is not one. Files the loader does not need are
 * ignored; the ones it needs are named with the system error, exit 2, never a stack trace. A
 * Hugging Face cache snapshot (links into ../../blobs) keeps working.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError } from '../../engine/io';
import { directorySources, fileSource } from '../../engine/io/node';
import { tinyCheckpoint, tinyTokenizerJson, TINY_GPT2, writeModelDir } from './models-helpers';
import { slim } from './cli-helpers';

const runArgs = (dir: string) =>
  [
    'run',
    '--model',
    dir,
    '--tokens',
    '1,2',
    '--steps',
    '2',
    '--mode',
    'standard',
    '--json',
  ] as const;

function tinyDir(): string {
  return writeModelDir(tinyCheckpoint('gpt2', TINY_GPT2).files);
}

describe('model folders with broken entries', () => {
  it('ignores a dangling README.md link and a link loop the loader does not need', async () => {
    const dir = tinyDir();
    symlinkSync(join(dir, 'missing-blob'), join(dir, 'README.md'));
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    const r = await slim(...runArgs(dir));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await slim('check', '--model', dir, '--json')).toMatchObject({ code: 0 });
  });

  it('names a needed file behind a dangling link or a loop, with the system error', async () => {
    const dir = tinyDir();
    rmSync(join(dir, 'config.json'));
    symlinkSync(join(dir, 'gone.json'), join(dir, 'config.json'));
    const r = await slim(...runArgs(dir));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/config\.json: cannot be read \(ENOENT: no such file or directory/);
    expect(r.err).not.toMatch(/unexpected error|\n\s+at /);

    const loop = tinyDir();
    rmSync(join(loop, 'model.safetensors'));
    symlinkSync(join(loop, 'model.safetensors'), join(loop, 'model.safetensors'));
    const l = await slim('check', '--model', loop);
    expect(l.code).toBe(2);
    expect(l.err).toMatch(/model\.safetensors: cannot be read \(ELOOP/);
  });

  it('names a tokenizer behind a dangling link only when the prompt needs it', async () => {
    const dir = tinyDir();
    symlinkSync(join(dir, 'gone'), join(dir, 'tokenizer.json'));
    expect((await slim(...runArgs(dir))).code).toBe(0);
    const r = await slim(
      'run',
      '--model',
      dir,
      '--prompt',
      'call me',
      '--steps',
      '1',
      '--mode',
      'standard',
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tokenizer\.json: cannot be read \(ENOENT/);
  });

  it('names a file that vanishes (or cannot be opened) between listing and reading', async () => {
    const dir = tinyDir();
    const source = await fileSource(join(dir, 'model.safetensors'));
    renameSync(join(dir, 'model.safetensors'), join(dir, 'moved'));
    const error = await source.read(0, 8).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect((error as Error).message).toMatch(/^model\.safetensors: cannot be read \(ENOENT: /);
  });

  it('a folder that cannot be listed is named, exit 2', async () => {
    const dir = tinyDir();
    await expect(directorySources(join(dir, 'config.json'))).rejects.toThrow(
      /cannot be listed \(ENOTDIR/,
    );
    const fd = await slim('check', '--model', '/proc/self/fd');
    expect(fd.code).toBe(2);
    expect(fd.err).not.toMatch(/unexpected error/);
  });

  it('loads a Hugging Face cache snapshot whose files are links into ../../blobs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slim-hf-'));
    const blobs = join(root, 'blobs');
    const snapshot = join(root, 'snapshots', 'abc123');
    mkdirSync(blobs);
    mkdirSync(snapshot, { recursive: true });
    const files = new Map([...tinyCheckpoint('gpt2', TINY_GPT2).files, ...tinyTokenizerJson()]);
    let n = 0;
    for (const [name, bytes] of files) {
      const blob = `blob${n++}`;
      writeFileSync(join(blobs, blob), bytes);
      symlinkSync(join('..', '..', 'blobs', blob), join(snapshot, name));
    }
    const sources = await directorySources(snapshot);
    expect([...sources.keys()].sort()).toEqual([...files.keys()].sort());
    const r = await slim(...runArgs(snapshot));
    expect(r.code).toBe(0);
  });
});
