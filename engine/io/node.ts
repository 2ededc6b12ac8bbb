/**
 * Node-only byte sources: files on disk read through fs handles, one positioned read per
 * request. Browser code must not import this module (it pulls in node:fs); engine/index.ts
 * does not re-export it.
 *
 * A model folder is untrusted: a dangling symbolic link (a Hugging Face cache snapshot whose
 * blob is missing), a link loop, an unreadable file or folder must not crash a command. Files
 * the loader does not need are left out; for those it may need, the error (system code and
 * message) surfaces as a CheckpointFormatError naming the file when the file is first used.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ByteSource } from './bytes';
import { CheckpointFormatError } from './errors';
import { limitSizes } from './limits';

/** "ENOENT: no such file or directory, stat '…'" → one sentence with the code. */
export function systemErrorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function accessError(name: string, error: unknown): CheckpointFormatError {
  return new CheckpointFormatError(name, `cannot be read (${systemErrorText(error)}).`);
}

/** A ByteSource over a file on disk. The file is opened per read, so nothing needs closing. */
export async function fileSource(path: string, name = basename(path)): Promise<ByteSource> {
  let size: number;
  try {
    ({ size } = await stat(path));
  } catch (error) {
    throw accessError(name, error);
  }
  const checkRange = (offset: number, length: number) => {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > size
    )
      throw new CheckpointFormatError(
        name,
        `cannot read ${length} bytes at offset ${offset}: the file holds ${size} bytes`,
      );
  };
  const ended = (offset: number, length: number, done: number) =>
    new CheckpointFormatError(
      name,
      `the file ended after ${offset + done} bytes while reading ${length} bytes at ` +
        `offset ${offset} (was it changed while being read?)`,
    );
  const source: ByteSource = {
    name,
    size,
    async read(offset, length) {
      checkRange(offset, length);
      const out = new Uint8Array(length);
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        throw accessError(name, error);
      }
      try {
        let done = 0;
        while (done < length) {
          let bytesRead: number;
          try {
            ({ bytesRead } = await handle.read(out, done, length - done, offset + done));
          } catch (error) {
            throw accessError(name, error);
          }
          if (bytesRead === 0) throw ended(offset, length, done);
          done += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return out;
    },
    readSync(offset, length) {
      checkRange(offset, length);
      const out = new Uint8Array(length);
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        throw accessError(name, error);
      }
      try {
        let done = 0;
        while (done < length) {
          let bytesRead: number;
          try {
            bytesRead = readSync(fd, out, done, length - done, offset + done);
          } catch (error) {
            throw accessError(name, error);
          }
          if (bytesRead === 0) throw ended(offset, length, done);
          done += bytesRead;
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
  return source;
}

/**
 * Names the loader reads: the weights (any *.safetensors, the shard index), config.json and the
 * tokenizer files. Only these are reported when they cannot be read; other files (README.md,
 * images …) that cannot be read are left out.
 */
export function isModelFile(name: string): boolean {
  return (
    name.endsWith('.safetensors') ||
    [
      'config.json',
      'model.safetensors.index.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.json',
      'merges.txt',
    ].includes(name)
  );
}

/** A source that cannot be used: touching its size or reading it throws the named error. */
function brokenSource(name: string, error: CheckpointFormatError): ByteSource {
  return {
    name,
    get size(): number {
      throw error;
    },
    read: () => Promise.reject(error),
  };
}

/**
 * Every regular file of a directory (e.g. a downloaded Hugging Face snapshot, whose files are
 * symbolic links into its blobs) as a name → source map, ready for openCheckpoint. A model
 * file that cannot be reached (dangling link, loop, no permission) is a source that throws a
 * CheckpointFormatError naming it and the system error when used; other such files are left
 * out. A folder that cannot be listed throws at once. config.json, the index and the tokenizer
 * files over their size limits (limits.ts) throw when read, before any byte is.
 */
export async function directorySources(dir: string): Promise<Map<string, ByteSource>> {
  return limitSizes(await listSources(dir));
}

async function listSources(dir: string): Promise<Map<string, ByteSource>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new CheckpointFormatError(
      dir,
      `the folder cannot be listed (${systemErrorText(error)}).`,
    );
  }
  const out = new Map<string, ByteSource>();
  for (const e of entries) {
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    const path = join(dir, e.name);
    try {
      const s = await stat(path);
      if (s.isFile()) out.set(e.name, await fileSource(path, e.name));
    } catch (error) {
      const named = error instanceof CheckpointFormatError ? error : accessError(e.name, error);
      if (isModelFile(e.name)) out.set(e.name, brokenSource(e.name, named));
    }
  }
  return out;
}
