/**
 * Random-access byte sources. The safetensors reader only needs `size` and `read(offset,
 * length)`, so the same code reads an in-memory buffer, a browser File/Blob (one slice per
 * tensor, never the whole file) or, in Node, a file on disk (engine/io/node.ts).
 */
import { CheckpointFormatError } from './errors';

export interface ByteSource {
  /** Name used in error messages, e.g. "model-00001-of-00003.safetensors". */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset` (callers stay within [0, size]). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

function checkRange(source: ByteSource, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > source.size
  ) {
    throw new CheckpointFormatError(
      source.name,
      `cannot read ${length} bytes at offset ${offset}: the file holds ${source.size} bytes`,
    );
  }
}

/** A source over bytes already in memory; reads are views (no copy). */
export function bufferSource(bytes: Uint8Array | ArrayBuffer, name = 'buffer'): ByteSource {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const source: ByteSource = {
    name,
    size: view.byteLength,
    async read(offset, length) {
      checkRange(source, offset, length);
      return view.subarray(offset, offset + length);
    },
  };
  return source;
}

/** A source over a browser Blob or File: each read is one `slice().arrayBuffer()`. */
export function blobSource(blob: Blob, name?: string): ByteSource {
  const fileName =
    name ?? (typeof File !== 'undefined' && blob instanceof File ? blob.name : 'blob');
  const source: ByteSource = {
    name: fileName,
    size: blob.size,
    async read(offset, length) {
      checkRange(source, offset, length);
      const buffer = await blob.slice(offset, offset + length).arrayBuffer();
      if (buffer.byteLength !== length) {
        throw new CheckpointFormatError(
          fileName,
          `reading ${length} bytes at offset ${offset} returned ${buffer.byteLength} bytes ` +
            '(was the file changed while it was being read?)',
        );
      }
      return new Uint8Array(buffer);
    },
  };
  return source;
}
