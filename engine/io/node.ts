/**
 * Node-only byte sources: files on disk read through fs handles, one positioned read per
 * request. Browser code must not import this module (it pulls in node:fs); engine/index.ts
 * does not re-export it.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ByteSource } from './bytes';
import { CheckpointFormatError } from './errors';

/** A ByteSource over a file on disk. The file is opened per read, so nothing needs closing. */
export async function fileSource(path: string, name = basename(path)): Promise<ByteSource> {
  const { size } = await stat(path);
  const source: ByteSource = {
    name,
    size,
    async read(offset, length) {
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
      const out = new Uint8Array(length);
      const handle = await open(path, 'r');
      try {
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0)
            throw new CheckpointFormatError(
              name,
              `the file ended after ${offset + done} bytes while reading ${length} bytes at ` +
                `offset ${offset} (was it changed while being read?)`,
            );
          done += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return out;
    },
  };
  return source;
}

/**
 * Every regular file of a directory (e.g. a downloaded Hugging Face snapshot) as a name → source
 * map, ready for openCheckpoint.
 */
export async function directorySources(dir: string): Promise<Map<string, ByteSource>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out = new Map<string, ByteSource>();
  for (const e of entries) {
    if (e.isFile() || e.isSymbolicLink()) {
      const path = join(dir, e.name);
      const s = await stat(path);
      if (s.isFile()) out.set(e.name, await fileSource(path, e.name));
    }
  }
  return out;
}
