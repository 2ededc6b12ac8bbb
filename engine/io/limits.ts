/**
 * Size limits of the small text files of a checkpoint, checked from a file's size before any of
 * its bytes are read: a NUL-filled 600 MB config.json must be refused as too large, not read
 * and then reported as "not valid UTF-8". Real files are far below them: config.json is a few
 * kilobytes, the shard index of a 400B-parameter model a few hundred kilobytes, the largest
 * tokenizer.json (Gemma's 256k vocabulary) about 34 MB.
 */
import type { ByteSource } from './bytes';
import { CheckpointFormatError } from './errors';

/** config.json (and generation_config.json, tokenizer_config.json). */
export const MAX_CONFIG_BYTES = 4_000_000;
/** model.safetensors.index.json. */
export const MAX_INDEX_BYTES = 8_000_000;
/** tokenizer.json, vocab.json, merges.txt. */
export const MAX_TOKENIZER_BYTES = 50_000_000;

const LIMITS: Readonly<Record<string, number>> = {
  'config.json': MAX_CONFIG_BYTES,
  'generation_config.json': MAX_CONFIG_BYTES,
  'tokenizer_config.json': MAX_CONFIG_BYTES,
  'model.safetensors.index.json': MAX_INDEX_BYTES,
  'tokenizer.json': MAX_TOKENIZER_BYTES,
  'vocab.json': MAX_TOKENIZER_BYTES,
  'merges.txt': MAX_TOKENIZER_BYTES,
};

/** The largest size accepted for a file of this name, or undefined (weights: no limit here). */
export function sizeLimit(name: string): number | undefined {
  return Object.hasOwn(LIMITS, name) ? LIMITS[name] : undefined;
}

/** Throws CheckpointFormatError when a file of this name and size is over its limit. */
export function checkSize(name: string, size: number): void {
  const max = sizeLimit(name);
  if (max !== undefined && size > max)
    throw new CheckpointFormatError(
      name,
      `the file is ${size.toLocaleString('en-US')} bytes, more than the ` +
        `${max.toLocaleString('en-US')}-byte limit for ${name}; it is not a real ${name} ` +
        '(nothing of it was read).',
    );
}

/**
 * The files with every capped file (config.json, the index, the tokenizer files) over its limit
 * replaced by a source whose read throws the size error: nothing of it is read, and files the
 * caller never reads do not fail.
 */
export function limitSizes<F extends ByteSource | Uint8Array>(
  files: ReadonlyMap<string, F>,
): Map<string, F | ByteSource> {
  const out = new Map<string, F | ByteSource>();
  for (const [name, f] of files) {
    let size: number;
    try {
      size = f instanceof Uint8Array ? f.byteLength : f.size;
    } catch {
      out.set(name, f); // a source that cannot be used says why itself
      continue;
    }
    const max = sizeLimit(name);
    if (max === undefined || size <= max) {
      out.set(name, f);
      continue;
    }
    out.set(name, {
      name,
      size,
      read: async () => {
        checkSize(name, size);
        return new Uint8Array(0);
      },
    });
  }
  return out;
}
