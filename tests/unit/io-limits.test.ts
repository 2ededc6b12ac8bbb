/**
 * Size limits of config.json, the shard index and the tokenizer files, checked from the size
 * before any byte is read (a NUL-filled 600 MB config.json used to be read whole and reported
 * as "not valid UTF-8").
 */
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFormatError,
  limitSizes,
  MAX_CONFIG_BYTES,
  MAX_INDEX_BYTES,
  openCheckpoint,
  type ByteSource,
} from '../../engine/io';
import { loadTokenizer } from '../../engine/models';
import { tinyCheckpoint, TINY_GPT2, writeModelDir } from './models-helpers';
import { slim } from './cli-helpers';

/** A source of `size` zero bytes that records every read. */
function spy(name: string, size: number) {
  const reads: number[] = [];
  const source: ByteSource = {
    name,
    size,
    read: async (_offset, length) => {
      reads.push(length);
      return new Uint8Array(length);
    },
  };
  return { source, reads };
}

describe('size limits of the small checkpoint files', () => {
  it('a 600 MB NUL-filled config.json is refused for its size, unread (CLI exit 2)', async () => {
    const dir = writeModelDir(tinyCheckpoint('gpt2', TINY_GPT2).files);
    truncateSync(join(dir, 'config.json'), 600_000_000); // sparse: no disk used
    const r = await slim('check', '--model', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /config\.json: the file is 600,000,000 bytes, more than the 4,000,000-byte limit for config\.json/,
    );
    expect(r.err).not.toMatch(/UTF-8/);
  });

  it('limitSizes and openCheckpoint read nothing of an oversized config or index', async () => {
    const config = spy('config.json', MAX_CONFIG_BYTES + 1);
    const limited = limitSizes(new Map([['config.json', config.source]]));
    const c = limited.get('config.json') as ByteSource;
    await expect(c.read(0, c.size)).rejects.toBeInstanceOf(CheckpointFormatError);
    expect(config.reads).toEqual([]);

    const index = spy('model.safetensors.index.json', MAX_INDEX_BYTES + 1);
    await expect(
      openCheckpoint(new Map([['model.safetensors.index.json', index.source]])),
    ).rejects.toThrow(/model\.safetensors\.index\.json: the file is 8,000,001 bytes/);
    expect(index.reads).toEqual([]);
  });

  it('an oversized tokenizer.json is refused unread', async () => {
    const tok = spy('tokenizer.json', 60_000_000);
    await expect(loadTokenizer(new Map([['tokenizer.json', tok.source]]))).rejects.toThrow(
      /tokenizer\.json: the file is 60,000,000 bytes, more than the 50,000,000-byte limit/,
    );
    expect(tok.reads).toEqual([]);
  });
});
